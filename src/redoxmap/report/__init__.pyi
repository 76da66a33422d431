"""Type stub of the lazy exports of redoxmap.report.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap.report.build import render_pages as render_pages
from redoxmap.report.build import up_to_date as up_to_date
from redoxmap.report.build import write_report as write_report

__all__ = [
    "render_pages",
    "up_to_date",
    "write_report",
]
