"""A campaign's comparison, checked against a virtual campaign whose groups, scatter and faulty cells
were written by the activation model (truth.json), and against hand-made tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from redoxmap.study import SerialExecutor, load_study, run_study
from redoxmap.study.campaign import (
    METRICS,
    campaign_table,
    group_statistics,
    one_capacity_unit,
    outliers,
    varying_conditions,
)
from redoxmap.study.manifest import Sample
from redoxmap.study.run import cell_label
from redoxmap.study.virtual_campaign import simulate_campaign


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A virtual campaign of 4 groups of 8 cells, analysed: its truth, study result and campaign table."""
    folder = tmp_path_factory.mktemp("campaign")
    simulate_campaign(folder, cells_per_group=8, cycles=20, seed=3)
    study = load_study(folder)
    result = run_study(study, executor=SerialExecutor(progress=False), store=False)
    labels = {cell_label(s, f, "cycling"): s.name for s in study.samples for f in s.files["cycling"]}
    analyses = {}
    for outcome in result.sections["cycling"]:
        assert outcome.ok, outcome.error
        analyses.setdefault(labels[outcome.label], []).append(outcome.value)
    truth = json.loads((folder / "truth.json").read_text())
    return truth, result, campaign_table(study, analyses)


def test_cells_fall_into_the_groups_of_their_conditions(campaign):
    truth, _, table = campaign
    assert len(table) == 32 and table["group"].nunique() == 4
    assert list(table.columns[3:5]) == ["temperature_C", "mixing"]  # the conditions that vary, nothing else
    for row in table.itertuples():
        cell = truth["cells"][row.sample]
        assert (row.temperature_C, row.mixing) == (cell["temperature_C"], cell["mixing"])


def test_group_medians_match_the_models_capacities(campaign):
    """The largest discharge capacity per group: the median over its healthy cells of the model's own
    capacities (truth.json), within the 1 % error of the weighed masses."""
    truth, _, table = campaign
    statistics = group_statistics(table).set_index(["group", "metric"])
    for group, members in table.groupby("group"):
        healthy = [name for name in members["sample"] if name not in truth["faults"]]
        expected = np.median([max(truth["cells"][name]["capacity_mAh_g"]) for name in healthy])
        measured = np.median(members.loc[members["sample"].isin(healthy), "capacity_max"])
        assert measured == pytest.approx(expected, rel=0.02)
        assert statistics.loc[(group, "capacity_max"), "cells"] == len(members)


def test_the_faulty_cells_stand_apart_with_their_reason(campaign):
    truth, _, table = campaign
    flagged = outliers(table)
    per_cell = flagged.groupby("cell")["metric"].size()
    assert set(truth["faults"]) == {"solid 30C #01", "liquid 50C #01"}
    for cell, fault in truth["faults"].items():
        assert per_cell.get(cell, 0) >= 3, (cell, fault)
    slip = flagged[flagged["cell"] == "solid 30C #01"]
    assert slip["reason"].str.contains("a factor of 0.1, as a mass entered in the wrong unit").all()
    # the rule's false flags on this truth: the natural spread's extremes (a cell whose interface resistance
    # was drawn 2.5 sigma low is flagged on its three correlated capacities), far below the faults
    distance = flagged.assign(z=flagged["z"].abs()).groupby("cell")["z"].max()
    healthy = distance.drop(list(truth["faults"]), errors="ignore")
    assert len(healthy) <= 2 and healthy.max() < 0.5 * distance[list(truth["faults"])].min(), distance


def test_cells_equal_within_their_accuracy_are_never_flagged():
    rng = np.random.default_rng(1)
    rows = [{"sample": f"s{k}", "cell": f"c{k}", "group": "all cells", "capacity_unit": "mAh/g",
             "capacity_first": 200 * (1 + 0.003 * rng.normal()), "capacity_max": 250.0, "capacity_last": 240.0,
             "retention_pct": 96.0, "ce_median_pct": 99.5, "top_share_first_pct": 30.0,
             "top_share_last_pct": 50.0, "n90": 10.0} for k in range(12)]
    assert outliers(pd.DataFrame(rows)).empty  # 0.3 % scatter: inside the 1 % floor
    rows[4]["capacity_max"] = 25.0  # mg entered as tenths of a mg
    flagged = outliers(pd.DataFrame(rows))
    assert list(flagged["cell"]) == ["c4"] and "a factor of 0.1" in flagged["reason"].iloc[0]
    assert outliers(pd.DataFrame(rows[:4])).empty  # four cells: too few to call one apart
    assert set(METRICS) <= set(rows[0])


