"""No function grows past what one screen explains without saying why: a function of more than
MAX_LINES lines of code (its docstring left out) has a ``Notes`` section that gives the reason it is
one function (CONTRIBUTING.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "redoxmap"
MAX_LINES = 80  # about what one screen shows with its docstring folded


def _code_lines(node: ast.FunctionDef) -> int:
    first = node.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
        first.value.value, str)
    start = first.end_lineno + 1 if docstring and len(node.body) > 1 else first.lineno
    return node.end_lineno - start + 1


def test_every_long_function_says_why_it_is_one():
    unexplained = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            long = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _code_lines(node) > MAX_LINES
            if long and "Notes\n" not in (ast.get_docstring(node) or ""):
                unexplained.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({_code_lines(node)} lines)")
    assert not unexplained, "\n".join(unexplained)
