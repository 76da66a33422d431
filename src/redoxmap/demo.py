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
    """Copy the demo study (``study.toml``, real instrument files, sources, licenses) to a folder,
    and write two virtual cells from the activation model beside them (``virtual/``).

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
    # Beside the real files: two virtual cells from the activation model (with their truth),
    # which the model section fits back.
    from redoxmap.model.virtual import model_section, write_virtual_cells

    manifest = destination / "study.toml"
    samples = write_virtual_cells(destination / "virtual", prefix="virtual/")
    manifest.write_text(manifest.read_text() + model_section(40) + samples)
    return manifest
