"""Helpers for text exports: decoding, locating a table's header line, numeric blocks and values."""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from redoxmap.errors import ReadError


def decode(data: bytes) -> str:
    """Decode a text export: UTF-8 when it is valid, else Windows-1252 (what cyclers write)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def head_text(head: bytes) -> str:
    """Decode the first bytes of a file for sniffing (tolerant of a cut multibyte character;
    UTF-16 when the file starts with its byte-order mark, as some Windows programs write).

    Remembered for the last few heads: every text reader's sniffer decodes the same head of a file."""
    return _decoded_head(head if isinstance(head, bytes) else bytes(head))


@lru_cache(maxsize=4)
def _decoded_head(head: bytes) -> str:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


@lru_cache(maxsize=4)
def head_lines(text: str) -> tuple[str, ...]:
    """The lines of a file's decoded head (:func:`head_text`), split once for all the sniffers that look
    for a header in them (splitting them again for each was 0.3 ms of detecting a CSV export's reader)."""
    return tuple(text.splitlines())


_VISIBLE_BYTE = re.compile(rb"\S")
_DECIMAL_COMMA = re.compile(r"(?:^|[\t;])-?\d+,\d+(?:[eE][-+]?\d+)?(?=[\t;]|$)")


def uses_decimal_comma(sample_line: str, sep: str) -> bool:
    """Whether numbers in a data line are written with a decimal comma (``0,500``)."""
    return sep != "," and bool(_DECIMAL_COMMA.search(sample_line.strip()))


# Line breaks Python's str.splitlines knows and pandas' tokenizer does not (both break at \n, \r\n
# and a lone \r): where one comes before a table's rows (its preamble or header line), the lines a reader
# looked at and the bytes pandas is given do not map one to one, and the table is parsed the old way
# (decoded, split, rejoined). In the rows, pandas reads one as part of a value (\x0b and \x0c as white space,
# the others leave that value not a number): looking for them in every row took five passes over the file
# (0.3 s of a 628 MB export).
# The UTF-8 ones are looked for only in a UTF-8 file that is not plain ASCII, and only where their last byte
# occurs (a one-byte search is ten times faster).
_ODD_BYTES = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
_ODD_UTF8 = ((b"\x85", b"\xc2\x85"), (b"\xa8", b"\xe2\x80\xa8"), (b"\xa9", b"\xe2\x80\xa9"))
PARSE_ONLY_NEEDED = True
"""Whether a reader's columns are chosen from the header before the parse, so that pandas parses only
those: faster at every size (0.8-1.0x the time of parsing every column on the 35 exports under 300 kB of
``../shared/data``, a third less on Maccor's wide ones); False parses every column (what the tests compare)."""
DECIMAL_SAMPLE_LINES = 50  # data lines after the header looked at for a decimal comma


STREAM_BYTES = 1 << 25
"""A file larger than this (32 MiB) whose first :data:`HEAD_BYTES` are ASCII is not read whole: its head serves
the reader, and pandas reads the table from the file (:class:`TextFile`)."""
HEAD_BYTES = 1 << 20


