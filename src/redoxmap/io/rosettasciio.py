"""Files through RosettaSciIO (HyperSpy's readers, the ``tem`` extra): the first 2-D image of a file and
its pixel size, for the vendor formats whose tag trees RosettaSciIO knows (Gatan, Thermo Fisher / FEI,
MRC, HyperSpy, and the SEM metadata of FEI and Zeiss TIFFs), and the signals of other formats
(Pfeiffer Quadstar mass spectra)."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import numpy as np

from redoxmap.errors import FormatError, MissingDependencyError, ReadError
from redoxmap.io.hdf5_probe import HDF5_MAGIC, probe_hdf5
from redoxmap.io.labels import LENGTH_UNIT_NM
from redoxmap.io.reader import read_head


def length_nm(scale, units) -> float | None:
    """An axis' pixel size in nm, or None when its unit is not a length (``1/nm`` of a diffraction pattern)."""
    factor = LENGTH_UNIT_NM.get(str(units or "").strip().lower().replace("\u00b5", "µ"))
    return float(scale) * factor if factor and scale and np.isfinite(float(scale)) and float(scale) > 0 else None


def rsciio_signals(path: Path, plugin: str, *, what: str) -> list[dict]:
    """Every signal a RosettaSciIO plugin reads from ``path`` (its ``data``, ``axes``, ``metadata``).

    Parameters
    ----------
    plugin : str
        The ``rsciio`` subpackage (``"digitalmicrograph"``, ``"tia"``, ``"emd"``, ``"mrc"``, ``"hspy"``,
        ``"tiff"``, ``"quadstar"``).
    what : str
        The format, for messages (``"Gatan file"``).

    Raises
    ------
    MissingDependencyError
        Without RosettaSciIO (``pip install "redoxmap[tem]"``).
    ReadError
        For a damaged file.
    """
    try:
        reader = importlib.import_module(f"rsciio.{plugin}").file_reader
    except ImportError as exc:
        raise MissingDependencyError(f'{what}s are read through RosettaSciIO: pip install "redoxmap[tem]" '
                                     f"({exc.name} missing)", path=path) from exc
    if read_head(path).startswith(HDF5_MAGIC):  # Velox .emd, HyperSpy .hspy
        probe_hdf5(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(reader(str(path)))
    except ImportError as exc:  # a part of the format needs a library RosettaSciIO leaves optional
        raise MissingDependencyError(f"this {what} needs a library that is not installed: {str(exc)[:160]}",
                                     path=path) from exc
    except Exception as exc:
        raise ReadError(f"damaged or unsupported {what} ({type(exc).__name__}: {str(exc)[:120]})", path=path) from exc


def rsciio_image(path: Path, plugin: str, *, what: str) -> tuple[np.ndarray, float | None]:
    """The first signal of at least two dimensions that a RosettaSciIO plugin reads from ``path``, with the
    pixel size of its last axis in nm.

    Raises
    ------
    MissingDependencyError
        Without RosettaSciIO (``pip install "redoxmap[tem]"``).
    ReadError, FormatError
        For a damaged file, or one that holds no image (a spectrum).
    """
    signals = rsciio_signals(path, plugin, what=what)
    images = [s for s in signals if np.asarray(s["data"]).ndim >= 2]
    if not images:
        kinds = sorted({str(s.get("metadata", {}).get("Signal", {}).get("signal_type") or "spectrum") for s in signals})
        raise FormatError(f"the {what} holds no image (it holds: {', '.join(kinds) or 'nothing'})", path=path)
    signal = images[0]
    axes = signal.get("axes") or []
    pixel = length_nm(axes[-1].get("scale"), axes[-1].get("units")) if axes else None
    return np.asarray(signal["data"], dtype=float), pixel
