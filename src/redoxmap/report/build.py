"""Write a study's report: a self-contained HTML page, figures, and every result table."""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path

import pandas as pd

from redoxmap.io.tables import atomic_write
from redoxmap.report.cv_section import build_cv_section
from redoxmap.report.cycling_section import build_cycling_section
from redoxmap.report.eis_section import build_eis_section
from redoxmap.report.elements import ReportSection
from redoxmap.report.model_section import build_model_section
from redoxmap.report.structure_section import build_structure_section
from redoxmap.report.style import figure_style
from redoxmap.report.xas_section import build_xas_section
from redoxmap.study.run import StudyResult

# Report sections in order: the modalities whose outcomes each one shows, and its builder.
SECTION_BUILDERS = [
    (("cycling",), build_cycling_section),
    (("xas",), build_xas_section),
    (("xrd", "images"), build_structure_section),
    (("eis",), build_eis_section),
    (("cv",), build_cv_section),
    (("model",), build_model_section),
]


def _samples_table(result: StudyResult) -> str:
    rows = []
    for s in result.study.samples:
        rows.append({
            "sample": s.name, "description": s.description, "active_mass_mg": s.active_mass_mg,
            "electrode": s.electrode, "cell_type": s.cell_type, "temperature_C": s.temperature_C,
            "1C_mA_g": s.specific_current_mA_g,
            "files": "; ".join(f"{m}: {', '.join(p.name for p in ps)}" for m, ps in s.files.items()),
        })
    frame = pd.DataFrame(rows).astype(object).where(lambda f: f.notna(), "")
    return frame.to_html(index=False, border=0, classes="data text", na_rep="")


def _parameters_tables(result: StudyResult) -> dict[str, str]:
    return {modality: pd.DataFrame([{"parameter": k, "value": str(v)} for k, v in params.items()])
            .to_html(index=False, border=0, classes="data text")
            for modality, params in result.study.parameters.items() if modality in result.sections}


def render_html(result: StudyResult, sections: list[ReportSection]) -> str:
    """The report page as a string."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("redoxmap.report", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("report.html.j2")
    return template.render(
        study=result.study, version=result.version, finished=result.finished,
        manifest=str(result.study.path), sections=sections,
        samples_html=_samples_table(result), parameters=_parameters_tables(result),
    )


def write_report(result: StudyResult, out: str | PathLike) -> Path:
    """Write ``index.html``, ``figures/``, ``tables/`` and ``report.json`` into ``out``.

    Each file is written to a temporary name and renamed, and ``index.html`` comes last,
    so an interrupted run never leaves a page that points at missing files.

    Returns
    -------
    Path
        The ``index.html`` file.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with figure_style() as plt:
        sections = [builder([o for m in modalities for o in result.sections.get(m, [])], out, plt)
                    for modalities, builder in SECTION_BUILDERS
                    if any(m in result.sections for m in modalities)]
    summary = {
        "study": result.study.name,
        "manifest": str(result.study.path),
        "redoxmap_version": result.version,
        "started": result.started,
        "finished": result.finished,
        "sections": [{
            "id": s.id,
            "figures": [f.files for f in s.figures],
            "tables": {t.id: t.files for t in s.tables},
            "failures": [{"file": label, "error": error} for label, error in s.failures],
            "warnings": [{"file": label, "warning": text} for label, text in s.warnings],
        } for s in sections],
        "parameters": result.study.parameters,
    }
    atomic_write(out / "report.json", lambda tmp: tmp.write_text(json.dumps(summary, indent=2, default=str)))
    html = render_html(result, sections)
    return atomic_write(out / "index.html", lambda tmp: tmp.write_text(html, encoding="utf-8"))
