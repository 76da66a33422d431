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


def channel(ds, name: str, *, dark: float | str | None = None) -> np.ndarray:
    """One channel of a spectrum (Dataset or SpectrumTable), dark-subtracted, with an error naming the file."""
    names = list(ds.channels) if hasattr(ds, "channels") else list(ds.data_vars)
    if name not in names:
        raise FormatError(f"no channel {name!r} (channels: {', '.join(names)})",
                          path=ds.attrs.get("source_file"))
    values = np.asarray(ds.channels[name] if hasattr(ds, "channels") else ds[name].to_numpy(), dtype=float)
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


def reference_values(ds, *, itrans: str = "itrans", iref: str = "irefer") -> np.ndarray:
    """:func:`reference_absorption` as a plain array."""
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
