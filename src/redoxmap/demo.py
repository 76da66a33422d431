"""The bundled demo study: real cycler files from four instrument families."""

from __future__ import annotations

import hashlib
import shutil
from os import PathLike
from pathlib import Path

from redoxmap.errors import RedoxmapError, RedoxmapWarning, warn
from redoxmap.resources import demo_source

MANIFEST_STAMP = ".study.toml.sha256"  # the hash of the manifest as the demo wrote it


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_was_edited(manifest: Path) -> bool:
    """Whether a demo's ``study.toml`` differs from what the demo wrote (or has no record of it)."""
    stamp = manifest.parent / MANIFEST_STAMP
    if not manifest.is_file():
        return False
    if not stamp.is_file():
        return True  # written by hand, or by an older redoxmap: keep it to be safe
    return stamp.read_text().strip() != _digest(manifest.read_text(encoding="utf-8"))


def copy_demo_study(destination: str | PathLike) -> Path:
    """Copy the demo study (``study.toml``, real instrument files, sources, licenses) to a folder,
    and write two virtual cells from the activation model beside them (``virtual/``).

    Parameters
    ----------
    destination : path-like
        Folder to create; an existing demo copy there is refreshed, any other content is left
        alone. A ``study.toml`` that was edited since the demo wrote it is kept as it is (with a
        warning): the demo invites editing it.

    Returns
    -------
    Path
        The ``study.toml``.
    """
    from redoxmap.io.tables import atomic_write

    destination = Path(destination)
    source = demo_source()
    if not (source / "study.toml").is_file():
        raise RedoxmapError(f"the demo data is missing from the installation ({source})")
    manifest = destination / "study.toml"
    keep = manifest_was_edited(manifest)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", *(["study.toml"] if keep else [])))
    # Beside the real files: two virtual cells from the activation model (with their truth),
    # which the model section fits back.
    from redoxmap.study.virtual import model_section, write_virtual_cells

    samples = write_virtual_cells(destination / "virtual", prefix="virtual/")
    if keep:
        warn(f"{manifest} was edited since the demo wrote it: it is kept as it is (delete it, or "
                      f"{destination / MANIFEST_STAMP}, for a fresh copy)", RedoxmapWarning)
        return manifest
    text = (source / "study.toml").read_text(encoding="utf-8") + model_section(40) + samples
    atomic_write(manifest, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    atomic_write(destination / MANIFEST_STAMP, lambda tmp: tmp.write_text(_digest(text) + "\n"))
    return manifest
