"""A study keeps, of each cell, the rows its voltage-profile figure draws: thinned, ends kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.study.analyses.cycling import profile_rows


def test_long_half_cycles_are_thinned_and_short_ones_kept_whole():
    sizes = {(1, 1): 2500, (1, 2): 10, (2, 3): 999, (3, 4): 3000}  # (cycle, half cycle): rows
    table = pd.concat([pd.DataFrame({"cycle": c, "half_cycle": h, "voltage_V": np.linspace(3, 4, n),
                                     "capacity_Ah": np.arange(n, dtype=float)}) for (c, h), n in sizes.items()],
                      ignore_index=True)
    table.attrs["redoxmap"] = {"name": "cell"}
    kept = profile_rows(table, [1, 2], points=1000)
    assert set(kept["cycle"]) == {1, 2} and kept.attrs == table.attrs
    per_half = kept.groupby("half_cycle")["capacity_Ah"]
    assert per_half.size().to_dict() == {1: 834, 2: 10, 3: 999}  # every 3rd of 2,500 (and the last); the rest whole
    assert (per_half.first() == 0).all()
    assert per_half.last().to_dict() == {1: 2499.0, 2: 9.0, 3: 998.0}
