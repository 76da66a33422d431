"""Damaged manifests: every value of the demo study's manifest replaced, one at a time, by a hostile one
(a wrong type, an empty list, a 5,000-character name, a path that is no file), and text nested 100,000
deep: each is loaded or refused with a ManifestError naming the manifest, never another exception."""

from __future__ import annotations

import copy
import shutil
import tomllib
from importlib.resources import files

import pytest

from redoxmap.errors import ManifestError
from redoxmap.study.manifest import load_study

HOSTILE = (0, 1e308, "", "x" * 5000, [], [[]], {}, [1, 2, 3], True, [{"file": "absent.csv"}], "/dev/zero",
           {"file": []})


def _paths(value, prefix=()):
    """Every key and list index of a parsed manifest, as a path from its root."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    shutil.copytree(files("redoxmap") / "demo_data", folder, dirs_exist_ok=True)
    return folder, tomllib.loads((folder / "study.toml").read_text())


def test_every_value_replaced_by_a_hostile_one(demo):
    tomli_w = pytest.importorskip("tomli_w")
    folder, base = demo
    escaped = []
    for path in _paths(base):
        for value in HOSTILE:
            document = copy.deepcopy(base)
            parent = document
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = value
            (folder / "study.toml").write_text(tomli_w.dumps(document))
            try:
                load_study(folder)
            except ManifestError as exc:
                assert str(folder / "study.toml") in str(exc)
            except Exception as exc:  # noqa: BLE001 - what the test looks for
                escaped.append(f"{'.'.join(map(str, path))} = {value!r:.40}: {type(exc).__name__}: {exc}")
    assert not escaped, "\n".join(escaped[:20])


def test_nesting_beyond_the_recursion_limit(tmp_path):
    (tmp_path / "study.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ManifestError, match="nested"):
        load_study(tmp_path)
