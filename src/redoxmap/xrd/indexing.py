"""Lattice parameters from a measured pattern, without a lattice to start from.

A layered oxide's cell differs from one material to the next (c from 13.9 Å in LiCoO2 to 14.5 Å
in a charged Li-rich cathode), so reflections predicted from a fixed cell land at the edge of
their windows or in the next peak. Here the pattern indexes itself:

1. the peaks of the pattern are found (prominence above the counting noise; K-alpha2 companions
   of stronger peaks left out);
2. for R-3m, the strongest peak whose d lies where a layered oxide's (003) does (4.5–5.1 Å) is
   indexed (003): c = 3 d(003); a is then the value (over c/a from 4.7 to 5.2) whose predicted
   reflections land on the most (and the strongest) found peaks; for a cubic phase, a is scanned
   likewise;
3. the cell is refined iteratively: each reflection predicted within its error (propagated from
   the cell's covariance, at least the matching tolerance) of a found peak, and no other
   reflection's, is fitted and added; a reflection whose residual lies more than
   ``outlier_sigma`` standard errors off is dropped;
4. with fewer reflections than the cell has parameters plus two, or reflections that disagree on
   the cell by more than ``outlier_sigma`` times their error (at least 0.01°), the pattern is
   refused.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.results import FitResult
from redoxmap.xrd.crystallography import (
    SYSTEMS,
    LatticeFit,
    d_of,
    d_spacing,
    fit_lattice,
    two_theta,
)
from redoxmap.xrd.peaks import fit_pattern_peaks

D003_RANGE_A = (4.5, 5.1)  # d(003) of layered oxides: c from 13.5 to 15.3 A
C_OVER_A_RANGE = (4.7, 5.2)
CUBIC_RANGE = 0.06  # a scanned +-6 % around the phase's own
SYSTEMATIC_DEG = 0.01  # how well a lab peak position can agree with a cell at best (asymmetry, overlap)


@dataclass
class FoundPeaks:
    """Peaks found in a pattern: positions (deg), heights above the local baseline, noise."""

    two_theta: np.ndarray
    height: np.ndarray
    noise: float


def find_pattern_peaks(pattern, *, min_sigma: float = 6.0, min_fraction: float = 0.005) -> FoundPeaks:
    """Peaks with a prominence of ``min_sigma`` times the counting noise (and ``min_fraction`` of the
    tallest), their K-alpha2 companions removed."""
    x, y = pattern.two_theta, np.asarray(pattern.intensity, float)
    smooth = gaussian_filter1d(y, 1.0)
    counts = y.min() >= 0 and y.max() > 50
    residual = y - smooth
    noise = float(np.sqrt(max(np.median(smooth), 1.0))) if counts else float(1.4826 * np.median(np.abs(residual)))
    threshold = max(min_sigma * noise, min_fraction * float(np.ptp(smooth)))
    found, properties = find_peaks(smooth, prominence=threshold, distance=max(int(0.05 / pattern.step_deg), 1))
    position, height = x[found], properties["prominences"]
    ratio = (pattern.attrs.get("wavelength2_A") or 0) / pattern.attrs["wavelength_A"]
    keep = np.ones(len(found), bool)
    if ratio:  # a peak where a taller one's K-alpha2 line falls is that line, not a reflection
        for k in np.argsort(-height):
            if not keep[k]:
                continue
            alpha2 = two_theta(d_spacing(position[k], pattern.attrs["wavelength_A"]), pattern.attrs["wavelength2_A"])
            companion = np.flatnonzero(keep & (np.abs(position - alpha2) < max(3 * pattern.step_deg, 0.03))
                                       & (height < 0.8 * height[k]))
            keep[companion] = False
    return FoundPeaks(position[keep], height[keep], noise)


@functools.lru_cache(maxsize=8)
def _indices(system: str, rhombohedral: bool, h_max: int, l_max: int) -> np.ndarray:
    """All Miller indices up to the given orders (both signs), without those R-3m forbids in its
    hexagonal setting (-h + k + l = 3n) for ``rhombohedral``."""
    h = np.arange(-h_max, h_max + 1)
    l = np.arange(-l_max, l_max + 1)
    grid = np.array(np.meshgrid(h, h, l, indexing="ij")).reshape(3, -1).T
    grid = grid[np.any(grid != 0, axis=1)]
    if rhombohedral:
        grid = grid[(-grid[:, 0] + grid[:, 1] + grid[:, 2]) % 3 == 0]
    return grid.astype(float)


def reflections(system: str, params: dict, wavelength_A: float, two_theta_range: tuple[float, float], *,
                rhombohedral: bool = False) -> pd.DataFrame:
    """Every distinct reflection (one per d) of a hexagonal or cubic lattice inside a 2theta range,
    named by its member with the most non-negative indices, with its multiplicity.

    For R-3m (``rhombohedral``) only indices allowed in the hexagonal setting (-h + k + l = 3n) count."""
    d_min = d_spacing(two_theta_range[1], wavelength_A)
    hkl = _indices(system, rhombohedral, int(params["a"] / d_min) + 2, int(params.get("c", params["a"]) / d_min) + 2)
    d = d_of(hkl, system, params)
    inside = d >= d_min
    hkl, d = hkl[inside], d[inside]
    keys, inverse, multiplicity = np.unique(np.round(d, 5), return_inverse=True, return_counts=True)
    preference = (hkl >= 0).sum(axis=1) * 100 - np.abs(hkl).sum(axis=1)  # (0 1 8) before (1 -1 -8)
    names = np.zeros(len(keys), int)
    best = np.full(len(keys), -np.inf)
    for row, (group, score) in enumerate(zip(inverse, preference)):
        if score > best[group]:
            best[group], names[group] = score, row
    d_unique = d[names]
    angles = two_theta(d_unique, wavelength_A)
    keep = (angles >= two_theta_range[0]) & (angles <= two_theta_range[1])
    order = np.argsort(angles[keep])
    chosen = names[keep][order]
    return pd.DataFrame({"hkl": [tuple(int(v) for v in hkl[i]) for i in chosen], "d_A": d_unique[keep][order],
                         "two_theta_deg": angles[keep][order], "multiplicity": multiplicity[keep][order]})


# The alpha-NaFeO2 prototype of layered oxides in the hexagonal setting: TM on 3a, Li on 3b, O on 6c.
_R_CENTRING = np.array([[0, 0, 0], [2 / 3, 1 / 3, 1 / 3], [1 / 3, 2 / 3, 2 / 3]])
_LAYERED_SITES = [(27.0, (0, 0, 0)), (3.0, (0, 0, 0.5)), (8.0, (0, 0, 0.2604)), (8.0, (0, 0, -0.2604))]


def layered_intensity(table: pd.DataFrame, wavelength_A: float) -> np.ndarray:
    """Expected relative intensities of a layered oxide's reflections (the prototype's structure
    factor with scattering factors ~ Z exp(-2 s^2), multiplicity and Lorentz-polarisation), to tell
    a cell whose strong lines land on peaks from one that collects weak ones."""
    hkl = np.array(table["hkl"].tolist(), float)
    f = np.zeros(len(hkl), complex)
    s2 = (1 / (2 * table["d_A"].to_numpy())) ** 2
    for z, site in _LAYERED_SITES:
        for shift in _R_CENTRING:
            f += z * np.exp(-2 * s2) * np.exp(2j * np.pi * hkl @ (np.array(site) + shift))
    theta = np.radians(table["two_theta_deg"].to_numpy()) / 2
    lp = (1 + np.cos(2 * theta) ** 2) / (np.sin(theta) ** 2 * np.cos(theta))
    intensity = np.abs(f) ** 2 * table["multiplicity"].to_numpy() * lp
    return intensity / intensity.max()


def _score(predicted: np.ndarray, expected: np.ndarray, found: FoundPeaks, tolerance: float) -> float:
    """How well a cell's reflections land on found peaks: the expected intensity of the reflections
    that find a peak, less that of those that find none."""
    if not len(predicted) or not len(found.two_theta):
        return 0.0
    distance = np.abs(found.two_theta[:, None] - predicted[None, :]).min(axis=0)
    hit = distance <= tolerance
    return float(expected[hit].sum() - expected[~hit].sum())


@dataclass
class IndexedLattice(FitResult):
    """A lattice refined from the peaks a pattern indexes itself.

    Attributes
    ----------
    fit : LatticeFit
    reflections : pandas.DataFrame
        Every reflection tried: ``hkl``, predicted and observed 2theta, its standard error, residual
        in standard errors, and ``status``: ``used``; ``outlier`` (fitted, but off the cell by more than
        its error); ``ambiguous`` (two reflections on one peak); ``off peak`` (a found peak within twice
        the matching tolerance, not within its error: overlapped); ``no peak``.
    rounds : int
    notes : list of str
    """

    fit: LatticeFit
    reflections: pd.DataFrame
    rounds: int
    notes: list[str]

    title = "Lattice from the indexed pattern"

    def _parameters(self) -> pd.DataFrame:
        """The refined cell (see :meth:`LatticeFit.parameter_table`)."""
        return self.fit.parameter_table()

    def statistics(self) -> dict:
        """The refinement's statistics, the reflections by status and the rounds it took."""
        counts = self.reflections["status"].value_counts()
        return {**self.fit.statistics(), **{f"reflections {k}": int(v) for k, v in counts.items()},
                "rounds": self.rounds}

    def _draw(self, ax) -> None:
        self.fit._draw(ax)


