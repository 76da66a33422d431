"""PalmSens PSTrace sessions (``.pssession``: JSON, often UTF-16): impedance measurements."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from redoxmap.errors import ReadError
from redoxmap.io.reader import Reader
from redoxmap.io.text import head_text

_ARRAYS = ("Frequency", "ZRe", "ZIm")


def read_pssession(path: Path) -> list[tuple]:
    """Every measurement of a session that holds frequency, ZRe and ZIm, as
    ``(frequency_Hz, z_ohm, attrs)``."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
        session = json.loads(text[:text.rfind("}") + 1])
        measurements = session.get("Measurements", [])
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise ReadError(f"damaged PalmSens session ({exc})", path=path) from exc
    sweeps = []
    for measurement in measurements:
        arrays = {a.get("Description"): a for a in measurement.get("DataSet", {}).get("Values", [])}
        if not set(_ARRAYS) <= set(arrays):
            continue
        try:
            values = {k: np.array([v["V"] for v in arrays[k]["DataValues"]], float) for k in _ARRAYS}
        except (KeyError, TypeError, ValueError) as exc:
            raise ReadError(f"damaged PalmSens data values ({exc})", path=path) from exc
        # PSTrace stores -Z'' as ZIm (its phase is positive for a capacitive cell).
        sweeps.append((values["Frequency"], values["ZRe"] - 1j * values["ZIm"],
                       {"instrument": "PalmSens", "title": measurement.get("Title")}))
    return sweeps


def _sniff(head: bytes, path: Path) -> bool:
    return "PalmSens" in head_text(head)[:400]


READERS = (
    Reader(name="palmsens", modality="eis", instrument="PalmSens", extensions=(".pssession",), sniff=_sniff,
           read=read_pssession, description="PSTrace session (JSON)"),
)
