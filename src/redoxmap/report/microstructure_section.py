"""The microstructure section of the report: segmented sections, their metrics, and phi_c for the model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.report.elements import ReportSection, add_figure, add_table, section_from_outcomes
from redoxmap.report.figure_cache import Drawing
from redoxmap.report.style import COLORS
from redoxmap.study.executor import TaskOutcome


def sections_figure(plt, analyses):
    """One panel per sample and state: the first field with its phases over the image."""
    panels = [(a.name, state, r) for a in analyses for state, r in a.results]
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.0 * columns, 3.0 * rows), squeeze=False,
                                layout="constrained")
    for ax, (name, state, measured) in zip(axes.ravel(), panels):
        measured.plot(ax=ax)
        ax.set_title(f"{name}: {state}", fontsize="small", loc="left")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    return figure


def prediction_figure(plt, predictions: pd.DataFrame):
    """The model's discharge capacity with each sample's measured phi_c (band: ±1 standard error), and the
    measured capacities where the sample was cycled."""
    figure, ax = plt.subplots(figsize=(4.2, 3.0))
    for k, (sample, part) in enumerate(predictions.groupby("sample", sort=False)):
        color = COLORS[k % len(COLORS)]
        phi = part["phi_c"].iloc[0]
        ax.fill_between(
            part["cycle"], part["predicted_low_mAh_g"], part["predicted_high_mAh_g"], color=color, alpha=0.25, lw=0
        )
        ax.plot(part["cycle"], part["predicted_mAh_g"], color=color,
                label=f"{sample}: predicted (phi_c = {phi:.2f} ± {part['phi_c_stderr'].iloc[0]:.2f})")
        measured = part.dropna(subset=["measured_mAh_g"])
        if len(measured):
            ax.plot(measured["cycle"], measured["measured_mAh_g"], "o", ms=3, color=color, label=f"{sample}: measured")
    ax.set_xlabel("Cycle")
    ax.set_ylabel("Discharge capacity (mAh g$^{-1}$)")
    ax.legend(fontsize="xx-small", frameon=False)
    return figure


def build_microstructure_section(outcomes: list[TaskOutcome], out: Path, plt, predictions=None) -> ReportSection:
    """Figures and tables of the SEM/EDS analyses (files go into ``out``)."""
    section, analyses = section_from_outcomes(
        outcomes, id="microstructure", title="Microstructure: contact, particles and pathways (SEM/EDS)",
        intro=("Each field of view is segmented into void and the named phases: void where the pixel emits almost "
               "no X-rays and is dark in the image, the rest by a Poisson mixture of the element maps' compositions. "
               "Contact fraction: the share of the active material's boundary against each phase. Particles: "
               "connected regions split by a watershed, as equivalent diameters. Dispersion: the coefficient of "
               "variation of the local fraction. Tortuosity: steady diffusion through the phase, tau = eps D/D_eff. "
               "Errors: bootstrap over fields of view (over tiles of a single field, a lower bound)."),
    )
    section.warnings += [(a.name, note) for a in analyses for note in a.notes]
    if any(a.results for a in analyses):
        add_figure(section, plt, Drawing(sections_figure, [a for a in analyses if a.results]), out, id="sem_sections",
                   title="Segmented cross-sections", caption="The phases over the first field of each sample and "
                   "state.", wide=True)
    metrics = pd.concat([a.metrics.assign(sample=a.name) for a in analyses if not a.metrics.empty], ignore_index=True) \
        if any(not a.metrics.empty for a in analyses) else pd.DataFrame()
    if not metrics.empty:
        add_table(section, metrics[["sample", *[c for c in metrics.columns if c != "sample"]]], out, id="sem_metrics",
                  title="Microstructure metrics", caption="Per sample and state, with bootstrap standard errors.",
                  keys=["sample", "state", "metric", "phase", "value"])
    if predictions is not None and not predictions.empty:
        add_figure(section, plt, Drawing(prediction_figure, predictions), out, id="sem_prediction",
                   title="What the contact predicts", caption="The fitted activation model run with each sample's "
                   "phi_c (its contact fraction over the reference composite's) before its own cycling data are "
                   "used; points: the measured capacities, the check.")
        add_table(section, predictions, out, id="sem_prediction", title="Predicted and measured capacities",
                  caption="phi_c with its error, the predicted band, the measured value.",
                  keys=["sample", "cycle", "phi_c", "predicted_mAh_g", "measured_mAh_g"])
    return section
