"""From files to normalised spectra: the steps every XAS command shares."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, FormatError
from redoxmap.io.athena import athena_tables
from redoxmap.io.xas_files import spectrum_table
from redoxmap.xas.channels import absorption_values, calibrate, reference_values
from redoxmap.xas.merge import merge_scans
from redoxmap.xas.normalization import Normalization, normalize_k_edge, normalize_soft

# Channels that already hold an absorption spectrum (processed exports).
MU_CHANNELS = ("mu", "xmu", "norm", "intensity", "column2", "column3")
EDGE_KINDS = ("K", "L", "O-K")


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
            i0: str = "i0", reference_e0_eV: float | None = None, energy_shift_eV: float = 0.0,
            channel_map: dict[str, str] | None = None):
    """Absorption of one scan: ``(energy, mu)``.

    ``path`` may name an Athena group as ``project.prj::group``. The absorption is
    computed from the raw channels of ``mode`` (transmission by default) when the file
    has them; a file that holds a processed spectrum (``mu``, ``xmu``, ``norm``,
    ``intensity``) instead is used as it is. With ``reference_e0_eV`` the energy is calibrated on the
    reference channel (``irefer``). ``channel_map`` (role -> column or HDF5 dataset)
    is needed for HDF5/NeXus files and renames the columns of text files.
    """
    text = str(path)
    if "::" in text:
        project, group = text.split("::", 1)
        groups = athena_tables(project)
        if group not in groups:
            raise FormatError(f"no group {group!r} (groups: {', '.join(groups)})", path=project)
        ds = groups[group]
    else:
        ds = spectrum_table(Path(path), channel_map=channel_map)
    energy = ds.energy
    processed = next((c for c in MU_CHANNELS if c in ds), None)
    raw_signal = signal or {"transmission": "itrans", "ipfy": "pfy", None: "itrans"}.get(mode, mode)
    if signal is None and processed and raw_signal not in ds:
        # A processed export (mu, intensity...) of a spectrum measured in ``mode``.
        mu = np.asarray(ds.channels[processed], float)
    else:
        mu = absorption_values(ds, mode or "transmission", signal=signal, i0=i0)
    shift = energy_shift_eV
    if reference_e0_eV is not None:
        if "irefer" not in ds:
            raise FormatError("no reference channel 'irefer' to calibrate the energy with",
                              path=ds.attrs.get("source_file"))
        shift += calibrate(energy, reference_values(ds), reference_e0_eV,
                           search=(reference_e0_eV - 15, reference_e0_eV + 15))
    return energy + shift, mu


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