def index_pattern(pattern, phase_name: str = "R-3m", *, zero_shift: bool = False, displacement: bool = False,
                  tolerance_deg: float = 0.08, outlier_sigma: float = 5.0, max_rounds: int = 12,
                  max_half_width_deg: float = 0.4) -> IndexedLattice:
    """Index a pattern's peaks for one phase and refine its lattice (see the module's description).

    Parameters
    ----------
    pattern : Pattern
    phase_name : {"R-3m", "Fd-3m"} or a cubic space group
    zero_shift, displacement : bool
        Also refine a zero shift and/or sample displacement (most lab patterns need one).
    tolerance_deg : float
        Smallest distance within which a predicted reflection claims a found peak.
    outlier_sigma : float
        A used reflection whose residual exceeds this many times the larger of its standard error
        and the robust spread of all residuals is dropped.

    Raises
    ------
    AnalysisError
        For a phase whose cell cannot be started from the pattern alone, a pattern without a
        (003)-like peak, or too few reflections to fix the cell.
    """
    from redoxmap.xrd.phases import phase

    reference = phase(phase_name)
    system = reference.system
    path = pattern.attrs.get("source_file")
    if system not in ("hexagonal", "cubic"):
        raise AnalysisError(f"{phase_name} ({system}) cannot be indexed from the pattern alone: give its peaks "
                            "(--hkl H,K,L=NEAR)", path=path)
    wavelength = pattern.attrs["wavelength_A"]
    span = (float(pattern.two_theta[0]) + 0.3, float(pattern.two_theta[-1]) - 0.3)
    found = find_pattern_peaks(pattern)
    rhombohedral = phase_name == "R-3m"
    start = _start(reference, found, wavelength, span, tolerance_deg, rhombohedral, pattern)
    settings = {"tolerance": tolerance_deg, "outlier_sigma": outlier_sigma, "max_rounds": max_rounds,
                    "max_half_width": max_half_width_deg}
    context = _Context(system, rhombohedral, wavelength, span, found.two_theta, zero_shift, displacement)
    refined = _refine(pattern, context, start, **settings)
    notes: list[str] = []
    if isinstance(refined, str) and not (zero_shift or displacement):
        # A lab powder stands a few tens of micrometres off the focusing circle: every reflection then
        # moves by -2 s cos(theta), and a cell without that term leaves them all disagreeing. Refining
        # it is the standard correction; it is tried only then, and said.
        moved = _refine(pattern, replace(context, displacement=True), start, **settings)
        if not isinstance(moved, str):
            notes.append(f"refined with a sample displacement: without one, {refined}")
            refined, context = moved, replace(context, displacement=True)
    if isinstance(refined, str):
        hint = "" if displacement else "; a lab pattern may need --displacement (or --zero-shift)"
        raise AnalysisError(f"{len(found.two_theta)} peaks found, but {refined}: the phase may be absent, "
                            f"or its peaks unresolved{hint}", path=path)
    fit, used, outliers, params, errors, scale, rounds = refined
    table, claims = context.claims(params, errors, max(tolerance_deg / 2, 4 * scale))
    offset = params.get("zero_shift_deg", 0.0)
    rows = []
    for index, (hkl, predicted) in enumerate(zip(table["hkl"], table["two_theta_deg"])):
        observed, error = used.get(hkl, (np.nan, np.nan))
        # a found peak within a lab line's full width (twice the matching tolerance) covers it
        near_peak = len(found.two_theta) and np.abs(found.two_theta - predicted).min() <= 2 * tolerance_deg
        status = ("used" if hkl in used else "outlier" if hkl in outliers else
                  "ambiguous" if index in claims and claims[index] is None else
                  "off peak" if near_peak else "no peak")
        rows.append({"hkl": " ".join(map(str, hkl)), "two_theta_calc_deg": predicted + offset,
                     "two_theta_obs_deg": observed, "stderr_deg": error,
                     "residual_deg": observed - predicted - offset, "status": status})
    rows = pd.DataFrame(rows)
    if outliers:
        notes.append(f"left out, off the cell by more than {outlier_sigma:g} times their error (at least "
                     f"{SYSTEMATIC_DEG} deg) and the others' spread, as under another phase's peak or an "
                     f"unresolved neighbour: {', '.join(' '.join(map(str, h)) for h in sorted(outliers))}")
    off = rows.loc[rows["status"] == "off peak", "hkl"].tolist()
    if off:
        notes.append(f"left out, a peak within {2 * tolerance_deg:g} deg but not within their error (another phase's "
                     f"peak, or theirs unresolved from one): {', '.join(off)}")
    return IndexedLattice(fit, rows, rounds, notes)


