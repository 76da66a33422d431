"""Every lazily exporting package has a type stub (``__init__.pyi``) that says what it exports and
where each name is defined, so that editors and type checkers see through the lazy loading: the stub
must equal what ``python -m redoxmap._lazy`` writes, and every name it imports must exist there."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

from redoxmap import _lazy

PACKAGES = _lazy.lazy_packages()


def test_every_lazy_package_is_found():
    assert {"redoxmap", "redoxmap.xas", "redoxmap.cycling", "redoxmap.study", "redoxmap.io"} <= set(PACKAGES)
    assert len(PACKAGES) >= 15


@pytest.mark.parametrize("package", PACKAGES)
def test_the_stub_is_current_and_its_names_exist(package):
    path = Path(sys.modules[package].__file__).with_suffix(".pyi")
    assert path.is_file(), f"{path} is missing: run `python -m redoxmap._lazy`"
    text = path.read_text(encoding="utf-8")
    assert text == _lazy.stub(package), f"{path} is stale: run `python -m redoxmap._lazy`"
    imported = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), \
                    f"{package}: {node.module} has no {alias.name}"
                imported.add(alias.asname)
    assert imported == set(importlib.import_module(package).__all__)


def test_the_package_is_marked_typed():
    assert (Path(sys.modules["redoxmap"].__file__).parent / "py.typed").is_file()
