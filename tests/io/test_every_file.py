"""Every real file in shared/data/echem is read as cycling data, or refused for the reason its name
gives: the public test collections name their files by technique (OCV, PEIS, WAIT), and settings,
metadata and summary files are not cycler records. What a file should give is decided here from its
name, not from what the readers do; the few refusals that are redoxmap's own gaps are listed with
their reason, so that a reader that learns one of them shows up here."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import redoxmap
from redoxmap.errors import FormatError, ReadError, RedoxmapError
from tests.conftest import _data_root, require_program_for

FILES = sorted(p for p in (_data_root() / "echem").glob("*/*") if p.is_file())

NOT_CYCLING = "no cycler file reader recognises|not that format"
BY_NAME = [  # (pattern in the file name, the refusal's phrase)
    (r"(?i)(^|[_.])(ocv|vsp_ocv)", "no current column"),
    (r"(?i)(^|[_.])(peis|vsp_peis)|^geis\.issue", "impedance points"),  # yadg's geis.mpr keeps its DC record
    (r"(?i)(^|[_.])zir", "impedance points|no data rows"),
    (r"(?i)^wait", "no data points|no data rows"),
    (r"(?i)^empty", "holds no records"),
    (r"(?i)(metadata|summary)\.csv$|\.(yaml|h5|parquet|mps)$|^Experiment_Record", NOT_CYCLING),
]
GAPS = {  # refusals that are redoxmap's, with why
    "MB-0.mpr": "no current column",  # a Modulo Bat record logged without I or dq
    "maccor_test_file_4267-66-6519.EDA0001.041": "not that format",  # a Maccor variant no public decoder reads
    "test_Nova_Form-CH01-01_short.csv": "no time or voltage or current column",  # times in hours, unnamed units
    "custom_data_003.xls": NOT_CYCLING,  # an Excel 97 (BIFF) export: no reader for it
    "test_loopsnewoutput_MB_CE1_short10k.csv": "no data rows with time, voltage and current",
    "test_loopsnewoutput_MB_CE1_short10k.mpl": "no data rows with time, voltage and current",
}


def _expected_refusal(path: Path) -> str | None:
    if path.name in GAPS:
        return GAPS[path.name]
    return next((phrase for pattern, phrase in BY_NAME if re.search(pattern, path.name)), None)


def test_the_expectations_cover_the_collection():
    refused = [p for p in FILES if _expected_refusal(p)]
    assert len(FILES) > 150 and 40 < len(refused) < len(FILES) - 100  # most files are cycling records
    assert all(any(p.name == name for p in FILES) for name in GAPS)  # no stale gap


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_read_or_refused_for_the_reason_its_name_gives(path: Path, quiet):
    require_program_for(path)  # an Arbin .res is read through mdbtools: skipped outside CI without it
    reason = _expected_refusal(path)
    if reason is not None:
        with pytest.raises((FormatError, ReadError)) as caught:
            redoxmap.read_cycling(path)
        assert str(path) in str(caught.value)  # the message names the file
        assert re.search(reason, str(caught.value)), str(caught.value)
        return
    try:
        table = redoxmap.read_cycling(path)
    except RedoxmapError as exc:
        pytest.fail(f"a cycling record was refused: {exc}")
    time, voltage = table["time_s"].to_numpy(float), table["voltage_V"].to_numpy(float)
    assert len(table) > 0 and np.isfinite(time).all()
    cells = [c for c in table.columns if re.fullmatch(r"aux\d+_voltage_V", c)]
    if np.nanmax(np.abs(voltage)) > 10.0:  # a string of cells (an Arbin MCell channel): the sum of its cells
        assert len(cells) > 3
        stack = table[cells].sum(axis=1).to_numpy(float)
        assert np.nanmedian(np.abs(voltage - stack) / stack) < 0.01
    else:
        assert np.nanmax(np.abs(voltage)) < 10.0  # volts, not millivolts
    current = next(column for column in table.columns if column in ("current_A", "current_mA"))
    assert np.isfinite(table[current].to_numpy(float)).any()
