"""The model section of the report: the activation model fitted to the study's cells."""

from __future__ import annotations

from pathlib import Path

from redoxmap.model.validation import Validation
from redoxmap.report import model_figures as figs
from redoxmap.report.elements import ReportSection, add_figure, add_table, section_from_outcomes
from redoxmap.report.figure_cache import Drawing
from redoxmap.study.executor import TaskOutcome


def add_held_out(section: ReportSection, validation: Validation, out: Path, plt) -> None:
    """The reference study's protocol: held-out predictions with their intervals against the measurements."""
    predictions = validation.predictions
    agreed = int(predictions["agrees"].sum())
    add_figure(
        section,
        plt,
        Drawing(figs.held_out_figure, predictions),
        out,
        id="model_held_out",
        title=f"Reference study, held out: {agreed} of {len(predictions)} predictions agree",
        caption="The model trained on the reference study's capacities at 30 and 50 °C and its bulk r only "
        "(every other value fixed, with its source and error, in the table below); each point is a held-out "
        "number's prediction over its measurement, the bar its 95 % interval: every fixed value drawn from its "
        "error and the model refitted. Blue: within 15 %, or within the interval and the measurement's error "
        "where the interval determines its prediction (neither end beyond zero or twice the prediction); "
        "vermilion: missed. An open marker without a bar: an interval that does not determine its prediction.",
    )
    add_table(section, predictions, out, id="model_held_out_table", title="Held-out predictions",
              caption="Surface (TEY) r-values and the liquid cell's first discharge, never seen by the fit.")
    if len(validation.checks):
        add_table(section, validation.checks, out, id="model_checks", title="Qualitative tests of the reference study",
                  caption="The cell moved from 30 to 50 °C after two cycles, and the better-mixed composite at "
                  "30 °C: what the study saw, what the model predicts, and the verdict: agrees when the nominal "
                  "model and 95 % of the drawn parameter sets pass, disagrees when as many fail, else not "
                  "determined (the values the training numbers leave open decide it).")
    add_table(section, validation.fit.fixed, out, id="model_fixed", title="Fixed values, with source and error",
              caption="Every value the training numbers do not determine: measured in the study or stated (and "
              "why), each error drawn in the intervals.")


def build_model_section(outcomes: list[TaskOutcome], out: Path, plt, surface_evidence=None) -> ReportSection:
    """Figures and tables of the model section (files go into ``out``); ``surface_evidence``: the study's XPS and
    DEMS numbers of the surface reaction (:func:`redoxmap.study.surface_evidence.surface_reaction_evidence`),
    shown beside the values the fit holds."""
    section, analyses = section_from_outcomes(
        outcomes, id="model", title="Model: spatially asynchronous activation",
        intro=("The cycle-resolved model (TM redox fast and uniform; oxygen activating from the surface inwards, "
               "throttled by the interfaces) fitted jointly to every cell's per-cycle discharge capacity at its "
               "temperature and, where O K spectra were taken after numbered charges, to their r by mode. "
               "Parameters come with standard errors and correlations; pairs the data cannot tell apart are named "
               "below, with their likelihood profiles."),
    )
    for analysis in analyses:
        section.warnings += [("model", note) for note in analysis.notes]
        add_figure(section, plt, Drawing(figs.capacity_split_figure, analysis.runs, analysis.data), out,
                   id="model_capacity", title="Capacity by cycle: model (TM and O) and data",
                   caption="Lines: the fitted model's discharge capacity and its TM part (dotted); shaded: the "
                           "oxygen part; points: measured, with the uncertainty used in the fit.")
        if not analysis.r_values.empty:
            add_figure(section, plt, Drawing(figs.r_by_cycle_figure, analysis.runs, analysis.r_values), out,
                       id="model_r", title="Oxygen activation by XAS mode: model and data",
                       caption="Lines: the fitted model's r as TEY (solid, ~4 nm) and the bulk modes (dashed) see "
                               "it; points: r from the O K pre-edge fits (filled TEY, open bulk), fitted jointly "
                               "with the capacities.")
        for k, (label, run) in enumerate(analysis.runs.items(), start=1):
            add_figure(section, plt, Drawing(figs.activation_map_figure, run, title=label), out, id=f"model_map_{k}",
                       title=f"Activation map, {label}", caption="Activated fraction of the Li2MnO3 domains over "
                       "depth and cycle; cyan: the front (a = 1/2).")
        add_table(section, analysis.fit.table, out, id="model_parameters", title="Fitted parameters",
                  caption="Values and standard errors (from the Jacobian at the optimum).")
        if len(analysis.fit.fixed):
            add_table(section, analysis.fit.fixed, out, id="model_study_fixed",
                      title="Values the fit holds, with source and error",
                      caption="Not fitted: the study's own measurements (its SEM's particle radius, the surface "
                              "reaction from its surface valences after numbered charges) or the reference study's "
                              "stated values; the map's model arrays draw them.")
        if surface_evidence is not None and not surface_evidence.empty:
            add_table(section, surface_evidence, out, id="model_surface_evidence",
                      title="The surface reaction: what the study's XPS and DEMS measured",
                      caption="Beside the surface reaction the model holds (its rate, and its energy where two "
                              "temperatures measure it, from the surface valences: the values above): the share of "
                              "each chemical family in the XPS regions (the electrolyte's side products) and the "
                              "lattice oxygen released in each charge (DEMS), by sample and temperature. Evidence, "
                              "not fitted.")
        if not analysis.interface.empty:
            add_table(section, analysis.interface, out, id="model_interface",
                      title="Interface resistance from the cells' impedance",
                      caption="The slowest arc of each cell's first impedance state (Kramers-Kronig valid, "
                              "unflagged), times its active mass, fitted with the capacities per temperature with "
                              "a stated ±30 % for a resting cell's spectrum (see the model guide).")
        add_table(section, analysis.fit.correlations.reset_index(names="parameter"), out, id="model_correlations",
                  title="Parameter correlations", caption="Values near ±1 mean the data fix a combination only.")
        if analysis.profiles:
            add_figure(section, plt, Drawing(figs.profile_figure, analysis.profiles), out, id="model_profiles",
                       title="Profile likelihood of the poorly identified parameters",
                       caption="χ² above its minimum with the parameter held and the others refitted; dashed: "
                               "3.84 (95 %); dotted: where the profile crosses it. A profile that stays below the "
                               "line on one side means the data do not bound the parameter there.")
            add_table(section, analysis.intervals(), out, id="model_intervals", title="95 % intervals",
                      caption="Linearised (±1.96 standard errors) against the profile's; NaN: not bounded "
                              "within the scanned ±3 standard errors.")
        add_table(section, analysis.fit.residuals, out, id="model_residuals", title="Model against data",
                  caption="Each observation, the model's value and the normalised residual.")
        if analysis.validation is not None:
            add_held_out(section, analysis.validation, out, plt)
    return section
