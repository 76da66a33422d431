"""The building blocks of a report: figures, tables and sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from redoxmap.io.tables import write_table
from redoxmap.report.figure_cache import Drawing

SENTENCE_CHARS = 60  # a text cell longer than this is a sentence: its table wraps
# From this many samples in a section, each sample's own figures (profiles, fits, spectra) are on a page of its
# own: 6 cells' four cycling figures and interactive dQ/dV already make a page of ~30 screens, and 64 cells one
# of 11 MB; the section's page keeps what compares them.
SAMPLE_PAGES_FROM = 6
# Rows of a table a page shows (the files hold every row): a campaign's per-cycle summary of 1,000 cells would
# otherwise put 7,000 rows, several MB, on one page.
SHOWN_ROWS = 300


@dataclass
class ReportFigure:
    """A saved figure: its files (``png`` at 300 dpi, ``svg``, and the ``preview`` the pages show),
    relative to the report's folder."""

    id: str
    title: str
    caption: str
    files: dict[str, str]
    wide: bool = False
    pending: object = field(default=None, repr=False)
    problems: list[str] = field(default_factory=list)
    """Clipped text or legends over data, found when it was saved (:mod:`redoxmap.report.figure_check`)."""


@dataclass
class ReportTable:
    """A result table: the full table on disk (Parquet and CSV) and an HTML view."""

    id: str
    title: str
    caption: str
    html: str
    files: dict[str, str]
    rows: int


@dataclass
class ReportSection:
    """One section of the report (one modality)."""

    id: str
    title: str
    intro: str = ""
    figures: list[ReportFigure] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    interactive: list = field(default_factory=list)
    """:class:`redoxmap.report.interactive.InteractiveFigure` of the section's page."""
    subpages: list[ReportSection] = field(default_factory=list)
    """One page per sample with that sample's own figures (:func:`sample_page`), linked from this one."""
    parent: str = ""
    """The id of the section a sample's page belongs to (empty for a section)."""
    entry_note: tuple[str, str, str] | None = None
    """What the entry page says in place of this section's figure that was not drawn: the text before the file
    that holds its numbers, that file (linked), and the text after it."""

    @property
    def file(self) -> str:
        """The page's file in the report's folder."""
        return f"{self.id}.html"


def drawn_by_browser(page: ReportSection) -> bool:
    """Whether a sample's figures are drawn by the browser from the numbers in its page (Plotly): on a page of its
    own (:func:`sample_page`, from :data:`SAMPLE_PAGES_FROM` samples) in a report without ``--print-figures``. A
    campaign's pages are many and few are opened; Matplotlib drawing their figures was most of the report's time
    per sample."""
    from redoxmap.report.rendering import print_quality

    return bool(page.parent) and not print_quality()


def sample_page(section: ReportSection, name: str, index: int, count: int) -> ReportSection:
    """Where a sample's own figures go: the section itself for fewer than :data:`SAMPLE_PAGES_FROM`
    samples, else a page of the sample's own (``<section>-<index>.html``), listed on the section's page;
    a sample that has one already (its XPS, then its DEMS) keeps it.

    Parameters
    ----------
    section : ReportSection
    name : str
        The sample (its page's title).
    index : int
        Its number in the section, from 1 (the page's file).
    count : int
        How many samples the section shows.

    Returns
    -------
    ReportSection
        The section, or the sample's page.
    """
    if count < SAMPLE_PAGES_FROM:
        return section
    known = next((page for page in section.subpages if page.title == name), None)
    if known is not None:
        return known
    page = ReportSection(id=f"{section.id}-{index}", title=name, parent=section.id,
                         intro=f"{section.title.split(':')[0]} of {name}: its own figures. What compares the "
                               f"samples is on the section's page.")
    section.subpages.append(page)
    return page


def with_subpages(sections: list[ReportSection]) -> list[ReportSection]:
    """Every section followed by its samples' pages: all the pages whose figures a report saves.

    Parameters
    ----------
    sections : list of ReportSection

    Returns
    -------
    list of ReportSection
    """
    return [page for section in sections for page in (section, *section.subpages)]


