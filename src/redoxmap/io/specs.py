"""SpecsLab Prodigy ``.xy`` exports: commented metadata, one data block per region (and per scan).

The export's settings block says which energy axis (``Energy Axis: Binding Energy`` or
``Kinetic Energy``) and intensity (``Count Rate: Counts per Second`` or ``Counts``) were
written. Each region (``# Region:``) holds one block per cycle/curve/scan; with
``Separate Scan Data: yes`` every scan is its own block and they are averaged here
(weights: the scans' own number, so that the Poisson errors follow from dwell x scans).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, ReadError
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode, head_text
from redoxmap.io.xps_files import XpsSpectrum, make_spectrum

_KEY = re.compile(r"[A-Za-z][\w ./()-]*")


def _field(line: str) -> tuple[str, str] | None:
    """``# Key: value`` split at the first colon (linear on a line of blanks, where a lazy pattern is not)."""
    key, colon, value = line.lstrip("#").partition(":")
    key = key.strip()
    return (key, value.strip()) if colon and _KEY.fullmatch(key) else None


def _sniff(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return text.startswith("# Created by:") and "SpecsLab" in text[:200]


def read_specs_xy(path: str | PathLike, *, excitation_energy_eV: float | None = None) -> list[XpsSpectrum]:
    """Read every region of a SpecsLab Prodigy ``.xy`` export.

    Returns
    -------
    list of XpsSpectrum
        One per region (scans of a region averaged), in file order.
    """
    path = Path(path)
    if not _sniff(read_head(path), path):
        raise FormatError("not a SpecsLab Prodigy .xy export (no '# Created by: SpecsLab' line)", path=path)
    settings: dict[str, str] = {}
    regions: list[dict] = []
    current: dict | None = None
    block: list[str] = []

    def close_block():
        if current is not None and block:
            current["blocks"].append(block.copy())
        block.clear()

    for line in decode(path.read_bytes()).splitlines():
        if line.startswith("#"):
            close_block()
            field = _field(line)
            if not field:
                continue
            key, value = field
            if key == "Region":
                current = {"name": value, "fields": {}, "blocks": []}
                regions.append(current)
            elif current is None:
                settings[key] = value
            else:
                current["fields"].setdefault(key, value)
        elif line.strip():
            block.append(line)
    close_block()
    if not regions:
        raise ReadError("no '# Region:' blocks (no spectra)", path=path)
    axis = "kinetic" if "kinetic" in settings.get("Energy Axis", "Binding").lower() else "binding"
    per_second = "second" in settings.get("Count Rate", "Counts per Second").lower()
    spectra = []
    for index, region in enumerate(regions):
        if not region["blocks"]:
            continue
        fields = region["fields"]
        arrays = [_numbers(b, path, region["name"]) for b in region["blocks"]]
        length = min(len(a) for a in arrays)
        stacked = np.stack([a[:length] for a in arrays])
        energy, intensity = stacked[0, :, 0], stacked[:, :, 1].mean(axis=0)
        dwell = _float(fields.get("Dwell Time"))
        scans = len(arrays) * int(_float(fields.get("Number of Scans")) or 1)
        counts_per_unit = dwell * scans if per_second and dwell else (None if per_second else 1.0)
        excitation = _float(fields.get("Excitation Energy")) or excitation_energy_eV
        spectra.append(make_spectrum(
            energy, intensity, path=path, region=region["name"], axis=axis, excitation_energy_eV=excitation,
            counts_per_unit=counts_per_unit, block=str(index),
            metadata={"intensity_unit": "counts/s" if per_second else "counts", "collection_time_s": dwell,
                      "scans": scans, "pass_energy_eV": _float(fields.get("Pass Energy")),
                      "analyser_mode": fields.get("Scan Mode"), "acquired": fields.get("Acquisition Date"),
                      "work_function_eV": _float(fields.get("Eff. Workfunction")), "instrument": "SpecsLab Prodigy"}))
    if not spectra:
        raise ReadError("regions without data rows", path=path)
    return spectra


def _numbers(lines: list[str], path: Path, region: str) -> np.ndarray:
    try:
        values = np.array([line.split()[:2] for line in lines], dtype=float)
    except ValueError:
        raise ReadError(f"region {region!r}: a data row is not two numbers", path=path) from None
    if values.ndim != 2 or values.shape[1] != 2:
        raise ReadError(f"region {region!r}: data rows need an energy and an intensity", path=path)
    return values


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


READERS = (
    Reader("specs-xy", "xps", "SPECS", (".xy",), _sniff, read_specs_xy,
           "SpecsLab Prodigy .xy export (regions, scans averaged, binding or kinetic axis)",
           options=("excitation_energy_eV",)),
)
