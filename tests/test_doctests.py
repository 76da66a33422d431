"""The examples in redoxmap's docstrings run, and say what they print.

Every module of the installed package is searched (as ``pytest --doctest-modules`` would, but on the
package the tests import, so that a non-editable install is checked as it is shipped); each example
runs in its module's namespace, with floating-point output compared as written. An example that needs
a user's own files is marked ``# doctest: +SKIP`` and does not count.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import redoxmap

MIN_EXAMPLES = 20  # runnable examples over the public entry points (issue 29)


def _modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(redoxmap.__path__, "redoxmap.")
             if not m.name.startswith("redoxmap.cli")]  # the CLI's examples are its --help epilogs
    return sorted(names)


def _tests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        found += [test for test in finder.find(module, name) if test.examples]
    return found


TESTS = _tests()


def _runnable(test) -> int:
    return sum(not example.options.get(doctest.SKIP, False) for example in test.examples)


def test_there_are_enough_runnable_examples():
    assert sum(_runnable(t) for t in TESTS) >= MIN_EXAMPLES


@pytest.mark.parametrize("test", [t for t in TESTS if _runnable(t)], ids=lambda t: t.name)
def test_the_example_runs_as_written(test, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output = []
    runner.run(test, out=output.append, clear_globs=True)
    assert runner.failures == 0, "".join(output)
