"""Impedance spectra: BioLogic, Gamry, ZPlot, VersaStudio, PalmSens, and plain tables.

Every reader returns a list of :class:`ImpedanceSpectrum`: frequency in Hz (high to low),
the complex impedance ``Z = Z' + i Z''`` in ohm with the physics sign (``Z'' < 0`` for a
capacitive arc), and attributes. Files that hold several spectra (a PEIS loop, a cycling
series) give one spectrum each, split where the frequency sweep starts again.

Formats: BioLogic ``.mpt`` (PEIS/GEIS, Modulo Bat) and ``.mpr`` (the ``biologic`` extra),
Gamry ``.DTA`` (``ZCURVE`` table), ZPlot ``.z``, VersaStudio ``.par``, PalmSens
``.pssession`` (JSON), NumPy ``.npy`` arrays ``(n, 2, m)`` of frequency and Z (AutoEIS's
series), and CSV or whitespace tables of frequency, Z' and Z'' in either sign convention.
"""

from __future__ import annotations

import itertools
import json
import re
import warnings
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError
from redoxmap.io.registry import read_head
from redoxmap.io.text import decode

# reader -> (instrument, extensions, description), for ``redoxmap formats``.
EIS_FORMATS = {
    "biologic": ("BioLogic", (".mpt", ".mpr"), "PEIS/GEIS exports and binaries (.mpr: biologic extra)"),
    "gamry": ("Gamry", (".dta",), "ZCURVE table of EIS experiments"),
    "zplot": ("Scribner ZPlot", (".z",), "columns after 'End Comments'"),
    "versastudio": ("Ametek VersaStudio", (".par",), "EIS segments"),
    "palmsens": ("PalmSens", (".pssession",), "PSTrace session (JSON)"),
    "numpy": ("any", (".npy",), "array (n, 2, m): frequency and Z of n spectra"),
    "table": ("any", (".csv", ".txt", ".dat"), "frequency, Z', Z'' columns, either sign of Z''"),
}


