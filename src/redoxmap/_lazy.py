"""The public face of each subpackage, loaded on first use.

Each ``__init__.py`` lists its public names and the module that defines each one; a name
is imported when it is first touched (PEP 562), so ``import redoxmap.xrd`` costs nothing
until a function is used, and ``dir()``/tab completion in Jupyter shows every public name.
lazy_loader, which scikit-image uses for this, only resolves modules inside the package
itself; our subpackages also re-export their readers from :mod:`redoxmap.io`, so this
small helper takes absolute module names instead.
"""

from __future__ import annotations

import importlib
import sys

EXPORTS: dict[str, dict[str, str]] = {}
"""Package -> public name -> the module that defines it (for the API reference and the tests)."""
SUBMODULES: dict[str, tuple[str, ...]] = {}
"""Package -> its subpackages reachable as attributes."""


def attach(package: str, exports: dict[str, list[str]], submodules: tuple[str, ...] = ()):
    """Lazy ``__getattr__``, ``__dir__`` and ``__all__`` for a package.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict of str to list of str
        Absolute module name -> the public names it defines.
    submodules : tuple of str
        Subpackages reachable as attributes (``redoxmap.xrd`` after ``import redoxmap``).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__, __all__)`` to assign in the package's namespace.
    """
    origin = {name: module for module, names in exports.items() for name in names}
    duplicated = len(origin) != sum(len(names) for names in exports.values())
    if duplicated:
        raise ImportError(f"{package}: a public name is listed twice")
    public = sorted(origin) + sorted(submodules)
    EXPORTS[package] = origin
    SUBMODULES[package] = tuple(submodules)

    def __getattr__(name: str):
        if name in origin:
            value = getattr(importlib.import_module(origin[name]), name)
        elif name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return list(public)

    return __getattr__, __dir__, list(public)


def stub(package: str) -> str:
    """The text of a lazily exporting package's ``__init__.pyi``: each public name imported from the
    module that defines it, so that type checkers and editors (go to definition, completion) see
    through :func:`attach`. ``python -m redoxmap._lazy`` writes every package's stub; a test keeps
    them equal to this text.
    """
    importlib.import_module(package)
    lines = [f'"""Type stub of the lazy exports of {package}.', "",
             'Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.', '"""', ""]
    for name in SUBMODULES[package]:
        lines.append(f"from {package} import {name} as {name}")
    by_module: dict[str, list[str]] = {}
    for name, module in EXPORTS[package].items():
        by_module.setdefault(module, []).append(name)
    for module in sorted(by_module):
        lines += [f"from {module} import {name} as {name}" for name in sorted(by_module[module])]
    public = sorted(EXPORTS[package]) + sorted(SUBMODULES[package])
    lines += ["", "__all__ = [", *[f'    "{name}",' for name in public], "]", ""]
    return "\n".join(lines)


def lazy_packages() -> list[str]:
    """Every package of redoxmap whose ``__init__`` exports lazily (imported here, cheaply)."""
    import pkgutil

    import redoxmap

    names = ["redoxmap"] + [f"redoxmap.{m.name}" for m in pkgutil.iter_modules(redoxmap.__path__) if m.ispkg]
    for name in names:
        importlib.import_module(name)
    return [name for name in names if name in EXPORTS]


def write_stubs() -> list[str]:
    """Write ``__init__.pyi`` beside every lazily exporting package's ``__init__.py``; returns their paths."""
    from pathlib import Path

    written = []
    for package in lazy_packages():
        path = Path(sys.modules[package].__file__).with_suffix(".pyi")
        path.write_text(stub(package), encoding="utf-8")
        written.append(str(path))
    return written


if __name__ == "__main__":  # run as a script this file is a second module: use the package's own
    print("\n".join(importlib.import_module("redoxmap._lazy").write_stubs()))
