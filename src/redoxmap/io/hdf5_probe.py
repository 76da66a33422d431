"""A damaged HDF5 file can hang libhdf5 itself: probe its small datasets in a child process first.

libhdf5 (through h5py) loops forever on some damaged files, for instance reading a variable-length
string whose global-heap record was overwritten with zeros, and no Python-level timeout can interrupt
a C loop. So before a reader (ours, or RosettaSciIO's for Velox ``.emd`` and HyperSpy ``.hspy``) opens
an HDF5 file, a fresh interpreter opens it and reads every small dataset (the metadata strings those
readers read first); one that has not finished within :data:`PROBE_SECONDS` is stopped and the file
refused. A fresh interpreter (about 0.2 s with h5py's import), not a fork: a forked child of a threaded
process (a Dask worker) can inherit h5py's lock held, and a daemonic process (a pool's worker) may not
start multiprocessing children at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from redoxmap.errors import ReadError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"  # the signature every HDF5 file opens with
PROBE_SECONDS = 5.0  # reading an intact file's metadata takes milliseconds
SMALL_DATASET_BYTES = 1_000_000  # metadata, not images: the probe reads these whole

# Run by the child interpreter; any exception is left to the reader itself, which reports a damaged
# file in its own words: the probe looks for hangs only.
_PROBE = f"""
import sys, h5py
def visit(_name, item):
    if isinstance(item, h5py.Dataset) and item.size * max(item.dtype.itemsize, 1) <= {SMALL_DATASET_BYTES}:
        item[()]
try:
    with h5py.File(sys.argv[1], "r") as handle:
        handle.visititems(visit)
except Exception:
    pass
"""


def probe_hdf5(path: Path) -> None:
    """Refuse an HDF5 file whose metadata libhdf5 cannot read within :data:`PROBE_SECONDS`.

    Raises
    ------
    ReadError
        If reading the file's small datasets does not finish in time (a damaged file).
    """
    try:
        subprocess.run([sys.executable, "-c", _PROBE, str(path)], timeout=PROBE_SECONDS, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"its HDF5 metadata cannot be read within {PROBE_SECONDS:g} s (a damaged file: "
                        "libhdf5 does not return on it)", path=path) from exc