@dataclass
class TextFile:
    """A text export read as bytes, decoded only where a reader looks (its preamble and header);
    the table itself goes to pandas' C parser straight from the bytes.

    A cycler's text export is mostly its table: decoding it, splitting it into lines and joining them
    again before pandas parses it cost 2-5x pandas' own time (issue 19). The encoding is decided on
    the whole file as :func:`decode` does (UTF-8 when valid, else Windows-1252), so a file reads the
    same either way.

    A large file whose head is ASCII is held as its head only (``complete`` False): holding the whole of it
    for the encoding's check cost the read of an 11-million-row BDF CSV half again its bare parse (issue 30:
    628 MB of fresh memory filled, then parsed). Where a reader takes every column of its table, pandas parses
    it from the file and so checks every byte of it: each field is either a number (ASCII) or decoded, strictly
    as UTF-8; a file that is not UTF-8 is then read whole and decided as any other. A table whose parse leaves
    columns out (whose bytes pandas would not decode), and a method that needs bytes beyond the head, read
    the whole file, once.

    Attributes
    ----------
    path : Path
    data : bytes
        The file's bytes (decompressed, for a gzipped export); its first :data:`HEAD_BYTES` while ``complete``
        is False.
    encoding : {"utf-8-sig", "cp1252"}
    ascii : bool
        Whether every byte held is ASCII (asked once: a pass over them).
    complete : bool
        Whether ``data`` is the whole file.
    """

    path: Path
    data: bytes
    encoding: str
    ascii: bool = False
    complete: bool = True
    stamp: tuple[int, int] | None = None
    """The file's size and modification time (ns) when its head was read: a file held as its head that has
    changed since is refused when read again (its head no longer describes it)."""

    @classmethod
    def read(cls, path: Path, data: bytes | None = None) -> TextFile:
        """Read a file (or take its already unpacked ``data``), with a :class:`ReadError` if it cannot be read:
        all of it, or its head only where it is large and its head ASCII (``complete`` False)."""
        if data is None:
            try:
                with path.open("rb") as handle:
                    stamp = _file_stamp(handle)
                    if stamp[0] > STREAM_BYTES:
                        head = handle.read(HEAD_BYTES)
                        if head.isascii():
                            return cls(path, head, "utf-8-sig", True, complete=False, stamp=stamp)
                        handle.seek(0)
                    data = handle.read()
            except OSError as exc:
                raise ReadError(f"cannot be read ({exc.strerror})", path=path) from exc
        ascii = data.isascii()
        return cls(path, data, "utf-8-sig" if ascii or _is_utf8(data) else "cp1252", ascii)

    def whole(self) -> bytes:
        """All the file's bytes: read now, once, where only its head was (the encoding decided on them)."""
        if not self.complete:
            with self.reopened() as handle:
                whole = TextFile.read(self.path, handle.read())
            self.data, self.encoding, self.ascii, self.complete = whole.data, whole.encoding, whole.ascii, True
        return self.data

    @contextmanager
    def reopened(self) -> Iterator[BinaryIO]:
        """The file of a :class:`TextFile` held as its head, opened again: refused (:class:`ReadError`) if it
        changed since its head was read, or by the time the caller is done with it (an export still being
        written); an OS error is a :class:`ReadError` too."""
        try:
            with self.path.open("rb") as handle:
                self._refuse_changed(handle)
                yield handle
                self._refuse_changed(handle)
        except OSError as exc:
            raise ReadError(f"cannot be read ({exc.strerror})", path=self.path) from exc

    def _refuse_changed(self, handle) -> None:
        if self.stamp is not None and _file_stamp(handle) != self.stamp:
            raise ReadError("changed while it was read (its size or modification time); read it again once the "
                            "instrument has finished writing it", path=self.path)

    def visible_from(self, offset: int) -> bool:
        """Whether anything but white space follows ``offset`` (found at once in a table; ``data[offset:].strip()``
        copied it twice)."""
        return bool(_VISIBLE_BYTE.search(self.data, offset) or (not self.complete and
                                                                 _VISIBLE_BYTE.search(self.whole(), offset)))

    def _decode(self, data: bytes) -> str:
        return data.decode(self.encoding, errors="replace")

    def text(self) -> str:
        """The whole file decoded (as :func:`decode`)."""
        return self._decode(self.whole())

    def _end_of_line(self, index: int, start: int = 0) -> int:
        """The byte offset just past the ``index``-th newline from ``start`` (-1 if the file has fewer)."""
        position = start
        for _ in range(index):
            found = self.data.find(b"\n", position)
            if found < 0 and not self.complete:  # beyond the head
                found = self.whole().find(b"\n", position)
            if found < 0:
                return -1
            position = found + 1
        return position

    def prefix(self, characters: int) -> str:
        """The first ``characters`` characters of the decoded file (decoding at most 4 bytes each)."""
        data = self.data if self.complete or len(self.data) >= 4 * characters else self.whole()
        return self._decode(data[:4 * characters])[:characters]

    def head(self, lines: int) -> list[str]:
        """The first ``lines`` lines, decoding only their bytes."""
        end = self._end_of_line(lines)
        return (self._decode(self.data[:end]) if end >= 0 else self.text()).splitlines()[:lines]

    def line_offset(self, index: int) -> int | None:
        """The byte offset of line ``index`` (counted as str.splitlines counts), or None where bytes
        and lines do not map one to one up to the end of that line (a lone carriage return, a form feed...):
        then the caller decodes the file instead."""
        offset = self._end_of_line(index)
        if offset < 0 or len(self._decode(self.data[:offset]).splitlines()) != index:
            return None
        return None if self.odd_line_break(offset) else offset

    def odd_line_break(self, start: int, line: int | None = None) -> bool:
        """Whether the bytes from ``start`` to the end of the line at byte ``line`` (``start``'s line by default)
        hold a line break str.splitlines knows and pandas does not."""
        end = self._end_of_line(1, start if line is None else line)
        data = self.data
        end = len(data) if end < 0 else end
        if any(data.find(mark, start, end) >= 0 for mark in _ODD_BYTES):
            return True
        return self.encoding != "cp1252" and not self.ascii and any(
            data.find(last, start, end) >= 0 and data.find(mark, start, end) >= 0 for last, mark in _ODD_UTF8)


