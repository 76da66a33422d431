"""The activation map and its findings: against a virtual study's truth, a uniform virtual study, the
reference paper's published numbers, exact synthetic kinetics, and partial studies."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from redoxmap.cycling.capacity_rise import capacity_rise_curve
from redoxmap.model import ActivationParameters
from redoxmap.study import (
    ActivationMap,
    MapOptions,
    SerialExecutor,
    activation_map,
    load_study,
    map_from_table,
    run_study,
    simulate_study,
)
from redoxmap.study.kinetics import capacity_kinetics, saturating_kinetics
from redoxmap.study.truth import truth_table, truth_verdicts


@pytest.fixture(scope="module")
def virtual_map(virtual_study):
    truth, result = virtual_study
    amap = activation_map(result)
    return truth, amap, amap.findings()


def test_interface_chemistry_enters_the_map(virtual_map):
    truth, amap, _ = virtual_map
    ds = amap.dataset
    share = ds["xps_share_sulfite_sulfate"].sel(sample="virtual LLO-50", probe="surface")
    assert float(share.sel(state="charge 22")) > float(share.sel(state="charge 1"))  # grows with cycling
    assert ds["xps_share_sulfite_sulfate"].sel(probe="bulk").isnull().all()  # a surface measurement only
    o2 = ds["gas_O2_umol_g"].sel(cycle=1)
    assert float(o2.sel(sample="virtual LLO-50")) == pytest.approx(
        truth["cells"]["virtual LLO-50"]["dems"]["O2_umol_g"], rel=0.05)
    assert ds["lattice_oxygen_lost_umol_g"].attrs["units"] == "umol/g"


def test_the_map_joins_every_modality_by_sample_state_and_probe(virtual_map):
    _, amap, _ = virtual_map
    ds = amap.dataset
    assert list(ds["probe"].to_numpy()) == ["surface", "bulk", "electrode"]
    assert list(ds["probing_depth_nm"].to_numpy()[:2]) == [4.5, 150.0]  # the virtual truth's depths, in its manifest
    assert list(ds["state"].to_numpy()[:5]) == ["pristine", "charge 1", "discharge 1", "charge 12", "charge 22"]
    for variable in ("r", "valence_Mn", "r_layer", "c_A", "ratio_020_003", "R_interface_ohm"):
        assert {"units", "long_name", "method"} <= set(ds[variable].attrs), variable
        assert f"{variable}_stderr" in ds and f"{variable}_source" in ds
    assert "charge_share_III" in ds and "discharge_capacity_mAh_g" in ds
    # The model is there, labelled as the model, beside the measurements.
    assert "MODEL, not a measurement" in ds["model_activated_fraction"].attrs["long_name"]
    assert ds["model_activated_fraction"].dims == ("sample", "cycle", "model_depth_nm")
    source = str(ds["r_source"].sel(sample="virtual LLO-30", state="charge 12", probe="surface").item())
    assert source == "virtual_30C_charge12_O-K_tey.txt (tey)"


def test_surface_and_bulk_r_recovered_within_two_sigma(virtual_map):
    """At least 90 % of the r cells (two cells, three states, two probes) within 2 sigma of the truth."""
    truth, amap, findings = virtual_map
    table = truth_table(amap, findings, truth)
    r = table[table["quantity"].str.startswith("r (")]
    assert len(r) == 12 and r["within_2_sigma"].mean() >= 0.9
    half = table[table["quantity"].str.startswith("cycles to half")]  # where both the map and the truth give one
    assert len(half) >= 3 and half["within_2_sigma"].all()


def test_verdicts_and_onsets_match_the_truth(virtual_map):
    """The verdicts found on the measured map are those found on the same map filled with the true values
    (with the measured errors); and what the model built in (oxygen from the surface inwards, faster at
    50 °C) is said only as far as three states per probe can tell."""
    truth, amap, findings = virtual_map
    verdicts = truth_verdicts(findings, truth, amap)
    assert len(verdicts) >= 12 and verdicts["agree"].all(), verdicts[~verdicts["agree"]]
    classes = findings.classes()
    # At 30 °C the interface keeps the bulk behind (model r 0.17 surface, 0.04 bulk after the first charge,
    # both near 0.2 by the 12th): the bulk starts later, an order word earned by a lead in time. At 50 °C the
    # bulk has caught up after the first charge: r is higher at the surface, with no lead to call it first.
    assert classes[("virtual LLO-30", "O")][0] == "surface-first"
    assert classes[("virtual LLO-50", "O")][0] == "higher at the surface"
    for cell in ("virtual LLO-30", "virtual LLO-50"):
        assert classes[(cell, "TM (Mn)")][0] == "not determined"  # Mn falls by 0.1, inside the 0.05 floors
    comparisons = [v for v in findings.verdicts if v.aspect == "comparison"]
    hot = next(v for v in comparisons if v.sample == "virtual LLO-30 vs virtual LLO-50"
               and v.headline.startswith("Region III charge capacity"))
    assert "sooner at 50 °C than at 30 °C" in hot.headline and "one cell each" in hot.sentence
    mixed = next(v for v in comparisons if v.sample == "virtual LLO-50 vs virtual LLO-30, liquid-phase mixed")
    assert (
        "cannot be assigned" in mixed.headline and "mixing" in mixed.headline and "temperature (°C)" in mixed.headline
    )


def test_the_verdict_carries_its_numbers_evidence_and_robustness(virtual_map):
    _, _, findings = virtual_map
    verdict = next(v for v in findings.verdicts if v.sample == "virtual LLO-50" and v.couple == "O")
    sentence = verdict.sentence
    assert "r(surface) − r(bulk) change = " in sentence and "significant at 3σ" in sentence
    assert "Evidence: r of the O K pre-edge in TEY (charge 1, charge 12, charge 22) and iPFY" in sentence
    assert verdict.robustness["floor"] == "r" and verdict.robustness["used"] == 0.02
    assert 0.02 < verdict.robustness["changes_above"] < 0.1 and "Robustness: it holds up to" in sentence
    # at 50 °C the bulk's n90 straddles the 2-cycle threshold: no speed word, and the sentence says why
    assert "speed not determined" in verdict.headline and "straddles the 2-cycle threshold" in sentence
    fronts = findings.fronts.set_index("sample")
    assert fronts.loc["virtual LLO-30", "speed_low"] < fronts.loc["virtual LLO-30", "speed_nm_cycle"] < \
        fronts.loc["virtual LLO-30", "speed_high"]
    budget = findings.budget.set_index(["sample", "variable", "state", "probe"])
    row = budget.loc[("virtual LLO-50", "r", "charge 1", "surface")]
    assert row["floor"] == 0.02 and row["total"] == pytest.approx(np.sqrt(max(row["statistical"], 0) ** 2 + 0.02 ** 2
                                                                          + row["choice"] ** 2), rel=1e-9)


def test_the_map_round_trips_through_netcdf_and_csv(virtual_map, tmp_path):
    import xarray as xr

    _, amap, findings = virtual_map
    path = amap.save(tmp_path / "map.nc")
    with xr.open_dataset(path, engine="h5netcdf") as opened:
        assert opened.attrs["Conventions"] == "CF-1.10" and opened["r"].attrs["units"] == "1"
        assert opened["R_interface_ohm"].attrs["units"] == "ohm"
    again = ActivationMap.read(path)
    assert again.findings().text() == findings.text()
    assert "virtual LLO-50 (simulated):" in findings.text()  # the virtual cells are marked wherever quoted
    assert "virtual LLO-50" in again.findings().to_dict()["simulated"]
    table = pd.read_csv(amap.save(tmp_path / "map.csv"))
    row = table[(table["sample"] == "virtual LLO-50") & (table["state"] == "charge 1") & (table["variable"] == "r")
                & (table["probe"] == "surface")].iloc[0]
    assert row["value"] == pytest.approx(float(amap.dataset["r"].sel(sample="virtual LLO-50", state="charge 1",
                                                                      probe="surface")))
    assert "<b>Activation map</b>" in amap._repr_html_()


def test_the_table_is_xarrays_long_form_with_each_number_from_its_own_cells_file(virtual_map):
    """Reference: xarray's own long form of each variable (``to_dataframe``, NaN dropped) against the rows
    ``table()`` takes from the arrays' measured positions. Each per-cycle number names its own cell's file: the
    source was one attribute naming every cell's file, copied to every row (it grew as cells squared)."""
    _, amap, _ = virtual_map
    table = amap.table()
    for variable in amap.measured_variables():
        array = amap.dataset[variable]
        reference = amap.dataset[[variable, f"{variable}_stderr"]].to_dataframe().dropna(subset=[variable])
        reference = reference.reset_index().rename(columns={variable: "value", f"{variable}_stderr": "stderr"})
        rows = table[table["variable"] == variable].reset_index(drop=True)
        assert len(rows) == len(reference) > 0
        for column in array.dims:
            assert rows[column].tolist() == reference[column].tolist(), (variable, column)
        np.testing.assert_array_equal(rows[["value", "stderr"]].to_numpy(), reference[["value", "stderr"]].to_numpy())
    per_cycle = table[table["cycle"].notna()]
    files = per_cycle.groupby("sample")["source"].agg(lambda s: set(", ".join(s).split(", ")))
    assert len(files) >= 2 and all(len(f) >= 1 and "" not in f for f in files)
    assert all(files[a].isdisjoint(files[b]) for a in files.index for b in files.index if a != b)


