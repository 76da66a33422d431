"""The study manifest: validation with errors that point at the problem."""

from __future__ import annotations

import textwrap

import pytest

from redoxmap.errors import ManifestError
from redoxmap.study import load_study


def _write(folder, text, files=("cell.ndax",)):
    for name in files:
        (folder / name).write_bytes(b"x")
    path = folder / "study.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_relative_paths_resolve_against_the_manifest(tmp_path):
    (tmp_path / "data").mkdir()
    _write(tmp_path, """
        [study]
        name = "s"
        [cycling]
        profile_cycles = [1, 3]
        [[sample]]
        name = "A"
        active_mass_mg = 4.2
        temperature_C = 30
        [sample.files]
        cycling = ["data/cell.ndax"]
    """, files=("data/cell.ndax",))
    study = load_study(tmp_path)
    sample = study.samples[0]
    assert sample.files["cycling"] == [tmp_path / "data" / "cell.ndax"]
    assert sample.active_mass_mg == 4.2
    assert study.parameters["cycling"].profile_cycles == [1, 3]
    assert study.parameters["cycling"].smoothing_V == "auto"  # default kept


@pytest.mark.parametrize(("body", "message"), [
    ('[[sample]]\nname = "A"\nactive_mas_mg = 3\n', "did you mean 'active_mass_mg'"),
    ('[cycling]\nsmoothing = 0.01\n[[sample]]\nname = "A"\n', "did you mean 'smoothing_V'"),
    ('[xrd_stuff]\n[[sample]]\nname = "A"\n', "unknown key 'xrd_stuff'"),
    ('[[sample]]\nname = "A"\n[sample.files]\ncycling = "missing.ndax"\n', "missing.ndax"),
    ('[[sample]]\nname = "A"\n[sample.files]\nnmr = "cell.ndax"\n', "unknown key 'nmr'"),
    ('[sem]\npredict = ["B"]\nreference_sample = "A"\n[[sample]]\nname = "A"\n', "names 'B', which is not a sample"),
    ('[[sample]]\nname = "A"\n[sample.files]\nxrd = [{file = "cell.ndax", sate = "x"}]\n', "did you mean 'state'"),
    ('[xrd]\npeaks = [{label = "003", near = 18.6}]\n[[sample]]\nname = "A"\n', "label, phase, hkl and near"),
    ('[xrd]\npeaks = [{label = "003", phase = "P1", hkl = [0, 0, 3], near = 18.6}]\n[[sample]]\nname = "A"\n',
     "unknown phase"),
    ('[xrd]\npeaks = [{label = "003", phase = "R-3m", hkl = [0, 3], near = 18.6}]\n[[sample]]\nname = "A"\n',
     "three integers"),
    ('[xrd]\ncif = ["none.cif"]\n[[sample]]\nname = "A"\n', "none.cif"),
    ('[images]\npixel = 0.01\n[[sample]]\nname = "A"\n', "did you mean 'pixel_nm'"),
    ('[[sample]]\nname = "A"\n[sample.files]\nxas = "cell.ndax"\n', "xas files are tables with edge"),
    ('[[sample]]\nname = "A"\n[sample.files]\nxas = [{file = "cell.ndax", edge = "O-K", mood = "tey"}]\n',
     "did you mean 'mode'"),
    ('[xas]\nreferences = [{file = "cell.ndax", edge = "Mn-K"}]\n[[sample]]\nname = "A"\n', "file, edge and valence"),
    ('[[sample]]\nname = "A"\nactive_mass_mg = "four"\n', "must be"),
    ('[[sample]]\nname = "A"\n[[sample]]\nname = "A"\n', "two samples"),
    ('[study]\nname = "empty"\n', "no [[sample]]"),
    ('[[sample]]\nname = "A"\nelectrode = "both"\n', "electrode"),
    ('[cycling]\npeak_windows = {charge = {Ox1 = [4.0, 3.0]}}\n[[sample]]\nname = "A"\n', "low_V, high_V"),
    ('this is not toml = = =', "not valid TOML"),
])
def test_invalid_manifests(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        load_study(path)
    assert str(path) in str(info.value)


def test_missing_manifest(tmp_path):
    with pytest.raises(ManifestError, match="study.toml"):
        load_study(tmp_path)


@pytest.mark.parametrize(("options", "cycle"), [
    ({"state": "charge 12"}, 12), ({"state": "1st charge"}, 1), ({"state": "22nd Charge"}, 22),
    ({"state": "charged, cycle 3", "cycle": 3}, 3), ({"state": "after 40 cycles", "cycle": 40}, 40),
    ({"state": "pristine"}, None), ({"state": "discharged"}, None), ({}, None)])
def test_which_charge_a_spectrum_follows(options, cycle):
    from redoxmap.study.run import charge_cycle

    assert charge_cycle(options) == cycle


def test_one_state_name_with_different_cycle_keys_is_named_apart(tmp_path):
    """"charge" after cycles 1 and 12 are two spectra, each with its cycle; names the user made distinct
    ("charged to 4.4 V", "charged to 4.7 V" in one cycle) or used with one cycle stay as written."""
    from redoxmap.study.analyses.xas import group_replicates
    from redoxmap.study.map_records import _entry_state
    from redoxmap.study.run import _xas_entries

    _write(tmp_path, """
        [study]
        name = "s"
        [[sample]]
        name = "A"
        [sample.files]
        xas = [{file = "c1.dat", edge = "Ni-L3", state = "charge", cycle = 1},
               {file = "c12.dat", edge = "Ni-L3", state = "charge", cycle = 12},
               {file = "c12b.dat", edge = "Ni-L3", state = "charge", cycle = 12},
               {file = "h44.dat", edge = "Ni-L3", state = "charged to 4.4 V", cycle = 1},
               {file = "h47.dat", edge = "Ni-L3", state = "charged to 4.7 V", cycle = 1}]
    """, files=("c1.dat", "c12.dat", "c12b.dat", "h44.dat", "h47.dat"))
    study = load_study(tmp_path)
    sample = study.samples[0]
    names = ["charge, cycle 1", "charge, cycle 12", "charge, cycle 12", "charged to 4.4 V", "charged to 4.7 V"]
    assert [o["state"] for o in sample.file_options["xas"]] == names
    spectra = group_replicates(_xas_entries(sample, study.parameters["xas"]))
    assert [(s.state, [f.name for f in s.files]) for s in spectra] == [
        ("charge, cycle 1", ["c1.dat"]), ("charge, cycle 12", ["c12.dat", "c12b.dat"]),
        ("charged to 4.4 V", ["h44.dat"]), ("charged to 4.7 V", ["h47.dat"])]
    assert [_entry_state(sample.file_options["xas"], n).label for n in names] == [
        "charge 1", "charge 12", "charge 12", "charge 1", "charge 1"]
