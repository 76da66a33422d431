"""Type stub of the lazy exports of redoxmap.io.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.io.bdf import to_bdf as to_bdf
from redoxmap.io.bdf import write_bdf as write_bdf
from redoxmap.io.ms_files import MsRecording as MsRecording
from redoxmap.io.ms_files import read_ms as read_ms
from redoxmap.io.raw import RawCycling as RawCycling
from redoxmap.io.raw import read_raw_cycling as read_raw_cycling
from redoxmap.io.reader import READER_MODALITIES as READER_MODALITIES
from redoxmap.io.reader import Reader as Reader
from redoxmap.io.reader import read_head as read_head
from redoxmap.io.registry import detect_reader as detect_reader
from redoxmap.io.registry import readers as readers
from redoxmap.io.registry import register_reader as register_reader
from redoxmap.io.registry import reset_readers as reset_readers
from redoxmap.io.sem_files import SemSection as SemSection
from redoxmap.io.sem_files import read_sem as read_sem
from redoxmap.io.tables import atomic_write as atomic_write
from redoxmap.io.tables import write_table as write_table
from redoxmap.io.xps_files import XpsSpectrum as XpsSpectrum
from redoxmap.io.xps_files import read_xps as read_xps
from redoxmap.io.xps_files import select_region as select_region

__all__ = [
    "MsRecording",
    "READER_MODALITIES",
    "RawCycling",
    "Reader",
    "SemSection",
    "XpsSpectrum",
    "atomic_write",
    "detect_reader",
    "read_head",
    "read_ms",
    "read_raw_cycling",
    "read_sem",
    "read_xps",
    "readers",
    "register_reader",
    "reset_readers",
    "select_region",
    "to_bdf",
    "write_bdf",
    "write_table",
]
