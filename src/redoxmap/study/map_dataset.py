"""The activation map: every measurement of a study joined per sample, state and probing depth.

An :class:`ActivationMap` holds an xarray Dataset with dimensions

* ``sample`` (the study's samples, with their temperature, chemistry and electrode as coordinates),
* ``state`` (pristine, then charge n / discharge n / cycle n in the order they happen; coordinates
  ``cycle`` and ``half``; see :mod:`redoxmap.study.states`),
* ``probe``: ``surface`` (TEY/PEY, a few nm), ``bulk`` (iPFY/TFY/PFY/transmission, ~100 nm and more)
  and ``electrode`` (electrochemistry, XRD, EIS), with ``probing_depth_nm`` as a coordinate,
* ``cycle`` for the per-cycle electrochemistry, and ``model_depth_nm`` for the model's a(z).

Every measured variable ``X`` has ``X_stderr`` (its standard error) and ``X_source`` (the files it
came from), and attributes ``units``, ``long_name``, ``method``. Variables of the fitted model are
called ``model_*`` and say so in their ``long_name``. :meth:`ActivationMap.findings` derives the
answers (since which cycle, where, how fast) and the verdicts from the map alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from redoxmap._version import __version__
from redoxmap.errors import AnalysisError, FormatError, ReadError
from redoxmap.study.budget import COMPONENTS, floor_key, total_error
from redoxmap.study.capacities import DISCHARGE_CAPACITIES
from redoxmap.study.map_options import MapOptions
from redoxmap.study.map_records import (
    BUDGET_COLUMNS,
    PROBES,
    Records,
    collect,
    described_variables,
    measured_by_sample,
    quantity,
    valence_variables,
)
from redoxmap.study.modality import parameters_from
from redoxmap.study.states import State


def _sample_coordinates(samples, options: MapOptions) -> dict[str, tuple]:
    def value(sample, key):
        found = getattr(sample, key, None)
        return np.nan if found is None else found

    return {
        "temperature_C": ("sample", np.array([value(s, "temperature_C") for s in samples], float)),
        "chemistry": ("sample", np.array([getattr(s, "chemistry", None) or "" for s in samples], object)),
        "electrode": ("sample", np.array([getattr(s, "electrode", "cathode") for s in samples], object)),
        "cell_type": ("sample", np.array([getattr(s, "cell_type", None) or "" for s in samples], object)),
        "redox_regions": ("sample", np.array([";".join(f"{k}={v}" for k, v in options.regions_for(s).items())
                                             for s in samples], object)),
        "conditions": ("sample", np.array([json.dumps(_conditions(s), sort_keys=True) for s in samples], object)),
        # a simulated (virtual) cell's numbers are marked as such wherever they are quoted
        "simulated": ("sample", np.array([bool(getattr(s, "simulated", False)) for s in samples], bool)),
    }


def _conditions(sample) -> dict:
    """A sample's conditions (:attr:`redoxmap.study.manifest.Sample.conditions`, or the fields of a
    sample row of :func:`map_from_table`)."""
    found = getattr(sample, "conditions", None)
    if isinstance(found, dict):
        return found
    skip = {"name", "cells", "description"}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in vars(sample).items()
            if k not in skip and not _blank(v)}


def _cf(variable: str) -> dict:
    found = quantity(variable)
    return {"long_name": found.long_name, "units": found.unit, "method": found.method,
            "ancillary_variables": f"{variable}_stderr"}


def build_dataset(records: Records, samples, *, options: MapOptions, probing_depth_nm: dict[str, float],
                  attrs: dict):
    """The map's Dataset from its records (see :mod:`redoxmap.study.map_records`)."""
    import xarray as xr

    names = [s.name for s in samples]
    budget = [*BUDGET_COLUMNS, "n"]
    states = pd.DataFrame(records.states, columns=["sample", "state", "state_name", "cycle", "half", "probe",
                                                   "variable", "value", "stderr", "source", "options", *budget])
    known = {}
    for row in states.itertuples():
        known.setdefault(row.state, State(row.state, row.cycle, row.half, row.state_name))
    order = [s.label for s in sorted(known.values(), key=lambda s: s.sort_key)]
    cycle_rows = pd.DataFrame(records.cycles, columns=["sample", "cycle", "variable", "value", "stderr", "source",
                                                       *budget])
    model = records.model
    cycles = sorted(set(cycle_rows["cycle"].astype(int)) | set(np.asarray(model.get("cycle", []), int).tolist()))
    dataset = xr.Dataset(coords={
        "sample": ("sample", np.array(names, object)),
        "state": ("state", np.array(order, object)),
        "probe": ("probe", np.array(PROBES, object)),
        "cycle": ("cycle", np.array(cycles, int)),
        **_sample_coordinates(samples, options),
        "state_cycle": ("state", np.array([known[s].cycle for s in order], float)),
        "half": ("state", np.array([known[s].half for s in order], object)),
        "probing_depth_nm": ("probe", np.array([probing_depth_nm.get(p, np.nan) for p in PROBES], float)),
        "error_component": ("error_component", np.array(COMPONENTS, object)),
        "cells": ("sample", np.array([records.cells.get(n, 0) for n in names], int)),
    })
    dataset["probing_depth_nm"].attrs.update(units="nm", long_name="1/e probing depth of the detection mode")
    dataset["state_cycle"].attrs.update(long_name="cycle of the state (0: pristine; NaN: unknown)")
    shape = (len(names), len(order), len(PROBES))
    index = {"sample": {n: k for k, n in enumerate(names)}, "state": {s: k for k, s in enumerate(order)},
             "probe": {p: k for k, p in enumerate(PROBES)}, "cycle": {c: k for k, c in enumerate(cycles)}}
    floors = options.floors
    for variable, part in states.groupby("variable", sort=True):
        value = np.full(shape, np.nan)
        source = np.full(shape, "", dtype=object)
        components, count = np.full((*shape, len(COMPONENTS)), np.nan), np.zeros(shape, int)
        for row in part.itertuples():
            at = (index["sample"][row.sample], index["state"][row.state], index["probe"][row.probe])
            value[at], source[at], count[at] = row.value, row.source, row.n
            components[at] = _components(row, floors, variable)
        dims = ("sample", "state", "probe")
        options_text = "; ".join(sorted({o for o in part["options"] if o}))
        dataset[variable] = (dims, value, {**_cf(variable), **({"options": options_text} if options_text else {})})
        _add_errors(dataset, variable, dims, components, count, floors)
        dataset[f"{variable}_source"] = (dims, source, {"long_name": f"files behind {variable}"})
    for variable, part in cycle_rows.groupby("variable", sort=True):
        value = np.full((len(names), len(cycles)), np.nan)
        components = np.full((len(names), len(cycles), len(COMPONENTS)), np.nan)
        count = np.zeros((len(names), len(cycles)), int)
        source = np.full((len(names), len(cycles)), "", dtype=object)
        for row in part.itertuples():
            at = (index["sample"][row.sample], index["cycle"][int(row.cycle)])
            value[at], count[at], source[at] = row.value, row.n, row.source if isinstance(row.source, str) else ""
            components[at] = _components(row, floors, variable)
        dataset[variable] = (("sample", "cycle"), value, _cf(variable))
        _add_errors(dataset, variable, ("sample", "cycle"), components, count, floors)
        # Each number's own file, as the states' variables have it: one attribute naming every cell's file, copied
        # to every row of table(), grew as cells squared (7.5 GB at 1,000 cells)
        dataset[f"{variable}_source"] = (("sample", "cycle"), source, {"long_name": f"files behind {variable}"})
    if model:
        _add_model(dataset, model, index)
    dataset.attrs.update(attrs)
    from redoxmap.study.evidence import pristine_only

    dataset.attrs["pristine_samples"] = json.dumps(pristine_only(dataset))
    return dataset