def _file_stamp(handle) -> tuple[int, int]:
    info = os.fstat(handle.fileno())
    return info.st_size, info.st_mtime_ns


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_table(source: TextFile, *, sep: str, skip_lines: int = 0, decimal: str | None = None,
                columns: Callable[[list[str]], set[str]] | None = None,
                arrays: bool = False) -> pd.DataFrame | dict[str, np.ndarray]:
    """Parse a delimited table whose header line follows ``skip_lines`` lines of preamble: pandas' C
    parser reads it from the file's bytes, from the header line on (from the file itself, for a large file
    held as its head: :class:`TextFile`).

    The header's labels are decoded and split here, so that pandas needs no second pass to say which
    columns it holds (telling it to read only the header cost a millisecond, a tenth of a 2 MB table's
    parse), and a Windows-1252 file whose rows are ASCII, as nearly every export's are, goes to pandas
    undecoded (otherwise Python's decoder runs first: 1.3 ms of a BioLogic ``.mpt``'s 6 ms parse).

    ``columns``, given the table's (unique) labels, names those the caller needs; only those are parsed
    (:data:`PARSE_ONLY_NEEDED`: a wide export such as Maccor's spends most of its parse on text columns no
    reader uses). The labels are those of the whole header either way.

    ``arrays``: the caller takes column arrays (:func:`~redoxmap.io.labels.extract_arrays` does): a small table
    of plain numbers then comes back as a dict of float64 arrays, parsed without pandas
    (:func:`_small_number_table`); any other table as a DataFrame.

    Raises
    ------
    ReadError
        If the table cannot be parsed (a corrupted or truncated export).
    """
    asked = {"sep": sep, "skip_lines": skip_lines, "decimal": decimal, "columns": columns, "arrays": arrays}
    offset = source.line_offset(skip_lines)
    if offset is not None:
        first, first_line = offset, skip_lines
        body = source._end_of_line(1, offset)
        while body > 0 and not source.data[offset:body].strip():  # pandas skips blank lines before a header
            offset, body, skip_lines = body, source._end_of_line(1, body), skip_lines + 1
        if skip_lines > first_line and source.odd_line_break(first, offset):  # those lines, and the header after
            offset, skip_lines = None, first_line
    if offset is None:
        return parse_text_table(source.text(), path=source.path, sep=sep, skip_lines=skip_lines, decimal=decimal,
                                columns=columns, arrays=arrays)
    if not source.visible_from(offset):
        raise ReadError(f"ends before its table (expected after line {skip_lines})", path=source.path)
    if body < 0:
        body = len(source.whole())
    if decimal is None:
        end = source._end_of_line(DECIMAL_SAMPLE_LINES - 1, body)
        sample = next((line for line in source._decode(source.data[body:end if end >= 0 else None]).splitlines()
                       if line.strip()), "")
        decimal = "," if uses_decimal_comma(sample, sep) else "."
    data = source.data
    if source.encoding == "utf-8-sig":
        # pandas decodes any encoding but plain UTF-8 through a Python text wrapper (a tenth of a large BDF
        # file's parse): a table that starts the file starts after its byte-order mark instead
        offset += len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8, offset) else 0
        encoding = "utf-8"
    else:  # ASCII rows are the same bytes in UTF-8; the header's labels are this module's, decoded as the file is
        encoding = "utf-8" if _ascii_from(data, body) else source.encoding
    # Only a Windows-1252 file can hold a byte its encoding (or UTF-8, for its ASCII rows after a header that is
    # not) lacks: a UTF-8 file was checked whole when read, or is checked by pandas as it decodes (a file held as
    # its head). Told to replace such bytes, pandas' C parser decodes its text fields the slow way (pandas 3.1: a
    # third of a Maccor export's parse, 15 ms against 10.5).
    strict = source.encoding == "utf-8-sig"
    options = {"labels": _header_labels(source._decode(data[offset:body]), sep, source.path), "sep": sep,
               "decimal": decimal, "encoding": encoding, "encoding_errors": "strict" if strict else "replace",
               "columns": columns if PARSE_ONLY_NEEDED else None, "arrays": arrays, "lines_before": skip_lines}
    if source.complete:
        handle = io.BytesIO(data)  # shares the bytes, no copy
        handle.seek(offset)
        return _read_table(handle, source.path, **options,
                           rectangular=partial(_rectangular, data, offset, sep.encode(), b"\n"))
    table = _parse_streamed(source, offset, options)
    if table is None:  # not a whole table of UTF-8: the file read whole, decided as any file is, and parsed again
        source.whole()
        return parse_table(source, **asked)
    return table


