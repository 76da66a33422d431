"""Benchmark: the cycle-resolved activation model and its joint fit.

1. 40 cycles of the cycle-resolved model (160-point depth grid), median of 50 runs (goal: < 10 ms);
2. a joint fit of two temperatures: the reference study's capacities at 30 and 50 C and its bulk
   r-values, the six parameters the protocol fits (goal: < 30 s), and the whole protocol
   (``redoxmap model validate``: that fit, 40 refits with every fixed value drawn, the two tests), in one
   process and with its refits on the usable cores (the command's default), interleaved;
3. 40 cycles of the time-resolved particle model at 0.1 C (24 shells, LSODA), against PyBaMM's SPMe for
   40 cycles (its default parameter set, built and solved each time, as its docs show a simulation run)
   when PyBaMM is installed (``pip install ".[bench]"``): both warmed up, then interleaved A B A B,
   median and spread of 3 each; otherwise only ours is timed;
4. a fit of the time-resolved model: two parameters to the capacities and region III charge of four
   cycles at 30 and 50 C made by known parameters (no anchor: no other tool fits this model);
5. the reference protocol with the particle model (``model validate --time-resolved``), once.

Run ``python benchmarks/bench_model.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import time
import warnings

from _timing import interleaved, threads_note


def main() -> None:
    from redoxmap.model.cycle_model import ActivationParameters, simulate_cycles
    from redoxmap.model.fit import fit_model
    from redoxmap.model.validation import (
        reference_evidence,
        reference_start,
        reference_study,
    )

    print(threads_note())
    parameters = ActivationParameters()
    run, _ = interleaved(lambda: simulate_cycles(parameters, 40, temperature_C=30), lambda: None, repeat=50)
    print(f"Cycle-resolved model, 40 cycles: {run['median'] * 1e3:.2f} ± {run['spread'] * 1e3:.2f} ms "
          "(median of 50; goal < 10 ms)")
    data = reference_study()
    fixed = reference_evidence(data)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_model(data["capacities"] + data["bulk_r"], start=reference_start(fixed))
    elapsed = time.perf_counter() - start
    print(f"Joint fit, 30 and 50 C, {len(fit.names)} parameters, {len(fit.residuals)} observations: {elapsed:.1f} s "
          f"(goal < 30 s), chi-square {fit.chi_square:.2f}")
    from redoxmap.model.validation import validate_reference
    from redoxmap.processes import usable_cores

    cores = usable_cores()
    serial, parallel = interleaved(validate_reference, lambda: validate_reference(workers=cores), repeat=2)
    print(f"Reference protocol (model validate: 40 refits with the fixed values drawn, two tests): "
          f"{serial['median']:.1f} s in one process, {parallel['median']:.1f} s on {cores} (the CLI's default; "
          f"{serial['median'] / parallel['median']:.2f}x; interleaved, median of 2)")
    from redoxmap.model.time_model import simulate_time_resolved

    def ours():
        return simulate_time_resolved(cycles=40, temperature_C=30)
    try:
        import pybamm
    except ImportError:
        mine, _ = interleaved(ours, lambda: None, repeat=3)
        print(f"Time-resolved particle model, 40 cycles at 0.1 C: {mine['median']:.2f} ± {mine['spread']:.2f} s; "
              "PyBaMM is not installed: its SPMe was not timed")
    else:
        experiment = pybamm.Experiment(["Charge at C/10 until 4.2 V", "Discharge at C/10 until 2.5 V"] * 40)
        mine, theirs = interleaved(ours, lambda: pybamm.Simulation(pybamm.lithium_ion.SPMe(),
                                                                   experiment=experiment).solve(), repeat=3)
        print(
            f"Time-resolved particle model, 40 cycles at 0.1 C: {mine['median']:.2f} ± {mine['spread']:.2f} s; "
            f"PyBaMM {pybamm.__version__} SPMe, 40 cycles at C/10: {theirs['median']:.2f} ± {theirs['spread']:.2f} s "
            f"(medians of 3, interleaved, after a warm-up); ratio ours/theirs {mine['median'] / theirs['median']:.2f}"
        )
    _, cycles = mine["value"]
    print(f"  activated fraction after 40 cycles: {cycles['activated_fraction'].iloc[-1]:.2f}")
    time_resolved_fit()


def time_resolved_fit() -> None:
    from redoxmap.errors import FitWarning
    from redoxmap.model.fit import Observation, fit_time_resolved, predict_time_resolved
    from redoxmap.model.time_model import CellParameters

    base = CellParameters(r_int_ohm_g=2.0)  # a small interfacial loss: outputs smooth in the parameters
    truth = base.with_values(diffusivity_cm2_s=2e-13, q_o_mAh_g=150.0)
    template = [Observation(kind, 0.0, 2.0, temperature, cycle) for temperature in (30, 50)
                for cycle in range(1, 5) for kind in ("capacity", "region_iii")]
    values = predict_time_resolved(truth, template)
    observations = [Observation(o.kind, v, o.stderr, o.temperature_C, o.cycle) for o, v in zip(template, values)]
    evaluations = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        fit = fit_time_resolved(observations, start=base, vary=("diffusivity_cm2_s", "q_o_mAh_g"),
                                on_evaluation=lambda n, chi2: evaluations.append(n))
    elapsed = time.perf_counter() - start
    found = ", ".join(f"{row.name} {row.value:.4g} ± {row.stderr:.2g}" for row in fit.table.itertuples())
    print(f"Time-resolved fit, 2 parameters, {len(observations)} observations (4 cycles at 30 and 50 C): "
          f"{elapsed:.1f} s, {len(evaluations)} model runs; {found} (truth 2e-13, 150)")
    from redoxmap.model.validation import validate_reference

    start = time.perf_counter()
    result = validate_reference(time_resolved=True)
    print(f"Reference protocol with the particle model: {time.perf_counter() - start:.0f} s, training chi-square "
          f"{result.fit.chi_square:.1f} for {len(result.fit.residuals)} observations; held out:")
    for row in result.predictions.itertuples():
        print(f"  {row.observation}: predicted {row.predicted:.3g} (95 % {row.low_95:.3g}-{row.high_95:.3g}), "
              f"measured {row.measured:.3g}")


if __name__ == "__main__":
    main()
