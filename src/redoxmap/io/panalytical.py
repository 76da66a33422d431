"""Malvern PANalytical ``.xrdml``: schema 1.x (``<intensities>``) and 2.x (``<counts>``), with the
beam attenuation factors applied and K-alpha2 removed behind a K-alpha1 monochromator."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.reader import Reader
from redoxmap.io.text import numbers, positive_float
from redoxmap.io.xmltree import first, first_text, parse_xml, text_at
from redoxmap.io.xrd_files import Pattern


def read_xrdml(path: Path) -> list[Pattern]:
    """Every scan of every measurement of an ``.xrdml`` file."""
    root = parse_xml(path.read_bytes(), path)
    patterns = []
    for measurement in root.iter("xrdMeasurement"):
        wavelength = first(measurement, "usedWavelength")
        ka1 = positive_float(text_at(wavelength, "kAlpha1")) if wavelength is not None else None
        ka2 = positive_float(text_at(wavelength, "kAlpha2")) if wavelength is not None else None
        ratio = positive_float(text_at(wavelength, "ratioKAlpha2KAlpha1")) if wavelength is not None else None
        incident = first(measurement, "incidentBeamPath")
        monochromator = first(incident, "monochromator") if incident is not None else None
        mono_name = monochromator.get("name", "") if monochromator is not None else ""
        if re.search(r"Ge\s*\(?220|Johansson|hybrid", mono_name, re.IGNORECASE):
            ka2 = None  # a K-alpha1 monochromator removes K-alpha2 from the beam
        for scan in measurement.iter("scan"):
            points = first(scan, "dataPoints")
            if points is None:
                raise ReadError("a <scan> without <dataPoints> (truncated?)", path=path)
            counts_element = first(points, "counts")
            if counts_element is None:  # schema 1.x
                counts_element = first(points, "intensities")
            if counts_element is None or not (counts_element.text or "").strip():
                raise ReadError("a scan without <counts> or <intensities>", path=path)
            counts = numbers(counts_element.text, path, "counts")
            attenuation = first(points, "beamAttenuationFactors")
            if attenuation is not None and (attenuation.text or "").strip():
                factors = numbers(attenuation.text, path, "beam attenuation factors")
                if len(factors) == len(counts):
                    counts = counts * factors
            two_theta = _positions(points, len(counts), path)
            patterns.append(Pattern(two_theta, counts, None, {
                "wavelength_A": ka1, "wavelength2_A": ka2, "ka2_ratio": ratio,
                "monochromator": mono_name or None,
                "start_time": text_at(scan, "header/startTimeStamp") or first_text(scan, "startTimeStamp"),
                "sample": first_text(root, "id"), "scan_axis": scan.get("scanAxis"),
                "intensity_unit": counts_element.get("unit", "counts")}))
    return patterns


def _positions(points, n: int, path: Path) -> np.ndarray:
    for positions in points.iter("positions"):
        if positions.get("axis") != "2Theta":
            continue
        listed = first(positions, "listPositions")
        if listed is not None:
            values = numbers(listed.text, path, "2theta positions")
            if len(values) != n:
                raise ReadError(f"{len(values)} listed 2theta positions for {n} counts", path=path)
            return values
        start, end = (
            positive_float(first_text(positions, "startPosition")),
            positive_float(first_text(positions, "endPosition")),
        )
        if start is None or end is None:
            raise ReadError("2theta positions without start and end", path=path)
        return np.linspace(start, end, n)
    raise FormatError("no 2Theta positions in the scan", path=path)


def _sniff(head: bytes, path: Path) -> bool:
    return b"<xrdMeasurements" in head[:4096]


READERS = (
    Reader(name="xrdml", modality="xrd", instrument="Malvern PANalytical", extensions=(".xrdml",), sniff=_sniff,
           read=read_xrdml, description="XRDML 1.x <intensities> and 2.x <counts>"),
)