class _WholeFileNeeded(Exception):
    """A parse from the file that cannot vouch for every byte (it leaves columns out, or must count them)."""


def _parse_streamed(source: TextFile, offset: int, options: dict) -> pd.DataFrame | dict[str, np.ndarray] | None:
    """:func:`_read_table` on the file of a :class:`TextFile` held as its head, from ``offset``: None where the
    table is not what a streamed parse can vouch for, being UTF-8 (pandas met a byte that is not) or read in
    full (the parse would leave columns out: pandas does not decode their bytes, and the guard against an
    overlong row counts every byte)."""
    def whole_file_needed() -> bool:
        raise _WholeFileNeeded

    try:
        with source.reopened() as handle:
            handle.seek(offset)
            return _read_table(handle, source.path, **options, rectangular=whole_file_needed)
    except _WholeFileNeeded:
        return None
    except ReadError as exc:
        if isinstance(exc.__cause__, UnicodeDecodeError):
            return None
        raise


def parse_text_table(
    text: str, *, path: Path, sep: str, skip_lines: int = 0, decimal: str | None = None,
    columns: Callable[[list[str]], set[str]] | None = None, arrays: bool = False,
) -> pd.DataFrame | dict[str, np.ndarray]:
    """:func:`parse_table` for a table already decoded to text.

    Raises
    ------
    ReadError
        If the table cannot be parsed (a corrupted or truncated export).
    """
    lines = text.splitlines()
    while skip_lines < len(lines) - 1 and not lines[skip_lines].strip():  # blank lines before the header
        skip_lines += 1
    if skip_lines >= len(lines):
        raise ReadError(
            f"ends after {len(lines)} lines, before its table (expected after line {skip_lines})",
            path=path,
        )
    table = lines[skip_lines:]
    if decimal is None:
        sample = next((line for line in table[1:DECIMAL_SAMPLE_LINES] if line.strip()), "")
        decimal = "," if uses_decimal_comma(sample, sep) else "."
    joined = "\n".join(table)
    return _read_table(io.StringIO(joined), path, labels=_header_labels(table[0], sep, path), sep=sep,
                       decimal=decimal, columns=columns if PARSE_ONLY_NEEDED else None, arrays=arrays,
                       rectangular=partial(_rectangular, joined, 0, sep, "\n"), lines_before=skip_lines)


def _ascii_from(data: bytes, start: int) -> bool:
    """Whether ``data`` from ``start`` on is ASCII (a view, not a copy: slicing would copy the table)."""
    return bool(np.frombuffer(data, dtype=np.uint8)[start:].max(initial=0) < 0x80)