def _refine(pattern, context: _Context, start: dict, *, tolerance: float, outlier_sigma: float, max_rounds: int,
            max_half_width: float):
    """Match, fit and refine in rounds until the set of used reflections stops changing.

    Returns ``(fit, used, outliers, params, errors, scale, rounds)``, or a sentence saying why the
    reflections cannot fix the cell (too few, or the used ones disagreeing beyond their errors)."""
    params, scale = _robust_start(context, start, tolerance)
    needed = len(context.names) + 1
    used: dict = {}
    outliers: set = set()
    fit = errors = None
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        table, claims = context.claims(params, errors, max(tolerance / 2, 4 * scale))
        chosen = {table["hkl"][i]: context.peaks[k] for i, k in claims.items() if k is not None
                  and table["hkl"][i] not in outliers}
        fits = _fit_peaks(pattern, chosen, context.peaks, max_half_width)
        if len(fits) < needed:
            break
        fit, kept, dropped = _robust_lattice(context, fits, outlier_sigma, needed)
        outliers |= dropped
        previous, used = set(used), {h: fits[h] for h in kept}
        params, errors = {**fit.params}, _prediction_errors(fit, context.system, context.wavelength)
        scale = _spread(fit.peaks["residual_deg"].to_numpy())
        if set(used) == previous:
            break
    if fit is None or len(used) < needed + 1:
        return (f"only {len(used)} could be indexed and fitted as reflections, too few to fix "
                f"{', '.join(context.names)} with two to spare")
    agreement = fit.peaks["residual_deg"].to_numpy() / np.hypot([used[h][1] for h in used], SYSTEMATIC_DEG)
    if np.abs(agreement).max() > outlier_sigma:
        worst = int(np.argmax(np.abs(agreement)))
        return (f"the {len(used)} reflections indexed do not agree on one cell "
                f"({fit.peaks['hkl'].iloc[worst]} lies {fit.peaks['residual_deg'].iloc[worst]:+.3f} deg off, "
                f"{abs(agreement[worst]):.0f} times its error)")
    return fit, used, outliers, params, errors, scale, rounds


