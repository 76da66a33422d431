"""``redoxmap cycling ...``: galvanostatic cycling from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap import defaults
from redoxmap.cli.common import (
    CyclesOpt,
    ElectrodeOpt,
    FileArg,
    FormatOpt,
    JsonOpt,
    MassOpt,
    OutOpt,
    cell_meta,
    choice,
    command,
    emit,
    out_console,
    parse_cycles,
    parse_floats,
    read_cell,
)

cycling_app = typer.Typer(help="Galvanostatic cycling: summaries, dQ/dV, regions, capacity rise.",
                          no_args_is_help=True, rich_markup_mode=None)


@cycling_app.command("summary", epilog="Example:  redoxmap cycling summary cell.mpr --mass-mg 4.2 -o summary.csv")
@command
def cycling_summary(file: FileArg, mass: MassOpt = None, electrode: ElectrodeOpt = "cathode",
                    format: FormatOpt = None, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """Per-cycle capacity, efficiency, energy, mean voltages, hysteresis and retention."""
    from redoxmap.cycling import cycle_summary

    table = read_cell(file, mass, electrode, format)
    summary = cycle_summary(table)
    emit(summary, as_json=as_json, out=out, payload={"cell": cell_meta(table)}, title=f"{file.name}: cycles")


@cycling_app.command("dqdv", epilog="Example:  redoxmap cycling dqdv cell.ndax --cycles 1,2,10 --peaks")
@command
def cycling_dqdv(
    file: FileArg,
    cycles: CyclesOpt = None,
    direction: Annotated[
        str, typer.Option(help="charge, discharge or both.", **choice("charge", "discharge", "both"))
    ] = "both",
    step: Annotated[float, typer.Option("--step", help="Voltage grid spacing in V.")] = defaults.DQDV_VOLTAGE_STEP_V,
    smoothing: Annotated[
        str,
        typer.Option(
            "--smoothing",
            help="Gaussian kernel sigma in V, or auto (7.5 mV, at least twice the log's voltage resolution).",
        ),
    ] = defaults.DQDV_SMOOTHING_V,
    peaks: Annotated[bool, typer.Option("--peaks", help="Return the peaks instead of the curves.")] = False,
    windows: Annotated[
        str,
        typer.Option(
            help="Peak windows: none (peaks tracked by position) or reference "
            "(the Li-rich cathode's Ox1-Ox4, Red1-Red3).",
            **choice("none", "reference"),
        ),
    ] = "none",
    mass: MassOpt = None,
    electrode: ElectrodeOpt = "cathode",
    format: FormatOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """dQ/dV per half cycle on a voltage grid (kernel-smoothed), or its labelled peaks."""
    from redoxmap.cycling.differential import dqdv
    from redoxmap.cycling.peaks import find_dqdv_peaks, peak_windows

    table = read_cell(file, mass, electrode, format)
    directions = ("charge", "discharge") if direction == "both" else (direction,)
    result = dqdv(table, cycles=parse_cycles(cycles), directions=directions, voltage_step_V=step,
                  smoothing_V=smoothing if smoothing == "auto" else parse_floats(smoothing, "--smoothing")[0])
    payload = {"cell": cell_meta(table), "unit": result.unit, "parameters": result.parameters}
    if peaks:
        frame = find_dqdv_peaks(result, windows=peak_windows(windows))
        emit(frame, as_json=as_json, out=out, payload=payload, title=f"{file.name}: dQ/dV peaks")
    else:
        emit(result.to_frame(), as_json=as_json, out=out, payload=payload,
              title=f"{file.name}: dQ/dV ({result.unit})")


@cycling_app.command("regions", epilog="Example:  redoxmap cycling regions cell.ndax --bounds 3.9,4.4 --cycles 1,2")
@command
def cycling_regions(
    file: FileArg,
    bounds: Annotated[str, typer.Option(help="Region boundaries in V, comma-separated.")] = "3.9,4.4",
    names: Annotated[str | None, typer.Option(help="Region names, low to high, comma-separated.")] = None,
    cycles: CyclesOpt = None,
    direction: Annotated[
        str, typer.Option(help="charge, discharge or both.", **choice("charge", "discharge", "both"))
    ] = "charge",
    mass: MassOpt = None,
    electrode: ElectrodeOpt = "cathode",
    format: FormatOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Capacity in each voltage region per half cycle (default: I < 3.9 V < II < 4.4 V < III)."""
    from redoxmap.cycling.regions import region_capacities, regions_from_bounds

    table = read_cell(file, mass, electrode, format)
    regions = regions_from_bounds(parse_floats(bounds, "bounds"), names.split(",") if names else None)
    directions = ("charge", "discharge") if direction == "both" else (direction,)
    frame = region_capacities(table, regions=regions, cycles=parse_cycles(cycles), directions=directions)
    emit(frame, as_json=as_json, out=out, payload={"cell": cell_meta(table)}, title=f"{file.name}: regions")