def _header_labels(line: str, sep: str, path: Path) -> list[str] | None:
    """A header line's labels as pandas' parser splits them (quotes, spaces after a separator), made
    unique; a blank label is ``Unnamed: <n>``, as pandas names it (and :func:`_named` leaves it out).
    None for a line with a quote left open (a label spanning lines)."""
    import csv

    line = line.rstrip("\r\n")
    if line.count('"') % 2:  # a quoted label goes on past this line: pandas reads the header (_read_table)
        return None
    try:
        fields = (line.split(sep) if '"' not in line else
                  next(csv.reader([line], delimiter=sep, skipinitialspace=True), []))
    except csv.Error as exc:  # a quoted field beyond the csv module's size limit
        raise ReadError(f"the table's header line cannot be split ({exc})", path=path) from exc
    return unique_names([field if field.strip() else f"Unnamed: {i}" for i, field in enumerate(fields)])


def _read_table(handle, path: Path, *, labels: list[str] | None, sep: str, decimal: str, encoding: str | None = None,
                encoding_errors: str = "strict", columns: Callable[[list[str]], set[str]] | None = None,
                arrays: bool = False, rectangular: Callable[[], bool] = lambda: True,
                lines_before: int = 0) -> pd.DataFrame | dict[str, np.ndarray]:
    """pandas' C parser on a header line (at ``handle``) and its rows, labelled with the header's ``labels``;
    unnamed columns (a trailing separator's) are left out.

    A table whose every column is named and wanted is parsed whole, strictly; where that finds a row longer
    than the header (a ragged trailing separator), and wherever ``columns`` (given with
    :data:`PARSE_ONLY_NEEDED`) leaves named columns out, pandas is told the columns to keep, which tolerates extra
    fields, if the table has no overlong rows (``rectangular()``, asked only then: it counts every byte);
    otherwise every column is parsed, so that pandas refuses a row with more fields than the header (told
    which columns to keep, it would try to hold them all). A row pandas refuses is named by its line in the
    file (``lines_before`` the header). ``labels`` None: pandas reads them first (a header spanning lines).
    ``arrays``: a small table of plain numbers is parsed by :func:`_small_number_table` instead."""
    options = {"sep": sep, "decimal": decimal, "index_col": False, "skipinitialspace": True, "encoding": encoding,
               "encoding_errors": encoding_errors, "low_memory": False}
    start = handle.tell()
    if labels is None:
        labels = unique_names(_parse(handle, path, {**options, "nrows": 0}, lines_before).columns)
        handle.seek(start)
    keep = [i for i, name in enumerate(labels) if _named(name)]
    if columns is not None:
        wanted = columns([labels[i] for i in keep])
        keep = [i for i in keep if labels[i] in wanted]
    if arrays and keep and decimal == "." and len(sep) == 1:
        numbers = _small_number_table(handle, len(labels), keep, sep=sep, encoding=encoding, errors=encoding_errors)
        if numbers is not None:
            return {labels[i]: column for i, column in zip(keep, numbers)}
        handle.seek(start)
    frame = _parse(handle, path, options, lines_before, strict=True) if keep == list(range(len(labels))) else None
    if frame is None:
        handle.seek(start)
        frame = _parse(handle, path, {**options, "usecols": keep} if rectangular() else options, lines_before)
    if len(frame.columns) != len(keep):
        if len(frame.columns) != len(labels):
            raise ReadError(f"the header names {len(labels)} columns and pandas found {len(frame.columns)}: a "
                            "header split across lines, or an unbalanced quote", path=path)
        frame = frame.iloc[:, keep]
    frame.columns = [labels[i] for i in keep]
    if frame.empty:
        raise ReadError("the table has a header but no data rows", path=path)
    return frame


SMALL_TABLE_BYTES = 1 << 16
"""Tables up to this many bytes (header included) that hold plain numbers are parsed by NumPy, not pandas
(:func:`_small_number_table`)."""
_NOT_PLAIN = re.compile(r'[^\t\n\r\x20-\x7e]|"')  # beyond printable ASCII and tabs, or a quote