def _components(row, floors: dict[str, float], variable: str) -> list[float]:
    """A record's error components in the order of :data:`redoxmap.study.budget.COMPONENTS`."""
    key = floor_key(variable)
    return [row.stderr, row.replicates, floors[key] if key else np.nan, row.choice, row.references]


def _add_errors(dataset, variable: str, dims: tuple, components: np.ndarray, count: np.ndarray,
                floors: dict[str, float]) -> None:
    """``X_stderr`` (the combined error), ``X_budget`` (its components) and ``X_replicates``."""
    unit = quantity(variable).unit
    key = floor_key(variable)
    dataset[f"{variable}_budget"] = ((*dims, "error_component"), components,
                                     {"long_name": f"error budget of {variable} (standard errors)", "units": unit})
    dataset[f"{variable}_stderr"] = (dims, total_error(*np.moveaxis(components, -1, 0)),
                                     {"long_name": f"standard error of {variable}: sqrt(max(statistical, "
                                                   "replicates)^2 + floor^2 + choice^2 + references^2)",
                                      "units": unit, "floor": floors[key] if key else 0.0,
                                      "floor_key": key or ""})
    dataset[f"{variable}_replicates"] = (dims, count, {"long_name": f"measurements {variable} is the mean of"})


MODEL_NOTE = "MODEL, not a measurement: the cycle-resolved activation model fitted to this study"


