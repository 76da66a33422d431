"""How a report's sections become pages, and where each verdict's evidence link lands.

The report is a small site: an entry page with the activation map and one compact table of verdicts,
a page for the findings in full, one page per modality and one for the model, and a page of the study's
samples and parameters. Every figure (``fig-<id>``) and table (``tab-<id>``) has an anchor; a verdict's
evidence link goes to the one figure or table that shows what it rests on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redoxmap.report.elements import ReportSection
from redoxmap.study.couples import by_cycle

ENTRY, STUDY = "index", "study"

# A verdict's evidence section and the kind of its couple -> the anchors that show it, best first (on any
# page: a region's capacity is drawn on the findings page).
EVIDENCE_ANCHORS = {
    ("xas", "O"): ("fig-xas_oxygen_r", "tab-xas_activation"),
    ("xas", "TM"): ("fig-xas_valence", "tab-xas_valence"),
    ("cycling", "region"): ("fig-findings_regions", "tab-cycling_regions"),
    ("cycling", "capacity"): ("fig-cycling_capacity_rise", "fig-cycling_capacity", "tab-cycling_summary"),
    ("cycling", "O"): ("fig-cycling_capacity_rise", "fig-cycling_capacity"),
    ("model", "O"): ("fig-model_map_0", "fig-model_r", "tab-model_parameters"),
}


@dataclass(frozen=True)
class Page:
    """One page of the report: its id (a section's, or ``index``/``study``), file and navigation label."""

    id: str
    file: str
    label: str


def plan_pages(sections: list[ReportSection]) -> list[Page]:
    """The entry page, a page per section (the findings in full first) and the study's page."""
    pages = [Page(ENTRY, "index.html", "Answer")]
    for section in sections:
        label = "Findings in full" if section.id == "findings" else section.title.split(":")[0]
        pages.append(Page(section.id, f"{section.id}.html", label))
    return [*pages, Page(STUDY, "study.html", "Samples and parameters")]


def anchors_of(section: ReportSection) -> list[str]:
    """Every anchor of a section's page, figures first."""
    return [f"fig-{f.id}" for f in section.figures] + [f"tab-{t.id}" for t in section.tables]


def evidence_target(verdict, sections: list[ReportSection]) -> tuple[str, str]:
    """``(page id, anchor)`` of the figure or table that shows a verdict's evidence.

    The verdict names its section (``xas``, ``cycling``, ``model``, ``samples``) and its couple; the
    element that shows that couple (:data:`EVIDENCE_ANCHORS`, on whichever page holds it), else the
    section's first figure or table.
    """
    section = next((s for s in sections if s.id == verdict.evidence), None)
    if section is None:
        return STUDY, "samples"
    kind = "region" if "region" in verdict.couple else verdict.couple.split(" ")[0]
    pages = {anchor: s.id for s in sections for anchor in anchors_of(s)}
    preferred = [a for a in EVIDENCE_ANCHORS.get((section.id, kind), ()) if a in pages]
    if preferred:
        return pages[preferred[0]], preferred[0]
    present = anchors_of(section)
    return section.id, present[0] if present else ""


CELL_ASPECTS = ("capacity", "comparison")
"""Verdicts on one cell's capacity and on pairs of samples: a campaign's entry page summarises them by
group instead (:mod:`redoxmap.report.campaign_section`)."""


def verdict_rows(verdicts, sections: list[ReportSection], simulated: set[str], *,
                 per_cell: bool = True) -> list[dict]:
    """The entry page's table: one row per determined verdict (sample, couple, where, since, n90 and the
    finding in a line), each with its evidence link and whether its samples are simulated; without
    ``per_cell``, the verdicts of :data:`CELL_ASPECTS` are left to the findings page."""
    rows = []
    for verdict in verdicts:
        if not verdict.determined or (not per_cell and verdict.aspect in CELL_ASPECTS):
            continue
        page, anchor = evidence_target(verdict, sections)
        names = verdict.sample.split(" vs ")
        rows.append({
            "sample": verdict.sample, "simulated": any(n in simulated for n in names),
            "couple": verdict.couple.split(" (")[0], "where": verdict.where or "—", "since": verdict.since or "—",
            "n90": _n90(verdict.n90, verdict.n90_stderr), "finding": verdict.headline,
            "page": page, "anchor": anchor})
    return rows


def _n90(n90: float, stderr: float) -> str:
    """Cycles to 90 % as the headline gives it: the first whole cycle at or after it, with its error."""
    return by_cycle(n90, stderr) if math.isfinite(n90) else "—"
