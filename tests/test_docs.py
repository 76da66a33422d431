"""The documentation: examples that import only public names, and a site that builds clean with every
notebook executed on the bundled data."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


def _code_blocks(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def _redoxmap_names(code: str) -> list[tuple[str, str]]:
    """``(module, name)`` of every ``from redoxmap... import name`` and ``import redoxmap...``."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("redoxmap"):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("redoxmap")]
    return found


@pytest.mark.parametrize("path", PAGES + NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_use_public_names_only(path):
    blocks = _code_blocks(path)
    for module, name in (pair for block in blocks for pair in _redoxmap_names(block)):
        assert module.count(".") <= 1, f"{path.name} imports from a deep module: {module}"
        if name:
            public = getattr(importlib.import_module(module), "__all__", ())
            assert name in public, f"{path.name}: {module}.{name} is not public"


def test_every_notebook_is_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert len(NOTEBOOKS) >= 5
    assert all(f"notebooks/{nb.name}" in nav for nb in NOTEBOOKS)


@pytest.mark.slow
def test_the_site_builds_clean_and_every_notebook_runs(tmp_path):
    """``mkdocs build --strict``: a docstring mkdocstrings cannot read, a broken link or a notebook cell
    that raises fails the build. Run from a scratch folder, so nothing is written beside the sources."""
    site = tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"),
                            "-d", str(site)], cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False)
    assert build.returncode == 0, build.stderr[-3000:]
    for page in ["index.html", "api/xrd.html", "api/results.html", "guide/results.html",
                 *(f"notebooks/{nb.stem}.html" for nb in NOTEBOOKS)]:
        assert (site / page).is_file(), page
    for notebook in NOTEBOOKS:
        html = (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html and "image/png" in html, notebook.name
    assert "read_pattern" in (site / "api" / "xrd.html").read_text(encoding="utf-8")
