"""Benchmark: every cycler reader against the limit of its format, in MB/s.

* Text exports (BioLogic ``.mpt``, LAND, Maccor, PEC/generic CSV, BDF CSV, Arbin CSV): redoxmap's
  whole read (detection, parse, canonical columns, checks: ``read_raw_cycling``) against a bare
  ``pandas.read_csv`` of the same table with its header line, separator, decimal mark and encoding
  given (the C engine: what the hardware and pandas allow).
* BioLogic ``.mpr``: against galvani's ``MPRfile`` and a DataFrame of its records.
* Neware ``.nda``/``.ndax``: against fastnda's decode (``fastnda.read``, its raw cycle mode).
* Linearity: a BDF CSV written from the 700k-row ``BTS85`` file at 1x, 4x and 16x its rows (9 MB to
  150 MB): seconds per million rows should stay flat.

redoxmap's read is timed as a campaign meets each file, with nothing remembered of its content from the call
before (``_first_read``). Each pair is timed alike: one warm-up of each, then A B A B (5 rounds; 3 for
the largest files),
median and spread; a round calls each as many times as fill about 0.2 s (a small file's millisecond is
otherwise one timer sample among the machine's noise).
Run ``python benchmarks/bench_readers.py``. A benchmark, not a test.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"
TEXT_FILES = [
    "cellpy/maccor_001.txt",
    "cellpy/pec.csv",
    "battery-data-format/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "yadg/mb.issue_218.mpt",
    "yadg/gcpl.issue_211.mpt",
    "cellpy/batmo_bdf.csv",
    "PyProBE/sample_data_arbin.csv",
]
MPR_FILES = ["yadg/gcpl.issue_211.mpr", "yadg/mb.issue_218.mpr", "battery-data-format/GCPL-0.mpr",
             "yadg/cv.issue_217.mpr"]
ROUND_S = 0.2  # seconds a round of calls of each reader fills, at least one call
NEWARE_FILES = ["NewareNDA/test_2.ndax", "NewareNDA/BTS85-36-6-5-110-20240424.ndax", "NewareNDA/TestFile.nda",
                "NewareNDA/2-1-6_61[07005012].nda"]


def _bare_arguments(path: Path) -> dict:
    """What a bare read_csv needs to be told about a file: its header line, separator, decimal mark and
    encoding (found here by redoxmap's own detection, outside the timing)."""
    import re

    from redoxmap.io import arbin, bdf, generic, landt, maccor
    from redoxmap.io.registry import detect_reader
    from redoxmap.io.tabular import find_table_header
    from redoxmap.io.text import TextFile, uses_decimal_comma

    reader = detect_reader(path).name
    source = TextFile.read(path)
    if reader == "biologic-mpt":
        head = source.head(2)
        match = re.match(r"Nb header lines\s*:\s*(\d+)", head[1]) if head[0].startswith("EC-Lab") else None
        skip, sep = (int(match.group(1)) - 1 if match else 0), "\t"
    else:
        synonyms = {"arbin-csv": arbin.SYNONYMS, "landt-csv": landt.SYNONYMS, "maccor": maccor.SYNONYMS,
                    "bdf": bdf.SYNONYMS, "csv": generic.SYNONYMS}[reader]
        skip, sep = find_table_header(source.head(60), synonyms)
    sample = source.head(skip + 3)[-1]
    # plain UTF-8 for a UTF-8 file: pandas decodes any other name (utf-8-sig too) through a slower Python wrapper
    return {"reader": reader, "skiprows": skip, "sep": sep, "decimal": "," if uses_decimal_comma(sample, sep) else ".",
            "encoding": "utf-8" if source.encoding == "utf-8-sig" else source.encoding}


def _first_read(path: Path):
    """``read_raw_cycling`` as a campaign meets each of its files: first, with nothing remembered of its content
    (its decoded head and lines) from the call before. What is remembered by name stays, as it does across a
    campaign's files of one instrument: their header lines' labels and the canonical columns' Index."""
    from redoxmap.io import read_raw_cycling, text

    for cache in (text._decoded_head, text.head_lines):
        cache.cache_clear()
    return read_raw_cycling(path)


def _row(path: Path, label: str, ours, theirs, repeat: int = 5) -> tuple[float, float]:
    mine, limit = interleaved(ours, theirs, repeat=repeat, round_s=ROUND_S)
    megabytes = path.stat().st_size / 1e6
    print(f"{label} | {megabytes:.1f} | {mine['median'] * 1e3:.2f} ± {mine['spread'] * 1e3:.2f} | "
          f"{megabytes / mine['median']:.0f} | {limit['median'] * 1e3:.2f} ± {limit['spread'] * 1e3:.2f} | "
          f"{megabytes / limit['median']:.0f} | {mine['median'] / limit['median']:.2f}x", flush=True)
    return mine["median"], limit["median"]


def _text(paths) -> None:
    print("\ntext export (reader) | MB | redoxmap (ms) | MB/s | bare read_csv (ms) | MB/s | ratio")
    for path in paths:
        arguments = _bare_arguments(path)
        reader = arguments.pop("reader")

        def bare(path=path, arguments=arguments):
            return pd.read_csv(path, index_col=False, low_memory=False, skipinitialspace=True, **arguments)

        _row(path, f"{path.name} ({reader})", lambda path=path: _first_read(path), bare,
             repeat=3 if path.stat().st_size > 50e6 else 5)


def _mpr(paths) -> None:
    from galvani import BioLogic

    print("\nBioLogic .mpr | MB | redoxmap (ms) | MB/s | galvani MPRfile + DataFrame (ms) | MB/s | ratio")
    for path in paths:
        _row(path, path.name, lambda path=path: _first_read(path),
             lambda path=path: pd.DataFrame(BioLogic.MPRfile(str(path)).data))


def _neware(paths) -> None:
    import fastnda

    print("\nNeware | MB | redoxmap (ms) | MB/s | fastnda.read (ms) | MB/s | ratio")
    for path in paths:
        _row(path, path.name, lambda path=path: _first_read(path),
             lambda path=path: fastnda.read(str(path), cycle_mode="raw"))


def _linearity() -> None:
    from redoxmap.io import read_raw_cycling, write_bdf

    print("\nBDF CSV, 1x / 4x / 16x the rows of BTS85 (seconds per million rows: flat when linear)")
    print("rows | MB | redoxmap (s) | s per M rows | bare read_csv (s) | s per M rows | ratio")
    base = read_raw_cycling(next(DATA.rglob("BTS85-36-6-5-110-20240424.ndax"))).table
    span = float(base["time_s"].iloc[-1]) + 1.0
    with tempfile.TemporaryDirectory() as folder:
        for factor in (1, 4, 16):
            table = pd.concat([base.assign(time_s=base["time_s"] + k * span) for k in range(factor)], ignore_index=True)
            path = Path(folder) / f"bts85_x{factor}.bdf.csv"
            write_bdf(table, path)
            del table
            arguments = _bare_arguments(path)
            arguments.pop("reader")
            mine, limit = interleaved(lambda path=path: _first_read(path),
                                      lambda path=path, arguments=arguments: pd.read_csv(
                                          path, index_col=False, low_memory=False, skipinitialspace=True, **arguments),
                                      repeat=3)
            rows = len(limit["value"]) / 1e6
            print(
                f"{rows * 1e6:,.0f} | {path.stat().st_size / 1e6:.0f} | {mine['median']:.2f} ± {mine['spread']:.2f} | "
                f"{mine['median'] / rows:.2f} | {limit['median']:.2f} ± {limit['spread']:.2f} | "
                f"{limit['median'] / rows:.2f} | {mine['median'] / limit['median']:.2f}x",
                flush=True,
            )


def main() -> None:
    warnings.simplefilter("ignore")
    # fastnda logs its advice on every decode (hundreds of lines); redoxmap's reader silences it the same way
    logging.getLogger("fastnda").setLevel(logging.CRITICAL + 1)
    print(threads_note())
    _text([DATA / name for name in TEXT_FILES])
    _mpr([DATA / name for name in MPR_FILES])
    _neware([DATA / name for name in NEWARE_FILES])
    _linearity()


if __name__ == "__main__":
    main()
