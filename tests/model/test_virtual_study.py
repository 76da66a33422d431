"""The virtual study: files written from the model, analysed by redoxmap, give back the truth."""

from __future__ import annotations

import numpy as np
import pytest

from redoxmap.cycling import dqdv, find_dqdv_peaks, peak_windows


@pytest.fixture(scope="module")
def virtual(virtual_study):
    """The demo's virtual study (written by the model, 40 cycles at 30 and 50 C) analysed here."""
    return virtual_study


def test_every_analysis_ran(virtual):
    _, study = virtual
    assert (
        set(study.sections) == {"cycling", "dems", "eis", "model", "sem", "xas", "xps", "xrd"} and not study.failures()
    )


def test_xps_recovers_the_decomposition_and_the_charging(virtual):
    """Each cell's S 2p after charges 1, 12 and 22: family shares within three standard errors of the truth,
    the charging shift found from C 1s within 0.05 eV."""
    truth, study = virtual
    for outcome in study.sections["xps"]:
        cell = truth["cells"][outcome.value.name]["xps"]
        for row in outcome.value.shares.itertuples():
            expected = cell[row.state]
            assert abs(row.share - expected["shares"][row.family]) <= 3 * row.share_stderr + 0.01, row
            assert row.charge_shift_eV == pytest.approx(-expected["charging_eV"], abs=0.05)


def test_the_surface_reaction_evidence_holds_each_measured_share_and_loss(virtual):
    """The model section's evidence table: every XPS family share (within three standard errors of the truth the
    files were written with) and every charge's lattice-oxygen loss, each with its cell's temperature."""
    from redoxmap.study.surface_evidence import surface_reaction_evidence

    truth, study = virtual
    evidence = surface_reaction_evidence(study)
    xps = evidence[evidence["measured"].str.endswith("(XPS)")]
    assert len(xps) == sum(len(o.value.shares) for o in study.sections["xps"])
    for row in xps.itertuples():
        family = row.measured.split("share of the ")[1].split(" family")[0]
        expected = truth["cells"][row.sample]["xps"][row.state]["shares"][family]
        assert abs(row.value - expected) <= 3 * row.stderr + 0.01, row
    dems = evidence[evidence["measured"].str.endswith("(DEMS)")]
    assert not dems.empty and (dems["unit"] == "umol/g").all()
    temperatures = {s.name: s.temperature_C for s in study.study.samples}
    assert all(row.temperature_C == temperatures[row.sample] for row in evidence.itertuples())


def test_sem_gives_the_contact_and_the_model_predicts_the_better_mixed_cell(virtual):
    """Each composite's section gives its contact fraction; the better-mixed cell is left out of the model fit,
    and the model run with its measured phi_c predicts its capacities within 1 %."""
    from redoxmap.study.contact import contact_predictions
    from redoxmap.study.run import model_cells

    truth, study = virtual
    for outcome in study.sections["sem"]:
        measured = outcome.value.results[0][1]
        row = measured.table.query("metric == 'contact' and phase == 'electrolyte'").iloc[0]
        assert row.value == pytest.approx(truth["sem"][outcome.value.name]["contact"], abs=3 * row.stderr + 0.02)
    better = "virtual LLO-30, liquid-phase mixed"
    assert better not in [label for label, _, _ in model_cells(study.study)]
    predictions = contact_predictions(study)
    assert set(predictions["sample"]) == {better}
    assert predictions["phi_c"].iloc[0] == pytest.approx(truth["cells"][better]["phi_c"], abs=3 * predictions[
        "phi_c_stderr"].iloc[0] + 0.03)
    last = predictions.iloc[-1]
    assert last.predicted_mAh_g == pytest.approx(last.measured_mAh_g, rel=0.01)


def test_dems_recovers_the_gas_of_the_first_charge(virtual):
    truth, study = virtual
    released = {}
    for outcome in study.sections["dems"]:
        cell = truth["cells"][outcome.value.name]["dems"]
        charge = outcome.value.totals.query("direction == 'charge' and cycle == 1").set_index("gas")
        for gas in ("O2", "CO2"):
            assert charge.loc[gas, "amount_umol_g"] == pytest.approx(cell[f"{gas}_umol_g"],
                                                                     abs=3 * charge.loc[gas, "amount_stderr_umol_g"])
        released[outcome.value.name] = charge.loc["O2", "amount_umol_g"]
    assert released["virtual LLO-50"] > 3 * released["virtual LLO-30"]  # more surface oxygen lost at 50 C


