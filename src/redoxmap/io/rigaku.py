"""Rigaku diffraction files: ``.ras`` (text, one ``*RAS_HEADER``/``*RAS_INT`` block per scan),
``.asc`` (``*START``/``*STEP``/``*COUNT`` groups) and ``.rasx`` (SmartLab: a zip of
``Data0/Profile0.txt`` and ``MesurementConditions0.xml``)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.archives import SafeZip, zip_holds
from redoxmap.io.reader import Reader
from redoxmap.io.text import decode, number_block, positive_float, timestamp
from redoxmap.io.xmltree import descendant_text, parse_xml
from redoxmap.io.xrd_files import Pattern

_PROFILE = re.compile(r"Data\d+/Profile\d+\.txt")


def _ras_header_value(header: dict, key: str) -> str | None:
    value = header.get(key)
    return value.strip('"') if value is not None else None


def _header_fields(text: str, separator: str | None) -> dict[str, str]:
    """``*KEY<separator>value`` lines (``separator`` None: any whitespace), parsed line by line: a regular
    expression with a lazy value and trailing blanks takes quadratic time on a line of a million spaces."""
    fields = {}
    for line in text.splitlines():
        if not line.startswith("*"):
            continue
        if separator is None:
            key, value = ([*line[1:].split(None, 1), "", ""])[:2]
        else:
            key, found, value = line[1:].partition(separator)
            if not found:
                continue
        key = key.strip()
        if key and not any(c.isspace() for c in key):
            fields[key] = value.strip()
    return fields


def read_ras(path: Path) -> list[Pattern]:
    """Every scan of a ``.ras`` file (counts times the attenuator factor)."""
    text = decode(path.read_bytes())
    patterns = []
    for block in re.split(r"^\*RAS_HEADER_START", text, flags=re.MULTILINE)[1:]:
        header = _header_fields(block.split("*RAS_HEADER_END")[0], None)
        data = re.search(r"\*RAS_INT_START\s*(.*?)\*RAS_INT_END", block, re.DOTALL)
        if data is None:
            raise ReadError(f"scan {len(patterns)} has no *RAS_INT_START ... *RAS_INT_END block (truncated?)",
                            path=path)
        values = number_block(data.group(1), path, min_columns=2)
        intensity = values[:, 1] * (values[:, 2] if values.shape[1] > 2 else 1.0)  # counts x attenuator
        get = functools.partial(_ras_header_value, header)
        ka1, ka2 = get("HW_XG_WAVE_LENGTH_ALPHA1"), get("HW_XG_WAVE_LENGTH_ALPHA2")
        patterns.append(Pattern(values[:, 0], intensity, None, {
            "wavelength_A": positive_float(ka1), "wavelength2_A": positive_float(ka2),
            "monochromator": get("HW_I_MONOCHRO_NAME") or get("MEAS_COND_OPT_ATTR_NAME-0"),
            "start_time": timestamp(get("MEAS_SCAN_START_TIME"), "%m/%d/%y %H:%M:%S"),
            "sample": get("FILE_SAMPLE"), "instrument": get("HW_GONIOMETER_NAME"),
            "scan_axis": get("MEAS_SCAN_AXIS_X"), "intensity_unit": get("MEAS_SCAN_UNIT_Y") or "counts"}))
    if not patterns:
        raise FormatError("no *RAS_HEADER_START block", path=path)
    return patterns


def read_asc(path: Path) -> list[Pattern]:
    """Every ``*BEGIN ... *END`` group of an ``.asc`` file."""
    text = decode(path.read_bytes())
    header = _header_fields(text.split("*BEGIN")[0], "=")
    patterns = []
    for group in re.findall(r"^\*BEGIN(.*?)^\*END", text, re.MULTILINE | re.DOTALL):
        fields = _header_fields(group, "=")
        try:
            start, step, count = float(fields["START"]), float(fields["STEP"]), int(float(fields["COUNT"]))
        except (KeyError, ValueError) as exc:
            raise FormatError(f"group without a valid *START/*STEP/*COUNT ({exc})", path=path) from exc
        body = group.split("*COUNT", 1)[1].split("\n", 1)[1] if "\n" in group.split("*COUNT", 1)[1] else ""
        try:
            counts = np.array([float(v) for v in re.split(r"[\s,]+", body.strip()) if v and not v.startswith("*")])
        except ValueError as exc:
            raise ReadError(f"a count that is not a number in group {len(patterns)} ({exc})", path=path) from None
        if len(counts) != count:
            raise ReadError(f"group promises {count} points but holds {len(counts)} (truncated?)", path=path)
        patterns.append(
            Pattern(
                start + step * np.arange(count),
                counts,
                None,
                {
                    "wavelength_A": positive_float(header.get("WAVE_LENGTH1")),
                    "wavelength2_A": positive_float(header.get("WAVE_LENGTH2")),
                    "xray_line": header.get("XRAY_CHAR"),
                    "monochromator": header.get("C_MONOCHRO"),
                    "start_time": timestamp(header.get("DATE"), "%d-%b-%y %H:%M"),
                    "sample": header.get("SAMPLE"),
                    "intensity_unit": header.get("YUNIT", "counts"),
                },
            )
        )
    if not patterns:
        raise FormatError("no *BEGIN ... *END data group (truncated?)", path=path)
    return patterns


def read_rasx(path: Path) -> list[Pattern]:
    """Every profile of a SmartLab ``.rasx`` archive, with its measurement conditions."""
    patterns = []
    with SafeZip(path) as archive:
        profiles = sorted(n for n in archive.names if _PROFILE.fullmatch(n))
        for name in profiles:
            values = number_block(decode(archive.read(name)), path, min_columns=2)
            folder, index = name.split("/")[0], re.search(r"(\d+)\.txt$", name).group(1)
            conditions_name = f"{folder}/MesurementConditions{index}.xml"  # sic: Rigaku's spelling
            root = parse_xml(archive.read(conditions_name), path) if conditions_name in archive.names else None
            find = functools.partial(descendant_text, root)
            wave_type = find("WaveType") or ""
            patterns.append(Pattern(values[:, 0], values[:, 1] * (values[:, 2] if values.shape[1] > 2 else 1.0),
                                    None, {
                "wavelength_A": positive_float(find("WavelengthKalpha1")),
                "wavelength2_A": None if wave_type.lower() == "ka1" else positive_float(find("WavelengthKalpha2")),
                "xray_line": wave_type or None, "start_time": find("StartTime"),
                "sample": find("SampleName"), "instrument": find("SystemName"),
                "scan_axis": find("AxisName"), "intensity_unit": find("IntensityUnit") or "counts"}))
    return patterns


def _stripped(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf").lstrip()


def _sniff_ras(head: bytes, path: Path) -> bool:
    return _stripped(head).startswith((b"*RAS_DATA_START", b"*RAS_HEADER_START"))


def _sniff_asc(head: bytes, path: Path) -> bool:
    return _stripped(head).startswith(b"*TYPE") or (path.suffix.lower() == ".asc" and b"*BEGIN" in head)


def _sniff_rasx(head: bytes, path: Path) -> bool:
    return zip_holds(head, path, _PROFILE)


READERS = (
    Reader(name="ras", modality="xrd", instrument="Rigaku", extensions=(".ras",), sniff=_sniff_ras,
           read=read_ras, description="RAS text, one header and data block per scan"),
    Reader(name="asc", modality="xrd", instrument="Rigaku", extensions=(".asc",), sniff=_sniff_asc,
           read=read_asc, description="ASCII groups (*START, *STEP, *COUNT)"),
    Reader(name="rasx", modality="xrd", instrument="Rigaku SmartLab", extensions=(".rasx",), sniff=_sniff_rasx,
           read=read_rasx, description="zip of Profile and MesurementConditions files"),
)
