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


def _warn_twice_then(fail: bool, *, scale: int = 1):
    from redoxmap.errors import DataWarning, warn

    warn("no active mass given", DataWarning)
    warn("no active mass given", DataWarning)
    if fail:
        raise ReadError("truncated", path="c.ndax")
    return 7 * scale


def test_warnings_are_kept_once_each_and_also_when_the_task_fails():
    outcomes = SerialExecutor(progress=False).map(_warn_twice_then, [Task("ok", (False,), {"scale": 2}),
                                                                     Task("bad", (True,))])
    assert outcomes[0].value == 14 and outcomes[0].warnings == ["no active mass given"]
    assert not outcomes[1].ok and outcomes[1].warnings == ["no active mass given"]
    assert outcomes[1].error_type == "ReadError" and outcomes[1].value is None


def _interrupt(x):
    raise KeyboardInterrupt


def test_an_interrupt_stops_the_run_instead_of_becoming_a_failed_task():
    import pytest

    with pytest.raises(KeyboardInterrupt):
        SerialExecutor(progress=False).map(_interrupt, [Task("a", (1,)), Task("b", (2,))])


def test_outcomes_keep_the_tasks_order_and_labels():
    tasks = [Task(f"cell {x}", (x,)) for x in (5, 2, 9, 1, 4)]
    outcomes = SerialExecutor(progress=False).map(_work, tasks)
    assert [o.label for o in outcomes] == [t.label for t in tasks]
    assert [o.value for o in outcomes] == [50, None, 90, 10, 40]
