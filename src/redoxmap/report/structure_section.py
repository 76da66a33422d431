"""The structure section of the report: diffraction (ex situ and in situ) and HRTEM fringes."""

from __future__ import annotations

from pathlib import Path

from redoxmap.report import structure_figures as figs
from redoxmap.report.elements import (
    ReportSection,
    add_figure,
    add_table,
    section_from_outcomes,
    stacked_tables,
)
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.analyses.images import TemAnalysis
from redoxmap.study.analyses.xrd import XrdAnalysis
from redoxmap.study.executor import TaskOutcome


def build_structure_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Figures and tables of the structure section (files go into ``out``)."""
    section, values = section_from_outcomes(
        outcomes, id="structure", title="Structure: XRD peaks, lattice, in situ series and HRTEM fringes",
        intro=("Peaks are fitted as pseudo-Voigt K-α1/K-α2 doublets on a local background (Poisson-weighted; "
               "errors are standard errors). c = 3 d(003) for the layered R-3m phase; the Li2MnO3 (020) "
               "superlattice intensity relative to (003) tells whether those domains took part. Every peak's "
               "implied d-spacing is set against its reference reflection, so that an angle that does not match "
               "its assignment is visible. HRTEM spacings come from the FFT of the image or of boxes in it."),
    )
    xrd = [v for v in values if isinstance(v, XrdAnalysis)]
    tem = [v for v in values if isinstance(v, TemAnalysis)]
    section.warnings += [(a.name, note) for a in xrd for note in a.notes]
    if any(a.patterns for a in xrd):
        add_figure(section, plt, Drawing(figs.patterns_figure, xrd, marks={"003": 18.6, "020": 20.8}), out,
                   id="xrd_patterns", title="Patterns by state",
                   caption="Each pattern normalised to its maximum and offset; dotted: where LiTMO2 (003) "
                           "and Li2MnO3 (020) are expected with Cu K-α.")
    for k, analysis in enumerate(a for a in xrd if a.fits):
        add_figure(section, plt, Drawing(figs.peak_fits_figure, analysis.fits), out, id=f"xrd_fits_{k + 1}",
                   title=f"{analysis.name}: peak fits",
                   caption="Data (points), fit (line), background (dashed) and residual below each window.")
    n = 0
    for analysis in xrd:
        for series in analysis.series:
            n += 1
            add_figure(section, plt, Drawing(figs.series_map_figure, series, title=analysis.name), out,
                       id=f"xrd_series_map_{n}", title=f"{analysis.name}: in situ map",
                       caption="√intensity over 2θ and time around (003) and (020), with the cell voltage.")
            add_figure(section, plt, Drawing(figs.series_trends_figure, series, title=analysis.name), out,
                       id=f"xrd_series_trends_{n}", title=f"{analysis.name}: (003) and (020) against time",
                       caption="c = 3 d(003), (003) FWHM, and the integrated (020) intensity relative to (003), "
                               "with standard errors.")
            add_table(section, series.table.assign(sample=analysis.name), out, id=f"xrd_series_{n}",
                      title=f"{analysis.name}: in situ series", caption="Per scan, on the cycler's clock.")
    for image_index, analysis in enumerate(tem):
        for k in range(len(analysis.images)):
            add_figure(section, plt, Drawing(figs.fringes_figure, analysis, k), out,
                       id=f"tem_fft_{image_index + 1}_{k + 1}", title=f"{analysis.name}: HRTEM fringes",
                       caption="Image (boxes: analysed regions) and the FFT of each region with the spots found, "
                               "their spacing and the nearest candidate reflection.")
    for frame, id_, title, caption in (
            (stacked_tables(xrd, "per_state"), "xrd_summary", "Lattice by state",
             ("c from (003), the (020)/(003) intensity ratio, and refined lattice parameters where enough "
              "indexed peaks were found.")),
            (stacked_tables(xrd, "peaks"), "xrd_peaks", "Fitted peaks",
             "Centre, FWHM, mixing, areas, d-spacing with errors; points per FWHM; reduced χ² and R_wp."),
            (stacked_tables(xrd, "consistency"), "xrd_consistency", "d-spacings against references",
             "The d each fitted peak implies, the nearest reference reflection and the shift between them."),
            (stacked_tables(tem, "spots"), "tem_spots", "HRTEM fringe spacings",
             "Spots of each region: spatial frequency, d with its standard error, and the matched reflection.")):
        if not frame.empty:
            add_table(section, frame, out, id=id_, title=title, caption=caption)
    return section
