"""The X-ray absorption section of the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.report import interactive, interactive_fits
from redoxmap.report import xas_figures as figs
from redoxmap.report.elements import (
    ReportSection,
    add_figure,
    add_table,
    drawn_by_browser,
    sample_page,
    section_from_outcomes,
    stacked_tables,
)
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.executor import TaskOutcome

MAX_LCF_FIGURES = 6  # LCF figures on a page: the section's, or a sample's own
STACKED_SPECTRA = 16
"""The most spectra (sample and state) of one edge and mode stacked in one figure, static and interactive: a
campaign of 1,000 cells stacked 1,000 in a figure 3.6 in tall and wrote 15 MB of interactive figure."""
SENSITIVITY_ROWS = 40
"""The most spectra in the figure of the valence against analysis choices: it grows 0.26 in a row (1,000 cells
made it 78,000 px tall)."""


def build_xas_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Figures and tables of the XAS section (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="xas", title="X-ray absorption: valence and oxygen activation, surface and bulk",
        intro=("Average TM valence by linear combination of references (weights ≥ 0, summing to one, "
               "solved exactly; errors from the fit covariance, a residual bootstrap and the fit-window "
               "sensitivity), the O K pre-edge peaks and the activation index r, and surface-layer and "
               "bulk values from TEY and a bulk mode by a two-layer inversion."),
    )
    section.warnings += [(a.name, note) for a in analyses for note in a.notes]
    if not analyses:
        return section
    _add_spectra(section, analyses, out, plt)
    if any(not a.valence.empty for a in analyses):
        add_figure(section, plt, Drawing(figs.valence_figure, analyses), out, id="xas_valence",
                   title="Average valence against state",
                   caption="Filled: TEY (surface, ~4 nm); open: bulk modes (iPFY/TFY, 100–200 nm). "
                           "Error bars: standard errors from the fit covariance.")
    rows = sum(a.sensitivity.groupby(["state", "edge", "mode"]).ngroups for a in analyses if not a.sensitivity.empty)
    if rows > SENSITIVITY_ROWS:
        section.warnings.append(("tables/xas_sensitivity.csv", (
            f"The valence against analysis choices is not drawn: its {rows} spectra are more than a figure can "
            f"show ({SENSITIVITY_ROWS}); every variant's valence is in tables/xas_sensitivity.csv.")))
    elif rows:
        add_figure(section, plt, Drawing(figs.sensitivity_figure, analyses), out, id="xas_sensitivity",
                   title="Valence against analysis choices",
                   caption="Grey: refits with the fit-window edges moved by ±5 eV and, for K edges, post-edge "
                           "normalisation from 20, 30 or 45 eV above E0 with a line or a quadratic; black: the "
                           "reported valence and its standard error.")
    if any(not a.activation.empty and "r" in a.activation for a in analyses):
        add_figure(section, plt, Drawing(figs.activation_figure, analyses), out, id="xas_oxygen_r",
                   title="Oxygen activation index against state",
                   caption="r = (b − b0)/a from the O K pre-edge peak heights; TEY beside bulk.")
    _add_sample_pages(section, analyses, out, plt)
    for attribute, title, caption in (
            ("valence", "Valences", ("Valence by LCF with standard error, bootstrap spread, window sensitivity, "
                                    "R-factor and the weights.")),
            ("activation", "O K pre-edge and activation index", "Peak centres, heights and areas with errors; r."),
            ("depth", "Surface and bulk", "Two-layer inversion of TEY and bulk-mode values."),
            ("sensitivity", "Valence sensitivity", "Every fit-window and normalisation variant.")):
        table = stacked_tables(analyses, attribute)
        if not table.empty:
            add_table(section, table, out, id=f"xas_{attribute}", title=title, caption=caption)
    return section


def _add_spectra(section: ReportSection, analyses, out: Path, plt) -> None:
    """Per edge and mode, the spectra stacked in one figure and its interactive twin, or, beyond
    :data:`STACKED_SPECTRA`, a note of where each sample's spectra are."""
    pairs = sorted({(e, m) for a in analyses for (e, m, _) in a.spectra})
    for k, (edge, mode) in enumerate(pairs, start=1):
        count = sum(1 for a in analyses for (e, m, _) in a.spectra if (e, m) == (edge, mode))
        if count > STACKED_SPECTRA:
            table = spectra_table(analyses, edge, mode)
            add_table(section, table, out, id=f"xas_spectra_{k}", title=f"{edge} spectra ({mode})",
                      caption="Every normalised spectrum, a row per energy.", shown=table.head(4))
            section.warnings.append((f"tables/xas_spectra_{k}.csv", (
                f"The {edge} spectra ({mode}) are not stacked in one figure: {count} spectra are more than a figure "
                f"can tell apart ({STACKED_SPECTRA}); every normalised spectrum is in this file.")))
            continue
        add_figure(section, plt, Drawing(figs.stacked_spectra_figure, analyses, edge, mode), out,
                   id=f"xas_spectra_{k}", title=f"{edge} spectra ({mode})",
                   caption="Normalised spectra by sample and state, offset for clarity.")
        section.interactive.append(interactive.xas_spectra_figure(analyses, edge, mode, k))