def _add_model(dataset, model: dict, index: dict) -> None:
    import xarray as xr

    rows = [index["sample"][s] for s in model["samples"]]
    columns = [index["cycle"][int(c)] for c in model["cycle"]]
    n_samples, n_cycles = dataset.sizes["sample"], dataset.sizes["cycle"]
    depth = np.asarray(model["depth_nm"], float)
    dataset.coords["model_depth_nm"] = ("model_depth_nm", depth, {"units": "nm",
                                                                  "long_name": "depth below the particle surface"})

    def place(values, extra_shape=()):
        out = np.full((n_samples, n_cycles, *extra_shape), np.nan)
        for k, row in enumerate(rows):
            out[row, columns] = values[k]
        return out

    fields = {
        "model_activated_fraction": (("sample", "cycle", "model_depth_nm"), "a", "a_stderr", (len(depth),), "1",
                                     "activated fraction a(z) of the Li2MnO3 domains after each charge"),
        "model_front_nm": (("sample", "cycle"), "front_nm", "front_stderr_nm", (), "nm",
                           "activation front: deepest depth with a >= 1/2 (NaN before it forms)"),
    }
    for name, (dims, key, error_key, extra, unit, long_name) in fields.items():
        dataset[name] = (dims, place(model[key], extra), {"units": unit, "long_name": f"{MODEL_NOTE}: {long_name}",
                                                          "ancillary_variables": f"{name}_stderr"})
        dataset[f"{name}_stderr"] = (dims, place(model[error_key], extra),
                                     {"units": unit, "long_name": f"standard deviation of {name} over "
                                                                  f"{model['draws']} parameter draws"})
    for name, key in (("model_front_low_nm", "front_low_nm"), ("model_front_high_nm", "front_high_nm")):
        dataset[name] = (("sample", "cycle"), place(model[key]),
                         {"units": "nm", "long_name": f"{MODEL_NOTE}: {'2.5' if 'low' in name else '97.5'} % "
                                                      "of the front depth over the parameter draws"})
    r = np.full((n_samples, n_cycles, len(PROBES)), np.nan)
    r_error = np.full_like(r, np.nan)
    for k, row in enumerate(rows):
        r[row, columns, :2] = model["r"][k]
        r_error[row, columns, :2] = model["r_stderr"][k]
    dataset["model_r"] = (("sample", "cycle", "probe"), r,
                          {"units": "1", "long_name": f"{MODEL_NOTE}: r seen by each probe after each charge",
                           "ancillary_variables": "model_r_stderr"})
    dataset["model_r_stderr"] = (("sample", "cycle", "probe"), r_error, {"units": "1"})
    for name, key in (("model_front_speed_nm_cycle", "front_speed_nm_cycle"),
                      ("model_front_speed_low", "front_speed_low"), ("model_front_speed_high", "front_speed_high")):
        values = np.full(n_samples, np.nan)
        values[rows] = model[key]
        dataset[name] = xr.DataArray(values, dims=("sample",), attrs={
            "units": "nm/cycle", "long_name": f"{MODEL_NOTE}: mean speed of the activation front"
            + ("" if name.endswith("cycle") else f" ({'2.5' if 'low' in name else '97.5'} % of the draws)")})
    dataset.attrs["model_parameters"] = model["parameters"]
    dataset.attrs["model_intervals"] = model["intervals"]
    dataset.attrs["model_radius_nm"] = float(model["radius_nm"])


MISSING = {
    "cycling": "since which cycle, from the capacity by voltage region per cycle (cycling files with an active mass)",
    "o_k": "where oxygen redox works, surface against bulk "
           "(O K-edge spectra in TEY and iPFY/TFY after numbered charges)",
    "tm": "whether TM redox is uniform (Ni, Co or Mn L-edge spectra in TEY and a bulk mode, with a pristine state)",
    "xrd": "whether the Li2MnO3 domains took part ((020) against (003) in XRD)",
    "eis": "the interface resistance that throttles activation (impedance spectra)",
}


HTML_ROWS = 20  # numbers a notebook shows of a map (table() has them all)


