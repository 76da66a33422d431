"""Every option a message or help text of redoxmap names (``--offset-s``, ``--format``, ...) is an option
of some command: no hint points at an option that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from redoxmap.cli import app

SOURCE = Path(__file__).resolve().parents[1] / "src" / "redoxmap"
# Options of other programs that redoxmap's texts name on purpose.
FOREIGN = {"--run-slow", "--help", "--install-completion", "--show-completion"}


def _options(command, context=None) -> set[str]:
    """Every option of a command and its subcommands. Typer vendors its own click, so groups are found by
    what they do (``list_commands``), not by class."""
    context = context or command.context_class(command)
    found = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    if hasattr(command, "list_commands"):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            found |= _options(sub, sub.context_class(sub, parent=context))
    return found


def test_every_option_named_in_the_source_exists():
    options = _options(typer.main.get_command(app))
    named = {}
    for path in SOURCE.rglob("*.py"):
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*", path.read_text(encoding="utf-8")):
            named.setdefault(option, path.relative_to(SOURCE).as_posix())
    missing = {o: where for o, where in named.items() if o not in options and o not in FOREIGN}
    assert not missing, missing


def test_one_name_per_concept():
    """A temperature in °C is --temperature in every command that takes one."""
    options = _options(typer.main.get_command(app))
    assert "--temperature" in options
    assert not {o for o in options if re.fullmatch(r"--temperatures?-?c?", o)} - {"--temperature", "--temperatures",
                                                                                   "--temperature-c"}
