"""Type stub of the lazy exports of redoxmap.

Written by ``python -m redoxmap._lazy``; tests/test_stubs.py keeps it true.
"""

from redoxmap import cv as cv
from redoxmap import cycling as cycling
from redoxmap import dems as dems
from redoxmap import eis as eis
from redoxmap import errors as errors
from redoxmap import io as io
from redoxmap import model as model
from redoxmap import report as report
from redoxmap import sem as sem
from redoxmap import store as store
from redoxmap import study as study
from redoxmap import tem as tem
from redoxmap import xas as xas
from redoxmap import xps as xps
from redoxmap import xrd as xrd
from redoxmap._version import __version__ as __version__
from redoxmap.cycling.read import cell_metadata as cell_metadata
from redoxmap.cycling.read import read_cycling as read_cycling
from redoxmap.report.build import write_report as write_report
from redoxmap.resources import demo_source as demo_source
from redoxmap.results import load_result as load_result
from redoxmap.study.manifest import load_study as load_study
from redoxmap.study.map_dataset import ActivationMap as ActivationMap
from redoxmap.study.map_dataset import activation_map as activation_map
from redoxmap.study.run import run_study as run_study

__all__ = [
    "ActivationMap",
    "__version__",
    "activation_map",
    "cell_metadata",
    "demo_source",
    "load_result",
    "load_study",
    "read_cycling",
    "run_study",
    "write_report",
    "cv",
    "cycling",
    "dems",
    "eis",
    "errors",
    "io",
    "model",
    "report",
    "sem",
    "store",
    "study",
    "tem",
    "xas",
    "xps",
    "xrd",
]