class ActivationMap:
    """Every measurement of a study per sample, state and probe, with errors and provenance.

    Build one with :func:`activation_map`; ``.dataset`` is the xarray Dataset, ``.table()`` a long
    table, ``.findings()`` the derived answers and verdicts.

    Examples
    --------
    >>> import redoxmap
    >>> amap = redoxmap.activation_map("my-study/")        # doctest: +SKIP
    >>> amap.dataset["r"].sel(probe="surface")               # doctest: +SKIP
    >>> print(amap.findings().text())                        # doctest: +SKIP
    """

    def __init__(self, dataset, options: MapOptions | None = None) -> None:
        self.dataset = dataset
        self.options = options or parameters_from(MapOptions, json.loads(dataset.attrs.get("map_options", "{}")))

    def __repr__(self) -> str:
        variables = [v for v in self.measured_variables()]
        return (f"<ActivationMap {self.dataset.attrs.get('study', '')!r}: {self.dataset.sizes['sample']} samples, "
                f"{self.dataset.sizes['state']} states, variables {', '.join(variables) or 'none'}>")

    def measured_variables(self) -> list[str]:
        """The measured (not model, not error or source) variables."""
        return described_variables(self.dataset)

    def table(self) -> pd.DataFrame:
        """One row per measured number: sample, state, cycle, half, probe, probing depth, variable,
        value, stderr, unit, source (the model's variables are left out)."""
        columns = ["sample", "state", "state_cycle", "half", "probe", "probing_depth_nm", "cycle", "variable",
                   "value", "stderr", *(f"{c}_stderr" for c in COMPONENTS), "replicates", "unit", "source"]
        rows = [self._rows(variable) for variable in self.measured_variables()]
        if not rows:
            return pd.DataFrame(columns=columns)
        table = pd.concat(rows, ignore_index=True)
        return table[[c for c in columns if c in table]]

    def _rows(self, variable: str) -> pd.DataFrame:
        """:meth:`table`'s rows of one variable: only its measured positions are taken from the arrays (the
        whole sample x cycle grid, built first and then emptied of its NaN, was most of a campaign's table)."""
        ds, array = self.dataset, self.dataset[variable]
        values = array.to_numpy()
        kept = np.nonzero(~np.isnan(values))
        at = dict(zip(array.dims, kept))
        frame = {name: coordinate.to_numpy()[at[coordinate.dims[0]]] for name, coordinate in array.coords.items()
                 if coordinate.ndim == 1 and coordinate.dims[0] in at}
        frame.update(value=values[kept], stderr=ds[f"{variable}_stderr"].to_numpy()[kept])
        if f"{variable}_budget" in ds:
            parts = ds[f"{variable}_budget"].to_numpy()[kept]
            frame.update({f"{component}_stderr": parts[:, k]
                          for k, component in enumerate(ds["error_component"].to_numpy())})
            frame["replicates"] = ds[f"{variable}_replicates"].to_numpy()[kept]
        # a map saved before each per-cycle number carried its own file holds them in one attribute
        frame["source"] = (ds[f"{variable}_source"].to_numpy()[kept] if f"{variable}_source" in ds
                           else array.attrs.get("source", ""))
        return pd.DataFrame(frame).assign(variable=variable, unit=array.attrs.get("units", ""))

    def findings(self, *, robustness: bool = True):
        """The derived answers and verdicts (:class:`redoxmap.study.findings.Findings`).

        Parameters
        ----------
        robustness : bool
            Also find, for each verdict, the systematic floor at which it would read differently
            (:mod:`redoxmap.study.robustness`; a few seconds for a study with spectra).
        """
        from redoxmap.study.findings import find
        from redoxmap.study.robustness import add_robustness

        findings = find(self)
        if robustness:
            add_robustness(findings, self)
        return findings

    def missing(self) -> pd.DataFrame:
        """Per sample, which question each missing kind of measurement would answer."""
        ds = self.dataset
        shares = [v for v in described_variables(ds) if v.startswith("charge_share_")]  # not their errors or files
        none = np.zeros(ds.sizes["sample"], bool)

        def measured(name: str, probe: str | None = None) -> np.ndarray:
            if name not in ds:
                return none
            return measured_by_sample(ds[name] if probe is None else ds[name].sel(probe=probe))

        def both_probes(name: str) -> np.ndarray:
            return measured(name, "surface") & measured(name, "bulk") if name in ds else none

        have = {
            "cycling": np.logical_or.reduce([measured(v) for v in [*shares, *DISCHARGE_CAPACITIES]] + [none]),
            "o_k": both_probes("r"),
            "tm": np.logical_or.reduce([both_probes(v) for v in valence_variables(ds)] + [none]),
            "xrd": measured("ratio_020_003"),
            "eis": measured("R_interface_ohm"),
        }
        rows = [{"sample": sample, "missing": key, "would_answer": MISSING[key]}
                for k, sample in enumerate(ds["sample"].to_numpy()) for key, present in have.items() if not present[k]]
        return pd.DataFrame(rows, columns=["sample", "missing", "would_answer"])

    def save(self, path: str | PathLike) -> Path:
        """Write the map as NetCDF (``.nc``, CF attributes) or as its long table (``.csv``, ``.parquet``)."""
        from redoxmap.io.tables import atomic_write, write_table

        path = Path(path)
        if path.suffix.lower() == ".nc":
            encoded = self.dataset.copy()
            for name in list(encoded.variables):  # NetCDF attributes hold text and numbers only
                encoded[name].attrs = {k: (v if isinstance(v, (str, int, float)) else json.dumps(v))
                                       for k, v in encoded[name].attrs.items()}
            return atomic_write(path, lambda tmp: encoded.to_netcdf(tmp, engine="h5netcdf"))
        return write_table(self.table(), path, csv_extensions=(".csv",))

    @classmethod
    def read(cls, path: str | PathLike) -> ActivationMap:
        """Read a map written by :meth:`save` as NetCDF."""
        import xarray as xr

        path = Path(path)
        if not path.is_file():
            raise ReadError("no such activation map file", path=path)
        try:
            with xr.open_dataset(path, engine="h5netcdf") as opened:
                dataset = opened.load()
        except (OSError, ValueError) as exc:
            raise FormatError(f"not an activation map NetCDF file ({exc})", path=path) from exc
        if not {"sample", "state", "probe"} <= set(dataset.dims):
            raise FormatError("a NetCDF file, but not an activation map (no sample, state and probe dimensions)",
                              path=path)
        return cls(dataset)

    def _repr_html_(self) -> str:
        """A compact view for notebooks: the determined verdicts with their samples, then the first
        :data:`HTML_ROWS` numbers of the map and how many there are (``table()`` has them all)."""
        from html import escape

        from redoxmap.formatting import readable_header, value_error_table

        findings = self.findings()
        determined = [v for v in findings.verdicts if v.determined]
        verdicts = "".join(f"<li><b>{escape(v.sample)}</b>: {escape(v.headline)}</li>" for v in determined)
        table = self.table()
        view = value_error_table(table.head(HTML_ROWS), value="value", error="stderr",
                                 keys=["sample", "state", "probe", "variable", "unit"]).rename(columns=readable_header)
        open_count = len(findings.verdicts) - len(determined)
        return (f"<div><b>Activation map</b> · {escape(str(self.dataset.attrs.get('study', '')))} · "
                f"{self.dataset.sizes['sample']} samples × {self.dataset.sizes['state']} states × "
                f"{self.dataset.sizes['probe']} probes<ul>{verdicts}</ul>"
                + (f"<p>{open_count} more not determined: <code>findings().text()</code> says why.</p>" if open_count
                   else "")
                + f"{view.to_html(index=False, border=0, escape=True)}"
                f"<p>{min(HTML_ROWS, len(table))} of {len(table)} numbers shown: <code>table()</code> has them all.</p>"
                "</div>")


