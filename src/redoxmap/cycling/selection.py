"""Choosing records by cycle and direction, shared by the voltage-resolved analyses."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError

DIRECTIONS = ("charge", "discharge")
_CODE = {"charge": 1, "discharge": 2}


def active_rows(
    table: pd.DataFrame,
    *,
    cycles: Iterable[int] | None = None,
    directions: Iterable[str] = DIRECTIONS,
) -> np.ndarray:
    """Boolean mask of charge/discharge records in the chosen cycles and directions.

    Raises
    ------
    AnalysisError
        For an unknown direction or cycles that the record does not contain.
    """
    directions = tuple(directions)
    unknown = [d for d in directions if d not in _CODE]
    if unknown:
        raise AnalysisError(f"unknown direction(s) {unknown}; use 'charge' and/or 'discharge'")
    codes = table["state"].cat.codes.to_numpy()
    mask = np.isin(codes, [_CODE[d] for d in directions])
    if not mask.any():
        held = table["state"].value_counts()
        held = ", ".join(f"{n} {state}" for state, n in held.items() if n) or "no records"
        raise AnalysisError(f"no {' or '.join(directions)} records in this table (it holds {held}); "
                            "choose another direction, or a file with a galvanostatic record",
                            path=(table.attrs.get("redoxmap") or {}).get("source_file"))
    if cycles is not None:
        wanted = np.asarray(sorted({int(c) for c in cycles}))
        present = np.unique(table["cycle"].to_numpy()[mask])
        missing = np.setdiff1d(wanted, present)
        if len(missing) == len(wanted):
            raise AnalysisError(
                f"none of the cycles {wanted.tolist()} is in this record "
                f"(it has cycles {present.min()}..{present.max()})"
            )
        mask &= np.isin(table["cycle"].to_numpy(), wanted)
    return mask


def group_starts(ids: np.ndarray) -> np.ndarray:
    """Indices where a run of equal, contiguous ids begins."""
    return np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]])) if len(ids) else ids
