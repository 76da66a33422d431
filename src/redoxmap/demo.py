"""The bundled demo study: real cycler files from four instrument families."""

from __future__ import annotations

import shutil
from importlib import resources
from os import PathLike
from pathlib import Path

from redoxmap.errors import RedoxmapError


def demo_source() -> Path:
    """The folder of the bundled demo study inside the installed package."""
    return Path(str(resources.files("redoxmap") / "demo_data"))


def copy_demo_study(destination: str | PathLike) -> Path:
    """Copy the demo study (``study.toml``, cycler files, sources, licenses) to a folder.

    Parameters
    ----------
    destination : path-like
        Folder to create; an existing demo copy there is refreshed, any other content
        is left alone.

    Returns
    -------
    Path
        The copied ``study.toml``.
    """
    destination = Path(destination)
    source = demo_source()
    if not (source / "study.toml").is_file():
        raise RedoxmapError(f"the demo data is missing from the installation ({source})")
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return destination / "study.toml"
