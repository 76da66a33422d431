"""Benchmark: the cycle-resolved activation model and its joint fit.

1. 40 cycles of the cycle-resolved model (160-point depth grid), best of 50 runs (goal: < 10 ms);
2. a joint fit of two temperatures: the reference study's capacities at 30 and 50 C and its bulk
   r-values, eight parameters (goal: < 30 s);
3. 40 cycles of the time-resolved particle model at 0.1 C (24 shells, BDF), against PyBaMM's SPMe for
   40 cycles when PyBaMM is installed (``pip install ".[bench]"``); otherwise only ours is timed.

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
    from redoxmap.model.time_model import simulate_time_resolved

    start = time.perf_counter()
    _, cycles = simulate_time_resolved(cycles=40, temperature_C=30)
    ours = time.perf_counter() - start
    print(f"Time-resolved particle model, 40 cycles at 0.1 C: {ours:.1f} s "
          f"(activated fraction after 40: {cycles['activated_fraction'].iloc[-1]:.2f})")
    try:
        import pybamm
    except ImportError:
        print("PyBaMM is not installed: its SPMe was not timed (the issue quotes about 3 s for 40 cycles)")
        return
    model = pybamm.lithium_ion.SPMe()
    experiment = pybamm.Experiment(["Charge at C/10 until 4.2 V", "Discharge at C/10 until 2.5 V"] * 40)
    start = time.perf_counter()
    pybamm.Simulation(model, experiment=experiment).solve()
    theirs = time.perf_counter() - start
    print(f"PyBaMM SPMe, 40 cycles at C/10: {theirs:.1f} s; ratio {ours / theirs:.1f}")


if __name__ == "__main__":
    main()
