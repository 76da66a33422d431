"""Helpers for text exports: decoding, and locating the header line of a table."""

from __future__ import annotations

import io
import re
from pathlib import Path

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
    """Decode the first bytes of a file for sniffing (tolerant of a cut multibyte character)."""
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
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed:")]]
    if frame.empty:
        raise ReadError("the table has a header but no data rows", path=path)
    return frame


def find_header_line(lines: list[str], must_contain: list[str], *, path: Path, limit: int = 200) -> int:
    """Index of the first line that contains every string of ``must_contain`` (case-insensitive)."""
    needles = [n.lower() for n in must_contain]
    for index, line in enumerate(lines[:limit]):
        lowered = line.lower()
        if all(n in lowered for n in needles):
            return index
    raise FormatError(f"no table header with {', '.join(must_contain)} found", path=path)
