"""What every ``redoxmap`` command shares: error display, options, and output of tables."""


from __future__ import annotations

import datetime
import functools
import json
import math
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from redoxmap.errors import RedoxmapError

# Markup off: messages carry file names and extras such as "redoxmap[biologic]" or "[[sample]]",
# whose brackets rich would read as styles and drop. Styles are given as Text objects instead.
out_console = Console(markup=False, highlight=False)
err_console = Console(stderr=True, markup=False, highlight=False)


def say(label: str, text: str, *, style: str = "", error: bool = True) -> None:
    """Print ``label text`` with the label styled and the text exactly as given."""
    (err_console if error else out_console).print(Text(label, style=style) + Text(f" {text}"), soft_wrap=True)


@contextmanager
def status(text: str) -> Iterator:
    """What a command shows while it works: rich's spinner on a terminal, plain lines in a log.

    Parameters
    ----------
    text : str
        The first state shown.

    Yields
    ------
    rich.status.Status or redoxmap.progress.ProgressLines
        Its ``update(text)`` shows a new state: the spinner's text on a terminal; where standard error is no
        terminal (a batch job's log), a line every few seconds (:class:`redoxmap.progress.ProgressLines`), where
        rich would write nothing.
    """
    from redoxmap.progress import ProgressLines, progress_in_lines

    if not progress_in_lines():
        with err_console.status(text) as spinner:
            yield spinner
        return
    lines = ProgressLines(sys.stderr)
    lines.show(text)
    try:
        yield lines
    finally:
        lines.close()


_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\w|\.\d)")
"""A number standing alone (``214678``, ``3801.9``, ``1e-05``); not one inside a name (``Mn 2p``, ``L3``, a file's
``cell_00001``), nor its sign, which stays part of what a warning says."""


def grouped_warnings(texts, *, listed: int = 3) -> list[str]:
    """The warnings a command prints after a study: each as it is, except those that say the same of more than
    ``listed`` files or samples (the same words after the first ``": "``, standalone numbers aside), printed once
    with how many more are like it. A campaign of 1,000 copies of three files printed 2,000 lines of three
    warnings; the report lists each.

    Parameters
    ----------
    texts : iterable of str
        The warnings, each ``"file or sample: what is suspicious"``.
    listed : int
        Alike warnings printed each up to this many.

    Returns
    -------
    list of str
        Sorted.

    Examples
    --------
    >>> grouped_warnings([f"cell {k}: capacity falls over {k + 9} cycles" for k in range(5)], listed=3)
    ['cell 0: capacity falls over 9 cycles (and 4 more like it: the report lists each)']
    """
    groups: dict[str, list[str]] = {}
    for text in sorted(set(texts)):
        _, separator, said = text.partition(": ")
        groups.setdefault(_NUMBER.sub("#", said) if separator else text, []).append(text)
    lines = []
    for alike in groups.values():
        lines.extend(alike if len(alike) <= listed else
                     [f"{alike[0]} (and {len(alike) - 1} more like it: the report lists each)"])
    return sorted(lines)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """Show a warning as one yellow ``warning:`` line on stderr (stands in for :func:`warnings.showwarning`)."""
    say("warning:", str(message), style="yellow")


def _show_instead_of_raising() -> None:
    """Turn the current filters that raise a warning into filters that show it (the others stay)."""
    filters = list(warnings.filters)
    warnings.resetwarnings()
    for action, message, category, module, line in reversed(filters):
        warnings.filterwarnings("default" if action == "error" else action,
                                getattr(message, "pattern", message) or "", category,
                                getattr(module, "pattern", module) or "", line)


