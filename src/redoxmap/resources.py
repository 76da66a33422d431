"""Data bundled with redoxmap: the demo study's real instrument files and reference spectra."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_source() -> Path:
    """The folder of the bundled demo study inside the installed package."""
    return Path(str(resources.files("redoxmap") / "demo_data"))
