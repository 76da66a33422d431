"""Write a study's report: a small site that opens with its answer (the activation map and the
verdicts), a page per measurement and one for the model, figures and every result table; and, on
request, the same in one self-contained file."""

from __future__ import annotations

import json
import os
import time
from os import PathLike
from pathlib import Path

import pandas as pd

from redoxmap.io.tables import atomic_write
from redoxmap.report.campaign_section import build_campaign_section
from redoxmap.report.elements import ReportSection, finish_figures, with_subpages
from redoxmap.report.findings_section import build_findings_section, findings_frame, write_map_files
from redoxmap.report.interactive import write_plotly
from redoxmap.report.microstructure_section import build_microstructure_section
from redoxmap.report.model_section import build_model_section
from redoxmap.report.pages import CELL_ASPECTS, ENTRY, STUDY, evidence_target, plan_pages, verdict_rows
from redoxmap.report.rendering import Progress, figure_counts, figure_pool
from redoxmap.report.style import figure_style
from redoxmap.study.fingerprint import study_fingerprint, with_options
from redoxmap.study.run import StudyResult


def section_builders() -> list[tuple[tuple[str, ...], object]]:
    """The report's sections after the findings, in order: the modalities whose outcomes each one shows
    (every modality that names the same builder, in the modalities' order), then the model's."""
    from redoxmap.study.modality import modalities, resolve_optional

    grouped: dict[str, tuple[list[str], object]] = {}
    for modality in modalities().values():
        if modality.section:
            if modality.section not in grouped:
                grouped[modality.section] = ([], resolve_optional(modality, "section"))
            grouped[modality.section][0].append(modality.name)
    return [(tuple(names), builder) for names, builder in grouped.values() if builder is not None] + [
        (("model",), build_model_section)]


def _samples_table(result: StudyResult) -> str:
    rows = []
    folder = result.study.folder
    for s in result.study.samples:
        rows.append({
            "sample": s.name, "description": s.description, "active_mass_mg": s.active_mass_mg,
            "electrode": s.electrode, "cell_type": s.cell_type, "chemistry": s.chemistry,
            "temperature_C": s.temperature_C, "1C_mA_g": s.specific_current_mA_g,
            "files": "; ".join(f"{m}: {', '.join(_relative(p, folder) for p in ps)}" for m, ps in s.files.items()),
        })
    frame = pd.DataFrame(rows).astype(object).where(lambda f: f.notna(), "")
    return frame.to_html(index=False, border=0, classes="data text", na_rep="")


def _relative(path, folder: Path) -> str:
    """A path as the manifest would write it: relative to the study's folder where it lies inside it."""
    path = Path(path)
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def readable(value, folder: Path) -> str:
    """A parameter value as a scientist would write it in the manifest (no Python reprs)."""
    if isinstance(value, (str, Path)) and (isinstance(value, Path) or os.sep in value):
        return _relative(value, folder)
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if k != "files"} if "files" in value else value
        files = ", ".join(_relative(f, folder) for f in value.get("files", []))
        text = ", ".join(f"{k} = {readable(v, folder)}" for k, v in shown.items() if k != "file")
        return f"{files}: {text}" if files else "{" + text + "}"
    if isinstance(value, (list, tuple)):
        parts = [readable(v, folder) for v in value]
        joiner = "<br>" if any(isinstance(v, dict) for v in value) else ", "
        return joiner.join(parts) if value else "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _parameters_tables(result: StudyResult) -> dict[str, str]:
    from html import escape

    folder = result.study.folder
    tables = {}
    for modality, params in result.study.parameter_values().items():
        if modality not in result.sections and modality != "map":
            continue
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(readable(v, folder)).replace('&lt;br&gt;', '<br>')}"
                       "</td></tr>" for k, v in params.items())
        tables[modality] = (f'<table class="data text params"><thead><tr><th>parameter</th><th>value</th></tr>'
                            f"</thead><tbody>{rows}</tbody></table>")
    return tables


