"""Fit diffraction peaks: pseudo-Voigt (K-alpha doublet or single line) on a local polynomial.

Each requested peak is fitted in its own window around a given angle; every window of a
pattern, or of every scan of an in situ series, is solved in one batched
Levenberg-Marquardt call (:mod:`redoxmap.batch_lm`). Counts are weighted by Poisson
statistics (or by the file's sigma), so the reduced chi-square is a real fit-quality
figure and the standard errors are honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap import errors
from redoxmap.batch_lm import fit_batch
from redoxmap.defaults import XRD_HALF_WIDTH_DEG
from redoxmap.errors import AnalysisError, DataWarning, FitWarning
from redoxmap.fitting import error_convention
from redoxmap.palette import COLORS
from redoxmap.results import FitResult, axes_for
from redoxmap.xrd.crystallography import d_spacing, d_spacing_stderr
from redoxmap.xrd.profile import PARAMETERS, model

MIN_POINTS_PER_FWHM = 5.0  # below this a peak is flagged: a fast scan moves fitted centres by ~0.1-0.2 deg
REFUSE_POINTS_PER_FWHM = 2.0  # below this the profile is not sampled at all: the fit is refused
DETECTION_SIGMA = 3.0  # a peak must rise this many noise standard deviations above its background


@dataclass
class PeakFits(FitResult):
    """Fitted peaks.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per peak (and scan, for a series): ``scan``, ``peak``, ``near_deg``,
        ``center_deg`` and ``center_stderr_deg``, ``fwhm_deg`` (+ stderr), ``eta`` (+ stderr),
        ``area`` (K-alpha1 line, counts x deg, + stderr), ``integrated_area`` (all lines),
        ``height``, ``d_A`` (+ stderr), ``points_per_fwhm``, ``reduced_chi_square``,
        ``r_wp`` (weighted profile R, %), ``found``, ``converged``, ``note``.
    windows : list of dict
        Per row: ``two_theta``, ``data``, ``fit``, ``background`` arrays, for figures.
    attrs : dict
        Wavelengths and the options used.
    """

    table: pd.DataFrame
    windows: list[dict] = field(repr=False)
    attrs: dict = field(default_factory=dict)

    title = "XRD peak fits"

    def _parameters(self) -> pd.DataFrame:
        """Centre, FWHM, eta, area and d of every peak (and scan), with standard errors."""
        quantities = (("center", "center_deg", "center_stderr_deg", "deg"),
                      ("fwhm", "fwhm_deg", "fwhm_stderr_deg", "deg"), ("eta", "eta", "eta_stderr", ""),
                      ("area", "area", "area_stderr", "counts deg"), ("d", "d_A", "d_stderr_A", "Å"))
        several = self.table["scan"].nunique() > 1

        def pinned(row, name):  # d follows the centre; a table saved before at_bound existed: not known
            if "at_bound" not in row or not isinstance(row["at_bound"], str):
                return pd.NA
            return ("center" if name == "d" else name) in row["at_bound"].split(", ")

        return pd.DataFrame([
            {"parameter": f"({row['peak']}){f' scan {row.scan}' if several else ''} {name}",
             "value": row[value], "stderr": row[error], "unit": unit, "at_bound": pinned(row, name)}
            for _, row in self.table.iterrows() for name, value, error, unit in quantities])

    def statistics(self) -> dict:
        """Peaks fitted and found, the worst reduced chi-square and R_wp, profile and error convention."""
        return {"peaks": len(self.table), "found": int(self.table["found"].sum()),
                "max_reduced_chi_square": float(self.table["reduced_chi_square"].max()),
                "max_r_wp_percent": float(self.table["r_wp"].max()), "profile": self.attrs.get("profile", ""),
                "errors": self.attrs.get("errors", "")}

    def _rows(self, peak: str | None, scan: int) -> list[int]:
        rows = [i for i, (p, s) in enumerate(zip(self.table["peak"], self.table["scan"]))
                if s == scan and (peak is None or str(p) == str(peak))]
        if not rows:
            raise AnalysisError(
                f"no fitted peak {peak!r} in scan {scan}; peaks: {', '.join(map(str, self.table['peak']))}"
            )
        return rows

    def plot(self, ax=None, *, peak: str | None = None, scan: int = 0):
        """Data, fit and background of every window of a scan (or of one ``peak``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = axes_for(ax)
        for i in self._rows(peak, scan):
            window = self.windows[i]
            x = window["two_theta"]
            ax.plot(x, window["data"], ".", ms=2, color="0.3")
            if np.isfinite(window["fit"]).any():
                ax.plot(x, window["fit"], color=COLORS[0], lw=1.0)
                ax.plot(x, window["background"], color=COLORS[1], lw=0.7, ls="--")
        ax.set_xlabel("2θ (°)")
        ax.set_ylabel("Counts")
        return ax

    def plot_residuals(self, ax=None, *, peak: str | None = None, scan: int = 0):
        """Data minus fit of every window of a scan (or of one ``peak``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = axes_for(ax, (4.0, 1.6))
        for i in self._rows(peak, scan):
            window = self.windows[i]
            if np.isfinite(window["fit"]).any():
                ax.plot(window["two_theta"], window["data"] - window["fit"], color="0.3", lw=0.6)
        ax.axhline(0, color="0.7", lw=0.5)
        ax.set_xlabel("2θ (°)")
        ax.set_ylabel("Residual")
        return ax


def _windows(two_theta: np.ndarray, near: list[float], half_widths: np.ndarray):
    """Index ranges of each window; the same for every scan of a series (one grid)."""
    ranges = []
    for target, half_width in zip(near, half_widths):
        lo, hi = np.searchsorted(two_theta, target - half_width), np.searchsorted(two_theta, target + half_width)
        if hi - lo < 12:
            raise AnalysisError(f"the window {target - half_width:.2f}-{target + half_width:.2f} deg holds "
                                f"{hi - lo} points of the pattern ({two_theta[0]:.2f}-{two_theta[-1]:.2f} deg): "
                                "too few for a peak")
        ranges.append((lo, hi))
    return ranges


def _initial(x, y, ka2_ratio, step):
    """Start values and a detection figure for one window."""
    edge = max(len(x) // 10, 3)
    left, right = np.median(y[:edge]), np.median(y[-edge:])
    slope = (right - left) / (x[-edge // 2 - 1] - x[edge // 2])
    background = left + slope * (x - x[edge // 2])
    excess = y - background
    i = int(np.argmax(excess))
    height = float(excess[i])
    above = excess >= height / 2
    lo, hi = i, i
    while lo > 0 and above[lo - 1]:
        lo -= 1
    while hi < len(x) - 1 and above[hi + 1]:
        hi += 1
    fwhm = float(np.clip((hi - lo + 1) * step, 2 * step, (x[-1] - x[0]) / 3))
    noise = max(float(np.std(np.concatenate([y[:edge] - background[:edge], y[-edge:] - background[-edge:]]))),
                float(np.sqrt(max(np.median(background), 1.0))) if y.min() >= 0 else 0.0, 1e-12)
    centre = 0.5 * (x[0] + x[-1])
    p0 = [max(height, 1e-12) * fwhm * 1.2 / (1 + ka2_ratio), x[i], fwhm, 0.5,
          left + slope * (centre - x[edge // 2]), slope]
    return p0, height / noise


def _max_step(params: np.ndarray) -> np.ndarray:
    """Trust region per iteration: centre and width move by at most half a width, the area
    by at most its size (weak peaks otherwise leap into the background on the first step)."""
    limit = np.full_like(params, np.inf)
    width = params[:, 2]
    limit[:, 0] = np.maximum(np.abs(params[:, 0]), 1e-9)
    limit[:, 1] = 0.5 * width
    limit[:, 2] = 0.5 * width
    limit[:, 3] = 0.5
    return limit


def fit_peaks(two_theta, intensity, near, *, wavelength_A: float, wavelength2_A: float | None = None,
              ka2_ratio: float = 0.5, sigma=None, half_width_deg=XRD_HALF_WIDTH_DEG, background_order: int = 1,
              labels: list[str] | None = None, warn: bool = True) -> PeakFits:
    """Fit one peak near each given angle, in one pattern or every scan of a series.

    Parameters
    ----------
    two_theta : array-like
        Increasing 2theta (degrees), shape ``(n,)``.
    intensity : array-like
        Counts, shape ``(n,)`` or ``(n_scans, n)`` for a series on one grid.
    near : list of float
        Approximate K-alpha1 peak positions (degrees).
    wavelength_A, wavelength2_A : float
        K-alpha1 (or the single line) and K-alpha2 (None: single line) wavelengths.
    ka2_ratio : float
        K-alpha2/K-alpha1 intensity ratio.
    sigma : array-like, optional
        Intensity uncertainties (default: Poisson, sqrt(counts), for count data).
    half_width_deg : float or sequence of float
        Half width of the fitting windows (one for all, or one per peak).
    background_order : {0, 1, 2}
        Degree of the local background polynomial.
    labels : list of str, optional
        Peak names (default: the ``near`` values).

    Returns
    -------
    PeakFits

    Raises
    ------
    AnalysisError
        When a window lies outside the pattern or holds too few points.

    Notes
    -----
    One function because every peak of every scan is one problem of a single batch: the windows, starts,
    bounds and weights are built as ``(batch, ...)`` arrays, fitted together by
    :func:`redoxmap.batch_lm.fit_batch` (one vectorised model and Jacobian), and read back row by row into
    the table and the notes. Split, the steps would pass those arrays between them; kept together, the
    batch's layout is written once.

    Examples
    --------
    A Gaussian (003) reflection of known centre, width and area on a flat background:

    >>> import numpy as np
    >>> two_theta = np.linspace(17.0, 20.0, 601)
    >>> counts = 50 + 1000 * np.exp(-0.5 * ((two_theta - 18.62) / 0.05) ** 2)
    >>> fits = fit_peaks(two_theta, counts, [18.6], wavelength_A=1.5406)
    >>> values = fits.parameter_table().set_index("parameter")["value"]
    >>> print(round(values["(18.6) center"], 3), round(values["(18.6) fwhm"], 4))  # FWHM: 2.3548 x 0.05
    18.62 0.1177
    >>> print(round(values["(18.6) area"], 1))  # 1000 x 0.05 x sqrt(2 pi)
    125.3
    """
    x_all = np.asarray(two_theta, float)
    Y = np.atleast_2d(np.asarray(intensity, float))
    if Y.shape[1] != len(x_all):
        raise AnalysisError(f"intensity has {Y.shape[1]} points per scan, 2theta {len(x_all)}")
    if background_order not in (0, 1, 2):
        raise AnalysisError("background_order must be 0, 1 or 2")
    near = [float(v) for v in np.atleast_1d(near)]
    labels = labels or [f"{v:g}" for v in near]
    ratio = ka2_ratio if wavelength2_A else 0.0
    wavelength_ratio = wavelength2_A / wavelength_A if wavelength2_A else 1.0
    half_widths = np.broadcast_to(np.asarray(half_width_deg, float), (len(near),))
    ranges = _windows(x_all, near, half_widths)
    n_max = max(hi - lo for lo, hi in ranges)
    n_scans, n_peaks = len(Y), len(near)
    batch = n_scans * n_peaks
    X = np.zeros((batch, n_max))
    D = np.zeros((batch, n_max))
    W = np.zeros((batch, n_max))
    Tc = np.zeros(batch)
    p0 = np.zeros((batch, 5 + background_order))
    significance = np.zeros(batch)
    steps = np.zeros(batch)
    counts_like = Y.min() >= 0 and Y.max() > 50
    S = None if sigma is None else np.atleast_2d(np.asarray(sigma, float))
    errors_known = S is not None or counts_like  # the file's errors, or counting statistics
    for s in range(n_scans):
        for k, (lo, hi) in enumerate(ranges):
            b = s * n_peaks + k
            x, y = x_all[lo:hi], Y[s, lo:hi]
            n = hi - lo
            X[b, :n], D[b, :n] = x, y
            X[b, n:] = x[-1]
            if S is not None:
                W[b, :n] = 1.0 / np.maximum(S[min(s, len(S) - 1), lo:hi], 1e-12)
            elif counts_like:
                W[b, :n] = 1.0 / np.sqrt(np.maximum(y, 1.0))
            else:
                W[b, :n] = 1.0
            steps[b] = float(np.median(np.diff(x)))
            Tc[b] = 0.5 * (x[0] + x[-1])
            start, significance[b] = _initial(x, y, ratio, steps[b])
            p0[b] = (start + [0.0])[:5 + background_order]  # a quadratic term starts at zero
    T = X - Tc[:, None]
    lower = np.full_like(p0, -np.inf)
    upper = np.full_like(p0, np.inf)
    for k, target in enumerate(near):
        rows = np.arange(k, batch, n_peaks)
        lower[rows, 1], upper[rows, 1] = target - half_widths[k], target + half_widths[k]
        upper[rows, 2] = half_widths[k]  # a wider peak is the background's business
    lower[:, 0] = 0.0
    lower[:, 2] = 0.5 * steps
    lower[:, 3], upper[:, 3] = 0.0, 1.0
    found = significance >= DETECTION_SIGMA

    def residuals(params, rows):
        y_model, J = model(X[rows], T[rows], params, ka2_ratio=ratio, wavelength_ratio=wavelength_ratio,
                           jacobian=True)
        w = W[rows]
        return (D[rows] - y_model) * w, J * w[:, :, None]

    fitted = np.flatnonzero(found)
    n_points = (W > 0).sum(axis=1)
    params = np.full_like(p0, np.nan)
    stderr = np.full_like(p0, np.nan)
    redchi = np.full(batch, np.nan)
    converged = np.zeros(batch, dtype=bool)
    pinned = np.zeros_like(p0, dtype=bool)
    if len(fitted):
        result = fit_batch(lambda p, rows: residuals(p, fitted[rows]), p0[fitted], lower[fitted], upper[fitted],
                           n_points[fitted], max_step=_max_step, errors_known=errors_known)
        params[fitted], stderr[fitted] = result.params, result.stderr
        redchi[fitted], converged[fitted], pinned[fitted] = (result.reduced_chi_square, result.converged,
                                                              result.at_bound)
    fit_all = np.full_like(D, np.nan)
    background = np.full_like(D, np.nan)
    if len(fitted):
        fit_all[fitted] = model(X[fitted], T[fitted], params[fitted], ka2_ratio=ratio,
                                wavelength_ratio=wavelength_ratio)
        base = params[fitted].copy()
        base[:, 0] = 0.0
        background[fitted] = model(X[fitted], T[fitted], base, ka2_ratio=ratio, wavelength_ratio=wavelength_ratio)
    rows, windows, messages = [], [], []
    for b in range(batch):
        s, k = divmod(b, n_peaks)
        n = int(n_points[b])
        notes = []
        ppf = params[b, 2] / steps[b] if found[b] else np.nan
        if not found[b]:
            notes.append(f"no peak: the largest excess is {significance[b]:.1f} noise sigma")
        else:
            if ppf < REFUSE_POINTS_PER_FWHM:
                notes.append(f"refused: {ppf:.1f} points per FWHM do not sample a peak profile")
            elif ppf < MIN_POINTS_PER_FWHM:
                notes.append(f"undersampled: {ppf:.1f} points per FWHM (the centre may be off by "
                             f"~{0.25 * steps[b]:.3f} deg or more)")
            bounds = [PARAMETERS[i] for i in np.flatnonzero(pinned[b]) if PARAMETERS[i] != "eta"]
            if bounds:
                notes.append(f"at bound: {', '.join(bounds)}")
            if not converged[b]:
                notes.append("did not converge")
        usable = found[b] and ppf >= REFUSE_POINTS_PER_FWHM
        center, center_err = (params[b, 1], stderr[b, 1]) if usable else (np.nan, np.nan)
        residual = (D[b, :n] - fit_all[b, :n]) * W[b, :n]
        r_wp = (100 * np.sqrt(np.sum(residual ** 2) / np.sum((D[b, :n] * W[b, :n]) ** 2))
                if found[b] else np.nan)
        excess = D[b, :n] - background[b, :n] if found[b] else D[b, :n] * np.nan
        rows.append({
            "scan": s, "peak": labels[k], "near_deg": near[k], "center_deg": center, "center_stderr_deg": center_err,
            "fwhm_deg": params[b, 2], "fwhm_stderr_deg": stderr[b, 2], "eta": params[b, 3],
            "eta_stderr": stderr[b, 3], "area": params[b, 0], "area_stderr": stderr[b, 0],
            "integrated_area": params[b, 0] * (1 + ratio), "height": float(np.nanmax(excess)) if found[b] else np.nan,
            "d_A": d_spacing(center, wavelength_A), "d_stderr_A": d_spacing_stderr(center, center_err, wavelength_A),
            "points_per_fwhm": ppf, "reduced_chi_square": redchi[b], "r_wp": r_wp, "significance": significance[b],
            "at_bound": ", ".join(PARAMETERS[i] for i in np.flatnonzero(pinned[b])),
            "found": bool(usable), "converged": bool(converged[b]), "note": "; ".join(notes)})
        windows.append({"two_theta": X[b, :n], "data": D[b, :n], "fit": fit_all[b, :n],
                        "background": background[b, :n]})
        if notes and warn:
            messages.append(f"peak {labels[k]}" + (f" in scan {s}" if n_scans > 1 else "") + f": {notes[0]}")
    if messages and warn:
        shown = messages[:3] + ([f"... and {len(messages) - 3} more"] if len(messages) > 3 else [])
        errors.warn("; ".join(shown), FitWarning if all(found) else DataWarning)  # `warn` is the argument
    attrs = {"wavelength_A": wavelength_A, "wavelength2_A": wavelength2_A, "ka2_ratio": ratio or None,
             "half_width_deg": np.asarray(half_width_deg, float).tolist(), "background_order": background_order,
             "profile": "pseudo-Voigt" + (" K-alpha1/K-alpha2 doublet" if ratio else " single line"),
             "errors": error_convention(errors_known)}
    return PeakFits(pd.DataFrame(rows), windows, attrs)


def fit_pattern_peaks(pattern, near, **options) -> PeakFits:
    """:func:`fit_peaks` on a :class:`~redoxmap.io.xrd_files.Pattern`, with its wavelengths."""
    attrs = pattern.attrs
    return fit_peaks(pattern.two_theta, pattern.intensity, near, wavelength_A=attrs["wavelength_A"],
                     wavelength2_A=attrs.get("wavelength2_A"), ka2_ratio=attrs.get("ka2_ratio") or 0.5,
                     sigma=pattern.sigma, **options)