LCF_CAPTION = "Data, fit, weighted reference components and residual."
OXYGEN_CAPTION = "Pre-edge peaks on the fitted background."


def _add_sample_pages(section: ReportSection, analyses, out: Path, plt) -> None:
    """Each sample's LCF and O K pre-edge figures, on its own page (:func:`sample_page`): drawn by Matplotlib, or by
    the browser on a campaign's pages (:func:`redoxmap.report.elements.drawn_by_browser`)."""
    shown = 0
    for k, analysis in enumerate(analyses, start=1):
        if not (analysis.fits or analysis.oxygen):
            continue  # nothing of its own to show: no page
        page = sample_page(section, analysis.name, k, len(analyses))
        by_browser = drawn_by_browser(page)
        lcf = list(analysis.fits.items())[:max(0, MAX_LCF_FIGURES - _lcf_figures(page))]
        oxygen = list(analysis.oxygen.items())[:4]
        for (edge, mode, state), fit in lcf:
            shown += 1
            title = f"{analysis.name}: LCF of {state} ({edge}, {mode})"
            if by_browser:
                page.interactive.append(interactive_fits.lcf_figure(fit, f"xas_lcf_{shown}", title, LCF_CAPTION))
            else:
                add_figure(page, plt, Drawing(figs.lcf_figure, fit, f"{analysis.name}: {state}\n{edge}, {mode}"),
                           out, id=f"xas_lcf_{shown}", title=title, caption=LCF_CAPTION)
        for (mode, state), fit in oxygen:
            shown += 1
            title = f"{analysis.name}: O K pre-edge, {state} ({mode})"
            if by_browser:
                page.interactive.append(interactive_fits.oxygen_fit_figure(
                    fit, f"xas_ok_{shown}", title, f"{OXYGEN_CAPTION} Below: the residual (data − fit)."))
            else:
                add_figure(page, plt, Drawing(figs.oxygen_fit_figure, fit, f"{analysis.name}: {state}, O K {mode}"),
                           out, id=f"xas_ok_{shown}", title=title, caption=OXYGEN_CAPTION)


def _lcf_figures(page: ReportSection) -> int:
    """LCF figures a page holds already (a sample's page may be shared: see :func:`sample_page`)."""
    return sum(f.id.startswith("xas_lcf") for f in [*page.figures, *page.interactive])


def spectra_table(analyses, edge: str, mode: str) -> pd.DataFrame:
    """The normalised spectra of one edge and mode, long: ``sample``, ``state``, ``energy_eV``, ``normalised``."""
    frames = [pd.DataFrame({"sample": analysis.name, "state": state, "energy_eV": energy, "normalised": norm})
              for analysis in analyses for (e, m, state), (energy, norm) in analysis.spectra.items()
              if (e, m) == (edge, mode)]
    return pd.concat(frames, ignore_index=True)