def _study_context(builder, result: StudyResult) -> dict:
    """What a section needs beyond its own outcomes: the microstructure section shows the model's
    predictions with each sample's measured contact; the model section, the study's XPS and DEMS beside its
    surface reaction."""
    if builder is build_microstructure_section:
        from redoxmap.study.contact import contact_predictions

        return {"predictions": contact_predictions(result)}
    if builder is build_model_section:
        from redoxmap.study.surface_evidence import surface_reaction_evidence

        return {"surface_evidence": surface_reaction_evidence(result)}
    return {}


def render_pages(result: StudyResult, sections: list[ReportSection], findings, *, out: Path,
                 single: bool = False, single_link: bool = False, print_figures: bool = False,
                 campaign: ReportSection | None = None) -> dict[str, str]:
    """The report's pages as HTML text by file name: ``index.html`` (the answer, and ``campaign``, the
    comparison of many cells, below it), one page per section and per sample of a section that has them
    (:func:`redoxmap.report.elements.sample_page`), and ``study.html`` (``single_link``: each links
    ``report-single.html``); with ``single``, only ``report-single.html``: every section's page in one
    file with its figures inline, for mailing (the samples' own pages stay the site's: a thousand cells'
    figures inline would make a file of hundreds of MB)."""
    import base64

    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("redoxmap.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    pages = plan_pages(sections)
    files = {page.id: page.file for page in pages} | {p.id: p.file for s in sections for p in s.subpages}
    labels = {page.id: page.label for page in pages}
    subpages = {p.id for s in sections for p in s.subpages}

    def href(page: str, anchor: str = "") -> str:
        if single and page not in subpages:  # a sample's page is not in the one-file version: the site's file
            return f"#{anchor or page}"
        return files.get(page, files[STUDY]) + (f"#{anchor}" if anchor else "")

    def image_src(figure) -> str:
        if not single:
            return figure.files["preview"]
        data = (out / figure.files["preview"]).read_bytes()
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")

    simulated = {s.name for s in result.study.samples if s.simulated} | set(findings.simulated)  # groups too
    manifest = Path(os.path.relpath(result.study.path, out)).as_posix()
    common = {"study": result.study, "version": result.version, "finished": result.finished, "manifest": manifest,
              "pages": pages, "href": href, "image_src": image_src, "simulated": simulated, "single": single,
              "single_link": single_link and not single, "print_figures": print_figures,
              "evidence": lambda verdict: evidence_target(verdict, sections),
              "findings": sections[0],
              "rows": verdict_rows(findings.verdicts, sections, simulated, per_cell=campaign is None),
              "summarised": 0 if campaign is None else sum(v.determined and v.aspect in CELL_ASPECTS
                                                           for v in findings.verdicts),
              "samples_html": _samples_table(result), "parameters": _parameters_tables(result),
              "campaign": campaign, "cell_aspects": CELL_ASPECTS, "entry_page": ENTRY}
    if single:
        return {"report-single.html": environment.get_template("single.html.j2").render(
            current="", page_title="", sections=sections, **common)}
    rendered = {"index.html": environment.get_template("entry.html.j2").render(current=ENTRY, page_title="",
                                                                               **common)}
    for section in with_subpages(sections):
        plotly = write_plotly(out) if section.interactive else ""  # only pages that draw one load it
        # a sample's page is under its section in the page bar
        rendered[section.file] = environment.get_template("section.html.j2").render(
            current=section.parent or section.id, page_title=labels.get(section.id, section.title), section=section,
            parent_label=labels.get(section.parent, ""), plotly=plotly, **common)
    rendered[files[STUDY]] = environment.get_template("study.html.j2").render(
        current=STUDY, page_title="Samples and parameters", **common)
    return rendered


def _truth(result: StudyResult) -> dict | None:
    """A virtual study's truth (``truth.json`` beside its manifest), if there is one."""
    path = result.study.folder / "truth.json"
    if not path.is_file():
        return None
    from redoxmap.study.truth import read_truth

    return read_truth(path)


def report_fingerprint(inputs: str, *, single_file: bool = False, print_figures: bool = False) -> str:
    """A report's fingerprint: its study's inputs (:func:`redoxmap.study.fingerprint.study_fingerprint`)
    with the options that change what is written."""
    return with_options(inputs, single_file=bool(single_file), print_figures=bool(print_figures))


def up_to_date(study, out: str | PathLike, *, single_file: bool = False, print_figures: bool = False) -> Path | None:
    """The ``index.html`` of a report in ``out`` that was made from the study as it is now, with the same
    options, and whose every page is still there; None where anything must be redone.

    A report records the fingerprint of its study's inputs (:mod:`redoxmap.study.fingerprint`: the
    manifest, the parameters, redoxmap's version, and every named file's path, size and modification
    time) in ``report.json``; a report with a failed task records none, so it is always redone.

    Parameters
    ----------
    study : redoxmap.study.Study
        The study, loaded now.
    out : path-like
        The report's folder.
    single_file, print_figures : bool
        The options the report would be written with (:func:`write_report`).

    Returns
    -------
    Path or None
    """
    out = Path(out)
    try:
        recorded = json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or not recorded.get("fingerprint"):
        return None
    expected = report_fingerprint(study_fingerprint(study), single_file=single_file, print_figures=print_figures)
    if recorded["fingerprint"] != expected:
        return None
    files = _listed_files(recorded)
    if files is None or not all((out / name).is_file() for name in files):
        return None
    return out / "index.html"


def _listed_files(recorded: dict) -> list[str] | None:
    """The pages (``report-single.html`` too, where it was asked for) and figure files a ``report.json`` lists,
    relative to its folder (None for a report.json edited or written by something else)."""
    try:
        files = ["index.html", *(str(page) for page in (recorded.get("pages") or {}).values())]
        files += [str(recorded["single_file"])] if recorded.get("single_file") else []
        files += [str(name) for section in recorded.get("sections", []) for figure in section.get("figures", [])
                  for name in figure.values()]
    except (AttributeError, TypeError):
        return None
    return files


def _tables(recorded: dict) -> list[str]:
    """The table files a ``report.json`` lists."""
    try:
        return [str(name) for section in recorded.get("sections", []) for files in section.get("tables", {}).values()
                for name in files.values()]
    except (AttributeError, TypeError):
        return []


def _remove_stale(out: Path, summary: dict) -> None:
    """Remove the pages, figures and tables the report in ``out`` listed before and this one does not (a
    sample dropped from the study, a section gone, print-quality files no longer asked for), with the
    figures' key records: only files a report listed, never anything else in the folder."""
    from redoxmap.report.figure_cache import record_path

    try:
        previous = json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return
    before = _listed_files(previous) if isinstance(previous, dict) else None
    if not before:
        return
    before += _tables(previous)
    now = set(_listed_files(summary) or []) | set(_tables(summary))
    for name in set(before) - now:
        path = out / name
        if out.resolve() not in path.resolve().parents:  # a report.json edited to point elsewhere
            continue
        path.unlink(missing_ok=True)  # the link itself, where it is one, not what it points to
        if name.endswith(".preview.png"):
            record_path(path.parent, path.name.removesuffix(".preview.png")).unlink(missing_ok=True)


def write_report(result: StudyResult, out: str | PathLike, *, progress: Progress | None = None,
                 workers: int | None = None, amap=None, client=None, single_file: bool = False,
                 print_figures: bool = False, reuse_figures: bool = True) -> Path:
    """Write the report into ``out``: ``index.html`` (the activation map and the verdicts), a page per
    section (``findings.html``, ``cycling.html``, ..., ``model.html``) and ``study.html`` (samples and
    parameters), with ``figures/``, ``tables/`` (with ``activation_map.nc``) and ``report.json``.

    Each file is written to a temporary name and renamed, and ``index.html`` comes last,
    so an interrupted run never leaves a page that points at missing files.

    Parameters
    ----------
    result : StudyResult
    out : path-like
        The report's folder.
    progress : callable, optional
        ``progress(done, submitted, label)`` as figures are saved.
    workers : int, optional
        Processes that save figures (default: the machine's cores, at most four; 1: none).
    amap : ActivationMap, optional
        The study's activation map, if already built.
    client : distributed.Client, optional
        Save the figures as tasks on this Dask cluster (e.g. ``DaskExecutor.client``, the cluster
        that ran the study) instead of local processes; ``out`` must then be on a filesystem its
        workers share.
    single_file : bool
        Also write ``report-single.html``: every page in one file with its figures inline, for mailing.
    print_figures : bool
        Also write every figure as a 300 dpi PNG and an SVG for publication (about twice the time of
        the figures; the pages show screen-resolution PNG previews of them), the figures of a campaign's
        cycling, impedance and XAS sample pages (from 6 samples) included; without it the browser draws those.
    reuse_figures : bool
        Keep a figure an earlier report saved in ``out`` from the same inputs and the same redoxmap and
        Matplotlib (:mod:`redoxmap.report.figure_cache`); False draws every figure.

    Returns
    -------
    Path
        The ``index.html`` file.
    """
    from redoxmap.study.map_dataset import activation_map

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clock = _Clock()
    amap = amap if amap is not None else activation_map(result)
    findings = amap.findings()
    clock.lap("map and findings")
    with figure_pool(workers, progress, client=client, print_quality=print_figures,
                     reuse=reuse_figures), figure_style() as plt:
        sections = [build_findings_section(amap, out, plt, findings=findings, truth=_truth(result))]
        campaign = build_campaign_section(result, out, plt)  # on the entry page, not a page of its own
        sections += [builder([o for m in modalities for o in result.sections.get(m, [])], out, plt,
                             **_study_context(builder, result))
                     for modalities, builder in section_builders()
                     if any(m in result.sections for m in modalities)]
        map_files = write_map_files(amap, out)
        clock.lap("sections (figures sent to be drawn, tables written)")
        finish_figures(with_subpages(sections) + ([campaign] if campaign else []))
        clock.lap("figures drawn and saved (the rest)")
        counts = figure_counts()
    summary = {
        "study": result.study.name,
        "manifest": str(result.study.path),
        # what up_to_date compares; left out where a task failed, so that the next run tries again
        "fingerprint": (report_fingerprint(result.fingerprint, single_file=single_file, print_figures=print_figures)
                        if result.fingerprint and not result.failures() else None),
        "redoxmap_version": result.version,
        "started": result.started,
        "finished": result.finished,
        "activation_map": map_files,
        "figures": counts,  # drawn now, and kept from an earlier report
        "verdicts": findings_frame(findings).to_dict("records"),
        "pages": {page.id: page.file for page in plan_pages(sections)} | {
            page.id: page.file for page in with_subpages(sections) if page.parent},
        "single_file": "report-single.html" if single_file else None,
        "sections": [{
            "id": s.id,
            "page": "index.html" if s is campaign else s.file,
            "figures": [f.files for f in s.figures],
            "tables": {t.id: t.files for t in s.tables},
            "interactive": [f.id for f in s.interactive],
            "figure_problems": {f.id: f.problems for f in s.figures if f.problems},
            "failures": [{"file": label, "error": error} for label, error in s.failures],
            "warnings": [{"file": label, "warning": text} for label, text in s.warnings],
        } for s in with_subpages(sections) + ([campaign] if campaign else [])],
        "parameters": result.study.parameter_values(),
    }
    pages = render_pages(result, sections, findings, out=out, single_link=single_file, print_figures=print_figures,
                         campaign=campaign)
    if single_file:
        pages.update(render_pages(result, sections, findings, out=out, single=True, print_figures=print_figures,
                                  campaign=campaign))
    clock.lap("pages rendered")
    summary["timings_s"] = {**result.timings_s, **clock.laps}  # the analysis' phases, then the report's
    summary["task_seconds"] = result.task_seconds  # the tasks' own time, where they ran
    summary["execution"] = result.execution  # how each phase ran (serial or a cluster) and why
    for name in sorted(pages, key=lambda n: n == "index.html"):  # the entry page last: it links the others
        atomic_write(out / name, lambda tmp, text=pages[name]: tmp.write_text(text, encoding="utf-8"))
    _remove_stale(out, summary)  # after every page of this report: none of them links a removed file
    # after every page: its fingerprint says the report is complete (an interrupted run leaves the old one)
    atomic_write(out / "report.json", lambda tmp: tmp.write_text(json.dumps(summary, indent=2, default=str)))
    return out / "index.html"


class _Clock:
    """Wall time of each phase of a report, in the order they ran (``report.json``'s ``timings_s``)."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.laps[phase] = round(now - self._last, 3)
        self._last = now