@dataclass
class _Context:
    """What every round of the indexing needs: the lattice kind, the pattern's range and peaks."""

    system: str
    rhombohedral: bool
    wavelength: float
    span: tuple
    peaks: np.ndarray
    zero_shift: bool
    displacement: bool

    @property
    def names(self) -> list[str]:
        return list(SYSTEMS[self.system]) + (["zero_shift_deg"] if self.zero_shift else []) + (
            ["displacement"] if self.displacement else [])

    def predicted(self, params: dict) -> pd.DataFrame:
        table = reflections(self.system, params, self.wavelength, self.span, rhombohedral=self.rhombohedral)
        shift = params.get("zero_shift_deg", 0.0)
        if "displacement" in params:
            shift = shift - np.degrees(2 * params["displacement"] * np.cos(np.radians(table["two_theta_deg"]) / 2))
        return table.assign(two_theta_deg=table["two_theta_deg"] + shift)

    def claims(self, params: dict, errors, floor: float):
        """The predicted reflections and the found peak each claims (windows from the cell's errors)."""
        table = self.predicted(params)
        window = np.full(len(table), floor) if errors is None else np.maximum(floor, 4 * errors(table["hkl"]))
        return table, _claims(table["two_theta_deg"].to_numpy(), window, self.peaks)

    def refine(self, hkls, positions, errors) -> LatticeFit:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            return fit_lattice([list(h) for h in hkls], positions, errors, wavelength_A=self.wavelength,
                               system=self.system, zero_shift=self.zero_shift, displacement=self.displacement)


