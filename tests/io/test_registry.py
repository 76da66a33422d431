"""One reader registry for every modality: content before name, every format listed, plugins welcome."""

from __future__ import annotations

import json
import shutil
from importlib import metadata

import numpy as np
import pytest
from typer.testing import CliRunner

from redoxmap.cli import app
from redoxmap.errors import FormatError, ReadError
from redoxmap.io import READER_MODALITIES, Reader, detect_reader, readers, register_reader
from redoxmap.io import registry as registry_module


def test_every_modality_has_readers_and_every_reader_its_modality():
    everything = readers()
    for modality in READER_MODALITIES:
        assert readers(modality), f"no {modality} reader"
    assert all(key == f"{r.modality}:{r.name}" for key, r in everything.items())
    assert len(everything) >= 25


def test_content_wins_over_a_misleading_name(echem, tmp_path):
    """A BioLogic export saved as .csv, and a Neware file without its extension, are still recognised."""
    renamed = tmp_path / "cell.csv"
    shutil.copy(echem / "yadg" / "gcpl.issue_211.mpt", renamed)
    assert detect_reader(renamed).name == "biologic-mpt"
    bare = tmp_path / "neware_export"
    shutil.copy(echem / "fastnda" / "nw4-120-1-6-53.ndax", bare)
    assert detect_reader(bare).name == "neware"


def test_the_same_file_is_read_as_what_the_caller_asks_for(tmp_path):
    """An XDI spectrum is XAS, not a diffraction pattern; a Gamry impedance file is not a cycler file."""
    xdi = tmp_path / "scan.xdi"
    xdi.write_text("# XDI/1.0\n# Column.1: energy eV\n# Column.2: mu\n#----\n"
                   + "\n".join(f"{6500 + k} {k / 50}" for k in range(50)))
    assert detect_reader(xdi, modality="xas").name == "xdi"
    gamry = tmp_path / "cell.DTA"
    gamry.write_text("EXPLAIN\nTAG\tEISPOT\nZCURVE\tTABLE\n")
    assert detect_reader(gamry, modality="eis").name == "gamry"
    with pytest.raises(FormatError, match="cell.DTA"):
        detect_reader(gamry, modality="cycling")


def test_unknown_format_names_and_empty_files_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.xy"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match="empty.xy.*empty"):
        detect_reader(empty, modality="xrd")
    text = tmp_path / "pattern.xy"
    text.write_text("10 1\n")
    with pytest.raises(FormatError, match="unknown format 'nope'.*columns"):
        detect_reader(text, modality="xrd", format="nope")
    with pytest.raises(ValueError, match="modality"):
        readers("spectra")


