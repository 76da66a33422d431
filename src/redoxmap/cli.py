"""The ``redoxmap`` command: a thin shell over the public API (no analysis lives here)."""

from __future__ import annotations

import functools
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from redoxmap._version import __version__
from redoxmap.errors import RedoxmapError

app = typer.Typer(
    name="redoxmap",
    help="Which part of a cathode's redox is working, where in the particle, and since which cycle.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
cycling_app = typer.Typer(help="Galvanostatic cycling: summaries, dQ/dV, regions, activation.",
                          no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(cycling_app, name="cycling")
xas_app = typer.Typer(help="X-ray absorption: normalisation, valence, O K pre-edge, surface/bulk.",
                      no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(xas_app, name="xas")

out_console = Console()
err_console = Console(stderr=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True)


def command(function):
    """Run a command with redoxmap errors shown as one red line (exit code 1), no traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        warnings.showwarning = _show_warning
        try:
            return function(*args, **kwargs)
        except RedoxmapError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    return wrapper


# Shared options -------------------------------------------------------------------------

FileArg = Annotated[Path, typer.Argument(help="A cycler file (.mpt, .mpr, .nda, .ndax, .csv, .xlsx, .txt, .bdf.*).")]
MassOpt = Annotated[float | None, typer.Option("--mass-mg", "-m", help="Active mass in mg (for mAh/g).")]
ElectrodeOpt = Annotated[str, typer.Option(help="cathode: a cycle is charge then discharge; anode: discharge first.")]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Force a reader (see `redoxmap formats`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the table to a .csv or .parquet file.")]
CyclesOpt = Annotated[str | None, typer.Option("--cycles", "-c", help="Comma-separated cycles, e.g. 1,2,10.")]


def _cycles(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise typer.BadParameter(f"cycles must be integers separated by commas, not {text!r}") from None


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise typer.BadParameter(f"{what} must be numbers separated by commas, not {text!r}") from None


def _read(file: Path, mass: float | None, electrode: str, format: str | None):
    from redoxmap.cycling import read_cycling

    return read_cycling(file, format=format, active_mass_mg=mass, electrode=electrode)


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _records(frame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", double_precision=10))


def _emit(frame, *, as_json: bool, out: Path | None, payload: dict | None = None,
          title: str = "", max_rows: int = 25) -> None:
    """Write the table if asked, then print JSON or a readable table."""
    if out is not None:
        from redoxmap.io import write_table

        written = write_table(frame, out)
        err_console.print(f"wrote {written}", highlight=False)
    if as_json:
        body = dict(payload or {})
        body.setdefault("rows", _records(frame))
        sys.stdout.write(json.dumps(_clean(body), indent=1) + "\n")
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in frame.columns:
        table.add_column(str(column), justify="left" if frame[column].dtype == object else "right")
    shown = frame if len(frame) <= max_rows else frame.head(max_rows)
    for row in shown.itertuples(index=False):
        table.add_row(*["" if (isinstance(v, float) and math.isnan(v)) else
                        (f"{v:.5g}" if isinstance(v, float) else str(v)) for v in row])
    out_console.print(table)
    if len(frame) > max_rows:
        out_console.print(f"... {len(frame) - max_rows} more rows (use -o FILE or --json for all)")


def _meta(table) -> dict:
    from dataclasses import asdict

    from redoxmap.cycling import cell_metadata

    meta = asdict(cell_metadata(table))
    meta.pop("file_metadata", None)
    return meta


# Top-level commands ---------------------------------------------------------------------

@app.command(epilog="Example:  redoxmap demo ./redoxmap-demo")
@command
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder for the demo study and its report.")] = Path("redoxmap-demo"),
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Copy the bundled example study (real cycler files) into FOLDER and write its report."""
    from redoxmap.demo import copy_demo_study

    manifest = copy_demo_study(folder / "study")
    index = _report(manifest, folder / "report", progress=progress)
    out_console.print(f"Demo study: {manifest}")
    out_console.print(f"[bold green]Report written:[/bold green] {index.resolve()}")


def _report(manifest: Path, out: Path, *, progress: bool):
    from redoxmap.report import write_report
    from redoxmap.study import SerialExecutor, load_study, run_study

    study = load_study(manifest)
    result = run_study(study, executor=SerialExecutor(progress=progress))
    for outcome in result.failures():
        err_console.print(f"[red]failed:[/red] {outcome.label}: {outcome.error}", highlight=False,
                          soft_wrap=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tasks' warnings are already in the report
        if progress:
            with err_console.status("writing figures and tables..."):
                index = write_report(result, out)
        else:
            index = write_report(result, out)
    shown = {w for outcomes in result.sections.values() for o in outcomes for w in o.warnings}
    for text in sorted(shown):
        err_console.print(f"[yellow]warning:[/yellow] {text}", highlight=False, soft_wrap=True)
    return index


@app.command(epilog="Example:  redoxmap report my-study/ -o my-study/report")
@command
def report(
    study: Annotated[Path, typer.Argument(help="A study.toml file or the folder holding it.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: STUDY/report).")] = None,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Analyse every file of a study and write an HTML report, figures and tables."""
    folder = study if study.is_dir() else study.parent
    out = out or folder / "report"
    index = _report(study, out, progress=progress and not as_json)
    if as_json:
        sys.stdout.write((out / "report.json").read_text() + "\n")
    else:
        out_console.print(f"[bold green]Report written:[/bold green] {index.resolve()}")


@app.command(epilog="Example:  redoxmap convert cell.ndax -o cell.bdf.parquet --mass-mg 4.2")
@command
def convert(
    file: FileArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .bdf.csv or .bdf.parquet file.")],
    mass: MassOpt = None,
    electrode: ElectrodeOpt = "cathode",
    format: FormatOpt = None,
) -> None:
    """Convert any supported cycler file to the Battery Data Format (BDF)."""
    from redoxmap.io import write_bdf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*no active mass.*")
        table = _read(file, mass, electrode, format)
    written = write_bdf(table, out)
    out_console.print(f"wrote {written} ({len(table)} records)")


@app.command(epilog="Example:  redoxmap formats --json")
@command
def formats(as_json: JsonOpt = False) -> None:
    """List the file formats redoxmap reads."""
    import pandas as pd

    from redoxmap.io import readers

    frame = pd.DataFrame([{"format": r.name, "instrument": r.instrument,
                           "extensions": " ".join(r.extensions[:6]) + (" ..." if len(r.extensions) > 6 else ""),
                           "description": r.description} for r in readers().values()])
    _emit(frame, as_json=as_json, out=None, title="Readers")


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """redoxmap: from raw lab files to an activation map."""
    if version:
        out_console.print(f"redoxmap {__version__}")
        raise typer.Exit()


# Cycling commands ---------------------------------------------------------------------

@cycling_app.command("summary", epilog="Example:  redoxmap cycling summary cell.mpr --mass-mg 4.2 -o summary.csv")
@command
def cycling_summary(file: FileArg, mass: MassOpt = None, electrode: ElectrodeOpt = "cathode",
                    format: FormatOpt = None, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """Per-cycle capacity, efficiency, energy, mean voltages, hysteresis and retention."""
    from redoxmap.cycling import cycle_summary

    table = _read(file, mass, electrode, format)
    summary = cycle_summary(table)
    _emit(summary, as_json=as_json, out=out, payload={"cell": _meta(table)}, title=f"{file.name}: cycles")


@cycling_app.command("dqdv", epilog="Example:  redoxmap cycling dqdv cell.ndax --cycles 1,2,10 --peaks")
@command
def cycling_dqdv(
    file: FileArg,
    cycles: CyclesOpt = None,
    direction: Annotated[str, typer.Option(help="charge, discharge or both.")] = "both",
    step: Annotated[float, typer.Option("--step", help="Voltage grid spacing in V.")] = 0.005,
    smoothing: Annotated[float, typer.Option("--smoothing", help="Gaussian kernel sigma in V.")] = 0.0075,
    peaks: Annotated[bool, typer.Option("--peaks", help="Return the peaks instead of the curves.")] = False,
    windows: Annotated[str, typer.Option(help="Peak windows: reference (Li-rich cathode) or none.")] = "reference",
    mass: MassOpt = None, electrode: ElectrodeOpt = "cathode", format: FormatOpt = None,
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """dQ/dV per half cycle on a voltage grid (kernel-smoothed), or its labelled peaks."""
    from redoxmap.cycling.differential import dqdv
    from redoxmap.cycling.peaks import find_dqdv_peaks, peak_windows

    table = _read(file, mass, electrode, format)
    directions = ("charge", "discharge") if direction == "both" else (direction,)
    result = dqdv(table, cycles=_cycles(cycles), directions=directions, voltage_step_V=step,
                  smoothing_V=smoothing)
    payload = {"cell": _meta(table), "unit": result.unit, "parameters": result.parameters}
    if peaks:
        frame = find_dqdv_peaks(result, windows=peak_windows(windows))
        _emit(frame, as_json=as_json, out=out, payload=payload, title=f"{file.name}: dQ/dV peaks")
    else:
        _emit(result.to_frame(), as_json=as_json, out=out, payload=payload,
              title=f"{file.name}: dQ/dV ({result.unit})")


@cycling_app.command("regions", epilog="Example:  redoxmap cycling regions cell.ndax --bounds 3.9,4.4 --cycles 1,2")
@command
def cycling_regions(
    file: FileArg,
    bounds: Annotated[str, typer.Option(help="Region boundaries in V, comma-separated.")] = "3.9,4.4",
    names: Annotated[str | None, typer.Option(help="Region names, low to high, comma-separated.")] = None,
    cycles: CyclesOpt = None,
    direction: Annotated[str, typer.Option(help="charge, discharge or both.")] = "charge",
    mass: MassOpt = None, electrode: ElectrodeOpt = "cathode", format: FormatOpt = None,
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Capacity in each voltage region per half cycle (default: I < 3.9 V < II < 4.4 V < III)."""
    from redoxmap.cycling.regions import region_capacities, regions_from_bounds

    table = _read(file, mass, electrode, format)
    regions = regions_from_bounds(_floats(bounds, "bounds"), names.split(",") if names else None)
    directions = ("charge", "discharge") if direction == "both" else (direction,)
    frame = region_capacities(table, regions=regions, cycles=_cycles(cycles), directions=directions)
    _emit(frame, as_json=as_json, out=out, payload={"cell": _meta(table)}, title=f"{file.name}: regions")


@cycling_app.command("activation", epilog="Example:  redoxmap cycling activation llo30.ndax llo50.ndax -m 4.1 -m 3.9")
@command
def cycling_activation(
    files: Annotated[list[Path], typer.Argument(help="One or more cycler files (one cell each).")],
    mass: Annotated[list[float] | None, typer.Option("--mass-mg", "-m", help="Active mass in mg; once for all files or once per file.")] = None,
    fade: Annotated[bool, typer.Option("--fade", help="Also fit a linear fade term.")] = False,
    electrode: ElectrodeOpt = "cathode", format: FormatOpt = None,
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Fit Q(n) = Q_inf - (Q_inf - Q_1) exp(-(n-1)/N_act) to each cell and compare them."""
    from redoxmap.cycling import cycle_summary
    from redoxmap.cycling.activation import compare_activation, fit_activation_from_summary

    masses = list(mass or [])
    if len(masses) not in (0, 1, len(files)):
        raise typer.BadParameter("give --mass-mg once for all files or once per file")
    fits = []
    for k, file in enumerate(files):
        cell_mass = masses[k] if len(masses) == len(files) else (masses[0] if masses else None)
        table = _read(file, cell_mass, electrode, format)
        fits.append(fit_activation_from_summary(cycle_summary(table), name=file.name, linear_fade=fade))
    frame = compare_activation(fits)
    _emit(frame, as_json=as_json, out=out, title="Activation fits")
    if not as_json:
        for fit in fits:
            out_console.print(fit.report(), highlight=False)


PLOTS = ("capacity", "activation", "profiles", "dqdv", "regions", "peaks")


@cycling_app.command("plot", epilog="Example:  redoxmap cycling plot cell.ndax --kind dqdv --cycles 1,2,10 -o dqdv.svg")
@command
def cycling_plot(
    files: Annotated[list[Path], typer.Argument(help="One or more cycler files.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Figure file: .png, .svg or .pdf.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(PLOTS)}.")] = "capacity",
    cycles: CyclesOpt = None,
    mass: Annotated[list[float] | None, typer.Option("--mass-mg", "-m", help="Active mass in mg; once for all files or once per file.")] = None,
    electrode: ElectrodeOpt = "cathode", format: FormatOpt = None,
) -> None:
    """Draw a publication figure (capacity, activation, profiles, dqdv, regions, peaks)."""
    from redoxmap.cycling.analysis import analyze
    from redoxmap.io import atomic_write
    from redoxmap.report import cycling_figures as figs
    from redoxmap.report.style import figure_style

    if kind not in PLOTS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(PLOTS)}")
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter("the figure file must end in .png, .svg or .pdf")
    masses = list(mass or [])
    analyses = []
    for k, file in enumerate(files):
        cell_mass = masses[k] if len(masses) == len(files) else (masses[0] if masses else None)
        table = _read(file, cell_mass, electrode, format)
        options = {"profile_cycles": _cycles(cycles)} if cycles else {}
        analyses.append(analyze(table, peak_windows="none" if kind == "peaks" else "reference", **options))
    with figure_style() as plt:
        if kind in ("capacity", "activation"):
            figure = getattr(figs, f"{kind}_figure")(plt, analyses)
        else:
            name = {"profiles": "voltage_profile", "peaks": "peak_tracking"}.get(kind, kind)
            figure = getattr(figs, f"{name}_figure")(plt, analyses[0])
        atomic_write(out, lambda tmp: figure.savefig(tmp, format=out.suffix[1:]))
    out_console.print(f"wrote {out}")


# X-ray absorption commands ------------------------------------------------------------

SpectrumArg = Annotated[list[str], typer.Argument(help="Spectrum file(s): XDI, column text, or project.prj::group; several are merged.")]
ModeOpt = Annotated[str | None, typer.Option(help="Detection mode: transmission, tey, tfy, pfy or ipfy (default: the file's mu, else transmission).")]
RefE0Opt = Annotated[float | None, typer.Option("--reference-e0", help="Calibrate on the irefer channel to this E0 (eV), e.g. 6539.0 for Mn foil.")]


def _pair(text: str, what: str) -> tuple[float, float]:
    values = _floats(text, what)
    if len(values) != 2 or values[0] >= values[1]:
        raise typer.BadParameter(f"{what} must be two increasing numbers, like 6530,6600")
    return values[0], values[1]


def _value_error(text: str, what: str) -> tuple[float, float]:
    value, _, error = text.partition("+-")
    try:
        return float(value), float(error or 0.0)
    except ValueError:
        raise typer.BadParameter(f"{what} must be VALUE or VALUE+-ERROR, not {text!r}") from None


@xas_app.command("normalize", epilog="Example:  redoxmap xas normalize MnO_rt_01.xdi --edge Mn-K --reference-e0 6539 -o mno.csv")
@command
def xas_normalize(files: SpectrumArg, edge: Annotated[str, typer.Option(help="Mn-K, Mn-L3, O-K...")] = "K",
                  mode: ModeOpt = None, reference_e0: RefE0Opt = None, as_json: JsonOpt = False,
                  out: OutOpt = None) -> None:
    """Normalise a spectrum (K: edge step; L: area; O-K: level at 540-545 eV)."""
    import pandas as pd

    from redoxmap.xas.files import load_merged, normalize

    energy, mu = load_merged(files, mode=mode, reference_e0_eV=reference_e0)
    result = normalize(energy, mu, edge=edge)
    frame = pd.DataFrame({"energy_eV": energy, "mu": mu, "norm": result.norm})
    payload = {"e0_eV": result.e0, "edge_step": result.edge_step, "method": result.method,
               "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in result.parameters.items()}}
    _emit(frame, as_json=as_json, out=out, payload=payload, title=f"normalised ({result.method}), E0 = {result.e0:.2f} eV")


@xas_app.command("valence", epilog="Example:  redoxmap xas valence Mn3O4_1.xdi Mn3O4_2.xdi --ref MnO_1.xdi,MnO_2.xdi=2 --ref Mn2O3_1.xdi=3 --ref MnO2_1.xdi=4 --edge Mn-K --reference-e0 6539")
@command
def xas_valence(
    files: SpectrumArg,
    ref: Annotated[list[str], typer.Option("--ref", help="Reference FILE=VALENCE (repeat; repeated scans as FILE1,FILE2,...=VALENCE).")],
    edge: Annotated[str, typer.Option(help="Mn-K, Mn-L3, Ni-L3, ...")] = "K",
    window: Annotated[str | None, typer.Option(help="Fit window in eV, e.g. 6530,6600 (default: E0-20 to E0+60 for K edges).")] = None,
    shifts: Annotated[float, typer.Option(help="Refine each reference's energy shift within +- this many eV.")] = 0.0,
    bootstrap: Annotated[int, typer.Option(help="Residual block-bootstrap refits for the valence spread.")] = 200,
    mode: ModeOpt = None, reference_e0: RefE0Opt = None, as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Average valence by linear combination of references (weights >= 0, summing to 1)."""
    import pandas as pd

    from redoxmap.xas.files import (
        edge_kind,
        load_merged,
        load_references,
        normalize,
        parse_reference,
    )
    from redoxmap.xas.lcf import fit_lcf, self_check

    options = {"mode": mode, "reference_e0_eV": reference_e0}
    references, valences = load_references([parse_reference(r) for r in ref], edge=edge, **options)
    energy, mu = load_merged(files, **options)
    norm = normalize(energy, mu, edge=edge)
    fit_window = _pair(window, "--window") if window else (
        (norm.e0 - 20.0, norm.e0 + 60.0) if edge_kind(edge) == "K" else None)
    result = fit_lcf(energy, norm.norm, references, valences=valences, window=fit_window,
                     refine_shifts_eV=shifts, bootstrap=bootstrap, window_sensitivity_eV=5.0)
    check = self_check(references, valences=valences, window=fit_window)
    frame = pd.DataFrame({"reference": result.names, "valence": [valences[n] for n in result.names],
                          "weight": result.weights, "weight_stderr": result.weights_stderr,
                          "energy_shift_eV": result.energy_shifts_eV})
    payload = {"spectrum": files, **result.to_dict(), "self_check": _records(check)}
    _emit(frame, as_json=as_json, out=out, payload=payload,
          title=f"valence {result.valence:.3f} ± {result.valence_stderr:.3f} (bootstrap ± {result.bootstrap_valence_std:.3f}), R = {result.r_factor:.2g}")
    if not as_json:
        _emit(check, as_json=False, out=None, title="Self-check: each reference fitted with the others")


@xas_app.command("edge", epilog="Example:  redoxmap xas edge Mn3O4_1.xdi --ref MnO_1.xdi=2 --ref Mn2O3_1.xdi=3 --ref MnO2_1.xdi=4 --reference-e0 6539")
@command
def xas_edge(
    files: SpectrumArg,
    ref: Annotated[list[str], typer.Option("--ref", help="Reference FILE=VALENCE (repeat; repeated scans as FILE1,FILE2,...=VALENCE).")],
    level: Annotated[float, typer.Option(help="Normalised level that defines the edge position.")] = 0.5,
    mode: ModeOpt = None, reference_e0: RefE0Opt = None, as_json: JsonOpt = False,
) -> None:
    """K-edge valence from the edge position (half height) against a line through references."""
    import pandas as pd

    from redoxmap.xas.edge_position import calibrate_edge_position
    from redoxmap.xas.files import edge_position, parse_reference

    options = {"mode": mode, "reference_e0_eV": reference_e0, "level": level}
    frame = pd.DataFrame([{"reference": Path(paths[0]).name, "valence": valence,
                           "edge_eV": edge_position(paths, **options)}
                          for paths, valence in map(parse_reference, ref)])
    calibration = calibrate_edge_position(frame["edge_eV"], frame["valence"])
    e0 = edge_position(files, **options)
    valence, error = calibration.valence(e0)
    payload = {"spectrum": files, "edge_eV": e0, "valence": valence, "valence_stderr": error,
               "slope_per_eV": calibration.slope_per_eV, "references": _records(frame)}
    _emit(frame, as_json=as_json, out=None, payload=payload,
          title=f"edge at {e0:.2f} eV: valence {valence:.2f} ± {error:.2f} ({calibration.slope_per_eV:.3f} per eV)")


@xas_app.command("oxygen", epilog="Example:  redoxmap xas oxygen charged_TEY.txt --pristine pristine_TEY.txt --mode tey")
@command
def xas_oxygen(
    files: SpectrumArg,
    pristine: Annotated[str | None, typer.Option(help="Uncycled material's O K spectrum, same mode (for b0).")] = None,
    peaks: Annotated[str, typer.Option(help="Peaks to fit, from A,B,C,D.")] = "A,B,C,D",
    window: Annotated[str, typer.Option(help="Fit window in eV.")] = "526,538",
    formula: Annotated[str, typer.Option(help="(b-b0)/a, b/a or (b-b0)/b0.")] = "(b-b0)/a",
    shape: Annotated[str, typer.Option(help="gaussian or pseudo-voigt.")] = "gaussian",
    mode: ModeOpt = None, as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Fit the O K pre-edge peaks and compute the oxygen activation index r."""
    import pandas as pd

    from redoxmap.xas.files import load_merged, normalize
    from redoxmap.xas.oxygen import activation_index, fit_pre_edge

    names = tuple(p.strip().upper() for p in peaks.split(",") if p.strip())
    span = _pair(window, "--window")

    def fitted(paths):
        energy, mu = load_merged(paths, mode=mode)
        norm = normalize(energy, mu, edge="O-K")
        return fit_pre_edge(energy, norm.norm, peaks=names, window=span, shape=shape, mode=mode)

    sample = fitted(files)
    frame = pd.DataFrame([{"peak": k, **v} for k, v in sample.peaks.items()])
    payload = {"spectrum": files, "r_squared": sample.r_squared, "notes": sample.notes}
    if {"A", "B"} <= set(names) and (pristine or "b0" not in formula):
        r, r_err = activation_index(sample, fitted([pristine]) if pristine else None, formula=formula)
        payload.update({"r": r, "r_stderr": r_err, "formula": formula})
    title = f"O K pre-edge (R^2 = {sample.r_squared:.4f})"
    if "r" in payload:
        title += f"; r = {payload['r']:.3f} ± {payload['r_stderr']:.3f}"
    _emit(frame, as_json=as_json, out=out, payload=payload, title=title)


@xas_app.command("depth", epilog="Example:  redoxmap xas depth --tey 3.84+-0.02 --bulk 3.99+-0.02 --layer-nm 5 --formula Li1.2Ni0.16Co0.08Mn0.56O2 --density 4.2 --incident-ev 640 --emission-ev 525")
@command
def xas_depth(
    tey: Annotated[str, typer.Option(help="Value in the surface mode, VALUE or VALUE+-ERROR.")],
    bulk: Annotated[str, typer.Option(help="Value in the bulk mode (iPFY/TFY), VALUE or VALUE+-ERROR.")],
    layer_nm: Annotated[float, typer.Option(help="Surface layer thickness in nm.")] = 5.0,
    tey_depth_nm: Annotated[float, typer.Option(help="TEY probing depth in nm.")] = 4.0,
    bulk_depth_nm: Annotated[float | None, typer.Option(help="Bulk-mode probing depth in nm (or give the composition).")] = None,
    formula: Annotated[str | None, typer.Option(help="Composition, for the bulk depth from attenuation (xraydb).")] = None,
    density: Annotated[float, typer.Option(help="Density in g/cm3, with --formula.")] = 4.2,
    incident_ev: Annotated[float, typer.Option(help="Incident energy in eV, with --formula.")] = 640.0,
    emission_ev: Annotated[float, typer.Option(help="Detected emission energy in eV, with --formula.")] = 525.0,
    as_json: JsonOpt = False,
) -> None:
    """Surface-layer and bulk values from a TEY and a bulk-mode value (two-layer inversion)."""
    import pandas as pd

    from redoxmap.xas.depth import fluorescence_probing_depth_nm, two_layer

    if bulk_depth_nm is None:
        bulk_depth_nm = (fluorescence_probing_depth_nm(formula, density, incident_ev, emission_ev)
                         if formula else 150.0)
    (s, s_err), (b, b_err) = _value_error(tey, "--tey"), _value_error(bulk, "--bulk")
    result = two_layer(s, b, surface_mode_stderr=s_err, bulk_mode_stderr=b_err, layer_nm=layer_nm,
                       surface_depth_nm=tey_depth_nm, bulk_depth_nm=bulk_depth_nm)
    frame = pd.DataFrame([{"layer": "surface", "value": result.surface, "stderr": result.surface_stderr},
                          {"layer": "bulk", "value": result.bulk, "stderr": result.bulk_stderr},
                          {"layer": "surface - bulk", "value": result.asynchrony, "stderr": result.asynchrony_stderr}])
    _emit(frame, as_json=as_json, out=None, payload=result.to_dict(),
          title=f"two-layer inversion: layer {layer_nm:g} nm, depths {tey_depth_nm:g} / {bulk_depth_nm:.0f} nm")


def main() -> None:
    """Entry point of the ``redoxmap`` command."""
    app()
