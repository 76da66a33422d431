"""Every analysis command of the CLI on every real file of the folders its modality lives in (other
modalities' files, licences and read-me files included): each call ends in a result or a clear refusal,
never in a Python traceback, a crash, a hang or a run past the memory ceiling, and no input file changes.

The default run takes one file of each kind (file ending) per folder and command; CI (``CI`` set, or ``--run-slow``)
takes every file. Calls run in worker processes (``tests/every_file_worker.py``), several calls per
process, so that the interpreter starts a few times rather than thousands.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from redoxmap.processes import usable_cores

MEMORY_BYTES = 4 * 1024 ** 3  # address space per worker: the fuzz's 2 GB of memory, and room for the libraries
SECONDS = 60  # per call; the slowest legitimate call here takes about 10 s
WORKER = Path(__file__).with_name("every_file_worker.py")

MN = ("xas", "XraySpectroscopy+XASDataLibrary", "data", "Mn")


def _commands(data: Path, tmp: Path) -> dict[str, tuple[tuple[str, ...], list[str]]]:
    """Command -> (the data folders of its modality, the options it needs besides the file)."""
    references = [option for valence, name in ((2, "MnO"), (3, "Mn2O3"), (4, "MnO2"))
                  for option in ("--ref", f"{data.joinpath(*MN, name + '_rt_01.xdi')}={valence}")]
    calibration = tmp / "calibration.json"
    calibration.write_text(json.dumps({"redoxmap_dems_calibration": 1, "sensitivities": [
        {"gas": "O2", "mz": 32.0, "value_C_mol": 2.0, "stderr_C_mol": 0.05, "method": "calibration gas",
         "conditions": {}},
        {"gas": "CO2", "mz": 44.0, "value_C_mol": 1.5, "stderr_C_mol": 0.05, "method": "calibration gas",
         "conditions": {}}]}))
    echem, eis, xrd = ("echem",), ("eis", "xrd_eis"), ("xrd_eis",)
    return {
        "convert": (echem, ["-o", str(tmp / "out.bdf.csv"), "-m", "5"]),
        "cycling summary": (echem, ["-m", "5"]),
        "cycling dqdv": (echem, ["-m", "5"]),
        "cycling regions": (echem, ["-m", "5"]),
        "cycling capacity-rise": (echem, ["-m", "5"]),
        "cycling plot": (echem, ["-m", "5", "-o", str(tmp / "plot.png")]),
        "cv analyze": (echem, ["--scan-rate", "1", "--area-cm2", "1.13", "--concentration", "1e-5"]),
        "eis fit": (eis, []), "eis kk": (eis, []), "eis drt": (eis, []), "eis series": (eis, []),
        "xrd peaks": (xrd, ["--near", "18.6,28.4,44.5"]), "xrd lattice": (xrd, []), "xrd series": (xrd, []),
        "xas normalize": (("xas",), []), "xas valence": (("xas",), [*references, "--edge", "Mn-K"]),
        "xas edge": (("xas",), references), "xas oxygen": (("xas",), []),
        "xps regions": (("xps",), []), "xps fit": (("xps",), []), "xps series": (("xps",), []),
        "xps quantify": (("xps",), ["--regions", "C 1s,O 1s"]), "xps survey": (("xps",), []),
        "dems channels": (("dems",), []),
        "dems calibrate": (("dems",), ["--gas", "O2", "--mz", "32", "--window", "600,900", "--baseline", "0,300",
                                       "--mole-fraction", "0.01", "--flow", "1"]),
        "dems quantify": (("dems",), ["--calibration", str(calibration), "-m", "10"]),
        "sem analyze": (("images",), ["--pixel-nm", "10"]),
        "tem fft": (("images",), ["--pixel-nm", "0.01"]),
    }


# Commands that take no data file of a modality: a study, a store, a model, two numbers.
NOT_FILE_COMMANDS = {"demo", "report", "map", "formats", "store catalog", "store query", "model simulate",
                     "model validate", "model fit", "model whatif", "simulate study", "simulate campaign",
                     "xas depth"}


def _cli_commands() -> set[str]:
    from typer.main import get_command

    from redoxmap.cli import app

    found = set()

    def walk(command, prefix):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found.add(prefix)
    walk(get_command(app), "")
    return found


def _files(data: Path, folders, every: bool) -> list[Path]:
    """The files under the folders; without ``every``, the first of each kind (file ending) in each folder."""
    files = [p for folder in folders for p in sorted((data / folder).rglob("*")) if p.is_file()]
    if every:
        return files
    first = {}
    for p in files:
        first.setdefault((p.relative_to(data).parts[0], p.suffix.lower()), p)
    return list(first.values())


def _forward(stream, lines: queue.Queue) -> None:
    """Every line of a worker's output into the queue, then None when it closes."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def _run_worker(calls: list[list[str]], cwd: Path) -> list[dict]:
    """Run calls in one worker process after the other, restarting it after a call that killed it (a
    crash) or outlived the watchdog (a hang)."""
    env = dict(os.environ, MPLBACKEND="Agg", COLUMNS="200", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(filter(None, [str(WORKER.parent.parent),
                                                                          os.environ.get("PYTHONPATH")])))
    results, remaining = [], list(calls)
    while remaining:
        listing = cwd / f"calls-{threading.get_ident()}.json"
        listing.write_text(json.dumps(remaining))
        process = subprocess.Popen([sys.executable, str(WORKER), str(listing), str(MEMORY_BYTES), str(SECONDS)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                   cwd=cwd, env=env, text=True)
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=_forward, args=(process.stdout, lines), daemon=True)
        reader.start()
        started, produced = None, 0
        while True:
            try:
                line = lines.get(timeout=SECONDS + 60)  # the interpreter's start, and a call past its alarm
            except queue.Empty:
                process.kill()
                results.append({"args": started or remaining[0], "class": "hang"})
                break
            if line is None:
                process.wait()
                if started is not None:
                    results.append({"args": started, "class": "crash", "exit": process.returncode})
                elif not produced:  # the worker died before its first call: report once, not in a loop
                    results.append({"args": remaining[0], "class": "crash", "exit": process.returncode})
                break
            record = json.loads(line)
            if "start" in record:
                started = record["start"]
                continue
            results.append(record)
            started, produced = None, produced + 1
        process.wait()
        reader.join(timeout=10)  # it has read the pipe to its end once the process is gone
        process.stdout.close()
        done = {json.dumps(r["args"]) for r in results}
        remaining = [c for c in remaining if json.dumps(c) not in done]
    return results


