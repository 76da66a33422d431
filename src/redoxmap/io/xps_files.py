"""Photoelectron spectra: what every XPS reader returns, and two-column exports (CSV, text).

Every XPS reader gives a list of :class:`XpsSpectrum`, one per region (a VAMAS block, a
SpecsLab region, a column pair): intensities on a **binding-energy** axis in eV, ascending.
Files written on a kinetic-energy axis are converted with ``BE = hv - KE`` (the analyser's
work function is part of its energy calibration, as CasaXPS and SpecsLab assume), so the
excitation energy must be known: from the file, or given by the user.

The instrument formats have their own modules (``vamas``, ``specs``); this module reads
two-column exports whose header names the axis (``Binding Energy (eV)``, ``BE``,
``Kinetic Energy``, ``E_kin``) and the intensity (``Counts / s``, ``CPS``, ``intensity``),
as Thermo Avantage, CasaXPS and most lab scripts write them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, DataWarning, FormatError, ReadError, warn
from redoxmap.io.raw import refuse_implausible
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text
from redoxmap.results import DataView

AL_KALPHA_EV = 1486.6
"""Al Kα photon energy (eV), the source of most laboratory XPS (the reference study's ESCALAB 250Xi)."""


@dataclass
class XpsSpectrum(DataView):
    """One XPS region on a binding-energy axis (``plot()`` draws it, binding energy falling to the right
    as XPS is read; a notebook shows a summary).

    Attributes
    ----------
    binding_energy_eV : numpy.ndarray
        Ascending binding energies (eV).
    intensity_cps : numpy.ndarray
        Intensity in counts per second (or the file's own unit, named in ``metadata["intensity_unit"]``).
    region : str
        The region's name (``"S 2p"``, ``"C 1s"``, ``"Survey"``), as the file names it.
    source_file : str
        The file it was read from (with ``::block`` for one region of many).
    excitation_energy_eV : float or None
        Photon energy, where the file states it.
    counts_per_unit : float or None
        Counts per unit of intensity (dwell time x scans for a count rate), when the file gives
        them: the Poisson variance of a point is then ``intensity / counts_per_unit``.
    charge_shift_eV : float
        The charge correction already applied (added to every binding energy).
    metadata : dict
        Everything else the file says.
    transmission : numpy.ndarray or None
        The analyser's transmission at each point, where the file gives it (CasaXPS's column).
    """

    binding_energy_eV: np.ndarray
    intensity_cps: np.ndarray
    region: str
    source_file: str = ""
    excitation_energy_eV: float | None = None
    counts_per_unit: float | None = None
    charge_shift_eV: float = 0.0
    metadata: dict = field(default_factory=dict)
    transmission: np.ndarray | None = None

    def __post_init__(self):
        order = np.argsort(self.binding_energy_eV, kind="stable")
        self.binding_energy_eV = np.asarray(self.binding_energy_eV, dtype=float)[order]
        self.intensity_cps = np.asarray(self.intensity_cps, dtype=float)[order]
        if self.transmission is not None:
            self.transmission = np.asarray(self.transmission, dtype=float)[order]

    title = "XPS spectrum"

    def summary(self) -> dict:
        """Region, points, binding-energy range, largest intensity, charge shift and source file."""
        be = self.binding_energy_eV
        return {"region": self.region, "points": len(be), "binding energy (eV)": f"{be[0]:.2f}–{be[-1]:.2f}",
                f"largest intensity ({self.metadata.get('intensity_unit', 'counts/s')})":
                    float(np.nanmax(self.intensity_cps)) if len(be) else float("nan"),
                "charge shift (eV)": self.charge_shift_eV, "source file": self.source_file}

    def _draw(self, ax) -> None:
        ax.plot(self.binding_energy_eV, self.intensity_cps, lw=1.0, label=self.region)
        if not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.set_xlabel("Binding energy (eV)")
        ax.set_ylabel(f"Intensity ({self.metadata.get('intensity_unit', 'counts/s')})")
        ax.legend(fontsize=6.5)

    def transmission_at(self, binding_energy_eV: float) -> float:
        """The analyser's transmission at a binding energy (1 where the file gives none)."""
        if self.transmission is None:
            return 1.0
        return float(np.interp(binding_energy_eV - self.charge_shift_eV,
                               self.binding_energy_eV - self.charge_shift_eV, self.transmission))

    def __len__(self) -> int:
        return len(self.binding_energy_eV)

    def __repr__(self) -> str:
        be = self.binding_energy_eV
        return (f"XpsSpectrum({self.region!r}, {len(be)} points, {be[0]:.2f}-{be[-1]:.2f} eV"
                f"{f', shifted {self.charge_shift_eV:+.2f} eV' if self.charge_shift_eV else ''})")

    def variance(self) -> np.ndarray | None:
        """Poisson variance of each point in the intensity's unit, where counts are known."""
        if not self.counts_per_unit:
            return None
        return np.maximum(self.intensity_cps, 1.0 / self.counts_per_unit) / self.counts_per_unit

    def shifted(self, shift_eV: float) -> XpsSpectrum:
        """The same spectrum with ``shift_eV`` added to its binding energies (a charge correction)."""
        return dataclasses.replace(self, binding_energy_eV=self.binding_energy_eV + shift_eV,
                                   charge_shift_eV=self.charge_shift_eV + shift_eV)

    def window(self, low_eV: float, high_eV: float) -> XpsSpectrum:
        """The points between two binding energies (inclusive)."""
        keep = (self.binding_energy_eV >= min(low_eV, high_eV)) & (self.binding_energy_eV <= max(low_eV, high_eV))
        if keep.sum() < 5:
            raise AnalysisError(f"{self.region}: fewer than 5 points between {low_eV} and {high_eV} eV (the region "
                                f"spans {self.binding_energy_eV[0]:.2f}-{self.binding_energy_eV[-1]:.2f} eV)")
        return dataclasses.replace(self, binding_energy_eV=self.binding_energy_eV[keep],
                                   intensity_cps=self.intensity_cps[keep],
                                   transmission=None if self.transmission is None else self.transmission[keep])

    def to_frame(self):
        """The spectrum as a table: ``binding_energy_eV``, ``intensity_cps``."""
        import pandas as pd

        return pd.DataFrame({"binding_energy_eV": self.binding_energy_eV, "intensity_cps": self.intensity_cps})


def make_spectrum(energy, intensity, *, path: Path, region: str, axis: str, excitation_energy_eV: float | None,
                  counts_per_unit: float | None = None, metadata: dict | None = None,
                  block: str | None = None, transmission=None) -> XpsSpectrum:
    """An :class:`XpsSpectrum` from a reader's arrays: finite points, a binding-energy axis, clear errors.

    Parameters
    ----------
    axis : {"binding", "kinetic"}
        What the energies are.
    """
    energy = np.asarray(energy, dtype=float)
    intensity = np.asarray(intensity, dtype=float)
    transmission = None if transmission is None else np.asarray(transmission, dtype=float)
    if energy.shape != intensity.shape:
        raise ReadError(f"region {region!r}: {energy.size} energies but {intensity.size} intensities", path=path)
    finite = np.isfinite(energy) & np.isfinite(intensity)
    if not finite.all():
        warn(f"{path}: region {region!r}: {int((~finite).sum())} points with missing values were dropped",
                      DataWarning)
    energy, intensity = energy[finite], intensity[finite]
    if transmission is not None:
        transmission = transmission[finite] if transmission.shape == finite.shape else None
    if energy.size < 5:
        raise ReadError(f"region {region!r} has {energy.size} data points (fewer than 5)", path=path)
    refuse_implausible(energy, 1e5, "energy (eV)", path)
    refuse_implausible(intensity, 1e15, f"intensity of region {region!r}", path)
    if axis == "kinetic":
        if not excitation_energy_eV:
            raise FormatError(f"region {region!r} is on a kinetic-energy axis and the file does not state the "
                              "excitation energy; pass excitation_energy_eV= (1486.6 for Al Kα)", path=path)
        energy = excitation_energy_eV - energy
    elif axis != "binding":
        raise FormatError(f"axis must be 'binding' or 'kinetic', not {axis!r}", path=path)
    source = f"{path}::{block}" if block is not None else str(path)
    return XpsSpectrum(energy, intensity, region, source, excitation_energy_eV, counts_per_unit,
                       metadata={"energy_axis_in_file": axis, **(metadata or {})}, transmission=transmission)


def read_xps(path: str | PathLike, *, format: str | None = None, **options) -> list[XpsSpectrum]:
    """Read every region of an XPS file (VAMAS, SpecsLab .xy, two-column CSV/text).

    Parameters
    ----------
    path : path-like
    format : str, optional
        A reader name (``redoxmap formats`` lists them); detected from the content if omitted.
    **options
        Reader options, e.g. ``excitation_energy_eV=`` for a kinetic-energy export that does not state it.

    Returns
    -------
    list of XpsSpectrum
        One per region, in file order.

    Examples
    --------
    >>> spectra = read_xps("S2p_cycled.vms")            # doctest: +SKIP
    >>> [s.region for s in spectra]                      # doctest: +SKIP
    ['C 1s', 'S 2p', 'P 2p']
    """
    from redoxmap.io.registry import read_with

    return read_with(path, modality="xps", format=format, **options)[1]


def select_region(spectra: list[XpsSpectrum], region: str | int, *, path=None) -> XpsSpectrum:
    """One region of a file's spectra, by name (case and spaces ignored) or by position."""
    if isinstance(region, int) or (isinstance(region, str) and region.isdigit()):
        index = int(region)
        if not 0 <= index < len(spectra):
            raise ReadError(f"has {len(spectra)} regions; no region {index}", path=path)
        return spectra[index]
    wanted = _region_key(region)
    hits = [s for s in spectra if _region_key(s.region) == wanted]
    if not hits:
        hits = [s for s in spectra if wanted in _region_key(s.region)]
    if not hits:
        raise ReadError(f"no region {region!r}; regions: {', '.join(s.region for s in spectra)}", path=path)
    if len(hits) > 1:
        warn(f"{path}: {len(hits)} regions match {region!r}; the first is used "
                      f"(pick one by position: 0-{len(spectra) - 1})", DataWarning)
    return hits[0]


def _region_key(name: str) -> str:
    return re.sub(r"[\s_]+", "", str(name)).lower()


# ---------------------------------------------------------------------------- two-column exports

_BINDING = re.compile(r"binding|^be\b|^b\.e\.", re.IGNORECASE)
_KINETIC = re.compile(r"kinetic|^e_?kin|^ke\b", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(\d|\.\d)[\d.eE+-]*")
_NUMBER_START = re.compile(r"[-+]?(\d|\.\d|nan)", re.IGNORECASE)


def _numeric_row(line: str) -> bool:
    """Whether a line starts with two numbers (a data row). Split first, then matched cell by cell: one
    pattern over the whole line backtracks quadratically through a long run of blanks between them."""
    cells, _ = _split(line.strip())
    return len(cells) >= 2 and bool(_NUMBER.fullmatch(cells[0])) and bool(_NUMBER_START.match(cells[1]))


def _split(line: str) -> tuple[list[str], str | None]:
    sep = "," if "," in line else ";" if ";" in line else "\t" if "\t" in line else None
    return [c.strip().strip('"') for c in (line.split(sep) if sep else line.split())], sep


def _header_line(text: str) -> tuple[int, str, list[str]] | None:
    """Index, axis kind and names of the line (commented or not) naming an energy axis first,
    followed by a numeric row."""
    lines = text.splitlines()[:60]
    for index, line in enumerate(lines[:-1]):
        cells, _ = _split(line.lstrip("#% ").strip())
        if len(cells) < 2 or not _numeric_row(lines[index + 1]):
            continue
        axis = "binding" if _BINDING.search(cells[0]) else "kinetic" if _KINETIC.search(cells[0]) else None
        if axis:
            return index, axis, cells
    return None


def _sniff_table(head: bytes, path: Path) -> bool:
    return _header_line(head_text(head)) is not None


def read_xps_table(path: str | PathLike, *, excitation_energy_eV: float | None = None) -> list[XpsSpectrum]:
    """Read a delimited export whose header (commented or not) names the energy axis first.

    Each further column becomes one region named after its header (the file's name for a
    single column). A kinetic-energy axis needs ``excitation_energy_eV``, unless the header
    states it (``hv=180eV``).
    """
    path = Path(path)
    read_head(path)
    text = decode(path.read_bytes())
    found = _header_line(text)
    if found is None:
        raise FormatError("no header line naming an energy axis (binding or kinetic) above numeric rows", path=path)
    index, axis, names = found
    if excitation_energy_eV is None:
        stated = re.search(r"h\s*(?:v|nu|\u03bd)\s*[=:]\s*([\d.]+)", "\n".join(text.splitlines()[:index + 1]),
                           re.IGNORECASE)
        excitation_energy_eV = float(stated.group(1)) if stated else None
    rows = [_split(line)[0] for line in text.splitlines()[index + 1:] if line.strip()]
    width = len(rows[0])
    try:
        table = np.array([[float(v) for v in row[:width]] for row in rows if len(row) >= width], dtype=float)
    except ValueError as exc:
        raise ReadError(f"a data row is not numeric ({str(exc)[:80]})", path=path) from exc
    if len(table) < len(rows):
        warn(f"{path}: {len(rows) - len(table)} short rows were skipped", DataWarning)
    names = (names + [f"column {i + 1}" for i in range(len(names), width)])[:width]
    spectra = [make_spectrum(table[:, 0], table[:, column], path=path,
                             region=names[column] if width > 2 else path.stem, axis=axis,
                             excitation_energy_eV=excitation_energy_eV, metadata={"intensity_label": names[column]})
               for column in range(1, width)]
    return spectra


READERS = (
    Reader("xps-table", "xps", "generic", (".csv", ".txt", ".dat", ".tsv"), _sniff_table, read_xps_table,
           "Two-column XPS export whose header names the energy axis and intensity (Avantage, CasaXPS, scripts)",
           options=("excitation_energy_eV",), fallback=True),
)
