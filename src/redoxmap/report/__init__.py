"""Figures and the HTML report of a study."""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap.report.build": ["render_pages", "up_to_date", "write_report"],
})
