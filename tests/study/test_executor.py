"""The executor: one failing task is reported, the others go on; warnings are kept."""

from __future__ import annotations

import warnings

from redoxmap.errors import ReadError
from redoxmap.study import SerialExecutor, Task


def _work(x):
    if x == 2:
        raise ReadError("cannot be read", path="b.ndax")
    if x == 3:
        raise ZeroDivisionError("a bug")
    warnings.warn(f"look at {x}")
    return x * 10


def test_failures_are_isolated_and_reported():
    tasks = [Task(f"cell {x}", (x,)) for x in (1, 2, 3, 4)]
    outcomes = SerialExecutor(progress=False).map(_work, tasks)
    assert [o.ok for o in outcomes] == [True, False, False, True]
    assert outcomes[0].value == 10 and outcomes[3].value == 40
    assert "b.ndax: cannot be read" in outcomes[1].error and outcomes[1].error_type == "ReadError"
    assert "unexpected error" in outcomes[2].error and "ZeroDivisionError" in outcomes[2].error
    assert outcomes[0].warnings == ["look at 1"]


def test_progress_bar_runs(capsys):
    outcomes = SerialExecutor(progress=True).map(_work, [Task("cell 1", (1,))], description="test")
    assert outcomes[0].ok
