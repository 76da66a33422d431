"""Benchmark: how fast the command answers and how light ``import redoxmap`` is.

Times ``redoxmap --help`` (the installed entry point, a fresh process each run) against the
interpreter's own start (``python -c pass``), and ``import redoxmap`` with the modules it loads.
Goal: ``redoxmap --help`` under 0.5 s on a 2-core machine.

Run ``python benchmarks/bench_startup.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def _median_seconds(command: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    executable = shutil.which("redoxmap")
    if executable is None:
        raise SystemExit("install redoxmap first (pip install .): the benchmark runs its entry point")
    baseline = _median_seconds([sys.executable, "-c", "pass"])
    help_time = _median_seconds([executable, "--help"])
    import_time = _median_seconds([sys.executable, "-c", "import redoxmap"])
    loaded = subprocess.run([sys.executable, "-c", "import sys, redoxmap; print(len(sys.modules))"],
                            check=True, capture_output=True, text=True).stdout.strip()
    print(f"python -c pass:   {baseline * 1e3:6.0f} ms")
    print(f"import redoxmap:  {import_time * 1e3:6.0f} ms ({loaded} modules loaded in all)")
    print(f"redoxmap --help:  {help_time * 1e3:6.0f} ms (goal < 500 ms; {help_time / baseline:.0f}x the bare "
          "interpreter)")


if __name__ == "__main__":
    main()
