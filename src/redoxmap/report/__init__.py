"""Figures and the HTML report of a study."""

from redoxmap.report.build import SECTION_BUILDERS, render_html, write_report

__all__ = ["SECTION_BUILDERS", "render_html", "write_report"]