def test_a_uniform_virtual_study_gives_uniform_verdicts(tmp_path):
    """Activation that reaches every depth at once (transport so fast that the particle's centre stays at its
    surface's potential): no false asynchrony in O or in Mn."""
    uniform = ActivationParameters(diffusivity_cm2_s=1e-6)
    manifest = simulate_study(tmp_path, cycles=22, parameters=uniform)
    manifest.write_text(manifest.read_text().replace("run = true", "run = false"))
    result = run_study(load_study(manifest), executor=SerialExecutor(progress=False))
    findings = activation_map(result).findings()
    truth = json.loads((tmp_path / "truth.json").read_text())
    for cell in (c for c, known in truth["cells"].items() if "r_tey" in known):  # the cells with spectra
        assert findings.classes()[(cell, "O")][0] == "uniform"
        assert findings.classes()[(cell, "TM (Mn)")][0] in ("uniform", "not determined")
    cycled = findings.differences[findings.differences["cycle"] > 0]
    assert len(cycled) >= 12 and not cycled["significant"].any()


def _reference_map(floors: dict | None = None) -> ActivationMap:
    """The reference study's published numbers (../shared/SCIENCE.md). The paper gives no errors: each value's
    error is the method's floor (r 0.02, valence 0.05 by default), and the per-cycle discharge capacities are
    shaped by the activation law through their published end points, saturated (99 %) where the paper says."""
    rows = []

    def add(sample, state, probe, variable, value):
        rows.append({"sample": sample, "state": state, "probe": probe, "variable": variable, "value": value,
                     "stderr": math.nan, "source": "Hu et al. 2024"})

    for sample in ("LLO-30", "LLO-50"):  # the same pristine composite
        add(sample, "pristine", "surface", "valence_Ni", 2.02)
        add(sample, "pristine", "bulk", "valence_Ni", 2.04)
        add(sample, "pristine", "surface", "valence_Mn", 3.84)
        add(sample, "pristine", "bulk", "valence_Mn", 3.99)
    add("LLO-30", "1st charge", "surface", "valence_Ni", 3.34)
    add("LLO-30", "1st charge", "bulk", "valence_Ni", 3.30)
    add("LLO-50", "1st charge", "surface", "valence_Ni", 3.39)
    add("LLO-50", "1st charge", "bulk", "valence_Ni", 3.37)
    add("LLO-50", "12th charge", "surface", "valence_Ni", 2.62)
    add("LLO-50", "22nd charge", "surface", "valence_Ni", 2.50)
    add("LLO-30", "1st charge", "surface", "valence_Mn", 4.00)
    add("LLO-50", "1st charge", "surface", "valence_Mn", 3.99)
    add("LLO-50", "1st charge", "bulk", "valence_Mn", 3.91)
    add("LLO-30", "1st charge", "surface", "r", 0.13)
    add("LLO-30", "1st charge", "bulk", "r", 0.03)
    for state, surface, bulk in (("1st charge", 0.26, 0.18), ("12th charge", 0.29, 0.21), ("22nd charge", 0.42, 0.22)):
        add("LLO-50", state, "surface", "r", surface)
        add("LLO-50", state, "bulk", "r", bulk)
    for sample, first, saturated, at in (("LLO-30", 108.2, 221.7, 40), ("LLO-50", 170.7, 285.4, 14)):
        q_inf = saturated / 0.99
        n_act = (at - 1) / math.log((q_inf - first) / (q_inf - saturated))
        for cycle in range(1, 41):
            value = round(float(capacity_rise_curve(cycle, q_inf, first, n_act)), 1)  # as published: 0.1 mAh/g
            rows.append({"sample": sample, "cycle": cycle, "variable": "discharge_capacity_mAh_g", "value": value,
                         "stderr": 0.01 * value, "source": "Hu et al. 2024 (law through the end points)"})
    samples = pd.DataFrame({"name": ["LLO-30", "LLO-50"], "temperature_C": [30.0, 50.0],
                            "chemistry": ["li-rich", "li-rich"], "cell_type": ["all-solid-state"] * 2,
                            "cells": [1, 1]})
    return map_from_table(pd.DataFrame(rows), samples, name="Hu et al. 2024, published numbers",
                          options=MapOptions(error_floors=floors or {}))


