"""Powder X-ray diffraction: what every diffraction reader returns, and reading files into scans.

Every scan becomes a :class:`Pattern`: 2theta in degrees, intensity in counts (attenuators
applied), and attributes for the wavelength(s) (``wavelength_A`` = K-alpha1,
``wavelength2_A`` and ``ka2_ratio`` when the beam holds K-alpha2), the start time, the
instrument and the file. A file without a wavelength is given Cu K-alpha with a warning.

The instrument formats are read by their family's module (``rigaku``: ``.ras``, ``.asc``,
``.rasx``; ``panalytical``: ``.xrdml``; ``bruker``: ``.brml``), found through the reader
registry; this module reads plain ``.xy``/``.xye``/``.csv``/``.txt``/``.dat`` columns
(2theta, intensity[, sigma]).
"""

from __future__ import annotations

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

CU_KA1_A = 1.540593  # Cu K-alpha1 and K-alpha2 (Angstrom; Hoelzer et al., PRA 56, 4554, 1997)
CU_KA2_A = 1.544414
KA2_RATIO = 0.5
MAX_STEP_DEG = 0.5  # a scan that resolves peaks a tenth of a degree wide steps far finer
_VENDOR_EXTENSIONS = (".xrdml", ".rasx", ".brml", ".ras", ".asc")


@dataclass
class Pattern:
    """One diffraction scan.

    Attributes
    ----------
    two_theta : numpy.ndarray
        Strictly increasing diffraction angles (degrees).
    intensity : numpy.ndarray
        Counts (attenuator factors applied), or whatever unit ``attrs["intensity_unit"]`` says.
    sigma : numpy.ndarray or None
        Standard uncertainty of each intensity, when the file gives one (``.xye``).
    attrs : dict
        ``wavelength_A``, ``wavelength2_A`` (None for a single line), ``ka2_ratio``,
        ``wavelength_source`` ("file", "user" or "default"), ``start_time`` (ISO 8601 or None),
        ``format``, ``source_file``, ``scan``, and instrument and sample fields where the
        file has them.
    """

    two_theta: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray | None = None
    attrs: dict = field(default_factory=dict)

    @property
    def step_deg(self) -> float:
        """Median 2theta step (degrees)."""
        return float(np.median(np.diff(self.two_theta)))

    @property
    def doublet(self) -> bool:
        """Whether the beam holds K-alpha2 (so that peaks are fitted as doublets)."""
        return self.attrs.get("wavelength2_A") is not None

    def to_dataarray(self):
        """The scan as an :class:`xarray.DataArray` with a ``two_theta`` coordinate (degrees)."""
        import xarray as xr

        da = xr.DataArray(self.intensity, coords={"two_theta": self.two_theta}, dims="two_theta",
                          name="intensity", attrs={k: v for k, v in self.attrs.items() if v is not None})
        da["two_theta"].attrs["units"] = "degree"
        return da


def read_xrd(path: str | PathLike, *, wavelength_A: float | None = None,
             radiation: str | None = None, format: str | None = None) -> list[Pattern]:
    """Read every scan of a diffraction file.

    Parameters
    ----------
    path : path-like
        Any diffraction file ``redoxmap formats`` lists under ``xrd`` (chosen by content, then name).
    wavelength_A : float, optional
        Wavelength (K-alpha1 for a tube) in Angstrom; overrides the file's.
    radiation : {"doublet", "single"}, optional
        Force a K-alpha1/K-alpha2 doublet or a single line (monochromator, synchrotron).
        Default: what the file says (a K-alpha1 monochromator gives "single"; no
        wavelength in the file and none given gives a Cu K-alpha doublet, with a warning).
    format : str, optional
        Force a reader by name (``"xrdml"``, ``"columns"``, ...; see ``redoxmap formats``).

    Returns
    -------
    list of Pattern
        One per scan, in file order.

    Raises
    ------
    ReadError, FormatError
        For missing, empty, damaged or unknown files, each naming the file.
    """
    from redoxmap.io.registry import read_with

    path = Path(path)
    reader, patterns = read_with(path, modality="xrd", format=format)
    if not patterns:
        raise ReadError("no scan found", path=path)
    for index, pattern in enumerate(patterns):
        pattern.attrs.setdefault("scan", index)
        pattern.attrs.update(format=reader.name, source_file=str(path))
        _clean(pattern, path)  # before any assumption is announced: a file that is no scan is refused first
        _apply_wavelength(pattern, path, wavelength_A, radiation)
    return patterns