def test_cycling_recovers_the_simulated_capacities(virtual):
    truth, study = virtual
    for outcome in study.sections["cycling"]:
        analysis = outcome.value
        cell = truth["cells"][outcome.label]
        measured = analysis.per_cycle.set_index("cycle")["discharge_capacity_mAh_g"]
        expected = np.array(cell["capacity_mAh_g"])
        np.testing.assert_allclose(measured.loc[1:len(expected)].to_numpy(), expected, rtol=5e-3)


def test_model_fit_recovers_the_truth_within_its_errors(virtual):
    """Within the fit's error and what the radius measured by SEM (not the truth's) moves: refits at
    that radius +- its error give each parameter's share of it."""
    from redoxmap.model.fit import Observation, fit_model

    truth, study = virtual
    fit = study.sections["model"][0].value.fit
    radius = fit.fixed.set_index("name").loc["radius_nm"]
    observations = [Observation(r.kind, r.measured, r.stderr, r.temperature_C, r.cycle, r.mode or None, r.cell)
                    for r in fit.residuals.itertuples()]
    shifted = [fit_model(observations, start=fit.parameters.with_values(radius_nm=radius.value + sign * radius.stderr),
                         vary=fit.names).parameters.to_dict() for sign in (-1, 1)]
    for row in fit.table.itertuples():
        from_radius = abs(shifted[1][row.name] - shifted[0][row.name]) / 2
        error = np.hypot(row.stderr, from_radius)
        assert abs(row.value - truth["parameters"][row.name]) <= max(3 * error, 1e-3 * abs(row.value)), row.name


def test_the_model_is_fitted_to_the_spectra_too(virtual):
    """The O K spectra after charges 1, 12 and 22 enter the model fit by mode, at the truth within errors, each
    with its combined error (the map's floor included)."""
    truth, study = virtual
    analysis = study.sections["model"][0].value
    r_values = analysis.r_values
    assert set(zip(r_values["temperature_C"], r_values["cycle"], r_values["mode"])) == {
        (t, c, m) for t in (30.0, 50.0) for c in (1, 12, 22) for m in ("tey", "bulk")}
    for row in r_values.itertuples():
        cell = next(c for c in truth["cells"].values() if c["temperature_C"] == row.temperature_C)
        expected = cell[f"r_{row.mode}"][row.cycle - 1]
        assert abs(row.r - expected) <= 0.015, row
        assert 0.02 <= row.r_stderr < 0.03, row  # the [map] floor of r (0.02) reaches the fit
    depths = analysis.fit.fixed.set_index("name").loc[["tey_nm", "bulk_nm"], "value"]
    assert depths.tolist() == [truth["parameters"]["tey_nm"], truth["parameters"]["bulk_nm"]]  # the manifest's
    residuals = analysis.fit.residuals
    assert (residuals["kind"] == "r").sum() == 12 and residuals["normalised_residual"].abs().max() < 3
    assert "r_max" in analysis.fit.names and any("r_max is fitted too" in note for note in analysis.notes)


def test_impedance_recovers_the_interfacial_resistance(virtual):
    truth, study = virtual
    for outcome in study.sections["eis"]:
        table = outcome.value.resistances.iloc[0]
        expected = truth["cells"][outcome.label]["eis"]["R_int_ohm"]
        assert table["label_2"] == "charge transfer"
        assert abs(table["R_2_ohm"] - expected) <= max(3 * table["R_2_stderr_ohm"], 0.02 * expected)


