"""What a sample's capacity per cycle says, named as what it is: each voltage region's charge capacity and
the discharge capacity, never a couple's redox.

The kinetics of a capacity come from the activation law of :mod:`redoxmap.cycling.capacity_rise` fitted
to the per-cycle values (of the mean of a sample's cells, when it has several); their errors come from the
scatter about the law. The spread between cells is in each cycle's error in the map, not in the fit.
"""

from __future__ import annotations

import math

import numpy as np

from redoxmap.formatting import format_cycles
from redoxmap.study.couples import by_cycle, kinetics_text
from redoxmap.study.kinetics import capacity_kinetics
from redoxmap.study.verdict import Verdict

DISCHARGE_CAPACITIES = ("discharge_capacity_mAh_g", "discharge_capacity_mAh")  # specific first


def _cycle_series(ds, sample: str, variable: str, first_cycle: int = 1) -> tuple[np.ndarray, np.ndarray]:
    values = ds[variable].sel(sample=sample).to_numpy()
    cycles = ds["cycle"].to_numpy()
    keep = np.isfinite(values) & (cycles >= first_cycle)
    return cycles[keep], values[keep]


def _regions(ds, sample: str) -> dict[str, str]:
    text = str(ds["redox_regions"].sel(sample=sample).item()) if "redox_regions" in ds.coords else ""
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def capacity_evidence(ds, sample: str, options) -> list[dict]:
    """The capacity series of a sample: each assigned region's charge capacity (from the second charge for
    the high-voltage region, whose first charge holds irreversible capacity too) with its share onset, and
    the discharge capacity (in mAh for a cell without an active mass); each with its kinetics.

    Returns
    -------
    list of dict
        ``source`` (in words), ``region``, ``onset`` (first charge with ``onset_share`` in the region),
        ``share_states``, ``kinetics``.
    """
    out = []
    for couple, region in sorted(_regions(ds, sample).items(), key=lambda item: item[1]):
        share, capacity = f"charge_share_{region}", f"charge_region_{region}_mAh_g"
        if capacity not in ds or not np.isfinite(ds[capacity].sel(sample=sample)).any():
            continue
        cycles, shares = _cycle_series(ds, sample, share) if share in ds else (np.array([]), np.array([]))
        reached = cycles[shares >= options.onset_share] if len(cycles) else np.array([])
        start = 2 if couple == "O" else 1
        cycles_q, values = _cycle_series(ds, sample, capacity, start)
        name = f"region {region} charge capacity" + (" from the second charge" if start == 2 else "")
        out.append(
            {
                "source": name,
                "region": region,
                "onset": int(reached[0]) if len(reached) else None,
                "share_states": len(cycles),
                "kinetics": capacity_kinetics(cycles_q, values, name=f"{sample} {name}") if len(cycles_q) else None,
            }
        )
    # A cell without an active mass has its capacity in mAh: the law's shape (n50, n90) needs no mass.
    variable = next((v for v in DISCHARGE_CAPACITIES if v in ds and np.isfinite(ds[v].sel(sample=sample)).any()), None)
    if variable is not None:
        cycles, values = _cycle_series(ds, sample, variable)
        out.append({"source": "discharge capacity", "region": "", "onset": None, "share_states": 0,
                    "kinetics": capacity_kinetics(cycles, values, name=f"{sample} discharge capacity")})
    return out


def capitalised(text: str) -> str:
    """The first letter in capitals, unless the text starts with a symbol (r, b - b0)."""
    return text if text == "r" or text[:2] in ("r ", "b ") else text[:1].upper() + text[1:]


def capacity_verdicts(sample: str, items: list[dict], options, cells: int) -> list:
    """One :class:`redoxmap.study.verdict.Verdict` per capacity series."""

    verdicts = []
    for item in items:
        kinetics = item["kinetics"]
        details = []
        if item["region"]:
            if item["onset"] is not None:
                details.append(f"at least {100 * options.onset_share:.0f} % of the charge lies in region "
                               f"{item['region']} from charge {item['onset']}")
            elif item["share_states"]:
                details.append(f"no charge has {100 * options.onset_share:.0f} % of its capacity in region "
                               f"{item['region']}")
        first_cycle = kinetics is not None and kinetics.note == "reached in the first cycle"
        if kinetics is not None and not first_cycle:
            details.append(kinetics_text(kinetics, item["source"]))
        if cells > 1:
            details.append(f"mean of {cells} cells (their spread is in each cycle's error, not in the fitted law)")
        determined = kinetics is not None and kinetics.determined
        n90 = kinetics.n90 if determined and not kinetics.extrapolated else math.nan
        headline = capitalised(item["source"])
        if determined and first_cycle:
            headline += ": at 90 % of its final value from the first cycle (no rise)"
        elif determined and np.isfinite(n90):
            headline += f": 90 % of its final value by cycle {by_cycle(n90, kinetics.n90_stderr)}"
        elif determined:
            headline += (f": still rising at the last cycle measured "
                         f"({format_cycles(kinetics.last_cycle)})")
        else:
            headline += ": rise not determined"
        verdicts.append(Verdict(sample, f"capacity ({item['source']})", "capacity", headline, details, "cycling",
                                determined=determined, since=f"charge {item['onset']}" if item["onset"] else "",
                                n90=n90, n90_stderr=kinetics.n90_stderr if np.isfinite(n90) else math.nan,
                                basis=f"{item['source']} per cycle from the cycler file"
                                      + (f"s of {cells} cells" if cells > 1 else "")))
    return verdicts