def test_formats_lists_every_reader_by_modality():
    result = CliRunner().invoke(app, ["formats", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["rows"]
    assert {row["modality"] for row in rows} == set(READER_MODALITIES)
    assert len(rows) == len(readers())


@pytest.fixture
def clean_registry():
    """A registry rebuilt from scratch (the public reset), and rebuilt again afterwards."""
    registry_module.reset_readers()
    yield registry_module
    registry_module.reset_readers()


def _plugin_reader():
    def sniff(head, path):
        return head.startswith(b"MYLAB")

    def read(path):
        values = np.loadtxt(path, skiprows=1)
        return [(values[:, 0], values[:, 1] + 1j * values[:, 2], {"instrument": "MyLab"})]

    return Reader(name="mylab", modality="eis", instrument="MyLab", extensions=(".mlb",), sniff=sniff, read=read,
                  description="a lab's own impedance format")


def test_a_reader_registered_at_run_time_is_used(clean_registry, tmp_path):
    from redoxmap.eis import read_impedance

    register_reader(_plugin_reader())
    path = tmp_path / "cell.mlb"
    path.write_text("MYLAB v1\n" + "\n".join(f"{10 ** (3 - k / 4)} {5 + k} {-k}" for k in range(12)))
    spectrum = read_impedance(path)[0]
    assert spectrum.attrs["format"] == "mylab" and len(spectrum.frequency_Hz) == 12


def test_an_entry_point_plugin_is_loaded_and_a_broken_one_skipped(clean_registry, monkeypatch):
    good = metadata.EntryPoint("mylab", "tests.io.test_registry:PLUGIN_READERS", "redoxmap.readers")
    broken = metadata.EntryPoint("broken", "no_such_module_anywhere:READERS", "redoxmap.readers")
    wrong = metadata.EntryPoint("wrong", "tests.io.test_registry:NOT_READERS", "redoxmap.readers")
    monkeypatch.setattr(metadata, "entry_points",
                        lambda group: [good, broken, wrong] if group == "redoxmap.readers" else [])
    with pytest.warns(RuntimeWarning) as caught:
        found = readers("eis")
    messages = " ".join(str(w.message) for w in caught)
    assert "'broken'" in messages and "'wrong'" in messages and "does not name a Reader" in messages
    assert "mylab" in found and "gamry" in found


PLUGIN_READERS = [_plugin_reader()]
NOT_READERS = ["not a reader"]


def test_a_failing_import_leaves_no_half_registry(clean_registry, monkeypatch):
    """The registry counts as loaded only once every built-in module imported: after a failure the next
    call tries again and finds every reader."""
    modules = registry_module._BUILTIN_MODULES
    monkeypatch.setattr(registry_module, "_BUILTIN_MODULES", (*modules[:3], "redoxmap.io.no_such_reader_module"))
    with pytest.raises(ImportError):
        readers()
    monkeypatch.setattr(registry_module, "_BUILTIN_MODULES", modules)
    assert "gamry" in readers("eis") and "neware" in readers("cycling")


def test_a_sniffer_that_crashes_is_not_this_format_with_a_warning(clean_registry, tmp_path):
    from redoxmap.io import detect_reader

    def crash(head, path):
        raise ZeroDivisionError("a bug in the sniffer")

    register_reader(Reader(name="crashy", modality="eis", instrument="Crashy", extensions=(".crash",),
                           sniff=crash, read=lambda path: [], description="a reader with a bug"))
    path = tmp_path / "cell.crash"
    path.write_text("MYLAB v1\n1 2 3\n")

    def chosen():
        try:
            return detect_reader(path, modality="eis").name
        except FormatError:  # no other reader takes it either
            return None

    with pytest.warns(RuntimeWarning, match="crashy reader's format check failed .*ZeroDivisionError"):
        name = chosen()
    assert name != "crashy"


def test_a_readers_extensions_are_a_tuple_of_lower_case_endings():
    """What detection matches file names against: a list becomes a tuple (changing the list later changes
    nothing), an upper-case ending matches as the lower-cased name does, and a bare string or an empty
    ending is refused with a clear error."""
    from redoxmap.errors import AnalysisError

    def make(extensions):
        return Reader(name="x", modality="eis", instrument="X", extensions=extensions, sniff=lambda h, p: False,
                      read=lambda p: None)

    endings = [".MLB", ".mlb.gz"]
    reader = make(endings)
    endings.append(".csv")
    assert reader.extensions == (".mlb", ".mlb.gz") and reader.extension_set == {".mlb", ".mlb.gz"}
    for bad in (".mlb", ("",), (".mlb", 3)):
        with pytest.raises(AnalysisError, match="extensions must be"):
            make(bad)


def test_a_bad_path_is_a_read_error(tmp_path):
    from redoxmap.io.reader import read_head

    with pytest.raises(ReadError, match="not a usable file name"):
        read_head(tmp_path / "a\x00b.csv")
    with pytest.raises(ReadError, match="does not exist"):
        read_head(tmp_path / "missing.csv")
    with pytest.raises(ReadError, match="folder"):
        read_head(tmp_path)
