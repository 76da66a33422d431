"""The interface-chemistry section of the report: XPS of the electrolyte and DEMS of the gas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.defaults import ADVENTITIOUS_CARBON_EV
from redoxmap.report import interface_figures as figs
from redoxmap.report.elements import ReportSection, add_figure, add_table, sample_page, section_from_outcomes
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.executor import TaskOutcome


def build_interface_section(outcomes: list[TaskOutcome], out: Path, plt) -> ReportSection:
    """Figures and tables of XPS and DEMS analyses (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="interface", title="Interface chemistry: electrolyte decomposition (XPS) and gas (DEMS)",
        intro=(f"XPS: each region is charge-corrected to adventitious C 1s ({ADVENTITIOUS_CARBON_EV:g} eV unless the "
               "manifest says otherwise) and fitted with spin-orbit doublets of fixed splitting and 2:1 areas over a "
               "Shirley or "
               "Tougaard background fitted with the peaks; component positions start from the cited literature. "
               "A family's share carries the statistical error and half the change when the other background "
               "is used. DEMS: ion currents over calibrated sensitivity factors, baseline-, delay- and "
               "headspace-lag-corrected, integrated per half cycle on the cycler's clock; O2 counts 4 e- "
               "(1 µmol/g = 0.107 mAh/g) against the region III capacity; lattice oxygen lost is 2 O per O2."),
    )
    xps = [a for a in analyses if hasattr(a, "shares")]
    dems = [a for a in analyses if hasattr(a, "totals")]
    samples = len({a.name for a in analyses})
    section.warnings += [(a.name, note) for a in analyses for note in a.notes]
    for k, analysis in enumerate(xps, start=1):
        if analysis.fits:
            page = sample_page(section, analysis.name, k, samples)
            add_figure(page, plt, Drawing(figs.xps_fits_figure, analysis.fits[:9], title=analysis.name), out,
                       id=f"xps_fits_{k}", title=f"{analysis.name}: XPS fits",
                       caption="Data (dots), components (shaded, with their shares), background (dashed) and the "
                               "fitted envelope; binding energy decreases to the right.", wide=True)
    shares = pd.concat([a.shares.assign(sample=a.name) for a in xps if not a.shares.empty], ignore_index=True) \
        if any(not a.shares.empty for a in xps) else pd.DataFrame()
    if not shares.empty:
        add_figure(section, plt, Drawing(figs.xps_shares_figure, [a for a in xps if not a.shares.empty]), out,
                   id="xps_shares", title="Electrolyte decomposition by state",
                   caption="Shares of the decomposition families in each fitted region, with errors that include "
                           "the background choice.")
        add_table(section, shares[["sample", *[c for c in shares.columns if c != "sample"]]], out, id="xps_shares",
                  title="XPS shares by family", caption="Per sample, state and region; the charge correction applied.",
                  keys=["sample", "state", "region", "family", "share"])
    for k, analysis in enumerate(dems, start=1):
        page = sample_page(section, analysis.name, len(xps) + k, samples)
        for j, (state, evolution) in enumerate(analysis.results, start=1):
            add_figure(page, plt, Drawing(figs.dems_figure, analysis.name, state, evolution), out,
                       id=f"dems_{k}_{j}", title=f"{analysis.name}: gas evolution ({state})",
                       caption=f"Voltage, current and gas rates on the cycler's clock (offset "
                               f"{evolution.assumptions['offset_s']:.2f} s, {evolution.assumptions['offset_from']}).")
    totals = pd.concat([a.totals.assign(sample=a.name) for a in dems if not a.totals.empty], ignore_index=True) \
        if any(not a.totals.empty for a in dems) else pd.DataFrame()
    if not totals.empty:
        add_table(section, totals[["sample", *[c for c in totals.columns if c != "sample"]]], out, id="dems_totals",
                  title="Gas per half cycle", caption="Amounts with errors (baseline noise and calibration), onset "
                  "voltages, O2-equivalent charge against the region III capacity.",
                  keys=["sample", "state", "half_cycle", "direction", "gas", "amount_umol_g", "onset_V"])
    return section
