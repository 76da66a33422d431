"""The cyclic voltammetry section of the report."""

from __future__ import annotations

from pathlib import Path

from redoxmap.report import cv_figures as figs
from redoxmap.report.elements import ReportSection, add_figure, add_table, sample_page, section_from_outcomes
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.executor import TaskOutcome


def build_cv_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Figures and tables of the CV section (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="cv", title="Cyclic voltammetry: peaks and their scan-rate dependence",
        intro=("Sweeps split at potential reversals; per sweep the peak above a baseline extrapolated from the "
               "sweep's start; across scan rates b from log|i_p| = b log v + a (0.5 diffusion, 1 surface), the "
               "Randles-Sevcik diffusion coefficient where n, area and concentration are given, and the "
               "capacitive share k1 v / i of Dunn's split."),
    )
    for k, (name, analysis) in enumerate(analyses):
        section.warnings += [(name, note) for note in analysis.notes]
        page = sample_page(section, name, k + 1, len(analyses))
        add_figure(page, plt, Drawing(figs.voltammograms_figure, analysis, title=name), out, id=f"cv_{2 * k}",
                   title=f"{name}: voltammograms", caption="Last cycle of each record; dots: the peaks.")
        add_figure(page, plt, Drawing(figs.b_value_figure, analysis, title=name), out, id=f"cv_{2 * k + 1}",
                   title=f"{name}: b-values", caption="Peak current against scan rate; lines: log-log fits.")
        for attribute, title in (("peaks", "peaks"), ("b_values", "b-values"), ("diffusion", "Randles-Sevcik"),
                                 ("capacitive", "capacitive share")):
            table = getattr(analysis, attribute)
            if not table.empty:
                add_table(page, table.assign(sample=name), out, id=f"cv_{attribute}_{k}",
                          title=f"{name}: {title}", caption="")
    return section
