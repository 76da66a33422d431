"""One interface for running independent analyses: serial now, parallel later.

An executor maps a function over tasks and returns one :class:`TaskOutcome` per task,
in order. A task that raises becomes a failed outcome that names the error; the
others go on. Warnings raised inside a task are kept with its outcome so that the
report can show them. A parallel or distributed engine only has to implement
:meth:`Executor.map`.
"""

from __future__ import annotations

import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from redoxmap.errors import RedoxmapError


@dataclass
class Task:
    """A unit of work: a label for progress and reports, and the arguments of the function."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass
class TaskOutcome:
    """What came of a task: its value, or the error that stopped it, and its warnings."""

    label: str
    value: Any = None
    error: str | None = None
    error_type: str | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    """Wall time of the task where it ran (a worker's, on Dask): with the phase's own wall time, what
    starting, sending and waiting cost (:attr:`redoxmap.study.StudyResult.task_seconds`)."""

    @property
    def ok(self) -> bool:
        """Whether the task finished."""
        return self.error is None


class Executor(Protocol):
    """What the study runner needs from an execution engine."""

    def map(self, function: Callable[..., Any], tasks: Sequence[Task], *,
            description: str = "") -> list[TaskOutcome]:
        """Run ``function(*task.args, **task.kwargs)`` for every task; never raise for one task."""
        ...


def run_task(function: Callable[..., Any], task: Task) -> TaskOutcome:
    """Run one task, capturing its warnings and turning an exception into a failed outcome."""
    clock = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = function(*task.args, **task.kwargs)
        except RedoxmapError as exc:
            outcome = TaskOutcome(task.label, error=str(exc), error_type=type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - a bug or unforeseen file: report it, go on
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            outcome = TaskOutcome(task.label, error=f"unexpected error: {detail}",
                                  error_type=type(exc).__name__)
        else:
            outcome = TaskOutcome(task.label, value=value)
    seen = []
    for item in caught:
        text = str(item.message)
        if text not in seen:
            seen.append(text)
    outcome.warnings = seen
    outcome.seconds = time.perf_counter() - clock
    return outcome


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar on a terminal (rich, on standard error) and in notebooks; yields ``update(done, total,
    label)``.

    Labels are shown as they are (file names with brackets stay intact). Where standard error is no terminal (a
    batch job's log), plain lines there instead (:class:`redoxmap.progress.ProgressLines`)."""
    import importlib.util

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from redoxmap.progress import ProgressLines, progress_in_lines

    if progress_in_lines():
        lines = ProgressLines()
        try:
            yield lambda done, count, label="": lines.show(f"{description}: {done} of {count}"
                                                           + (f" ({label})" if label else ""))
        finally:
            lines.close()
        return
    console = Console(stderr=True)
    if console.is_jupyter and importlib.util.find_spec("ipywidgets") is None:
        # rich draws a live bar in a notebook only through ipywidgets; without them, one line at the end.
        state = {"done": 0, "count": total or 0}

        def record(done: int, count: int, label: str = "") -> None:
            state.update(done=done, count=count)

        yield record
        # To the cell's output, not stderr: a notebook shows stderr as an error box, and this is none.
        print(f"{description}: {state['done']} of {state['count']} done")
        return
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.fields[current]}", markup=False))
    with Progress(*columns, transient=False, console=console) as bar:
        job = bar.add_task(description, total=total, current="")

        def update(done: int, count: int, label: str = "") -> None:
            bar.update(job, completed=done, total=count, current=label)

        yield update
        bar.update(job, current="")


class SerialExecutor:
    """Runs tasks one after the other, with a progress bar in terminals and notebooks.

    Parameters
    ----------
    progress : bool
        Show a progress bar (rich).
    """

    def __init__(self, *, progress: bool = True) -> None:
        self.progress = progress

    def map(self, function: Callable[..., Any], tasks: Sequence[Task], *,
            description: str = "") -> list[TaskOutcome]:
        """Run ``function(*task.args, **task.kwargs)`` for every task in turn; never raise for one task.

        Parameters
        ----------
        function : callable
        tasks : sequence of Task
        description : str
            The progress bar's label (``"working"`` when empty).

        Returns
        -------
        list of TaskOutcome
            One per task, in order.
        """
        if not self.progress or not tasks:
            return [run_task(function, task) for task in tasks]
        outcomes = []
        with progress_bar(description or "working", len(tasks)) as update:
            for done, task in enumerate(tasks):
                update(done, len(tasks), task.label)
                outcomes.append(run_task(function, task))
            update(len(tasks), len(tasks))
        return outcomes
