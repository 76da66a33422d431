"""A store of decoded cycler files: Parquet tables and a catalog of the cells that use them.

Decoding and segmenting a cycler file is most of what a study spends on it (0.7 s for a 100k-row
``.ndax``, 10 s for a 700k-row BDF CSV here); reading the same table back from Parquet costs a few
per cent of that. A :class:`CellStore` keeps each decoded table under a key made of the file's
path, its content hash and everything that shapes the table (reader, reader options, segmentation
options, electrode, redoxmap's version), so a second report of a study decodes nothing and a
changed file, a moved one or a new redoxmap is decoded again (the table's provenance names its file:
a copy elsewhere is a table of its own). What the user says about a cell (name, mass,
temperature) is not part of the table: it is attached on every read, and recorded in the catalog.

Layout of the store's folder::

    tables/<key>/part-0000.parquet    the segmented table, sorted by cycle; large cells split
    tables/<key>/decoded.json         provenance and the warnings the decode raised
    catalog/<cell>-<id>.json          one record per cell: source, hash, reader, mass, temperature,
                                      rows, cycles, the table's key

Every file is written under a temporary name and renamed into place, so processes of a Dask
cluster can fill one store at once, and an interrupted run leaves no half-written table behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import pandas as pd

from redoxmap._version import __version__
from redoxmap.cycling.read import attach_metadata, check_metadata, decode_cycling
from redoxmap.errors import DataWarning, ReadError, warn

PART_ROWS = 1_000_000  # a cell above this is split into parts at cycle boundaries
ROW_GROUP_ROWS = 65_536  # Parquet row groups: a query for one cycle reads a few of them, not the file
CATALOG_COLUMNS = ["cell", "source_file", "hash", "reader", "instrument", "active_mass_mg", "temperature_C",
                   "electrode", "rows", "cycles", "parts", "key", "written"]


def file_digest(paths: Sequence[Path]) -> str:
    """BLAKE2b of the files' contents, in order (hex, 32 characters): what decides whether a file
    changed. Hashing runs at about 1 GB/s, a small fraction of decoding."""
    digest = hashlib.blake2b(digest_size=16)
    for path in paths:
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "blake2b").digest())
    return digest.hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:60] or "cell"


def _atomic_write_text(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


@dataclass(frozen=True)
class StoredTable:
    """Where a decoded table lives in a store, and how it was made."""

    key: str
    folder: Path | None  # None: the table could not be stored
    provenance: dict  # as JSON gives it back (the file's own metadata with its values as JSON types)
    warnings: list
    rows: int
    cycles: int
    parts: int


class CellStore:
    """Decoded cycler files kept as Parquet, with a catalog of cells.

    Parameters
    ----------
    root : path-like
        The store's folder (created on first write).

    Examples
    --------
    >>> store = CellStore("study/.redoxmap-store")                      # doctest: +SKIP
    >>> table = store.read_cycling("cell.ndax", name="cell 1", active_mass_mg=4.2, temperature_C=50)  # doctest: +SKIP
    >>> store.catalog()[["cell", "rows", "cycles"]]                     # doctest: +SKIP
    """

    def __init__(self, root: str | PathLike) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"CellStore({str(self.root)!r})"

    @property
    def tables(self) -> Path:
        """Folder of the decoded tables."""
        return self.root / "tables"

    @property
    def records(self) -> Path:
        """Folder of the catalog records."""
        return self.root / "catalog"

    def read_cycling(self, path: str | PathLike | Sequence[str | PathLike], *, format: str | None = None,
                     reader_options: dict | None = None, segment_options: dict | None = None,
                     **metadata) -> pd.DataFrame:
        """:func:`redoxmap.read_cycling`, decoding the file only if the store has not seen its content.

        Returns the same table, dtypes and metadata as :func:`redoxmap.read_cycling`, and raises the
        warnings its decode raised the first time. The cell is recorded in the catalog. A store that
        cannot be written (read-only, full disk) gives a warning, and the file is read as usual.

        Raises
        ------
        redoxmap.errors.ReadError, redoxmap.errors.FormatError, redoxmap.errors.AnalysisError
            As :func:`redoxmap.read_cycling`.
        """
        paths = [Path(path)] if isinstance(path, (str, PathLike)) else [Path(p) for p in path]
        check_metadata(metadata, " + ".join(map(str, paths)))
        for file in paths:
            if not file.is_file():
                raise ReadError("is a folder, not a file" if file.is_dir() else "no such file", path=file)
        electrode = metadata.get("electrode", "cathode")
        content = file_digest(paths)
        # The paths belong to the key: a table's provenance names its file, so a copy elsewhere is its own table.
        recipe = {"hash": content, "files": [str(p.resolve()) for p in paths], "format": format,
                  "reader_options": reader_options,
                  "segment_options": segment_options, "electrode": electrode, "version": __version__}
        key = hashlib.blake2b(json.dumps(recipe, sort_keys=True, default=str).encode(), digest_size=12).hexdigest()
        loaded = self._load(key)
        if loaded is not None:
            stored, table = loaded
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                table, provenance = decode_cycling(path, format=format, reader_options=reader_options,
                                                   segment_options=segment_options, electrode=electrode)
            raised = [(item.category.__name__, str(item.message)) for item in caught]
            stored = self._save(key, table, provenance, raised) or StoredTable(key, None, provenance, raised,
                                                                              len(table), 0, 0)
        for category, message in stored.warnings:
            warn(message, _warning_class(category))
        table = attach_metadata(table, **stored.provenance, **metadata)
        if stored.folder is not None:
            self._record(table, " + ".join(str(p.resolve()) for p in paths), content, stored)
        return table

    def add(self, table: pd.DataFrame) -> str:
        """Keep a table made in memory (:func:`redoxmap.cycling.from_records`: a simulation, another
        tool's data) as a cell of the store, under the hash of its content; returns its key.

        Raises
        ------
        redoxmap.errors.AnalysisError
            For a table without redoxmap's metadata (not from ``read_cycling`` or ``from_records``).
        redoxmap.errors.ReadError
            When the store cannot be written.
        """
        from redoxmap.cycling.read import cell_metadata

        meta = cell_metadata(table)
        content = hashlib.blake2b(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes(),
                                  digest_size=16).hexdigest()
        provenance = {"source_file": meta.source_file, "instrument": meta.instrument, "reader": meta.reader,
                      "file_metadata": meta.file_metadata}
        key = hashlib.blake2b(f"{content}\n{__version__}".encode(), digest_size=12).hexdigest()
        stored = self._save(key, table, provenance, [])
        if stored is None:
            raise ReadError("the store cannot be written", path=self.root)
        self._record(table, meta.source_file, content, stored)
        return key

    def _load(self, key: str) -> tuple[StoredTable, pd.DataFrame] | None:
        """The stored table of ``key``, or None when there is none (or it cannot be read: decoded again)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder = self.tables / key
        info = folder / "decoded.json"
        if not info.is_file():
            return None
        try:
            decoded = json.loads(info.read_text(encoding="utf-8"))
            parts = [pq.read_table(folder / name) for name in decoded["parts"]]
            table = (pa.concat_tables(parts) if len(parts) > 1 else parts[0]).to_pandas()
        except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
            warn(f"{folder}: a stored table could not be read ({exc}); the file is decoded again",
                          DataWarning)
            shutil.rmtree(folder, ignore_errors=True)
            return None
        table.attrs = {}
        return StoredTable(key, folder, decoded["provenance"], decoded["warnings"], len(table),
                           int(decoded["cycles"]), len(parts)), table

    def _save(self, key: str, table: pd.DataFrame, provenance: dict, raised: list) -> StoredTable | None:
        """Write a decoded table (parts of at most ``PART_ROWS`` rows, cut at cycle boundaries) and its
        provenance; None, with a warning, when the store cannot be written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        folder, staging = self.tables / key, None
        try:
            self.tables.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=self.tables, prefix=f".{key}."))
            names = []
            for k, (start, stop) in enumerate(_part_bounds(table)):
                name = f"part-{k:04d}.parquet"
                chunk = pa.Table.from_pandas(table.iloc[start:stop], preserve_index=False)
                pq.write_table(chunk, staging / name, row_group_size=ROW_GROUP_ROWS)
                names.append(name)
            cycles = int(table["cycle"].max()) if "cycle" in table and len(table) else 0
            decoded = {"provenance": provenance, "warnings": raised, "parts": names, "rows": len(table),
                       "cycles": cycles, "redoxmap": __version__}
            (staging / "decoded.json").write_text(json.dumps(decoded, default=str), encoding="utf-8")
            try:
                os.replace(staging, folder)
            except OSError:  # another process stored the same table first: keep theirs
                shutil.rmtree(staging, ignore_errors=True)
        except (OSError, pa.ArrowException) as exc:  # a full disk, or a column Parquet cannot hold
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            warn(f"{self.root}: the store cannot keep this table ({exc}); it was read without the store",
                          DataWarning)
            return None
        return StoredTable(key, folder, json.loads(json.dumps(provenance, default=str)), raised, len(table),
                           cycles, len(names))

    def _record(self, table: pd.DataFrame, sources: str, content: str, stored: StoredTable) -> None:
        """Write (or replace) the cell's catalog record; a table no record uses any more is removed."""
        meta = table.attrs["redoxmap"]
        cell = meta["name"] or Path(sources.split(" + ")[0]).name
        ident = hashlib.blake2b(f"{cell}\n{sources}".encode(), digest_size=6).hexdigest()
        record = {"cell": cell, "source_file": sources, "hash": content, "reader": meta["reader"],
                  "instrument": meta["instrument"], "active_mass_mg": meta["active_mass_mg"],
                  "temperature_C": meta["temperature_C"], "electrode": meta["electrode"], "rows": stored.rows,
                  "cycles": stored.cycles, "parts": stored.parts, "key": stored.key,
                  "written": datetime.now(UTC).isoformat(timespec="seconds")}
        path = self.records / f"{_slug(cell)}-{ident}.json"
        try:
            self.records.mkdir(parents=True, exist_ok=True)
            previous = json.loads(path.read_text(encoding="utf-8")).get("key") if path.is_file() else None
            _atomic_write_text(path, json.dumps(record))
        except (OSError, ValueError) as exc:
            warn(f"{self.root}: the catalog cannot be written ({exc})", DataWarning)
            return
        if previous and previous != stored.key and previous not in set(self.catalog()["key"]):
            shutil.rmtree(self.tables / previous, ignore_errors=True)

    def catalog(self) -> pd.DataFrame:
        """One row per cell: ``cell``, ``source_file``, ``hash``, ``reader``, ``instrument``,
        ``active_mass_mg``, ``temperature_C``, ``electrode``, ``rows``, ``cycles``, ``parts``, ``key``
        (the stored table) and ``written``; sorted by cell."""
        rows = []
        for path in sorted(self.records.glob("*.json")) if self.records.is_dir() else []:
            try:
                rows.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                warn(f"{path}: an unreadable catalog record, skipped", DataWarning)
        frame = pd.DataFrame(rows, columns=CATALOG_COLUMNS)
        return frame.sort_values("cell", kind="stable").reset_index(drop=True)

    def table_files(self, key: str) -> list[Path]:
        """The Parquet parts of a stored table (for queries across cells).

        Raises
        ------
        redoxmap.errors.ReadError
            When the table is gone or its description unreadable (removed, or damaged and not yet read again).
        """
        folder = self.tables / key
        try:
            decoded = json.loads((folder / "decoded.json").read_text(encoding="utf-8"))
            parts = [folder / name for name in decoded["parts"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReadError(f"the stored table {key} is missing or damaged ({exc}); a report of its study "
                            "decodes the file again", path=self.root) from exc
        missing = [part.name for part in parts if not part.is_file()]
        if missing:
            raise ReadError(f"the stored table {key} has lost {', '.join(missing)}; a report of its study decodes "
                            "the file again", path=self.root)
        return parts

    def save_catalog(self, path: str | PathLike | None = None) -> Path:
        """Write the catalog as one Parquet table (default: ``catalog.parquet`` in the store)."""
        target = Path(path) if path else self.root / "catalog.parquet"
        self.catalog().to_parquet(target, index=False)
        return target


def _part_bounds(table: pd.DataFrame) -> list[tuple[int, int]]:
    """Row ranges of at most ``PART_ROWS`` rows that end where a cycle ends (a cycle longer than that
    is a part of its own)."""
    if len(table) <= PART_ROWS or "cycle" not in table:
        return [(0, len(table))]
    cycle = table["cycle"].to_numpy()
    starts = [0, *(1 + (cycle[1:] != cycle[:-1]).nonzero()[0]).tolist()]
    bounds, begin = [], 0
    for start in starts[1:]:
        if start - begin >= PART_ROWS:
            bounds.append((begin, start))
            begin = start
    bounds.append((begin, len(table)))
    return bounds


def _warning_class(name: str) -> type[Warning]:
    """The warning class of a stored warning's name (redoxmap's own, or a built-in one)."""
    import builtins

    from redoxmap import errors

    found = getattr(errors, name, None) or getattr(builtins, name, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning
