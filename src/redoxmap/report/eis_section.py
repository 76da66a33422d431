"""The impedance section of the report."""

from __future__ import annotations

from pathlib import Path

from redoxmap.report import eis_figures as figs
from redoxmap.report import interactive, interactive_fits
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

MAX_FIT_FIGURES = 4  # per sample: the first spectrum of a series and a few more


FIT_CAPTION = ("Nyquist and Bode plots with the fitted circuit; residuals relative to |Z| (dotted: the "
               "Kramers-Kronig test's).")
DRT_CAPTION = "γ(τ) by Tikhonov regularisation (λ by GCV); triangles: peaks."
RESISTANCES_CAPTION = "Fitted resistances with standard errors; crosses: spectra failing the Kramers-Kronig test."
ARRHENIUS_CAPTION = ("ln(1/R) against 1000/T; lines: the fitted activation energies (the mean line through the "
                     "points with the fitted slope).")


def _add_static_figures(page: ReportSection, analysis, k: int, shown: list[int], out: Path, plt) -> None:
    """A sample's impedance figures drawn by Matplotlib: each shown spectrum's fit, the DRT, and the resistances
    and Arrhenius plot where there are several spectra or temperatures."""
    for j in shown:
        fit = analysis.fits[j]
        index = analysis.resistances["index"].iloc[j]
        add_figure(page, plt, Drawing(figs.fit_figure, fit, analysis.kk[index], title=f"{analysis.name}: {fit.label}"),
                   out, id=f"eis_fit_{k}_{j + 1}", title=f"{analysis.name}: {fit.label}", caption=FIT_CAPTION)
    add_figure(page, plt, Drawing(figs.drt_figure, analysis.drts, title=analysis.name), out, id=f"eis_drt_{k}",
               title=f"{analysis.name}: distribution of relaxation times", caption=DRT_CAPTION)
    if len(analysis.resistances) > 1:
        add_figure(page, plt, Drawing(figs.resistances_figure, analysis), out, id=f"eis_resistances_{k}",
                   title=f"{analysis.name}: resistances", caption=RESISTANCES_CAPTION)
    if not analysis.arrhenius.empty:
        add_figure(page, plt, Drawing(figs.arrhenius_figure, analysis), out, id=f"eis_arrhenius_{k}",
                   title=f"{analysis.name}: Arrhenius plot", caption=ARRHENIUS_CAPTION)


def _add_browser_figures(page: ReportSection, analysis, k: int, shown: list[int]) -> None:
    """The same figures drawn by the browser (:func:`redoxmap.report.elements.drawn_by_browser`): the shown
    spectra's residuals beside the Nyquist and Bode plots of every fit, the DRT, resistances and Arrhenius plot."""
    if analysis.fits:
        page.interactive.append(interactive_fits.eis_residuals_figure(
            analysis, shown, f"eis_residuals_{k}", f"{analysis.name}: fit residuals",
            "Residuals relative to |Z| of the real (solid) and imaginary (dashed) parts; dotted: the real part's "
            "of the Kramers-Kronig test."))
    name = analysis.name
    page.interactive.append(interactive_fits.drt_figure(analysis.drts, f"eis_drt_{k}",
                                                        f"{name}: distribution of relaxation times", DRT_CAPTION))
    if len(analysis.resistances) > 1:
        page.interactive.append(interactive_fits.resistances_figure(analysis, f"eis_resistances_{k}",
                                                                    f"{name}: resistances", RESISTANCES_CAPTION))
    if not analysis.arrhenius.empty:
        page.interactive.append(interactive_fits.arrhenius_figure(analysis, f"eis_arrhenius_{k}",
                                                                  f"{name}: Arrhenius plot", ARRHENIUS_CAPTION))


def build_eis_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Figures and tables of the impedance section (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="eis", title="Impedance: bulk, interface and charge transfer",
        intro=("Each spectrum is checked by the linear Kramers-Kronig test (Schönleber et al. 2014; flagged "
               "above 1 % of |Z|), fitted to the equivalent circuit by complex least squares (|Z|-weighted, "
               "seeded from its own data, standard errors from the covariance), and resolved by the "
               "distribution of relaxation times (Tikhonov, λ by GCV). RC pairs are sorted by time constant: "
               "the fastest is labelled bulk/grain boundary, the slowest charge transfer, those between "
               "interface; each is also placed in the capacitance ranges of Irvine, Sinclair and West (1990)."),
    )
    section.warnings += [(a.name, note) for a in analyses for note in a.notes]
    for k, analysis in enumerate(analyses, start=1):
        page = sample_page(section, analysis.name, k, len(analyses))
        by_browser = drawn_by_browser(page)
        if analysis.fits:
            page.interactive.append(interactive.nyquist_figure(analysis, k, printed=by_browser))
            page.interactive.append(interactive.bode_figure(analysis, k, printed=by_browser))
        shown = sorted({0, len(analysis.fits) // 2, len(analysis.fits) - 1})[:MAX_FIT_FIGURES]
        if by_browser:
            _add_browser_figures(page, analysis, k, shown)
        else:
            _add_static_figures(page, analysis, k, shown, out, plt)
    for attribute, title, caption in (
            ("resistances", "Resistances", ("Per spectrum: Kramers-Kronig check, fit quality, R0 and each RC "
                                            "pair's R (with standard error), effective C and label.")),
            ("arrhenius", "Activation energies", "From ln(1/R) against 1/kT where several temperatures were given.")):
        table = stacked_tables(analyses, attribute)
        if not table.empty:
            add_table(section, table, out, id=f"eis_{attribute}", title=title, caption=caption)
    return section
