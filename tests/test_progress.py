"""Progress where no terminal shows it: plain lines on standard error, as a batch job's log gets them."""

from __future__ import annotations

import re

from redoxmap import progress
from redoxmap.cli.common import status
from redoxmap.study.executor import SerialExecutor, Task


def _square(value: int) -> int:
    return value * value


def test_a_phase_run_outside_a_terminal_writes_its_progress_as_lines(monkeypatch, capsys):
    """pytest's captured output is no terminal, as a batch job's is not: rich would write nothing until the end."""
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)  # every state a line
    outcomes = SerialExecutor(progress=True).map(_square, [Task(f"cell {k}", (k,)) for k in range(3)],
                                                 description="cycling analysis")
    assert [o.value for o in outcomes] == [0, 1, 4]
    lines = capsys.readouterr().err.splitlines()
    assert all(re.fullmatch(r"\[0:00:\d\d\] cycling analysis: \d of 3.*", line) for line in lines), lines
    assert lines[0].endswith("0 of 3 (cell 0)") and lines[-1].endswith("3 of 3")


def test_work_shorter_than_the_interval_writes_no_line(capsys):
    SerialExecutor(progress=True).map(_square, [Task("cell", (2,))], description="cycling analysis")
    assert capsys.readouterr().err == ""


def test_a_command_s_spinner_becomes_lines_outside_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    with status("training the model") as shown:
        shown.update("refit 1 of 40 done")
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["training the model", "refit 1 of 40 done"]