def activation_map(source, *, options: MapOptions | None = None, progress: bool = False) -> ActivationMap:
    """The activation map of a study.

    Parameters
    ----------
    source : StudyResult or path-like
        A study's results (from :func:`redoxmap.study.run_study`), or a study folder or
        ``study.toml`` (analysed first).
    options : MapOptions, optional
        Defaults to the manifest's ``[map]`` section.
    progress : bool
        Show progress while a study folder is analysed.

    Returns
    -------
    ActivationMap

    Examples
    --------
    >>> amap = activation_map("redoxmap-demo/virtual")      # doctest: +SKIP
    >>> amap.save("map.nc")                                  # doctest: +SKIP
    """
    from redoxmap.study.run import StudyResult, run_study

    if not isinstance(source, StudyResult):
        from redoxmap.study.executor import SerialExecutor
        from redoxmap.study.manifest import load_study

        source = run_study(load_study(source), executor=SerialExecutor(progress=progress))
    result = source
    study = result.study
    options = options or study.parameters["map"]
    records = collect(result, accuracy_pct=options.capacity_accuracy_pct)
    xas = study.parameters["xas"]
    model = next((o.value for o in result.sections.get("model", []) if o.ok), None)
    if model is not None:
        from redoxmap.study.model_records import model_arrays

        cycles = int(max(study.parameters["model"].cycles, model.cells["cycles"].max()))
        records.model = model_arrays(model, {s.name: s.temperature_C for s in study.samples}, cycles=cycles,
                                     draws=options.model_draws)
    attrs = {
        "title": f"Activation map of {study.name}", "study": study.name, "Conventions": "CF-1.10",
        "source": f"redoxmap {__version__}", "history": f"{datetime.now(UTC).isoformat(timespec='seconds')} "
                                                        "redoxmap.activation_map",
        "layer_nm": float(xas.layer_nm), "tey_depth_nm": float(xas.tey_depth_nm),
        "bulk_depth_nm": float(xas.bulk_depth_nm),
        "depth_note": (f"surface: TEY/PEY (probing depth {xas.tey_depth_nm:g} nm); bulk: iPFY, else TFY, PFY "
                       f"or transmission ({xas.bulk_depth_nm:g} nm); *_layer variables: two-layer inversion for a "
                       f"{xas.layer_nm:g} nm surface layer over the bulk"),
        "map_options": json.dumps(asdict(options)), "notes": json.dumps(records.notes),
        "error_floors": json.dumps(options.floors),
    }
    dataset = build_dataset(records, study.samples, options=options, attrs=attrs, probing_depth_nm={
        "surface": float(xas.tey_depth_nm), "bulk": float(xas.bulk_depth_nm)})
    return ActivationMap(dataset, options)


