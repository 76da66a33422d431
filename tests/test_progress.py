"""Progress where no terminal shows it: plain lines on standard error, as a batch job's log gets them."""

from __future__ import annotations

import io
import re

import pytest

from redoxmap import progress
from redoxmap.cli.common import status
from redoxmap.progress import ProgressLines
from redoxmap.study.executor import SerialExecutor, Task

LINE = r"\[\d\d:\d\d:\d\d, \+0:00:\d\d\] "


def _square(value: int) -> int:
    return value * value


@pytest.fixture
def every_state(monkeypatch):
    """Every state a line, and colour forced as some batch jobs set it: the decision is on the stream itself."""
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    monkeypatch.setenv("FORCE_COLOR", "1")


def test_a_phase_run_outside_a_terminal_writes_its_progress_as_lines(every_state, capsys):
    """pytest's captured output is no terminal, as a batch job's is not: rich would write nothing until the end."""
    outcomes = SerialExecutor(progress=True).map(_square, [Task(f"cell {k}", (k,)) for k in range(3)],
                                                 description="cycling analysis")
    assert [o.value for o in outcomes] == [0, 1, 4]
    shown = capsys.readouterr()
    lines = shown.err.splitlines()
    assert all(re.fullmatch(LINE + r"cycling analysis: \d of 3.*", line) for line in lines), lines
    assert lines[0].endswith("0 of 3 (cell 0)") and lines[-1].endswith("3 of 3")
    assert shown.out == ""


def test_work_shorter_than_the_interval_writes_no_line(capsys):
    SerialExecutor(progress=True).map(_square, [Task("cell", (2,))], description="cycling analysis")
    assert capsys.readouterr() == ("", "")


def test_the_last_state_is_written_at_the_end_when_lines_were_written_before():
    ticks = iter([0.0, 10.0, 12.0, 13.0])  # start; a line at 10 s; 12 s recorded only; the end at 13 s
    out = io.StringIO()
    lines = ProgressLines(out, every_s=10.0, clock=lambda: next(ticks))
    lines.show("refit 1 of 80 done")
    lines.show("refit 2 of 80 done")
    lines.close()
    assert [line.split("] ", 1)[1] for line in out.getvalue().splitlines()] == ["refit 1 of 80 done",
                                                                                  "refit 2 of 80 done"]


def test_a_command_s_spinner_becomes_lines_and_keeps_its_last_state_when_the_work_fails(monkeypatch, capsys):
    """The state pending when the work raises (too soon after the last line to be written) is written on the way
    out: in a job that dies, the most useful line."""
    ticks = iter([0.0, 1.0, 11.0, 12.0, 13.0])  # start, "training", refit 1 (a line), refit 2 (pending), the end
    monkeypatch.setattr(progress, "_monotonic", lambda: next(ticks))
    with pytest.raises(KeyError), status("training the model") as shown:
        shown.update("refit 1 of 40 done")
        shown.update(status="refit 2 of 40 done", spinner="dots")  # rich's keywords, as a spinner takes them
        raise KeyError("a refit's error")
    lines = capsys.readouterr().err.splitlines()
    assert all(re.fullmatch(LINE + ".*", line) for line in lines), lines
    assert [line.split("] ", 1)[1] for line in lines] == ["refit 1 of 40 done", "refit 2 of 40 done"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("term", "lines"), [("xterm-256color", False), ("dumb", True)])
def test_a_terminal_gets_rich_s_bar_unless_it_cannot_show_it_live(monkeypatch, term, lines):
    monkeypatch.setattr("sys.stderr", _Terminal())
    monkeypatch.setenv("TERM", term)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    assert progress.progress_in_lines() is lines


def test_no_stderr_or_a_closed_one_loses_the_progress_not_the_work(monkeypatch, capsys):
    """``2>&-`` leaves no standard error: nothing goes to standard output instead. A pipe closed mid-run stops the
    lines, not the work."""
    monkeypatch.setattr("sys.stderr", None)
    ProgressLines(every_s=0.0).show("cycling analysis: 1 of 3")
    assert capsys.readouterr().out == ""
    closed = io.StringIO()
    closed.close()
    lines = ProgressLines(closed, every_s=0.0)
    lines.show("cycling analysis: 1 of 3")
    lines.show("cycling analysis: 2 of 3")
    assert lines.stream is None
