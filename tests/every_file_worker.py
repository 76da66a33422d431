"""Runs CLI calls one after the other in one process, under a memory ceiling and a time limit per call,
and writes one JSON line per call: how it ended. Started by ``tests/test_every_file.py``; a call that
kills this process (a crash) or outlives the watchdog there is reported by the test itself.

Usage: ``python tests/every_file_worker.py CALLS.json MEMORY_BYTES SECONDS`` (CALLS: a list of argument lists).
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import traceback
import warnings


class Overtime(BaseException):
    """The call ran past its time (a BaseException, so that no ``except Exception`` in the code swallows it)."""


def _overtime(signum, frame):
    raise Overtime


def _ending(result) -> dict:
    """ok, refused (a redoxmap error: exit code 1 or 2 with its message), or the exception that escaped."""
    exception = result.exception
    if exception is None or isinstance(exception, SystemExit):
        if result.exit_code == 0:
            return {"class": "ok"}
        return {"class": "refused", "message": (result.output.strip().splitlines() or [""])[-1][:300]}
    if isinstance(exception, Overtime):
        return {"class": "hang"}
    frames = traceback.extract_tb(exception.__traceback__)
    where = next((f"{frame.filename.split('/src/')[-1]}:{frame.lineno}" for frame in reversed(frames)
                  if "/redoxmap/" in frame.filename), "")
    kind = "memory" if isinstance(exception, MemoryError) else "traceback"
    return {"class": kind, "exception": type(exception).__name__, "where": where, "message": str(exception)[:300]}


def main(calls_file: str, memory_bytes: int, seconds: int) -> None:
    from typer.testing import CliRunner

    from redoxmap.cli import app

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    signal.signal(signal.SIGALRM, _overtime)
    # a process of its own that runs the CLI on every file and reports how each call ended: the CLI prints
    # its warnings, and what a warning says is tested where it is the point
    warnings.simplefilter("ignore")
    runner = CliRunner()
    with open(calls_file) as handle:
        calls = json.load(handle)
    for args in calls:
        print(json.dumps({"start": args}), flush=True)
        signal.alarm(seconds)
        try:
            result = runner.invoke(app, args, catch_exceptions=True)
            ending = _ending(result)
        except Overtime:
            ending = {"class": "hang"}
        finally:
            signal.alarm(0)
        print(json.dumps({"args": args, **ending}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
