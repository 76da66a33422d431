"""Timing helper shared by the benchmarks."""

from __future__ import annotations

import time


def best(function, repeat: int = 3) -> tuple[float, object]:
    """The shortest of ``repeat`` wall-clock runs of ``function()`` (seconds) and its last value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return min(times), value
