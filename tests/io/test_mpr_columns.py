"""The .mpr reader builds its table from galvani's record arrays without an intermediate DataFrame of
every column; its output must equal the one built from that DataFrame (the reader before), on every
real .mpr file of ../shared/data."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from redoxmap.errors import RedoxmapError
from redoxmap.io import biologic
from tests.conftest import _data_root

pytest.importorskip("galvani")
FILES = sorted(_data_root().rglob("*.mpr"))


def _outcome(read):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = read()
        except RedoxmapError as exc:
            return type(exc).__name__, str(exc), []
    return raw.table, raw.metadata, sorted(str(w.message) for w in caught)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(_data_root())) for p in FILES])
def test_arrays_and_a_frame_give_one_table(path):
    def through_a_frame():
        frame, metadata = biologic.mpr_frame(path)
        return biologic._to_raw(frame, path=path, reader="biologic-mpr", metadata=metadata)
    new, old = _outcome(lambda: biologic.read_mpr(path)), _outcome(through_a_frame)
    if isinstance(new[0], pd.DataFrame):
        pd.testing.assert_frame_equal(new[0], old[0], check_exact=True)
        assert new[1:] == old[1:]
    else:
        assert new == old


def test_there_are_real_mpr_files():
    assert len(FILES) >= 20
