"""Where a report's figures are drawn: in the pool that saves them, in the report's style."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from redoxmap.processes import fork_available, running_processes
from redoxmap.report.figure_cache import Drawing
from redoxmap.report.rendering import figure_pool, submit
from redoxmap.report.style import RC, figure_style

FORK = fork_available()


def where_drawn(plt, record: Path, label=str):
    """A figure that writes down the process that drew it and the font size in effect there."""
    import matplotlib

    record.write_text(json.dumps({"pid": os.getpid(), "font_size": matplotlib.rcParams["font.size"]}))
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel(label("voltage (V)"))
    return figure


@pytest.mark.skipif(not FORK, reason="figures are drawn in forked processes on Linux only")
def test_a_pool_draws_the_figure_in_its_own_process_in_the_report_style(tmp_path):
    record = tmp_path / "drawn.json"
    with figure_pool(2), figure_style() as plt:
        result = submit(Drawing(where_drawn, record), tmp_path, "fig", key="k1", plt=plt).result(timeout=120)
    drawn = json.loads(record.read_text())
    assert drawn["pid"] != os.getpid()
    assert drawn["font_size"] == RC["font.size"] != 10.0  # the report's style, not Matplotlib's default
    assert Path(result["preview"]).is_file()
    assert json.loads((tmp_path / "fig.key.json").read_text())["key"] == "k1"


def _resident_mib(pid: int) -> float:
    """A process's resident memory from /proc (VmRSS, kB)."""
    line = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not FORK, reason="figures are drawn in forked processes on Linux only")
def test_drawing_processes_forked_first_draw_without_the_memory_the_report_takes_later(tmp_path):
    """Truth by construction: 300 MiB written after the drawing processes started are resident here and not in
    them; the figure pool inside the block draws in those processes and leaves them running until the block ends."""
    import numpy as np

    from redoxmap.report import rendering

    record = tmp_path / "drawn.json"
    with rendering.drawing_processes(2):
        started, _ = running_processes()
        workers = set(started._processes)
        later = np.ones(300 * 2**20 // 8)  # every page written: resident
        with figure_pool(2), figure_style() as plt:
            submit(Drawing(where_drawn, record), tmp_path, "fig", plt=plt).result(timeout=120)
        assert json.loads(record.read_text())["pid"] in workers and not started._shutdown_thread
        here = _resident_mib(os.getpid())
        assert all(_resident_mib(pid) < here - 200 for pid in workers), (here, [_resident_mib(p) for p in workers])
        del later
    assert started._shutdown_thread


@pytest.mark.skipif(not FORK, reason="figures are drawn in forked processes on Linux only")
def test_a_drawing_that_does_not_pickle_is_drawn_in_this_process(tmp_path):
    record = tmp_path / "drawn.json"
    with figure_pool(2), figure_style() as plt:
        future = submit(Drawing(where_drawn, record, label=lambda text: text.upper()), tmp_path, "fig", plt=plt)
        assert future.done()  # drawn and saved before submit returned
    assert json.loads(record.read_text())["pid"] == os.getpid()
    assert Path(future.result()["preview"]).is_file()


def test_outside_a_pool_the_figure_is_drawn_here_with_the_callers_factory(tmp_path):
    record = tmp_path / "drawn.json"
    with figure_style() as plt:
        future = submit(Drawing(where_drawn, record), tmp_path, "fig", plt=plt)
    assert future.done()
    assert json.loads(record.read_text()) == {"pid": os.getpid(), "font_size": RC["font.size"]}


def test_a_drawing_for_a_dask_cluster_carries_a_function_of_the_script_and_stays_when_large():
    """A Dask worker may not import the user's script: its figure functions travel by value (cloudpickle);
    a drawing above REMOTE_DRAWING_BYTES is drawn in the report's process instead."""
    import pickle

    import numpy as np

    from redoxmap.report import rendering

    cloudpickle = pytest.importorskip("cloudpickle")

    def scripts_own(plt, values):  # defined here, as a script would: not importable by name
        figure, ax = plt.subplots()
        ax.plot(values)
        return figure

    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(Drawing(scripts_own, [1, 2]))
    data = rendering._pickled(Drawing(scripts_own, [1, 2]), remote=True)
    with figure_style() as plt:
        assert cloudpickle.loads(data).draw(plt).axes[0].lines[0].get_ydata().tolist() == [1, 2]
    large = np.zeros(rendering.REMOTE_DRAWING_BYTES // 8 + 1)
    assert rendering._pickled(Drawing(scripts_own, large), remote=True) is None
