"""redoxmap: which part of a cathode's redox is working, where in the particle, since which cycle.

The public entry points for scripts are :func:`read_cycling`, :func:`activation_map` and the
analysis subpackages (:mod:`redoxmap.cycling`, :mod:`redoxmap.study`, :mod:`redoxmap.report`).
Importing ``redoxmap`` is cheap: plotting, fitting and file-format libraries load on use.
"""

from redoxmap._version import __version__
from redoxmap.cycling.read import cell_metadata, read_cycling

__all__ = ["__version__", "activation_map", "cell_metadata", "read_cycling"]


def __getattr__(name: str):
    # The activation map pulls in the study machinery: load it on first use, not on import.
    if name == "activation_map":
        from redoxmap.study.activation_map import activation_map

        return activation_map
    raise AttributeError(f"module 'redoxmap' has no attribute {name!r}")
