"""A manifest section is a typed dataclass: its defaults are of the TOML types it declares, each study
gets its own copy of a default list, and every ``parameters.<name>`` the library reads is a declared
field (checked here on the source, so that a misspelt name fails this test, not a user's run)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import redoxmap
from redoxmap.study import modalities
from redoxmap.study.manifest import ANALYSES
from redoxmap.study.modality import parameter_specs

SECTIONS = {**{name: m.parameters for name, m in modalities().items()}, **ANALYSES}
SOURCE = Path(redoxmap.__file__).parent


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_default_is_of_its_declared_type(name):
    for key, spec in parameter_specs(SECTIONS[name]).items():
        assert spec.help, f"[{name}] {key} has no help"
        assert isinstance(spec.default, spec.kind), f"[{name}] {key}: default {spec.default!r} is not {spec.kind}"
        if spec.choices and isinstance(spec.default, str):
            assert spec.default in spec.choices, f"[{name}] {key}: default not among its choices"


def test_a_section_is_frozen_and_its_default_lists_are_its_own():
    first, second = SECTIONS["cycling"](), SECTIONS["cycling"]()
    first.profile_cycles.append(99)
    assert 99 not in second.profile_cycles and 99 not in parameter_specs(SECTIONS["cycling"])["profile_cycles"].default
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.smoothing_V = 0.01


def _annotated_reads(tree: ast.AST) -> list[tuple[str, str, int]]:
    """``(class name, attribute, line)`` for every ``parameters.<attribute>`` read in a function whose
    ``parameters`` argument is annotated with a section class."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        annotated = {a.arg: a.annotation.id for a in node.args.args + node.args.kwonlyargs
                     if isinstance(a.annotation, ast.Name)}
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name)
                    and inner.value.id in annotated):
                found.append((annotated[inner.value.id], inner.attr, inner.lineno))
    return found


def test_every_parameter_the_library_reads_is_declared():
    classes = {kind.__name__: kind for kind in SECTIONS.values()}
    reads = 0
    for path in sorted(SOURCE.rglob("*.py")):
        for cls, attribute, line in _annotated_reads(ast.parse(path.read_text())):
            if cls in classes:
                reads += 1
                known = {*parameter_specs(classes[cls]), *dir(classes[cls])}  # fields, methods, properties
                assert attribute in known, f"{path.name}:{line}: {cls} has no {attribute!r}"
    assert reads > 60  # the tasks, checks and map records of every modality