def test_the_reference_papers_numbers_give_what_they_support_with_sensitivities():
    """Ni oxidised in the first charge, uniformly; r higher at the surface at 30 °C after one charge (no time
    course: no order word, no speed); at 50 °C r higher at the surface and at 90 % within two charges by r
    itself; the discharge capacity named as what it is; each verdict with the floor at which it changes."""
    findings = _reference_map().findings()
    classes = findings.classes()
    assert classes[("LLO-30", "TM (Ni)")] == ("uniform", "not determined")  # one charged state: no speed
    # 90 % by the first of three charged states at the surface, but one charged state in the bulk: no speed
    assert classes[("LLO-50", "TM (Ni)")] == ("uniform", "not determined")
    assert classes[("LLO-30", "O")] == ("higher at the surface", "not determined")
    # r at the surface goes on rising after charge 12 (0.29 -> 0.42): the saturating law does not hold, so
    # no speed; the "fast (by cycle 1.3-1.7)" came from the bulk alone
    assert classes[("LLO-50", "O")] == ("higher at the surface", "not determined")
    o30 = next(v for v in findings.verdicts if v.sample == "LLO-30" and v.couple == "O")
    # 0.13 - 0.03 = 0.10 against the floor (the values have no error of their own; the floor enters a
    # comparison once): significant at 3 sigma up to a floor of 0.10 / 3
    assert o30.robustness["changes_above"] == pytest.approx(0.10 / 3, rel=0.03)
    assert "no error of their own" in o30.robustness["text"]
    assert "uniform" in o30.robustness["becomes_above"]
    assert "speed not determined (1 charged state; needs 3)" in o30.sentence
    assert not any("O redox" in v.headline for v in findings.verdicts if v.aspect == "capacity")
    comparison = next(v for v in findings.verdicts if v.aspect == "comparison")
    assert comparison.headline == "Discharge capacity reaches 90 % sooner at 50 °C than at 30 °C"
    assert "one cell each" in comparison.sentence
    # with a floor of 0.035 on r, LLO-30's oxygen difference is no longer significant
    assert _reference_map({"r": 0.035}).findings().classes()[("LLO-30", "O")][0] == "uniform"


