"""The reference spectra's own noise, carried into a valence.

A linear combination fit treats its references as exact. They are measurements too: the same sample
fitted against one-scan references and against three-scan references of the same compounds gives
valences that differ by more than the fit's own error. Here each reference is replaced by what it could
equally have been, and the spread of the refitted valence is the references' contribution to the error
budget (:mod:`redoxmap.study.budget`):

* a reference merged from two or more scans: its scans are resampled with replacement (a bootstrap over
  scans), which carries the scan-to-scan variation: drift, normalisation, glitches;
* a reference of one scan: white noise of its own point-to-point level is added (the robust standard
  deviation of its second differences); the scan-to-scan part cannot be known from one scan, which the
  valence floor has to cover.
"""

from __future__ import annotations

import warnings

import numpy as np

from redoxmap.errors import FitWarning, RedoxmapError

DRAWS = 60


def point_noise(values) -> float:
    """The white-noise level of a sampled curve from its second differences (robust to the curve's shape).

    Examples
    --------
    >>> x = np.linspace(0, 10, 2001)
    >>> noisy = np.sin(x) + np.random.default_rng(1).normal(0, 0.01, x.size)
    >>> round(point_noise(noisy), 3)
    0.01
    """
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if len(values) < 5:
        return 0.0
    second = np.diff(values, 2)
    # a second difference of white noise has variance 6 sigma²; the median absolute deviation over
    # 0.6745 is the standard deviation of a normal sample, robust to the curve's edges and peaks
    return float(np.median(np.abs(second - np.median(second))) / 0.6745 / np.sqrt(6))


def reference_spread(energy, data, references: dict, valences: dict, scans: dict | None = None, *,
                     window=None, edge: str | None = None, draws: int = DRAWS, seed: int = 0) -> float:
    """Standard deviation of the LCF valence over redrawn references.

    Parameters
    ----------
    energy, data : array-like
        The sample's normalised spectrum.
    references : dict
        Name -> ``(energy, normalised mu)``, as :func:`redoxmap.xas.lcf.fit_lcf` takes them.
    valences : dict
        Name -> valence.
    scans : dict, optional
        Name -> list of ``(energy, normalised mu)`` of the reference's scans (normalised like the
        reference); a reference with fewer than two gets white noise of its own level.
    window, edge
        As for :func:`redoxmap.xas.lcf.fit_lcf`.
    draws : int
        Refits.

    Returns
    -------
    float
        NaN when fewer than three refits succeed.
    """
    from redoxmap.xas.lcf import fit_lcf

    rng = np.random.default_rng(seed)
    scans = scans or {}
    grids = {name: np.asarray(e, float) for name, (e, _) in references.items()}
    stacks = {}
    for name, (e, mu) in references.items():
        members = scans.get(name) or []
        if len(members) >= 2:
            stacks[name] = np.array([np.interp(grids[name], np.asarray(x, float), np.asarray(y, float))
                                     for x, y in members])
    noise = {name: point_noise(mu) for name, (_, mu) in references.items() if name not in stacks}
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        for _ in range(draws):
            drawn = {}
            for name, (e, mu) in references.items():
                if name in stacks:
                    stack = stacks[name]
                    drawn[name] = (e, stack[rng.integers(0, len(stack), len(stack))].mean(axis=0))
                else:
                    drawn[name] = (e, np.asarray(mu, float) + rng.normal(0.0, noise[name], len(mu)))
            try:
                values.append(fit_lcf(energy, data, drawn, valences=valences, window=window, edge=edge).valence)
            except RedoxmapError:
                continue
    return float(np.std(values, ddof=1)) if len(values) >= 3 else float("nan")
