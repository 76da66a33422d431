"""Powder X-ray diffraction files: plain columns, Rigaku, PANalytical and Bruker.

Formats read:

* plain ``.xy``/``.xye``/``.csv``/``.txt``/``.dat`` columns (2theta, intensity[, sigma]);
* Rigaku ``.ras`` (text, one ``*RAS_HEADER``/``*RAS_INT`` block per scan), ``.asc``
  (``*START``/``*STEP``/``*COUNT`` groups) and ``.rasx`` (zip of ``Data0/Profile0.txt`` and
  ``MesurementConditions0.xml``);
* PANalytical ``.xrdml``, schema 1.x (``<intensities>``) and 2.x (``<counts>``), with the
  beam attenuation factors applied;
* Bruker ``.brml`` (zip of ``Experiment0/RawData*.xml``).

Every scan becomes a :class:`Pattern`: 2theta in degrees, intensity in counts (attenuators
applied), and attributes for the wavelength(s) (``wavelength_A`` = K-alpha1,
``wavelength2_A`` and ``ka2_ratio`` when the beam holds K-alpha2), the start time, the
instrument and the file. A file without a wavelength is given Cu K-alpha with a warning.
"""

from __future__ import annotations

import functools
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, FormatError, ReadError
from redoxmap.io.archives import SafeZip
from redoxmap.io.registry import read_head
from redoxmap.io.text import decode

CU_KA1_A = 1.540593  # Cu K-alpha1 and K-alpha2 (Angstrom; Hoelzer et al., PRA 56, 4554, 1997)
CU_KA2_A = 1.544414
KA2_RATIO = 0.5
# reader -> (instrument, extensions, description), for ``redoxmap formats``.
XRD_FORMATS = {
    "columns": ("any", (".xy", ".xye", ".csv", ".txt", ".dat"), "2theta, intensity[, sigma] columns"),
    "ras": ("Rigaku", (".ras",), "RAS text, one header and data block per scan"),
    "asc": ("Rigaku", (".asc",), "ASCII groups (*START, *STEP, *COUNT)"),
    "rasx": ("Rigaku SmartLab", (".rasx",), "zip of Profile and MesurementConditions files"),
    "xrdml": ("Malvern PANalytical", (".xrdml",), "XRDML 1.x <intensities> and 2.x <counts>"),
    "brml": ("Bruker", (".brml",), "zip of RawData XML"),
}


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
             radiation: str | None = None) -> list[Pattern]:
    """Read every scan of a diffraction file.

    Parameters
    ----------
    path : path-like
        A file in one of the formats in the module docstring (chosen by content, then name).
    wavelength_A : float, optional
        Wavelength (K-alpha1 for a tube) in Angstrom; overrides the file's.
    radiation : {"doublet", "single"}, optional
        Force a K-alpha1/K-alpha2 doublet or a single line (monochromator, synchrotron).
        Default: what the file says (a K-alpha1 monochromator gives "single"; no
        wavelength in the file and none given gives a Cu K-alpha doublet, with a warning).

    Returns
    -------
    list of Pattern
        One per scan, in file order.

    Raises
    ------
    ReadError, FormatError
        For missing, empty, damaged or unknown files, each naming the file.
    """
    path = Path(path)
    head = read_head(path)
    kind = xrd_format(path, head)
    patterns = _READERS[kind](path)
    if not patterns:
        raise ReadError("no scan found", path=path)
    for index, pattern in enumerate(patterns):
        pattern.attrs.setdefault("scan", index)
        pattern.attrs.update(format=kind, source_file=str(path))
        _apply_wavelength(pattern, path, wavelength_A, radiation)
        _clean(pattern, path)
    return patterns


def read_pattern(path: str | PathLike, **options) -> Pattern:
    """The first scan of a file (see :func:`read_xrd`); a file with several scans warns."""
    patterns = read_xrd(path, **options)
    if len(patterns) > 1:
        warnings.warn(f"{path}: holds {len(patterns)} scans; the first is used (read_xrd or read_series "
                      "reads them all)", DataWarning, stacklevel=2)
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