def _xas_against_truth(virtual, table: str, truth_key: str):
    """(measured row, true value) for every state and mode of the virtual cells' XAS ``table``."""
    truth, study = virtual
    pairs = []
    for outcome in study.sections["xas"]:
        cell = truth["cells"].get(outcome.label)
        if cell is None:
            continue
        for row in getattr(outcome.value, table).itertuples():
            cycle = int(row.state.split()[-1])
            pairs.append((row, cell[f"{truth_key}_{'tey' if row.mode == 'tey' else 'bulk'}"][cycle - 1]))
    assert len(pairs) == 12  # two cells, three states, two modes
    return pairs


def test_xas_recovers_the_oxygen_activation_by_mode(virtual):
    """O K spectra carry the model's r in TEY (surface) and iPFY (bulk): the pre-edge fit finds them."""
    for row, expected in _xas_against_truth(virtual, "activation", "r"):
        assert abs(row.r - expected) <= max(3 * row.r_stderr, 0.005), (row.state, row.mode)


def test_in_situ_xrd_recovers_the_003_shift_and_the_020_fade(virtual):
    truth, study = virtual
    scans = truth["in_situ_xrd"]["scans"]
    series = study.sections["xrd"][0].value.series[0].table
    expected = np.array([scan["center_003_deg"] for scan in scans])
    assert np.all(np.abs(series["center_003_deg"] - expected) <= 4 * series["center_003_stderr_deg"] + 2e-4)
    fade = np.array([scan["relative_020"] for scan in scans])
    before = fade == 1.0  # scans before the oxygen plateau: the unfaded (020)
    relative = series["intensity_020"].to_numpy() / series["intensity_020"][before].mean()
    after = slice(-10, None)  # after the plateau: averaged, as a user would
    noise = series["intensity_020_stderr"].to_numpy()[after].mean() / series["intensity_020"][before].mean()
    assert abs(relative[after].mean() - fade[after].mean()) <= 3 * noise / np.sqrt(10) + 3 * noise / np.sqrt(
        before.sum())
    assert series["voltage_V"].notna().all()  # the scans are placed on the cycler's clock


def test_xas_recovers_the_mn_valence_by_mode(virtual):
    """Mn L2,3 spectra mixed from the bundled Mn3+/Mn4+ references to the model's valence by mode:
    the LCF against MnO/LaMnO3/SrMnO3 finds it within its standard error."""
    for row, expected in _xas_against_truth(virtual, "valence", "mn_valence"):
        assert abs(row.valence - expected) <= 3 * row.valence_stderr, (row.state, row.mode)


def test_dqdv_of_the_virtual_cells_has_exactly_the_model_features(virtual):
    """The virtual cycler files carry the TM capacity on a slope from 3.6 to 4.4 V (a flat band of
    dQ/dV, centred at 4.0 V), the oxygen capacity on a plateau from 4.45 to 4.55 V, and a discharge with
    the TM capacity from 4.3 to 3.5 V and the oxygen (and Mn) capacity from 3.4 to 3.0 V, a volt below
    its charge (the hysteresis of anionic redox): every half cycle has exactly those two features,
    at the same place in every cycle (no ripple read as a peak). A well-activated cell's plateau is twenty
    times the TM band's height, so peaks down to 1 % of the largest are sought (the default 5 % would drop
    the band: a stricter search for ripple, not a looser one)."""
    _, study = virtual
    for outcome in study.sections["cycling"]:
        peaks = find_dqdv_peaks(dqdv(outcome.value.table), windows=peak_windows("reference"), prominence=0.01)
        per_half = peaks.groupby(["cycle", "direction"]).size().unstack()
        assert (per_half["charge"] == 2).all() and (per_half["discharge"] == 2).all(), outcome.label
        charge = peaks[peaks["direction"] == "charge"]
        assert set(charge["label"]) == {"Ox2", "Ox4"}
        assert charge[charge["label"] == "Ox2"]["voltage_V"].between(3.985, 4.015).all()  # the flat band's centre
        assert charge[charge["label"] == "Ox4"]["voltage_V"].between(4.49, 4.51).all()
        discharge = peaks[peaks["direction"] == "discharge"]
        assert set(discharge["label"]) == {"Red2", "Red3"}
        assert discharge[discharge["label"] == "Red2"]["voltage_V"].between(3.885, 3.915).all()
        assert discharge[discharge["label"] == "Red3"]["voltage_V"].between(3.185, 3.215).all()
