"""Run readers on mutated files in a worker process bounded in time and memory.

The worker is a fresh interpreter (spawned: a fork of a process whose polars or pyarrow thread pools are
running can deadlock in the child) and reads one case after another; the parent gives each case a
deadline and watches the worker's resident memory (an address-space limit would also stop the thread
pools of polars and pyarrow from starting), and when a case hangs, grows beyond the memory bound or
kills the worker, records it and starts a fresh worker at the next case. Every case ends as one outcome:

* ``read``: a valid result (numbers finite), or suspicious numbers with a redoxmap warning;
* ``refused``: a :class:`~redoxmap.errors.RedoxmapError` whose message names the file;
* anything else is a failure: ``unnamed`` (the error does not name the file), ``crash`` (another
  exception), ``silent`` (nonsense returned without a warning), ``hang``, ``memory`` (beyond the bound),
  ``died`` (the worker was killed).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.fuzz import mutations

FAILURES = ("unnamed", "crash", "silent", "hang", "memory", "died")


@dataclass(frozen=True)
class Case:
    """A source file, the mutation applied to it and the seed of the mutation."""

    family: str
    source: Path
    mutation: str
    seed: int

    @property
    def id(self) -> str:
        return f"{self.family}:{self.source.name}:{self.mutation}:{self.seed}"

    def data(self) -> bytes:
        table = {**mutations.TEXT_MUTATIONS, **mutations.ZIP_MUTATIONS, **mutations.ZIP_BOMB,
                 **mutations.XML_MUTATIONS, **mutations.PLACEMENTS}
        return table[self.mutation](self.source.read_bytes(), random.Random(self.seed))


@dataclass
class Outcome:
    case: Case
    kind: str
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.kind in FAILURES


# ---------------------------------------------------------------------------- readers and checks


def _finite(*arrays) -> bool:
    return all(np.isfinite(np.asarray(a, dtype=float)).all() and np.size(a) > 0 for a in arrays)


def _plausible(values, limit: float) -> bool:
    values = np.asarray(values, dtype=float)
    return bool(np.all(np.abs(values[np.isfinite(values)]) < limit))


def _read(family: str, path: Path):
    """The family's public reader, and whether its result is finite and plausible."""
    import redoxmap

    if family == "cycling":
        table = redoxmap.read_cycling(path)
        columns = [table[c].to_numpy() for c in ("time_s", "voltage_V", "current_A")]
        return _finite(*columns), _plausible(columns[1], 1e3) and _plausible(columns[2], 1e4)
    if family == "cv":
        cv = redoxmap.cv.read_voltammogram(path, scan_rate_mV_s=1.0)
        return (_finite(cv.time_s, cv.potential_V, cv.current_A) and len(cv.time_s) >= 10,  # a sweep, not a point
                _plausible(cv.potential_V, 1e3) and _plausible(cv.current_A, 1e4))
    if family == "eis":
        spectra = redoxmap.eis.read_impedance(path)
        ok = all(_finite(s.frequency_Hz, s.z_ohm.real, s.z_ohm.imag) for s in spectra)
        return ok, all(_plausible(np.abs(s.z_ohm), 1e15) and _plausible(s.frequency_Hz, 1e12) for s in spectra)
    if family == "xas":
        if path.suffix.lower() == ".prj":
            groups = redoxmap.xas.read_athena(path)
            arrays = [v.to_numpy() for ds in groups.values() for v in (ds["energy"], *ds.data_vars.values())]
        else:
            ds = redoxmap.xas.read_spectrum_table(path)
            arrays = [ds["energy"].to_numpy(), *(v.to_numpy() for v in ds.data_vars.values())]
        energies = arrays[0]  # an absorption edge lies between 40 eV and 150 keV: anything else is no spectrum
        return _finite(*arrays) and 40 <= energies.min() and energies.max() <= 1.5e5, all(_plausible(a, 1e15)
                                                                                          for a in arrays)
    if family == "xrd":
        patterns = redoxmap.xrd.read_xrd(path)
        return (all(_finite(p.two_theta, p.intensity) for p in patterns),
                all(_plausible(p.intensity, 1e15) for p in patterns))
    if family == "images":
        image = redoxmap.tem.read_image(path)
        return _finite(image.data), _plausible(image.data, 1e30)
    if family == "xps":
        spectra = redoxmap.io.read_xps(path)
        return (all(_finite(s.binding_energy_eV, s.intensity_cps) for s in spectra),
                all(_plausible(s.intensity_cps, 1e15) for s in spectra))
    if family == "sem":
        section = redoxmap.io.read_sem(path)
        arrays = [section.image] + ([section.cube] if section.cube is not None else [])
        return _finite(*arrays), all(_plausible(a, 1e30) for a in arrays)
    if family == "dems":
        recording = redoxmap.io.read_ms(path)
        arrays = [a for t, v in recording.channels.values() for a in (t, v)]
        return _finite(*arrays), all(_plausible(a, 1e12) for a in arrays)
    raise ValueError(family)