def command(function):
    """Run a command with redoxmap errors shown as one red line (exit code 1), no traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        # warnings shown as one yellow line each, for this command only: catch_warnings restores the
        # process's own display and filters afterwards (a test or notebook that calls the command). A
        # command reports a warning and goes on: a caller's "error" filters show instead, its others hold.
        with warnings.catch_warnings():
            _show_instead_of_raising()
            warnings.showwarning = show_warning
            try:
                return function(*args, **kwargs)
            except RedoxmapError as exc:
                say("error:", str(exc), style="red")
                raise typer.Exit(1) from None
    return wrapper


def choice(*values: str) -> dict:
    """Option settings that accept only ``values``: anything else is a usage error that lists them."""
    def check(value):
        if value is None or value in values:
            return value
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(repr(v) for v in values)}")

    return {"callback": check}


# Shared options -------------------------------------------------------------------------

FileArg = Annotated[Path, typer.Argument(help="A cycler file (.mpt, .mpr, .nda, .ndax, .csv, .xlsx, .txt, .bdf.*).")]
MassOpt = Annotated[float | None, typer.Option("--mass-mg", "-m", help="Active mass in mg (for mAh/g).")]
ElectrodeOpt = Annotated[str, typer.Option(help="cathode: a cycle is charge then discharge; anode: discharge first.",
                                            **choice("cathode", "anode"))]
FormatOpt = Annotated[str | None, typer.Option("--format", help="Force a reader (see `redoxmap formats`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the table to a .csv or .parquet file.")]
CyclesOpt = Annotated[str | None, typer.Option("--cycles", "-c", help="Comma-separated cycles, e.g. 1,2,10.")]


def parse_cycles(text: str | None) -> list[int] | None:
    """The cycle numbers in comma-separated ``text`` such as ``"1,2,10"``; None for no text."""
    if not text:
        return None
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise typer.BadParameter(f"cycles must be integers separated by commas, not {text!r}") from None


def parse_floats(text: str, what: str) -> list[float]:
    """The numbers in comma-separated ``text``.

    Parameters
    ----------
    text : str
        Numbers separated by commas, such as ``"6530, 6600"``; spaces are ignored.
    what : str
        The option read (``"--near"``...), named in the usage error for anything that is not a number.

    Returns
    -------
    list of float
    """
    try:
        return [float(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise typer.BadParameter(f"{what} must be numbers separated by commas, not {text!r}") from None


def read_cell(file: Path, mass: float | None, electrode: str, format: str | None):
    """Read a cycler file with the shared options (see :func:`redoxmap.cycling.read_cycling`).

    Parameters
    ----------
    file : pathlib.Path
    mass : float or None
        Active mass in mg.
    electrode : {"cathode", "anode"}
    format : str or None
        A reader's name, or None to detect it.

    Returns
    -------
    pandas.DataFrame
    """
    from redoxmap.cycling import read_cycling

    return read_cycling(file, format=format, active_mass_mg=mass, electrode=electrode)


def json_clean(value):
    """``value`` made fit for strict JSON: NaN, NaT and infinities become None, numpy scalars Python
    numbers, times ISO 8601 text, durations seconds and tuples lists, through nested dicts and lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (datetime.datetime, datetime.timedelta)):  # pandas' Timestamp, Timedelta and NaT too
        if type(value).__name__ == "NaTType":  # pandas' missing time (a datetime subclass; pandas not imported here)
            return None
        return value.isoformat() if isinstance(value, datetime.datetime) else value.total_seconds()
    if isinstance(value, dict):
        return {k: json_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_clean(v) for v in value]
    if hasattr(value, "item"):
        return json_clean(value.item())
    return value


def records(frame) -> list[dict]:
    """The rows of a table as dicts for JSON output: every float as it is (a diffusivity of 1.6e-13 cm2/s
    stays that, where a fixed count of decimals wrote 0), missing values as None (:func:`json_clean`)."""
    return json_clean(frame.to_dict(orient="records"))


def emit(frame, *, as_json: bool, out: Path | None, payload: dict | None = None,
          title: str = "", max_rows: int = 25, columns: list[str] | None = None) -> None:
    """Write the table if asked, then print JSON or a readable table.

    ``columns`` limits the printed table (wide results); files and JSON hold every column.
    """
    if out is not None:
        from redoxmap.io import write_table

        written = write_table(frame, out)
        err_console.print(f"wrote {written}")
    if as_json:
        body = dict(payload or {})
        body.setdefault("rows", records(frame))
        sys.stdout.write(json.dumps(json_clean(body), indent=1) + "\n")
        return
    import pandas as pd

    from redoxmap.formatting import readable_header, value_error_table

    if columns:
        frame = frame[[c for c in columns if c in frame.columns]]
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    shown = frame if len(frame) <= max_rows else frame.head(max_rows)
    view = value_error_table(shown)  # value ± error in one column: narrower, and read as one number
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in view.columns:  # headers fold onto more lines rather than lose their units
        table.add_column(readable_header(column), justify="right" if column in numeric else "left", overflow="fold")
    for row in view.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    out_console.print(table)
    if len(frame) > max_rows:
        out_console.print(f"... {len(frame) - max_rows} more rows (use -o FILE or --json for all)")


def cell_meta(table) -> dict:
    """A cycling table's cell metadata as a dict, without the file's own metadata."""
    from dataclasses import asdict

    from redoxmap.cycling import cell_metadata

    meta = asdict(cell_metadata(table))
    meta.pop("file_metadata", None)
    return meta


def parse_pair(text: str, what: str) -> tuple[float, float]:
    """Two increasing numbers from ``text`` such as ``"6530,6600"``.

    Parameters
    ----------
    text : str
        Two numbers separated by a comma.
    what : str
        The option read (``"--window"``...), named in the usage error otherwise.

    Returns
    -------
    tuple of float
        The lower and the upper number.
    """
    values = parse_floats(text, what)
    if len(values) != 2 or values[0] >= values[1]:
        raise typer.BadParameter(f"{what} must be two increasing numbers, like 6530,6600")
    return values[0], values[1]


def parse_value_error(text: str, what: str) -> tuple[float, float]:
    """A value and its error from ``VALUE`` or ``VALUE+-ERROR`` (the error is 0 when not given).

    Parameters
    ----------
    text : str
        Such as ``"0.42+-0.03"``.
    what : str
        The option read (``"--tey"``...), named in the usage error otherwise.

    Returns
    -------
    tuple of float
        The value and its error.
    """
    value, _, error = text.partition("+-")
    try:
        return float(value), float(error or 0.0)
    except ValueError:
        raise typer.BadParameter(f"{what} must be VALUE or VALUE+-ERROR, not {text!r}") from None
