"""The report's first section: the answer. Verdicts, the activation map at a glance, the capacity by
voltage region and cycle, and (for a virtual study) the truth beside what was recovered."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxmap.report import interactive
from redoxmap.report import map_figures as figs
from redoxmap.report.elements import ReportSection, add_figure, add_table
from redoxmap.report.figure_cache import Drawing

MAP_FIGURE_ROWS = 60
"""The most rows (a sample's quantities each) the activation map figure draws. It grows 0.42 in a row: a
campaign of 1,000 cells made a figure 840 in tall, 1.2 GB to draw at print resolution and read by no one."""
REGION_FIGURE_SAMPLES = 16
"""The most samples whose charge by voltage region and cycle is drawn: two or three curves each, in colours that
repeat after eight, with a legend row for every two curves (a campaign of 1,000 cells made a figure 130 in tall
and 3.3 MB of interactive figure on the Findings page)."""
MAP_TABLE = "tables/activation_map.nc"
"""The report's file of every number of the map: the notes of the figures not drawn name it."""


def build_findings_section(amap, out: Path, plt, *, findings=None, truth: dict | None = None) -> ReportSection:
    """The Findings section of a study's activation map (files go into ``out``).

    Parameters
    ----------
    amap : redoxmap.study.ActivationMap
    findings : redoxmap.study.Findings, optional
        The map's findings, if already derived.
    truth : dict, optional
        A virtual study's ``truth.json``: adds a table of truth against recovered values.
    """
    findings = findings if findings is not None else amap.findings()
    ds = amap.dataset
    options = amap.options
    floors = ", ".join(f"{k} {v:g}" for k, v in options.floors.items())
    section = ReportSection(
        id="findings", title="Findings",
        intro=(f"What the measurements say, from the activation map of every sample, state and probing depth "
               f"({ds.attrs.get('depth_note', '')}). Every error combines the fit's own, the spread of replicates, "
               f"analysis choices and references, and each method's systematic floor ({floors}). A difference "
               f"counts when it exceeds {options.significance_sigma:g} of these errors; 'first' needs a lead in "
               f"time; a speed needs {options.min_states} charged states, and 'fast' means 90 % within "
               f"{options.fast_cycles:g} cycles. [map] in study.toml sets each; 'How redoxmap decides' in the "
               f"documentation lists every rule."))
    section.verdicts = findings.verdicts
    _add_map(section, amap, findings, out, plt)
    _add_regions(section, amap, out, plt)
    if truth is not None:
        from redoxmap.study.truth import truth_table, truth_verdicts

        verdicts = truth_verdicts(findings, truth, amap)
        if not verdicts.empty:
            add_table(section, verdicts, out, id="findings_truth_verdicts",
                      title="Virtual study: the verdicts against the truth",
                      caption=f"The verdicts found here against those found on the same map filled with the true "
                              f"values; {int(verdicts['agree'].sum())} of {len(verdicts)} agree.")
        table = truth_table(amap, findings, truth)
        if not table.empty:
            add_table(section, table, out, id="findings_truth", title="Virtual study: the numbers against the truth",
                      caption=f"Every number the truth knows, recovered ± standard error; "
                              f"{int(table['within_2_sigma'].sum())} of {len(table)} within 2σ.",
                      keys=["sample", "quantity", "truth", "recovered"])
    for name, title, caption, keys in (
            ("summary", "Verdicts by couple",
             ("Where each couple works, since which charge, cycles to 90 % with its error, the measurements behind "
              "it and the floor at which it would read differently."),
             ["sample", "couple", "where", "since", "n90", "speed"]),
            ("differences", "Surface against bulk", "Surface minus bulk at each state, its combined error and z.",
             ["sample", "variable", "state", "difference"]),
            ("leads", "Leads in time",
             ("Where one probe's activation starts before the other's: by the states that bound the later onset, "
              "or by n50."), ["sample", "couple", "first", "by"]),
            ("kinetics", "Since which cycle", "Cycles to 50 % and 90 % of the final value by couple and source.",
             ["sample", "couple", "source", "probe", "n50", "n90"]),
            ("onsets", "Onsets",
             ("The first charged state with a significant rise (activation) or fall below pristine (reduction), "
              "by couple and probe."), ["sample", "couple", "probe", "kind", "onset_state"]),
            ("budget", "Error budget",
             ("Every state-resolved number with the parts of its standard error: the fit's own, replicates, the "
              "method's floor, analysis choices and references; total = sqrt(max(statistical, replicates)² + "
              "floor² + choice² + references²)."), ["sample", "variable", "state", "probe", "value"])):
        frame = capped_significance(getattr(findings, name))
        if not frame.empty:
            add_table(section, frame, out, id=f"findings_{name}", title=title, caption=caption, keys=keys)
    missing = amap.missing()
    if not missing.empty:
        add_table(section, missing, out, id="findings_missing", title="What more measurements would answer",
                  caption="Per sample, each missing kind of measurement and the question it would answer.")
    table = amap.table()
    if not table.empty:
        add_table(section, table, out, id="activation_map", title="The activation map, every number",
                  caption="Every measured number by sample, state and probe, with its error and files "
                          "(also activation_map.nc, NetCDF with CF attributes).",
                  keys=["sample", "state", "probe", "variable", "value"], shown=table.head(60))
    return section


def capped_significance(frame: pd.DataFrame) -> pd.DataFrame:
    """A table whose ``z`` column reads as a significance ("2.4σ", at most "> 10σ")."""
    if frame.empty or "z" not in frame:
        return frame
    from redoxmap.formatting import format_sigma

    return frame.assign(z=[format_sigma(z) for z in frame["z"]]).rename(columns={"z": "significance"})


def write_map_files(amap, out: Path) -> dict[str, str]:
    """The map as NetCDF beside the report's tables."""
    path = amap.save(out / "tables" / "activation_map.nc")
    return {"nc": str(path.relative_to(out))}


def findings_frame(findings) -> pd.DataFrame:
    """The verdicts as a table (for report.json)."""
    return pd.DataFrame([{"sample": v.sample, "couple": v.couple, "aspect": v.aspect, "sentence": v.sentence,
                          "evidence": v.evidence, "determined": v.determined, "where": v.where, "since": v.since,
                          "speed": v.speed, "robustness": v.robustness.get("text", "")} for v in findings.verdicts])


def _add_regions(section: ReportSection, amap, out: Path, plt) -> None:
    """The charge by voltage region per sample and cycle, static and interactive, or, beyond
    :data:`REGION_FIGURE_SAMPLES`, a note of where the numbers and the comparison by group are."""
    samples = len(figs.region_samples(amap.dataset))
    if samples > REGION_FIGURE_SAMPLES:
        section.warnings.append((MAP_TABLE, (
            f"The charge by voltage region is not drawn per sample: {samples} samples' curves are more than a "
            f"figure can tell apart ({REGION_FIGURE_SAMPLES}); the campaign on the entry page draws the top "
            f"region's share per cycle by group, and every number is in {MAP_TABLE}.")))
        return
    if samples:
        add_figure(section, plt, Drawing(figs.region_capacity_figure, amap), out, id="findings_regions",
                   title="Charge capacity by voltage region and cycle",
                   caption="The charge passed in each voltage region of every charge, per sample (the region "
                           "bounds are in the cycling parameters).")
    region = interactive.region_capacity_figure(amap)
    section.interactive += [region] if region is not None else []


def _add_map(section: ReportSection, amap, findings, out: Path, plt) -> None:
    """The activation map figure and its interactive twin, or, beyond :data:`MAP_FIGURE_ROWS`, a note of where
    its numbers are."""
    ds = amap.dataset
    rows = len(figs.map_rows(ds))
    if rows > MAP_FIGURE_ROWS:
        section.entry_note = ((f"The activation map figure is not drawn: its {rows} rows (a sample's quantities "
                              f"each) are more than a figure can show ({MAP_FIGURE_ROWS}); every number is in "),
                              MAP_TABLE, " (and the command redoxmap map STUDY --json prints them).")
        section.warnings.append((MAP_TABLE, "".join(section.entry_note)))  # named by the file of its numbers
        return
    if rows:
        add_figure(section, plt, Drawing(figs.map_figure, amap, findings), out, id="findings_map",
                   title="Activation map: surface and bulk by sample and state",
                   caption="Each cell is split into the surface probe (TEY, left) and the bulk probe (iPFY/TFY, "
                           "right); colour and number give the value. Hatched: r not above zero by the significance "
                           "threshold; ≈, > and < compare surface with bulk; whole-electrode quantities (XRD, "
                           "EIS) fill a cell.", wide=figs.map_state_count(ds) > 5)
    mapped = interactive.map_figure(amap)
    section.interactive += [mapped] if mapped is not None else []
