"""One protocol for every fit result: parameters, statistics, text and HTML views, a plot, JSON.

Every fit redoxmap returns is a dataclass that derives from :class:`FitResult` (twelve today: LCF,
O K pre-edge peaks, XRD peaks, lattices and indexed lattices, circuits, DRT, the capacity rise, XPS,
gas evolution, SEM microstructure and the activation model; ``tests/test_results.py`` lists them):

* ``parameter_table()``: one row per fitted parameter, ``parameter``, ``value``,
  ``stderr``, ``unit`` (NaN where an error is not defined) and ``at_bound``;
* ``statistics()``: the fit-quality figures (chi-square, R-factor, points, ...) and the
  standard-error convention that applied (:mod:`redoxmap.fitting`);
* ``report()``: both as text, with the fit's notes; ``_repr_html_()``: both as HTML, so that a
  result shows itself in Jupyter;
* ``plot(ax=None)``: the data and the fit, drawn on a given Matplotlib axes (or a new one),
  never switching the user's backend;
* ``to_dict()`` / ``to_json()``, and :func:`load_result` (or ``Type.from_dict``) to read them
  back: arrays, tables and nested results survive the round trip.

lmfit's ``ModelResult`` is the pattern (``fit_report``, ``plot_fit``, ``dumps``/``loads``).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import importlib
import json
import math
from os import PathLike
from pathlib import Path

from redoxmap.errors import AnalysisError, FormatError

FORMAT_VERSION = 1
PARAMETER_COLUMNS = ("parameter", "value", "stderr", "unit", "at_bound")
"""The columns of every fit result's :meth:`FitResult.parameter_table`."""
_TRUSTED_PREFIX = "redoxmap."  # only redoxmap's own types are rebuilt from a file


def axes_for(ax, figsize: tuple[float, float] = (4.0, 3.0)):
    """``ax``, or a new axes on a new pyplot figure (so that a notebook shows it); the backend is never
    changed."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, layout="constrained")[1]


class DataView:
    """The notebook views of what users hold (a spectrum, a dQ/dV result, a test): ``plot(ax=None)`` and
    a compact HTML summary. Subclasses define :meth:`summary` (name -> plain value) and :meth:`_draw`."""

    title = "Data"
    figsize = (4.0, 3.0)

    def summary(self) -> dict:
        """The object's figures as plain values (name -> number, text or list): what its HTML view and a
        command's ``--json`` show. ``summary`` has this one meaning across redoxmap; tables of many rows
        are attributes named for what a row is (``per_cycle``, ``per_state``)."""
        raise NotImplementedError

    def _draw(self, ax) -> None:
        raise NotImplementedError

    def plot(self, ax=None):
        """Draw it.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure (through pyplot, so that a notebook shows it) if omitted.
            The backend is never changed.

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = axes_for(ax, self.figsize)
        self._draw(ax)
        return ax

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td style='text-align:left'>{html.escape(str(key))}</td>"
                       f"<td style='text-align:left'>{html.escape(_text(value))}</td></tr>"
                       for key, value in self.summary().items())
        return f"<div><strong>{html.escape(self.title)}</strong><table><tbody>{rows}</tbody></table></div>"


