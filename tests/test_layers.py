"""The shape of the library: data flows io -> analysis -> study -> report, with no upward import and no
cycle (imports inside functions count too: a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "redoxmap"
# Layer of each top-level part of the package: a module may import from its own layer and below.
LAYERS = {
    "_version": 0, "_lazy": 0, "errors": 0, "fitting": 0, "formatting": 0, "batch_lm": 0, "resources": 0,
    "defaults": 0, "palette": 0, "_plugins": 0, "processes": 0, "progress": 0,
    "results": 1,  # saves through io.tables
    "io": 1,
    "cycling": 2, "xas": 2, "xrd": 2, "tem": 2, "eis": 2, "cv": 2, "model": 2, "xps": 2, "dems": 2, "sem": 2,
    "store": 2,  # keeps what cycling.read decodes
    "study": 3,
    "report": 4,
    "cli": 5, "demo": 5,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every redoxmap module a file imports, at any depth of its code (``from package import submodule``
    depends on the submodule, not on the package's ``__init__``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("redoxmap") and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("redoxmap"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for target in _imports(path, set(modules)):
            while target not in modules and "." in target:  # "redoxmap.x.name" -> the module "redoxmap.x"
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_part_has_a_layer():
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.stem != "__init__")}
    assert parts <= set(LAYERS), parts - set(LAYERS)


def test_no_module_imports_upwards():
    upward = []
    for source, targets in _graph().items():
        level = _layer(source)
        if level is None:  # the package's own __init__: the lazy public face of every layer
            continue
        upward += [f"{source} -> {t}" for t in targets if _layer(t) is not None and _layer(t) > level]
    assert not upward, "\n".join(sorted(upward))


def test_the_import_graph_has_no_cycle():
    graph = {k: {t for t in v if t != "redoxmap"} for k, v in _graph().items() if k != "redoxmap"}
    state, cycles = {}, []

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)
