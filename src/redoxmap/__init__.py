"""redoxmap: which part of a cathode's redox is working, where in the particle, since which cycle.

The public entry points for scripts are :func:`read_cycling` and the analysis
subpackages (:mod:`redoxmap.cycling`, :mod:`redoxmap.study`, :mod:`redoxmap.report`).
Importing ``redoxmap`` is cheap: plotting, fitting and file-format libraries load on use.
"""

from redoxmap._version import __version__
from redoxmap.cycling.read import cell_metadata, read_cycling

__all__ = ["__version__", "cell_metadata", "read_cycling"]
