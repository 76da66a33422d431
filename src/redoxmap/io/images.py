"""Micrographs with their pixel size: what every image reader returns, and reading a file into one.

TIFF, PNG and JPEG go through Pillow (a matplotlib dependency); the pixel size of a TIFF
comes from ImageJ's ``unit=``/resolution tags or the TIFF resolution tags. Gatan DM3/DM4
files are read by :mod:`redoxmap.io.gatan`. Each reader returns ``(data, pixel_nm)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, FormatError, ReadError
from redoxmap.io.labels import LENGTH_UNIT_NM
from redoxmap.io.raw import refuse_implausible
from redoxmap.io.reader import Reader


@dataclass
class Micrograph:
    """A grey-scale image and its calibration.

    Attributes
    ----------
    data : numpy.ndarray
        2-D float array (rows = y).
    pixel_nm : float or None
        Pixel size in nm (None when neither the file nor the user gives it).
    attrs : dict
        ``source_file``, ``format``, ``pixel_source`` ("file" or "user").
    """

    data: np.ndarray = field(repr=False)
    pixel_nm: float | None
    attrs: dict = field(default_factory=dict)

    def require_pixel_size(self) -> float:
        """The pixel size, or an error that says how to give it."""
        if self.pixel_nm is None:
            raise AnalysisError("the image carries no pixel size: give it (--pixel-nm, or pixel_nm in the "
                                "manifest)", path=self.attrs.get("source_file"))
        return self.pixel_nm


def read_image(path: str | PathLike, *, pixel_nm: float | None = None, format: str | None = None) -> Micrograph:
    """Read a micrograph.

    Parameters
    ----------
    path : path-like
        ``.tif``/``.tiff``, ``.png``, ``.jpg`` or ``.dm3``/``.dm4``.
    pixel_nm : float, optional
        Pixel size in nm; overrides the file's.
    format : str, optional
        Force a reader by name (``"tiff"``, ``"pillow"``, ``"dm"``).

    Raises
    ------
    ReadError, FormatError
        For missing, empty, damaged or unknown files.
    MissingDependencyError
        For DM3/DM4 without RosettaSciIO (``pip install "redoxmap[tem]"``).
    """
    from redoxmap.io.registry import read_with

    path = Path(path)
    reader, (data, file_pixel) = read_with(path, modality="images", format=format)
    if data.ndim == 3:  # colour or a stack of frames: average to one grey frame
        data = data.mean(axis=-1) if data.shape[-1] in (3, 4) else data.mean(axis=0)
    if data.ndim != 2 or min(data.shape) < 16:
        raise FormatError(f"image of shape {data.shape} is not a 2-D micrograph of at least 16 x 16", path=path)
    if not np.isfinite(data).all():
        raise ReadError("image holds non-finite values", path=path)
    refuse_implausible(data, 1e20, "pixel value", path)  # a camera counts to ~1e9; beyond, a damaged file
    if pixel_nm is not None and not pixel_nm > 0:
        raise AnalysisError(f"pixel size must be positive, not {pixel_nm}", path=path)
    chosen = pixel_nm if pixel_nm is not None else file_pixel
    return Micrograph(data.astype(float), chosen, {
        "source_file": str(path), "format": reader.name,
        "pixel_source": "user" if pixel_nm is not None else ("file" if file_pixel else None)})


def read_pillow(path: Path) -> tuple:
    """An image through Pillow (frames of a stack averaged) and its pixel size in nm, if tagged."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frames.append(np.asarray(image, dtype=float))
            pixel = _tiff_pixel_nm(image) if image.format == "TIFF" else None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ReadError(f"damaged or unsupported image ({exc})", path=path) from exc
    data = frames[0] if len(frames) == 1 else np.mean(frames, axis=0)
    return data, pixel


def read_tiff(path: Path) -> tuple:
    """A TIFF through Pillow; where ImageJ's and the resolution tags give no pixel size, the vendor
    metadata RosettaSciIO reads (FEI/Thermo and Zeiss SEMs, Olympus, Hamamatsu...), if it is installed."""
    data, pixel = read_pillow(path)
    if pixel is None:
        from redoxmap.errors import RedoxmapError
        from redoxmap.io.rosettasciio import rsciio_image

        try:
            pixel = rsciio_image(path, "tiff", what="TIFF")[1]
        except RedoxmapError:  # no vendor metadata, or RosettaSciIO absent: the user gives the pixel size
            pixel = None
    return data, pixel


def _tiff_pixel_nm(image) -> float | None:
    tags = image.tag_v2
    description = str(tags.get(270, ""))
    x_resolution = tags.get(282)
    if x_resolution:
        per_unit = float(x_resolution)
        unit = re.search(r"unit=([^\s]+)", description)
        if unit and per_unit > 0:  # ImageJ: pixels per 'unit'
            factor = LENGTH_UNIT_NM.get(unit.group(1).strip().lower().replace("\\u00b5", "µ"))
            if factor:
                return factor / per_unit
        resolution_unit = tags.get(296, 2)
        if per_unit > 0 and resolution_unit == 3:  # pixels per cm
            return 1e7 / per_unit
    return None


_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


def _sniff_tiff(head: bytes, path: Path) -> bool:
    return head[:4] in _TIFF_MAGIC


def _sniff_pillow(head: bytes, path: Path) -> bool:
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))


READERS = (
    Reader(name="tiff", modality="images", instrument="any", extensions=(".tif", ".tiff"), sniff=_sniff_tiff,
           read=read_tiff, description="TIFF; pixel size from ImageJ or resolution tags, or the SEM metadata of "
           "FEI/Thermo, Zeiss and others (tem extra)"),
    Reader(name="pillow", modality="images", instrument="any", extensions=(".png", ".jpg", ".jpeg"),
           sniff=_sniff_pillow, read=read_pillow, description="8/16-bit PNG and JPEG; pixel size from the user"),
)
