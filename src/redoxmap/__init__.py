"""redoxmap: which part of a cathode's redox is working, where in the particle, since which cycle.

From raw lab files to an activation map. The whole study in three calls::

    import redoxmap
    result = redoxmap.run_study("my-study/")          # every file of the manifest, analysed
    amap = redoxmap.activation_map(result)             # joined per sample, state and probe
    redoxmap.write_report(result, "report/")           # HTML report that opens with the findings

Each modality has its subpackage (:mod:`redoxmap.cycling`, :mod:`redoxmap.cv`,
:mod:`redoxmap.eis`, :mod:`redoxmap.xas`, :mod:`redoxmap.xrd`, :mod:`redoxmap.tem`,
:mod:`redoxmap.xps`, :mod:`redoxmap.dems`, :mod:`redoxmap.sem`), the
physical model of activation is :mod:`redoxmap.model`, file readers are :mod:`redoxmap.io`.
Importing ``redoxmap`` is cheap: every name loads on first use.
"""

from redoxmap._lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "redoxmap._version": ["__version__"],
    "redoxmap.cycling.read": ["read_cycling", "cell_metadata"],
    "redoxmap.study.map_dataset": ["activation_map", "ActivationMap"],
    "redoxmap.study.manifest": ["load_study"],
    "redoxmap.study.run": ["run_study"],
    "redoxmap.report.build": ["write_report"],
    "redoxmap.resources": ["demo_source"],
    "redoxmap.results": ["load_result"],
}, submodules=("cv", "cycling", "dems", "eis", "errors", "io", "model", "report", "sem", "store", "study", "tem",
                                  "xas", "xps", "xrd"))
