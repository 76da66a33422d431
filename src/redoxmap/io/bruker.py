"""Bruker ``.brml`` (DIFFRAC.SUITE): a zip of ``Experiment0/RawData*.xml`` scans."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.archives import SafeZip, zip_holds
from redoxmap.io.reader import Reader
from redoxmap.io.text import positive_float
from redoxmap.io.xmltree import parse_xml, text_at, value_attribute
from redoxmap.io.xrd_files import Pattern

_RAW_DATA = re.compile(r"Experiment\d+/RawData\d+\.xml")


def read_brml(path: Path) -> list[Pattern]:
    """Every ``RawData`` scan of a ``.brml`` archive that has a TwoTheta axis."""
    patterns = []
    with SafeZip(path) as archive:
        for name in sorted(n for n in archive.names if _RAW_DATA.fullmatch(n)):
            root = parse_xml(archive.read(name), path)
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
            attr = functools.partial(value_attribute, root)
            patterns.append(Pattern(table[:, 2 + axes.index("TwoTheta")], table[:, -1], None, {
                "wavelength_A": positive_float(attr("WaveLengthAlpha1")),
                "wavelength2_A": positive_float(attr("WaveLengthAlpha2")),
                "ka2_ratio": positive_float(attr("WaveLengthRatio")),
                "start_time": text_at(root, "TimeStampStarted"),
                "scan_axis": next((s.get("ScanName") for s in root.iter("ScanInformation")), None),
                "intensity_unit": "counts"}))
    return patterns


def _sniff(head: bytes, path: Path) -> bool:
    return zip_holds(head, path, _RAW_DATA)


READERS = (
    Reader(name="brml", modality="xrd", instrument="Bruker", extensions=(".brml",), sniff=_sniff,
           read=read_brml, description="zip of RawData XML"),
)
