"""Type stub of the lazy exports of redoxmap.tem.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.images import Micrograph as Micrograph
from redoxmap.io.images import read_image as read_image
from redoxmap.tem.fft import FringeResult as FringeResult
from redoxmap.tem.fft import default_candidates as default_candidates
from redoxmap.tem.fft import fringe_spacings as fringe_spacings
from redoxmap.tem.fft import parse_candidates as parse_candidates

__all__ = [
    "FringeResult",
    "Micrograph",
    "default_candidates",
    "fringe_spacings",
    "parse_candidates",
    "read_image",
]
