"""Athena (Demeter) project files: every group, with the energy shift its user applied."""

from __future__ import annotations

import ast
import json
import re
import warnings
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import DataWarning, FormatError, ReadError, warn
from redoxmap.io.archives import gunzip
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode
from redoxmap.io.xas_files import SpectrumTable, clean_spectrum


def read_athena(path: str | PathLike) -> dict:
    """Read every group of an Athena project, applying each group's stored energy shift.

    Athena keeps the energy shift a user applied (``bkg_eshift``) beside the unshifted
    energies; a popular reader ignores it (its Mn3O4 then sits 19 eV off). Here the
    returned energies are ``raw + eshift``, and the shift is kept in ``attrs``.

    Returns
    -------
    dict
        Group label -> :class:`xarray.Dataset` with ``mu`` (and ``i0`` where stored).
    """
    return {label: table.to_dataset() for label, table in athena_tables(path).items()}


def athena_tables(path: str | PathLike) -> dict[str, SpectrumTable]:
    """Every group of an Athena project as plain arrays (see :func:`read_athena`): the Perl-record projects
    of Athena and Demeter, and the JSON projects of Demeter 0.9.26 and later."""
    path = Path(path)
    head = read_head(path)
    text = decode(gunzip(path.read_bytes(), path) if head[:2] == b"\x1f\x8b" else path.read_bytes())
    if "Athena project file" not in text[:400]:
        raise FormatError("not an Athena project (no 'Athena project file' header)", path=path)
    records = _json_records(text, path) if text.lstrip().startswith("{") else _perl_records(text, path)
    groups = {}
    for meta, x, y, i0 in records:
        label = str(meta.get("label") or f"group{len(groups) + 1}")
        try:
            shift = float(meta.get("bkg_eshift") or 0.0)
            energy = np.asarray(x, dtype=float) + shift
            channels = {"mu": np.asarray(y, dtype=float)}
            if i0 is not None and len(i0) == len(energy):
                channels["i0"] = np.asarray(i0, dtype=float)
            e0 = float(meta.get("bkg_e0") or np.nan)
        except (TypeError, ValueError) as exc:
            raise ReadError(f"group {label!r} holds values that are not numbers ({exc})", path=path) from exc
        if len(channels["mu"]) != len(energy):
            raise ReadError(f"group {label!r} has {len(energy)} energies for {len(channels['mu'])} values", path=path)
        attrs = {"label": label, "energy_shift_eV": shift, "athena_e0_eV": e0,
                 "element": str(meta.get("bkg_z", "")), "edge": str(meta.get("fft_edge", ""))}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            groups[label] = clean_spectrum(energy, channels, attrs, path)
    if not groups:
        raise ReadError("the Athena project holds no groups with data", path=path)
    return groups


def _perl_records(text: str, path: Path):
    """``(args, x, y, i0)`` of each group of a Perl-record project (``$old_group`` ... ``@y``)."""
    records, current = [], None
    for line in text.splitlines():
        if line.startswith("$old_group"):
            current = {}
            continue
        match = re.match(r"@(\w+)\s*=\s*(.*)$", line)
        if current is None or not match:
            continue
        name, rhs = match.groups()
        if name not in ("args", "x", "y", "i0"):
            continue
        try:
            current[name] = _perl_list(rhs)
        except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
            if records:  # a project cut short: keep the groups that are whole
                warn(f"{path}: the project is cut inside a group; the {len(records)} complete "
                              "groups before it were read", DataWarning)
                break
            raise ReadError(f"damaged Athena record @{name} ({type(exc).__name__})", path=path) from exc
        if name == "y" and "args" in current and "x" in current:
            args = current["args"]
            records.append((dict(zip(args[::2], args[1::2])), current["x"], current["y"], current.get("i0")))
            current = None
    return records


def _json_records(text: str, path: Path):
    """``(args, x, y, i0)`` of each group of a JSON project (keys other than the ``_____`` headers)."""
    try:
        project = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ReadError(f"a damaged JSON Athena project ({str(exc)[:100]})", path=path) from exc
    if not isinstance(project, dict):
        raise FormatError("a JSON Athena project is an object of groups", path=path)
    records = []
    for key, group in project.items():
        if key.startswith("_____"):
            continue
        if not isinstance(group, dict) or not {"x", "y"} <= set(group):
            raise ReadError(f"group {key!r} has no x and y arrays", path=path)
        args = group.get("args") if isinstance(group.get("args"), dict) else {}
        records.append(({"label": key, **args}, group["x"], group["y"], group.get("i0")))
    return records


def athena_table(path: str | PathLike) -> SpectrumTable:
    """The one group of a single-group project; a project of several names them (read one
    as ``project.prj::group``)."""
    groups = athena_tables(path)
    if len(groups) > 1:
        raise FormatError(f"an Athena project of {len(groups)} groups ({', '.join(list(groups)[:6])}"
                          f"{' ...' if len(groups) > 6 else ''}): name one as project.prj::group, or use read_athena",
                          path=path)
    return next(iter(groups.values()))


def _perl_list(text: str):
    """Parse the right-hand side of an Athena ``@name = (...);`` line without evaluating code."""
    body = text.strip().rstrip(";").strip()
    body = re.sub(r"\bundef\b", "None", body)
    return ast.literal_eval(body if body.startswith("(") else f"({body})")


def _sniff(head: bytes, path: Path) -> bool:
    return head[:2] == b"\x1f\x8b" or b"Athena project file" in head[:200]


READERS = (
    Reader(name="athena", modality="xas", instrument="Athena/Demeter", extensions=(".prj",), sniff=_sniff,
           read=athena_table, description="projects; each group's energy shift applied"),
)
