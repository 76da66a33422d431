"""Figures kept between reports: a figure is drawn again only when what it is drawn from changed.

A report's figures are most of its time (a 1,000-cell campaign: about 1,200 of 1,500 s), and a study
that gains one cell, or whose one file changed, would otherwise redraw all of them. So a figure is
described by a :class:`Drawing` (its function and arguments) rather than drawn at once; its key is a
hash of the pickled arguments and of what every figure is drawn with (:func:`drawing_context`:
redoxmap's own source, so that a changed figure function or style draws again, Matplotlib's and numpy's
versions and the Matplotlib settings in effect). Each saved figure leaves ``figures/<id>.key.json`` beside its
files, written after them: a later report whose drawing has the same key, and whose files are all
still there, takes the files and the figure check's problems from it without drawing.

The key hashes the arguments' pickle, not the figure: pickling an analysis costs milliseconds, and
drawing the figure to compare it would cost what saving it does. Equal inputs whose pickles differ
(a set's order under another hash seed) only redraw. A changed value changes the key, except what the
reductions of :class:`_KeyPickler` leave out (the correlations of ``uncertainties`` numbers, lmfit's
expression interpreter, the map's ``history``), which no figure draws. A figure function outside redoxmap
is keyed by its code and default arguments, not by the module-level values it reads.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class KeyMemo:
    """What the keys of one report's figures share: the hashes of the objects figures were drawn from, by
    ``id`` (a cell's analysis, drawn in four figures and in the comparisons of all cells, is pickled once; the
    objects are kept alive, and must not change, while the memo is in use), and :func:`drawing_context`,
    taken when the first key is made (inside the report's style)."""

    objects: dict = field(default_factory=dict)
    context: str | None = None

    def drawing_context(self) -> str:
        """:func:`drawing_context`, once."""
        if self.context is None:
            self.context = drawing_context()
        return self.context


class Drawing:
    """A figure not drawn yet: ``function(plt, *args, **kwargs)``, drawn by :meth:`draw` where needed.

    Parameters
    ----------
    function : callable
        A figure function of :mod:`redoxmap.report` (its first argument is ``matplotlib.pyplot``).
    *args, **kwargs
        What it is drawn from, after ``plt``.
    """

    def __init__(self, function: Callable, *args, **kwargs):
        self.function = function
        self.args = args
        self.kwargs = kwargs

    def draw(self, plt):
        """The figure, drawn now."""
        return self.function(plt, *self.args, **self.kwargs)

    def key(self, *, print_quality: bool, memo: KeyMemo | None = None) -> str | None:
        """What the figure is drawn from and with, hashed (None where an argument does not pickle: never kept).

        ``memo``: the report's :class:`KeyMemo` (:func:`redoxmap.report.rendering.key_memo`); without one,
        every object is pickled and the context taken anew.
        """
        memo = memo if memo is not None else KeyMemo()
        digest = hashlib.blake2b(digest_size=16)
        for part in (memo.drawing_context(), f"{self.function.__module__}.{self.function.__qualname__}",
                     f"print_quality={print_quality}"):
            digest.update(part.encode())
        code = getattr(self.function, "__code__", None)
        try:
            if code is not None and not self.function.__module__.startswith("redoxmap."):
                digest.update(marshal.dumps(code))  # redoxmap's own functions are in the context's source hash
            defaults = (getattr(self.function, "__defaults__", None), getattr(self.function, "__kwdefaults__", None))
            for value in (defaults, *self.args, *sorted(self.kwargs.items())):
                digest.update(_value_hash(value, memo.objects))
        except Exception:  # noqa: BLE001 - a lambda or an open file among the arguments: draw it every time
            return None
        return digest.hexdigest()


def _value_hash(value, known: dict | None) -> bytes:
    """One argument's hash: a list or tuple from its items' (each pickled once with ``known``), anything else
    from its pickle by value (:class:`_KeyPickler`)."""
    if isinstance(value, (list, tuple)):
        parts = b"".join(_value_hash(item, known) for item in value)
        return hashlib.blake2b(type(value).__name__.encode() + parts, digest_size=16).digest()
    if known is not None and id(value) in known:
        return known[id(value)][1]
    digest = hashlib.blake2b(digest_size=16)
    pickler = _KeyPickler(_Digest(digest), protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: an object met twice is written twice, not as a reference to the first
    pickler.dump(value)
    if known is not None:
        known[id(value)] = (value, digest.digest())  # the object kept alive, so that its id is not reused
    return digest.digest()


class _Digest:
    """A file-like object that feeds what is written into a hash (the pickle is never held whole)."""

    def __init__(self, digest):
        self.write = digest.update


class _KeyPickler(pickle.Pickler):
    """Pickles what a figure is drawn from for its key only (never loaded), by value: the same inputs must give
    the same key whether they were computed here, read from the store or returned by a Dask worker, in any
    process. So it runs without a memo (``fast``: an object met twice is written twice, not as a reference
    whose number depends on what was shared), and writes these objects by their values:

    - an ``uncertainties`` number, whose pickle holds a tag drawn at random when it was made;
    - lmfit's ``Parameters``, whose pickle holds their expression interpreter's symbol table;
    - a numpy array, whose pickle says its memory order; a pandas ``DataFrame``, whose pickle holds its
      blocks (a table read from the store has equal columns in other blocks);
    - an xarray ``Dataset`` (the activation map) without its CF ``history``, the time it was made, and its
      variables whether their attributes are ``{}`` or ``None``.
    """

    def reducer_override(self, obj):
        module = type(obj).__module__ or ""
        if module.startswith("uncertainties"):
            return tuple, ((float(obj.nominal_value), float(obj.std_dev)),)
        if module.startswith("lmfit") and type(obj).__name__ == "Parameters":
            return tuple, (tuple((p.name, p.value, p.stderr, p.min, p.max, p.vary, p.expr, p.correl)
                                 for p in obj.values()),)
        if module == "numpy" and type(obj).__name__ == "ndarray" and obj.dtype.kind != "O":
            dtype = obj.dtype.descr if obj.dtype.names else obj.dtype.str  # a record array's field names too
            return tuple, ((dtype, obj.shape, obj.tobytes(order="C")),)  # its memory order aside
        if module.startswith("pandas") and type(obj).__name__ == "DataFrame":
            columns = [obj.iloc[:, k] for k in range(obj.shape[1])]
            return tuple, ((list(obj.columns), obj.index, columns, sorted(obj.attrs.items())),)
        if module.startswith("xarray") and type(obj).__name__ == "Dataset":
            attrs = sorted((k, v) for k, v in obj.attrs.items() if k != "history")
            return tuple, ((attrs, sorted(obj.coords), dict(obj.variables)),)
        if module.startswith("xarray") and type(obj).__name__ in ("Variable", "IndexVariable"):
            return tuple, ((obj.dims, obj.values, sorted(obj.attrs.items())),)  # attrs {} or None alike
        return NotImplemented


def drawing_context() -> str:
    """What every figure is drawn with besides its inputs, hashed: redoxmap's Python source (the figure
    functions call formatting, style and analysis helpers all over the package), Matplotlib's and numpy's
    versions, and Matplotlib's settings in effect (the report's style over the user's ``matplotlibrc``).

    Returns
    -------
    str
    """
    import matplotlib
    import numpy

    import redoxmap

    digest = hashlib.blake2b(f"{matplotlib.__version__} {numpy.__version__}".encode(), digest_size=16)
    root = Path(redoxmap.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    # dict's own items: RcParams' item access resolves the backend (an import), which no figure depends on
    settings = sorted((k, repr(v)) for k, v in dict.items(matplotlib.rcParams) if not k.startswith("backend"))
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def record_path(folder: Path, stem: str) -> Path:
    """Where the key of the figure ``stem`` saved in ``folder`` is recorded."""
    return folder / f"{stem}.key.json"


def kept_problems(folder: Path, stem: str, key: str | None, files: dict[str, str], out: Path) -> list[str] | None:
    """The figure check's problems of a figure saved earlier with this ``key`` and whose ``files`` (relative to
    ``out``) are all there; None where it must be drawn."""
    if key is None:
        return None
    try:
        record = json.loads(record_path(folder, stem).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    if not all((out / name).is_file() for name in files.values()):
        return None
    problems = record.get("problems", [])
    return [str(p) for p in problems] if isinstance(problems, list) else None


def forget(folder: Path, stem: str) -> None:
    """Remove a figure's record before it is drawn again, so that a save that fails halfway is never taken
    for the figure of the old key."""
    record_path(folder, stem).unlink(missing_ok=True)


def remember(folder: Path, stem: str, key: str | None, saved: dict) -> dict:
    """Record ``key`` for a figure whose files were just saved (``saved``: what
    :func:`redoxmap.report.style.save_figure` returned, which is returned unchanged)."""
    if key is not None:
        from redoxmap.io.tables import atomic_write

        text = json.dumps({"key": key, "problems": list(saved.get("problems", []))})
        atomic_write(record_path(folder, stem), lambda tmp: tmp.write_text(text))
    return saved
