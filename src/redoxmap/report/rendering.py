"""Drawing and saving a report's figures in parallel, with progress.

Drawing and saving a figure costs 0.1-0.5 s here (its layout, one rendering and the PNG), most of a
report's time, while building a page costs little. So a figure leaves the report's process as its
:class:`~redoxmap.report.figure_cache.Drawing` (the function and what it draws), pickled, and a pool of
worker processes draws and saves it while the report goes on. Sending the drawing, not the drawn figure,
keeps the report's own process free for the analyses and pages, and spares pickling every artist there and
unpickling it in the worker (about 2 s of CPU for the 121 figures of a 16-cell campaign, measured with
``benchmarks/bench_campaign.py``). A worker draws in the report's style (:func:`figure_style`). Outside
:func:`figure_pool` (a plain call of :func:`submit`) figures are drawn and saved in the calling process.

The workers are forked (Linux): a spawned worker would re-import the user's script, which breaks a
script without an ``if __name__ == "__main__":`` guard. Where fork is not the safe default (macOS,
Windows) figures are drawn in the calling process. A study run on Dask draws its figures as tasks on the
same cluster instead (``client``): they then need the report's folder on a filesystem the workers share,
as the study's files do. A worker there draws with its own Matplotlib and fonts in the report's style
(:func:`figure_style`), not with the calling process' other settings, which the figures' keys
(:mod:`.figure_cache`) hash: a cluster whose workers are set up otherwise than the client keeps figures
drawn with their settings.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from redoxmap.processes import forked_pool, running_processes, shared_processes, usable_cores
from redoxmap.report.figure_cache import Drawing, KeyMemo, remember
from redoxmap.report.style import figure_style, save_figure

Progress = Callable[[int, int, str], None]  # (done, submitted, label)
PENDING_PER_WORKER = 4  # figures queued per drawing process: enough to keep it busy, few enough to bound memory
REMOTE_DRAWING_BYTES = 8 * 1024 ** 2
"""A drawing whose pickle is larger is drawn in the report's process rather than sent through a Dask
scheduler (a campaign's comparison figure holds every cell's analysis; Dask warns from 10 MB)."""


@dataclass
class _Pool:
    executor: ProcessPoolExecutor | None  # or a distributed.Client: both submit and return futures
    progress: Progress | None
    print_quality: bool = True
    reuse: bool = True
    """Whether a figure saved by an earlier report from the same inputs is kept (:mod:`.figure_cache`)."""
    submitted: int = 0
    kept: int = 0
    memo: KeyMemo = field(default_factory=KeyMemo)
    """What the keys of the figures share (:func:`key_memo`)."""
    done: int = 0
    pending: list[Future] = field(default_factory=list)
    """A local pool's figures not yet saved: at most ``limit``, so that a report that builds its pages faster
    than its pool draws does not hold every pickled drawing at once."""
    limit: int = 0
    remote: bool = False
    """Whether figures go to a Dask cluster (pickled with cloudpickle: a figure function of the user's script
    travels by value, since the workers cannot import it)."""

    def wait_for_room(self) -> None:
        """Block until fewer than ``limit`` figures wait to be saved (no limit for a Dask client)."""
        from concurrent.futures import FIRST_COMPLETED, wait

        self.pending = [f for f in self.pending if not f.done()]
        while self.limit and len(self.pending) >= self.limit:
            wait(self.pending, return_when=FIRST_COMPLETED)
            self.pending = [f for f in self.pending if not f.done()]

    def finished(self, label: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.submitted, label)


_ACTIVE: ContextVar[_Pool | None] = ContextVar("redoxmap_figure_pool", default=None)


def _save(figure, folder: Path, stem: str, print_quality: bool, key: str | None) -> dict:
    return remember(folder, stem, key, save_figure(figure, folder, stem, print_quality=print_quality))


def _draw_and_save(drawing: Drawing, folder: Path, stem: str, print_quality: bool, key: str | None,
                   plt=None) -> dict:
    """Draw a figure (with ``plt``, the caller's :class:`~redoxmap.report.style.FigureFactory`, else in the
    report's style) and save it."""
    if plt is not None:
        return _save(drawing.draw(plt), folder, stem, print_quality, key)
    with figure_style() as factory:
        return _save(drawing.draw(factory), folder, stem, print_quality, key)


def _draw_pickled(data: bytes, folder: str, stem: str, print_quality: bool, key: str | None) -> dict:
    return _draw_and_save(pickle.loads(data), Path(folder), stem, print_quality, key)


def print_quality() -> bool:
    """Whether the figures saved now get their 300 dpi PNG and SVG (always, outside :func:`figure_pool`)."""
    pool = _ACTIVE.get()
    return True if pool is None else pool.print_quality


def reuse_figures() -> bool:
    """Whether a figure saved earlier from the same inputs is kept (inside a :func:`figure_pool` that allows
    it; never outside one)."""
    pool = _ACTIVE.get()
    return pool is not None and pool.reuse


def key_memo() -> KeyMemo | None:
    """What the keys of the current :func:`figure_pool`'s figures share, for
    :meth:`redoxmap.report.figure_cache.Drawing.key` (None outside a pool: nothing remembered)."""
    pool = _ACTIVE.get()
    return None if pool is None else pool.memo


def count_kept() -> None:
    """Count a figure kept from an earlier report (:func:`figure_counts`)."""
    pool = _ACTIVE.get()
    if pool is not None:
        pool.kept += 1


def figure_counts() -> dict[str, int]:
    """The figures of the current :func:`figure_pool`: ``drawn`` (submitted to be saved) and ``kept`` from an
    earlier report."""
    pool = _ACTIVE.get()
    return {"drawn": 0, "kept": 0} if pool is None else {"drawn": pool.submitted, "kept": pool.kept}


def default_workers() -> int:
    """Worker processes for figures: the cores this process may use (:func:`redoxmap.processes.usable_cores`: its
    CPU affinity, not the machine's count), at most four (1, in this process, without fork)."""
    if not sys.platform.startswith("linux"):
        return 1
    return max(1, min(usable_cores(), 4))


@contextmanager
def drawing_processes(workers: int | None = None) -> Iterator[None]:
    """Fork the processes that draw a report's figures now (:func:`redoxmap.processes.shared_processes`: its
    analyses may run in them first), for the :func:`figure_pool` inside this block.

    A forked process starts with its parent's resident memory. Forked after a study's analyses (where
    :func:`figure_pool` would fork them), the drawing processes of a 1,000-cell report held 1.9–2.8 GB while the
    report's own held 1.3–1.9 GB (2026-12-06); forked before them, they hold the imports and what they analyse
    (:class:`redoxmap.study.AdaptiveExecutor` may move tasks to them) and draw. Where the figures go to a Dask
    client, the processes stay idle and end with the block.
    """
    # imported once here, not by every process forked below
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import pandas  # noqa: F401

    with shared_processes(default_workers() if workers is None else workers):
        yield


@contextmanager
def figure_pool(workers: int | None = None, progress: Progress | None = None, *, client=None,
                print_quality: bool = True, reuse: bool = True) -> Iterator[None]:
    """Save the figures submitted inside this block in ``workers`` processes (1: in this process; those of an
    enclosing :func:`drawing_processes` if any), or as tasks of a Dask ``client``'s cluster (which is left
    running); ``print_quality``: with their 300 dpi PNG and SVG, else the page's preview only; ``reuse``: keep
    the figures an earlier report saved from the same inputs (:mod:`redoxmap.report.figure_cache`)."""
    workers = default_workers() if workers is None else workers
    started = running_processes()
    started = started[0] if started is not None and started[1] == workers and client is None else None
    local = started or (forked_pool(workers) if client is None else None)
    pool = _Pool(client if client is not None else local, progress, print_quality, reuse,
                 limit=PENDING_PER_WORKER * workers if local is not None else 0, remote=client is not None)
    token = _ACTIVE.set(pool)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        if local is not None and local is not started:
            local.shutdown(wait=True, cancel_futures=True)


def submit(drawing: Drawing, folder: Path, stem: str, label: str = "", key: str | None = None, *,
           plt=None) -> Future:
    """Draw a figure and save it (its preview, and the 300 dpi PNG and SVG where :func:`print_quality`)
    and, after its files, its ``key`` (:func:`redoxmap.report.figure_cache.remember`): in the pool's
    processes, or here with ``plt`` (the figure factory of :func:`figure_style`) outside a pool, in a pool
    of one process (``workers=1``, or a system without fork), or where the drawing does not pickle (a
    lambda among its arguments) or is too large to send to a Dask cluster. The future's result is what
    :func:`redoxmap.report.style.save_figure` returns."""
    pool = _ACTIVE.get()
    if pool is not None:
        pool.submitted += 1
        if pool.progress:
            pool.progress(pool.done, pool.submitted, label or stem)
    future: Future = Future()
    quality = print_quality()
    data = None
    if pool is not None and pool.executor is not None:
        try:
            data = _pickled(drawing, pool.remote)
        except Exception:  # noqa: BLE001 - a lambda or an open file among the arguments: drawn here instead
            data = None
    if data is None:
        future.set_result(_draw_and_save(drawing, folder, stem, quality, key, plt))
        if pool is not None:
            pool.finished(label or stem)
        return future
    pool.wait_for_room()
    remote = pool.executor.submit(_draw_pickled, data, str(folder), stem, quality, key)
    remote.add_done_callback(lambda _f: pool.finished(label or stem))
    if pool.limit:
        pool.pending.append(remote)
    return remote


def _pickled(drawing: Drawing, remote: bool) -> bytes | None:
    """The drawing as bytes for the pool (None: draw it here). A local pool's forked processes import a drawing's
    module by name (or have it from the fork), so ``pickle`` serves; a Dask worker may not import the user's
    script, so cloudpickle (Dask's own) sends such functions by value, and a drawing above
    :data:`REMOTE_DRAWING_BYTES` stays."""
    if not remote:
        return pickle.dumps(drawing)
    import cloudpickle

    data = cloudpickle.dumps(drawing)
    return data if len(data) <= REMOTE_DRAWING_BYTES else None