def test_significance_at_the_threshold():
    """Without floors: 2.5 sigma apart is not a finding at 3 sigma; 4 sigma apart is, and it is 'higher at the
    surface' (the same at both charges: no lead in time), never 'surface-first'."""
    rows = []
    for sample, difference in (("A", 0.025), ("B", 0.04)):
        for state, scale in (("charge 1", 1.0), ("charge 5", 1.0)):
            rows += [{"sample": sample, "state": state, "probe": "surface", "variable": "r",
                      "value": 0.2 + difference * scale, "stderr": 0.01 / math.sqrt(2)},
                     {"sample": sample, "state": state, "probe": "bulk", "variable": "r", "value": 0.2,
                      "stderr": 0.01 / math.sqrt(2)}]
    options = MapOptions(error_floors={"r": 0.0})
    findings = map_from_table(pd.DataFrame(rows), pd.DataFrame({"name": ["A", "B"]}), options=options).findings()
    assert findings.classes()[("A", "O")][0] == "uniform"
    assert findings.classes()[("B", "O")][0] == "higher at the surface"
    z = findings.differences.set_index(["sample", "state"])["z"]
    assert z[("A", "charge 1")] == pytest.approx(2.5) and z[("B", "charge 5")] == pytest.approx(4.0)


def test_saturating_kinetics_of_exact_states():
    """x = 0.4 (1 - exp(-n/5)) at charges 1, 5, 12 and 22: N = 5, so half by 5 ln 2 and 90 % by 5 ln 10."""
    n = np.array([1, 5, 12, 22])
    found = saturating_kinetics(n, 0.4 * -np.expm1(-n / 5), np.full(4, 0.005))
    assert found.determined
    assert found.n50 == pytest.approx(5 * math.log(2), rel=1e-6) and found.n90 == pytest.approx(
        5 * math.log(10), rel=1e-6
    )
    assert found.final == pytest.approx(0.4, rel=1e-6) and found.n50_stderr > 0
    rising = saturating_kinetics(n, 0.001 * n, np.full(4, 0.001))  # a straight line: no final value in sight
    assert not rising.determined and "not yet in sight" in rising.note


