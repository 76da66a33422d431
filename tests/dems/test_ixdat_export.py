"""ixdat CSV exports (Spectro Inlets' CO-stripping application note, EC-MS on Pt) read by redoxmap and
checked against ixdat's own reader of the same files; the two exports aligned by their time stamps."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import redoxmap
from redoxmap.dems.quantify import cycler_offset
from redoxmap.errors import DataWarning, ReadError
from redoxmap.io.ms_files import read_ms


@pytest.fixture(scope="module")
def co_strip(data):
    return data / "dems" / "SpectroInlets+application-notes-data" / "CO_strip_application_note" / "data"


def _ixdat(path):
    ixdat = pytest.importorskip("ixdat")
    return ixdat.Measurement.read(path, reader="ixdat")


def test_every_mass_signal_on_its_own_time_axis_as_ixdat_reads_it(co_strip):
    path = co_strip / "data_part1_COstrip_11-11-21.csv"
    ours, theirs = read_ms(path), _ixdat(path)
    assert set(ours.masses()) == {2.0, 4.0, 18.0, 28.0, 32.0, 40.0, 44.0}
    for mass in ours.masses():
        time_s, values = ours.signal(mass)
        their_time, their_values = theirs.grab(f"M{mass:g}")
        np.testing.assert_allclose(time_s, their_time, rtol=0, atol=1e-9)
        np.testing.assert_allclose(values, their_values, rtol=1e-12)
        assert ours.units[f"M{mass:g}"] == "A"
    their_time, their_potential = theirs.grab("Ewe/V")
    np.testing.assert_allclose(ours.electrochemistry["voltage_V"], their_potential, rtol=1e-12)
    np.testing.assert_allclose(ours.electrochemistry["time_s"], their_time, atol=1e-9)
    assert ours.start_time == "2021-11-11T07:56:25"  # tstamp 1636617385 in UTC


def test_the_ec_export_is_a_cycler_record_aligned_by_its_time_stamp(co_strip):
    """Current in the file's mA, converted to A; MS time = EC time + 1286 s, the difference of the two
    exports' tstamps (1636618671 - 1636617385)."""
    ec_path = co_strip / "ecdata_part1_COstrip_11-11-21.csv"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*no active mass given", DataWarning)  # the exported file carries no mass
        cycling = redoxmap.read_cycling(ec_path)
    their_time, their_current = _ixdat(ec_path).grab("<I>/mA")
    np.testing.assert_allclose(cycling["current_A"], their_current * 1e-3, rtol=1e-12)
    np.testing.assert_allclose(cycling["time_s"], their_time, atol=1e-9)
    offset, how = cycler_offset(read_ms(co_strip / "data_part1_COstrip_11-11-21.csv"), cycling)
    assert offset == pytest.approx(1286.0) and "start times" in how


def test_an_ec_export_is_no_mass_spectrum_and_damage_is_named(co_strip, tmp_path):
    with pytest.raises(ReadError, match="without mass-spectrometer series.*--cycler"):
        read_ms(co_strip / "ecdata_part1_COstrip_11-11-21.csv")
    text = (co_strip / "data_part1_COstrip_11-11-21.csv").read_text()
    cut = tmp_path / "cut.csv"
    cut.write_text(text[:400])  # inside the header
    with pytest.raises(ReadError, match="cut.csv.*header"):
        read_ms(cut)
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text.replace("timecol 'M32-x'", "timecol 'M99-x'"))
    with pytest.raises(ReadError, match="M99-x"):
        read_ms(renamed)
