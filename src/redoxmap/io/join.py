"""One cell's records split over several files (a test resumed after a power cut, a channel change, an
experiment exported in parts) joined on one clock.

Files are ordered by the start time they state (else as given). A file's times are placed on the clock
of the first one by the difference of their start times; a file without a start time whose clock
restarts is placed directly after the one before it. Where files overlap, the later file's records are
kept; overlaps and gaps are reported with a :class:`~redoxmap.errors.DataWarning`. The instruments'
capacity counters restart in every file, so they are left out of the joined table (redoxmap integrates
the current itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import DataWarning, ReadError, warn
from redoxmap.io.raw import RawCycling, checked

GAP_FACTOR = 20  # a gap longer than 20 logging intervals (and a minute) is reported


def join_raw(parts: list[RawCycling]) -> RawCycling:
    """Join the records of one cell read from several files.

    Parameters
    ----------
    parts : list of RawCycling
        One per file, e.g. from :func:`redoxmap.io.read_raw_cycling`.

    Returns
    -------
    RawCycling
        Records on one clock with a ``file_index`` column; ``metadata["files"]`` lists the files in
        order with the offset (s) their times were shifted by.
    """
    if not parts:
        raise ReadError("no files to join")
    if len(parts) == 1:
        return parts[0]
    starts = [_start(p) for p in parts]
    # By the time of each file's first record (start time plus its first time value: the parts of one
    # BioLogic experiment share a start and continue its clock).
    order = (
        sorted(
            range(len(parts)), key=lambda k: starts[k] + pd.Timedelta(seconds=float(parts[k].table["time_s"].iloc[0]))
        )
        if all(s is not None for s in starts)
        else list(range(len(parts)))
    )
    tables, files = [], []
    previous_end = previous_step = None
    for rank, k in enumerate(order):
        part, table = parts[k], parts[k].table.copy()
        time = table["time_s"].to_numpy(float)
        if rank == 0:
            offset = 0.0
        elif starts[k] is not None and starts[order[0]] is not None:
            offset = (starts[k] - starts[order[0]]).total_seconds()
        elif time[0] >= previous_end:
            offset = 0.0  # the clock runs on from the file before
        else:
            offset = previous_end + previous_step - time[0]
            warn(f"{part.source_file}: its clock restarts and it states no start time; it was placed "
                          f"directly after {parts[order[rank - 1]].source_file}", DataWarning)
        table["time_s"] = time + offset
        if rank:
            tables[-1] = _without_overlap(tables[-1], table, parts[order[rank - 1]], part)
            _report_gap(tables[-1], table, previous_step, parts[order[rank - 1]], part)
        table["file_index"] = rank
        tables.append(table)
        steps = np.diff(table["time_s"].to_numpy(float))
        previous_end = float(table["time_s"].iloc[-1])
        previous_step = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 1.0
        files.append({"file": str(part.source_file), "reader": part.reader, "offset_s": offset,
                      "start_time": part.metadata.get("start_time")})
    joined = pd.concat(tables, ignore_index=True)
    joined = joined.drop(columns=[c for c in joined.columns if c.startswith("instrument_") and "capacity" in c])
    first = parts[order[0]]
    metadata = {**first.metadata, "files": files}
    return checked(RawCycling(joined, instrument=first.instrument, reader=first.reader,
                              source_file=Path(first.source_file), metadata=metadata))


def _start(part: RawCycling):
    value = part.metadata.get("start_time")
    stamp = pd.to_datetime(value, errors="coerce") if value else pd.NaT
    return None if pd.isna(stamp) else stamp


def _without_overlap(earlier: pd.DataFrame, later: pd.DataFrame, earlier_part, later_part) -> pd.DataFrame:
    begin = float(later["time_s"].iloc[0])
    overlapping = earlier["time_s"].to_numpy(float) >= begin
    if overlapping.any():
        span = float(earlier["time_s"].iloc[-1]) - begin
        warn(f"{earlier_part.source_file} and {later_part.source_file} overlap by {span:.0f} s; the "
                      f"{int(overlapping.sum())} records of the earlier file in the overlap were dropped",
                      DataWarning)
        return earlier.loc[~overlapping]
    return earlier


def _report_gap(earlier: pd.DataFrame, later: pd.DataFrame, step: float, earlier_part, later_part) -> None:
    if earlier.empty:
        return
    gap = float(later["time_s"].iloc[0]) - float(earlier["time_s"].iloc[-1])
    if gap > max(GAP_FACTOR * step, 60.0):
        warn(f"a gap of {gap / 3600:.3g} h between {earlier_part.source_file} and "
                      f"{later_part.source_file}: nothing was logged then", DataWarning)
