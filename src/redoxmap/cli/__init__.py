"""The ``redoxmap`` command: a thin shell over the public API (no analysis lives here).

Each modality's command group lives in a module of its own and is named by its modality's declaration
(:class:`redoxmap.study.Modality`: ``command`` and ``cli``), so the groups are added by iterating over
:func:`redoxmap.study.modalities`; the model, the simulations and the store have groups of their own.
This module holds the top-level commands (``demo``, ``report``, ``map``, ``convert``, ``formats``)
and puts the groups together.
"""

from __future__ import annotations

import json
import sys
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import (
    ElectrodeOpt,
    FileArg,
    FormatOpt,
    JsonOpt,
    MassOpt,
    command,
    emit,
    err_console,
    grouped_warnings,
    out_console,
    read_cell,
    say,
)
from redoxmap.cli.model import model_app, simulate_app
from redoxmap.cli.store import store_app
from redoxmap.errors import RedoxmapError
from redoxmap.study.modality import modalities, resolve_optional

app = typer.Typer(
    name="redoxmap",
    help="Which part of a cathode's redox is working, where in the particle, and since which cycle.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
for _modality in modalities().values():  # each modality's command group, in the modalities' order
    _group = resolve_optional(_modality, "cli") if _modality.cli else None
    if _group is not None:
        app.add_typer(_group, name=_modality.command or _modality.name)
app.add_typer(store_app, name="store")
app.add_typer(model_app, name="model")
app.add_typer(simulate_app, name="simulate")


# Top-level commands ---------------------------------------------------------------------

@app.command(epilog="Example:  redoxmap demo ./redoxmap-demo")
@command
def demo(
    folder: Annotated[Path, typer.Argument(help="Folder for the demo study and its report.")] = Path("redoxmap-demo"),
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Copy the bundled example study (real instrument files, two virtual cells) into FOLDER and write
    its report; then write a complete virtual study (every modality, from the activation model, with
    its truth) into FOLDER/virtual and report it too. A study.toml you edited is kept and reported as
    it is."""
    from redoxmap.demo import copy_demo_study
    from redoxmap.study.virtual import simulate_study

    manifest = copy_demo_study(folder / "study")
    index, result = _report(manifest, folder / "report", progress=progress)
    _refuse_empty(result)  # an edited study.toml whose every file fails: said before the virtual study is made
    virtual = simulate_study(folder / "virtual")
    virtual_index, virtual_result = _report(virtual, folder / "virtual" / "report", progress=progress)
    _refuse_empty(virtual_result)
    out_console.print(f"Demo study: {manifest}")
    say("Report written:", str(index.resolve()), style="bold green", error=False)
    out_console.print(f"Virtual study (truth in {virtual.parent / 'truth.json'}): {virtual_index.resolve()}")


def _report(manifest: Path, out: Path, *, progress: bool, workers: int | None = None, scheduler: str | None = None,
            task_timeout_s: float | None = None, store: Path | bool | None = None, single_file: bool = False,
            print_figures: bool = False, force: bool = False):
    """Analyse a study and write its report; ``(index, None)`` without either where the report in ``out``
    was made from the study as it is now (:func:`redoxmap.report.up_to_date`) and not ``force``."""
    from redoxmap.report import up_to_date, write_report
    from redoxmap.report.rendering import drawing_processes
    from redoxmap.study import load_study, run_study
    from redoxmap.study.adaptive_executor import choose_executor
    from redoxmap.study.dask_executor import DEFAULT_TIMEOUT_S, DaskExecutor

    study = load_study(manifest)
    if not force:
        index = up_to_date(study, out, single_file=single_file, print_figures=print_figures)
        if index is not None:
            say("Up to date:", "no file, parameter or option of the study changed since this report was written "
                "(--force writes it again)", error=True)
            return index, None
    execution = study.execution  # the command line's options win over study.toml's
    executor = choose_executor(workers=workers if workers is not None else execution.get("workers"),
                               scheduler=scheduler or execution.get("scheduler"), progress=progress,
                               timeout_s=task_timeout_s or execution.get("task_timeout_s", DEFAULT_TIMEOUT_S))
    # The figures' drawing processes are forked before the analyses fill this process's memory (the analyses may
    # run in them first: AdaptiveExecutor).
    drawing = nullcontext() if isinstance(executor, DaskExecutor) else drawing_processes()
    with drawing, executor if hasattr(executor, "__enter__") else nullcontext(executor):
        result = run_study(study, executor=executor, store=store)
        for outcome in result.failures():
            say("failed:", f"{outcome.label}: {outcome.error}", style="red")
        client = getattr(executor, "client", None)  # on Dask, the figures are tasks of the same cluster
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tasks' warnings are already in the report
            if progress:
                from redoxmap.study.executor import progress_bar

                with progress_bar("figures and tables") as update:
                    index = write_report(result, out, progress=update, client=client, single_file=single_file,
                                         print_figures=print_figures, reuse_figures=not force)
            else:
                index = write_report(result, out, client=client, single_file=single_file, print_figures=print_figures,
                                     reuse_figures=not force)
    for text in grouped_warnings(w for outcomes in result.sections.values() for o in outcomes for w in o.warnings):
        say("warning:", text, style="yellow")
    return index, result


def _refuse_empty(result) -> None:
    """A run that analysed nothing is not a success, though its report (which lists why) was written."""
    outcomes = [o for found in result.sections.values() for o in found] if result is not None else []
    if outcomes and not any(o.ok for o in outcomes):
        raise RedoxmapError(f"every analysis task failed ({len(outcomes)}): the report lists why")


@app.command(
    epilog="Examples:  redoxmap report my-study/ -o my-study/report   ·   redoxmap report my-study/ --single-file"
    "   ·   redoxmap report big-study/ --workers 8"
    "   ·   redoxmap report big-study/ --scheduler tcp://head-node:8786   ·   redoxmap report my-study/ -v"
    "   ·   redoxmap report my-study/ --print-figures   ·   redoxmap report my-study/ --force"
)
@command
def report(
    study: Annotated[Path, typer.Argument(help="A study.toml file or the folder holding it.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: STUDY/report).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Analyse on a local Dask cluster of N processes (1: serially, here). "
            "Default: each phase starts here and moves to the report's own processes (forked to draw its "
            "figures) or to a local Dask cluster when its tasks' measured cost says that is sooner (-v says why)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Analyse on a running Dask cluster (tcp://host:8786); the study "
            "must be on a filesystem its workers share."
        ),
    ] = None,
    task_timeout: Annotated[
        float | None,
        typer.Option("--task-timeout", help="On Dask: a task running longer (s) fails and its worker restarts."),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            help="Keep decoded cycler files here, so the next report does not "
            "decode them again (default: STUDY/.redoxmap-store)."
        ),
    ] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="Decode every cycler file, keep nothing.")] = False,
    single_file: Annotated[
        bool,
        typer.Option(
            "--single-file",
            help="Also write report-single.html: every page in one file with its figures inline, for mailing.",
        ),
    ] = False,
    print_figures: Annotated[
        bool,
        typer.Option("--print-figures", help="Also write every figure as a 300 dpi PNG and an SVG, for a paper "
                     "(those of a campaign's sample pages included; without it, the browser draws those)."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Analyse and write the report, and draw every figure, even if no input "
                     "changed since it was written (without it, a figure whose inputs did not change is kept)."),
    ] = False,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print the wall time of each phase.")] = False,
) -> None:
    """Analyse every file of a study and write an HTML report: index.html opens with the activation map and
    the verdicts, a page per measurement and one for the model follow; figures, tables and the map beside.
    A report made from the study as it is now (same files, sizes and times, manifest, options and
    redoxmap version, no failed task) is left as it is."""
    folder = study if study.is_dir() else study.parent
    out = out or folder / "report"
    index, result = _report(study, out, progress=progress and not as_json, workers=workers, scheduler=scheduler,
                            task_timeout_s=task_timeout, store=False if no_store else store, single_file=single_file,
                            print_figures=print_figures, force=force)
    if as_json:
        sys.stdout.write((out / "report.json").read_text() + "\n")
    else:
        say("Report written:" if result is not None else "Report:", str(index.resolve()), style="bold green",
            error=False)
    if verbose and result is not None:
        recorded = json.loads((out / "report.json").read_text())
        timings = recorded["timings_s"]
        for phase, seconds in timings.items():
            say(f"{seconds:8.2f} s", phase, error=True)
        say(f"{sum(timings.values()):8.2f} s", "in all", style="bold", error=True)
        tasks = recorded.get("task_seconds", {})
        if tasks:
            say("", "the tasks' own time, where they ran (the rest of their phase: preparing, sending, waiting):",
                error=True)
        for modality, seconds in tasks.items():
            say(f"{seconds:8.2f} s", modality, error=True)
        if recorded.get("execution"):
            say("", "how each phase ran, and why:", error=True)
        for decision in recorded.get("execution", []):
            say("", decision, error=True)
        figures = recorded.get("figures", {})
        say(f"{figures.get('drawn', 0):8d}  ", f"figures drawn, {figures.get('kept', 0)} kept from the last report "
            "(inputs unchanged)", error=True)
    _refuse_empty(result)


@app.command("map", epilog="Examples:  redoxmap map my-study/   ·   redoxmap map my-study/ -o map.nc   ·   "
                           "redoxmap map my-study/ --json   ·   redoxmap map map.nc")
@command
def map_command(
    study: Annotated[Path, typer.Argument(help="A study folder or study.toml (analysed), or a map saved as .nc.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the map: .nc (NetCDF, CF attributes), "
                                                                "or its long table as .csv or .parquet.")] = None,
    as_json: JsonOpt = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Join every measurement of a study per sample, state and probing depth (the activation map), and
    print what it says: since which cycle, where in the particle, how fast, with the numbers behind it."""
    from redoxmap.study.map_dataset import ActivationMap, activation_map, check_map_path

    if out is not None:
        check_map_path(out)
    if study.suffix.lower() == ".nc":
        amap = ActivationMap.read(study)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the analyses' warnings belong to `redoxmap report`
            amap = activation_map(study, progress=progress and not as_json)
    findings = amap.findings()
    if out is not None:
        err_console.print(f"wrote {amap.save(out)}")
    if as_json:
        from redoxmap.cli.common import json_clean, records

        body = {"study": amap.dataset.attrs.get("study", ""), **findings.to_dict(),
                "missing": records(amap.missing()), "map": records(amap.table())}
        sys.stdout.write(json.dumps(json_clean(body), indent=1, default=str) + "\n")
        return
    out_console.print(findings.text() or "no findings")
    table = amap.table()
    if not table.empty:
        from redoxmap.formatting import value_error_table

        shown = value_error_table(table, value="value", error="stderr",
                                  keys=["sample", "state", "probe", "variable", "value", "unit"])
        emit(shown[["sample", "state", "probe", "variable", "value", "unit"]], as_json=False, out=None,
             title="The activation map (every number: -o map.csv)", max_rows=40)


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
        table = read_cell(file, mass, electrode, format)
    written = write_bdf(table, out)
    out_console.print(f"wrote {written} ({len(table)} records)")


@app.command(epilog="Example:  redoxmap formats --json")
@command
def formats(as_json: JsonOpt = False) -> None:
    """List the file formats redoxmap reads, by modality."""
    import pandas as pd

    from redoxmap.io import READER_MODALITIES, readers

    def shown(extensions):
        return " ".join(extensions[:6]) + (" ..." if len(extensions) > 6 else "")

    rows = [{"modality": r.modality, "format": r.name, "instrument": r.instrument,
             "extensions": shown(r.extensions), "description": r.description}
            for r in sorted(readers().values(), key=lambda r: (READER_MODALITIES + (r.modality,)).index(r.modality))]
    frame = pd.DataFrame(rows)
    emit(frame, as_json=as_json, out=None, title=f"Readers ({len(frame)})", max_rows=len(frame))


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """redoxmap: from raw lab files to an activation map."""
    if version:
        from redoxmap._version import __version__

        out_console.print(f"redoxmap {__version__}")
        raise typer.Exit()


def _examples_as_written(typer_app: typer.Typer) -> None:
    """Keep every command's examples on their own lines: click rewraps help paragraphs unless they
    start with ``\\b``, which would break a long example command in the middle."""
    for info in typer_app.registered_commands:
        if info.epilog and not info.epilog.startswith("\b"):
            info.epilog = "\n\n".join(f"\b\n{part}" for part in info.epilog.split("\n\n"))
    for group in typer_app.registered_groups:
        _examples_as_written(group.typer_instance)


def main() -> None:
    """Entry point of the ``redoxmap`` command."""
    app()


_examples_as_written(app)