@cycling_app.command(
    "capacity-rise", epilog="Example:  redoxmap cycling capacity-rise llo30.ndax llo50.ndax -m 4.1 -m 3.9"
)
@command
def cycling_capacity_rise(
    files: Annotated[list[Path], typer.Argument(help="One or more cycler files (one cell each).")],
    mass: Annotated[
        list[float] | None,
        typer.Option("--mass-mg", "-m", help="Active mass in mg; once for all files or once per file."),
    ] = None,
    fade: Annotated[bool, typer.Option("--fade", help="Also fit a linear fade term.")] = False,
    electrode: ElectrodeOpt = "cathode",
    format: FormatOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit the capacity rise Q(n) = Q_inf - (Q_inf - Q_1) exp(-(n-1)/N_act) to each cell and compare them
    (empirical; the physical model of activation is `redoxmap model fit`)."""
    from redoxmap.cycling import cycle_summary
    from redoxmap.cycling.capacity_rise import compare_capacity_rise, fit_capacity_rise_from_summary

    masses = list(mass or [])
    if len(masses) not in (0, 1, len(files)):
        raise typer.BadParameter("give --mass-mg once for all files or once per file")
    fits = []
    for k, file in enumerate(files):
        cell_mass = masses[k] if len(masses) == len(files) else (masses[0] if masses else None)
        table = read_cell(file, cell_mass, electrode, format)
        fits.append(fit_capacity_rise_from_summary(cycle_summary(table), name=file.name, linear_fade=fade))
    frame = compare_capacity_rise(fits)
    emit(frame, as_json=as_json, out=out, title="Capacity-rise fits")
    if not as_json:
        for fit in fits:
            out_console.print(fit.report(), highlight=False)


PLOTS = ("capacity", "capacity-rise", "profiles", "dqdv", "regions", "peaks")


@cycling_app.command("plot", epilog="Example:  redoxmap cycling plot cell.ndax --kind dqdv --cycles 1,2,10 -o dqdv.svg")
@command
def cycling_plot(
    files: Annotated[list[Path], typer.Argument(help="One or more cycler files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Figure file: .png, .svg or .pdf.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(PLOTS)}.", **choice(*PLOTS))] = "capacity",
    cycles: CyclesOpt = None,
    mass: Annotated[
        list[float] | None,
        typer.Option("--mass-mg", "-m", help="Active mass in mg; once for all files or once per file."),
    ] = None,
    electrode: ElectrodeOpt = "cathode",
    format: FormatOpt = None,
) -> None:
    """Draw a publication figure (capacity, capacity-rise, profiles, dqdv, regions, peaks)."""
    from redoxmap.io import atomic_write
    from redoxmap.report import cycling_figures as figs
    from redoxmap.report.style import figure_style
    from redoxmap.study.analyses.cycling import analyze_cycling

    if kind not in PLOTS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(PLOTS)}")
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter("the figure file must end in .png, .svg or .pdf")
    masses = list(mass or [])
    analyses = []
    for k, file in enumerate(files):
        cell_mass = masses[k] if len(masses) == len(files) else (masses[0] if masses else None)
        table = read_cell(file, cell_mass, electrode, format)
        options = {"profile_cycles": parse_cycles(cycles)} if cycles else {}
        analyses.append(analyze_cycling(table, peak_windows="none", **options))
    with figure_style() as plt:
        if kind in ("capacity", "capacity-rise"):
            figure = getattr(figs, f"{kind}_figure")(plt, analyses)
        else:
            name = {"profiles": "voltage_profile", "peaks": "peak_tracking"}.get(kind, kind)
            figure = getattr(figs, f"{name}_figure")(plt, analyses[0])
        atomic_write(out, lambda tmp: figure.savefig(tmp, format=out.suffix[1:]))
    out_console.print(f"wrote {out}")
