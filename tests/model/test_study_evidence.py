"""A study's own impedance and SEM in the activation model: the interface resistance as an observation,
the particle radius from sections, checked against truths built without the code under test."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from redoxmap.errors import FitWarning
from redoxmap.model.cycle_model import ActivationParameters, interface_resistance
from redoxmap.model.fit import Observation, fit_model, predict
from redoxmap.model.observations import interface_observations, radius_from_sections


def test_the_radius_from_sections_of_spheres_cut_at_random():
    """Random planes through spheres of 800 nm (numpy, not the synthetic images): the median section's
    equivalent diameter gives the radius back within 1 %."""
    rng = np.random.default_rng(3)
    heights = rng.uniform(0, 1, 200_000)  # a plane's distance from the centre, over the radius
    diameters_um = 2 * 0.8 * np.sqrt(1 - heights ** 2)
    radius, error = radius_from_sections(float(np.median(diameters_um)), 0.0)
    assert radius == pytest.approx(800, rel=0.01)
    assert error == pytest.approx(0.10 * radius)  # the shape's error alone


def test_interface_observations_skip_what_cannot_be_read():
    table = pd.DataFrame({"temperature_C": [30.0, 50.0, 50.0], "R_ohm": [500.0, np.nan, 300.0],
                          "R_stderr_ohm": [np.nan, 1.0, 30.0], "active_mass_mg": [8.0, 8.0, 0.0]})
    (only,) = interface_observations(table, systematic_pct=20.0)
    assert (only.kind, only.value, only.stderr, only.temperature_C) == ("interface_resistance", 4.0, 0.8, 30.0)


def test_cells_at_one_temperature_pool_and_keep_the_shared_error_whole():
    """Three cells at 30 °C and one at 50 °C give two observations; the stated 30 % is the same for every
    cell, so pooling three does not shrink it (their mean 5 ohm g, error at least 1.5)."""
    table = pd.DataFrame({"temperature_C": [30.0, 30.0, 30.0, 50.0], "R_ohm": [400.0, 500.0, 600.0, 250.0],
                          "R_stderr_ohm": [4.0, 5.0, 6.0, 2.5], "active_mass_mg": [10.0] * 4})
    pooled, hot = interface_observations(table)
    assert (pooled.temperature_C, hot.temperature_C) == (30.0, 50.0)
    weights = 1 / np.array([0.04, 0.05, 0.06]) ** 2  # by hand: the inverse-variance mean of 4, 5 and 6 ohm g
    mean = float(weights @ [4.0, 5.0, 6.0] / weights.sum())
    spread = 1.0 / np.sqrt(3) * 1.3213  # their standard error, widened for three (Student's t, 2 d.o.f.)
    assert pooled.value == pytest.approx(mean)
    assert pooled.stderr == pytest.approx(np.hypot(spread, 0.3 * mean), rel=1e-3)


def test_a_spread_of_particle_sizes_widens_the_radius_error():
    """Sections of spheres of one size (numpy) add nothing for their spread; of log-normal sizes
    (sigma 0.4) they add the excess of their d90/d10 over one size's 2.28."""
    rng = np.random.default_rng(5)

    def sections(radii_um):
        heights = rng.uniform(0, 1, radii_um.size)
        keep = rng.uniform(0, 1, radii_um.size) < radii_um / radii_um.max()  # a plane meets a sphere as its size
        return 2 * radii_um[keep] * np.sqrt(1 - heights[keep] ** 2)

    for radii, widened in ((np.full(200_000, 1.0), False), (rng.lognormal(0.0, 0.4, 200_000), True)):
        d10, d50, d90 = np.percentile(sections(radii), [10, 50, 90])
        _, plain = radius_from_sections(d50, 0.0, shape_pct=0.0)
        _, error = radius_from_sections(d50, 0.0, shape_pct=0.0, d10_um=d10, d90_um=d90)
        assert (error > 0.1 * radius_from_sections(d50, 0.0)[0]) is widened and plain == 0.0


def test_the_models_predict_the_interface_resistance_they_run_with():
    """R_int(T) / phi_c by hand: 6 ohm g at 30 °C, Arrhenius with 0.2 eV, halved contact."""
    parameters = ActivationParameters(r_int_ohm_g=6.0, r_int_activation_energy_eV=0.2, phi_c=0.5)
    by_hand = 6.0 * np.exp(0.2 * 96485.33212 / 8.314462618 * (1 / 323.15 - 1 / 303.15)) / 0.5
    assert interface_resistance(parameters, 323.15) == pytest.approx(by_hand, rel=1e-12)
    observed = [Observation("interface_resistance", 1.0, 0.1, 50.0, 1)]
    assert predict(parameters, observed)[0] == pytest.approx(by_hand, rel=1e-12)


