"""Benchmark: the cycle-resolved activation model and its joint fit.

1. 40 cycles of the cycle-resolved model (160-point depth grid), best of 50 runs (goal: < 10 ms);
2. a joint fit of two temperatures: the reference study's capacities at 30 and 50 C and its bulk
   r-values, eight parameters (goal: < 30 s);
3. the time-resolved model against PyBaMM's SPMe is not measured: that model is not built yet
   (issue 6, second part).

Run ``python benchmarks/bench_model.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import time
import warnings

from _timing import best


def main() -> None:
    from redoxmap.model.cycle_model import ActivationParameters, simulate_cycles
    from redoxmap.model.fit import fit_model, reference_study

    parameters = ActivationParameters()
    run_time, _ = best(lambda: simulate_cycles(parameters, 40, temperature_C=30), repeat=50)
    print(f"Cycle-resolved model, 40 cycles: {run_time * 1e3:.2f} ms (goal < 10 ms)")
    data = reference_study()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_model(data["capacities"] + data["bulk_r"])
    elapsed = time.perf_counter() - start
    print(f"Joint fit, 30 and 50 C, {len(fit.names)} parameters, {len(fit.residuals)} observations: {elapsed:.1f} s "
          f"(goal < 30 s), chi-square {fit.chi_square:.2f}")
    print("Time-resolved model against PyBaMM SPMe: not measured (the time-resolved model is not built yet)")


if __name__ == "__main__":
    main()