def _spread(residuals: np.ndarray) -> float:
    """A robust standard deviation of residuals (1.4826 times their median absolute value)."""
    return float(1.4826 * np.median(np.abs(residuals))) if len(residuals) else 0.0


def _robust_start(context: _Context, params: dict, tolerance: float, rounds: int = 4) -> tuple[dict, float]:
    """Refine the scanned cell on the found peak positions themselves (equal weights), dropping
    matches that lie far off the others, and re-matching in narrower windows: a cell good to a few
    hundredths of a degree, before any profile is fitted. Returns the cell and the residual spread."""
    window = 3 * tolerance
    scale = tolerance
    for _ in range(rounds):
        table, claims = context.claims(params, None, window)
        pairs = [(table["hkl"][i], context.peaks[k]) for i, k in claims.items() if k is not None]
        if len(pairs) < len(context.names) + 1:
            break
        hkls, positions = [h for h, _ in pairs], np.array([p for _, p in pairs])
        fit = context.refine(hkls, positions, np.full(len(pairs), 0.02))
        residual = fit.peaks["residual_deg"].to_numpy()
        scale = max(_spread(residual), 0.005)
        good = np.abs(residual) <= 4 * scale
        if good.sum() >= len(context.names) + 1 and not good.all():
            fit = context.refine([h for h, g in zip(hkls, good) if g], positions[good], np.full(good.sum(), 0.02))
        params = {**fit.params}
        window = max(tolerance, 4 * scale)
    return params, scale


def _robust_lattice(context: _Context, fits: dict, outlier_sigma: float, needed: int):
    """The lattice from fitted peaks, leaving out, one at a time, a peak whose residual exceeds
    ``outlier_sigma`` times the larger of its error (with the systematic floor) and the robust spread
    of all residuals: the same yardstick the refined cell is finally held to."""
    hkls = list(fits)
    dropped = set()
    while True:
        fit = context.refine(hkls, [fits[h][0] for h in hkls], [fits[h][1] for h in hkls])
        residual = fit.peaks["residual_deg"].to_numpy()
        limit = outlier_sigma * np.maximum(np.hypot([fits[h][1] for h in hkls], SYSTEMATIC_DEG), _spread(residual))
        excess = np.abs(residual) / limit
        worst = int(np.argmax(excess))
        if excess[worst] <= 1 or len(hkls) <= needed:
            return fit, hkls, dropped
        dropped.add(hkls.pop(worst))


