"""Benchmark: XRD peak fitting, redoxmap against lmfit, on the same real pattern and windows.

In one process, on the real Cu K-alpha pattern of a Li2MnO3 + MnO + TiO2 mixture
(XRD-AutoAnalyzer), cut to 10-50 deg (4,001 points, the reference study's range and step):

1. a 5-peak fit: the five strongest peaks (18.7, 25.4, 35.0, 40.6, 44.8 deg), each a
   pseudo-Voigt K-alpha1/K-alpha2 doublet on a line in a +-0.35 deg window, and the same without
   the ill-posed 25.4 deg window (both tools end at the FWHM bound there). redoxmap: one batched
   call (``fit_peaks``); lmfit: ``PseudoVoigtModel`` x 2 (K-alpha2 tied by an expression, as a
   careful lmfit user writes it) + ``LinearModel`` per window, same weights. Both are warmed up
   (lmfit's import is outside the timing) and timed interleaved, median of 5;
2. an in situ series of 500 scans made from the same pattern (the layered (003)-type peak
   shifting by up to -0.15 deg, the (020) superlattice peak fading, Poisson noise): (003) and
   (020) in every scan, 1,000 fits. lmfit is timed on the first 20 scans and scaled;
3. agreement: the largest |centre difference| / standard error between the two.

Run ``python benchmarks/bench_xrd.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xrd_eis"
PATTERN = DATA / "njszym+XRD-AutoAnalyzer" / "Example" / "Spectra" / "Li2MnO3+MnO+TiO2.xy"
PEAKS = [18.73, 25.36, 34.96, 40.59, 44.76]
ILL_POSED = 25.36  # both tools end at the FWHM bound here (lmfit after thousands of evaluations): shown apart
HALF_WIDTH = 0.35


def lmfit_peak(x, y, near, wavelength_ratio):
    """The same model in lmfit: two tied pseudo-Voigts and a line, Poisson weights."""
    from lmfit.models import LinearModel, PseudoVoigtModel

    composite = PseudoVoigtModel(prefix="a_") + PseudoVoigtModel(prefix="b_") + LinearModel(prefix="bg_")
    params = composite.make_params()
    params.add("ratio", value=wavelength_ratio, vary=False)
    params["a_center"].set(value=x[np.argmax(y)], min=near - HALF_WIDTH, max=near + HALF_WIDTH)
    # lmfit's sigma is half the FWHM; redoxmap bounds the FWHM by the window's half width.
    params["a_sigma"].set(value=0.06, min=0.001, max=HALF_WIDTH / 2)
    params["a_amplitude"].set(value=max(y.max() - np.median(y), 1.0) * 0.15, min=0)
    params["a_fraction"].set(value=0.5, min=0, max=1)
    params["b_center"].set(expr="2*asin(ratio*sin(a_center*pi/360))*180/pi")
    params["b_sigma"].set(expr="a_sigma")
    params["b_fraction"].set(expr="a_fraction")
    params["b_amplitude"].set(expr="0.5*a_amplitude")
    params["bg_slope"].set(value=0.0)
    params["bg_intercept"].set(value=float(np.median(y)))
    return composite.fit(y, params, x=x, weights=1 / np.sqrt(np.maximum(y, 1)))


def lmfit_windows(x, y, peaks, wavelength_ratio):
    results = []
    for near in peaks:
        inside = (x >= near - HALF_WIDTH) & (x < near + HALF_WIDTH)
        results.append(lmfit_peak(x[inside], y[inside], near, wavelength_ratio))
    return results


def agreement(table, results) -> float:
    """Largest |centre difference| in units of the larger of the two standard errors."""
    worst = 0.0
    for row, result in zip(table.itertuples(), results):
        centre = result.params["a_center"]
        if np.isfinite(row.center_deg) and centre.stderr:
            worst = max(worst, abs(row.center_deg - centre.value) / max(row.center_stderr_deg, centre.stderr))
    return worst


def main() -> None:
    warnings.simplefilter("ignore")
    from redoxmap.io.xrd_files import read_pattern
    from redoxmap.xrd.peaks import fit_peaks

    pattern = read_pattern(PATTERN)
    keep = (pattern.two_theta >= 10) & (pattern.two_theta <= 50)
    x, y = pattern.two_theta[keep], pattern.intensity[keep]
    ka1, ka2 = pattern.attrs["wavelength_A"], pattern.attrs["wavelength2_A"]
    options = {"wavelength_A": ka1, "wavelength2_A": ka2, "half_width_deg": HALF_WIDTH}

    print(threads_note())
    well_posed = [p for p in PEAKS if p != ILL_POSED]
    for label, peaks in ((f"5-peak fit (with the ill-posed {ILL_POSED} deg window)", PEAKS),
                         ("4-peak fit (without it)", well_posed)):
        ours, theirs = interleaved(lambda peaks=peaks: fit_peaks(x, y, peaks, **options),
                                   lambda peaks=peaks: lmfit_windows(x, y, peaks, ka2 / ka1), repeat=5)
        evaluations = sum(r.nfev for r in theirs["value"])
        print(
            f"{label} of a {len(x):,}-point pattern ({PATTERN.name}, 10-50 deg), warmed up, interleaved, median of 5:"
        )
        print(f"  redoxmap {ours['median'] * 1e3:9.1f} ms (spread {ours['spread'] * 1e3:.1f})")
        print(f"  lmfit    {theirs['median'] * 1e3:9.1f} ms (spread {theirs['spread'] * 1e3:.1f}; {evaluations} "
              f"function evaluations)")
        print(f"  speed-up {theirs['median'] / ours['median']:.0f}x (goal 10x); largest |centre difference| "
              f"{agreement(ours['value'].table, theirs['value']):.2f} standard errors")

    n_scans = 500
    rng = np.random.default_rng(0)
    shifts = np.linspace(0.0, -0.15, n_scans)
    fade = np.linspace(1.0, 0.1, n_scans)
    window = np.abs(x - 20.88) < 0.3
    stack = np.empty((n_scans, len(x)))
    for k in range(n_scans):
        shifted = np.interp(x, x + shifts[k], y)
        edges = np.interp([20.58, 21.18], x, shifted)
        background = np.interp(x, [20.58, 21.18], edges)
        shifted = np.where(window, background + fade[k] * (shifted - background), shifted)
        stack[k] = rng.poisson(np.clip(shifted, 0, None))
    pair = [18.73, 20.88]
    start = time.perf_counter()
    series = fit_peaks(x, stack, pair, **options, labels=["003", "020"])
    ours_series = time.perf_counter() - start
    n_lmfit = 20
    start = time.perf_counter()
    series_results = [r for k in range(n_lmfit) for r in lmfit_windows(x, stack[k], pair, ka2 / ka1)]
    lmfit_series = (time.perf_counter() - start) / n_lmfit * n_scans
    first = series.table[series.table["scan"] < n_lmfit]
    print(f"\nIn situ series of {n_scans} scans, (003) and (020) in each ({2 * n_scans} fits):")
    print(f"  redoxmap {ours_series:9.2f} s   ({ours_series / (2 * n_scans) * 1e3:.2f} ms per peak)")
    print(f"  lmfit    {lmfit_series:9.1f} s   (timed on {n_lmfit} scans, scaled)")
    print(f"  speed-up {lmfit_series / ours_series:.0f}x (goal 10x); largest |centre difference| "
          f"{agreement(first, series_results):.2f} standard errors; fitted (003) shift over the series "
          f"{series.table[series.table['peak'] == '003']['center_deg'].iloc[[0, -1]].diff().iloc[-1]:+.3f} deg "
          f"(made: {shifts[-1]:+.3f})")


if __name__ == "__main__":
    main()
