"""From files to normalised spectra: the steps every XAS command shares."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, FormatError
from redoxmap.io.athena import athena_tables
from redoxmap.io.spec import spec_tables
from redoxmap.io.xas_files import rename_channels, spectrum_table
from redoxmap.xas.channels import (
    READY,
    absorption_values,
    calibrate,
    channel,
    find_channel,
    ready_absorption,
    reference_values,
)
from redoxmap.xas.merge import merge_scans
from redoxmap.xas.normalization import Normalization, normalize_k_edge, normalize_soft


def edge_kind(edge: str) -> str:
    """``"Mn-K"`` -> ``"K"``, ``"Mn-L3"`` -> ``"L"``, ``"O-K"`` -> ``"O-K"``."""
    text = edge.strip().upper().replace("_", "-")
    if text in ("O-K", "OK", "O K"):
        return "O-K"
    if text.endswith(("-L3", "-L2", "-L", "-L23", "-L2,3")) or text in ("L", "L3", "L23"):
        return "L"
    if text.endswith("-K") or text == "K":
        return "K"
    raise AnalysisError(f"unknown edge {edge!r}; use e.g. Mn-K, Mn-L3 or O-K")


def load_mu(path: str | PathLike, *, mode: str | None = None, signal: str | None = None,
            i0: str = "i0", mu: str | None = None, reference: str | None = None,
            reference_e0_eV: float | None = None, energy_shift_eV: float = 0.0,
            channel_map: dict[str, str] | None = None):
    """Absorption of one scan: ``(energy, mu)``.

    Parameters
    ----------
    path : path-like
        A spectrum file; ``project.prj::group`` names an Athena group, ``file.spec::3`` a SPEC scan.
    mode : {"transmission", "tey", "tfy", "pfy", "ipfy"}, optional
        How it was measured. Without a mode, the file's ready-made absorption (``mutrans``, ``mufluor``,
        ``xmu``, ``mu``, ``norm``, ...: :data:`redoxmap.xas.channels.READY`) is used where it has one,
        else transmission from the raw channels; with a mode, the raw channels of that mode (``i0``,
        ``itrans``/``it``, ``tey``, ``pfy``...) where present, else the mode's ready-made column.
    signal, i0 : str
        The raw sample and flux channels, where they are not the mode's usual names.
    mu : str, optional
        A column that holds the absorption itself; used as it is.
    reference : str, optional
        The column of the reference foil: a ready-made absorption (``murefer``) or, without one, the raw
        ``irefer`` with ``itrans`` (``ln(It / Iref)``).
    reference_e0_eV : float, optional
        Calibrate the energy on the reference to this E0.
    channel_map : dict, optional
        Role -> column (renames a text file's columns) or HDF5 dataset (needed for HDF5/NeXus).
    """
    ds = _spectrum(path, channel_map)
    energy = ds.energy
    raw_signal = signal or {"transmission": "itrans", "ipfy": "pfy", None: "itrans"}.get(mode, mode)
    has_raw = find_channel(ds, raw_signal) is not None and find_channel(ds, i0) is not None
    ready = ready_absorption(ds, mode)
    if mu is not None:
        values = channel(ds, mu)
    elif signal is None and ready is not None and (mode is None or not has_raw):
        values = channel(ds, ready)  # a processed export of a spectrum measured in ``mode``
    elif has_raw or signal is not None:
        values = absorption_values(ds, mode or "transmission", signal=signal, i0=i0)
    else:
        raise FormatError(f"no raw channels for {mode or 'transmission'} ({i0}, {raw_signal}) and no "
                          f"absorption column ({', '.join(READY['any'][:6])}, ...): name the columns (mu=..., "
                          f"signal=... / --mu, --channel; channels: {', '.join(ds.channels)})",
                          path=ds.attrs.get("source_file"))
    shift = energy_shift_eV
    if reference_e0_eV is not None:
        try:
            reference_mu = reference_values(ds, reference=reference)
        except FormatError as exc:
            raise FormatError(f"no reference to calibrate the energy with ({exc.message}); "
                              "name it with reference=... / --reference", path=ds.attrs.get("source_file")) from exc
        if not np.isfinite(reference_mu).all():
            raise FormatError("the reference absorption is undefined at some energies (a zero or negative "
                              "reference channel): name a usable reference column (reference=... / --reference)",
                              path=ds.attrs.get("source_file"))
        shift += calibrate(energy, reference_mu, reference_e0_eV,
                           search=(reference_e0_eV - 15, reference_e0_eV + 15))
    return energy + shift, values


def _spectrum(path, channel_map):
    """The table of one spectrum; ``file::group`` picks an Athena group or a SPEC scan."""
    from redoxmap.io.registry import detect_reader

    text = str(path)
    if "::" not in text:
        return spectrum_table(Path(path), channel_map=channel_map)
    source, member = text.split("::", 1)
    reader = detect_reader(source, modality="xas")
    if reader.name == "athena":
        groups = athena_tables(source)
    elif reader.name == "spec":
        groups = spec_tables(source)
    else:
        raise FormatError(f"'::{member}' names a group of an Athena project or a scan of a SPEC file; this is "
                          f"a {reader.name} file", path=source)
    if member not in groups:
        raise FormatError(f"no group {member!r} (groups: {', '.join(list(groups)[:20])})", path=source)
    return rename_channels(groups[member], channel_map, Path(source)) if channel_map else groups[member]


def load_merged(paths: list[str | PathLike], **options) -> tuple[np.ndarray, np.ndarray]:
    """Load repeated scans and merge them with outlier rejection (one path: no merge)."""
    scans = [load_mu(p, **options) for p in paths]
    if len(scans) == 1:
        return scans[0]
    energy, mu, _ = merge_scans(scans, labels=[str(p) for p in paths])
    return energy, mu


def normalize(energy, mu, *, edge: str, window: tuple[float, float] | None = None,
              pre: tuple[float, float] | None = None) -> Normalization:
    """Normalise by edge type: K (edge step), L (area over ``window``), O-K (level at 540-545 eV)."""
    kind = edge_kind(edge)
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    if kind == "K":
        return normalize_k_edge(energy, mu)
    if kind == "L":
        return normalize_soft(energy, mu, pre=pre, area=window or (float(energy[0]), float(energy[-1])))
    return normalize_soft(energy, mu, pre=pre, level=window or (540.0, 545.0))


def parse_reference(item: str) -> tuple[list[str], float]:
    """``"scan1,scan2=VALENCE"`` -> ``(["scan1", "scan2"], valence)`` (the command-line form)."""
    paths, _, valence = item.rpartition("=")
    try:
        return paths.split(","), float(valence)
    except ValueError:
        raise AnalysisError(f"a reference is FILE=VALENCE (repeated scans FILE1,FILE2=VALENCE), not {item!r}") from None


def normalize_references(raw: dict[str, tuple[np.ndarray, np.ndarray]], *, edge: str) -> dict[str, tuple]:
    """Normalise references alike: each on the energy window that all of them cover.

    Spectra that span different energies would otherwise be normalised over different ranges (an
    area over 635-665 eV is not an area over 639-657 eV), which changes their relative scales and
    with it the weights of any combination of them.

    Parameters
    ----------
    raw : dict
        Name -> ``(energy, mu)``.
    edge : str

    Returns
    -------
    dict
        Name -> ``(energy, normalised mu)`` on the common window.

    Raises
    ------
    AnalysisError
        When the references share no energy window.
    """
    lo = max(float(np.min(e)) for e, _ in raw.values())
    hi = min(float(np.max(e)) for e, _ in raw.values())
    if hi <= lo:
        raise AnalysisError(f"the references share no energy window ({lo:.1f} eV > {hi:.1f} eV): they cannot "
                            "be normalised alike")
    out = {}
    for name, (energy, mu) in raw.items():
        energy, mu = np.asarray(energy, float), np.asarray(mu, float)
        inside = (energy >= lo) & (energy <= hi)
        out[name] = (energy[inside], normalize(energy[inside], mu[inside], edge=edge).norm)
    return out


def load_references(items: list[tuple[list[str | PathLike], float]], *, edge: str, **options):
    """Load, merge and normalise reference spectra named after their first file (normalised alike,
    on the window they all cover: :func:`normalize_references`).

    Returns
    -------
    spectra, valences : dict, dict
        Name -> ``(energy, normalised mu)`` and name -> valence, ready for :func:`fit_lcf`.
    """
    raw, valences = {}, {}
    for paths, valence in items:
        name = Path(paths[0]).name.split("::")[-1]
        raw[name] = load_merged(paths, **options)
        valences[name] = float(valence)
    return normalize_references(raw, edge=edge), valences


def edge_position(paths: list[str | PathLike], *, level: float = 0.5, **options) -> float:
    """Half-height (or ``level``) position of the normalised K edge of merged scans, in eV."""
    from redoxmap.xas.normalization import half_edge_energy

    energy, mu = load_merged(paths, **options)
    return half_edge_energy(energy, normalize(energy, mu, edge="K").norm, level=level)
