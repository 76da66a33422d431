"""Maccor text exports (MIMS ``.0NN`` raw text, MIMS Client and CSV exports).

Maccor logs current without sign in many exports and a state column (``C`` charge,
``D`` discharge, ``R`` rest); the sign is taken from the state where it is present.
"""

from __future__ import annotations

from pathlib import Path

from redoxmap.io.reader import Reader
from redoxmap.io.tabular import (
    find_table_header,
    header_keys,
    read_delimited,
    sniff_header,
    table_to_raw,
)
from redoxmap.io.text import head_text

SYNONYMS = {
    "time": [("testtime", "s"), ("test", "s")],
    "voltage": [("volts", "v"), ("voltage", "v")],
    "current": [("amps", "a"), ("mamps", "ma"), ("current", "a")],
    "cycle": ["cyc", "cyclec", "cycle"],
    "step": ["step"],
    "state": ["state", "md"],
    "temperature": [("temp1", "c")],
}


def _sniff(head: bytes, path: Path) -> bool:
    if not sniff_header(head, SYNONYMS):
        return False
    text = head_text(head)
    index, sep = find_table_header(text, SYNONYMS)
    keys = header_keys(text.splitlines()[index], sep)
    return "rec" in keys and bool({"cyc", "cyclec"} & set(keys))


def read_maccor(path: Path):
    """Read a Maccor text export."""
    frame = read_delimited(path, SYNONYMS)
    return table_to_raw(
        frame, SYNONYMS, path=path, instrument="Maccor", reader="maccor",
        charge_states=("C",), discharge_states=("D",),
    )


READERS = (
    Reader(
        name="maccor", modality="cycling", instrument="Maccor",
        extensions=(".txt", ".csv") + tuple(f".{n:03d}" for n in range(1000)),
        sniff=_sniff, read=read_maccor, description="Maccor MIMS text, MIMS Client and CSV exports",
    ),
)
