"""The store of decoded cycler files: what comes back equals a fresh read (columns, values, dtypes,
metadata) on real files of several readers; a second read decodes nothing; a changed file is read
again; a damaged or unwritable store never loses a read."""

from __future__ import annotations

import json
import shutil
import warnings
from itertools import pairwise

import pandas as pd
import pytest

import redoxmap
from redoxmap.errors import AnalysisError, DataWarning, ReadError
from redoxmap.store import CellStore, cells, cycle_capacities

# One real file per reader family that the study's cycling section meets most.
FILES = ["NewareNDA/test_2.ndax", "yadg/gcpl.issue_149.mpt", "battery-data-toolkit/arbin_example.csv",
         "battery-data-format/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv", "navani/test.ndax"]
METADATA = {"name": "cell A", "active_mass_mg": 4.2, "temperature_C": 50.0}


def _no_decode(*args, **kwargs):
    raise AssertionError("the store decoded a file it holds")


@pytest.mark.parametrize("name", FILES)
def test_a_stored_table_equals_a_fresh_read(echem, tmp_path, name, quiet):
    path = echem / name
    store = CellStore(tmp_path / "store")
    fresh = redoxmap.read_cycling(path, **METADATA)
    first = store.read_cycling(path, **METADATA)
    second = store.read_cycling(path, **METADATA)
    for table in (first, second):
        pd.testing.assert_frame_equal(table, fresh, check_exact=True)
        assert table.attrs["redoxmap"] == json.loads(json.dumps(fresh.attrs["redoxmap"], default=str))
    row = store.catalog().iloc[0]
    assert (row["cell"], row["rows"], row["active_mass_mg"], row["temperature_C"]) == ("cell A", len(fresh), 4.2, 50.0)
    assert row["cycles"] == fresh["cycle"].max() and row["reader"] == fresh.attrs["redoxmap"]["reader"]
    assert row["hash"] == cells.file_digest([path])


def test_a_second_read_decodes_nothing_and_gives_the_first_reads_warnings(echem, tmp_path, monkeypatch):
    path = echem / "NewareNDA" / "test_2.ndax"
    store = CellStore(tmp_path / "store")
    original = cells.decode_cycling

    def warning_decode(*args, **kwargs):
        warnings.warn("the reader's remark", DataWarning)
        return original(*args, **kwargs)

    monkeypatch.setattr(cells, "decode_cycling", warning_decode)
    with pytest.warns(DataWarning, match="the reader's remark"):
        first = store.read_cycling(path, active_mass_mg=5)
    monkeypatch.setattr(cells, "decode_cycling", _no_decode)
    with pytest.warns(DataWarning, match="the reader's remark"):
        second = store.read_cycling(path, active_mass_mg=5)
    pd.testing.assert_frame_equal(first, second)
    # The user's metadata is not part of the stored table: another mass needs no decode either.
    with pytest.warns(DataWarning, match="the reader's remark"):
        other = store.read_cycling(path, active_mass_mg=2.5)
    assert other.attrs["redoxmap"]["active_mass_mg"] == 2.5


def test_a_changed_file_is_read_again_and_its_old_table_removed(echem, tmp_path, quiet):
    cell = tmp_path / "cell.ndax"
    shutil.copy(echem / "NewareNDA" / "test_2.ndax", cell)
    store = CellStore(tmp_path / "store")
    store.read_cycling(cell, name="cell")
    old_key = store.catalog()["key"].item()
    shutil.copy(echem / "navani" / "test.ndax", cell)  # same name, other content
    table = store.read_cycling(cell, name="cell")
    pd.testing.assert_frame_equal(table, redoxmap.read_cycling(cell, name="cell"))
    catalog = store.catalog()
    assert len(catalog) == 1 and catalog["key"].item() != old_key
    assert catalog["hash"].item() == cells.file_digest([cell])
    assert not (store.tables / old_key).exists()


def test_large_cells_are_split_at_cycle_boundaries(echem, tmp_path, monkeypatch, quiet):
    monkeypatch.setattr(cells, "PART_ROWS", 20_000)
    path = echem / "NewareNDA" / "test_2.ndax"
    store = CellStore(tmp_path / "store")
    store.read_cycling(path)
    parts = store.table_files(store.catalog()["key"].item())
    assert len(parts) > 3
    cycles = [pd.read_parquet(p, columns=["cycle"])["cycle"] for p in parts]
    assert all(a.max() < b.min() for a, b in pairwise(cycles))  # no cycle in two parts
    monkeypatch.setattr(cells, "decode_cycling", _no_decode)
    pd.testing.assert_frame_equal(store.read_cycling(path), redoxmap.read_cycling(path))


