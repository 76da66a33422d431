"""Bad files get a redoxmap error that names the file; inputs are never modified."""

from __future__ import annotations

import builtins
import shutil

import pytest

import redoxmap
from redoxmap.errors import FormatError, MissingDependencyError, ReadError, RedoxmapError
from redoxmap.io import read_raw_cycling, write_table
from tests.conftest import require_program_for, sha256


@pytest.mark.parametrize("name", ["empty.mpt", "empty.ndax", "empty.csv", "empty.mpr", "empty.xlsx"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(ReadError, match="empty") as info:
        read_raw_cycling(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="does not exist"):
        redoxmap.read_cycling(tmp_path / "nope.ndax")


# (file, bytes kept): a fraction of the file, or a byte count.
CUTS = [
    ("NewareNDA/test_2.ndax", 1 / 3),
    ("navani/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr", 1 / 3),
    ("yadg/gcpl.issue_211.mpt", 1500),  # cut inside the header
    ("navani/arbin_example.res", 8192),
]


@pytest.mark.parametrize(("name", "keep"), CUTS)
def test_cut_file_gives_an_error_naming_it(echem, tmp_path, name, keep):
    require_program_for(name)
    source = echem / name
    size = int(source.stat().st_size * keep) if keep < 1 else keep
    cut = tmp_path / f"cut{source.suffix}"
    cut.write_bytes(source.read_bytes()[:size])
    with pytest.raises(RedoxmapError) as info:
        read_raw_cycling(cut)
    assert str(cut) in str(info.value)


def test_truncated_nda_reads_the_records_before_the_cut(echem, tmp_path):
    # .nda is a plain sequence of fixed-size records with no end marker, so a cut file
    # cannot be told from a short test: what is there is read, and nothing more.
    source = echem / "fastnda" / "nda_v23.nda"
    cut = tmp_path / source.name
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    assert 0 < len(read_raw_cycling(cut).table) < len(read_raw_cycling(source).table)


def test_corrupted_binary_file(echem, tmp_path):
    source = echem / "navani" / "test.ndax"
    data = bytearray(source.read_bytes())
    data[200:4000] = bytes(3800)
    broken = tmp_path / "broken.ndax"
    broken.write_bytes(bytes(data))
    with pytest.raises(ReadError, match="broken.ndax"):
        read_raw_cycling(broken)


def test_truncated_text_export_drops_partial_line_and_reads_the_rest(echem, tmp_path):
    source = echem / "yadg" / "gcpl.issue_211.mpt"
    text = source.read_bytes()
    cut = tmp_path / "cut.mpt"
    cut.write_bytes(text[: int(len(text) * 0.6)])
    raw = read_raw_cycling(cut)
    full = read_raw_cycling(source)
    assert 0 < len(raw.table) < len(full.table)


def test_mislabelled_file_is_read_by_content(echem, tmp_path):
    disguised = tmp_path / "really_a_neware_file.csv"
    shutil.copy(echem / "navani" / "test.ndax", disguised)
    assert read_raw_cycling(disguised).reader == "neware"


def test_unrecognised_file(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("sample,colour\nA,blue\nB,red\n")
    with pytest.raises(FormatError, match="notes.csv"):
        read_raw_cycling(path)


def test_file_without_current_column(echem):
    with pytest.raises(FormatError, match="no current"):
        read_raw_cycling(echem / "yadg" / "ocv.mpt")


def test_impedance_only_file(echem):
    with pytest.raises(FormatError, match="impedance"):
        read_raw_cycling(echem / "yadg" / "peis.mpt")


def test_arbin_res_without_mdbtools_says_what_to_install(echem, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingDependencyError, match="mdbtools"):
        read_raw_cycling(echem / "cellpy" / "20160805_test001_45_cc_01.res")


def test_mpr_without_the_extra_names_it(echem, monkeypatch):
    real_import = builtins.__import__

    def without_galvani(name, *args, **kwargs):
        if name == "galvani" or name.startswith("galvani."):
            raise ImportError("no galvani")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_galvani)
    with pytest.raises(MissingDependencyError, match=r"redoxmap\[biologic\]"):
        read_raw_cycling(echem / "yadg" / "gcpl.issue_211.mpr")


def test_unknown_format_and_reader_options(echem):
    path = echem / "navani" / "test.ndax"
    with pytest.raises(FormatError, match="unknown format"):
        read_raw_cycling(path, format="gamry")
    with pytest.raises(FormatError, match="takes no option"):
        read_raw_cycling(path, columns={"time": "t"})


def test_reading_and_reporting_never_modify_inputs(echem, tmp_path, quiet):
    files = [echem / "navani" / "test.ndax", echem / "yadg" / "gcpl.issue_211.mpt",
             echem / "battery-data-toolkit" / "arbin_example.csv"]
    before = [sha256(f) for f in files]
    for f in files:
        redoxmap.read_cycling(f, active_mass_mg=5.0)
    assert [sha256(f) for f in files] == before


def test_failed_write_leaves_previous_file_and_no_temporary(tmp_path, monkeypatch):
    import pandas as pd

    target = tmp_path / "table.csv"
    target.write_text("old\n")

    def explode(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", explode)
    with pytest.raises(OSError):
        write_table(pd.DataFrame({"a": [1]}), target)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_unsupported_output_extension(tmp_path):
    import pandas as pd

    with pytest.raises(FormatError, match="csv or .parquet"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "table.xls")


def _flaky_fastnda(monkeypatch, failures: int, error: Exception | None = None) -> list[int]:
    """fastnda.read raising, for its first ``failures`` calls, the deflate error a racing thread gives (CPython 3.12
    and 3.13 corrupt reads of one zip archive from several threads, which fastnda makes), or ``error``: returns the
    calls."""
    import zlib

    import fastnda

    calls, real = [], fastnda.read

    def read(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise error or zlib.error("Error -3 while decompressing data: invalid stored block lengths")
        return real(*args, **kwargs)

    monkeypatch.setattr(fastnda, "read", read)
    return calls


def test_an_ndax_whose_unpacking_fails_now_and_then_is_read_again(echem, monkeypatch):
    """Four racing failures in a row and the fifth decode reads the file: the records of an undisturbed read."""
    from redoxmap.io.neware import UNPACK_ATTEMPTS

    path = echem / "NewareNDA" / "test_2.ndax"
    expected = read_raw_cycling(path).table
    calls = _flaky_fastnda(monkeypatch, UNPACK_ATTEMPTS - 1)
    assert read_raw_cycling(path).table.equals(expected)
    assert len(calls) == UNPACK_ATTEMPTS


def test_an_ndax_that_never_unpacks_though_every_member_does_says_so(echem, monkeypatch):
    from redoxmap.io.neware import UNPACK_ATTEMPTS

    calls = _flaky_fastnda(monkeypatch, UNPACK_ATTEMPTS)
    with pytest.raises(ReadError, match=rf"test_2\.ndax.*{UNPACK_ATTEMPTS} attempts.*each member unpacks alone"):
        read_raw_cycling(echem / "NewareNDA" / "test_2.ndax")
    assert len(calls) == UNPACK_ATTEMPTS


def test_the_race_is_named_only_on_the_pythons_that_have_it(monkeypatch):
    import sys

    from redoxmap.io.neware import _race_note

    assert ("gh-128258" in _race_note()) == (sys.version_info >= (3, 12))
    monkeypatch.setattr(sys, "version_info", (3, 12, 1, "final", 0))
    assert "gh-128258" in _race_note()
    monkeypatch.setattr(sys, "version_info", (3, 11, 7, "final", 0))
    assert _race_note() == ""


@pytest.mark.parametrize(("name", "error"), [("NewareNDA/test_2.ndax", KeyError("data.ndc")),
                                             ("fastnda/nda_v26.nda", None)])
def test_other_errors_and_unzipped_files_are_decoded_once(echem, monkeypatch, name, error):
    """Only an unpacking error of a zip archive is tried again: an .nda has no archive to race on, and another error
    is the file's."""
    calls = _flaky_fastnda(monkeypatch, 1, error)
    with pytest.raises(ReadError, match="not a readable Neware file"):
        read_raw_cycling(echem / name)
    assert len(calls) == 1


def test_an_ndax_with_a_damaged_member_is_refused_naming_the_member_after_one_decode(echem, tmp_path, monkeypatch):
    """Bytes of the compressed data.ndc zeroed (the archive's directory intact): the member check after the first
    unpacking error names it, without decoding the file again."""
    import zipfile

    import fastnda

    source = echem / "NewareNDA" / "test_2.ndax"
    with zipfile.ZipFile(source) as archive:
        member = archive.getinfo("data.ndc")
        start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    data = bytearray(source.read_bytes())
    data[start + 1000:start + 3000] = bytes(2000)
    broken = tmp_path / "damaged.ndax"
    broken.write_bytes(bytes(data))
    calls, real = [], fastnda.read
    monkeypatch.setattr(fastnda, "read", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    with pytest.raises(ReadError, match=r"damaged\.ndax: archive member 'data\.ndc' is damaged") as raised:
        read_raw_cycling(broken)
    assert "not a readable Neware file" not in str(raised.value)  # said once, not wrapped in a second message
    assert len(calls) == 1