@dataclass
class ImpedanceSpectrum:
    """One impedance spectrum.

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

    frequency_Hz: np.ndarray
    z_ohm: np.ndarray
    attrs: dict = field(default_factory=dict)

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


def read_impedance(path: str | PathLike) -> list[ImpedanceSpectrum]:
    """Read every impedance spectrum of a file.

    Raises
    ------
    ReadError, FormatError
        For missing, empty, damaged or unknown files, or files without impedance data.
    """
    path = Path(path)
    head = read_head(path)
    kind = _kind(path, head)
    spectra = []
    for index, (frequency, z, attrs) in enumerate(_READERS[kind](path)):
        spectra.append(_clean(frequency, z, {**attrs, "format": kind, "source_file": str(path), "spectrum": index},
                              path))
    if not spectra:
        raise ReadError("no impedance spectrum found", path=path)
    return spectra


def read_spectrum(path: str | PathLike, index: int = 0) -> ImpedanceSpectrum:
    """One spectrum of a file (the first by default); a file with several warns."""
    spectra = read_impedance(path)
    if not -len(spectra) <= index < len(spectra):
        raise ReadError(f"spectrum {index} asked for, the file holds {len(spectra)}", path=path)
    if len(spectra) > 1 and index == 0:
        warnings.warn(f"{path}: holds {len(spectra)} spectra; the first is used (read_impedance reads all)",
                      DataWarning, stacklevel=2)
    return spectra[index]


def _kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    text = head.decode("utf-16", errors="ignore") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else \
        head.decode("latin-1")
    if head.startswith(b"BIO-LOGIC MODULAR FILE") or text.startswith(("EC-Lab ASCII FILE", "BT-Lab ASCII FILE")):
        return "biologic"
    if head.startswith(b"\x93NUMPY"):
        return "numpy"
    if "PalmSens" in text[:400]:
        return "palmsens"
    if text.startswith("EXPLAIN") or suffix == ".dta":
        return "gamry"
    if "ZPlot" in text[:2000] or suffix == ".z":
        return "zplot"
    if "<Segment" in text or "VersaStudio" in text[:2000] or suffix == ".par":
        return "versastudio"
    if b"\x00" in head[:2048]:
        raise FormatError("a binary file that is not a known impedance format", path=path)
    return "table"


def _sweeps(frequency: np.ndarray) -> list[slice]:
    """Split a record where the frequency sweep starts again (a jump up after going down)."""
    if len(frequency) < 3:
        return [slice(0, len(frequency))]
    ratio = frequency[1:] / frequency[:-1]
    direction = np.median(ratio)
    restarts = np.flatnonzero(ratio > 3.0) + 1 if direction < 1 else np.flatnonzero(ratio < 1 / 3.0) + 1
    bounds = [0, *restarts.tolist(), len(frequency)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b - a >= 3]


def _biologic(path: Path):
    from redoxmap.io.biologic import mpr_frame, mpt_frame

    frame, metadata = (mpr_frame if path.suffix.lower() == ".mpr" or read_head(path).startswith(b"BIO-LOGIC")
                       else mpt_frame)(path)
    columns = {re.sub(r"[^a-z]", "", str(c).lower()): c for c in frame.columns}
    try:
        frequency = pd.to_numeric(frame[columns["freqhz"]], errors="coerce").to_numpy(float)
        real = pd.to_numeric(frame[columns["rezohm"]], errors="coerce").to_numpy(float)
        minus_imag = pd.to_numeric(frame[columns["imzohm"]], errors="coerce").to_numpy(float)
    except KeyError:
        raise FormatError("no freq/Hz, Re(Z)/Ohm and -Im(Z)/Ohm columns: not an impedance record",
                          path=path) from None
    time = pd.to_numeric(frame[columns["times"]], errors="coerce").to_numpy(float) if "times" in columns else None
    keep = np.isfinite(frequency) & (frequency > 0)  # Modulo Bat: cycling records carry freq = 0
    frequency, real, minus_imag = frequency[keep], real[keep], minus_imag[keep]
    time = time[keep] if time is not None else None
    for part in _sweeps(frequency):
        attrs = dict(metadata)
        if time is not None:
            attrs["time_s"] = float(time[part][0])
        yield frequency[part], real[part] - 1j * minus_imag[part], attrs


def _table_after(lines: list[str], start: int, path: Path) -> np.ndarray:
    rows = []
    for line in lines[start:]:
        fields = line.replace(",", " ").split() if "\t" not in line else line.split("\t")
        try:
            rows.append([float(v) for v in fields if v.strip()])
        except ValueError:
            if rows:
                break
            continue
        if not rows[-1]:
            rows.pop()
            if len(rows) > 2:
                break
    if not rows:
        raise ReadError("no numeric rows after the table header", path=path)
    width = min(len(r) for r in rows)
    return np.array([r[:width] for r in rows])


def _gamry(path: Path):
    lines = decode(path.read_bytes()).splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("ZCURVE")]
    if not starts:
        raise FormatError("no ZCURVE table: not a Gamry EIS file", path=path)
    for start in starts:
        header = lines[start + 1].split("\t")
        names = [h.strip().lower() for h in header]
        table = _table_after(lines, start + 3, path)
        index = {n: k - 1 for k, n in enumerate(names) if n}  # the data rows lose the leading tab column
        try:
            f, re_, im = (table[:, index[n]] for n in ("freq", "zreal", "zimag"))
        except (KeyError, IndexError):
            raise FormatError(f"ZCURVE columns {names} lack Freq, Zreal or Zimag", path=path) from None
        yield f, re_ + 1j * im, {"instrument": "Gamry"}


def _zplot(path: Path):
    lines = decode(path.read_bytes()).splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("End Comments")), None)
    if start is None:
        raise FormatError("no 'End Comments' line: not a ZPlot file", path=path)
    table = _table_after(lines, start + 1, path)
    if table.shape[1] < 6:
        raise FormatError(f"ZPlot rows have {table.shape[1]} columns, expected Freq ... Z' Z''", path=path)
    yield table[:, 0], table[:, 4] + 1j * table[:, 5], {"instrument": "ZPlot"}


def _versastudio(path: Path):
    text = decode(path.read_bytes())
    for segment in re.findall(r"<Segment\d+>(.*?)</Segment\d+>", text, re.DOTALL):
        definition = re.search(r"Definition=(.*)", segment)
        if not definition:
            continue
        names = [n.strip().lower() for n in definition.group(1).split(",")]
        if "frequency(hz)" not in names:
            continue
        lines = segment[definition.end():].strip().splitlines()
        table = _table_after(lines, 0, path)
        f, zr, zi = (table[:, names.index(n)] for n in ("frequency(hz)", "z real", "z imag"))
        yield f, zr + 1j * zi, {"instrument": "VersaStudio"}


def _palmsens(path: Path):
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    try:
        session = json.loads(text[:text.rfind("}") + 1])
    except json.JSONDecodeError as exc:
        raise ReadError(f"damaged PalmSens session ({exc})", path=path) from exc
    for measurement in session.get("Measurements", []):
        arrays = {a.get("Description"): a for a in measurement.get("DataSet", {}).get("Values", [])}
        if not {"Frequency", "ZRe", "ZIm"} <= set(arrays):
            continue
        values = {k: np.array([v["V"] for v in arrays[k]["DataValues"]], float) for k in ("Frequency", "ZRe", "ZIm")}
        # PSTrace stores -Z'' as ZIm (its phase is positive for a capacitive cell).
        yield values["Frequency"], values["ZRe"] - 1j * values["ZIm"], {
            "instrument": "PalmSens", "title": measurement.get("Title")}


def _numpy(path: Path):
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ReadError(f"unreadable .npy array ({exc})", path=path) from exc
    if array.ndim == 2 and array.shape[0] == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1] != 2:
        raise FormatError(f"array of shape {array.shape}; expected (n, 2, m): frequency and Z of n spectra",
                          path=path)
    for k, (frequency, z) in enumerate(array):
        yield np.real(frequency).astype(float), np.asarray(z, complex), {"series_index": k}


_NAMES = {"frequency": ("freq", "frequency", "f", "freqhz", "frequencyhz"),
          "real": ("zreal", "real", "rez", "rezohm", "z'", "zre", "zohm", "re"),
          "imag": ("zimag", "imag", "imz", "imzohm", "z''", "zim", "im")}


def _table(path: Path):
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
    frame = frame.loc[:, [not str(c).startswith("Unnamed") and str(c) != "" for c in frame.columns]]
    if header is None:
        if frame.shape[1] < 3:
            raise FormatError("needs three columns: frequency, Z', Z''", path=path)
        f, zr, zi = (frame.iloc[:, k].to_numpy(float) for k in range(3))
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
            warnings.warn(f"{path}: the imaginary column is mostly positive, so it was read as -Z''", DataWarning,
                          stacklevel=4)
    yield f, zr - 1j * zi if minus else zr + 1j * zi, {}


_READERS = {"biologic": _biologic, "gamry": _gamry, "zplot": _zplot, "versastudio": _versastudio,
            "palmsens": _palmsens, "numpy": _numpy, "table": _table}


def _clean(frequency, z, attrs: dict, path: Path) -> ImpedanceSpectrum:
    frequency = np.asarray(frequency, float)
    z = np.asarray(z, complex)
    finite = np.isfinite(frequency) & np.isfinite(z)
    if not finite.all():
        warnings.warn(f"{path}: {int((~finite).sum())} points with missing values were dropped", DataWarning,
                      stacklevel=4)
        frequency, z = frequency[finite], z[finite]
    if np.any(frequency <= 0):
        raise FormatError(f"{int((frequency <= 0).sum())} non-positive frequencies", path=path)
    order = np.argsort(-frequency, kind="stable")
    frequency, z = frequency[order], z[order]
    if np.any(np.diff(frequency) == 0):
        unique, inverse = np.unique(-frequency, return_inverse=True)
        counts = np.bincount(inverse)
        z = (np.bincount(inverse, weights=z.real) + 1j * np.bincount(inverse, weights=z.imag)) / counts
        frequency = -unique
        warnings.warn(f"{path}: repeated frequencies were averaged", DataWarning, stacklevel=4)
    if len(frequency) < 5:
        raise ReadError(f"only {len(frequency)} impedance points", path=path)
    return ImpedanceSpectrum(frequency, z, attrs)
