"""A study's per-sample tasks: for one sample (or one cell), everything one modality's report
section shows, computed in one call from the analysis packages (:mod:`redoxmap.cycling`,
:mod:`redoxmap.xas`, :mod:`redoxmap.xrd`, :mod:`redoxmap.tem`, :mod:`redoxmap.eis`,
:mod:`redoxmap.model`). They sit above those packages and below the report."""
