"""Shared fixtures: the real instrument files in ../shared/data and small helpers."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _data_root() -> Path:
    configured = os.environ.get("REDOXMAP_TEST_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data() -> Path:
    """The folder of real instrument files (``../shared/data`` beside the repository)."""
    root = _data_root()
    if not (root / "echem").is_dir():
        pytest.fail(f"real test data not found at {root}; set REDOXMAP_TEST_DATA")
    return root


@pytest.fixture(scope="session")
def echem(data) -> Path:
    return data / "echem"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def quiet():
    """Silence redoxmap's data warnings where a test is not about them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
