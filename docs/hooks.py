"""MkDocs hook: the API reference pages, generated from each subpackage's public names.

Every subpackage lists its public names and their defining modules (``redoxmap._lazy.EXPORTS``);
one page per subpackage documents exactly those, so the reference can neither miss a public name
nor show a private one. A name that several subpackages export (a reader that ``redoxmap.xrd``
re-exports from ``redoxmap.io``) is documented once, on the first page of ``HOME_ORDER`` that
lists it, and linked from the others.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from mkdocs.structure.files import File

HOME_ORDER = ["redoxmap.cycling", "redoxmap.cv", "redoxmap.eis", "redoxmap.xas", "redoxmap.xrd", "redoxmap.tem",
              "redoxmap.xps", "redoxmap.dems", "redoxmap.sem", "redoxmap.model", "redoxmap.store", "redoxmap.study",
              "redoxmap.report", "redoxmap.io", "redoxmap"]
RESULTS = "redoxmap.results"


def _stem(package: str) -> str:
    return "redoxmap" if package == "redoxmap" else package.split(".")[1]


def _public() -> dict[str, dict[str, object]]:
    from redoxmap._lazy import EXPORTS

    modules = {package: importlib.import_module(package) for package in HOME_ORDER}  # fills EXPORTS
    return {package: {name: getattr(module, name) for name in sorted(EXPORTS[package])}
            for package, module in modules.items()}


def _homes(public) -> dict[int, str]:
    homes = {}
    for package in HOME_ORDER:
        for value in public[package].values():
            if callable(value):
                homes.setdefault(id(value), RESULTS if value.__module__ == RESULTS else package)
    return homes


def _page(package: str, public, homes) -> str:
    module = importlib.import_module(package)
    lines = [f"# {package}", "", (module.__doc__ or "").strip(), ""]
    for name, value in public[package].items():
        if not callable(value):
            lines += [f"### {name}", "", f"`{value!r}`", ""]
            continue
        path = f"{value.__module__}.{value.__qualname__}"
        if homes[id(value)] == package:
            lines += [f"::: {path}", "    options:", f"      heading: {name}", ""]
        else:
            summary = (value.__doc__ or "").strip().split("\n")[0]
            lines += [f"* [`{name}`][{path}]: {summary}", ""]
    return "\n".join(lines)


def on_files(files, config):
    public = _public()
    homes = _homes(public)
    for package in HOME_ORDER:
        files.append(File.generated(config, f"api/{_stem(package)}.md", content=_page(package, public, homes)))
    files.append(File.generated(config, "api/results.md", content=(
        f"# {RESULTS}\n\n::: {RESULTS}\n    options:\n      members: [FitResult, load_result]\n")))
    # the contributor's guide lives beside the README (where GitHub shows it); the site shows it too
    guide = Path(config.config_file_path).parent / "CONTRIBUTING.md"
    files.append(File.generated(config, "contributing.md",
                                content=guide.read_text(encoding="utf-8").replace("](docs/", "](")))
    return files


_SPHINX_ROLE = re.compile(r":(?:func|meth|class|mod|attr|data|exc|obj):(?=<code)")


def on_page_content(html, page, config, files):
    """The docstrings use Sphinx roles (``:func:`name```); show the name alone."""
    return _SPHINX_ROLE.sub("", html)