def _place(case: Case, folder: Path) -> Path:
    """Write the case's file: its bytes under the source's name, under another format's name, or a link
    to /dev/zero in its place."""
    if case.mutation == "link_dev_zero":
        path = folder / case.source.name
        path.symlink_to("/dev/zero")
        return path
    name = (
        case.source.stem + mutations.RENAMES[case.mutation] if case.mutation in mutations.RENAMES else case.source.name
    )
    path = folder / name
    path.write_bytes(case.data())
    return path


def _classify(case: Case, folder: Path) -> tuple[str, str]:
    from redoxmap.errors import RedoxmapError, RedoxmapWarning

    path = _place(case, folder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            finite, plausible = _read(case.family, path)
    except RedoxmapError as exc:
        return ("refused", "") if str(path) in str(exc) else ("unnamed", f"{type(exc).__name__}: {exc}"[:300])
    except Exception as exc:  # noqa: BLE001 - the point of the harness
        return "crash", f"{type(exc).__name__}: {str(exc)[:200]} | {traceback.format_exc().splitlines()[-3][:200]}"
    finally:
        path.unlink(missing_ok=True)
    warned = any(issubclass(w.category, RedoxmapWarning) for w in caught)
    if not finite:
        return "silent", "non-finite values returned"
    if not plausible and not warned:
        return "silent", "implausible magnitudes returned without a warning"
    return "read", ""


def _worker(connection, cases: list[Case]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="redoxmap-fuzz-"))
    try:
        for index, case in enumerate(cases):
            try:
                kind, detail = _classify(case, folder)
            except MemoryError:
                kind, detail = "died", "MemoryError"
            connection.send((index, kind, detail))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        connection.close()


def _resident_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _wait(receive, worker, timeout_s: float, memory_bytes: int) -> str:
    """``"answer"``, ``"hang"``, ``"memory"`` or ``"died"``: what happened first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if receive.poll(0.02):
            return "answer"
        if not worker.is_alive():
            return "answer" if receive.poll(0) else "died"
        if _resident_bytes(worker.pid) > memory_bytes:
            return "memory"
    return "hang"


def run_cases(cases: list[Case], *, timeout_s: float = 10.0, memory_mb: int = 1536) -> list[Outcome]:
    """Every case's outcome: each within ``timeout_s`` and a worker resident size of ``memory_mb`` (a fresh
    interpreter with redoxmap and its readers loaded takes about 300 MB)."""
    context = multiprocessing.get_context("spawn")
    memory = memory_mb * 2**20
    outcomes: list[Outcome] = []
    start = 0
    while start < len(cases):
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_worker, args=(send, cases[start:]), daemon=True)
        worker.start()
        send.close()
        while start < len(cases):
            event = _wait(receive, worker, timeout_s, memory)
            if event == "answer":
                try:
                    _, kind, detail = receive.recv()
                except EOFError:
                    event = "died"
                else:
                    outcomes.append(Outcome(cases[start], kind, detail))
                    start += 1
                    continue
            detail = {"hang": f"no answer within {timeout_s:g} s", "memory": f"grew beyond {memory_mb} MB",
                      "died": f"exit code {worker.exitcode}"}[event]
            outcomes.append(Outcome(cases[start], event, detail))
            start += 1
            break
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receive.close()
    return outcomes
