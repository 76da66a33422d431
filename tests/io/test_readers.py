"""Every reader on real files, checked against values obtained independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from redoxmap.io import detect_reader, read_raw_cycling
from tests.conftest import require_program, require_program_for

pytestmark = pytest.mark.usefixtures("quiet")

# (file, reader, rows): row counts as published in shared/data/SOURCES.md.
FILES = [
    ("NewareNDA/test_2.ndax", "neware", 108563),
    ("NewareNDA/BTS85-36-6-5-110-20240424.ndax", "neware", 699677),
    ("fastnda/nda_v26.nda", "neware", 222330),
    ("fastnda/nw4-120-1-6-53.ndax", "neware", 18700),
    ("battery-data-toolkit/arbin_example.csv", "arbin-csv", 2142),
    ("cellpy/20160805_test001_45_cc_01.res", "arbin-res", 10261),
    ("navani/arbin_example.res", "arbin-res", 2150),
    ("navani/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx", "arbin-xlsx", 4526),
    ("beep/xTESLADIAG_000019_CH70.070", "maccor", 11669),
    ("cellpy/maccor_001.txt", "maccor", 6704),
    ("cellpy/maccor_three.txt", "maccor", 4009),
    ("battery-data-format/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", "landt-csv", 25161),
    ("battery-data-format/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv", "bdf", 25162),
    ("cellpy/batmo_bdf.csv", "bdf", 21206),
    ("navani/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr", "biologic-mpr", 46102),
    ("yadg/gcpl.issue_211.mpt", "biologic-mpt", 2767),
]


@pytest.mark.parametrize(("name", "reader", "rows"), FILES)
def test_reader_detected_and_rows_match_published_counts(echem, name, reader, rows):
    path = echem / name
    require_program_for(path)
    assert detect_reader(path).name == reader
    raw = read_raw_cycling(path)
    # LAND CSV: one record fewer than the BDF reference (which repeats the first one).
    assert abs(len(raw.table) - rows) <= 1
    assert {"time_s", "voltage_V", "current_A"} <= set(raw.table.columns)
    assert raw.table["time_s"].is_monotonic_increasing or raw.reader == "neware"


@pytest.mark.parametrize("name", ["fastnda/nda_v26", "fastnda/nw4-120-1-6-53"])
def test_neware_matches_fastnda_reference_parquet(echem, name):
    suffix = ".nda" if name.endswith("v26") else ".ndax"
    raw = read_raw_cycling(echem / f"{name}{suffix}")
    reference = pd.read_parquet(echem / f"{name}.parquet")
    assert len(reference) == len(raw.table)
    # The reference stores Voltage(mV) and Current(uA) rounded to 0.1 mV and 1 uA.
    np.testing.assert_allclose(raw.table["voltage_V"], reference["Voltage(mV)"] / 1e3, atol=1e-4)
    np.testing.assert_allclose(raw.table["current_A"], reference["Current(uA)"] / 1e6, atol=1e-6)
    # float32 in the reference: 0.5 s resolution after a million seconds.
    np.testing.assert_allclose(raw.table["time_s"], reference["Total Time"], atol=1.0)


PAIRS = ["gcpl.issue_211", "gcpl.pr_182.1", "cv.issue_149", "mb.issue_95", "cp.issue_61", "mb.mpt"]


@pytest.mark.parametrize("stem", PAIRS)
def test_biologic_text_export_equals_binary_file_of_same_run(echem, stem):
    stem = stem.removesuffix(".mpt")
    text = read_raw_cycling(echem / "yadg" / f"{stem}.mpt").table
    binary = read_raw_cycling(echem / "yadg" / f"{stem}.mpr").table
    assert len(text) == len(binary)
    np.testing.assert_allclose(text["time_s"], binary["time_s"], atol=1e-3)
    np.testing.assert_allclose(text["voltage_V"], binary["voltage_V"], atol=1e-5)
    np.testing.assert_allclose(text["current_A"], binary["current_A"], rtol=1e-3, atol=1e-9)


def test_decimal_comma_locale_export_equals_point_export(echem):
    comma = read_raw_cycling(echem / "yadg" / "mb.issue_95.de.mpt").table
    point = read_raw_cycling(echem / "yadg" / "mb.issue_95.mpt").table
    np.testing.assert_allclose(comma["voltage_V"], point["voltage_V"])
    np.testing.assert_allclose(comma["current_A"], point["current_A"])


def test_landt_csv_equals_bdf_reference_conversion(echem):
    folder = echem / "battery-data-format"
    landt = read_raw_cycling(folder / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv").table
    bdf = read_raw_cycling(folder / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv").table
    merged = landt.merge(bdf, on="time_s", suffixes=("", "_bdf"))
    assert len(merged) >= len(landt) - 1
    np.testing.assert_allclose(merged["voltage_V"], merged["voltage_V_bdf"])
    np.testing.assert_allclose(merged["current_A"], merged["current_A_bdf"])


def test_maccor_sign_follows_state_and_mv_is_converted(echem):
    with pytest.warns(UserWarning, match="millivolts"):
        raw = read_raw_cycling(echem / "cellpy" / "maccor_three.txt")
    frame = pd.read_csv(echem / "cellpy" / "maccor_three.txt", sep="\t", skiprows=4)
    state = frame["State"].str.strip().to_numpy()
    current = raw.table["current_A"].to_numpy()
    assert (current[state == "C"] > 0).mean() > 0.99
    assert (current[state == "D"] < 0).mean() > 0.99
    np.testing.assert_allclose(raw.table["voltage_V"], frame["Volts"] / 1000.0)


def test_landt_xlsx_export_equals_csv(echem, tmp_path):
    source = echem / "battery-data-format" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
    frame = pd.read_csv(source, skiprows=6, index_col=False).head(3000)
    workbook = tmp_path / "landt.xlsx"
    frame.to_excel(workbook, sheet_name="record", index=False)
    raw = read_raw_cycling(workbook)
    assert raw.reader == "landt-xlsx"
    np.testing.assert_allclose(raw.table["current_A"], frame["current_A"])
    np.testing.assert_allclose(raw.table["time_s"], frame["test_time_s"])


def test_generic_csv_with_column_mapping_and_units(echem, tmp_path):
    raw = read_raw_cycling(echem / "NewareNDA" / "test_2.ndax").table.head(5000)
    custom = tmp_path / "lab.csv"
    pd.DataFrame({"t": raw["time_s"] / 3600.0, "E": raw["voltage_V"] * 1000.0,
                  "I": raw["current_A"] * 1000.0}).to_csv(custom, index=False)
    got = read_raw_cycling(custom, format="csv", columns={"time": "t", "voltage": "E", "current": "I"},
                           units={"time": "h", "voltage": "mV", "current": "mA"}).table
    np.testing.assert_allclose(got["time_s"], raw["time_s"], rtol=1e-9)
    np.testing.assert_allclose(got["voltage_V"], raw["voltage_V"], rtol=1e-6)
    np.testing.assert_allclose(got["current_A"], raw["current_A"], rtol=1e-6, atol=1e-12)


def test_generic_csv_detected_from_common_header_names(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Test Time (h),Voltage (V),Current (mA)\n0,3.0,0\n1,3.5,1.0\n2,4.0,1.0\n")
    raw = read_raw_cycling(path)
    assert raw.reader == "csv"
    np.testing.assert_allclose(raw.table["time_s"], [0, 3600, 7200])
    np.testing.assert_allclose(raw.table["current_A"], [0, 1e-3, 1e-3])


def test_arbin_res_cycles_and_capacity_match_the_instrument(echem, quiet):
    """18 cycles, as cellpy's summary of this file says; capacities as Arbin's counters."""
    import redoxmap
    from redoxmap.cycling.checks import instrument_capacity_deviation

    require_program("mdb-export", "mdbtools")
    table = redoxmap.read_cycling(echem / "cellpy" / "20160805_test001_45_cc_01.res")
    assert table["cycle"].max() == 18
    assert abs(instrument_capacity_deviation(table)) < 1e-3


def test_gzipped_bdf_equals_the_plain_file(echem, tmp_path):
    """A .bdf.gz written by gzip itself reads as the CSV it packs."""
    import gzip

    source = echem / "cellpy" / "batmo_bdf.csv"
    packed = tmp_path / "batmo.bdf.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    plain, unpacked = read_raw_cycling(source), read_raw_cycling(packed)
    assert unpacked.reader == "bdf"
    pd.testing.assert_frame_equal(unpacked.table, plain.table)