def _sweep(data: Path, tmp: Path, every: bool) -> tuple[list[dict], int]:
    commands = _commands(data, tmp)
    uncovered = _cli_commands() - set(commands) - NOT_FILE_COMMANDS
    assert not uncovered, f"analysis commands without a place in this test: {sorted(uncovered)}"
    calls = [[*name.split(), str(path), *options] for name, (folders, options) in commands.items()
             for path in _files(data, folders, every)]
    inputs = sorted({p for folders, _ in commands.values() for p in _files(data, folders, every)})
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in inputs}
    workers = max(1, min(4, usable_cores()))
    chunks = [calls[k::workers] for k in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        results = [r for chunk in pool.map(lambda c: _run_worker(c, tmp), chunks) for r in chunk]
    changed = [str(p) for p in inputs if (p.stat().st_size, p.stat().st_mtime_ns) != before[p]]
    assert not changed, f"input files changed: {changed[:5]}"
    return results, len(calls)


def _report(results: list[dict]) -> str:
    bad = [r for r in results if r["class"] not in ("ok", "refused")]
    return "\n".join(f"{r['class']}: redoxmap {' '.join(r['args'])} -> {r.get('exception', '')} {r.get('where', '')} "
                     f"{r.get('message', '')}" for r in bad[:40])


def test_every_command_on_a_file_of_every_project(data, tmp_path):
    """One file of each kind per folder and command: a result or a clear refusal, each."""
    results, count = _sweep(data, tmp_path, every=False)
    assert len(results) == count
    bad = [r for r in results if r["class"] not in ("ok", "refused")]
    assert not bad, _report(results)
    assert sum(r["class"] == "ok" for r in results) > count // 4  # the sweep reads real data, not only refusals


@pytest.mark.slow
def test_every_command_on_every_file(data, tmp_path):
    """Every file of the modality's folders: a result or a clear refusal, within the time and memory bounds."""
    results, count = _sweep(data, tmp_path, every=True)
    assert len(results) == count
    assert not [r for r in results if r["class"] not in ("ok", "refused")], _report(results)
