"""In situ (operando) diffraction series: (003) position, c and width, and the (020) intensity.

The layered (003) peak moves with the Li-layer spacing (``c = 3 d(003)`` in R-3m); the
Li2MnO3 (020) superlattice peak fades when the Li2MnO3 domains activate. For every scan
both peaks are fitted in one batch, and the (020) intensity is also integrated
numerically above a straight background, which stays meaningful when the peak has
faded below detection. Scan times are put on the cycler's clock to read the voltage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.defaults import XRD_HALF_WIDTH_DEG
from redoxmap.errors import AnalysisError, DataWarning, warn
from redoxmap.xrd.crystallography import c_from_003
from redoxmap.xrd.peaks import PeakFits, fit_peaks


def integrated_intensity(two_theta, intensity, center_deg, half_width_deg: float, *,
                         background_deg: float = 0.15):
    """Area above a straight background under ``center +- half_width`` (counts x deg), with its
    Poisson standard error; the background is the mean of ``background_deg`` on each side.

    Works on one scan ``(n,)`` or a series ``(n_scans, n)`` on one grid; ``center_deg`` may be
    one angle or one per scan (a peak that moves through the series).
    """
    x = np.asarray(two_theta, float)
    Y = np.atleast_2d(np.asarray(intensity, float))
    centers = np.broadcast_to(np.asarray(center_deg, float), (len(Y),))
    step = float(np.median(np.diff(x)))
    area, error = np.empty(len(Y)), np.empty(len(Y))
    for k, (y, center) in enumerate(zip(Y, centers)):
        inside = (x >= center - half_width_deg) & (x <= center + half_width_deg)
        left = (x >= center - half_width_deg - background_deg) & (x < center - half_width_deg)
        right = (x > center + half_width_deg) & (x <= center + half_width_deg + background_deg)
        if inside.sum() < 3 or left.sum() < 2 or right.sum() < 2:
            raise AnalysisError(f"too few points to integrate {center - half_width_deg:.2f}-"
                                f"{center + half_width_deg:.2f} deg with its background windows")
        xl, xr = x[left].mean(), x[right].mean()
        yl, yr = y[left].mean(), y[right].mean()
        background = yl + (yr - yl) * (x[inside] - xl) / (xr - xl)
        area[k] = (y[inside] - background).sum() * step
        n_in = inside.sum()
        # Var = sum(counts) + the background line's variance carried over n_in points.
        variance = np.clip(y[inside], 0, None).sum() + n_in ** 2 * (
            max(yl, 0) / left.sum() + max(yr, 0) / right.sum()) / 4
        error[k] = np.sqrt(variance) * step
    return area, error


@dataclass
class SeriesResult:
    """An analysed in situ series.

    Attributes
    ----------
    table : pandas.DataFrame
        Per scan: ``scan``, ``time_s`` (cycler clock), ``time_h``, ``voltage_V`` (NaN without
        cycling), ``center_003_deg`` (+ stderr), ``c_A`` (+ stderr), ``fwhm_003_deg`` (+ stderr),
        ``area_003``, ``center_020_deg``, ``area_020`` (fitted, + stderr),
        ``intensity_020`` (integrated, + stderr), ``ratio_020_003`` (+ stderr), ``notes``; with a
        segmented cycler table also ``cycle`` and ``direction`` of the half cycle at each scan's middle.
    fits : PeakFits
        Every peak fit of every scan.
    two_theta, intensity : numpy.ndarray
        The stacked series, for the contour map.
    cycling : pandas.DataFrame or None
        ``time_h`` and ``voltage_V`` of the cycler file, for the side panel.
    attrs : dict
    """

    table: pd.DataFrame
    fits: PeakFits = field(repr=False)
    two_theta: np.ndarray = field(repr=False)
    intensity: np.ndarray = field(repr=False)
    cycling: pd.DataFrame | None = field(default=None, repr=False)
    attrs: dict = field(default_factory=dict)


def analyze_series(series, *, peak_003_deg: float = 18.6, peak_020_deg: float = 20.8,
                   half_width_deg: float = XRD_HALF_WIDTH_DEG, cycling: pd.DataFrame | None = None,
                   time_offset_s: float = 0.0) -> SeriesResult:
    """(003) and (020) through an in situ series, on the cycler's clock.

    Parameters
    ----------
    series : xarray.DataArray
        From :func:`redoxmap.io.xrd_files.read_series` (dims ``scan``, ``two_theta``).
    peak_003_deg, peak_020_deg : float
        Approximate K-alpha1 positions of LiTMO2 (003) and Li2MnO3 (020).
    half_width_deg : float
        Half width of each fitting window.
    cycling : pandas.DataFrame, optional
        A cycler table (``time_s``, ``voltage_V``), e.g. from :func:`redoxmap.read_cycling`.
    time_offset_s : float
        Cycler time at which the first scan started (0: both began together).

    Returns
    -------
    SeriesResult
    """
    two_theta = series["two_theta"].to_numpy()
    intensity = series.to_numpy()
    attrs = series.attrs
    wavelength, wavelength2 = attrs["wavelength_A"], attrs.get("wavelength2_A")
    # Keep the two windows apart (their midpoint) so that (003) never fits (020).
    half_width = min(half_width_deg, abs(peak_020_deg - peak_003_deg) / 2)
    fits = fit_peaks(two_theta, intensity, [peak_003_deg, peak_020_deg], wavelength_A=wavelength,
                     wavelength2_A=wavelength2, ka2_ratio=attrs.get("ka2_ratio") or 0.5,
                     half_width_deg=half_width, labels=["003", "020"])
    table = fits.table
    p003 = table[table["peak"] == "003"].set_index("scan")
    p020 = table[table["peak"] == "020"].set_index("scan")
    c, c_err = c_from_003(p003["center_deg"].to_numpy(), p003["center_stderr_deg"].to_numpy(), wavelength)
    # Integrate (020) where it is in each scan: its fitted centre where found, else where the
    # scan's (003) shift puts it (both are near 20 deg, so a lattice change moves them alike).
    found_020 = p020["found"].to_numpy()
    center_003 = p003["center_deg"].to_numpy()
    if found_020.any():
        offset = float(np.nanmedian(p020["center_deg"].to_numpy()[found_020] - center_003[found_020]))
        width_020 = float(np.nanmedian(p020["fwhm_deg"][found_020]))
    else:
        offset, width_020 = peak_020_deg - float(np.nanmedian(center_003)), 0.15
    follow = np.where(np.isfinite(center_003), center_003 + offset, peak_020_deg)
    center_020 = np.where(found_020, p020["center_deg"].to_numpy(), follow)
    area_int, area_int_err = integrated_intensity(two_theta, intensity, center_020,
                                                  min(1.5 * width_020, half_width * 0.8),
                                                  background_deg=min(0.15, half_width * 0.3))
    area_003, area_003_err = p003["integrated_area"].to_numpy(), p003["area_stderr"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = area_int / area_003
        ratio_err = np.abs(ratio) * np.sqrt((area_int_err / area_int) ** 2 + (area_003_err / area_003) ** 2)
    time_s = series["time_s"].to_numpy() + time_offset_s
    out = pd.DataFrame({
        "scan": p003.index.to_numpy(), "time_s": time_s, "time_h": time_s / 3600,
        "center_003_deg": p003["center_deg"].to_numpy(), "center_003_stderr_deg": p003["center_stderr_deg"].to_numpy(),
        "c_A": c, "c_stderr_A": c_err, "fwhm_003_deg": p003["fwhm_deg"].to_numpy(),
        "fwhm_003_stderr_deg": p003["fwhm_stderr_deg"].to_numpy(), "area_003": area_003,
        "center_020_deg": p020["center_deg"].to_numpy(), "area_020": p020["integrated_area"].to_numpy(),
        "area_020_stderr": p020["area_stderr"].to_numpy(), "intensity_020": area_int,
        "intensity_020_stderr": area_int_err, "ratio_020_003": ratio, "ratio_020_003_stderr": ratio_err,
        "notes": [" | ".join(n for n in (a, b) if n) for a, b in zip(p003["note"], p020["note"])]})
    cycler = None
    notes = []
    if cycling is not None:
        cycler = pd.DataFrame({"time_h": cycling["time_s"].to_numpy() / 3600,
                               "voltage_V": cycling["voltage_V"].to_numpy()})
        if np.isnan(time_s).all():
            notes.append("the scans carry no timestamps: no voltage can be assigned")
            out["voltage_V"] = np.nan
        else:
            spacing = float(np.nanmedian(np.diff(time_s))) if len(time_s) > 1 else 0.0
            middle = time_s + spacing / 2  # a scan's voltage: the cycler's at the middle of the scan
            voltage = np.interp(middle, cycling["time_s"], cycling["voltage_V"], left=np.nan, right=np.nan)
            outside = int(np.isnan(voltage).sum())
            if outside:
                notes.append(f"{outside} scans lie outside the cycler record (check time_offset_s)")
            out["voltage_V"] = voltage
            out = out.join(_half_cycle_of_scans(cycling, middle))
    else:
        out["voltage_V"] = np.nan
    for message in notes:
        warn(message, DataWarning)
    return SeriesResult(out, fits, two_theta, intensity, cycler, {
        "wavelength_A": wavelength, "wavelength2_A": wavelength2, "time_offset_s": time_offset_s,
        "peak_003_deg": peak_003_deg, "peak_020_deg": peak_020_deg,
        "integration_offset_020_deg": offset, "notes": notes})


def _half_cycle_of_scans(cycling: pd.DataFrame, time_s: np.ndarray) -> pd.DataFrame:
    """The cycle and direction (charge, discharge) of the half cycle each scan's middle falls in
    (NaN outside the record or where the cycler table is not segmented)."""
    if not {"half_cycle", "cycle"} <= set(cycling):
        return pd.DataFrame(index=range(len(time_s)))
    from redoxmap.cycling.summary import half_cycles

    halves = half_cycles(cycling).set_index("half_cycle")
    clock = cycling["time_s"].to_numpy()
    row = np.clip(np.searchsorted(clock, time_s, side="right") - 1, 0, len(clock) - 1)
    inside = (time_s >= clock[0]) & (time_s <= clock[-1])
    half = np.where(inside, cycling["half_cycle"].to_numpy()[row], 0)
    known = inside & np.isin(half, halves.index)
    cycle = np.where(known, halves["cycle"].reindex(half, fill_value=0).to_numpy(), np.nan)
    direction = np.where(known, halves["direction"].reindex(half, fill_value="").to_numpy(), None)
    return pd.DataFrame({"cycle": cycle, "direction": direction})
