"""Queries across the cells of a store give what each cell's own cycle summary gives."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

import redoxmap
from redoxmap.cli import app
from redoxmap.cycling import cycle_summary
from redoxmap.errors import AnalysisError
from redoxmap.store import CellStore, cycle_capacities, scan_cells

CELLS = {"warm": ("NewareNDA/test_2.ndax", 50.0, 5.0), "cool": ("navani/test.ndax", 30.0, 3.0),
         "warm too": ("NewareNDA/test_2.ndax", 50.2, 4.0)}


@pytest.fixture(scope="module")
def store(echem, tmp_path_factory):

    store = CellStore(tmp_path_factory.mktemp("query") / "store")
    for name, (file, temperature, mass) in CELLS.items():
        store.read_cycling(echem / file, name=name, temperature_C=temperature, active_mass_mg=mass)
    return store


@pytest.mark.parametrize("direction", ["discharge", "charge"])
def test_cycle_capacities_equal_each_cells_summary(store, echem, direction, quiet):
    for cycle in (1, 3, 10):
        found = cycle_capacities(store, cycle, direction=direction).set_index("cell")
        for name, (file, temperature, mass) in CELLS.items():
            summary = cycle_summary(redoxmap.read_cycling(echem / file, active_mass_mg=mass)).set_index("cycle")
            if cycle not in summary.index or not np.isfinite(summary.loc[cycle, f"{direction}_capacity_mAh_g"]):
                assert name not in found.index
                continue
            assert found.loc[name, "capacity_mAh_g"] == pytest.approx(
                summary.loc[cycle, f"{direction}_capacity_mAh_g"], rel=1e-12)
            assert found.loc[name, "temperature_C"] == temperature


def test_temperature_and_cells_choose_from_the_catalog(store):
    assert list(cycle_capacities(store, 1, temperature_C=50)["cell"]) == ["warm", "warm too"]
    assert list(cycle_capacities(store, 1, cells=["cool"])["cell"]) == ["cool"]
    assert cycle_capacities(store, 2, cells=["cool"]).empty  # a cell that did not reach the cycle
    with pytest.raises(AnalysisError, match="not in the store"):
        cycle_capacities(store, 2, cells=["absent"])
    with pytest.raises(AnalysisError, match="no cell"):
        cycle_capacities(store, 2, temperature_C=80)
    with pytest.raises(AnalysisError, match="direction"):
        cycle_capacities(store, 2, direction="rest")


def test_scan_cells_is_lazy_and_labels_rows(store):
    rows = scan_cells(store, cells=["cool"])
    assert isinstance(rows, pl.LazyFrame)
    counted = rows.group_by("cell").agg(pl.len()).collect()
    assert counted["len"].item() == store.catalog().set_index("cell").loc["cool", "rows"]


def test_the_store_commands(store, tmp_path):
    runner = CliRunner()
    listed = runner.invoke(app, ["store", "catalog", str(store.root), "--json"])
    assert listed.exit_code == 0, listed.output
    assert {row["cell"] for row in json.loads(listed.output)["rows"]} == set(CELLS)
    queried = runner.invoke(app, ["store", "query", str(store.root), "--cycle", "2", "--temperature", "50", "--json"])
    assert queried.exit_code == 0, queried.output
    body = json.loads(queried.output)
    assert [row["cell"] for row in body["rows"]] == ["warm", "warm too"] and body["cycle"] == 2
    wrong = runner.invoke(app, ["store", "catalog", str(tmp_path)])
    assert wrong.exit_code == 1 and "not a redoxmap store" in wrong.output
    assert "Example" in runner.invoke(app, ["store", "query", "--help"]).output


def test_lost_or_damaged_tables_give_a_warning_or_a_clear_error(echem, tmp_path, quiet):
    import shutil

    from redoxmap.errors import DataWarning, ReadError

    store = CellStore(tmp_path / "store")
    store.read_cycling(echem / "NewareNDA" / "test_2.ndax", name="kept", active_mass_mg=5.0)
    store.read_cycling(echem / "navani" / "test.ndax", name="lost", active_mass_mg=3.0)
    catalog = store.catalog().set_index("cell")
    shutil.rmtree(store.tables / catalog.loc["lost", "key"])
    with pytest.warns(DataWarning, match="left out: lost"):
        assert list(cycle_capacities(store, 1)["cell"]) == ["kept"]
    with pytest.raises(AnalysisError, match="no stored table"):
        cycle_capacities(store, 1, cells=["lost"])
    part = store.table_files(catalog.loc["kept", "key"])[0]
    part.write_bytes(part.read_bytes()[:2000])  # truncated on disk
    with pytest.raises(ReadError, match="cannot be read") as caught:
        cycle_capacities(store, 1, cells=["kept"])
    assert str(store.root) in str(caught.value)
