"""Detector channels to absorption: transmission, TEY, TFY, PFY and inverse PFY.

Conventions (each channel dark-subtracted first when a dark current is given):

* transmission: ``mu = ln(I0 / It)``; a reference foil behind the sample: ``ln(It / Iref)``;
* TEY (sample drain current) and TFY/PFY (fluorescence): ``mu ~ signal / I0``;
* iPFY: ``mu ~ I0 / PFY`` of a *non-resonant* emission (O K-alpha across a TM L edge):
  the partial fluorescence of the other element drops as the TM absorbs more, and the
  inverse is free of the self-absorption that distorts TFY (Achkar et al., PRB 83,
  081106, 2011).
"""

from __future__ import annotations

import numpy as np

from redoxmap.errors import AnalysisError, FormatError

MODES = ("transmission", "tey", "tfy", "pfy", "ipfy")
# What each mode probes: electron yields the surface (a few nm); fluorescence yields and transmission
# the bulk (~100 nm and more), in order of preference (iPFY is free of self-absorption, TFY and PFY not).
SURFACE_MODES = ("tey", "pey", "aey")
BULK_MODES = ("ipfy", "tfy", "pfy", "fy", "transmission")


def probe_of_mode(mode: str) -> str | None:
    """``surface`` for electron yields, ``bulk`` for fluorescence and transmission, else None."""
    mode = mode.lower()
    if mode in SURFACE_MODES:
        return "surface"
    if mode in BULK_MODES:
        return "bulk"
    return None


# Raw channels under the names beamlines and their software write (XDI's dictionary name first).
ALIASES = {"i0": ("i0", "io", "imon", "mon", "monitor"), "itrans": ("itrans", "it", "i1", "itr"),
           "irefer": ("irefer", "iref", "ir", "i2"), "ifluor": ("ifluor", "if", "fluor")}
# Columns that already hold an absorption spectrum (Athena, Demeter, Larch and beamline exports), by the
# detection they come from, then any; and the reference foil's absorption.
READY = {"transmission": ("mutrans", "normtrans", "flattrans"),
         "fluorescence": ("mufluor", "normfluor", "flatfluor"),
         "any": ("xmu", "mu", "norm", "flat", "nor", "intensity", "mutrans", "mufluor", "normtrans", "normfluor")}
READY_REFERENCE = ("murefer", "normrefer", "flatrefer", "muref")


def _names(ds) -> list[str]:
    return list(ds.channels) if hasattr(ds, "channels") else list(ds.data_vars)


def find_channel(ds, name: str) -> str | None:
    """The column that holds channel ``name``: itself, or one of its :data:`ALIASES` (``it`` for ``itrans``)."""
    names = _names(ds)
    return next((n for n in (name, *ALIASES.get(name, ())) if n in names), None)


def ready_absorption(ds, mode: str | None = None) -> str | None:
    """The column holding a ready-made absorption spectrum (``mutrans``, ``xmu``, ``norm``...) measured in
    ``mode`` (any mode when None), or the only column of a one-spectrum export (Athena's ``.nor``)."""
    names = _names(ds)
    preferred = (READY["transmission"] if mode == "transmission" else
                 READY["fluorescence"] if mode in ("tfy", "pfy", "ipfy", "fluorescence") else ())
    found = next((n for n in (*preferred, *READY["any"]) if n in names), None)
    return found if found is not None or len(names) != 1 else names[0]


def channel(ds, name: str, *, dark: float | str | None = None) -> np.ndarray:
    """One channel of a spectrum (Dataset or SpectrumTable; a raw channel also under its :data:`ALIASES`),
    dark-subtracted, with an error naming the file."""
    found = find_channel(ds, name)
    if found is None:
        raise FormatError(f"no channel {name!r} (channels: {', '.join(_names(ds))})",
                          path=ds.attrs.get("source_file"))
    values = np.asarray(ds.channels[found] if hasattr(ds, "channels") else ds[found].to_numpy(), dtype=float)
    if dark is not None:
        values = values - (channel(ds, dark) if isinstance(dark, str) else float(dark))
    return values


def absorption(ds, mode: str, *, signal: str | None = None, i0: str = "i0",
               dark: dict[str, float | str] | None = None):
    """Absorption in a detection mode from raw channels, as a DataArray on the energy grid.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`redoxmap.io.xas_files.read_xdi` or ``read_columns``.
    mode : {"transmission", "tey", "tfy", "pfy", "ipfy"}
    signal : str, optional
        The sample channel (default: ``itrans`` for transmission, ``pfy`` for iPFY, else
        the mode's name).
    i0 : str
        The incident-flux channel.
    dark : dict, optional
        Channel -> dark current (a number or another channel's name) to subtract.

    Returns
    -------
    xarray.DataArray
        ``mu`` with ``mode`` and the source file in its attributes.
    """
    import xarray as xr

    mu = absorption_values(ds, mode, signal=signal, i0=i0, dark=dark)
    signal = signal or {"transmission": "itrans", "ipfy": "pfy"}.get(mode, mode)
    return xr.DataArray(mu, coords={"energy": ds["energy"]}, dims="energy", name="mu",
                        attrs={**ds.attrs, "mode": mode, "signal": signal, "i0": i0})


def absorption_values(ds, mode: str, *, signal: str | None = None, i0: str = "i0",
                      dark: dict[str, float | str] | None = None) -> np.ndarray:
    """:func:`absorption` as a plain array (for a Dataset or a SpectrumTable)."""
    if mode not in MODES:
        raise AnalysisError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    dark = dark or {}
    signal = signal or {"transmission": "itrans", "ipfy": "pfy"}.get(mode, mode)
    flux = channel(ds, i0, dark=dark.get(i0))
    sample = channel(ds, signal, dark=dark.get(signal))
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "transmission":
            mu = np.log(flux / sample)
        elif mode == "ipfy":
            mu = flux / sample
        else:
            mu = sample / flux
    if not np.isfinite(mu).all():
        raise AnalysisError(f"{ds.attrs.get('source_file')}: non-positive or zero {i0!r} or "
                            f"{signal!r} values make {mode} undefined")
    return mu


def reference_absorption(ds, *, itrans: str = "itrans", iref: str = "irefer"):
    """Absorption of the reference foil behind the sample: ``ln(It / Iref)``, as a DataArray."""
    import xarray as xr

    return xr.DataArray(reference_values(ds, itrans=itrans, iref=iref), coords={"energy": ds["energy"]},
                        dims="energy", name="mu_ref", attrs=dict(ds.attrs))


def reference_values(ds, *, itrans: str = "itrans", iref: str = "irefer", reference: str | None = None) -> np.ndarray:
    """:func:`reference_absorption` as a plain array: the column ``reference`` when given (a ready-made
    absorption such as ``murefer``, used as it is), else a ready-made reference column of the file, else
    ``ln(It / Iref)`` from the raw channels."""
    if reference is not None:
        return channel(ds, reference)
    ready = next((n for n in READY_REFERENCE if n in _names(ds)), None)
    if ready is not None:
        return channel(ds, ready)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(channel(ds, itrans) / channel(ds, iref))


def calibrate(energy, reference_mu, reference_e0_eV: float, *, search: tuple[float, float] | None = None,
              smoothing_eV: float = 0.75) -> float:
    """Energy shift (eV) that puts the reference's E0 at its known value.

    Add the returned shift to the energies of the scan that was measured with it.
    """
    from redoxmap.xas.normalization import edge_energy

    return float(reference_e0_eV - edge_energy(energy, reference_mu, search=search,
                                              smoothing_eV=smoothing_eV))
