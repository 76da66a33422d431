"""Figures of the activation map: the map at a glance, and the capacity by voltage region per cycle."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from redoxmap.formatting import format_number
from redoxmap.report.style import COLORS, legend_below

# Whole-electrode quantities drawn as one undivided cell, with their labels.
ELECTRODE_ROWS = {"ratio_020_003": "(020)/(003)", "c_A": "c (Å)", "R_interface_ohm": "R interface (Ω)"}


def map_rows(ds) -> list[tuple[str, str]]:
    """``(sample, variable)`` rows of the map figure: r and each valence where a sample has them at the
    surface or in the bulk, then the whole-electrode quantities it has."""
    from redoxmap.study.map_records import measured_by_sample, valence_variables

    depth = {v: measured_by_sample(ds[v].sel(probe=["surface", "bulk"]))
             for v in (["r"] if "r" in ds else []) + valence_variables(ds)}
    electrode = {v: measured_by_sample(ds[v].sel(probe="electrode")) for v in ELECTRODE_ROWS if v in ds}
    rows = []
    for k, sample in enumerate(ds["sample"].to_numpy()):
        own = [(str(sample), v) for v, found in depth.items() if found[k]]
        if own:  # the whole-electrode quantities of a sample that has a depth-resolved row
            own += [(str(sample), v) for v, found in electrode.items() if found[k]]
        rows += own
    return rows


def map_label(variable: str) -> str:
    """The row label of a map quantity ("r (O)", "Ni valence", "c (Å)")."""
    if variable in ELECTRODE_ROWS:
        return ELECTRODE_ROWS[variable]
    return "r (O)" if variable == "r" else f"{variable.split('_')[1]} valence"


def map_state_count(ds) -> int:
    """How many states (columns) the map figure has."""
    rows = map_rows(ds)
    return sum(any(np.isfinite(ds[v].sel(sample=smp, state=s)).any() for smp, v in rows)
               for s in ds["state"].to_numpy())


def map_figure(plt, amap, findings):
    """Samples (and quantities) as rows, states as columns; each cell split into surface (left) and
    bulk (right), coloured by value. Hatched: r not significantly above zero; between the halves,
    ``>``/``<`` where surface and bulk differ significantly and ``≈`` where they do not."""
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    ds = amap.dataset
    sigma = amap.options.significance_sigma
    rows = map_rows(ds)
    states = [s for s in ds["state"].to_numpy() if any(np.isfinite(ds[v].sel(sample=smp, state=s)).any()
                                                       for smp, v in rows)]
    width, height = max(4.2, 1.25 * len(states) + 2.6), max(1.6, 0.42 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    scales = {}
    for _, variable in rows:
        values = ds[variable].to_numpy()
        lo, hi = np.nanmin(values), np.nanmax(values)
        scales[variable] = Normalize(min(lo, 0.0) if variable == "r" else lo, hi if hi > lo else lo + 1e-9)
    colormaps = {"r": plt.get_cmap("YlOrRd")}
    for i, (sample, variable) in enumerate(rows):
        cmap = colormaps.get(variable, plt.get_cmap("Greens" if variable in ELECTRODE_ROWS else "PuBu"))
        y = len(rows) - 1 - i
        for j, state in enumerate(states):
            cell = ds[[variable, f"{variable}_stderr"]].sel(sample=sample, state=state)
            if variable in ELECTRODE_ROWS:
                _electrode_cell(ax, cell, variable, j, y, cmap(scales[variable](float(
                    cell[variable].sel(probe="electrode")))) if np.isfinite(cell[variable].sel(probe="electrode"))
                    else None)
                continue
            for k, probe in enumerate(("surface", "bulk")):
                value = float(cell[variable].sel(probe=probe))
                error = float(cell[f"{variable}_stderr"].sel(probe=probe))
                x = j + 0.5 * k
                if not np.isfinite(value):
                    ax.add_patch(Rectangle((x, y), 0.5, 1, facecolor="white", edgecolor="0.85", lw=0.5))
                    ax.text(x + 0.25, y + 0.5, "–", ha="center", va="center", fontsize=7, color="0.6")
                    continue
                weak = variable == "r" and not (np.isfinite(error) and error > 0 and value / error >= sigma)
                color = cmap(scales[variable](value))
                ax.add_patch(Rectangle((x, y), 0.5, 1, facecolor=color, edgecolor="white", lw=0.8,
                                       hatch="////" if weak else None))
                dark = sum(color[:3]) / 3 < 0.5
                ax.text(x + 0.25, y + 0.5, format_number(value, 3), ha="center", va="center", fontsize=6.5,
                        color="white" if dark else "black", style="italic" if weak else "normal")
            mark = _difference_mark(findings, sample, variable, state)
            if mark:
                ax.text(j + 0.5, y + 0.5, mark, ha="center", va="center", fontsize=8, fontweight="bold",
                        color="black", bbox={"boxstyle": "circle,pad=0.12", "fc": "white", "ec": "0.4", "lw": 0.5})
    ax.set_xlim(0, len(states))
    ax.set_ylim(0, len(rows))
    ax.set_xticks(np.arange(len(states)) + 0.5, [str(s) for s in states], rotation=30, ha="right")
    ax.set_yticks(np.arange(len(rows)) + 0.5, [f"{s} · {map_label(v)}" for s, v in reversed(rows)])
    ax.tick_params(length=0, top=False, right=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    key = (f"Each cell: surface (TEY, left) | bulk (right).  ≈ not different, > / < different at {sigma:g}σ; "
           f"hatched: r not above 0 at {sigma:g}σ")
    # Above the whole figure (the row labels take the left of it), wrapped to its width: ~16 characters
    # of 7 pt per inch.
    fig.suptitle(textwrap.fill(key, int(width * 16)), x=0.01, ha="left", fontsize=7)
    return fig


def _electrode_cell(ax, cell, variable: str, x: int, y: int, color) -> None:
    """One undivided cell of a whole-electrode quantity (value ± error)."""
    from matplotlib.patches import Rectangle

    from redoxmap.formatting import format_value_error

    if color is None:
        ax.add_patch(Rectangle((x, y), 1, 1, facecolor="white", edgecolor="0.85", lw=0.5))
        ax.text(x + 0.5, y + 0.5, "–", ha="center", va="center", fontsize=7, color="0.6")
        return
    value = float(cell[variable].sel(probe="electrode"))
    error = float(cell[f"{variable}_stderr"].sel(probe="electrode"))
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=color, edgecolor="white", lw=0.8))
    dark = sum(color[:3]) / 3 < 0.5
    ax.text(x + 0.5, y + 0.5, format_value_error(value, error, digits=1), ha="center", va="center", fontsize=6.3,
            color="white" if dark else "black")


def _difference_mark(findings, sample: str, variable: str, state: str) -> str:
    table = findings.differences
    if table.empty:
        return ""
    row = table[(table["sample"] == sample) & (table["variable"] == variable) & (table["state"] == state)]
    if row.empty or not np.isfinite(row["z"].iat[0]):
        return ""
    if not row["significant"].iat[0]:
        return "≈"
    return ">" if row["difference"].iat[0] > 0 else "<"


def region_samples(ds) -> list[str]:
    """The samples with a charge by voltage region in some cycle (those :func:`region_capacity_figure` draws)."""
    from redoxmap.study.map_records import described_variables, measured_by_sample

    found = np.zeros(ds.sizes["sample"], bool)
    for variable in described_variables(ds):
        if variable.startswith("charge_region_"):
            found |= measured_by_sample(ds[variable])
    return [str(sample) for sample in ds["sample"].to_numpy()[found]]


def region_capacity_figure(plt, amap):
    """Charge capacity in each voltage region against cycle, per sample (solid: the highest region)."""
    ds = amap.dataset
    from redoxmap.study.map_records import described_variables

    regions = sorted({v.split("_")[2] for v in described_variables(ds) if v.startswith("charge_region_")}, key=_roman)
    fig, ax = plt.subplots(figsize=(4.4, 3.2), layout="constrained")
    styles = ["-", "--", ":", "-."]
    shown = 0
    for k, sample in enumerate(ds["sample"].to_numpy()):
        color = COLORS[k % len(COLORS)]
        for m, region in enumerate(reversed(regions)):
            values = ds[f"charge_region_{region}_mAh_g"].sel(sample=sample)
            if not np.isfinite(values).any():
                continue
            ax.plot(ds["cycle"], values, styles[m % len(styles)], color=color, lw=1.1,
                    label=f"{sample}: region {region}")
            shown += 1
    ax.set_xlabel("Cycle")
    ax.set_ylabel("Charge capacity in region (mAh g$^{-1}$)")
    if legend_below(fig, ax, fontsize=6, ncols=2) is not None:  # its rows get their own height
        fig.set_size_inches(4.4, 3.0 + 0.13 * math.ceil(shown / 2))
    return fig


def _roman(text: str) -> tuple:
    values = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
    return (values.get(text, 99), text)
