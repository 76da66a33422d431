"""Diffraction readers against the files' own metadata, independent parses, and bad input."""

from __future__ import annotations

import json
import re
import zipfile

import numpy as np
import pytest

from redoxmap.errors import DataWarning, FormatError, ReadError
from redoxmap.xrd import CU_KA1_A, read_pattern, read_series, read_xrd

READERS_XRD = "FAIRmat-NFDI+readers-xrd/tests/data"


@pytest.mark.parametrize("name", ["23-012-AG_2thomegascan_long.brml", "XRD-918-16_10.xrdml",
                                  "ZnO-ALD-training_001_1_0-000_0-000.rasx"])
def test_points_and_wavelengths_match_the_reference_readers_sidecar(xrd, name):
    """readers-xrd's expected-metadata sidecars: array shapes and K-alpha wavelengths."""
    sidecar = json.loads((xrd / READERS_XRD / f"{name}.json").read_text())
    pattern = read_pattern(xrd / READERS_XRD / name)
    assert f"({len(pattern.two_theta)},)" == sidecar["2Theta"]
    source = sidecar["metadata"]["source"]
    assert pattern.attrs["wavelength_A"] == pytest.approx(float(source["kAlpha1"]))
    assert pattern.attrs["wavelength2_A"] == pytest.approx(float(source["kAlpha2"]))


def test_xrdml_1x_intensities_and_2x_counts(xrd):
    """Schema 1.6 stores <intensities>, 2.1 <counts> with attenuation factors and a Ge(220) monochromator."""
    old = read_pattern(xrd / READERS_XRD / "XRD-918-16_10.xrdml")
    text = (xrd / READERS_XRD / "XRD-918-16_10.xrdml").read_text()
    counts = np.array(re.search(r"<intensities[^>]*>([^<]*)<", text).group(1).split(), float)
    np.testing.assert_array_equal(old.intensity, counts)
    assert old.two_theta[0] == pytest.approx(4.00656514) and old.two_theta[-1] == pytest.approx(69.99936587)
    new = read_pattern(xrd / READERS_XRD / "m54313_om2th_10.xrdml")
    assert len(new.two_theta) == 1800 and new.attrs["wavelength2_A"] is None  # hybrid Ge(220) monochromator
    assert new.attrs["start_time"].startswith("2022-09-26T17:05:54")


def test_ras_counts_times_attenuator_against_a_plain_parse(xrd):
    path = xrd / "thomasgredig+rigakuXRD" / "inst" / "extdata" / "MB120718Si3.ras"
    text = path.read_text(errors="replace")
    block = text.split("*RAS_INT_START")[1].split("*RAS_INT_END")[0]
    raw = np.array([line.split() for line in block.strip().splitlines()], float)
    pattern = read_pattern(path)
    np.testing.assert_allclose(pattern.two_theta, raw[:, 0])
    np.testing.assert_allclose(pattern.intensity, raw[:, 1] * raw[:, 2])
    assert pattern.attrs["wavelength_A"] == pytest.approx(1.540593) and len(raw) == 1401


def test_asc_groups_and_rasx_archives(xrd):
    asc = read_pattern(xrd / "thomasgredig+rigakuXRD" / "inst" / "extdata" / "2Theta.asc")
    assert len(asc.two_theta) == 7601 and asc.two_theta[0] == 4 and asc.two_theta[-1] == pytest.approx(80)
    assert asc.intensity[:4].tolist() == [767, 794, 798, 809]
    rasx = read_pattern(xrd / READERS_XRD / "TwoTheta_scan_powder.rasx")
    assert len(rasx.two_theta) == 2726 and rasx.attrs["wavelength2_A"] is None  # WaveType Ka1
    brml = read_pattern(xrd / READERS_XRD / "23-012-AG_2thomegascan_long.brml")
    assert brml.two_theta[0] == 44 and brml.two_theta[-1] == 48 and brml.intensity[0] == 3


def test_plain_xy_without_wavelength_defaults_to_cu_with_a_warning(xrd):
    with pytest.warns(DataWarning, match="no wavelength"):
        pattern = read_pattern(xrd / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "LiMnO2.xy")
    assert pattern.attrs["wavelength_A"] == CU_KA1_A and pattern.attrs["wavelength_source"] == "default"
    user = read_pattern(xrd / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "LiMnO2.xy", wavelength_A=0.7293)
    assert user.attrs["wavelength2_A"] is None and user.attrs["wavelength_source"] == "user"
    assert user.to_dataarray().dims == ("two_theta",)


def test_series_orders_scans_by_time_and_shares_a_grid(xrd):
    files = sorted((xrd / "jrneilson+dara" / "dataset" / "precursor_mixture").glob("*12-min.xrdml"))
    series = read_series(files)
    assert series.dims == ("scan", "two_theta") and series.sizes["scan"] == len(files)
    assert np.all(np.diff(series["time_s"].to_numpy()) >= 0) and series["time_s"][0] == 0
    assert series.attrs["wavelength_A"] == pytest.approx(1.540598)


def test_unsorted_angles_are_sorted_with_a_warning(tmp_path):
    path = tmp_path / "scan.xy"
    x = np.linspace(10, 20, 50)
    rows = np.column_stack([x, 100 + x])[::-1]
    np.savetxt(path, rows)
    with pytest.warns(DataWarning, match="not strictly increasing"):
        pattern = read_pattern(path, wavelength_A=1.5406)
    assert np.all(np.diff(pattern.two_theta) > 0) and pattern.intensity[0] == pytest.approx(110)


def test_truncated_xrdml_names_the_file(xrd, tmp_path):
    data = (xrd / READERS_XRD / "m54313_om2th_10.xrdml").read_bytes()
    path = tmp_path / "cut.xrdml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ReadError, match="cut.xrdml.*XML"):
        read_xrd(path)


def test_archive_with_a_path_escape_or_no_profile_is_refused(tmp_path):
    evil = tmp_path / "evil.rasx"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("Data0/Profile0.txt", "10 1 1\n")
        archive.writestr("../outside.txt", "x")
    with pytest.raises(ReadError, match="outside the archive"):
        read_xrd(evil)
    other = tmp_path / "other.rasx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FormatError, match="content is not that format"):
        read_xrd(other)


def test_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.brml"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Experiment0/RawData0.xml", b"\0" * 30_000_000)
    with pytest.raises(ReadError, match="zip bomb"):
        read_xrd(bomb)


@pytest.mark.parametrize(("name", "content", "error"), [
    ("empty.xy", b"", "empty"),
    ("words.xy", b"two theta intensity\nnot numbers here\n", "no numeric"),
    ("junk.xrdml", b"this is not xml at all" * 10, "not that format"),
    ("binary.dat", b"\x00\x01\x02" * 100, "binary"),
    ("few.xy", b"10 1\n11 2\n12 3\n", "only 3"),
])
def test_bad_files_raise_clear_errors(tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=f"{re.escape(name)}.*{error}"):
        read_xrd(path, wavelength_A=1.5406)
    assert path.read_bytes() == content  # the input is never modified


def test_unit_slip_in_wavelength_is_refused(xrd):
    with pytest.raises(FormatError, match="unit slip"):
        read_pattern(xrd / READERS_XRD / "XRD-918-16_10.xrdml", wavelength_A=0.15406 * 100)
