"""How robust each verdict is: the systematic floor at which it would read differently.

A verdict rests on differences measured against combined errors, and one part of each error is a
systematic floor that no single measurement shows (:mod:`redoxmap.study.budget`). A referee asks "and if
that floor were 0.03?". For every couple's verdict the floor of its method (r for oxygen, the valence
floor for a TM) is scanned from zero to ten times the value in force, the map's errors recombined at each
step (:func:`redoxmap.study.map_dataset.with_floors`) and the verdict's classes (where, since which cycle,
speed) found again; where they change, the boundary is refined by bisection. The verdict then says up to
which floor it holds and what it would become beyond it, and below which floor it would read otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redoxmap.formatting import format_number
from redoxmap.study.budget import with_floors
from redoxmap.study.couples import where_headline
from redoxmap.study.findings import classify

MULTIPLES = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
BISECTIONS = 5
COUPLE_FLOORS = {"O": "r", "TM": "valence"}  # which floor a couple's verdict depends on


@dataclass
class _Scan:
    """The classes of every verdict at each floor value tried, one floor key at a time."""

    amap: object
    key: str
    couples: set[str]

    def classes(self, floor: float) -> dict[str, tuple]:
        options = self.amap.options
        return classify(with_floors(self.amap.dataset, {**options.floors, self.key: floor}), options, self.couples)


def _describe(classes: tuple) -> str:
    change, where, since, speed = classes
    if change == "none":
        return "no significant change after charge"
    if change == "reduction":
        return f"a reduction after charge, {where_headline(where)}"
    parts = [f"a rise since {since}", where_headline(where),
             speed if speed != "not determined" else "speed not determined"]
    return ", ".join(parts)


def _boundary(scan: _Scan, verdict_key: str, inside: float, outside: float, expected: tuple) -> tuple[float, tuple]:
    """Bisect between a floor where the verdict holds and one where it does not."""
    changed = scan.classes(outside).get(verdict_key)
    for _ in range(BISECTIONS):
        middle = (inside + outside) / 2
        found = scan.classes(middle).get(verdict_key)
        if found == expected:
            inside = middle
        else:
            outside, changed = middle, found
    return outside, changed


def add_robustness(findings, amap) -> None:
    """Give each couple's verdict of ``findings`` its robustness (dict and sentence), in place."""
    floors = amap.options.floors
    by_key: dict[str, list] = {}
    for verdict in findings.verdicts:
        if verdict.aspect != "summary":
            continue
        key = COUPLE_FLOORS.get(verdict.couple.split(" ")[0])
        if key is not None and key in floors:
            by_key.setdefault(key, []).append(verdict)
    for key, verdicts in by_key.items():
        used = floors[key]
        scale = used if used > 0 else 0.01
        grid = sorted({m * scale for m in MULTIPLES} | {used})
        scan = _Scan(amap, key, {v.couple for v in verdicts})
        table = {value: scan.classes(value) for value in grid}
        for verdict in verdicts:
            name = f"{verdict.sample}|{verdict.couple}"
            expected = table[used].get(name)
            if expected is None:
                continue
            result = {"floor": key, "used": used, "floor_only": _floor_only(amap.dataset, verdict)}
            above = [v for v in grid if v > used]
            below = [v for v in reversed(grid) if v < used]
            for side, values in (("above", above), ("below", below)):
                inside = used
                for value in values:
                    if table[value].get(name) != expected:
                        at, becomes = _boundary(scan, name, inside, value, expected)
                        result[f"changes_{side}"] = at
                        result[f"becomes_{side}"] = _describe(becomes) if becomes else "no verdict"
                        break
                    inside = value
                else:
                    result[f"holds_to_{side}"] = values[-1] if values else used
            result["text"] = _sentence(result)
            verdict.robustness = result
    summary = findings.summary
    if not summary.empty:
        texts = {f"{v.sample}|{v.couple}": v.robustness.get("text", "") for v in findings.verdicts}
        summary["robustness"] = [texts.get(f"{s}|{c}", "") for s, c in zip(summary["sample"], summary["couple"])]


def _floor_only(ds, verdict) -> bool:
    """Whether a couple's numbers have no error but the floor (published values without errors)."""
    from redoxmap.study.findings import couples_of

    variable = dict(couples_of(ds)).get(verdict.couple)
    if variable is None or f"{variable}_budget" not in ds:
        return False
    parts = ds[f"{variable}_budget"].sel(sample=verdict.sample).to_numpy()
    others = np.delete(parts, 2, axis=-1)  # all but the floor (budget.COMPONENTS order)
    return not np.isfinite(others).any() or not np.nanmax(np.abs(others), initial=0.0) > 0


def _sentence(result: dict) -> str:
    key, used = result["floor"], result["used"]
    name = "the r floor" if key == "r" else f"the {key} floor"
    parts = []
    if "changes_above" in result:
        parts.append(f"it holds up to {name} = {format_number(result['changes_above'], 2)} "
                     f"({format_number(used, 2)} used); above, it would read: {result['becomes_above']}")
    else:
        parts.append(f"it holds for {name} up to {format_number(result['holds_to_above'], 2)} "
                     f"(10× the {format_number(used, 2)} used)")
    if "changes_below" in result and result["changes_below"] > 0:
        parts.append(f"below {format_number(result['changes_below'], 2)} it would read: {result['becomes_below']}")
    elif "changes_below" in result and result.get("floor_only"):
        parts.append("its numbers carry no error of their own, so without a floor nothing could be tested")
    elif "changes_below" in result:
        parts.append(f"with no floor at all it would read: {result['becomes_below']}")
    return "Robustness: " + "; ".join(parts) + "."
