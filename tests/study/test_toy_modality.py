"""Adding a modality is adding files: a toy modality in a package of its own (declared through the
``redoxmap.modalities`` entry point, with a reader of its own through ``redoxmap.readers``, as a plugin
would) flows through the manifest, the reader registry, the run, the activation map and the report
without a line of redoxmap changed. CONTRIBUTING.md walks through it."""

from __future__ import annotations

import textwrap
from importlib import metadata

import numpy as np
import pytest

import redoxmap
from redoxmap.errors import ManifestError
from redoxmap.io import registry
from redoxmap.study import modalities
from redoxmap.study import modality as modality_module

TOY_PACKAGE = '''
"""A toy modality: each file holds one O activation index r and its standard error."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redoxmap.io import Reader
from redoxmap.io.registry import read_with
from redoxmap.report.elements import add_table, section_from_outcomes
from redoxmap.study.modality import Modality, parameter
from redoxmap.study.states import parse_state


def _read_toy(path):
    """A toy file: r and its standard error."""
    return tuple(float(v) for v in Path(path).read_text().split())


READERS = [Reader("toy-text", "toy", "toy instrument", (".toy",), lambda head, path: head.count(b" ") == 1,
                  _read_toy, description="r and its error, one line")]


def analyze(sample, parameters):
    """The task: read every toy file of a sample through the toy reader (runs in a worker)."""
    rows = []
    for options in sample.file_options["toy"]:
        reader, (value, error) = read_with(options["files"][0], modality="toy")
        assert reader.name == "toy-text"
        rows.append({"state": options["state"], "probe": options.get("probe", "surface"),
                     "r": value * parameters.scale, "r_stderr": error * parameters.scale,
                     "file": Path(options["files"][0]).name})
    return pd.DataFrame(rows)


def records(records, study, outcomes, options):
    """Every r into the activation map."""
    for outcome in outcomes:
        if outcome.ok:
            for row in outcome.value.itertuples():
                records.add_state(outcome.label, parse_state(row.state), row.probe, "r", row.r, row.r_stderr,
                                  row.file)


def section(outcomes, out, plt):
    """The report page: one table of every reading."""
    page, tables = section_from_outcomes(outcomes, id="toy", title="Toy readings: r by file",
                                         intro="One r per toy file, scaled by [toy] scale.")
    if tables:
        add_table(page, pd.concat(tables), out, id="toy_readings", title="Toy readings", caption="Every file.")
    return page


def check(parameters, path, samples):
    """A scale must be positive."""
    if parameters.scale <= 0:
        from redoxmap.errors import ManifestError

        raise ManifestError(f"[toy] scale must be positive, not {parameters.scale}", path=path)
    return parameters


@dataclass(frozen=True)
class ToyParameters:
    """The [toy] section."""

    scale: float = parameter(1.0, "factor applied to every reading", (int, float))


TOY = Modality("toy", "a toy measurement of r", ToyParameters, {"state": str, "probe": str},
               required_options=("state",), task="toy_modality:analyze", records="toy_modality:records",
               section="toy_modality:section", check="toy_modality:check")
'''

MANIFEST = '''
[study]
name = "toy study"

[toy]
scale = 2.0

[[sample]]
name = "A"
[sample.files]
toy = [{file = "a1.toy", state = "charge 1", probe = "surface"},
       {file = "a2.toy", state = "charge 1", probe = "bulk"}]

[[sample]]
name = "B"
[sample.files]
toy = [{file = "b1.toy", state = "charge 1"}]
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy package on the path and declared through the entry point group; the registry rebuilt
    before and after."""
    package = tmp_path / "plugin"
    package.mkdir()
    (package / "toy_modality.py").write_text(TOY_PACKAGE)
    monkeypatch.syspath_prepend(str(package))
    entries = {modality_module.ENTRY_POINT_GROUP: [metadata.EntryPoint("toy", "toy_modality:TOY",
                                                                       modality_module.ENTRY_POINT_GROUP)],
               registry.ENTRY_POINT_GROUP: [metadata.EntryPoint("toy", "toy_modality:READERS",
                                                                registry.ENTRY_POINT_GROUP)]}
    real = metadata.entry_points
    monkeypatch.setattr(metadata, "entry_points", lambda group: entries.get(group) or real(group=group))
    modality_module.reset_modalities()
    registry.reset_readers()
    study = tmp_path / "study"
    study.mkdir()
    (study / "study.toml").write_text(textwrap.dedent(MANIFEST))
    for name, text in (("a1", "0.20 0.01"), ("a2", "0.05 0.01"), ("b1", "0.30 0.02")):
        (study / f"{name}.toy").write_text(text)
    yield study
    modality_module.reset_modalities()
    registry.reset_readers()


def test_a_toy_modality_flows_from_the_manifest_to_the_report(toy, tmp_path):
    assert "toy" in modalities() and "xas" in modalities()  # joins the built-in ones
    study = redoxmap.load_study(toy)
    assert study.parameters["toy"].scale == 2.0
    result = redoxmap.run_study(study, store=False)
    assert [o.ok for o in result.sections["toy"]] == [True, True]
    amap = redoxmap.activation_map(result)
    r = amap.dataset["r"].sel(state="charge 1")
    assert float(r.sel(sample="A", probe="surface")) == pytest.approx(0.40)  # 0.20 x scale 2
    assert float(r.sel(sample="A", probe="bulk")) == pytest.approx(0.10)
    assert float(r.sel(sample="B", probe="surface")) == pytest.approx(0.60)
    assert np.isnan(float(r.sel(sample="B", probe="bulk")))
    index = redoxmap.write_report(result, tmp_path / "report")
    page = (index.parent / "toy.html").read_text()
    assert "Toy readings" in page and 'id="tab-toy_readings"' in page
    assert "toy.html" in index.read_text()  # the page bar links it


def test_the_toy_modalitys_parameters_and_files_are_checked_like_any_other(toy):
    manifest = toy / "study.toml"
    text = manifest.read_text()
    manifest.write_text(text.replace("scale = 2.0", "scael = 2.0"))
    with pytest.raises(ManifestError, match="scael.*did you mean 'scale'"):
        redoxmap.load_study(toy)
    manifest.write_text(text.replace("scale = 2.0", "scale = -1.0"))
    with pytest.raises(ManifestError, match="scale must be positive"):
        redoxmap.load_study(toy)
    manifest.write_text(text.replace('{file = "b1.toy", state = "charge 1"}', '"b1.toy"'))
    with pytest.raises(ManifestError, match="toy files are tables with state"):
        redoxmap.load_study(toy)