def _small_number_table(handle, width: int, keep: list[int], *, sep: str, encoding: str | None,
                        errors: str) -> list[np.ndarray] | None:
    """The ``keep`` columns of a small table (``handle`` at its header line, ``width`` labels) as float64
    arrays, parsed by NumPy's ``loadtxt``; None where the table is larger than :data:`SMALL_TABLE_BYTES`
    or anything in it might be read otherwise by pandas, which then parses it.

    Why not pandas: ``read_csv`` costs half a millisecond however small the table (its DataFrame, its
    column Index, then a Series for every column taken), which was most of a 2 kB Arbin export's read
    (issue 30: 2.1x a bare parse of it); ``loadtxt``'s C parser reads that table in 10 us. It is taken only
    where the two read the same: rows of printable ASCII without quotes (NumPy strips Unicode spaces and pandas
    does not; a quote is a field's delimiter to one and a character to the other), every row with the
    header's separators (no blank, short or long rows, which pandas skips, pads or refuses), a decimal
    point, and every kept field a number ``loadtxt`` converts (an empty field, ``NA`` or a duration is not:
    pandas then reads the table, as it does any text column). NumPy rounds decimal text to the nearest double;
    pandas' converter gives the same values on every small table of ``../shared/data`` (tested)."""
    start = handle.tell()
    if handle.seek(0, io.SEEK_END) - start > SMALL_TABLE_BYTES:
        return None
    handle.seek(start)
    text = handle.read()
    if isinstance(text, bytes):
        try:
            text = text.decode(encoding or "utf-8", errors=errors)
        except UnicodeDecodeError:  # a file read from its head on: pandas meets it, and the whole file is read
            return None
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]  # pandas' line breaks; after the header
    if rows and not rows[-1]:
        rows.pop()  # the last line's line break
    if not rows or any(row.count(sep) != width - 1 or _NOT_PLAIN.search(row) for row in rows):
        return None
    try:
        values = np.loadtxt(rows, delimiter=sep, usecols=keep, dtype=np.float64, comments=None, ndmin=2)
    except ValueError:  # a field loadtxt does not read as a number
        return None
    if np.signbit(values[(values == 0) | np.isnan(values)]).any():
        return None  # -0 or -nan: pandas reads -0 in a column of integers as 0, and gives NaN without its sign
    return list(np.ascontiguousarray(values.T))


def _parse(handle, path: Path, options: dict, lines_before: int, *, strict: bool = False) -> pd.DataFrame | None:
    """``pd.read_csv`` with the errors a reader gives; ``strict``: None where a row is longer than the header
    (pandas refuses it, or warns that it drops its fields), for the caller to parse it tolerantly."""
    import warnings

    try:
        with warnings.catch_warnings():
            if strict:
                warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(handle, **options)
    except pd.errors.ParserWarning:
        return None
    except pd.errors.EmptyDataError:
        raise ReadError("the table has a header but no data rows", path=path) from None
    except (pd.errors.ParserError, ValueError) as exc:
        if strict and "Expected" in str(exc):
            return None
        message = re.sub(r"in line (\d+)", lambda m: f"in line {int(m.group(1)) + lines_before} of the file", str(exc))
        raise ReadError(f"table cannot be parsed: {message}", path=path) from exc


def _rectangular(data, start: int, sep, newline) -> bool:
    """Whether the table from ``start`` has no more separators than its header line gives every row
    (with room for ragged ends). pandas' parser, told which columns to keep, no longer refuses a row
    with more fields than the header: a damaged row of millions of separators would take gigabytes, so
    such a table is parsed whole (and refused cleanly) instead. Two counts over the table's bytes."""
    end = data.find(newline, start)
    per_row = data.count(sep, start, end if end >= 0 else len(data))
    rows = _count(data, newline, start) + 1
    return _count(data, sep, start) <= 2 * (per_row + 1) * rows


_COUNT_BLOCK = 1 << 22  # bytes compared at once: the comparison's array stays 4 MB whatever the file's size


