"""A large table is written by polars, a small one by pandas: the file reads back the same either way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.io import write_table
from redoxmap.io.tables import POLARS_FROM_ROWS


def _table(rows: int) -> pd.DataFrame:
    """Every kind of column a report writes: numbers over 600 decades (missing, infinite, signed zero), flags,
    text that needs quoting, nullable integers and flags, categories."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=rows) * 10.0 ** rng.integers(-300, 300, rows)
    values[::97], values[1::101], values[2::103] = np.nan, np.inf, -0.0
    return pd.DataFrame({
        "cycle": np.arange(rows) // 50 + 1,
        "value_V": values,
        "single": np.float32(rng.normal(size=rows)),
        "significant": rng.random(rows) > 0.5,
        "cell": [("cell 1", 'a, "quoted" cell', "é", None)[k % 4] for k in range(rows)],
        "found": pd.array([(True, False, None)[k % 3] for k in range(rows)], dtype="boolean"),
        "count": pd.array([None if k % 11 == 0 else k for k in range(rows)], dtype="Int64"),
        "direction": pd.Categorical(["charge", "discharge"] * (rows // 2)),
    })


def test_a_large_table_reads_back_as_pandas_writes_it(tmp_path, monkeypatch):
    """Truth: pandas' own ``to_csv`` of the same frame, read back by pandas."""
    frame = _table(POLARS_FROM_ROWS)
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    with monkeypatch.context() as patch:  # the large table is not pandas' to write
        patch.setattr(pd.DataFrame, "to_csv", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError))
        write_table(frame, tmp_path / "ours.csv")
    ours, theirs = pd.read_csv(tmp_path / "ours.csv"), pd.read_csv(tmp_path / "pandas.csv")
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    # flags as pandas spells them; numbers may be spelled otherwise (0.00001 for 1e-05), never rounded
    ours_lines = (tmp_path / "ours.csv").read_text(encoding="utf-8").splitlines()
    assert ours_lines[0] == "cycle,value_V,single,significant,cell,found,count,direction"
    assert {line.split(",")[3] for line in ours_lines[1:]} == {"True", "False"}


def test_a_small_table_is_written_by_pandas(tmp_path):
    frame = _table(1_000)
    write_table(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_large_table_of_dates_is_written_by_pandas(tmp_path):
    """polars spells dates otherwise (``2026-12-07T00:00:00.000000``): such a table keeps pandas' writer."""
    frame = pd.DataFrame({"time": pd.date_range("2026-12-07", periods=POLARS_FROM_ROWS, freq="s"),
                          "voltage_V": np.linspace(3.0, 4.8, POLARS_FROM_ROWS)})
    write_table(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_large_table_of_one_column_with_gaps_keeps_every_row(tmp_path):
    """polars writes a missing value of a one-column table as an empty line, which a CSV reader skips: such a table,
    and one of float16 (which polars spells with all its digits), keep pandas' writer and read back whole."""
    gaps = np.linspace(0.0, 1.0, POLARS_FROM_ROWS)
    gaps[::7] = np.nan
    for frame in (pd.DataFrame({"voltage_V": gaps}),
                  pd.DataFrame({"voltage_V": gaps.astype(np.float16), "cycle": np.arange(POLARS_FROM_ROWS)})):
        write_table(frame, tmp_path / "ours.csv")
        frame.to_csv(tmp_path / "pandas.csv", index=False)
        assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
        assert len(pd.read_csv(tmp_path / "ours.csv")) == POLARS_FROM_ROWS
