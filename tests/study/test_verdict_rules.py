"""The verdict rules against truths built here with numpy, not with redoxmap's own writers.

A study of O K and Mn L spectra is written as plain two-column text files: O K pre-peaks A, B and C on an
arctan edge step, with B grown by ``r a`` over the pristine b0; Mn L spectra as exact mixtures of a Mn3+ and
a Mn4+ reference. Each sample is one case the rules must get right:

* ``offset``: TEY reads 0.015 above iPFY at every charge, inside the r floor: no depth finding;
* ``higher``: the surface r 1.6 times the bulk's with the same onset and time course: higher, not first;
* ``lagging``: the bulk starts several charges after the surface: surface-first, with the lag;
* ``single``: pristine and one charge: no speed;
* ``reduced``: the surface Mn falls from 3.90 to 3.55 over cycles while the bulk stays: a reduction;
* ``triplicate``: every state measured three times in each mode, each replicate with a known offset of B:
  their spread enters the error.

And the difference tests, simulated under their stated error model, reject a true null at their
nominal rate.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from redoxmap.study import (
    MapOptions,
    SerialExecutor,
    activation_map,
    load_study,
    map_from_table,
    run_study,
)

A_HEIGHT, B0 = 1.0, 0.35
CASES = {
    # sample: {charge: (r surface, r bulk)}
    "offset": {n: (0.2 * -math.expm1(-n / 3) + 0.015, 0.2 * -math.expm1(-n / 3)) for n in (1, 5, 12)},
    "higher": {n: (1.6 * 0.25 * -math.expm1(-n / 4), 0.25 * -math.expm1(-n / 4)) for n in (1, 5, 12, 22)},
    "lagging": {1: (0.15, 0.0), 3: (0.25, 0.0), 5: (0.28, 0.01), 12: (0.30, 0.18), 22: (0.30, 0.28)},
    "single": {1: (0.20, 0.10)},
    # three times the bulk's r at the surface, the same time course: higher, never first
    "triple": {n: (3 * 0.1 * -math.expm1(-n / 3), 0.1 * -math.expm1(-n / 3)) for n in (1, 5, 12)},
}
MN_REDUCED = {0: (3.90, 3.90), 1: (3.88, 3.90), 12: (3.72, 3.90), 22: (3.55, 3.90)}  # (surface, bulk) valence
REPLICATE_SHIFTS = (-0.012, 0.0, 0.012)  # of b, so of r (a = 1): a spread of 0.012, its mean known to 0.012/sqrt(3)


def _o_k(r: float, rng, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(525.0, 546.0, 0.1)

    def peak(center, height, sigma=0.45):
        return height * np.exp(-0.5 * ((energy - center) / sigma) ** 2)

    step = 0.5 + np.arctan((energy - 536.0) / 1.0) / np.pi
    mu = peak(529.6, A_HEIGHT) + peak(531.0, B0 + r * A_HEIGHT + shift) + peak(532.4, 0.5) + step
    return energy, mu * (1 + 0.003 * rng.normal(size=energy.size))


def _mn_reference(valence: int) -> tuple[np.ndarray, np.ndarray]:
    energy = np.arange(636.0, 660.0, 0.1)
    centers = {3: (641.0, 642.6, 652.5), 4: (642.4, 643.8, 653.6)}[valence]
    mu = sum(h * np.exp(-0.5 * ((energy - c) / 0.6) ** 2) for c, h in zip(centers, (1.0, 0.6, 0.5)))
    return energy, mu


def _mn_l(valence: float, rng) -> tuple[np.ndarray, np.ndarray]:
    energy, mn3 = _mn_reference(3)
    _, mn4 = _mn_reference(4)
    weight = valence - 3.0
    mu = (1 - weight) * mn3 / np.trapezoid(mn3, energy) + weight * mn4 / np.trapezoid(mn4, energy)
    return energy, mu * (1 + 0.002 * rng.normal(size=energy.size))


def _write(path, spectrum) -> str:
    energy, mu = spectrum
    pd.DataFrame({"energy_eV": energy, "mu": mu}).to_csv(path, index=False)
    return path.name


@pytest.fixture(scope="module")
def rule_study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    rng = np.random.default_rng(11)
    entries = {}

    def entry(sample, name, spectrum, edge, mode, state, extra=""):
        file = _write(folder / name, spectrum)
        entries.setdefault(sample, []).append(f'{{file = "{file}", edge = "{edge}", mode = "{mode}", '
                                              f'state = "{state}"{extra}}}')

    for mode in ("tey", "ipfy"):
        entry("pristine", f"pristine_{mode}.csv", _o_k(0.0, rng), "O-K", mode, "pristine", ", pristine = true")
    for sample, states in CASES.items():
        for charge, values in states.items():
            for mode, value in zip(("tey", "ipfy"), values):
                entry(sample, f"{sample}_{charge}_{mode}.csv", _o_k(value, rng), "O-K", mode, f"charge {charge}")
    for charge, values in MN_REDUCED.items():
        state = "pristine" if charge == 0 else f"charge {charge}"
        for mode, value in zip(("tey", "ipfy"), values):
            entry("reduced", f"reduced_{charge}_{mode}.csv", _mn_l(value, rng), "Mn-L3", mode, state)
    for charge, r in ((1, 0.10), (5, 0.22), (12, 0.26)):
        for mode in ("tey", "ipfy"):
            for k, shift in enumerate(REPLICATE_SHIFTS):
                entry("triplicate", f"triplicate_{charge}_{mode}_{k}.csv", _o_k(r, rng, shift), "O-K", mode,
                      f"charge {charge}")
    for valence in (3, 4):
        _write(folder / f"mn{valence}.csv", _mn_reference(valence))
    samples = "".join(f'\n[[sample]]\nname = "{name}"\n[sample.files]\nxas = [{", ".join(items)}]\n'
                      for name, items in entries.items())
    (folder / "study.toml").write_text(
        '[xas]\no_k_peaks = ["A", "B", "C"]\n'
        'references = [{file = "mn3.csv", edge = "Mn-L3", valence = 3, mode = "tey"},'
        ' {file = "mn4.csv", edge = "Mn-L3", valence = 4, mode = "tey"}]\n' + samples
    )
    result = run_study(load_study(folder), executor=SerialExecutor(progress=False))
    amap = activation_map(result)
    return amap, amap.findings()


def _verdict(findings, sample, couple="O"):
    return next(v for v in findings.verdicts if v.sample == sample and v.couple == couple)


def test_a_probe_offset_inside_the_floor_is_no_depth_finding(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "offset")
    assert verdict.where == "uniform", verdict.sentence
    assert "uniform in depth within the errors" in verdict.headline
    assert not findings.differences.query("sample == 'offset' and cycle > 0")["significant"].any()


def test_higher_at_the_surface_without_a_lead_is_not_first(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "higher")
    assert verdict.where == "higher at the surface", verdict.sentence
    assert "first" not in verdict.headline


def test_a_larger_amplitude_with_the_same_time_course_is_higher_not_first(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "triple")
    assert verdict.where == "higher at the surface", verdict.sentence
    assert findings.leads.empty or "triple" not in set(findings.leads["sample"])


def test_a_bulk_that_starts_later_is_surface_first_with_its_lag(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "lagging")
    assert verdict.where == "surface-first", verdict.sentence
    lead = findings.leads.set_index(["sample", "couple"]).loc[("lagging", "O")]
    if lead["by"] == "onset":  # the bulk's onset lies after charge 5 and by charge 12: 5 to 11 cycles later
        assert (lead["lag_low"], lead["lag_high"]) == (5.0, 11.0)
        assert "in the bulk 5 to 11 cycles later" in verdict.sentence
    else:
        assert lead["lag"] > 3 * lead["lag_stderr"]


def test_one_charged_state_gives_no_speed(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "single")
    assert verdict.speed == "not determined" and not np.isfinite(verdict.n90)
    assert "speed not determined (1 charged state; needs 3)" in verdict.headline
    assert "fast" not in verdict.headline and "slow" not in verdict.headline


def test_a_surface_reduction_is_a_reduction_with_its_size(rule_study):
    _, findings = rule_study
    verdict = _verdict(findings, "reduced", "TM (Mn)")
    assert verdict.headline.startswith("TM redox (Mn): no oxidation after charge; reduction at the surface")
    assert verdict.where == "lower at the surface" and verdict.speed == "not determined"
    assert "fast" not in verdict.sentence and "activation" not in verdict.headline
    size = float(verdict.sentence.split("reduction at the surface: ")[1].split(" ± ")[0])
    assert size == pytest.approx(-0.35, abs=0.02)  # 3.90 -> 3.55


def test_three_replicates_per_state_and_mode_enter_the_error(rule_study):
    amap, findings = rule_study
    ds = amap.dataset
    budget = ds["r_budget"].sel(sample="triplicate", probe="surface", error_component="replicates")
    count = ds["r_replicates"].sel(sample="triplicate", probe="surface")
    charged = [s for s in ds["state"].to_numpy() if str(s).startswith("charge") and np.isfinite(
        float(ds["r"].sel(sample="triplicate", state=s, probe="surface")))]
    assert len(charged) == 3
    for state in charged:
        assert int(count.sel(state=state)) == 3
        # r of the three files differs by the shifts of b (a = 1) and by the noise of each fit; the standard
        # error of the mean of three is widened by Student's t with 2 degrees of freedom
        from scipy.stats import norm, t

        widening = t.ppf(norm.cdf(1.0), 2)
        expected = np.std(REPLICATE_SHIFTS, ddof=1) / math.sqrt(3) * widening
        assert float(budget.sel(state=state)) == pytest.approx(expected, rel=0.25)
    verdict = _verdict(findings, "triplicate")  # a study measured three times per state gets its verdict
    assert verdict.determined and verdict.since == "charge 1" and verdict.where == "uniform"


def test_difference_tests_reject_a_true_null_at_their_nominal_rate():
    """Surface and bulk equal in truth. The stated error model: each value carries its statistical noise
    (0.01), and two measurements (two detection modes) differ systematically by a draw of the floor (0.02).
    At 1.96 standard errors, 5 % of the differences are significant (±3 %); with three replicates (their
    spread and the fit's error both known to the test), no more than that."""
    rng = np.random.default_rng(2026)
    states = ("charge 1", "charge 5", "charge 12")
    samples = [f"s{k}" for k in range(150)]
    rows, replicate_rows = [], []
    for sample in samples:
        for state in states:
            offset = rng.normal(0, 0.02)  # the systematic difference between the two modes
            for probe, shift in (("surface", offset), ("bulk", 0.0)):
                rows.append({"sample": sample, "state": state, "probe": probe, "variable": "r",
                             "value": 0.2 + shift + rng.normal(0, 0.01), "stderr": 0.01})
                draws = 0.2 + shift + rng.normal(0, 0.01, 3)
                replicate_rows.append({"sample": sample, "state": state, "probe": probe, "variable": "r",
                                       "value": draws.mean(), "stderr": 0.01 / math.sqrt(3),
                                       "replicates_stderr": draws.std(ddof=1) / math.sqrt(3), "n": 3})
    options = MapOptions(significance_sigma=1.959964)
    names = pd.DataFrame({"name": samples})
    for table in (rows, replicate_rows):
        differences = map_from_table(pd.DataFrame(table), names, options=options).findings(robustness=False).differences
        rate = differences["significant"].mean()
        assert len(differences) == 450
        assert abs(rate - 0.05) <= 0.03, rate


def test_order_words_do_not_come_from_noise():
    """r equal at both probes in truth (0.2 after charges 1, 5, 12, within the stated error model): the O
    verdicts of 150 samples call a probe first, or higher, no more often than the per-state tests allow (3
    states at 3 sigma: under 1 %, at most 3 of 150)."""
    rng = np.random.default_rng(7)
    rows = []
    samples = [f"s{k}" for k in range(150)]
    for sample in samples:
        for state, truth in (("charge 1", 0.12), ("charge 5", 0.19), ("charge 12", 0.2)):
            offset = rng.normal(0, 0.02)
            for probe, shift in (("surface", offset), ("bulk", 0.0)):
                rows.append({"sample": sample, "state": state, "probe": probe, "variable": "r",
                             "value": truth + shift + rng.normal(0, 0.01), "stderr": 0.01})
    findings = map_from_table(pd.DataFrame(rows), pd.DataFrame({"name": samples})).findings(robustness=False)
    where = pd.Series([w for (_, couple), (w, _) in findings.classes().items() if couple == "O"])
    assert len(where) == 150
    assert where.isin(["surface-first", "bulk-first", "surface only", "bulk only"]).sum() <= 1
    assert (~where.isin(["uniform"])).sum() <= 3


def test_the_pristine_reference_must_share_the_samples_conditions():
    """Two uncycled materials (chemistry A and B): a cycled B sample is measured against B's pristine valence,
    a C sample against none (its change is not determined), and the verdict names the reference."""
    rows = []
    for name, valence in (("A uncycled", 3.0), ("B uncycled", 3.6)):
        for probe in ("surface", "bulk"):
            rows.append({"sample": name, "state": "pristine", "probe": probe, "variable": "valence_Mn",
                         "value": valence, "stderr": 0.01})
    for name in ("B cell", "C cell"):
        for probe in ("surface", "bulk"):
            rows.append({"sample": name, "state": "charge 1", "probe": probe, "variable": "valence_Mn",
                         "value": 3.62, "stderr": 0.01})
    samples = pd.DataFrame({"name": ["A uncycled", "B uncycled", "B cell", "C cell"],
                            "chemistry": ["A", "B", "B", "C"]})
    findings = map_from_table(pd.DataFrame(rows), samples).findings(robustness=False)
    b_cell = _verdict(findings, "B cell", "TM (Mn)")
    assert b_cell.headline == "TM redox (Mn): no significant rise after charge"  # 3.62 against B's 3.60
    assert "'B uncycled'" in b_cell.sentence
    c_cell = _verdict(findings, "C cell", "TM (Mn)")
    assert "not determined" in c_cell.sentence and "uncycled" not in c_cell.sentence


def test_an_o_k_window_of_the_users_own_is_analysed_with_its_choices(tmp_path):
    """A study window other than the default (527-537 eV): r, its choices' spread and b - b0 come out."""
    from redoxmap.study.analyses.xas import (
        SpectrumEntry,
        XasSettings,
        analyze_xas,
        fit_pristine_oxygen,
    )

    rng = np.random.default_rng(3)
    files = {name: tmp_path / _write(tmp_path / f"{name}.csv", _o_k(r, rng)) for name, r in (("p", 0.0), ("c", 0.2))}
    settings = XasSettings(o_k_peaks=("A", "B", "C"), o_k_window_eV=(527.0, 537.0))
    pristine = {"tey": fit_pristine_oxygen(SpectrumEntry([files["p"]], "O-K", "tey", "pristine", pristine=True),
                                           peaks=settings.o_k_peaks, window=settings.o_k_window_eV)}
    found = analyze_xas("x", [SpectrumEntry([files["c"]], "O-K", "tey", "charge 1")], references={},
                        pristine=pristine, settings=settings)
    row = found.activation.iloc[0]
    assert row["r"] == pytest.approx(0.2, abs=0.02) and row["r_choice_stderr"] > 0
    assert row["b_minus_b0"] == pytest.approx(0.2, abs=0.02)
