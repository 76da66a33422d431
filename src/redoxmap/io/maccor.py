"""Maccor text exports (MIMS ``.0NN`` raw text, MIMS Client and CSV exports).

Maccor logs current without sign in many exports and a state column (``C`` charge,
``D`` discharge, ``R`` rest); the sign is taken from the state where it is present.
"""

from __future__ import annotations

import re
from pathlib import Path

from redoxmap.io.reader import Reader
from redoxmap.io.tabular import (
    find_table_header,
    header_keys,
    read_delimited,
    sniff_header,
    table_to_raw,
)
from redoxmap.io.text import TextFile, head_lines, head_text, timestamp

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
    keys = header_keys(head_lines(text)[index], sep)
    return "rec" in keys and bool({"cyc", "cyclec"} & set(keys))


def read_maccor(path: Path):
    """Read a Maccor text export."""
    source = TextFile.read(path)
    frame = read_delimited(path, SYNONYMS, source=source, also=_is_clock)
    return table_to_raw(
        frame, SYNONYMS, path=path, instrument="Maccor", reader="maccor",
        charge_states=("C",), discharge_states=("D",), metadata=_start(source.prefix(2000), frame),
    )


def _is_clock(label: str) -> bool:
    """The column of each record's time of day ("DPt Time")."""
    return label.replace(" ", "").lower() == "dpttime"


def _start(text: str, frame) -> dict:
    """The start of the test: MIMS's "Date of Test" with the first record's time of day ("DPt Time")."""
    date = re.search(r"Date of Test:\s*(\d{1,2}/\d{1,2}/\d{4})", text[:2000])
    column = next((c for c in frame.columns if _is_clock(c)), None)
    if date is None or column is None or frame.empty:
        return {}
    first = str(frame[column].iloc[0]).strip()
    clock = first.split()[-1]  # "03/31/2016 16:05:31" or "16:05:31"
    started = timestamp(f"{date.group(1)} {clock}", "%m/%d/%Y %H:%M:%S")
    return {"start_time": started} if started else {}


READERS = (
    Reader(
        name="maccor", modality="cycling", instrument="Maccor",
        extensions=(".txt", ".csv") + tuple(f".{n:03d}" for n in range(1000)),
        sniff=_sniff, read=read_maccor, description="Maccor MIMS text, MIMS Client and CSV exports",
    ),
)
