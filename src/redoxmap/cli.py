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

out_console = Console()
err_console = Console(stderr=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    err_console.print(f"[yellow]warning:[/yellow] {message}", highlight=False)


def command(function):
    """Run a command with redoxmap errors shown as one red line (exit code 1), no traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        warnings.showwarning = _show_warning
        try:
            return function(*args, **kwargs)
        except RedoxmapError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False)
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
        err_console.print(f"[red]failed:[/red] {outcome.label}: {outcome.error}", highlight=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tasks' warnings are already in the report
        if progress:
            with err_console.status("writing figures and tables..."):
                index = write_report(result, out)
        else:
            index = write_report(result, out)
    shown = {w for outcomes in result.sections.values() for o in outcomes for w in o.warnings}
    for text in sorted(shown):
        err_console.print(f"[yellow]warning:[/yellow] {text}", highlight=False)
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


def main() -> None:
    """Entry point of the ``redoxmap`` command."""
    app()
