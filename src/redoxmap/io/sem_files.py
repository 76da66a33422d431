"""SEM sections with EDS: what every SEM reader returns, and the readers.

A :class:`SemSection` is one field of view: a grey-scale image (backscatter or secondary
electrons), its pixel size, and where it was measured, an EDS spectrum cube (rows x columns x
channels, with the channels' energies) or ready element maps. Readers:

* Bruker Esprit ``.bcf`` (image and hypermap) and Thermo Fisher Velox ``.emd`` (image and EDS
  spectrum image), through RosettaSciIO (the ``tem`` extra);
* any micrograph the image readers know (FEI/Thermo, Zeiss, ImageJ TIFFs with their pixel sizes,
  PNG, Gatan), with element maps given as images of the same field (``maps={"Mn": "mn.tif"}``).

A file without a pixel size is refused unless the user gives one (``pixel_nm=``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.reader import Reader, read_head


@dataclass
class SemSection:
    """One field of view of a cross-section.

    Attributes
    ----------
    image : numpy.ndarray
        2-D grey-scale image (backscatter or secondary electrons), rows = y.
    pixel_nm : float
    cube : numpy.ndarray or None
        EDS counts, rows x columns x channels, on the image's grid.
    energy_keV : numpy.ndarray or None
        Energy of each channel.
    maps : dict of str to numpy.ndarray
        Ready element maps (counts or intensities) by element symbol.
    attrs : dict
        ``source_file``, ``format``, ``pixel_source``, ``elements`` (as the file lists them)...
    """

    image: np.ndarray = field(repr=False)
    pixel_nm: float
    cube: np.ndarray | None = field(default=None, repr=False)
    energy_keV: np.ndarray | None = field(default=None, repr=False)
    maps: dict = field(default_factory=dict, repr=False)
    attrs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        rows, columns = self.image.shape
        eds = f", EDS {self.cube.shape[2]} channels" if self.cube is not None else ""
        maps = f", maps {', '.join(self.maps)}" if self.maps else ""
        return (f"SemSection({Path(self.attrs.get('source_file', '')).name!r}, {rows}x{columns} px at "
                f"{self.pixel_nm:.4g} nm{eds}{maps})")

    @property
    def field_um(self) -> tuple[float, float]:
        """Height and width of the field in µm."""
        return self.image.shape[0] * self.pixel_nm / 1000, self.image.shape[1] * self.pixel_nm / 1000


def _pixel(axes, path: Path, given: float | None) -> tuple[float, str]:
    from redoxmap.io.rosettasciio import length_nm

    if given:
        return float(given), "user"
    found = length_nm(axes[-1].get("scale"), axes[-1].get("units")) if axes else None
    if found is None:
        raise FormatError("no pixel size in the file (its axes are in pixels): give pixel_nm", path=path)
    return found, "file"


def _energy(axis: dict, channels: int) -> np.ndarray:
    scale = float(axis.get("scale", 1.0))
    offset = float(axis.get("offset", 0.0))
    energy = offset + scale * np.arange(channels)
    return energy / 1000 if str(axis.get("units", "keV")).lower() == "ev" else energy


def _from_signals(signals: list[dict], path: Path, given: float | None, what: str) -> SemSection:
    images = [s for s in signals if np.asarray(s["data"]).ndim == 2]
    cubes = [s for s in signals if np.asarray(s["data"]).ndim == 3
             and str(s.get("metadata", {}).get("Signal", {}).get("signal_type", "")).upper().startswith("EDS")]
    if not images and not cubes:
        raise FormatError(f"the {what} holds neither an image nor an EDS spectrum image", path=path)
    cube = np.asarray(cubes[-1]["data"]) if cubes else None
    if images:
        image = np.asarray(images[0]["data"], dtype=float)
        axes = images[0].get("axes") or []
    else:
        image = cube.sum(axis=2).astype(float)
        axes = cubes[-1].get("axes", [])[:2]
    if cube is not None and cube.shape[:2] != image.shape:
        raise ReadError(f"the image ({image.shape}) and the EDS map ({cube.shape[:2]}) differ in size", path=path)
    pixel, source = _pixel(axes[:2], path, given)
    sample = (cubes[-1] if cubes else images[0]).get("metadata", {}).get("Sample", {})
    energy = _energy(cubes[-1]["axes"][-1], cube.shape[2]) if cube is not None else None
    return SemSection(
        image,
        pixel,
        cube,
        energy,
        {},
        {
            "source_file": str(path),
            "format": what,
            "pixel_source": source,
            "elements": list(sample.get("elements", [])),
            "sample": sample.get("name"),
        },
    )


def _sniff_bcf(head: bytes, path: Path) -> bool:
    return path.suffix.lower() == ".bcf" and head.startswith(b"AAMVHFSS")


def _rsciio_section(path: str | PathLike, plugin: str, what: str, label: str, pixel_nm: float | None) -> SemSection:
    """A section from a file RosettaSciIO's ``plugin`` reads (its image and EDS cube)."""
    from redoxmap.io.rosettasciio import rsciio_signals

    path = Path(path)
    read_head(path)
    return _from_signals(rsciio_signals(path, plugin, what=what), path, pixel_nm, label)


