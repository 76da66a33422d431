"""One convention for standard errors (redoxmap.fitting), checked where it matters: on synthetic data
with known noise, the 68 % and 95 % intervals of every kind of fit cover the truth at their nominal
rates. The fast versions use fewer trials and looser bounds; the 200-trial ones are marked slow."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.fitting import KNOWN, SCALED, error_scale

SLOW = pytest.mark.slow
TRIALS = [pytest.param(60, (0.55, 0.81), (0.88, 1.0), id="60-trials"),
          pytest.param(200, (0.65, 0.71), (0.92, 0.98), id="200-trials", marks=SLOW)]


def _check(z: np.ndarray, one_sigma: tuple, two_sigma: tuple) -> None:
    """Share of |z| below 1 and below 1.96 inside the bounds."""
    z = np.abs(np.asarray(z, float))
    assert np.isfinite(z).all()
    inside_68, inside_95 = (z <= 1.0).mean(), (z <= 1.96).mean()
    assert one_sigma[0] <= inside_68 <= one_sigma[1], (inside_68, inside_95)
    assert two_sigma[0] <= inside_95 <= two_sigma[1], (inside_68, inside_95)


def test_the_convention_in_numbers():
    assert error_scale(4.0, errors_known=False) == 4.0  # unknown noise: the residuals estimate it
    assert error_scale(0.25, errors_known=False) == 0.25
    assert error_scale(4.0, errors_known=True) == 4.0  # known errors: inflated when the model misfits
    assert error_scale(0.25, errors_known=True) == 1.0  # ... never shrunk below them
    assert KNOWN != SCALED


@pytest.mark.parametrize(("trials", "one", "two"), TRIALS)
def test_xrd_peak_centres(trials, one, two):
    """A K-alpha doublet on a background with Poisson counts (known errors)."""
    from redoxmap.xrd import fit_peaks
    from redoxmap.xrd.profile import ka2_center

    rng = np.random.default_rng(1)
    x = np.arange(17.0, 20.0, 0.01)
    ratio = 1.544414 / 1.540593

    def line(c):
        u = (x - c) / 0.12
        return 0.5 * np.exp(-4 * np.log(2) * u ** 2) + 0.5 / (1 + 4 * u ** 2)
    truth = 18.5 + rng.uniform(-0.05, 0.05, trials)
    counts = np.array([300 + 800 * (line(c) + 0.5 * line(ka2_center(c, ratio))) for c in truth])
    fits = fit_peaks(x, rng.poisson(counts).astype(float), [18.5] * 1, wavelength_A=1.540593, wavelength2_A=1.544414,
                     half_width_deg=0.6, warn=False)
    table = fits.table
    _check((table["center_deg"] - truth) / table["center_stderr_deg"], one, two)
    assert fits.attrs["errors"] == KNOWN


@pytest.mark.parametrize(("trials", "one", "two"), TRIALS)
def test_lattice_parameters(trials, one, two):
    """Peak positions of a layered cell with known Gaussian errors (0.002-0.01 deg)."""
    from redoxmap.xrd.crystallography import d_of, fit_lattice, two_theta

    rng = np.random.default_rng(2)
    hkl = np.array([[0, 0, 3], [1, 0, 1], [0, 0, 6], [0, 1, 2], [1, 0, 4], [0, 1, 5], [1, 0, 7], [0, 1, 8], [1, 1, 0]])
    exact = two_theta(d_of(hkl, "hexagonal", {"a": 2.85, "c": 14.25}), 1.540593)
    errors = rng.uniform(0.002, 0.01, len(hkl))
    z = []
    for _ in range(trials):
        fit = fit_lattice(hkl, exact + rng.normal(0, errors), errors, wavelength_A=1.540593, system="hexagonal")
        z += [(fit.params["a"] - 2.85) / fit.stderr["a"], (fit.params["c"] - 14.25) / fit.stderr["c"]]
    _check(z, one, two)


@pytest.mark.parametrize(("trials", "one", "two"), TRIALS)
def test_capacity_rise(trials, one, two):
    """Discharge capacities on the activation law with 2 mAh/g of noise the fit is not told."""
    from redoxmap.cycling.capacity_rise import capacity_rise_curve, fit_capacity_rise

    rng = np.random.default_rng(3)
    n = np.arange(1, 41)
    z = []
    for _ in range(trials):
        capacity = capacity_rise_curve(n, 222.0, 108.0, 8.0) + rng.normal(0, 2.0, n.size)
        fit = fit_capacity_rise(n, capacity)
        z += [(fit.n_act - 8.0) / fit.n_act_stderr, (fit.q_inf - 222.0) / fit.q_inf_stderr]
    _check(z, one, two)


@pytest.mark.parametrize(("trials", "one", "two"), TRIALS)
def test_o_k_pre_edge_heights(trials, one, two):
    """O K pre-peaks A, B, C on a step with Gaussian noise of unknown size (scaled errors)."""
    from redoxmap.study.virtual import o_k_spectrum
    from redoxmap.xas import fit_pre_edge

    rng = np.random.default_rng(4)
    z = []
    for _ in range(trials):
        r = rng.uniform(0.05, 0.4)
        energy, mu = o_k_spectrum(r, rng)
        fit = fit_pre_edge(energy, mu, peaks=("A", "B", "C"))
        height, error = fit.height("B")
        z.append((height - (0.35 + r)) / error)
    _check(z, one, two)


@pytest.mark.parametrize(("trials", "one", "two"), TRIALS)
def test_saturating_kinetics_of_the_map(trials, one, two):
    """r after charges 1, 5, 12, 22 and 40 with known errors: the cycles to half the final value."""
    from redoxmap.study.kinetics import saturating_kinetics

    rng = np.random.default_rng(5)
    n = np.array([1, 5, 12, 22, 40])
    errors = np.full(n.size, 0.01)
    z = []
    for _ in range(trials):
        found = saturating_kinetics(n, 0.45 * -np.expm1(-n / 6.0) + rng.normal(0, errors), errors)
        z.append((found.n50 - 6.0 * np.log(2)) / found.n50_stderr)
    _check(z, one, two)


@pytest.mark.parametrize(("trials", "one", "two"), [
    pytest.param(30, (0.5, 0.87), (0.85, 1.0), id="30-trials"),
    pytest.param(200, (0.65, 0.71), (0.92, 0.98), id="200-trials", marks=SLOW)])
def test_activation_model_parameters(trials, one, two):
    """The cycle-resolved model fitted to capacities at 30 and 50 C with their known errors (1 %)."""
    from redoxmap.model import ActivationParameters, Observation, fit_model, simulate_cycles

    rng = np.random.default_rng(6)
    truth = ActivationParameters()
    runs = {t: simulate_cycles(truth, 20, temperature_C=t).table["capacity_mAh_g"].to_numpy() for t in (30.0, 50.0)}
    z = []
    for _ in range(trials):
        observations = [
            Observation("capacity", float(v + rng.normal(0, 0.01 * v)), 0.01 * float(v), t, c)
            for t, values in runs.items()
            for c, v in enumerate(values, start=1)
            if c in (1, 2, 5, 10, 20)
        ]
        fit = fit_model(observations, start=truth, vary=("r_int_ohm_g", "q_o_mAh_g"))
        table = fit.table.set_index("name")
        z += [(table.loc[name, "value"] - getattr(truth, name)) / table.loc[name, "stderr"]
              for name in ("r_int_ohm_g", "q_o_mAh_g")]
    _check(z, one, two)