def test_impedance_alone_fixes_the_interface_energy():
    """Capacities at one temperature say nothing about R_int's energy; the cell's impedance at two
    temperatures does: the fit finds the truth within its error."""
    truth = ActivationParameters(r_int_ohm_g=5.0, r_int_activation_energy_eV=0.25)
    observations = [Observation("interface_resistance", interface_resistance(truth, t + 273.15), 0.05, t, 1)
                    for t in (30.0, 50.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # two observations, two parameters: no degrees of freedom
        fit = fit_model(observations, start=ActivationParameters(),
                        vary=("r_int_ohm_g", "r_int_activation_energy_eV"))
    values = fit.table.set_index("name")
    assert values.loc["r_int_activation_energy_eV", "value"] == pytest.approx(0.25, abs=1e-4)
    assert values.loc["r_int_ohm_g", "value"] == pytest.approx(5.0, rel=1e-4)


def test_the_virtual_study_feeds_its_impedance_and_sem_to_the_model(virtual_study):
    """The virtual cells' impedance and sections were written from the model's R_int and radius: the
    study's model fit takes them as evidence and finds them within their errors."""
    truth, result = virtual_study
    analysis = result.sections["model"][0].value
    interface = analysis.interface.set_index("sample")
    assert set(interface.index) == {"virtual LLO-30", "virtual LLO-50"}
    for name, row in interface.iterrows():
        assert row.R_ohm == pytest.approx(truth["cells"][name]["eis"]["R_int_ohm"], rel=0.02)
    residuals = analysis.fit.residuals
    fitted = residuals[residuals["kind"] == "interface_resistance"]
    assert len(fitted) == 2 and fitted["normalised_residual"].abs().max() < 1
    radius = analysis.fit.fixed.set_index("name").loc["radius_nm"]
    assert "SEM" in radius.source and radius.stderr > 0
    assert abs(radius.value - truth["sem"]["virtual LLO-30"]["sphere_radius_nm"]) <= 2 * radius.stderr
    assert analysis.fit.parameters.radius_nm == radius.value


def _mn_l_reference(name: str):
    """A bundled Mn L2,3 reference (digitised from a published figure, MIT) read with pandas, its repeated
    energies averaged."""
    from redoxmap.resources import demo_source

    frame = pd.read_csv(demo_source() / "xas" / "mn_l" / f"{name}.csv", encoding="utf-8-sig")
    frame.columns = ["energy", "mu"]
    frame = frame.groupby("energy", as_index=False).mean()
    return frame["energy"].to_numpy(), frame["mu"].to_numpy()


def _surface_study(out, *, pristine: bool = True, rate_30C: float = 0.03, energy_eV: float = 0.8):
    """A study whose surface (TEY) Mn valence after charges 1, 6 and 12 at 30 and 50 °C fades as
    3 + 0.9 exp(-gamma(T) (n - 1)): spectra mixed by hand from the Mn3+ (LaMnO3) and Mn4+ (SrMnO3) references,
    each scaled to unit area, with 0.3 % noise; the pristine spectrum is Mn3+ (valence 3, one electron)."""
    import shutil

    from redoxmap.resources import demo_source

    (out / "xas").mkdir(parents=True)
    (e3, m3), (e4, m4) = _mn_l_reference("LaMnO3"), _mn_l_reference("SrMnO3")
    grid = np.arange(max(e3[0], e4[0]) + 0.1, min(e3[-1], e4[-1]) - 0.1, 0.05)
    mn3, mn4 = (np.interp(grid, e, m) for e, m in ((e3, m3), (e4, m4)))
    mn3, mn4 = mn3 / np.trapezoid(mn3, grid), mn4 / np.trapezoid(mn4, grid)
    rng = np.random.default_rng(1)

    def spectrum(name, valence):
        mu = (4 - valence) * mn3 + (valence - 3) * mn4
        mu = mu + 0.003 * mu.max() * rng.normal(size=mu.size)
        (out / "xas" / name).write_text("# energy mu\n" + "\n".join(f"{e:.3f} {m:.6g}" for e, m in zip(grid, mu)))
        return f'{{file = "xas/{name}", edge = "Mn-L3", mode = "tey", state = '

    truth, samples = [], []
    for temperature in (30, 50):
        gamma = rate_30C * np.exp(-energy_eV * 96485.33212 / 8.314462618 * (1 / (temperature + 273.15) - 1 / 303.15))
        entries = []
        for n in (1, 6, 12):
            truth.append((temperature, n, 3 + 0.9 * np.exp(-gamma * (n - 1))))
            entries.append(spectrum(f"cell{temperature}_charge{n}.txt", truth[-1][2]) + f'"charge {n}"}}')
        samples.append(f'[[sample]]\nname = "cell {temperature}"\ntemperature_C = {temperature}\n[sample.files]\n'
                       f'xas = [{", ".join(entries)}]\n')
    if pristine:
        samples.append(f'[[sample]]\nname = "uncycled"\n[sample.files]\nxas = [{spectrum("pristine.txt", 3.0)}'
                       f'"pristine"}}]\n')
    references = []
    for name, valence in (("MnO", 2), ("LaMnO3", 3), ("SrMnO3", 4)):
        shutil.copyfile(demo_source() / "xas" / "mn_l" / f"{name}.csv", out / "xas" / f"{name}.csv")
        references.append(f'{{file = "xas/{name}.csv", edge = "Mn-L3", valence = {valence}, name = "{name}"}}')
    (out / "study.toml").write_text(
        f'[study]\nname = "surface"\n[model]\nsurface_edge = "Mn-L3"\nsurface_electrons = 1\n'
        f'[xas]\nreferences = [{", ".join(references)}]\n' + "\n".join(samples))
    return pd.DataFrame(truth, columns=["temperature_C", "cycle", "valence"])


def test_a_study_s_surface_valences_fix_its_surface_reaction(tmp_path):
    """The surface valences read back from the study's spectra within their errors, and the two temperatures
    give the rate at 30 °C and the energy the spectra were made with (0.03 per cycle, 0.8 eV) within 2 standard
    errors, and an energy more than 2 standard errors from the stated 0.3 eV; the model fit of the study then
    holds them, with that source, in place of the stated energy."""
    from redoxmap.model.cycle_model import simulate_cycles
    from redoxmap.study.analyses.model import analyze_model
    from redoxmap.study.manifest import load_study
    from redoxmap.study.run import model_surface_valences

    truth = _surface_study(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the digitised references repeat energies: the reader says so
        surface = model_surface_valences(load_study(tmp_path))
    measured = surface.valences.merge(truth, on=["temperature_C", "cycle"], suffixes=("", "_truth"))
    assert len(measured) == 6
    assert np.all(np.abs(measured["valence"] - measured["valence_truth"]) < 2 * measured["valence_stderr"])
    assert surface.pristine == pytest.approx(3.0, abs=2 * surface.pristine_stderr)
    rates = surface.reaction(0.3)
    for name, value in (("surface_loss_per_cycle", 0.03), ("surface_reaction_energy_eV", 0.8)):
        assert abs(rates[name][0] - value) < 2 * rates[name][1], (name, rates[name])
    assert abs(rates["surface_reaction_energy_eV"][0] - 0.3) > 2 * rates["surface_reaction_energy_eV"][1]
    cells = []
    for temperature in (30.0, 50.0):
        table = simulate_cycles(ActivationParameters(), 12, temperature_C=temperature).table
        cells.append((f"cell {temperature:g}", temperature,
                      pd.DataFrame({"cycle": table["cycle"], "discharge_capacity_mAh_g": table["capacity_mAh_g"]})))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        analysis = analyze_model(cells, vary=("r_int_ohm_g", "q_o_mAh_g"), surface=surface)
    fixed = analysis.fit.fixed.set_index("name")
    for name in rates:
        assert fixed.loc[name, "value"] == pytest.approx(rates[name][0])
        assert getattr(analysis.fit.parameters, name) == pytest.approx(rates[name][0])
        assert "Mn-L3 valence" in fixed.loc[name, "source"]
    assert any("surface reaction is fixed" in note for note in analysis.notes)


def test_a_study_without_a_pristine_surface_spectrum_gives_no_surface_reaction(tmp_path):
    from redoxmap.errors import DataWarning
    from redoxmap.study.manifest import load_study
    from redoxmap.study.run import model_surface_valences

    _surface_study(tmp_path, pristine=False)
    study = load_study(tmp_path)
    with pytest.warns(DataWarning, match="Mn-L3 TEY spectra after numbered charges but no pristine one"):
        assert model_surface_valences(study) is None
    manifest = tmp_path / "study.toml"  # no spectra at the default Ni-L3 edge: nothing to say
    manifest.write_text(manifest.read_text().replace('surface_edge = "Mn-L3"\n', ""))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        assert model_surface_valences(load_study(tmp_path)) is None


def _fading(temperatures, *, rate_30C=0.03, energy_eV=0.4):
    """Surface Ni valences by hand after charges 1, 6, 12 and 22, fading at an Arrhenius rate from 30 °C."""
    from redoxmap.model.surface import SurfaceValences

    rows = []
    for temperature in temperatures:
        gamma = rate_30C * np.exp(-energy_eV * 96485.33212 / 8.314462618 * (1 / (temperature + 273.15) - 1 / 303.15))
        rows += [(temperature, n, 2.04 + 2 * 0.65 * np.exp(-gamma * (n - 1)), 0.03) for n in (1, 6, 12, 22)]
    table = pd.DataFrame(rows, columns=["temperature_C", "cycle", "valence", "valence_stderr"])
    return SurfaceValences(table, 2.04, 0.03, "surface (TEY) Ni-L3 valence")


def _two_cells():
    cells = []
    for temperature in (30.0, 50.0):
        table = ActivationParameters().with_values(surface_loss_per_cycle=0.0)
        run = __import__("redoxmap.model.cycle_model", fromlist=["simulate_cycles"]).simulate_cycles(
            table, 12, temperature_C=temperature).table
        cells.append((f"cell {temperature:g}", temperature,
                      pd.DataFrame({"cycle": run["cycle"], "discharge_capacity_mAh_g": run["capacity_mAh_g"]})))
    return cells


@pytest.mark.parametrize("drawer", ["covariance", "fixed values"])
def test_a_rate_measured_at_one_temperature_keeps_its_value_there_when_the_energy_is_drawn(drawer):
    """Valences at 50 °C only: the rate at 30 °C comes with the stated 0.3 +- 0.3 eV. Drawn (with the fit's
    covariance, or the fixed values alone as the map's compensated draws make them), the rate at 50 °C spreads as
    its measurement (its relative error), the rate at 30 °C as that and the energy together
    (0.3 eV x E/k (1/303.15 - 1/323.15) = 0.71 in its logarithm, by hand)."""
    from redoxmap.model.fit import parameter_draws
    from redoxmap.model.validation import draw_fixed
    from redoxmap.study.analyses.model import analyze_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        analysis = analyze_model(_two_cells(), vary=("q_o_mAh_g",), surface=_fading([50.0]))
    fixed = analysis.fit.fixed.set_index("name")
    assert fixed.loc["surface_loss_per_cycle", "rate_measured_at_C"] == 50.0
    relative = fixed.loc["surface_loss_per_cycle", "stderr"] / fixed.loc["surface_loss_per_cycle", "value"]
    if drawer == "covariance":
        draws = parameter_draws(analysis.fit, 4000, seed=2)
    else:
        rng = np.random.default_rng(2)
        draws = [analysis.fit.parameters.with_values(**draw_fixed(analysis.fit.fixed, rng)) for _ in range(4000)]
    at_30 = np.log([d.surface_loss_per_cycle for d in draws])
    energy = np.array([d.surface_reaction_energy_eV for d in draws])
    at_50 = at_30 - energy * 96485.33212 / 8.314462618 * (1 / 323.15 - 1 / 303.15)
    by_hand = 0.3 * 96485.33212 / 8.314462618 * (1 / 303.15 - 1 / 323.15)
    assert np.std(at_50) == pytest.approx(relative, rel=0.1)
    assert np.std(at_30) == pytest.approx(np.hypot(relative, by_hand), rel=0.1)


def test_a_user_s_energy_or_a_fitted_rate_stands():
    """An energy set in [model] parameters converts both temperatures' rates to 30 °C (no fitted energy in the
    fixed values); with the energy among the fitted parameters the valences fix nothing (nothing held twice)."""
    from redoxmap.study.analyses.model import analyze_model

    surface = _fading([30.0, 50.0], energy_eV=0.4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        user = analyze_model(_two_cells(), vary=("q_o_mAh_g",), surface=surface,
                             parameters={"surface_reaction_energy_eV": 0.4})
        varied = analyze_model(_two_cells(), vary=("q_o_mAh_g", "surface_reaction_energy_eV"), surface=surface)
    fixed = user.fit.fixed.set_index("name")
    assert "surface_reaction_energy_eV" not in fixed.index and user.fit.parameters.surface_reaction_energy_eV == 0.4
    assert fixed.loc["surface_loss_per_cycle", "value"] == pytest.approx(0.03, rel=0.02)  # the truth, both rates
    assert not {"surface_loss_per_cycle", "surface_reaction_energy_eV"} & set(varied.fit.fixed["name"])
    assert not any("surface reaction is fixed" in note for note in varied.notes)