def test_capacities_in_two_units_are_never_compared():
    """Three cells without an active mass (mAh) among nine with one (mAh/g): their capacities leave the
    comparison, their retention stays."""
    rows = [{"sample": f"s{k}", "cell": f"c{k}", "group": "all cells", "capacity_unit": "mAh" if k < 3 else "mAh/g",
             "capacity_first": 0.5 if k < 3 else 200.0, "capacity_max": 0.6 if k < 3 else 250.0,
             "capacity_last": 0.55 if k < 3 else 240.0, "retention_pct": 96.0, "ce_median_pct": 99.5,
             "top_share_first_pct": 30.0, "top_share_last_pct": 50.0, "n90": 10.0} for k in range(12)]
    table = one_capacity_unit(pd.DataFrame(rows))
    assert set(table["capacity_unit"]) == {"mAh/g"} and table["capacity_max"].isna().sum() == 3
    assert table["retention_pct"].notna().all() and outliers(table).empty  # no mAh cell flagged against mAh/g
    assert group_statistics(table).set_index("metric").loc["capacity_max", "cells"] == 9


def test_only_conditions_that_differ_group_the_samples():
    samples = [Sample(name=f"s{k}", files={}, temperature_C=30, chemistry="li-rich",
                      variables={"mixing": "LPM" if k % 2 else "SPM", "batch": "A"}) for k in range(4)]
    assert varying_conditions(samples) == ["mixing"]
    samples[0].temperature_C = None  # a sample without a temperature is a value of its own
    assert set(varying_conditions(samples)) == {"temperature_C", "mixing"}


def test_a_campaign_compares_its_condition_groups_not_every_pair_of_cells(campaign):
    """32 cells in 4 groups: 6 comparisons per kinetics, not 496; each group's error is its cells' spread,
    and the temperature the truth set apart (50 °C activates sooner) is found at each mixing."""
    from redoxmap.study.map_dataset import activation_map

    _, result, table = campaign
    findings = activation_map(result).findings()
    compared = findings.comparisons
    assert len(compared) and (compared.groupby(["couple", "source", "probe"]).size() <= 6).all()
    assert (compared["cells_first"] >= 7).all()
    # named by what sets the groups apart, as the campaign view names them
    assert compared["first"].str.fullmatch(r"(30|50) °C, (solid|liquid) phase").all()
    assert set(compared["first"]) <= set(table["group"])
    by_temperature = compared[compared["differ"].str.fullmatch(r'\{"temperature_C": \[30(\.0)?, 50(\.0)?\]\}')]
    faster = by_temperature[by_temperature["significant"]]
    assert set(faster["first"].str.split(", ").str[1]) == {"solid phase", "liquid phase"}
    assert (faster["difference"] < 0).all()  # never the other way round
    # every cell is virtual, so every group is marked simulated, as its cells are
    assert compared["simulated_first"].all() and compared["simulated_second"].all()
    assert set(compared["first"]) | set(compared["second"]) <= set(findings.simulated)


def test_group_comparisons_pool_replicates_and_stop_where_every_sample_differs():
    """Hand-made kinetics: nine samples at 30 °C and one at 50 °C make two units, the lone one under its own
    name and the nine pooled (mean 10 cycles, error their spread's, widened for nine); thirty samples of thirty
    loadings are not compared pair by pair."""
    from redoxmap.fitting import replicate_error
    from redoxmap.study.comparisons import comparison_units

    def record(name, n90):
        return {"sample": name, "n90": n90, "n90_stderr": 0.1, "n50": n90 / 2, "n50_stderr": 0.1, "last_cycle": 40}
    values = [8.0, 9.0, 10.0, 11.0, 12.0, 9.5, 10.5, 9.0, 11.0]
    records = [record(f"c{k}", v) for k, v in enumerate(values)] + [record("hot", 4.0)]
    conditions = {f"c{k}": {"temperature_C": 30} for k in range(9)} | {"hot": {"temperature_C": 50}}
    units = comparison_units(records, conditions, {r["sample"]: 1 for r in records})
    assert [u["label"] for u in units] == ["30 °C", "hot"]
    assert units[0]["n90"] == pytest.approx(10.0) and units[0]["cells"] == 9
    assert units[0]["members"] == [f"c{k}" for k in range(9)] and units[1]["members"] == ["hot"]
    assert units[0]["n90_stderr"] == pytest.approx(replicate_error(values)[0])
    many = [record(f"s{k}", 10.0 + k) for k in range(30)]
    assert comparison_units(many, {f"s{k}": {"loading": k} for k in range(30)}, {}) == []