def read_pattern(path: str | PathLike, **options) -> Pattern:
    """The first scan of a file (see :func:`read_xrd`); a file with several scans warns."""
    patterns = read_xrd(path, **options)
    if len(patterns) > 1:
        warn(f"{path}: holds {len(patterns)} scans; the first is used (read_xrd or read_series "
                      "reads them all)", DataWarning)
    return patterns[0]


def read_series(paths, **options):
    """In situ series: every scan of every file, stacked along a ``scan`` dimension.

    Scans are interpolated onto the 2theta grid of the first one (over the range all
    scans share) and ordered by start time where every scan has one, else by file order.

    Returns
    -------
    xarray.DataArray
        ``intensity`` with dims ``(scan, two_theta)``; coordinates ``time_s`` (seconds
        after the first scan started, NaN without timestamps), ``start_time``,
        ``source_file``; the first scan's wavelength attributes.
    """
    import xarray as xr

    patterns = [p for path in ([paths] if isinstance(paths, (str, PathLike)) else paths)
                for p in read_xrd(path, **options)]
    if not patterns:
        raise ReadError("no scans given")
    times = pd.to_datetime([p.attrs.get("start_time") for p in patterns], utc=True, errors="coerce",
                           format="ISO8601")
    if not times.isna().any():
        order = np.argsort(times.to_numpy(), kind="stable")
        patterns, times = [patterns[i] for i in order], times[order]
    lo = max(p.two_theta[0] for p in patterns)
    hi = min(p.two_theta[-1] for p in patterns)
    first = patterns[0]
    grid = first.two_theta[(first.two_theta >= lo) & (first.two_theta <= hi)]
    if len(grid) < 10:
        raise FormatError(f"the scans share only {len(grid)} points of 2theta ({lo:.2f}-{hi:.2f} deg)",
                          path=first.attrs["source_file"])
    stack = np.vstack([np.interp(grid, p.two_theta, p.intensity) for p in patterns])
    time_s = ((times - times[0]).total_seconds().to_numpy() if not times.isna().any()
              else np.full(len(patterns), np.nan))
    return xr.DataArray(
        stack, dims=("scan", "two_theta"), name="intensity",
        coords={"scan": np.arange(len(patterns)), "two_theta": grid, "time_s": ("scan", time_s),
                "start_time": ("scan", [p.attrs.get("start_time") or "" for p in patterns]),
                "source_file": ("scan", [p.attrs["source_file"] for p in patterns])},
        attrs={k: first.attrs[k] for k in ("wavelength_A", "wavelength2_A", "ka2_ratio", "wavelength_source")
               if first.attrs.get(k) is not None})


def read_columns_xrd(path: Path) -> list[Pattern]:
    """Plain columns: 2theta, intensity and (``.xye``) its standard uncertainty."""
    text = decode(path.read_bytes())
    rows = []
    for line in text.splitlines():
        fields = [f for f in re.split(r"[\s,;]+", line.strip()) if f]
        if not fields:
            continue
        try:
            rows.append([float(f) for f in fields])
        except ValueError:
            if rows:  # text after data: a footer or a damaged file
                raise FormatError(f"non-numeric line among the data: {line.strip()[:60]!r}", path=path) from None
    if not rows:
        raise FormatError("no numeric columns (expected 2theta and intensity)", path=path)
    width = min(len(r) for r in rows)
    if width < 2:
        raise FormatError("needs at least two columns (2theta, intensity)", path=path)
    table = np.array([r[:width] for r in rows])
    sigma = table[:, 2] if width >= 3 and path.suffix.lower() == ".xye" else None
    return [Pattern(table[:, 0], table[:, 1], sigma, {})]