class FitResult(DataView):
    """The mixin every fit result implements (see the module docstring).

    Subclasses define :meth:`_parameters` (their parameters as a table), :meth:`statistics` and
    :meth:`_draw`; the parameter table's shape, the views and the serialisation are shared.
    """

    title = "Fit"
    bounded = True
    """Whether any parameter of this kind of fit has a bound (False: ``at_bound`` is always False)."""

    def parameter_table(self):
        """The fitted parameters, one row each.

        Returns
        -------
        pandas.DataFrame
            ``parameter`` (name), ``value``, ``stderr`` (NaN where an error is not defined), ``unit``
            and ``at_bound`` (True where the fit ended on a bound of the parameter's range, so that its
            value and error describe the bound, not the data; ``<NA>`` where the fit does not check).
        """
        import pandas as pd

        table = self._parameters().reset_index(drop=True)
        if "at_bound" not in table:
            table["at_bound"] = False if not self.bounded else pd.NA
        table["at_bound"] = table["at_bound"].astype("boolean")
        return table[list(PARAMETER_COLUMNS)]

    def _parameters(self):
        """The parameters as a DataFrame with the columns of :data:`PARAMETER_COLUMNS` (``at_bound`` may
        be left out)."""
        raise NotImplementedError

    def summary(self) -> dict:
        """Each parameter's value and standard error (``name``, ``name_stderr``) and the statistics, as
        plain values (a fit with figures of its own adds or replaces them)."""
        values = {}
        for row in self.parameter_table().itertuples(index=False):
            values[str(row.parameter)] = _scalar(row.value)
            values[f"{row.parameter}_stderr"] = _scalar(row.stderr)
        return {**values, **{key: _scalar(value) for key, value in self.statistics().items()}}

    def statistics(self) -> dict:
        """Fit-quality figures and the error convention, as a flat dict."""
        raise NotImplementedError

    def _draw(self, ax) -> None:
        raise NotImplementedError

    def _residual(self):
        """``(x, residual, x_label)`` for :meth:`plot_residuals`; None where a fit has none."""
        return

    # ------------------------------------------------------------------ views

    def report(self) -> str:
        """The parameters (value ± standard error, unit), statistics and notes as plain text."""
        rows = self._value_rows()
        width = max([len(name) for name, _, _ in rows] + [len(k) for k in self.statistics()] + [9])
        lines = [f"[{self.title}]"]
        lines += [f"    {name:<{width}} = {value}{f' {unit}' if unit else ''}" for name, value, unit in rows]
        lines.append("[statistics]")
        lines += [f"    {key:<{width}} = {_text(value)}" for key, value in self.statistics().items()]
        notes = getattr(self, "notes", None) or []
        if notes:
            lines.append("[notes]")
            lines += [f"    {note}" for note in notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cell = "<td style='text-align:left'>{}</td>".format
        rows = "".join(f"<tr>{cell(html.escape(name))}{cell(html.escape(value))}{cell(html.escape(unit))}</tr>"
                       for name, value, unit in self._value_rows())
        stats = "".join(f"<tr>{cell(html.escape(key))}<td colspan='2' style='text-align:left'>"
                        f"{html.escape(_text(value))}</td></tr>" for key, value in self.statistics().items())
        notes = "".join(f"<li>{html.escape(str(note))}</li>" for note in (getattr(self, "notes", None) or []))
        return (f"<div><strong>{html.escape(self.title)}</strong><table>"
                "<thead><tr><th>parameter</th><th>value ± standard error</th><th>unit</th></tr></thead>"
                f"<tbody>{rows}<tr><th colspan='3' style='text-align:left'>statistics</th></tr>{stats}</tbody>"
                "</table>" + (f"<ul>{notes}</ul>" if notes else "") + "</div>")

    def _value_rows(self) -> list[tuple[str, str, str]]:
        from redoxmap.formatting import format_value_error

        return [(str(row.parameter), format_value_error(row.value, row.stderr) or _text(row.value),
                 str(row.unit or "")) for row in self.parameter_table().itertuples(index=False)]

    def __str__(self) -> str:
        return self.report()

    def plot_residuals(self, ax=None):
        """Draw the residual of the fit (data minus model) on a given axes or a new one.

        Returns
        -------
        matplotlib.axes.Axes
        """
        residual = self._residual()
        if residual is None:
            raise NotImplementedError(f"a {type(self).__name__} has no residual to plot")
        ax = axes_for(ax, (4.0, 1.6))
        x, values, label = residual
        ax.plot(x, values, color="0.3", lw=0.8)
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_xlabel(label)
        ax.set_ylabel("Residual")
        return ax

    def plot_with_residuals(self, figure=None):
        """The fit above its residual, sharing the x axis (a publication panel).

        Parameters
        ----------
        figure : matplotlib.figure.Figure, optional
            Drawn into; a new pyplot figure if omitted.

        Returns
        -------
        matplotlib.figure.Figure
        """
        if figure is None:
            import matplotlib.pyplot as plt

            figure = plt.figure(figsize=(3.5, 3.6), layout="constrained")
        top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
        self.plot(ax=top)
        top.set_xlabel("")
        self.plot_residuals(ax=bottom)
        return figure

    # ------------------------------------------------------------------ serialisation

    def to_dict(self) -> dict:
        """Everything the result holds, as JSON-compatible data that :func:`load_result` rebuilds."""
        return {"redoxmap_result": FORMAT_VERSION, **_encode(self)}

    def to_json(self, path: str | PathLike | None = None) -> str:
        """The result as JSON text (:meth:`to_dict`); written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            from redoxmap.io.tables import atomic_write

            atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return text

    @classmethod
    def from_dict(cls, data: dict):
        """Rebuild a result from :meth:`to_dict`'s output (of this type or a subclass)."""
        result = load_result(data)
        if not isinstance(result, cls):
            raise AnalysisError(f"the data hold a {type(result).__name__}, not a {cls.__name__}")
        return result


def load_result(source) -> FitResult:
    """Rebuild a fit result saved with ``to_dict()`` or ``to_json()``.

    Parameters
    ----------
    source : dict, str or path-like
        The dict, JSON text, or a path to a JSON file.

    Returns
    -------
    FitResult
        The same type as was saved, with its arrays and tables.

    Raises
    ------
    redoxmap.errors.RedoxmapError
        For data that are not a saved redoxmap result, or name a type outside redoxmap
        (:class:`redoxmap.errors.FormatError` for a file that is not one).
    """
    if isinstance(source, dict):
        data = source
    else:
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
    if not isinstance(data, dict) or "redoxmap_result" not in data:
        raise FormatError("not a saved redoxmap result (no 'redoxmap_result' key)")
    if data["redoxmap_result"] > FORMAT_VERSION:
        raise FormatError(f"saved by a newer redoxmap (format {data['redoxmap_result']}); update redoxmap")
    return _decode({k: v for k, v in data.items() if k != "redoxmap_result"})


# ---------------------------------------------------------------------------- codec
# Tagged JSON: every value that JSON cannot hold becomes {"__kind__": ..., ...}.


def _encode(value):
    import numpy as np
    import pandas as pd

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                  if f.metadata.get("serialize", True)}
        return {"__kind__": "dataclass", "type": _qualified(type(value)), "fields": fields}
    if isinstance(value, pd.DataFrame):
        return {"__kind__": "dataframe", "columns": [str(c) for c in value.columns],
                "dtypes": [str(t) for t in value.dtypes],
                "data": {str(c): _encode(value[c].to_numpy()) for c in value.columns},
                "index": _encode(value.index.to_numpy()) if not isinstance(value.index, pd.RangeIndex) else None}
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return {"__kind__": "complex_array", "real": _encode(value.real), "imag": _encode(value.imag)}
        if value.dtype.kind in "fiub":
            return {"__kind__": "array", "dtype": str(value.dtype), "shape": list(value.shape),
                    "data": [_plain(v) for v in value.ravel().tolist()]}
        return {"__kind__": "object_array", "data": [_encode(v) for v in value.tolist()]}
    if isinstance(value, functools.partial):
        return {"__kind__": "partial", "func": _encode(value.func), "args": _encode(list(value.args)),
                "keywords": _encode(dict(value.keywords))}
    if callable(value) and hasattr(value, "__qualname__") and "<" not in value.__qualname__:
        return {"__kind__": "callable", "name": _qualified(value)}
    if isinstance(value, dict):
        return {"__kind__": "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]} \
            if any(not isinstance(k, str) for k in value) else {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return {"__kind__": "tuple", "items": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.generic):
        return _encode(value.item())
    if isinstance(value, complex):
        return {"__kind__": "complex", "real": value.real, "imag": value.imag}
    if isinstance(value, float) and not math.isfinite(value):
        return {"__kind__": "float", "value": str(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise AnalysisError(f"cannot save a {type(value).__name__} in a redoxmap result")


def _decode(value):
    import numpy as np
    import pandas as pd

    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("__kind__")
    if kind is None:
        return {k: _decode(v) for k, v in value.items()}
    if kind == "dataclass":
        cls = _resolve(value["type"])
        fields = {k: _decode(v) for k, v in value["fields"].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in fields.items() if k in init})
        for k, v in fields.items():
            if k not in init:
                object.__setattr__(obj, k, v)
        return obj
    if kind == "dataframe":
        frame = pd.DataFrame({c: _decode(value["data"][c]) for c in value["columns"]}, columns=value["columns"])
        for column, dtype in zip(value["columns"], value["dtypes"]):
            try:
                frame[column] = frame[column].astype(dtype)
            except (TypeError, ValueError):
                pass  # an object column of mixed values stays as read
        if value.get("index") is not None:
            frame.index = _decode(value["index"])
        return frame
    if kind == "array":
        return np.array([_unplain(v) for v in value["data"]], dtype=value["dtype"]).reshape(value["shape"])
    if kind == "complex_array":
        return _decode(value["real"]) + 1j * _decode(value["imag"])
    if kind == "object_array":
        return np.array([_decode(v) for v in value["data"]], dtype=object)
    if kind == "partial":
        return functools.partial(_decode(value["func"]), *_decode(value["args"]), **_decode(value["keywords"]))
    if kind == "callable":
        return _resolve(value["name"])
    if kind == "dict":
        return {_decode(k): _decode(v) for k, v in value["items"]}
    if kind == "tuple":
        return tuple(_decode(v) for v in value["items"])
    if kind == "complex":
        return complex(value["real"], value["imag"])
    if kind == "float":
        return float(value["value"])
    raise FormatError(f"unknown saved value kind {kind!r}")


def _qualified(obj) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _resolve(name: str):
    module, _, qualname = name.partition(":")
    if not module.startswith(_TRUSTED_PREFIX):
        raise FormatError(f"a saved result may only name redoxmap's own types, not {name!r}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _scalar(value):
    """A numpy scalar as the Python number it holds (other values as they are)."""
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", 1) == 0 else value


def _plain(value):
    """An array element for JSON (which has no NaN or infinity: those are saved as strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _unplain(value):
    """An array element back (its array's dtype says that a string is a non-finite number)."""
    return float(value) if isinstance(value, str) else value


def _text(value) -> str:
    """A statistic as text: numbers to six significant digits, anything else as it is."""
    if isinstance(value, (bool, str)) or value is None:
        return str(value)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return str(int(value))
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return str(value)
