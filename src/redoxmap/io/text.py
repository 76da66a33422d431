"""Helpers for text exports: decoding, locating a table's header line, numeric blocks and values."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap.errors import FormatError, ReadError


def decode(data: bytes) -> str:
    """Decode a text export: UTF-8 when it is valid, else Windows-1252 (what cyclers write)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(path: Path) -> str:
    """Read a whole text file, with a :class:`ReadError` for unreadable files."""
    try:
        return decode(path.read_bytes())
    except OSError as exc:
        raise ReadError(f"cannot be read ({exc.strerror})", path=path) from exc


def head_text(head: bytes) -> str:
    """Decode the first bytes of a file for sniffing (tolerant of a cut multibyte character;
    UTF-16 when the file starts with its byte-order mark, as some Windows programs write)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


_DECIMAL_COMMA = re.compile(r"(?:^|[\t;])-?\d+,\d+(?:[eE][-+]?\d+)?(?=[\t;]|$)")


def uses_decimal_comma(sample_line: str, sep: str) -> bool:
    """Whether numbers in a data line are written with a decimal comma (``0,500``)."""
    return sep != "," and bool(_DECIMAL_COMMA.search(sample_line.strip()))


def parse_table(
    text: str, *, path: Path, sep: str, skip_lines: int = 0, decimal: str | None = None
) -> pd.DataFrame:
    """Parse a delimited table whose header line follows ``skip_lines`` lines of preamble.

    Raises
    ------
    ReadError
        If the table cannot be parsed (a corrupted or truncated export).
    """
    lines = text.splitlines()
    if skip_lines >= len(lines):
        raise ReadError(
            f"ends after {len(lines)} lines, before its table (expected after line {skip_lines})",
            path=path,
        )
    body = lines[skip_lines:]
    if decimal is None:
        sample = next((line for line in body[1:50] if line.strip()), "")
        decimal = "," if uses_decimal_comma(sample, sep) else "."
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(body)),
            sep=sep,
            decimal=decimal,
            index_col=False,
            low_memory=False,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ReadError(f"table cannot be parsed: {exc}", path=path) from exc
    frame.columns = unique_names(frame.columns)
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed:")]]
    if frame.empty:
        raise ReadError("the table has a header but no data rows", path=path)
    return frame


def unique_names(labels) -> list[str]:
    """Column labels stripped of surrounding spaces, a repeated one suffixed ``.1``, ``.2``... (the first
    keeps its name, as pandas does): two labels that differ only by a trailing space stay two columns."""
    seen: dict[str, int] = {}
    names = []
    for label in (str(c).strip() for c in labels):
        count = seen.get(label, 0)
        seen[label] = count + 1
        names.append(label if count == 0 else f"{label}.{count}")
    return names


def find_header_line(lines: list[str], must_contain: list[str], *, path: Path, limit: int = 200) -> int:
    """Index of the first line that contains every string of ``must_contain`` (case-insensitive)."""
    needles = [n.lower() for n in must_contain]
    for index, line in enumerate(lines[:limit]):
        lowered = line.lower()
        if all(n in lowered for n in needles):
            return index
    raise FormatError(f"no table header with {', '.join(must_contain)} found", path=path)


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
