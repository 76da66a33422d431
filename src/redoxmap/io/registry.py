"""One registry of file readers for every modality, and the detection of a file's format.

The built-in readers live in one module per instrument family (or generic format) under
:mod:`redoxmap.io`, each listing them in a ``READERS`` tuple; they are imported by name
the first time a reader is needed, so ``import redoxmap`` stays light. Other packages add
readers through the ``redoxmap.readers`` entry point group (as xarray's backends do): an
entry point names a :class:`Reader` or an iterable of them, e.g. in ``pyproject.toml``::

    [project.entry-points."redoxmap.readers"]
    mylab = "mylab_redoxmap:READERS"

Detection is by content first: the readers that claim the file's extension are asked
first (longest extension first, so ``.bdf.csv`` beats ``.csv``), then every other reader
of the modality, then the generic fallbacks; a file nobody recognises gets an error that
lists what was tried.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

from redoxmap._plugins import plugins
from redoxmap.errors import AnalysisError, FormatError, ReadError, warn
from redoxmap.io.reader import READER_MODALITIES, Reader, read_head

ENTRY_POINT_GROUP = "redoxmap.readers"
_BUILTIN_MODULES = (
    # cycler and potentiostat files
    "redoxmap.io.biologic", "redoxmap.io.arbin", "redoxmap.io.neware", "redoxmap.io.maccor",
    "redoxmap.io.landt", "redoxmap.io.bdf", "redoxmap.io.generic", "redoxmap.io.potential_table",
    # impedance
    "redoxmap.io.gamry", "redoxmap.io.scribner", "redoxmap.io.ametek", "redoxmap.io.palmsens",
    "redoxmap.io.eis_files",
    # X-ray absorption
    "redoxmap.io.xdi", "redoxmap.io.athena", "redoxmap.io.spec", "redoxmap.io.nexus", "redoxmap.io.xas_files",
    # X-ray diffraction
    "redoxmap.io.rigaku", "redoxmap.io.panalytical", "redoxmap.io.bruker", "redoxmap.io.xrd_files",
    # images
    "redoxmap.io.gatan", "redoxmap.io.thermofisher", "redoxmap.io.mrc", "redoxmap.io.hyperspy",
    "redoxmap.io.images",
    # SEM sections with EDS
    "redoxmap.io.sem_files",
    # photoelectron spectra
    "redoxmap.io.vamas", "redoxmap.io.specs", "redoxmap.io.avantage", "redoxmap.io.xps_files",
    # mass spectrometry (DEMS, EC-MS)
    "redoxmap.io.zilien", "redoxmap.io.ixdat", "redoxmap.io.pfeiffer", "redoxmap.io.ms_files",
)
GENERIC_EXTENSIONS = (".csv", ".txt", ".dat", ".tsv", ".xy", ".xye", ".xlsx", ".xls", ".json")
"""Endings any program gives its tables: a file named so is not thereby claimed by one format."""
_NOUNS = {"cycling": "cycler file", "cv": "voltammetry file", "eis": "impedance file",
          "xas": "X-ray absorption file", "xrd": "diffraction file", "images": "image", "sem": "SEM/EDS file",
          "xps": "photoelectron spectrum", "dems": "mass-spectrometer file"}
_REGISTERED: dict[tuple[str, str], Reader] = {}
_loaded = False


def register_reader(reader: Reader) -> Reader:
    """Add a reader (replacing one of the same modality and name) and return it."""
    if not isinstance(reader, Reader):
        raise AnalysisError(f"register_reader takes a redoxmap.io.Reader, not {type(reader).__name__}")
    _load()
    _REGISTERED[(reader.modality, reader.name)] = reader
    return reader


def readers(modality: str | None = None) -> dict[str, Reader]:
    """The registered readers by name, for one modality (or all, keyed ``"modality:name"``).

    Parameters
    ----------
    modality : str, optional
        One of ``"cycling"``, ``"cv"``, ``"eis"``, ``"xas"``, ``"xrd"``, ``"images"``, ``"sem"``, ``"xps"``, ``"dems"``.

    Returns
    -------
    dict of str to Reader
        In registration order (built-in readers first, then entry points, then readers
        registered at run time).
    """
    _load()
    if modality is None:
        return {f"{m}:{n}": r for (m, n), r in _REGISTERED.items()}
    _check_modality(modality)
    return {n: r for (m, n), r in _REGISTERED.items() if m == modality}


def detect_reader(path: str | PathLike, *, modality: str | Iterable[str] = "cycling",
                  format: str | None = None) -> Reader:
    """Choose the reader for a file from its content and name.

    Parameters
    ----------
    path : path-like
        The file.
    modality : str or iterable of str
        What the file should hold (``"cycling"`` by default); with several, their readers
        are tried in that order (fallbacks of all of them last).
    format : str, optional
        A reader name that overrides detection.

    Returns
    -------
    Reader

    Raises
    ------
    ReadError
        If the file is missing, a folder or empty.
    FormatError
        If ``format`` is unknown or no reader recognises the file.
    """
    path = Path(path)
    modalities = (modality,) if isinstance(modality, str) else tuple(modality)
    known = [r for m in modalities for r in readers(m).values()]
    head = read_head(path)
    if format is not None:
        chosen = [r for r in known if r.name == format]
        if not chosen:
            raise FormatError(f"unknown format {format!r}; known formats: {', '.join(r.name for r in known)}",
                              path=path)
        return chosen[0]
    name = path.name.lower()
    # The name's endings looked up in each reader's set: Maccor alone claims a thousand (".000" to ".999"),
    # and testing each ending with str.endswith was a quarter of detecting a CSV export's reader
    endings = {name[i:] for i in range(len(name))}
    longest = [max(map(len, endings & r.extension_set), default=0) for r in known]
    claims = [known[i] for i in sorted((i for i, n in enumerate(longest) if n), key=lambda i: -longest[i])]
    others = [r for r, n in zip(known, longest) if not n]  # sorted() is stable: registration order kept
    order = [r for r in claims + others if not r.fallback] + [r for r in known if r.fallback]
    for reader in order:
        if _sniffs(reader, head, path):
            return reader
    hint = ("; name the format (--format on the command line, format=... in Python or the manifest) or use the "
            "generic CSV reader with a column mapping" if "cycling" in modalities else "")
    # A name says something only where its ending belongs to one format (".mpr"), not to any table (".csv")
    specific = [f"{r.name} ({r.instrument})" for r in claims
                if not r.fallback and not name.endswith(GENERIC_EXTENSIONS)]
    if specific:
        raise FormatError(f"named like a {', '.join(specific)} file, but its content is not that format "
                          f"(damaged, mislabelled, or a variant redoxmap does not know){hint}", path=path)
    content = "binary content" if b"\x00" in head[:4096] else "content"
    raise FormatError(f"{content} that no {_NOUNS[modalities[0]]} reader recognises (`redoxmap formats` lists "
                      f"what redoxmap reads){hint}", path=path)


def read_with(path: str | PathLike, *, modality: str | Iterable[str], format: str | None = None,
              **options) -> tuple[Reader, object]:
    """Detect a file's reader and read it, checking the options against what the reader takes.

    Returns
    -------
    tuple of (Reader, object)
        The reader and what it returned.
    """
    path = Path(path)
    reader = detect_reader(path, modality=modality, format=format)
    check_options(reader, options, path)
    return reader, reader.read(path, **options)


def check_options(reader: Reader, options: dict, path: Path) -> None:
    """Refuse options a reader does not take (a typo must not be ignored silently)."""
    unknown = set(options) - set(reader.options)
    if unknown:
        raise FormatError(f"the {reader.name} reader takes no option(s) {', '.join(sorted(unknown))}"
                          f"{'; it takes ' + ', '.join(reader.options) if reader.options else ''}", path=path)


def _sniffs(reader: Reader, head: bytes, path: Path) -> bool:
    try:
        return bool(reader.sniff(head, path))
    except ReadError:  # recognised, but damaged or unsafe (a zip entry escaping its archive): say so
        raise
    except Exception as exc:  # noqa: BLE001 - a sniffer's own bug: not this format, but never silently
        warn(f"{path}: the {reader.name} reader's format check failed ({type(exc).__name__}: {exc}); the file "
             f"was taken as not of its format (a bug of that reader: please report it)", RuntimeWarning)
        return False


def _check_modality(modality: str) -> None:
    """A modality with readers: a built-in one, or one a plugin registered readers for."""
    known = dict.fromkeys([*READER_MODALITIES, *(m for m, _ in _REGISTERED)])
    if modality not in known:
        raise AnalysisError(f"modality must be one of {', '.join(known)}, not {modality!r}")


def _load() -> None:
    """Register the built-in readers, then the plugins' (once: later calls return at once). The flag is
    set only when every import succeeded, so one failing import raises again on the next call instead of
    leaving a half registry that looks complete."""
    global _loaded
    if _loaded:
        return
    found: dict[tuple[str, str], Reader] = {}
    for module in _BUILTIN_MODULES:
        for reader in importlib.import_module(module).READERS:
            found.setdefault((reader.modality, reader.name), reader)
    for reader in plugins(ENTRY_POINT_GROUP, Reader, "reader"):
        found[(reader.modality, reader.name)] = reader
    _REGISTERED.update(found)  # empty until now: register_reader loads first
    _loaded = True


def reset_readers() -> None:
    """Forget every reader registered at run time and load the built-in and plugin readers afresh on
    next use (after installing a plugin in a running session, or between tests)."""
    global _loaded
    _REGISTERED.clear()
    _loaded = False