def map_from_table(table: pd.DataFrame, samples: pd.DataFrame, *, options: MapOptions | None = None,
                   name: str = "map from a table", probing_depth_nm: dict | None = None) -> ActivationMap:
    """A map from published or hand-collected numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per number: ``sample``, ``variable``, ``value``, ``stderr`` (its statistical error;
        NaN or missing where the source gives none), ``source``, and either ``state`` and ``probe``
        (state-resolved variables such as ``r``, ``valence_Ni``) or ``cycle`` (per-cycle variables
        such as ``discharge_capacity_mAh_g``). Optional: ``replicates_stderr``, ``choice_stderr``,
        ``references_stderr`` and ``n`` (the error budget of :mod:`redoxmap.study.budget`); the
        options' floors are added to every number, as for a measured study.
    samples : pandas.DataFrame
        ``name`` and optionally ``temperature_C``, ``chemistry``, ``electrode``, ``cell_type``.
    """
    from types import SimpleNamespace

    from redoxmap.study.states import parse_state

    options = options or MapOptions()
    records = Records()
    for row in table.to_dict("records"):
        budget = {k: row.get(f"{k}_stderr") for k in BUDGET_COLUMNS} | {"n": row.get("n", 1)}
        if pd.notna(row.get("state")) and row.get("state") is not None:
            records.add_state(row["sample"], parse_state(row["state"]), row["probe"], row["variable"], row["value"],
                              row.get("stderr"), row.get("source", ""), budget=budget)
        else:
            records.add_cycle(row["sample"], int(row["cycle"]), row["variable"], row["value"], row.get("stderr"),
                              row.get("source", ""), budget=budget)
    known = set(table["sample"])
    objects = [SimpleNamespace(**{"electrode": "cathode", **{k: v for k, v in r.items() if not _blank(v)}})
               for r in samples.to_dict("records") if r["name"] in known]
    records.cells = {o.name: int(o.cells) for o in objects if hasattr(o, "cells")}
    depths = probing_depth_nm or {"surface": 4.0, "bulk": 150.0}
    dataset = build_dataset(records, objects, options=options, probing_depth_nm=depths,
                            attrs={"title": name, "study": name, "Conventions": "CF-1.10",
                                   "source": f"redoxmap {__version__}", "map_options": json.dumps(asdict(options)),
                                   "error_floors": json.dumps(options.floors),
                                   "depth_note": f"surface probe {depths['surface']:g} nm, bulk {depths['bulk']:g} nm"})
    return ActivationMap(dataset, options)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def check_map_path(path: Path) -> None:
    """Refuse an output name the map cannot be written as."""
    if path.suffix.lower() not in (".nc", ".csv", ".parquet"):
        raise AnalysisError(f"{path}: the activation map is written as .nc (NetCDF), .csv or .parquet")
