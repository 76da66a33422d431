"""Absorption files as other labs and their software write them: Athena's JSON projects and normalized
exports, Larch's XDI with ready-made absorption columns, beamline XDI, SPEC files of many scans, old
``.xmu`` files. Each checked against the file's own numbers or a tabulated edge energy."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.errors import FormatError
from redoxmap.xas import edge_energy, load_mu, normalize, read_athena

pytestmark = pytest.mark.filterwarnings("ignore::redoxmap.errors.DataWarning")
LARCH = ("xraypy+xraylarch", "examples", "xafsdata")


def test_a_json_athena_project_reads_every_group(xas):
    path = xas.joinpath(*LARCH, "AthenaProjectFiles", "Ni_FeNiS20_RT.prj")
    groups = read_athena(path)
    project = json.loads(gzip.decompress(path.read_bytes()))  # the file itself, read independently
    stored = {g["args"]["label"]: g for key, g in project.items() if not key.startswith("_____")}
    assert set(groups) == set(stored) and len(groups) == 8
    first = groups["fenis_ni_rt_xafs_003"]
    np.testing.assert_allclose(first["energy"], np.asarray(stored["fenis_ni_rt_xafs_003"]["x"], float))
    np.testing.assert_allclose(first["mu"], np.asarray(stored["fenis_ni_rt_xafs_003"]["y"], float))
    assert first.attrs["athena_e0_eV"] == pytest.approx(8338.493)


@pytest.mark.parametrize(("parts", "column"), [
    (("Anselmoo+spectrafit", "Examples", "athena.nor"), 1),  # Demeter XDI export: one unnamed column
    (("jklynch+mr-fitty", "mrfitty", "tests", "test_arsenic_fit", "data", "OTT3_55_spot0.e"), 1),  # norm
])
def test_athena_normalized_exports_are_used_as_they_are(xas, parts, column):
    path = xas.joinpath(*parts)
    energy, mu = load_mu(path)
    table = np.loadtxt(path, comments="#")
    np.testing.assert_allclose(energy, table[:, 0])
    np.testing.assert_allclose(mu, table[:, column])


def test_a_larch_xdi_with_only_mutrans_gives_the_ni_edge(xas):
    """Larch writes ``mutrans`` and ``i0`` without the raw transmitted channel; Ni metal's K edge is at
    8333 eV (Bearden and Burr)."""
    energy, mu = load_mu(xas / "xraypy+xraylarch" / "ni_metal_rt.xdi")
    assert edge_energy(energy, mu) == pytest.approx(8333.0, abs=2.0)


def test_a_beamline_xdi_uses_its_xmu_unless_a_mode_is_asked(xas):
    path = xas.joinpath(*LARCH, "beamlines", "NSLS6BM_2019.dat")
    _, mu = load_mu(path)
    table = np.loadtxt(path, comments="#")
    np.testing.assert_allclose(mu, table[np.argsort(table[:, 0]), 3])  # Column.4: xmu
    with pytest.raises(FormatError, match="reference"):  # It and Ir cross zero: no usable reference
        load_mu(path, reference_e0_eV=5465.0)


def test_spec_files_list_their_energy_scans(xas):
    """APS 33-ID's file holds 106 scans of which 2 are energy scans (Escan), as spec2nexus describes it."""
    from redoxmap.io.spec import spec_scans, spec_tables

    path = xas / "prjemian+spec2nexus" / "spec2nexus" / "data" / "33id_spec.dat"
    scans = spec_scans(path)
    assert len(scans) == 106
    energy_scans = spec_tables(path)
    assert sorted(t.attrs["command"].split()[0] for t in energy_scans.values()) == ["Escan", "Escan"]


def test_a_spec_scan_with_named_channels_gives_the_ge_edge(xas):
    """ESRF SNBL, GeO2 at the Ge K edge (11103 eV for Ge, a few eV higher in the oxide), two scans;
    transmission from the monitor and the first ion chamber, named on the command line."""
    path = xas.joinpath(*LARCH, "beamlines", "ESRF_SNBL_2013.dat")
    with pytest.raises(FormatError, match="file::N"):
        load_mu(path)
    energy, mu = load_mu(f"{path}::1", mode="transmission", channel_map={"i0": "Mon", "itrans": "Ion1"})
    assert 11103 <= edge_energy(energy, mu) <= 11115 and mu[-1] > mu[0]  # absorption rises across the edge
    result = CliRunner().invoke(app, ["xas", "normalize", f"{path}::2", "--edge", "Ge-K", "--mode", "transmission",
                                      "--channel", "i0=Mon", "--channel", "itrans=Ion1", "--json"])
    assert result.exit_code == 0, result.output
    assert 11100 <= json.loads(result.stdout)["e0_eV"] <= 11115


def test_an_old_xmu_file_gives_the_fe_oxide_edge(xas):
    """Fe2O3 (APS 20-BM, 2001): the Fe K edge of Fe(III) oxide lies 10-13 eV above the metal's 7112 eV."""
    energy, mu = load_mu(xas.joinpath(*LARCH, "fe2o3_rt1.xmu"))
    e0 = normalize(energy, mu, edge="Fe-K").e0
    assert 7118 <= e0 <= 7128


def test_the_command_line_names_a_ready_made_column(xas):
    result = CliRunner().invoke(app, ["xas", "normalize", str(xas / "xraypy+xraylarch" / "ni_metal_rt.xdi"),
                                      "--edge", "Ni-K", "--mu", "mutrans", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["e0_eV"] == pytest.approx(8333.0, abs=2.0)
    bad = CliRunner().invoke(app, ["xas", "normalize", str(xas / "xraypy+xraylarch" / "ni_metal_rt.xdi"),
                                   "--mu", "nothing"])
    assert bad.exit_code != 0 and "nothing" in bad.output