def _apply_wavelength(pattern: Pattern, path: Path, wavelength_A: float | None, radiation: str | None) -> None:
    attrs = pattern.attrs
    if wavelength_A is not None:
        if not 0.1 < wavelength_A < 3.0:
            raise FormatError(f"wavelength {wavelength_A} A is outside 0.1-3 A (a unit slip: nm or pm?)", path=path)
        tube_ka1 = attrs.get("wavelength_A")
        keep_ka2 = tube_ka1 is not None and abs(tube_ka1 - wavelength_A) < 1e-3 and attrs.get("wavelength2_A")
        attrs.update(wavelength_A=wavelength_A, wavelength2_A=attrs["wavelength2_A"] if keep_ka2 else None,
                     wavelength_source="user")
    elif attrs.get("wavelength_A") is None:
        warn(f"{path}: no wavelength in the file; Cu K-alpha ({CU_KA1_A} / {CU_KA2_A} A) assumed "
                      "(pass wavelength_A for other sources)", DataWarning)
        attrs.update(wavelength_A=CU_KA1_A, wavelength2_A=CU_KA2_A, wavelength_source="default")
    else:
        attrs["wavelength_source"] = "file"
    if radiation == "single":
        attrs["wavelength2_A"] = None
    elif radiation == "doublet":
        if attrs.get("wavelength2_A") is None:
            ka1 = attrs["wavelength_A"]
            if abs(ka1 - CU_KA1_A) > 2e-3:
                raise FormatError(f"a K-alpha doublet was asked for, but {ka1} A is not Cu K-alpha1 and the "
                                  "file gives no K-alpha2", path=path)
            attrs["wavelength2_A"] = CU_KA2_A
    elif radiation is not None:
        raise FormatError(f"radiation must be 'doublet' or 'single', not {radiation!r}", path=path)
    if attrs.get("wavelength2_A") is not None and attrs.get("ka2_ratio") is None:
        attrs["ka2_ratio"] = KA2_RATIO
    if attrs.get("wavelength2_A") is None:
        attrs["ka2_ratio"] = None


def _clean(pattern: Pattern, path: Path) -> None:
    x, y, s = pattern.two_theta, pattern.intensity, pattern.sigma
    refuse_implausible(y, 1e15, "intensity", path)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.all():
        warn(f"{path}: {int((~finite).sum())} points with missing values were dropped",
                      DataWarning)
        x, y, s = x[finite], y[finite], (s[finite] if s is not None else None)
    if len(x) < 10:
        raise ReadError(f"only {len(x)} data points", path=path)
    if np.any(np.diff(x) <= 0):
        warn(f"{path}: 2theta is not strictly increasing; points were sorted and repeated angles "
                      "averaged", DataWarning)
        unique, inverse = np.unique(x, return_inverse=True)
        counts = np.bincount(inverse)
        y = np.bincount(inverse, weights=y) / counts
        s = np.sqrt(np.bincount(inverse, weights=s ** 2)) / counts if s is not None else None
        x = unique
    if not (0 < x[0] and x[-1] < 180):
        raise FormatError(f"2theta runs {x[0]:.3g}-{x[-1]:.3g}: not diffraction angles in degrees", path=path)
    if len(x) < 10 or np.median(np.diff(x)) > MAX_STEP_DEG:
        raise FormatError(f"{len(x)} distinct angles from {x[0]:.3g} to {x[-1]:.3g}"
                          f"{f', stepped by {np.median(np.diff(x)):.3g}' if len(x) > 1 else ''}: not a diffraction "
                          f"scan (at least 10 angles, stepped by at most {MAX_STEP_DEG} deg)", path=path)
    pattern.two_theta, pattern.intensity, pattern.sigma = x, y, s


def _sniff_columns(head: bytes, path: Path) -> bool:
    return b"\x00" not in head[:4096] and not path.name.lower().endswith(_VENDOR_EXTENSIONS)


READERS = (
    Reader(name="columns", modality="xrd", instrument="any", extensions=(".xy", ".xye", ".csv", ".txt", ".dat"),
           sniff=_sniff_columns, read=read_columns_xrd, fallback=True,
           description="2theta, intensity[, sigma] columns"),
)