def section_from_outcomes(outcomes, *, id: str, title: str, intro: str) -> tuple[ReportSection, list]:
    """A section with the failures and warnings of a modality's tasks, and the finished values."""
    section = ReportSection(id=id, title=title, intro=intro)
    section.failures = [(o.label, o.error) for o in outcomes if not o.ok]
    section.warnings = [(o.label, w) for o in outcomes for w in o.warnings]
    return section, [o.value for o in outcomes if o.ok]


def stacked_tables(analyses, attribute: str) -> pd.DataFrame:
    """One table from the same table of several samples' analyses, with a leading ``sample`` column."""
    frames = [getattr(a, attribute).assign(sample=a.name) for a in analyses if not getattr(a, attribute).empty]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    return frame[["sample", *[c for c in frame.columns if c != "sample"]]]


def add_figure(section: ReportSection, plt, drawing: Drawing, out: Path, *, id: str, title: str,
               caption: str, wide: bool = False) -> None:
    """Draw a figure and save it into ``out/figures`` (in the background inside
    :func:`redoxmap.report.rendering.figure_pool`; here, with ``plt``, outside one), or keep the one an
    earlier report saved there from the same inputs (:mod:`redoxmap.report.figure_cache`), and add it to a
    section (``wide``: a full row of the page)."""
    from redoxmap.report.figure_cache import forget, kept_problems
    from redoxmap.report.rendering import count_kept, key_memo, print_quality, reuse_figures, submit

    folder = out / "figures"
    files = {"preview": f"figures/{id}.preview.png"}
    if print_quality():
        files = {"png": f"figures/{id}.png", "svg": f"figures/{id}.svg", **files}
    key = drawing.key(print_quality=print_quality(), memo=key_memo())
    kept = kept_problems(folder, id, key, files, out) if reuse_figures() else None
    if kept is not None:
        count_kept()
        section.figures.append(ReportFigure(id=id, title=title, caption=caption, wide=wide, files=files,
                                            problems=kept))
        return
    forget(folder, id)
    pending = submit(drawing, folder, id, label=title, key=key, plt=plt)
    section.figures.append(ReportFigure(id=id, title=title, caption=caption, wide=wide, pending=pending,
                                        files=files))


def finish_figures(sections: list[ReportSection]) -> None:
    """Wait for every figure of the sections to be saved (a failed save raises here) and take its QA
    problems."""
    for section in sections:
        for figure in section.figures:
            if figure.pending is not None:
                figure.problems = list(figure.pending.result().get("problems", []))
                figure.pending = None


def display_table(frame: pd.DataFrame, keys: list[str] | None = None) -> str:
    """A table as HTML for reading: ``value ± error`` in one column, sensible digits, cycles as whole
    numbers, key columns first, headers in words with their units (the files keep the column names).
    A table with sentences in it (a text column longer than ``SENTENCE_CHARS``) wraps its cells instead of
    scrolling sideways."""
    from redoxmap.formatting import readable_header, value_error_table

    view = value_error_table(frame, keys=keys).rename(columns=readable_header)
    text = view.select_dtypes(include=["object", "string"])
    sentences = any(text[c].astype(str).str.len().max() > SENTENCE_CHARS for c in text.columns) if len(view) else False
    return view.to_html(index=False, border=0, classes="data sentences" if sentences else "data", na_rep="",
                        escape=True)


def add_table(section: ReportSection, frame: pd.DataFrame, out: Path, *, id: str, title: str,
              caption: str, shown: pd.DataFrame | None = None, keys: list[str] | None = None) -> None:
    """Write a table as Parquet and CSV into ``out/tables`` and add a view to a section.

    ``shown`` is the part displayed in the HTML (the whole table if omitted), at most
    :data:`SHOWN_ROWS` rows of it (the caption says so); ``keys`` are the columns shown first
    (identifiers and the numbers most read).
    """
    files = {}
    for extension in ("parquet", "csv"):
        path = write_table(frame, out / "tables" / f"{id}.{extension}")
        files[extension] = str(path.relative_to(out))
    view = frame if shown is None else shown
    if len(view) > SHOWN_ROWS:
        caption = f"{caption} The first {SHOWN_ROWS} of the {len(view)} rows chosen are shown.".strip()
        view = view.head(SHOWN_ROWS)
    section.tables.append(ReportTable(id=id, title=title, caption=caption, html=display_table(view, keys),
                                      files=files, rows=len(frame)))


