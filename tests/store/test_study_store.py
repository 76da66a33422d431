"""A study keeps its decoded cycler files: the second run decodes nothing and finds the same."""

from __future__ import annotations

import shutil

import pandas as pd

from redoxmap.store import cells
from redoxmap.study import SerialExecutor, load_study, run_study
from redoxmap.study.run import DEFAULT_STORE


def _study(folder, echem, extra: str = ""):
    (folder / "cycling").mkdir(parents=True)
    for k in range(2):
        shutil.copy(echem / "NewareNDA" / "test_2.ndax", folder / "cycling" / f"cell_{k}.ndax")
    samples = "".join(f'\n[[sample]]\nname = "cell {k}"\nactive_mass_mg = 5\ntemperature_C = 30\n'
                      f'[sample.files]\ncycling = "cycling/cell_{k}.ndax"\n' for k in range(2))
    (folder / "study.toml").write_text(f'[study]\nname = "stored"\n{extra}\n[model]\nrun = false\n' + samples)
    return load_study(folder / "study.toml")


def _summaries(result):
    return [outcome.value.per_cycle for outcome in result.sections["cycling"]]


def test_the_second_run_of_a_study_decodes_nothing(echem, tmp_path, monkeypatch, quiet):
    study = _study(tmp_path / "study", echem)
    first = run_study(study, executor=SerialExecutor(progress=False))
    store = cells.CellStore(tmp_path / "study" / DEFAULT_STORE)
    assert sorted(store.catalog()["cell"]) == ["cell 0", "cell 1"]
    assert store.catalog()["key"].nunique() == 2  # two copies: two tables, each naming its own file
    monkeypatch.setattr(cells, "decode_cycling", lambda *a, **k: (_ for _ in ()).throw(AssertionError("decoded")))
    second = run_study(study, executor=SerialExecutor(progress=False))
    assert all(o.ok for o in second.sections["cycling"])
    for a, b in zip(_summaries(first), _summaries(second)):
        pd.testing.assert_frame_equal(a, b)
    # The analysis keeps what its profile figure draws (thinned rows of its profile cycles); the store has all.
    analysis = second.sections["cycling"][0].value
    assert set(analysis.table["cycle"]) == set(analysis.profile_cycles)
    assert store.catalog()["rows"].iloc[0] > len(analysis.table)


def test_a_study_without_a_store_writes_none(echem, tmp_path, quiet):
    study = _study(tmp_path / "study", echem, extra="store = false")
    assert all(o.ok for o in run_study(study, executor=SerialExecutor(progress=False)).sections["cycling"])
    assert not (tmp_path / "study" / DEFAULT_STORE).exists()
    elsewhere = tmp_path / "elsewhere"
    run_study(study, executor=SerialExecutor(progress=False), store=elsewhere)
    assert len(cells.CellStore(elsewhere).catalog()) == 2
