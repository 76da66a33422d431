"""The entry page's comparison of a campaign's cells (:mod:`redoxmap.study.campaign`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.report.campaign_figures import SHORT, distributions_figure, share_by_cycle_figure
from redoxmap.report.elements import ReportSection, add_figure, add_table
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.campaign import (
    CAMPAIGN_FROM_CELLS,
    CYCLING_LIMITS,
    OUTLIER_Z,
    campaign_table,
    group_statistics,
    outliers,
    top_share_by_cycle,
)
from redoxmap.study.run import StudyResult, cell_label

SUMMARY_METRICS = ("capacity_max", "retention_pct", "ce_median_pct", "top_share_last_pct", "n90")


def build_campaign_section(result: StudyResult, out: Path, plt) -> ReportSection | None:
    """The campaign's groups, spreads and cells apart, or None for a study of fewer than
    :data:`redoxmap.study.campaign.CAMPAIGN_FROM_CELLS` analysed cycler files."""
    labels = {cell_label(s, f, "cycling"): s.name for s in result.study.samples for f in s.files.get("cycling", [])}
    analyses: dict[str, list] = {}
    for outcome in result.sections.get("cycling", []):
        if outcome.ok and outcome.label in labels:
            analyses.setdefault(labels[outcome.label], []).append(outcome.value)
    cells = sum(len(found) for found in analyses.values())
    if cells < CAMPAIGN_FROM_CELLS:
        return None
    table = campaign_table(result.study, analyses)
    groups = list(dict.fromkeys(table["group"]))
    flagged = outliers(table)
    section = ReportSection(
        id="campaign", title=f"Campaign: {cells} cells in {len(groups)} group{'s' * (len(groups) > 1)}",
        intro=(f"Cells grouped by the conditions that differ between samples; each group's median and "
               f"quartiles, and the cells more than {OUTLIER_Z:g} robust standard deviations from their "
               f"group's median. {CYCLING_LIMITS}"))
    add_figure(section, plt, Drawing(distributions_figure, table, flagged), out, id="campaign_spread",
               title="Each cell against its group",
               caption=("Largest discharge capacity, cycles to 90 % of the capacity rise (n90), median coulombic "
                        "efficiency (CE) from cycle 2 and the top region's charge share in the last cycle; a point "
                        "per cell, boxes from the group's quartiles with its median; red crosses: cells "
                        "that stand apart (table below)."), wide=True)
    shares = {group: [] for group in groups}
    for sample, found in analyses.items():
        group = table.loc[table["sample"] == sample, "group"].iloc[0]
        shares[group] += [top_share_by_cycle(a.regions) for a in found]
    add_figure(section, plt, Drawing(share_by_cycle_figure, shares), out, id="campaign_share",
               title="The top region's share per cycle",
               caption=("Median across each group's cells with the band of its quartiles (cells in brackets). "
                        "Which couple carries this charge is not a cycling result (see above)."))
    add_table(section, _groups_view(group_statistics(table)), out, id="campaign_groups",
              title="Groups", caption="Median (quartiles) of each figure; the files hold mean and standard "
              "deviation too.")
    if len(flagged):
        add_table(section, flagged, out, id="campaign_apart", title="Cells apart from their group",
                  caption="One row per cell, the cells apart on the most figures first, with the figure furthest "
                  "from its group's; the files hold every figure apart.", shown=_apart_view(flagged))
    add_table(section, table, out, id="campaign_cells", title="Every cell",
              caption="The figures of every cell (the first rows shown; the files hold all).",
              shown=table.head(4))
    return section


def _apart_view(flagged: pd.DataFrame) -> pd.DataFrame:
    """One row per cell apart: its group, how many figures stand apart and the reason of the furthest."""
    ranked = flagged.assign(distance=flagged["z"].abs()).sort_values("distance", ascending=False)
    rows = [{"cell": cell, "group": found["group"].iloc[0], "figures_apart": len(found),
             "furthest": found["reason"].iloc[0]} for cell, found in ranked.groupby("cell", sort=False)]
    return pd.DataFrame(rows).sort_values("figures_apart", ascending=False, kind="stable")


def _groups_view(statistics: pd.DataFrame) -> pd.DataFrame:
    """One row per group, one column per figure of :data:`SUMMARY_METRICS` as ``median (q25–q75)``."""
    rows = {}
    for row in statistics.itertuples(index=False):
        if row.metric not in SUMMARY_METRICS:
            continue
        entry = rows.setdefault(row.group, {"group": row.group, "cells": row.cells})
        entry[f"{SHORT[row.metric]} ({row.unit})"] = f"{row.median:.3g} ({row.q25:.3g}–{row.q75:.3g})"
    return pd.DataFrame(list(rows.values()))