def xrd_format(path: Path, head: bytes) -> str:
    """Name of the reader for a file, from its content first and its extension second."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"PK\x03\x04"):
        with SafeZip(path) as archive:
            names = archive.names
        if any(re.fullmatch(r"Data\d+/Profile\d+\.txt", n) for n in names):
            return "rasx"
        if any(re.fullmatch(r"Experiment\d+/RawData\d+\.xml", n) for n in names):
            return "brml"
        raise FormatError("a zip archive, but neither a Rigaku .rasx nor a Bruker .brml", path=path)
    if b"<xrdMeasurements" in head[:4096]:
        return "xrdml"
    if text.startswith((b"*RAS_DATA_START", b"*RAS_HEADER_START")):
        return "ras"
    if text.startswith(b"*TYPE") or (path.suffix.lower() == ".asc" and b"*BEGIN" in head):
        return "asc"
    if path.suffix.lower() in (".xrdml", ".rasx", ".brml", ".ras"):
        raise FormatError(f"named {path.suffix} but its content is not that format (damaged?)", path=path)
    if b"\x00" in head[:4096]:
        raise FormatError("a binary file that is not a known diffraction format", path=path)
    return "columns"


# ----------------------------------------------------------------------------- readers


def _columns(path: Path) -> list[Pattern]:
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


def _ras_header_value(header: dict, key: str) -> str | None:
    value = header.get(key)
    return value.strip('"') if value is not None else None


def _ras(path: Path) -> list[Pattern]:
    text = decode(path.read_bytes())
    patterns = []
    for block in re.split(r"^\*RAS_HEADER_START", text, flags=re.MULTILINE)[1:]:
        header = dict(re.findall(r"^\*(\S+)\s+(.*?)\s*$", block.split("*RAS_HEADER_END")[0], re.MULTILINE))
        data = re.search(r"\*RAS_INT_START\s*(.*?)\*RAS_INT_END", block, re.DOTALL)
        if data is None:
            raise ReadError(f"scan {len(patterns)} has no *RAS_INT_START ... *RAS_INT_END block (truncated?)",
                            path=path)
        values = _number_block(data.group(1), path)
        intensity = values[:, 1] * (values[:, 2] if values.shape[1] > 2 else 1.0)  # counts x attenuator
        get = functools.partial(_ras_header_value, header)
        ka1, ka2 = get("HW_XG_WAVE_LENGTH_ALPHA1"), get("HW_XG_WAVE_LENGTH_ALPHA2")
        patterns.append(Pattern(values[:, 0], intensity, None, {
            "wavelength_A": _float(ka1), "wavelength2_A": _float(ka2),
            "monochromator": get("HW_I_MONOCHRO_NAME") or get("MEAS_COND_OPT_ATTR_NAME-0"),
            "start_time": _timestamp(get("MEAS_SCAN_START_TIME"), "%m/%d/%y %H:%M:%S"),
            "sample": get("FILE_SAMPLE"), "instrument": get("HW_GONIOMETER_NAME"),
            "scan_axis": get("MEAS_SCAN_AXIS_X"), "intensity_unit": get("MEAS_SCAN_UNIT_Y") or "counts"}))
    if not patterns:
        raise FormatError("no *RAS_HEADER_START block", path=path)
    return patterns


def _asc(path: Path) -> list[Pattern]:
    text = decode(path.read_bytes())
    header = dict(re.findall(r"^\*(\w+)\s*=\s*(.*?)\s*$", text.split("*BEGIN")[0], re.MULTILINE))
    patterns = []
    for group in re.findall(r"^\*BEGIN(.*?)^\*END", text, re.MULTILINE | re.DOTALL):
        fields = dict(re.findall(r"^\*(\w+)\s*=\s*(.*?)\s*$", group, re.MULTILINE))
        try:
            start, step, count = float(fields["START"]), float(fields["STEP"]), int(float(fields["COUNT"]))
        except (KeyError, ValueError) as exc:
            raise FormatError(f"group without a valid *START/*STEP/*COUNT ({exc})", path=path) from exc
        body = group.split("*COUNT", 1)[1].split("\n", 1)[1] if "\n" in group.split("*COUNT", 1)[1] else ""
        counts = np.array([float(v) for v in re.split(r"[\s,]+", body.strip()) if v and not v.startswith("*")])
        if len(counts) != count:
            raise ReadError(f"group promises {count} points but holds {len(counts)} (truncated?)", path=path)
        patterns.append(Pattern(start + step * np.arange(count), counts, None, {
            "wavelength_A": _float(header.get("WAVE_LENGTH1")), "wavelength2_A": _float(header.get("WAVE_LENGTH2")),
            "xray_line": header.get("XRAY_CHAR"), "monochromator": header.get("C_MONOCHRO"),
            "start_time": _timestamp(header.get("DATE"), "%d-%b-%y %H:%M"), "sample": header.get("SAMPLE"),
            "intensity_unit": header.get("YUNIT", "counts")}))
    if not patterns:
        raise FormatError("no *BEGIN ... *END data group (truncated?)", path=path)
    return patterns


def _rasx(path: Path) -> list[Pattern]:
    patterns = []
    with SafeZip(path) as archive:
        profiles = sorted(n for n in archive.names if re.fullmatch(r"Data\d+/Profile\d+\.txt", n))
        for name in profiles:
            values = _number_block(decode(archive.read(name)), path)
            folder, index = name.split("/")[0], re.search(r"(\d+)\.txt$", name).group(1)
            conditions_name = f"{folder}/MesurementConditions{index}.xml"  # sic: Rigaku's spelling
            root = _xml(archive.read(conditions_name), path) if conditions_name in archive.names else None
            find = functools.partial(_descendant_text, root)
            wave_type = find("WaveType") or ""
            patterns.append(Pattern(values[:, 0], values[:, 1] * (values[:, 2] if values.shape[1] > 2 else 1.0),
                                    None, {
                "wavelength_A": _float(find("WavelengthKalpha1")),
                "wavelength2_A": None if wave_type.lower() == "ka1" else _float(find("WavelengthKalpha2")),
                "xray_line": wave_type or None, "start_time": find("StartTime"),
                "sample": find("SampleName"), "instrument": find("SystemName"),
                "scan_axis": find("AxisName"), "intensity_unit": find("IntensityUnit") or "counts"}))
    return patterns


def _xrdml(path: Path) -> list[Pattern]:
    root = _xml(path.read_bytes(), path)
    patterns = []
    for measurement in root.iter("xrdMeasurement"):
        wavelength = _first(measurement, "usedWavelength")
        ka1 = _float(_text(wavelength, "kAlpha1")) if wavelength is not None else None
        ka2 = _float(_text(wavelength, "kAlpha2")) if wavelength is not None else None
        ratio = _float(_text(wavelength, "ratioKAlpha2KAlpha1")) if wavelength is not None else None
        incident = _first(measurement, "incidentBeamPath")
        monochromator = _first(incident, "monochromator") if incident is not None else None
        mono_name = monochromator.get("name", "") if monochromator is not None else ""
        if re.search(r"Ge\s*\(?220|Johansson|hybrid", mono_name, re.IGNORECASE):
            ka2 = None  # a K-alpha1 monochromator removes K-alpha2 from the beam
        for scan in measurement.iter("scan"):
            points = _first(scan, "dataPoints")
            if points is None:
                raise ReadError("a <scan> without <dataPoints> (truncated?)", path=path)
            counts_element = _first(points, "counts")
            if counts_element is None:  # schema 1.x
                counts_element = _first(points, "intensities")
            if counts_element is None or not (counts_element.text or "").strip():
                raise ReadError("a scan without <counts> or <intensities>", path=path)
            counts = np.array(counts_element.text.split(), dtype=float)
            attenuation = _first(points, "beamAttenuationFactors")
            if attenuation is not None and (attenuation.text or "").strip():
                factors = np.array(attenuation.text.split(), dtype=float)
                if len(factors) == len(counts):
                    counts = counts * factors
            two_theta = _xrdml_positions(points, len(counts), path)
            patterns.append(Pattern(two_theta, counts, None, {
                "wavelength_A": ka1, "wavelength2_A": ka2, "ka2_ratio": ratio,
                "monochromator": mono_name or None,
                "start_time": _text(scan, "header/startTimeStamp") or _first_text(scan, "startTimeStamp"),
                "sample": _first_text(root, "id"), "scan_axis": scan.get("scanAxis"),
                "intensity_unit": counts_element.get("unit", "counts")}))
    return patterns


def _xrdml_positions(points, n: int, path: Path) -> np.ndarray:
    for positions in points.iter("positions"):
        if positions.get("axis") != "2Theta":
            continue
        listed = _first(positions, "listPositions")
        if listed is not None:
            values = np.array(listed.text.split(), dtype=float)
            if len(values) != n:
                raise ReadError(f"{len(values)} listed 2theta positions for {n} counts", path=path)
            return values
        start, end = _float(_first_text(positions, "startPosition")), _float(_first_text(positions, "endPosition"))
        if start is None or end is None:
            raise ReadError("2theta positions without start and end", path=path)
        return np.linspace(start, end, n)
    raise FormatError("no 2Theta positions in the scan", path=path)


def _brml(path: Path) -> list[Pattern]:
    patterns = []
    with SafeZip(path) as archive:
        for name in sorted(n for n in archive.names if re.fullmatch(r"Experiment\d+/RawData\d+\.xml", n)):
            root = _xml(archive.read(name), path)
            axes = [a.get("AxisId") for a in root.iterfind(".//DataRoute/ScanInformation/ScanAxes/ScanAxisInfo")]
            if "TwoTheta" not in axes:
                raise FormatError(f"{name}: no TwoTheta scan axis (axes: {axes})", path=path)
            rows = [d.text.split(",") for d in root.iterfind(".//DataRoute/Datum") if d.text]
            if not rows:
                raise ReadError(f"{name}: no <Datum> rows", path=path)
            try:
                table = np.array(rows, dtype=float)
            except ValueError as exc:
                raise ReadError(f"{name}: unreadable <Datum> rows ({exc})", path=path) from exc
            # Datum: time per step, enabled flag, the scan axes in order, ..., counts last.
            attr = functools.partial(_value_attribute, root)
            patterns.append(Pattern(table[:, 2 + axes.index("TwoTheta")], table[:, -1], None, {
                "wavelength_A": _float(attr("WaveLengthAlpha1")),
                "wavelength2_A": _float(attr("WaveLengthAlpha2")),
                "ka2_ratio": _float(attr("WaveLengthRatio")),
                "start_time": _text(root, "TimeStampStarted"),
                "scan_axis": next((s.get("ScanName") for s in root.iter("ScanInformation")), None),
                "intensity_unit": "counts"}))
    return patterns


_READERS = {"columns": _columns, "ras": _ras, "asc": _asc, "rasx": _rasx, "xrdml": _xrdml, "brml": _brml}


# ----------------------------------------------------------------------------- helpers


def _number_block(text: str, path: Path) -> np.ndarray:
    rows = [line.split() for line in text.strip().splitlines() if line.strip()]
    if not rows:
        raise ReadError("a data block without rows", path=path)
    width = min(len(r) for r in rows)
    try:
        return np.array([r[:width] for r in rows], dtype=float)
    except ValueError as exc:
        raise ReadError(f"unreadable data rows ({str(exc)[:80]})", path=path) from exc


def _xml(data: bytes, path: Path):
    # expat (Python >= 3.7.1 bundles >= 2.4) refuses entity-expansion bombs itself.
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReadError(f"damaged or truncated XML ({exc})", path=path) from exc
    for element in root.iter():  # drop namespaces: xrdml 1.x and 2.x differ only there
        if "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def _first(element, tag: str):
    return next(element.iter(tag), None) if element is not None else None


def _first_text(element, tag: str) -> str | None:
    found = _first(element, tag)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _text(element, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _descendant_text(root, tag: str) -> str | None:
    return _text(root, f".//{tag}") if root is not None else None


def _value_attribute(root, tag: str) -> str | None:
    return next((e.get("Value") for e in root.iter(tag)), None)


def _float(value) -> float | None:
    try:
        number = float(str(value).strip().strip('"'))
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number > 0 else None


def _timestamp(value: str | None, fmt: str) -> str | None:
    if not value:
        return None
    try:
        return pd.to_datetime(value, format=fmt).isoformat()
    except (ValueError, TypeError):
        return None


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
        warnings.warn(f"{path}: no wavelength in the file; Cu K-alpha ({CU_KA1_A} / {CU_KA2_A} A) assumed "
                      "(pass wavelength_A for other sources)", DataWarning, stacklevel=4)
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
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.all():
        warnings.warn(f"{path}: {int((~finite).sum())} points with missing values were dropped",
                      DataWarning, stacklevel=4)
        x, y, s = x[finite], y[finite], (s[finite] if s is not None else None)
    if len(x) < 10:
        raise ReadError(f"only {len(x)} data points", path=path)
    if np.any(np.diff(x) <= 0):
        warnings.warn(f"{path}: 2theta is not strictly increasing; points were sorted and repeated angles "
                      "averaged", DataWarning, stacklevel=4)
        unique, inverse = np.unique(x, return_inverse=True)
        counts = np.bincount(inverse)
        y = np.bincount(inverse, weights=y) / counts
        s = np.sqrt(np.bincount(inverse, weights=s ** 2)) / counts if s is not None else None
        x = unique
    if not (0 < x[0] and x[-1] < 180):
        raise FormatError(f"2theta runs {x[0]:.3g}-{x[-1]:.3g}: not diffraction angles in degrees", path=path)
    pattern.two_theta, pattern.intensity, pattern.sigma = x, y, s