def read_bcf(path: str | PathLike, *, pixel_nm: float | None = None) -> SemSection:
    """A Bruker Esprit ``.bcf``: its image and EDS hypermap (through RosettaSciIO)."""
    return _rsciio_section(path, "bruker", "Bruker .bcf file", "Bruker .bcf", pixel_nm)


def _sniff_emd(head: bytes, path: Path) -> bool:
    return path.suffix.lower() == ".emd" and head.startswith(b"\x89HDF")


def read_velox_eds(path: str | PathLike, *, pixel_nm: float | None = None) -> SemSection:
    """A Thermo Fisher Velox ``.emd``: its image and EDS spectrum image (through RosettaSciIO)."""
    return _rsciio_section(path, "emd", "Velox file", "Velox .emd", pixel_nm)


def _sniff_image(head: bytes, path: Path) -> bool:
    from redoxmap.io.registry import readers

    return any(r.sniff(head, path) for r in readers("images").values())


def read_sem_image(path: str | PathLike, *, pixel_nm: float | None = None) -> SemSection:
    """A micrograph any image reader knows, as a section without EDS (element maps can be added)."""
    from redoxmap.io.images import read_image

    path = Path(path)
    image = read_image(path, pixel_nm=pixel_nm)
    if image.pixel_nm is None:
        raise FormatError("no pixel size in the file: give pixel_nm", path=path)
    return SemSection(np.asarray(image.data, dtype=float), float(image.pixel_nm), attrs={
        "source_file": str(path), "format": image.attrs.get("format", "image"),
        "pixel_source": image.attrs.get("pixel_source", "file")})


def read_sem(path: str | PathLike, *, pixel_nm: float | None = None, maps: dict | None = None,
             format: str | None = None) -> SemSection:
    """Read an SEM field of view: image, pixel size and EDS (cube or element maps).

    Parameters
    ----------
    path : path-like
        ``.bcf``, ``.emd``, or an image (TIFF, PNG, DM3).
    pixel_nm : float, optional
        Pixel size in nm, for files without one (or to override it).
    maps : dict of str to path-like, optional
        Ready element maps of the same field, by element (``{"Mn": "mn.tif", "S": "s.tif"}``).
    format : str, optional
        A reader name (``redoxmap formats``).

    Returns
    -------
    SemSection

    Examples
    --------
    >>> section = read_sem("composite.bcf")                       # doctest: +SKIP
    >>> section = read_sem("bse.tif", maps={"Mn": "Mn.tif", "S": "S.tif", "C": "C.tif"})  # doctest: +SKIP
    """
    from redoxmap.io.images import read_image
    from redoxmap.io.registry import read_with

    path = Path(path)
    options = {"pixel_nm": pixel_nm} if pixel_nm else {}
    section = read_with(path, modality="sem", format=format, **options)[1]
    for element, map_path in (maps or {}).items():
        data = np.asarray(read_image(map_path, pixel_nm=section.pixel_nm).data, dtype=float)
        if data.ndim == 3:  # a colour map: its brightness
            data = data.mean(axis=2)
        if data.shape != section.image.shape:
            raise ReadError(f"element map {element} is {data.shape[1]}x{data.shape[0]} px, the image "
                            f"{section.image.shape[1]}x{section.image.shape[0]}", path=map_path)
        section.maps[str(element)] = data
    return section


READERS = (
    Reader("bruker-bcf", "sem", "Bruker Esprit", (".bcf",), _sniff_bcf, read_bcf,
           "Bruker .bcf: SEM image and EDS hypermap (tem extra)", options=("pixel_nm",)),
    Reader("velox-eds", "sem", "Thermo Fisher Velox", (".emd",), _sniff_emd, read_velox_eds,
           "Velox .emd: image and EDS spectrum image (tem extra)", options=("pixel_nm",)),
    Reader("sem-image", "sem", "any", (".tif", ".tiff", ".png", ".jpg", ".jpeg", ".dm3", ".dm4"), _sniff_image,
           read_sem_image, "SEM image with its pixel size (FEI/Thermo, Zeiss, ImageJ TIFF...); element maps as "
           "images", options=("pixel_nm",), fallback=True),
)
