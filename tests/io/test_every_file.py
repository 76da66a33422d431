"""Every real file in shared/data/echem is either read or refused with a redoxmap error."""

from __future__ import annotations

from pathlib import Path

import pytest

import redoxmap
from redoxmap.errors import RedoxmapError
from tests.conftest import _data_root

FILES = sorted(p for p in (_data_root() / "echem").glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_read_or_clear_error(path: Path, quiet):
    try:
        table = redoxmap.read_cycling(path)
    except RedoxmapError as exc:
        assert str(path) in str(exc)  # the message names the file
    else:
        assert len(table) > 0 and table["time_s"].notna().all()
