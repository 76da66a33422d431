"""The cycling section of the report: figures and tables from every cell's analysis."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.report import cycling_figures as figs
from redoxmap.report import interactive_cycling as browser
from redoxmap.report.elements import (
    ReportSection,
    add_figure,
    add_table,
    drawn_by_browser,
    sample_page,
    section_from_outcomes,
)
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.analyses.cycling import CyclingAnalysis, capacity_column
from redoxmap.study.executor import TaskOutcome

INTERACTIVE_CELLS = 64
"""Cells in the section's interactive capacity plot: beyond, 128 traces and more load slowly and cannot be told
apart (each cell's page has its own, and the campaign view compares the groups)."""


def _stacked(analyses: list[CyclingAnalysis], attribute: str) -> pd.DataFrame:
    frames = []
    for analysis in analyses:
        frame = getattr(analysis, attribute).copy()
        frame.insert(0, "cell", analysis.name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def overview_table(analyses: list[CyclingAnalysis]) -> pd.DataFrame:
    """One row per cell: what it is and its headline numbers."""
    rows = []
    for a in analyses:
        meta, s = a.metadata, a.per_cycle[a.per_cycle["cycle"] >= 1]
        column = capacity_column("discharge_capacity", a.capacity_unit)
        discharge = s[column].dropna()
        fit = a.capacity_rise
        rows.append({
            "cell": a.name,
            "instrument": meta.instrument,
            "file": Path(meta.source_file).name,
            "active_mass_mg": meta.active_mass_mg,
            "temperature_C": meta.temperature_C,
            "cycles": int(s["cycle"].max()) if len(s) else 0,
            "unit": a.capacity_unit,
            "first_discharge": discharge.iloc[0] if len(discharge) else None,
            "max_discharge": discharge.max() if len(discharge) else None,
            "cycle_of_max": int(s.loc[discharge.idxmax(), "cycle"]) if len(discharge) else None,
            "ce_cycle1_pct": s["coulombic_efficiency_pct"].iloc[0] if len(s) else None,
            "Q_inf": fit.q_inf if fit else None,
            "Q_inf_stderr": fit.q_inf_stderr if fit else None,
            "N_act_cycles": fit.n_act if fit else None,
            "N_act_cycles_stderr": fit.n_act_stderr if fit else None,
            # blank where the law puts 90 % beyond the cycles measured: an extrapolation, not a finding
            "n90_cycles": fit.n90 if fit and len(s) and fit.n90 <= s["cycle"].max() else None,
            "fit_R2": fit.r_squared if fit else None,
        })
    return pd.DataFrame(rows)


HOVER = "Hover for values, click a legend entry to hide a series, drag to zoom (double-click resets)."


def _cell_figures(a: CyclingAnalysis) -> list[tuple[str, object, object, str, str]]:
    """A cell's own figures as ``(kind, static drawing function, interactive builder, title, caption)``."""
    return [
        ("profiles", figs.voltage_profile_figure, browser.voltage_profile_figure, f"{a.name}: voltage profiles",
         f"Voltage against capacity, cycles {', '.join(map(str, a.profile_cycles))}."),
        ("dqdv", figs.dqdv_figure, browser.dqdv_figure, f"{a.name}: dQ/dV",
         (f"Differential capacity (discharge negative; Gaussian kernel, σ = "
          f"{a.dqdv.parameters['smoothing_V'] * 1000:g} mV; CV holds excluded: {a.dqdv.parameters['exclude_cv']}); "
          "named peaks are those inside the voltage windows.")),
        ("regions", figs.regions_figure, browser.regions_figure, f"{a.name}: charge capacity by voltage region",
         "Charge passed in each voltage region during each charge."),
        ("peaks", figs.peak_tracking_figure, browser.peak_tracking_figure, f"{a.name}: dQ/dV peaks across cycles",
         "Position and area of the dQ/dV peaks followed from cycle to cycle."),
    ]


def _add_browser_figures(page: ReportSection, a: CyclingAnalysis, cell: str) -> None:
    """A campaign cell's page without ``--print-figures``: its figures drawn by the browser when the page is
    opened, from their numbers in the page. Drawn here by Matplotlib they were four fifths of the report's time
    per cell (0.49 s of CPU against 0.14 s for reading and analysing ``test_2.ndax``), for pages few open."""
    page.interactive.append(browser.capacity_figure([a], id=f"cycling_{cell}_capacity", wide=False, printed=True,
                                                        title=f"{a.name}: capacity per cycle"))
    for kind, _, build, title, caption in _cell_figures(a):
        page.interactive.append(build(a, f"cycling_{cell}_{kind}", title, f"{caption} {HOVER}"))


def _add_static_figures(page: ReportSection, a: CyclingAnalysis, cell: str, out: Path, plt, *,
                        own_page: bool) -> None:
    """A cell's figures drawn by Matplotlib (the preview, and the 300 dpi PNG and SVG with ``--print-figures``),
    with its dQ/dV, and on a page of its own its capacity, to explore in the browser beside them."""
    if own_page:
        page.interactive.append(browser.capacity_figure([a], id=f"cycling_{cell}_capacity_interactive"))
    for kind, draw, _, title, caption in _cell_figures(a):
        add_figure(page, plt, Drawing(draw, a), out, id=f"cycling_{cell}_{kind}", title=title, caption=caption)
    page.interactive.append(browser.dqdv_figure(
        a, f"cycling_{cell}_dqdv_interactive", f"{a.name}: dQ/dV (interactive)",
        "Charge and discharge (negative) of each profile cycle; hover for values, drag to zoom.", printed=False))


def build_cycling_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Make the figures and tables of the cycling section (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="cycling", title="Galvanostatic cycling",
        intro=("Capacity, efficiency and energy per cycle; voltage profiles; differential "
               "capacity (dQ/dV) with peaks tracked across cycles; capacity by voltage region "
               "(default: the reference study's regions I < 3.9 V, II 3.9–4.4 V, III > 4.4 V); "
               "activation kinetics Q(n) = Q∞ − (Q∞ − Q₁)·exp(−(n−1)/N_act)."),
    )
    if not analyses:
        return section

    if len(analyses) <= INTERACTIVE_CELLS:
        section.interactive.append(browser.capacity_figure(analyses))
    summaries = [a.summary() for a in analyses]
    add_figure(section, plt, Drawing(figs.capacity_figure, summaries), out, id="cycling_capacity",
               title="Capacity and coulombic efficiency",
               caption="Discharge (filled) and charge (open) capacity and coulombic efficiency against cycle number.")
    if any(a.capacity_rise is not None for a in analyses):
        add_figure(section, plt, Drawing(figs.capacity_rise_figure, summaries), out, id="cycling_capacity_rise",
                   title="Activation kinetics",
                   caption="Discharge capacity (points) and the fitted saturating activation law (lines), "
                           "with the activation constant N_act and its standard error.")
    for k, a in enumerate(analyses, start=1):
        cell, page = f"cell{k}", sample_page(section, a.name, k, len(analyses))
        if drawn_by_browser(page):
            _add_browser_figures(page, a, cell)
        else:
            _add_static_figures(page, a, cell, out, plt, own_page=page is not section)

    overview = overview_table(analyses)
    add_table(section, overview, out, id="cycling_overview", title="Cells",
              caption="Headline numbers per cell; Q∞, N_act and n90 from the activation fit with standard errors.")
    summary = _stacked(analyses, "per_cycle")
    key = summary[summary.groupby("cell")["cycle"].transform(
        lambda c: c.isin([1, 2, 5, 10, 20, 40, 100]) | (c == c.max()))]
    add_table(section, summary, out, id="cycling_summary", title="Per-cycle summary",
              caption="Selected cycles shown; the full table is in the files.", shown=key)
    regions = _stacked(analyses, "regions")
    shown = regions[(regions["direction"] == "charge") & (regions["cycle"] <= 3)]
    add_table(section, regions, out, id="cycling_regions", title="Capacity by voltage region",
              caption="Charge half cycles of cycles 1–3 shown.", shown=shown)
    peaks = _stacked(analyses, "peaks")
    shown = peaks[peaks["label"].notna() & (peaks["cycle"] <= 3)]
    add_table(section, peaks, out, id="cycling_peaks", title="dQ/dV peaks",
              caption="Named peaks of cycles 1–3 shown; every peak of every cycle is in the files.",
              shown=shown if len(shown) else peaks.head(12))
    add_table(section, _stacked(analyses, "half_cycles"), out, id="cycling_half_cycles",
              title="Half cycles", caption="One row per charge or discharge.",
              shown=_stacked(analyses, "half_cycles").head(8))
    dqdv = pd.concat([a.dqdv.to_frame().assign(cell=a.name) for a in analyses], ignore_index=True)
    add_table(section, dqdv, out, id="cycling_dqdv", title="dQ/dV curves",
              caption="dQ/dV of the profile cycles on the voltage grid.", shown=dqdv.head(5))
    return section