def _count(data, mark, start: int) -> int:
    """How often ``mark`` occurs in ``data`` from ``start``: NumPy's comparison for one byte, block by block
    (three times as fast as ``bytes.count``, which a Maccor export's 3.6 MB took 1.5 ms for), else ``count``."""
    if not (isinstance(data, bytes) and len(mark) == 1):
        return data.count(mark, start)
    values = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(values[k:k + _COUNT_BLOCK] == mark[0]))
               for k in range(start, len(values), _COUNT_BLOCK))


def _named(label) -> bool:
    """A column the header names (pandas calls a blank label ``Unnamed: <n>``)."""
    label = str(label).strip()
    return bool(label) and not label.startswith("Unnamed:")


def unique_names(labels) -> list[str]:
    """Column labels stripped of surrounding spaces, a repeated one suffixed ``.1``, ``.2``... (the first
    keeps its name, as pandas does): two labels that differ only by a trailing space stay two columns."""
    labels = [str(c).strip() for c in labels]
    seen: dict[str, int] = {}
    taken = set(labels)  # a suffix never repeats a label of the header (``a, a.1, a`` gives ``a, a.1, a.2``)
    names = []
    for label in labels:
        count = seen.get(label, 0)
        name = label
        while count and name in taken:
            name, count = f"{label}.{count}", count + 1
        seen[label] = max(count, 1)
        taken.add(name)
        names.append(name)
    return names


_DECIMAL_COMMA_NUMBER = re.compile(r"^\s*[-+]?\d+,\d*(?:[eE][-+]?\d+)?\s*$")


def locale_float(text) -> float:
    """A number as a Windows locale writes it: ``0.5``, or ``0,5`` / ``5,00000E-001`` with a decimal comma;
    NaN for anything else."""
    try:
        return float(text)
    except (TypeError, ValueError):
        if isinstance(text, str) and _DECIMAL_COMMA_NUMBER.match(text):
            return float(text.replace(",", "."))
        return float("nan")


def numeric_rows_after(lines: list[str], start: int, path: Path) -> np.ndarray:
    """The block of numeric rows that begins at or after ``lines[start]`` (tab-, comma- or
    space-separated), up to the first non-numeric line after it; as wide as its narrowest row."""
    rows = []
    for line in lines[start:]:
        fields = line.replace(",", " ").split() if "\t" not in line else line.split("\t")
        try:
            rows.append([float(v) for v in fields if v.strip()])
        except ValueError:
            if rows:
                break
            continue
        if not rows[-1]:
            rows.pop()
            if len(rows) > 2:
                break
    if not rows:
        raise ReadError("no numeric rows after the table header", path=path)
    width = min(len(r) for r in rows)
    return np.array([r[:width] for r in rows])


def number_block(text: str, path: Path, *, min_columns: int = 1) -> np.ndarray:
    """A whitespace-separated block of numbers (every line a row), as wide as its narrowest row, which
    must hold at least ``min_columns``."""
    rows = [line.split() for line in text.strip().splitlines() if line.strip()]
    if not rows:
        raise ReadError("a data block without rows", path=path)
    width = min(len(r) for r in rows)
    if width < min_columns:
        raise ReadError(f"a data row holds {width} value(s), {min_columns} expected (a damaged block?)", path=path)
    try:
        return np.array([r[:width] for r in rows], dtype=float)
    except ValueError as exc:
        raise ReadError(f"unreadable data rows ({str(exc)[:80]})", path=path) from exc


def numbers(text: str | None, path: Path, what: str) -> np.ndarray:
    """Whitespace-separated numbers of one XML element or field, or a :class:`ReadError` naming ``what``."""
    try:
        return np.array((text or "").split(), dtype=float)
    except ValueError as exc:
        raise ReadError(f"unreadable {what} ({str(exc)[:80]})", path=path) from exc


def positive_float(value) -> float | None:
    """A header value as a positive finite number, or None (quotes and blanks tolerated)."""
    try:
        number = float(str(value).strip().strip('"'))
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number > 0 else None


def timestamp(value: str | None, fmt: str) -> str | None:
    """A header date in ``fmt`` as ISO 8601, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return pd.to_datetime(value, format=fmt).isoformat()
    except (ValueError, TypeError):
        return None
