"""Impedance spectra: what every impedance reader returns, and reading a file into spectra.

Every impedance file becomes a list of :class:`ImpedanceSpectrum`: frequency in Hz (high
to low), the complex impedance ``Z = Z' + i Z''`` in ohm with the physics sign (``Z'' < 0``
for a capacitive arc), and attributes. Files that hold several spectra (a PEIS loop, a
cycling series) give one spectrum each, split where the frequency sweep starts again.

The instrument formats are read by their family's module (``biologic``, ``gamry``,
``scribner``, ``ametek``, ``palmsens``), found through the reader registry; this module
reads the generic ones: NumPy ``.npy`` arrays ``(n, 2, m)`` of frequency and Z (AutoEIS's
series), and CSV or whitespace tables of frequency, Z' and Z'' in either sign convention.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError, warn
from redoxmap.io.raw import refuse_implausible
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode
from redoxmap.results import DataView


@dataclass
class ImpedanceSpectrum(DataView):
    """One impedance spectrum (``plot()`` draws its Nyquist plot; a notebook shows a summary).

    Attributes
    ----------
    frequency_Hz : numpy.ndarray
        Strictly decreasing frequencies.
    z_ohm : numpy.ndarray
        Complex impedance (``Z'' < 0`` capacitive).
    attrs : dict
        ``source_file``, ``format``, ``spectrum`` (index in the file) and what the file says
        (``cycle``, ``time_s``, ``technique``...).
    """

    frequency_Hz: np.ndarray = field(repr=False)
    z_ohm: np.ndarray = field(repr=False)
    attrs: dict = field(default_factory=dict)

    title = "Impedance spectrum"
    figsize = (3.6, 3.2)

    def summary(self) -> dict:
        """Label, points, frequency range and the range of |Z|."""
        modulus = np.abs(self.z_ohm)
        return {"spectrum": self.label, "points": len(self.frequency_Hz),
                "frequency range": f"{self.frequency_Hz.min():.3g}-{self.frequency_Hz.max():.3g} Hz",
                "|Z| range": f"{modulus.min():.4g}-{modulus.max():.4g} Ω"}

    def _draw(self, ax) -> None:
        ax.plot(self.z_ohm.real, -self.z_ohm.imag, "o-", ms=2.5, lw=0.7, label=self.label)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("Z' (Ω)")
        ax.set_ylabel("−Z'' (Ω)")
        ax.legend(fontsize=6.5)

    @property
    def label(self) -> str:
        """File name and spectrum index."""
        name = Path(self.attrs.get("source_file", "spectrum")).name
        return f"{name} #{self.attrs.get('spectrum', 0)}"

    def to_frame(self) -> pd.DataFrame:
        """``frequency_Hz``, ``z_real_ohm``, ``z_imag_ohm``, ``z_mod_ohm``, ``phase_deg``."""
        return pd.DataFrame({"frequency_Hz": self.frequency_Hz, "z_real_ohm": self.z_ohm.real,
                             "z_imag_ohm": self.z_ohm.imag, "z_mod_ohm": np.abs(self.z_ohm),
                             "phase_deg": np.degrees(np.angle(self.z_ohm))})


def read_impedance(path: str | PathLike, *, format: str | None = None) -> list[ImpedanceSpectrum]:
    """Read every impedance spectrum of a file.

    Parameters
    ----------
    path : path-like
        Any impedance file ``redoxmap formats`` lists under ``eis``; the reader is chosen
        by content, then name.
    format : str, optional
        Force a reader by name (``"gamry"``, ``"table"``, ...).

    Returns
    -------
    list of ImpedanceSpectrum
        One per frequency sweep, in file order.

    Raises
    ------
    ReadError, FormatError
        For missing, empty, damaged or unknown files, or files without impedance data.
    """
    from redoxmap.io.registry import read_with

    path = Path(path)
    reader, sweeps = read_with(path, modality="eis", format=format)
    spectra = [_clean(frequency, z, {**attrs, "format": reader.name, "source_file": str(path), "spectrum": index},
                      path) for index, (frequency, z, attrs) in enumerate(sweeps)]
    if not spectra:
        raise ReadError("no impedance spectrum found", path=path)
    return spectra


def read_spectrum(path: str | PathLike, index: int = 0) -> ImpedanceSpectrum:
    """One spectrum of a file (the first by default); a file with several warns."""
    spectra = read_impedance(path)
    if not -len(spectra) <= index < len(spectra):
        raise ReadError(f"spectrum {index} asked for, the file holds {len(spectra)}", path=path)
    if len(spectra) > 1 and index == 0:
        warn(f"{path}: holds {len(spectra)} spectra; the first is used (read_impedance reads all)",
                      DataWarning)
    return spectra[index]


def split_sweeps(frequency: np.ndarray) -> list[slice]:
    """Split a record where the frequency sweep starts again (a jump up after going down)."""
    if len(frequency) < 3:
        return [slice(0, len(frequency))] if len(frequency) else []
    ratio = frequency[1:] / frequency[:-1]
    direction = np.median(ratio)
    restarts = np.flatnonzero(ratio > 3.0) + 1 if direction < 1 else np.flatnonzero(ratio < 1 / 3.0) + 1
    bounds = [0, *restarts.tolist(), len(frequency)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b - a >= 3]


def read_npy(path: Path) -> list[tuple]:
    """Spectra stored as an array ``(n, 2, m)`` (or ``(2, m)``) of frequency and complex Z."""
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ReadError(f"unreadable .npy array ({exc})", path=path) from exc
    if array.ndim == 2 and array.shape[0] == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1] != 2:
        raise FormatError(f"array of shape {array.shape}; expected (n, 2, m): frequency and Z of n spectra",
                          path=path)
    return [(np.real(frequency).astype(float), np.asarray(z, complex), {"series_index": k})
            for k, (frequency, z) in enumerate(array)]


_NAMES = {"frequency": ("freq", "frequency", "f", "freqhz", "frequencyhz"),
          "real": ("zreal", "real", "rez", "rezohm", "z'", "zre", "zohm", "re"),
          "imag": ("zimag", "imag", "imz", "imzohm", "z''", "zim", "im")}



def read_impedance_table(path: Path) -> list[tuple]:
    """A table of frequency, Z' and Z'' (named columns, or three unnamed ones), either sign of Z''."""
    text = decode(path.read_bytes())
    lines = [line for line in text.splitlines() if line.strip()]
    separator = "," if lines and lines[0].count(",") >= 2 else None
    first = [f.strip() for f in (lines[0].split(separator) if separator else lines[0].split())]
    try:
        [float(v) for v in first if v]
        header = None
    except ValueError:
        header = first
    try:
        frame = pd.read_csv(path, sep=separator or r"\s+", header=0 if header else None, engine="python",
                            comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise FormatError(f"not a table of frequency, Z', Z'' ({str(exc)[:100]})", path=path) from exc
    return [spectrum_from_frame(frame, path, named=header is not None)]


def read_impedance_workbook(path: Path) -> list[tuple]:
    """One spectrum per sheet of an Excel (``.xlsx``) or OpenDocument (``.ods``) workbook whose first row
    names frequency, Z' and Z'' (sheets without them are skipped)."""
    from redoxmap.io.archives import check_archive
    from redoxmap.io.tabular import workbook_errors

    check_archive(path, verify=True)
    engine = "odf" if _is_ods(path) else "openpyxl"  # by content: the name may not say
    with workbook_errors(path):
        sheets = pd.read_excel(path, sheet_name=None, engine=engine)
    spectra = []
    for name, frame in sheets.items():
        try:
            f, z, attrs = spectrum_from_frame(frame, path, named=True)
        except FormatError:
            continue
        spectra.append((f, z, {**attrs, "sheet": str(name)}))
    if not spectra:
        raise FormatError(f"no sheet names frequency, Z' and Z'' columns (sheets: {', '.join(map(str, sheets))})",
                          path=path)
    return spectra


def spectrum_from_frame(frame: pd.DataFrame, path: Path, *, named: bool) -> tuple:
    """``(frequency_Hz, z_ohm, attrs)`` from a table: its columns found by name (``freq``, ``Z'``,
    ``-Z''``, ``Re(Z)/Ohm``...), or, for an unnamed table, the first three in that order; the sign of Z''
    from the name (a leading minus) or, without one, from the data (capacitive spectra have Z'' < 0)."""
    frame = frame.loc[:, [not str(c).startswith("Unnamed") and str(c) != "" for c in frame.columns]]
    if not named:
        if frame.shape[1] < 3:
            raise FormatError("needs three columns: frequency, Z', Z''", path=path)
        f, zr, zi = (pd.to_numeric(frame.iloc[:, k], errors="coerce").to_numpy(float) for k in range(3))
        minus = None
    else:
        simple = {re.sub(r"[\s()/_\-]|ohm|hz", "", str(c).lower()): c for c in frame.columns}
        found = {}
        for role, names in _NAMES.items():
            match = next((simple[n] for n in names if n in simple), None)
            if match is None:
                raise FormatError(f"no {role} column among {list(frame.columns)}", path=path)
            found[role] = match
        f, zr, zi = (pd.to_numeric(frame[found[r]], errors="coerce").to_numpy(float) for r in ("frequency", "real",
                                                                                              "imag"))
        minus = str(found["imag"]).strip().startswith("-")
    if minus is None:
        # No name to go by: electrochemical spectra are capacitive overall, so Z'' is mostly negative.
        minus = np.nanmedian(zi) > 0
        if minus:
            warn(f"{path}: the imaginary column is mostly positive, so it was read as -Z''", DataWarning)
    return f, zr - 1j * zi if minus else zr + 1j * zi, {}


_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def _is_ods(path: Path) -> bool:
    from redoxmap.io.reader import read_head

    return _ODS_MIMETYPE in read_head(path)[:200]


def _clean(frequency, z, attrs: dict, path: Path) -> ImpedanceSpectrum:
    frequency = np.asarray(frequency, float)
    z = np.asarray(z, complex)
    finite = np.isfinite(frequency) & np.isfinite(z)
    if not finite.all():
        warn(f"{path}: {int((~finite).sum())} points with missing values were dropped", DataWarning)
        frequency, z = frequency[finite], z[finite]
    if np.any(frequency <= 0):
        raise FormatError(f"{int((frequency <= 0).sum())} non-positive frequencies", path=path)
    refuse_implausible(frequency, 1e10, "frequency (Hz)", path)
    refuse_implausible(np.abs(z), 1e15, "|Z| (ohm)", path)
    order = np.argsort(-frequency, kind="stable")
    frequency, z = frequency[order], z[order]
    if np.any(np.diff(frequency) == 0):
        unique, inverse = np.unique(-frequency, return_inverse=True)
        counts = np.bincount(inverse)
        z = (np.bincount(inverse, weights=z.real) + 1j * np.bincount(inverse, weights=z.imag)) / counts
        frequency = -unique
        warn(f"{path}: repeated frequencies were averaged", DataWarning)
    if len(frequency) < 5:
        raise ReadError(f"only {len(frequency)} impedance points", path=path)
    _check_sweep(frequency, path)
    return ImpedanceSpectrum(frequency, z, attrs)


MIN_DECADES = 1.0  # the public spectra span 2 to 8 decades
MAX_POINTS_PER_DECADE = 200  # ten times the densest public sweep (20 per decade)


def _check_sweep(frequency: np.ndarray, path: Path) -> None:
    """Refuse columns that are not an impedance sweep: one spanning less than a decade, or sampled far
    more densely than any analyser sweeps (a diffraction pattern's angle axis, a time series)."""
    decades = float(np.log10(frequency.max() / frequency.min()))
    if decades < MIN_DECADES or len(frequency) > MAX_POINTS_PER_DECADE * decades:
        raise FormatError(f"its 'frequencies' ({frequency.min():.4g}-{frequency.max():.4g}, {len(frequency):,} points) "
                          f"span {decades:.2f} decades at {len(frequency) / max(decades, 1e-9):.0f} points per decade: "
                          f"not an impedance sweep (at least {MIN_DECADES:g} decade, at most "
                          f"{MAX_POINTS_PER_DECADE} points per decade)", path=path)


def _sniff_npy(head: bytes, path: Path) -> bool:
    return head.startswith(b"\x93NUMPY")


def _sniff_table(head: bytes, path: Path) -> bool:
    return b"\x00" not in head[:2048]


def _sniff_workbook(head: bytes, path: Path) -> bool:
    """A zip that is an Excel workbook (its ``xl/`` part is named near the start) or an OpenDocument sheet."""
    return head.startswith(b"PK\x03\x04") and (b"xl/" in head[:4096] or b"[Content_Types].xml" in head[:4096]
                                                 or _ODS_MIMETYPE in head[:200])


READERS = (
    Reader(name="workbook", modality="eis", instrument="any", extensions=(".xlsx", ".ods"), sniff=_sniff_workbook,
           read=read_impedance_workbook, description="Excel or OpenDocument workbooks, a spectrum per sheet"),
    Reader(name="numpy", modality="eis", instrument="any", extensions=(".npy",), sniff=_sniff_npy,
           read=read_npy, description="array (n, 2, m): frequency and Z of n spectra"),
    Reader(name="table", modality="eis", instrument="any", extensions=(".csv", ".txt", ".dat"),
           sniff=_sniff_table, read=read_impedance_table, fallback=True,
           description="frequency, Z', Z'' columns, either sign of Z''"),
)