@pytest.mark.slow
def test_the_report_of_a_campaign_compares_groups_on_its_entry_page(campaign, tmp_path):
    from redoxmap.report import write_report

    _, result, _ = campaign
    index = write_report(result, tmp_path / "report", workers=1, single_file=True)
    page = index.read_text()
    assert "Campaign: 32 cells in 4 groups" in page and 'id="tab-campaign_apart"' in page
    assert "verdict-table" not in page or page.count("<tr>") < 60  # single cells' verdicts stay on the findings page
    assert len(page) < 200_000
    recorded = json.loads((index.parent / "report.json").read_text())
    campaign_section = next(s for s in recorded["sections"] if s["id"] == "campaign")
    assert campaign_section["page"] == "index.html"
    assert all((index.parent / f["preview"]).is_file() for f in campaign_section["figures"])
    findings = (index.parent / "findings.html").read_text()  # single cells' verdicts folded; no curve per cell
    folded = findings.index("<summary>Verdicts on single cells' capacities and on pairs of samples (")
    assert '<li><span class="sample">' not in findings[:folded] and '<li><span class="sample">' in findings[folded:]
    assert 'id="fig-findings_regions' not in findings and "by voltage region is not drawn per sample: 32" in findings


@pytest.mark.slow
def test_each_cell_of_a_campaign_has_a_page_of_its_own(campaign, tmp_path):
    """The cycling page compares the 32 cells and links a page per cell with its profiles, dQ/dV, regions
    and peaks; the one-file version holds them all; a lost cell page makes the report out of date."""
    from redoxmap.report import up_to_date, write_report

    _, result, _ = campaign
    index = write_report(result, tmp_path / "report", workers=1, single_file=True)
    folder = index.parent
    cycling = (folder / "cycling.html").read_text()
    assert 'id="fig-cycling_capacity"' in cycling and 'id="fig-cycling_cell1_profiles"' not in cycling
    for k in range(1, 33):
        assert f'href="cycling-{k}.html"' in cycling
        cell = (folder / f"cycling-{k}.html").read_text()
        assert all(f'id="fig-cycling_cell{k}_{kind}"' in cell for kind in ("profiles", "dqdv", "regions", "peaks"))
        assert 'href="cycling.html"' in cell and 'class="here" aria-current="page">Galvanostatic cycling' in cell
    assert len(cycling) < len((folder / "cycling-1.html").read_text()) * 4  # not every cell's figures
    single = (folder / "report-single.html").read_text()  # links the cells' pages, does not hold them
    assert 'id="fig-cycling_capacity"' in single and 'id="fig-cycling_cell32_peaks"' not in single
    assert 'href="cycling-32.html"' in single
    recorded = json.loads((folder / "report.json").read_text())
    assert recorded["pages"]["cycling-32"] == "cycling-32.html"
    assert up_to_date(result.study, folder, single_file=True) == index
    (folder / "cycling-7.html").unlink()
    assert up_to_date(result.study, folder, single_file=True) is None


def test_the_campaign_command_writes_a_study_and_refuses_an_empty_one(tmp_path):
    from typer.testing import CliRunner

    from redoxmap.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["simulate", "campaign", str(tmp_path / "c"), "--cells-per-group", "2",
                                 "--cycles", "5"])
    assert result.exit_code == 0, result.output
    assert len(load_study(tmp_path / "c").samples) == 8
    refused = runner.invoke(app, ["simulate", "campaign", str(tmp_path / "d"), "--cells-per-group", "0"])
    assert refused.exit_code == 1 and "at least one cell per group" in refused.output
    assert not (tmp_path / "d").exists()


def test_a_group_is_marked_simulated_only_where_every_comparison_naming_it_is_of_simulated_cells():
    """By hand: "30 °C" gathers only virtual cells for one couple but a measured one too for another, so it
    is not marked; "50 °C" is virtual in both."""
    import pandas as pd

    from redoxmap.study.findings import _simulated_groups

    compared = pd.DataFrame([
        {"first": "30 °C", "second": "50 °C", "simulated_first": True, "simulated_second": True},
        {"first": "30 °C", "second": "50 °C", "simulated_first": False, "simulated_second": True}])
    assert _simulated_groups(compared) == ("50 °C",)
    assert _simulated_groups(pd.DataFrame()) == ()
