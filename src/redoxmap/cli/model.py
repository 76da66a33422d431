"""``redoxmap model ...``: the activation model from the command line."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import JsonOpt, OutOpt, command, emit, records
from redoxmap.cli.structure import PlotOpt, save_plot

model_app = typer.Typer(help="The physical model of asynchronous activation: simulate, fit, validate.",
                        no_args_is_help=True, rich_markup_mode=None)

simulate_app = typer.Typer(help="Virtual studies: instrument files written from the model, with their truth.",
                           no_args_is_help=True, rich_markup_mode=None)

ParamsOpt = Annotated[
    list[str] | None, typer.Option("--set", help="Parameter NAME=VALUE (repeat), e.g. --set phi_c=0.5.")
]


def _overrides(items: list[str] | None, parameter_class=None) -> dict[str, float]:
    """``NAME=VALUE`` options as a dict, each name and type checked against a parameter dataclass
    (default: the cycle-resolved model's)."""
    from redoxmap.model.cycle_model import ActivationParameters

    known = (parameter_class or ActivationParameters)().to_dict()
    values = {}
    for item in items or []:
        name, _, value = item.partition("=")
        if name not in known:
            raise typer.BadParameter(f"unknown parameter {name!r}; known: {', '.join(known)}")
        try:
            values[name] = type(known[name])(float(value))
        except ValueError:
            raise typer.BadParameter(f"--set {item!r}: the value must be a number") from None
    return values


def _parameters(items: list[str] | None):
    from redoxmap.model.cycle_model import ActivationParameters

    return ActivationParameters(**_overrides(items))


@model_app.command(
    "simulate",
    epilog="Example:  redoxmap model simulate --cycles 40 --temperature 30 --temperature 50 --set phi_c=0.5 "
    "--plot map.png",
)
@command
def model_simulate(
    cycles: Annotated[int, typer.Option(help="Number of cycles.")] = 40,
    temperature: Annotated[list[float] | None, typer.Option(help="Temperature in °C (repeat to compare).")] = None,
    liquid: Annotated[bool, typer.Option("--liquid", help="A liquid cell: no interfacial loss.")] = False,
    time_resolved: Annotated[
        bool,
        typer.Option(
            "--time-resolved",
            help="Run the particle model under galvanostatic cycling instead "
            "(its own parameters: --set names from CellParameters).",
        ),
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            help="With --time-resolved: write the voltage record as a BDF cycler file (.bdf.csv), "
            "per gram of active material."
        ),
    ] = None,
    c_rate: Annotated[float, typer.Option("--c-rate", help="With --time-resolved: the C-rate (1 C = 250 mA/g).")] = 0.1,
    parameters: ParamsOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Run the cycle-resolved model (capacity TM/O, activated fraction, front, r by XAS mode),
    or with --time-resolved the particle model (voltage curves, capacities, activation by depth)."""
    import pandas as pd

    temperatures = temperature or [30.0]
    if time_resolved:
        from redoxmap.io.bdf import write_bdf
        from redoxmap.model.time_model import CellParameters, simulate_time_resolved

        chosen = CellParameters(**_overrides(parameters, CellParameters))
        results = [(t, *simulate_time_resolved(chosen, cycles, temperature_C=t, c_rate=c_rate)) for t in temperatures]
        if record is not None:
            write_bdf(results[0][1], record)
        table = pd.concat([c.assign(temperature_C=t) for t, _, c in results], ignore_index=True)
        emit(table, as_json=as_json, out=out, payload={"parameters": chosen.to_dict()},
             title=f"Particle model, {cycles} cycles")
        return
    from redoxmap.model.cycle_model import simulate_cycles
    from redoxmap.report.model_figures import activation_map_figure, capacity_split_figure

    chosen = _parameters(parameters)
    runs = {f"{t:g} °C": simulate_cycles(chosen, cycles, temperature_C=t, liquid=liquid) for t in temperatures}
    table = pd.concat([run.table for run in runs.values()], ignore_index=True)
    first = next(iter(runs.values()))
    save_plot(plot, lambda plt: activation_map_figure(plt, first, title=next(iter(runs))) if len(runs) == 1
              else capacity_split_figure(plt, runs))
    emit(table, as_json=as_json, out=out, payload={"parameters": chosen.to_dict()},
         title=f"Activation model, {cycles} cycles", columns=["cycle", "temperature_C", "capacity_mAh_g",
                                                            "capacity_o_mAh_g", "activated_fraction", "front_nm",
                                                            "r_tey", "r_bulk"])


def _refits_shown(shown, label: str, most: int):
    """An ``on_refit(n, chi2)`` that shows the refits' count on ``shown`` (a spinner or progress lines)."""
    return lambda n, chi2: shown.update(f"{label}: refit {n} of at most {most} done, "
                                        + ("could not refit" if math.isnan(chi2) else f"χ² = {chi2:.4g}"))


@model_app.command("validate", epilog="Examples:  redoxmap model validate --json\n\n"
                   "redoxmap model validate --time-resolved --plot held_out.png\n\n"
                   "redoxmap model validate --time-resolved --refit --json > particle.json")
@command
def model_validate(
    liquid_radius_nm: Annotated[
        float | None, typer.Option(help="Radius that activates as a unit in the liquid cell (nm; default: the "
                                        "composite's).")
    ] = None,
    time_resolved: Annotated[
        bool,
        typer.Option(
            "--time-resolved",
            help="Train and predict with the particle model "
            "under galvanostatic cycling (a few minutes, with progress).",
        ),
    ] = False,
    draws: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Draws for the 95 % intervals: each draws every fixed value from its error and refits (default "
            "40, about 9 s on 2 cores; with --time-resolved 24, each refitted to first order, or in full with "
            "--refit; 0: no intervals).",
        ),
    ] = None,
    refit: Annotated[
        bool,
        typer.Option(
            "--refit",
            help="With --time-resolved: refit the particle model from each draw in full, not to first order "
            "(minutes a refit, on --workers processes: 24 kept took about an hour on 2 cores).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes for the refits: the cycle-resolved protocol's, and the particle "
                     "model's with --refit (default: the usable cores; the same intervals with any number)."),
    ] = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """The reference study's protocol: train on capacities (30 and 50 °C) and bulk r; predict the
    surface r-values and the liquid cell's first discharge, and print each against the measurement
    with its 95 % interval (the fit's uncertainty and every fixed value's error, drawn and refitted; with
    --time-resolved refitted to first order, since a refit of the particle model takes minutes);
    `agrees`: within 15 %, or within the interval and the measurement's error where the interval determines
    its prediction (neither end beyond zero or twice the prediction). Then the study's two
    qualitative tests (a cell moved from 30 to 50 °C after two cycles; liquid- against solid-phase
    mixing), each with its verdict (agrees when the nominal model and 95 % of the draws pass, disagrees when as many
    fail, else not determined) and `agrees`, and every fixed value with its source and error."""
    from redoxmap.cli.common import status
    from redoxmap.model.validation import CYCLE_INTERVAL_SETS, PARTICLE_INTERVAL_SETS, validate_reference
    from redoxmap.processes import usable_cores
    from redoxmap.report.model_figures import held_out_figure

    if refit and not time_resolved:
        raise typer.BadParameter("the cycle-resolved protocol always refits each draw; --refit is for "
                                 "--time-resolved", param_hint="--refit")
    workers = workers or usable_cores()
    most = 2 * (draws if draws is not None else PARTICLE_INTERVAL_SETS if time_resolved else CYCLE_INTERVAL_SETS)
    if time_resolved:
        with status("training the particle model") as shown:
            result = validate_reference(liquid_radius_nm=liquid_radius_nm, time_resolved=True, draws=draws,
                                        refit=refit, workers=workers,
                                        on_evaluation=lambda n, chi2: shown.update(
                                            f"the particle model (its fit, then its intervals): run {n}, "
                                            f"χ² = {chi2:.4g}"),
                                        on_refit=_refits_shown(shown, "the particle model's intervals", most))
    else:
        with status("training the model, then drawing every fixed value and refitting") as shown:
            result = validate_reference(liquid_radius_nm=liquid_radius_nm, draws=draws, workers=workers,
                                        on_refit=_refits_shown(shown, "the intervals", most))
    save_plot(plot, lambda plt: held_out_figure(plt, result.predictions, title="held-out predictions"))
    payload = {"checks": records(result.checks), "fit": records(result.fit.table), "fixed": records(result.fit.fixed),
               "training_residuals": records(result.fit.residuals),
               "identifiability": result.fit.identifiability, "notes": result.notes,
               "draws_left_out": result.draws_left_out}
    emit(result.predictions, as_json=as_json, out=out, payload=payload,
         title=f"Held-out predictions (training χ² = {result.fit.chi_square:.2f})")
    if not as_json:
        if len(result.checks):
            emit(result.checks, as_json=False, out=None, title="Qualitative tests of the reference study")
        emit(result.fit.table, as_json=False, out=None, title="Fitted parameters")
        emit(result.fit.fixed, as_json=False, out=None, title="Fixed from separate measurements or stated")
        for note in result.fit.identifiability:
            typer.echo(f"identifiability: {note}", err=True)
        for note in result.notes:
            typer.echo(f"missed (more than 15 % off and outside its interval, or a test not agreed): {note}", err=True)
        if result.draws_left_out:
            typer.echo(f"note: {result.draws_left_out}", err=True)


def _observations_json(source: Path) -> list:
    """Observations listed in a JSON file."""
    from redoxmap.errors import ReadError
    from redoxmap.model.fit import Observation

    try:
        return [Observation(**item) for item in json.loads(source.read_text())]
    except (OSError, ValueError, TypeError) as exc:
        raise ReadError(f"not a JSON list of observations ({exc})", path=source) from exc


def _is_study(source: Path) -> bool:
    return source.is_dir() or source.suffix.lower() == ".toml"


def _fit_time_resolved(source: Path, vary: str | None, parameters: list[str] | None, c_rate: float):
    """The particle model fitted to a study's capacities and region III charge, or to listed observations."""
    from redoxmap.cli.common import status
    from redoxmap.errors import AnalysisError
    from redoxmap.model.fit import TIME_FITTED, fit_time_resolved
    from redoxmap.model.time_model import CellParameters

    if _is_study(source):
        from redoxmap.cycling import cycle_summary, region_capacities
        from redoxmap.model.observations import capacity_observations, region_iii_observations
        from redoxmap.study import load_study
        from redoxmap.study.run import model_cells

        study = load_study(source)
        cells = model_cells(study)
        if not cells:
            raise AnalysisError("the model needs cells with a temperature_C and an active mass (capacities in mAh/g)")
        stderr = study.parameters["model"].capacity_stderr_pct
        observed = (capacity_observations([(t, cycle_summary(table)) for _, t, table in cells], stderr_pct=stderr)
                    + region_iii_observations([(t, region_capacities(table)) for _, t, table in cells],
                                              stderr_pct=stderr))
    else:
        observed = _observations_json(source)
    names = tuple(v.strip() for v in vary.split(",")) if vary else TIME_FITTED
    start = CellParameters(**_overrides(parameters, CellParameters))
    with status("fitting the particle model") as shown:
        return fit_time_resolved(observed, start=start, vary=names, c_rate=c_rate, on_evaluation=lambda n, chi2:
                                 shown.update(f"fitting the particle model: evaluation {n}, χ² = {chi2:.4g}"))


@model_app.command(
    "fit",
    epilog="Examples:  redoxmap model fit my-study/ --vary r_int_ohm_g,r_int_activation_energy_eV,q_o_mAh_g,u_ref\n\n"
    "redoxmap model fit my-study/ --time-resolved --vary k_activation_per_h,q_o_mAh_g --plot fit.png",
)
@command
def model_fit(
    source: Annotated[
        Path,
        typer.Argument(
            help="A study (folder or study.toml: its cells with temperature and mass), "
            "or a JSON list of {kind, value, stderr, temperature_C, cycle[, mode, cell]}."
        ),
    ],
    vary: Annotated[
        str | None,
        typer.Option(help="Parameters to fit, comma-separated (default: the manifest's or the standard set)."),
    ] = None,
    time_resolved: Annotated[
        bool,
        typer.Option(
            "--time-resolved",
            help="Fit the particle model under galvanostatic cycling instead: "
            "capacities and region III charge (from a study) or any listed observation; "
            "--set/--vary names from CellParameters; minutes, with progress.",
        ),
    ] = False,
    c_rate: Annotated[
        float, typer.Option("--c-rate", help="With --time-resolved: the cells' C-rate (1 C = 250 mA/g).")
    ] = 0.1,
    parameters: ParamsOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit the model to a study's cells or to listed observations: values, errors, identifiability."""
    from redoxmap.model.fit import FITTED, fit_model
    from redoxmap.report.model_figures import capacity_split_figure, fit_by_cycle_figure

    if time_resolved:
        fit = _fit_time_resolved(source, vary, parameters, c_rate)
        save_plot(plot, lambda plt: fit_by_cycle_figure(plt, fit, title="particle model"))
    elif _is_study(source):
        from redoxmap.study import load_study
        from redoxmap.study.run import analyze_model_study

        study = load_study(source)
        settings = study.parameters["model"]
        settings = replace(settings, vary=[v.strip() for v in vary.split(",")] if vary else settings.vary,
                           parameters={**settings.parameters, **_overrides(parameters)})
        analysis = analyze_model_study(study, settings)
        fit = analysis.fit
        save_plot(plot, lambda plt: capacity_split_figure(plt, analysis.runs, analysis.data))
    else:
        names = tuple(v.strip() for v in vary.split(",")) if vary else FITTED
        fit = fit_model(_observations_json(source), start=_parameters(parameters), vary=names)
        save_plot(plot, lambda plt: fit_by_cycle_figure(plt, fit))
    emit(fit.table, as_json=as_json, out=out, payload={"parameters": fit.parameters.to_dict(),
                                                       "residuals": records(fit.residuals),
                                                       "correlations": records(fit.correlations.reset_index()),
                                                       "identifiability": fit.identifiability,
                                                       "chi_square": fit.chi_square},
         title=f"Model fit: χ² = {fit.chi_square:.3g} for {len(fit.residuals)} observations")


@model_app.command(
    "whatif",
    epilog="Examples:  redoxmap model whatif --change phi_c=0.5,1,2 --temperature 30 --plot phi_c.png\n\n"
    "redoxmap model whatif --time-resolved --change c_rate=0.05,0.1,0.5 --cycles 10 --plot rate.png",
)
@command
def model_whatif(
    change: Annotated[
        str,
        typer.Option(
            help="NAME=V1,V2,... a parameter (or temperature_C, or with --time-resolved c_rate) "
            "and the values to compare."
        ),
    ],
    cycles: Annotated[int, typer.Option(help="Number of cycles.")] = 40,
    temperature: Annotated[float, typer.Option(help="Temperature in °C.")] = 30.0,
    time_resolved: Annotated[
        bool,
        typer.Option(
            "--time-resolved",
            help="Compare runs of the particle model under galvanostatic cycling (its own parameters, and c_rate).",
        ),
    ] = False,
    c_rate: Annotated[float, typer.Option("--c-rate", help="With --time-resolved: the C-rate (1 C = 250 mA/g).")] = 0.1,
    parameters: ParamsOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Compare activation curves and fronts when one parameter (contact, R_int, radius, temperature,
    C-rate, ...) changes."""
    import pandas as pd

    from redoxmap.cli.common import parse_floats
    from redoxmap.report.model_figures import capacity_split_figure, cycle_curves_figure

    name, _, values = change.partition("=")
    if time_resolved:
        from redoxmap.model.time_model import CellParameters, simulate_time_resolved

        base = CellParameters(**_overrides(parameters, CellParameters))
        conditions = {"temperature_C": temperature, "c_rate": c_rate}
    else:
        from redoxmap.model.cycle_model import simulate_cycles

        base = _parameters(parameters)
        conditions = {"temperature_C": temperature}
    if name not in base.to_dict() and name not in conditions:
        raise typer.BadParameter(f"unknown parameter {name!r}; known: {', '.join([*base.to_dict(), *conditions])}")
    tables, runs = {}, {}
    for value in parse_floats(values, "--change"):
        label = f"{name} = {value:g}"
        chosen = base if name in conditions else base.with_values(**{name: value})
        settings = {**conditions, **({name: value} if name in conditions else {})}
        if time_resolved:
            tables[label] = simulate_time_resolved(chosen, cycles, **settings)[1]
        else:
            runs[label] = simulate_cycles(chosen, cycles, **settings)
            tables[label] = runs[label].table
    table = pd.concat([t.assign(case=label) for label, t in tables.items()], ignore_index=True)
    save_plot(plot, lambda plt: cycle_curves_figure(plt, tables) if time_resolved else capacity_split_figure(plt, runs))
    capacity = "discharge_capacity_mAh_g" if time_resolved else "capacity_mAh_g"
    last = table[table["cycle"] == cycles][["case", capacity, "activated_fraction", "front_nm", "r_tey", "r_bulk"]]
    if as_json:
        emit(table, as_json=True, out=out, payload={"parameters": base.to_dict(), "change": name})
    else:  # every cycle goes to the file; the screen shows where each case ends
        if out is not None:
            emit(table, as_json=False, out=out, max_rows=0, title="")
        emit(last, as_json=False, out=None, title=f"What if {name} changes ({temperature:g} °C, after cycle {cycles})")


@simulate_app.command(
    "study",
    epilog="Example:  redoxmap simulate study virtual/ --temperature 30 --temperature 50 && redoxmap report virtual/",
)
@command
def simulate_study_command(
    out: Annotated[Path, typer.Argument(help="Folder for the virtual study.")],
    cycles: Annotated[int, typer.Option(help="Cycles per cell.")] = 40,
    temperature: Annotated[list[float] | None, typer.Option(help="Cell temperature in °C (repeat).")] = None,
    mass_mg: Annotated[float, typer.Option("--mass-mg", help="Active mass of each virtual cell.")] = 4.0,
    seed: Annotated[int, typer.Option(help="Noise seed.")] = 0,
    parameters: ParamsOpt = None,
) -> None:
    """Write cycler (BDF) and impedance files of virtual cells, study.toml and truth.json."""
    from redoxmap.cli.common import out_console
    from redoxmap.study.virtual import simulate_study

    manifest = simulate_study(out, parameters=_parameters(parameters), cycles=cycles,
                              temperatures_C=tuple(temperature or (30.0, 50.0)), mass_mg=mass_mg, seed=seed)
    out_console.print(f"wrote {manifest} (truth in {manifest.parent / 'truth.json'})")


@simulate_app.command(
    "campaign",
    epilog="Example:  redoxmap simulate campaign campaign/ --cells-per-group 16 && redoxmap report campaign/",
)
@command
def simulate_campaign_command(
    out: Annotated[Path, typer.Argument(help="Folder for the virtual campaign.")],
    cells_per_group: Annotated[int, typer.Option(help="Cells in each of four groups (30/50 °C, two mixings).")] = 16,
    cycles: Annotated[int, typer.Option(help="Cycles per cell.")] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the cell-to-cell scatter.")] = 0,
) -> None:
    """Write a campaign of virtual cycler files in four groups, with cell-to-cell scatter and two faulty
    cells (a mass entered ten times too large, a poor contact), study.toml and truth.json."""
    from redoxmap.cli.common import out_console
    from redoxmap.study.virtual_campaign import simulate_campaign

    manifest = simulate_campaign(out, cells_per_group=cells_per_group, cycles=cycles, seed=seed)
    out_console.print(f"wrote {manifest} (truth in {manifest.parent / 'truth.json'})")