def test_a_damaged_stored_table_is_decoded_again(echem, tmp_path, quiet):
    path = echem / "NewareNDA" / "test_2.ndax"
    store = CellStore(tmp_path / "store")
    store.read_cycling(path)
    part = store.table_files(store.catalog()["key"].item())[0]
    part.write_bytes(part.read_bytes()[:1000])  # truncated
    with pytest.warns(DataWarning, match="could not be read"):
        table = store.read_cycling(path)
    pd.testing.assert_frame_equal(table, redoxmap.read_cycling(path))


def test_an_unwritable_store_warns_and_reads_anyway(echem, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    path = echem / "NewareNDA" / "test_2.ndax"
    with pytest.warns(DataWarning, match="cannot keep this table"):
        table = CellStore(blocker / "store").read_cycling(path, active_mass_mg=5)
    pd.testing.assert_frame_equal(table, redoxmap.read_cycling(path, active_mass_mg=5))


def test_a_table_parquet_cannot_hold_is_read_without_the_store(echem, tmp_path, monkeypatch, quiet):
    path = echem / "NewareNDA" / "test_2.ndax"
    original = cells.decode_cycling

    def mixed_column(*args, **kwargs):  # an object column of numbers and text: Arrow refuses it
        table, provenance = original(*args, **kwargs)
        return table.assign(note=[1 if k % 2 else "x" for k in range(len(table))]), provenance

    monkeypatch.setattr(cells, "decode_cycling", mixed_column)
    store = CellStore(tmp_path / "store")
    with pytest.warns(DataWarning, match="cannot keep this table"):
        table = store.read_cycling(path)
    assert len(table) == len(redoxmap.read_cycling(path)) and store.catalog().empty
    assert not any(store.tables.iterdir())  # no staging folder left behind


def test_two_processes_storing_the_same_table_keep_one(echem, tmp_path, quiet):
    path = echem / "NewareNDA" / "test_2.ndax"
    store = CellStore(tmp_path / "store")
    table, provenance = cells.decode_cycling(path)
    first = store._save("samekey", table, provenance, [])
    second = store._save("samekey", table, provenance, [])  # the rename finds the first one's folder
    assert first.folder == second.folder and len(list(store.tables.iterdir())) == 1


def test_bad_requests_fail_clearly(echem, tmp_path):
    store = CellStore(tmp_path / "store")
    with pytest.raises(ReadError, match="no such file"):
        store.read_cycling(tmp_path / "missing.ndax")
    with pytest.raises(ReadError, match="is a folder"):
        store.read_cycling(tmp_path)
    with pytest.raises(AnalysisError, match="unknown metadata"):
        store.read_cycling(echem / "navani" / "test.ndax", active_mass=4.0)
    assert not store.root.exists()  # nothing was written for a refused read


def test_a_table_made_in_memory_can_be_kept(tmp_path):
    import numpy as np

    from redoxmap.cycling import from_records

    time_s = np.arange(0, 7200.0, 10.0)
    current = np.where(time_s < 3600, 1e-3, -1e-3)
    voltage = np.where(time_s < 3600, 3.0 + time_s / 3600, 4.0 - (time_s - 3600) / 3600)
    table = from_records(pd.DataFrame({"time_s": time_s, "voltage_V": voltage, "current_A": current}),
                         name="simulated", active_mass_mg=10.0, temperature_C=25.0)
    store = CellStore(tmp_path / "store")
    key = store.add(table)
    assert store.add(table) == key  # the same content, the same key
    row = store.catalog().set_index("cell").loc["simulated"]
    assert row["key"] == key and row["rows"] == len(table) and row["cycles"] == 1
    found = cycle_capacities(store, 1).set_index("cell")
    assert found.loc["simulated", "capacity_mAh"] == pytest.approx(1.0, rel=2e-3)  # 1 mA for one hour


def test_a_copy_elsewhere_keeps_its_own_provenance(echem, tmp_path, quiet):
    """Two files of one content are two tables: each read names its own file (found on nda files that two
    projects both publish)."""
    for k in range(2):
        shutil.copy(echem / "NewareNDA" / "test_2.ndax", tmp_path / f"copy{k}.ndax")
    store = CellStore(tmp_path / "store")
    for k in range(2):
        store.read_cycling(tmp_path / f"copy{k}.ndax")
    for k in range(2):
        table = store.read_cycling(tmp_path / f"copy{k}.ndax")
        assert table.attrs["redoxmap"]["source_file"] == str(tmp_path / f"copy{k}.ndax")
    assert store.catalog()["key"].nunique() == 2