def test_capacity_kinetics_of_an_exact_law():
    """Q(n) = 250 - 150 exp(-(n-1)/8): Q reaches 125 (50 % of 250) at 1 + 8 ln(150/125), 225 at 1 + 8 ln 6."""
    n = np.arange(1, 61)
    found = capacity_kinetics(n, capacity_rise_curve(n, 250.0, 100.0, 8.0))
    assert found.n50 == pytest.approx(1 + 8 * math.log(150 / 125), rel=1e-4)
    assert found.n90 == pytest.approx(1 + 8 * math.log(6), rel=1e-4)
    flat = capacity_kinetics(n, np.full(60, 120.0) + 0.01 * np.sin(n))
    assert (flat.n50, flat.n90, flat.note) == (1.0, 1.0, "reached in the first cycle")


def test_partial_studies_say_what_is_missing(demo_run, tmp_path):
    """Cycling alone fills the electrochemical rows, XAS alone the spectroscopic ones; each map says which
    question the missing measurements would answer."""
    virtual = demo_run[0] / "virtual"
    cycling = ('[[sample]]\nname = "cell"\nactive_mass_mg = 4.0\nchemistry = "li-rich"\n[sample.files]\n'
               f'cycling = "{virtual / "cycling" / "virtual_50C.bdf.csv"}"\n')
    xas = ('[xas]\no_k_peaks = ["A", "B", "C"]\n[[sample]]\nname = "cell"\n[sample.files]\nxas = [' + ", ".join(
        f'{{file = "{virtual / "xas" / name}", edge = "O-K", mode = "{mode}", state = "{state}"{pristine}}}'
        for name, mode, state, pristine in (
            ("virtual_pristine_O-K_tey.txt", "tey", "pristine", ", pristine = true"),
            ("virtual_pristine_O-K_ipfy.txt", "ipfy", "pristine", ", pristine = true"),
            ("virtual_50C_charge1_O-K_tey.txt", "tey", "charge 1", ""),
            ("virtual_50C_charge1_O-K_ipfy.txt", "ipfy", "charge 1", ""))) + "]\n")
    maps = {}
    for name, text in (("cycling", cycling), ("xas", xas)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "study.toml").write_text(text)
        maps[name] = activation_map(tmp_path / name)
    electro, spectra = maps["cycling"], maps["xas"]
    assert "charge_share_III" in electro.dataset and "r" not in electro.dataset
    assert "r" in spectra.dataset and "discharge_capacity_mAh_g" not in spectra.dataset
    assert set(electro.missing()["missing"]) == {"o_k", "tm", "xrd", "eis"}
    assert set(spectra.missing()["missing"]) == {"cycling", "tm", "xrd", "eis"}
    # one study of both samples: the one without a cycler file misses cycling (its count of 0 measurements is
    # no charge share)
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "study.toml").write_text(xas.replace('name = "cell"', 'name = "spectra"') + cycling[
        cycling.index("[[sample]]"):])
    both = activation_map(tmp_path / "both").missing()
    assert set(both.loc[both["sample"] == "spectra", "missing"]) == {"cycling", "tm", "xrd", "eis"}
    assert set(both.loc[both["sample"] == "cell", "missing"]) == {"o_k", "tm", "xrd", "eis"}
    electro_verdicts = electro.findings().verdicts
    assert not any(v.couple == "O" for v in electro_verdicts)  # capacities alone say nothing of where O works
    region = next(v for v in electro_verdicts if v.aspect == "capacity" and "Region III" in v.headline)
    assert "Evidence: region III charge capacity" in region.sentence
    # one charged state in TEY and iPFY: a difference, no speed
    assert spectra.findings().classes()[("cell", "O")] == ("higher at the surface", "not determined")