def _start(reference, found: FoundPeaks, wavelength: float, span, tolerance: float, rhombohedral: bool,
           pattern) -> dict:
    """The starting cell: from the (003)-like peak and a c/a scan (R-3m), or an a scan (cubic)."""
    path = pattern.attrs.get("source_file")
    if reference.system == "cubic":
        base = reference.params["a"]
        candidates = [{"a": a} for a in np.linspace(base * (1 - CUBIC_RANGE), base * (1 + CUBIC_RANGE), 1201)]
    else:
        d = d_spacing(found.two_theta, wavelength)
        layer = np.flatnonzero((d >= D003_RANGE_A[0]) & (d <= D003_RANGE_A[1]))
        if not len(layer):
            raise AnalysisError(f"no peak where a layered oxide's (003) lies (d {D003_RANGE_A[0]}-{D003_RANGE_A[1]} A, "
                                f"2theta {two_theta(D003_RANGE_A[1], wavelength):.1f}-"
                                f"{two_theta(D003_RANGE_A[0], wavelength):.1f} deg)", path=path)
        c = 3 * float(d[layer[np.argmax(found.height[layer])]])
        candidates = [{"a": c / ratio, "c": c} for ratio in np.linspace(*C_OVER_A_RANGE, 501)]
    scores = []
    for params in candidates:
        table = reflections(reference.system, params, wavelength, span, rhombohedral=rhombohedral)
        if rhombohedral:  # the (003) itself scores for every cell alike
            table = table[[h[:2] != (0, 0) for h in table["hkl"]]]
        expected = layered_intensity(table, wavelength) if rhombohedral else np.ones(len(table))
        scores.append(_score(table["two_theta_deg"].to_numpy(), expected, found, 2 * tolerance))
    return candidates[int(np.argmax(scores))]


def _claims(predicted: np.ndarray, window: np.ndarray, peaks: np.ndarray) -> dict:
    """Reflection index -> the found peak it claims (None when another reflection claims the same peak
    within its window too: two reflections on one peak cannot be told apart); reflections without a
    peak in reach are left out."""
    claims = {}
    if not len(peaks):
        return claims
    nearest = np.argmin(np.abs(peaks[None, :] - predicted[:, None]), axis=1)
    reach = np.abs(peaks[nearest] - predicted) <= window
    for index in np.flatnonzero(reach):
        rivals = np.flatnonzero(reach & (nearest == nearest[index]))
        claims[index] = int(nearest[index]) if len(rivals) == 1 else None
    return claims


def _fit_peaks(pattern, chosen: dict, all_peaks: np.ndarray, max_half_width: float) -> dict:
    """Profile fits of the chosen peaks (windows reaching halfway to the nearest other found peak):
    hkl -> (centre, standard error), for the peaks found significant."""
    hkls = list(chosen)
    positions = np.array([chosen[h] for h in hkls])
    narrowest = max(0.12, 7 * pattern.step_deg)  # a window needs a dozen points for a profile
    half = []
    for p in positions:
        others = np.abs(all_peaks - p)
        others = others[others > 1e-9]
        half.append(float(np.clip(0.5 * others.min() if len(others) else max_half_width, narrowest,
                                  max(max_half_width, narrowest))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table = fit_pattern_peaks(pattern, list(positions), half_width_deg=half,
                                      labels=[" ".join(map(str, h)) for h in hkls]).table
        except AnalysisError:
            return {}
    good = table["found"].to_numpy() & np.isfinite(table["center_stderr_deg"].to_numpy()) & (
        table["center_stderr_deg"].to_numpy() > 0)
    return {h: (float(c), float(e)) for h, c, e, ok in zip(hkls, table["center_deg"], table["center_stderr_deg"], good)
            if ok}


def _prediction_errors(fit: LatticeFit, system: str, wavelength: float):
    """A function giving the standard error (deg) of each reflection's predicted 2theta from the
    lattice's errors (treated as independent: an upper bound of the usual case)."""
    names = list(SYSTEMS[system])

    def errors(hkls) -> np.ndarray:
        hkl = np.array([list(h) for h in hkls], float)
        base = two_theta(d_of(hkl, system, {n: fit.params[n] for n in names}), wavelength)
        total = np.zeros(len(hkl))
        for name in names:
            step = max(abs(fit.params[name]) * 1e-6, 1e-9)
            moved = two_theta(d_of(hkl, system, {**{n: fit.params[n] for n in names}, name: fit.params[name] + step}),
                              wavelength)
            total += ((moved - base) / step * fit.stderr.get(name, 0.0)) ** 2
        return np.sqrt(total)
    return errors
