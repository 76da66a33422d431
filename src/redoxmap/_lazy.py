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
