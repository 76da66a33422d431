"""XAS readers against independent references, and bad input."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from redoxmap.errors import DataWarning, FormatError, ReadError
from redoxmap.xas import absorption, read_athena, read_columns, read_xdi


def test_xdi_columns_and_metadata(xas):
    ds = read_xdi(xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "Mn3O4_rt_01.xdi")
    assert set(ds.data_vars) == {"i0", "itrans", "irefer"} and ds.sizes["energy"] == 217
    assert ds.attrs["Sample.formula"] == "Mn3O4"
    raw = np.loadtxt(xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "Mn3O4_rt_01.xdi")
    np.testing.assert_allclose(absorption(ds, "transmission"), np.log(raw[:, 1] / raw[:, 2]))


def test_xdi_with_gaps_comments_and_ragged_rows(xas, tmp_path):
    """The fast parse path must not mis-shape a data block with blank lines or comments in it,
    and a ragged block is an error naming the file (not a silently shifted table)."""
    original = xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "Mn3O4_rt_01.xdi"
    lines = original.read_text().splitlines()
    first_data = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    gappy = lines[:first_data + 5] + ["", "# beam dump", ""] + lines[first_data + 5:]
    (tmp_path / "gappy.xdi").write_text("\n".join(gappy) + "\n\n")
    ds = read_xdi(tmp_path / "gappy.xdi")
    raw = np.loadtxt(original)
    np.testing.assert_allclose(ds["itrans"], raw[:, 2])
    ragged = lines[:first_data + 5] + [lines[first_data + 5] + " 1.0"] + lines[first_data + 6:-1] + [
        " ".join(lines[-1].split()[:3])]
    (tmp_path / "ragged.xdi").write_text("\n".join(ragged) + "\n")
    with pytest.raises(ReadError, match="ragged.xdi"):
        read_xdi(tmp_path / "ragged.xdi")


@pytest.mark.parametrize("group", ["Mn3O4", "MnO", "Li2MnO3", "Pyrolusite"])
def test_athena_groups_carry_their_energy_shift(xas, group):
    """Against larch's extraction of the same project (its raw energy plus Athena's eshift)."""
    groups = read_athena(xas / "xraypy+xraylarch" / "Mn.prj")
    reference = np.loadtxt(xas / "xraypy+xraylarch" / "extracted" / f"Mn__{group}.txt")
    ds = groups[group]
    np.testing.assert_allclose(ds["energy"], reference[:, 1], atol=1e-6)
    np.testing.assert_allclose(ds["mu"], reference[:, 2], atol=2e-6)
    if group == "Mn3O4":
        assert ds.attrs["energy_shift_eV"] == pytest.approx(19.1)


def test_column_file_with_comment_header(xas):
    ds = read_columns(xas / "alexeip100+flexpes-nexafs" / "extracted" / "000001_O_CuO_TEY.txt")
    assert "intensity" in ds and ds.sizes["energy"] == 501 and ds.attrs["mode"] == "TEY"


def test_repeated_energies_are_merged_with_a_warning(xas):
    with pytest.warns(DataWarning, match="not strictly increasing"):
        ds = read_columns(xas / "xinhuolin+MnEdgeNet" / "test_Mn_spectra" / "Data2_MnO.csv")
    assert np.all(np.diff(ds["energy"].to_numpy()) > 0)


def test_nan_rows_dropped_with_warning(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("# energy mu\n640 0.1\n641 nan\n650 0.3\n660 0.4\n")
    with pytest.warns(DataWarning, match="missing values"):
        ds = read_columns(path)
    assert ds.sizes["energy"] == 3


@pytest.mark.parametrize("content", [b"", b"# only a header\n"])
def test_empty_or_headless_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError, match="empty.txt"):
        read_columns(path)


def test_missing_channel_named(xas):
    ds = read_xdi(xas / "XraySpectroscopy+XASDataLibrary" / "data" / "Mn" / "MnO_rt_01.xdi")
    with pytest.raises(FormatError, match="MnO_rt_01.xdi: no channel 'pfy'"):
        absorption(ds, "pfy")


def test_truncated_athena_project(xas, tmp_path):
    source = (xas / "xraypy+xraylarch" / "Mn.prj").read_bytes()
    cut = tmp_path / "cut.prj"
    cut.write_bytes(source[: len(source) // 2])
    with pytest.raises(ReadError, match="cut.prj"):
        read_athena(cut)
    plain = tmp_path / "plain.prj"
    plain.write_bytes(gzip.decompress(source)[:200_000])
    with pytest.warns(DataWarning, match="cut inside a group"):
        groups = read_athena(plain)  # an uncompressed project cut inside a group keeps whole groups
    assert 0 < len(groups) < 14


def test_hdf5_through_a_channel_map_matches_the_text_export(xas, tmp_path):
    from redoxmap.xas import load_channel_map, load_mu

    library = xas / "alexeip100+flexpes-nexafs" / "src" / "flexpes_nexafs" / "library.h5"
    channel_map = tmp_path / "flexpes.toml"
    channel_map.write_text('[channels]\nenergy = "spectra/000002/x"\nmu = "spectra/000002/y"\n')
    energy, mu = load_mu(library, channel_map=load_channel_map(channel_map))
    text = np.loadtxt(xas / "alexeip100+flexpes-nexafs" / "extracted" / "000002_O_CuO_PFY.txt")
    np.testing.assert_allclose(energy, text[:, 0], atol=1e-5)
    np.testing.assert_allclose(mu, text[:, 1], atol=1e-5)


def test_hdf5_needs_a_channel_map_and_existing_datasets(xas):
    from redoxmap.xas import read_hdf5, read_spectrum_table

    library = xas / "alexeip100+flexpes-nexafs" / "src" / "flexpes_nexafs" / "library.h5"
    with pytest.raises(FormatError, match="channel map"):
        read_spectrum_table(library)
    with pytest.raises(FormatError, match="no dataset 'spectra/9/y'"):
        read_hdf5(library, {"energy": "spectra/000001/x", "tey": "spectra/9/y"})


def test_channel_map_renames_beamline_columns(tmp_path):
    from redoxmap.xas import absorption

    path = tmp_path / "scan.dat"
    path.write_text("# Energy mesh drain roi_OKa\n" + "\n".join(
        f"{e} {1000.0} {2.0 + (e > 640)} {50.0 - 5 * (e > 640)}" for e in range(630, 650)))
    from redoxmap.xas import read_spectrum_table

    ds = read_spectrum_table(path, channel_map={"energy": "Energy", "i0": "mesh", "tey": "drain", "pfy": "roi_OKa"})
    assert set(ds.data_vars) == {"i0", "tey", "pfy"}
    ipfy = absorption(ds, "ipfy").to_numpy()
    assert ipfy[-1] > ipfy[0]
    with pytest.raises(FormatError, match="not in the file: nope"):
        read_spectrum_table(path, channel_map={"i0": "nope"})
