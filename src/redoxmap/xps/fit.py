"""Fitting an XPS region: doublet components over a Shirley, Tougaard or linear background.

The model is ``sum of components + background``. Each component is a singlet or a spin-orbit
doublet (:mod:`redoxmap.xps.components`) of area-normalised lines (:mod:`redoxmap.xps.lineshapes`),
so the fitted amplitudes are areas. The background is either

* **fitted with the peaks** (default, "active"): ``b0 + k * Op(sum of components)`` where ``Op``
  is the Shirley operator (the components' area below each energy) or the Tougaard operator
  (their convolution with the inelastic cross-section); ``b0`` and ``k`` are fitted with the
  peaks, so the background and the areas are consistent; or
* **fixed**: computed from the data before the fit (iterative Shirley, end-anchored Tougaard,
  or a line) and subtracted.

Weights are the Poisson errors where the file gives the counts (dwell time x scans), with the
project's convention for known errors; otherwise unit weights with errors scaled by the reduced
chi-square (:mod:`redoxmap.fitting`). A component's **share** is its area over the region's total;
its error combines the statistical one (propagated from the covariance) with the **background
choice**: the same components are refitted over the other background (Shirley <-> Tougaard) and
half the difference of the shares is added in quadrature (``share_background_eV`` column).

Ties between components (a position offset, a width or an area ratio; :class:`Component`) remove
those parameters from the fit: a tied quantity follows its reference, and its error is its
reference's. Components may carry their own line shape (SGL, GL, LA, LF;
:mod:`redoxmap.xps.lineshapes`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from redoxmap.defaults import XPS_BACKGROUND, XPS_LINE_SHAPE
from redoxmap.errors import AnalysisError, FitError, FitWarning, warn
from redoxmap.results import FitResult
from redoxmap.xps import background as backgrounds
from redoxmap.xps.components import Component, check_region, check_ties, preset
from redoxmap.xps.lineshapes import parse_line_shape, pseudo_voigt_with_derivatives

_OTHER_BACKGROUND = {"shirley": "tougaard", "tougaard": "shirley"}


@dataclass(repr=False)
class XpsFit(FitResult):
    """A fitted XPS region.

    Attributes
    ----------
    region : str
    source_file : str
    background_method : str
        ``"shirley"``, ``"tougaard"`` or ``"linear"``.
    background_fitted : bool
        Whether the background was fitted with the peaks (active) or fixed before the fit.
    line_shape : str
    binding_energy_eV, intensity, model, background : numpy.ndarray
        The data, the fitted model and its background on the fitted window.
    component_curves : numpy.ndarray
        One row per component (both lines of a doublet), on the same energies.
    components : tuple of Component
    table : pandas.DataFrame
        Per component: ``component``, ``family``, ``position_eV``, ``position_stderr_eV``,
        ``fwhm_eV``, ``fwhm_stderr_eV``, ``area``, ``area_stderr``, ``share``,
        ``share_stderr_statistical``, ``share_background``, ``share_stderr``.
    fit_statistics : dict
    notes : list of str
    """

    title = "XPS region fit"

    region: str
    source_file: str
    background_method: str
    background_fitted: bool
    line_shape: str
    binding_energy_eV: np.ndarray
    intensity: np.ndarray
    model: np.ndarray
    background: np.ndarray
    component_curves: np.ndarray
    components: tuple
    table: object
    fit_statistics: dict
    background_parameters: dict = field(default_factory=dict)
    family_variance: dict = field(default_factory=dict)
    charge_shift_eV: float = 0.0
    notes: list = field(default_factory=list)
    excitation_energy_eV: float | None = None
    transmission: np.ndarray | None = field(default=None, repr=False)

    def transmission_at(self, binding_energy_eV: float) -> float:
        """The analyser's transmission at a binding energy of the fitted window (1 where the file gives none)."""
        if self.transmission is None:
            return 1.0
        return float(np.interp(binding_energy_eV, self.binding_energy_eV, self.transmission))

    def __repr__(self) -> str:
        shares = ", ".join(f"{r.component} {100 * r.share:.1f}%" for r in self.table.itertuples())
        return f"XpsFit({self.region!r}, {self.background_method}: {shares})"

    def _parameters(self):
        """Position (eV), FWHM (eV), area and share of every component with standard errors, and the
        fitted background's parameters."""
        import pandas as pd

        def pinned(row, kind):  # a fit saved before the flags existed: not known
            return bool(getattr(row, f"{kind}_at_bound")) if f"{kind}_at_bound" in self.table else pd.NA

        rows = []
        for r in self.table.itertuples():
            rows += [(f"{r.component}: position", r.position_eV, r.position_stderr_eV, "eV", pinned(r, "position")),
                     (f"{r.component}: FWHM", r.fwhm_eV, r.fwhm_stderr_eV, "eV", pinned(r, "fwhm")),
                     (f"{r.component}: area", r.area, r.area_stderr, "intensity x eV", pinned(r, "area")),
                     (f"{r.component}: share", r.share, r.share_stderr, "", pinned(r, "area"))]
        rows += [(f"background {k}", v[0], v[1], "", False) for k, v in self.background_parameters.items()]
        return pd.DataFrame(rows, columns=["parameter", "value", "stderr", "unit", "at_bound"])

    def statistics(self) -> dict:
        """Chi-square and its reduced value, R-factor, points, parameters, convergence, background,
        line shape and the error convention."""
        return dict(self.fit_statistics)

    def family_shares(self):
        """Shares summed per family (``electrolyte``, ``oxidised sulfur``, ``sulfite/sulfate``...),
        with errors from the covariance of the areas and the background choice.

        Returns
        -------
        pandas.DataFrame
            ``family``, ``share``, ``share_stderr``.
        """
        import pandas as pd

        rows = []
        for family, group in self.table.groupby("family", sort=False):
            statistical = math.sqrt(self.family_variance.get(family, float("nan")))
            background = float(group["share_background"].sum())
            rows.append((family, float(group["share"].sum()), math.hypot(statistical, background)))
        return pd.DataFrame(rows, columns=["family", "share", "share_stderr"])

    def _draw(self, ax) -> None:
        from redoxmap.palette import COLORS

        x = self.binding_energy_eV
        ax.plot(x, self.intensity, ".", ms=2.5, color="0.25", label="data")
        colors = [COLORS[i % len(COLORS)] for i in range(len(self.component_curves))]
        for curve, row, color in zip(self.component_curves, self.table.itertuples(), colors):
            ax.fill_between(x, self.background, self.background + curve, color=color, alpha=0.35, lw=0,
                            label=f"{row.component} ({100 * row.share:.0f} %)")
        ax.plot(x, self.background, color="0.5", lw=0.8, ls="--", label=f"{self.background_method} background")
        ax.plot(x, self.model, color="black", lw=1.0, label="fit")
        ax.set_xlim(x[-1], x[0])  # binding energy decreases to the right, as XPS is shown
        ax.set_xlabel("Binding energy (eV)")
        ax.set_ylabel("Intensity (counts/s)")
        ax.set_title(self.region, fontsize="medium")
        ax.legend(fontsize="x-small", frameon=False)

    def _residual(self):
        return self.binding_energy_eV, self.intensity - self.model, "Binding energy (eV)"


def fit_xps(spectrum, components: Sequence[Component] | str, *, window: tuple[float, float] | None = None,
            background: str = XPS_BACKGROUND, fit_background: bool = True, line_shape: str = XPS_LINE_SHAPE,
            cross_section: str | tuple[float, float] = "U2", tougaard_b: float | None = None,
            background_check: bool = True, fix_fwhm: bool = False, fix_position: bool = False) -> XpsFit:
    """Fit components over a background to one XPS region.

    Parameters
    ----------
    spectrum : XpsSpectrum
        The region (already charge-corrected if it should be; see :func:`charge_correct`).
    components : sequence of Component, or str
        The chemical states (:func:`redoxmap.xps.components.components_from_records` reads them from
        TOML), or a preset name (``"argyrodite-S2p"``, ``"oxide-O1s"``...; ``redoxmap.xps.PRESETS``).
    window : (float, float), optional
        Binding-energy range to fit, in eV (the whole region if omitted).
    background : {"shirley", "tougaard", "linear"}
    fit_background : bool
        Fit the background's scale with the peaks (True) or fix it from the data first.
    line_shape : str
        The components' line shape unless they state their own: ``SGL(m)``, ``GL(m)``, ``LA(α,β,m)``,
        ``LF(α,β,w,m)`` (CasaXPS notation).
    cross_section : {"U2", "U3"} or (C, D)
        Tougaard cross-section.
    tougaard_b : float, optional
        The Tougaard cross-section's ``B`` (eV²) for a fixed Tougaard background, as CasaXPS states it
        (``U 3 Tougaard`` with B = 335.4); by default B makes the background meet the data at the
        high-binding-energy end.
    background_check : bool
        Refit over the other background (Shirley <-> Tougaard) and count half the difference of the
        shares in their errors.
    fix_fwhm, fix_position : bool
        Hold the widths or positions at the components' values (to reproduce a published fit).

    Returns
    -------
    XpsFit

    Raises
    ------
    AnalysisError
        For no components, an unknown background or line shape, components that cannot lie in the
        region, or ties that do not resolve.
    FitError
        If the window holds too few points for the parameters, or the optimiser fails.

    Examples
    --------
    A measured S 2p region with the argyrodite preset:

    >>> from redoxmap.io import read_xps, select_region            # doctest: +SKIP
    >>> s2p = select_region(read_xps("cycled.vms"), "S 2p")        # doctest: +SKIP
    >>> fit = fit_xps(s2p, "argyrodite-S2p")                       # doctest: +SKIP
    >>> fit.family_shares()                                        # doctest: +SKIP

    A spectrum built from two Gaussian doublets of known areas (3:1) on a flat background; the fit
    recovers their shares:

    >>> import numpy as np
    >>> from redoxmap.xps import XpsSpectrum, doublet
    >>> be = np.arange(155.0, 175.0, 0.05)
    >>> def line(center, area, fwhm=1.2):
    ...     sigma = fwhm / 2.3548
    ...     return area * np.exp(-0.5 * ((be - center) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    >>> counts = 200 + line(161.6, 3000) + line(162.78, 1500) + line(168.8, 1000) + line(169.98, 500)
    >>> fit = fit_xps(XpsSpectrum(be, counts, "S 2p"),
    ...               [doublet("PS4", 161.6, "S 2p"), doublet("sulfate", 168.8, "S 2p")],
    ...               background="linear", line_shape="GL(0)")
    >>> shares = fit.parameter_table().set_index("parameter")["value"]
    >>> print(round(shares["PS4: share"], 3), round(shares["sulfate: share"], 3))
    0.75 0.25
    """
    what = f"the preset {components!r}" if isinstance(components, str) else "the components"
    if isinstance(components, str):
        components = preset(components)
    components = tuple(components)
    if not components:
        raise AnalysisError("at least one component is needed")
    if background not in backgrounds.BACKGROUNDS:
        raise AnalysisError(f"background must be one of {', '.join(backgrounds.BACKGROUNDS)}, not {background!r}")
    check_ties(components)
    shapes = [parse_line_shape(c.line_shape or line_shape) for c in components]
    data = spectrum.window(*window) if window is not None else spectrum
    check_region(components, data, what=what)
    model = _Model(components, shapes)
    options = {"cross_section": cross_section, "tougaard_b": tougaard_b, "fix_fwhm": fix_fwhm,
               "fix_position": fix_position}
    result = _fit(data, model, background, fit_background, **options)
    if background_check and background in _OTHER_BACKGROUND and tougaard_b is None:
        try:
            other = _fit(data, model, _OTHER_BACKGROUND[background], fit_background, **options)
        except FitError:
            other = None
        if other is not None:
            systematic = np.abs(result["shares"] - other["shares"]) / 2.0
            result["share_background"] = systematic
            result["notes"].append(f"share errors include half the difference to a {other['background_name']} "
                                   f"background (largest {100 * systematic.max():.1f} percentage points)")
    return _result(spectrum, data, components, background, fit_background, line_shape, result)


class _Model:
    """The components as a function of a parameter vector: which positions, widths and areas are free, and
    how the tied ones follow their references."""

    def __init__(self, components, shapes):
        self.components, self.shapes = components, shapes
        self.names = [c.name for c in components]
        index = {c.name: i for i, c in enumerate(components)}
        self.position_tie = {i: (index[c.position_of[0]], c.position_of[1]) for i, c in enumerate(components)
                             if c.position_of}
        self.fwhm_tie = {i: (index[c.fwhm_of[0]], c.fwhm_of[1]) for i, c in enumerate(components) if c.fwhm_of}
        self.area_tie = {i: (index[c.area_of[0]], c.area_of[1]) for i, c in enumerate(components) if c.area_of}
        self.free_positions = [i for i in range(len(components)) if i not in self.position_tie]
        self.free_areas = [i for i in range(len(components)) if i not in self.area_tie]
        self.groups: list[str] = []
        self.group_of: dict[int, int] = {}
        for i, c in enumerate(components):
            if i in self.fwhm_tie:
                continue
            key = c.width_group if c.width_group is not None else f"__{c.name}"
            if key not in self.groups:
                self.groups.append(key)
            self.group_of[i] = self.groups.index(key)
        self.simple = not (self.position_tie or self.fwhm_tie or self.area_tie) and all(
            s.kind == "SGL" for s in shapes)

    @staticmethod
    def _resolve(free: dict[int, float], ties: dict[int, tuple[int, float]], combine, count: int) -> np.ndarray:
        values = dict(free)
        while len(values) < count:
            for i, (j, number) in ties.items():
                if i not in values and j in values:
                    values[i] = combine(values[j], number)
        return np.array([values[i] for i in range(count)])

    def positions(self, free: np.ndarray) -> np.ndarray:
        return self._resolve(dict(zip(self.free_positions, free)), self.position_tie, lambda v, d: v + d,
                             len(self.components))

    def widths(self, groups: np.ndarray) -> np.ndarray:
        return self._resolve({i: groups[g] for i, g in self.group_of.items()}, self.fwhm_tie, lambda v, r: v * r,
                             len(self.components))

    def area_map(self) -> np.ndarray:
        """The matrix taking the free areas to every component's area."""
        matrix = np.zeros((len(self.components), len(self.free_areas)))
        for column, i in enumerate(self.free_areas):
            matrix[i, column] = 1.0
        for _ in range(len(self.components)):
            for i, (j, ratio) in self.area_tie.items():
                matrix[i] = ratio * matrix[j]
        return matrix

    def curves(self, x, positions, widths, areas) -> np.ndarray:
        out = np.empty((len(self.components), len(x)))
        for i, (c, shape) in enumerate(zip(self.components, self.shapes)):
            line = shape(x, positions[i], widths[i])
            ratio = c.minor_ratio
            if ratio:
                line = (line + ratio * shape(x, positions[i] + c.splitting_eV, widths[i])) / (1 + ratio)
            out[i] = areas[i] * line
        return out


def _fit(data, model: _Model, background_name, fit_background, *, cross_section, tougaard_b, fix_fwhm,
         fix_position):
    """Fit one region: the parameter layout, the start, the bounded least squares, then errors, shares and
    notes, returned as a dict for :func:`_result`.

    Notes
    -----
    One function because its closures (``unpack``, ``residual``, ``jacobian``, ``background_of``) share the
    parameter layout built at its top (free positions, width groups, free areas, the background's
    parameters, with their bounds); split into steps, each would take that layout as a dozen arguments.
    It runs in order: layout; start (areas by non-negative least squares over a Shirley guess);
    ``scipy.optimize.least_squares`` with the analytic Jacobian where the model allows; covariance and the
    errors of tied components; shares with their background term; notes on bounds.
    """
    from scipy.optimize import least_squares, nnls

    components = model.components
    x = data.binding_energy_eV
    y = data.intensity_cps
    variance = data.variance()
    errors_known = variance is not None
    sigma = np.sqrt(variance) if errors_known else np.ones_like(y)
    n_pos = 0 if fix_position else len(model.free_positions)
    n_width = 0 if fix_fwhm else len(model.groups)
    n_area = len(model.free_areas)
    active = background_name if fit_background and background_name != "linear" else None
    linear_free = background_name == "linear" and fit_background
    n_extra = 2 if (active or linear_free) else 0
    size = n_pos + n_width + n_area + n_extra
    if size >= len(x):
        raise FitError(f"{data.region}: {len(x)} points cannot determine {size} parameters")
    if n_extra:
        fixed = None
    elif background_name == "tougaard":
        fixed = backgrounds.tougaard(x, y, cross_section=cross_section, coefficient=tougaard_b)
    else:
        fixed = backgrounds.BACKGROUNDS[background_name](x, y)
    start_positions = np.array([c.position_eV for c in components])
    start_groups = np.array([components[next(i for i, g in model.group_of.items() if g == k)].fwhm_eV
                             for k in range(len(model.groups))])
    area_map = model.area_map()

    def operator(signal):
        if background_name == "shirley":
            return backgrounds.cumulative_area(x, signal)
        return backgrounds.tougaard_operator(x, signal, cross_section)

    def background_of(peaks, extra):
        if fixed is not None:
            return fixed
        if background_name == "linear":
            return extra[0] + extra[1] * (x - x[0])
        return extra[0] + extra[1] * operator(peaks)

    def unpack(p):
        offset = 0
        if fix_position:
            positions = start_positions
        else:
            positions = model.positions(p[:n_pos])
            offset = n_pos
        groups = start_groups if fix_fwhm else p[offset:offset + n_width]
        offset += n_width
        free_areas = p[offset:offset + n_area]
        return positions, model.widths(groups), area_map @ free_areas, p[offset + n_area:offset + n_area + n_extra]

    def residual(p):
        positions, widths, areas, extra = unpack(p)
        peaks = model.curves(x, positions, widths, areas).sum(axis=0)
        return (peaks + background_of(peaks, extra) - y) / sigma

    def jacobian(p):
        """Analytic derivatives of the residual (SGL lines, no ties): one model evaluation per iteration
        instead of one per parameter."""
        positions, widths, areas, extra = unpack(p)
        d_position = np.zeros((len(components), len(x)))
        d_width = np.zeros((len(model.groups), len(x)))
        unit = np.zeros((len(components), len(x)))
        for i, c in enumerate(components):
            ratio, lorentz = c.minor_ratio, model.shapes[i].lorentz_fraction
            value, dc, dw = pseudo_voigt_with_derivatives(x, positions[i], widths[i], lorentz)
            if ratio:
                v2, dc2, dw2 = pseudo_voigt_with_derivatives(x, positions[i] + c.splitting_eV, widths[i], lorentz)
                value, dc, dw = ((value + ratio * v2) / (1 + ratio), (dc + ratio * dc2) / (1 + ratio),
                                 (dw + ratio * dw2) / (1 + ratio))
            unit[i] = value
            d_position[i] = areas[i] * dc
            d_width[model.group_of[i]] += areas[i] * dw
        columns = np.array(([] if fix_position else list(d_position)) + ([] if fix_fwhm else list(d_width))
                           + list(unit))
        if active:
            columns = columns + extra[1] * np.array([operator(column) for column in columns])
            columns = np.vstack([columns, np.ones(len(x)), operator(areas @ unit)])
        elif linear_free:
            columns = np.vstack([columns, np.ones(len(x)), x - x[0]])
        return (columns / sigma).T

    # starting values: positions and widths as given; free areas by non-negative least squares over a
    # Shirley background of the data (a linear problem, so the start is never far off)
    guess_background = backgrounds.shirley(x, y)
    basis = model.curves(x, start_positions, model.widths(start_groups), np.ones(len(components))).T @ area_map
    start_areas = nnls((basis.T / sigma).T, (y - guess_background) / sigma)[0]
    start_areas = np.maximum(start_areas, 1e-3 * max(np.ptp(y), 1.0) * np.ptp(x) / len(components))
    p0, lower, upper, names = [], [], [], []
    if not fix_position:
        free = [components[i] for i in model.free_positions]
        p0 += [c.position_eV for c in free]
        lower += [c.position_bounds[0] for c in free]
        upper += [c.position_bounds[1] for c in free]
        names += [f"position:{c.name}" for c in free]
    if not fix_fwhm:
        members = [components[next(i for i, g in model.group_of.items() if g == k)] for k in range(len(model.groups))]
        p0 += list(start_groups)
        lower += [c.fwhm_bounds_eV[0] for c in members]
        upper += [c.fwhm_bounds_eV[1] for c in members]
        names += [f"fwhm:{g}" for g in model.groups]
    p0 += list(start_areas)
    lower += [0.0] * n_area
    upper += [np.inf] * n_area
    names += [f"area:{components[i].name}" for i in model.free_areas]
    if active:
        low, high = backgrounds.end_levels(y)
        total = max(float(start_areas.sum()), 1e-12)
        peaks = basis @ start_areas
        scale = (high - low) / (total if background_name == "shirley" else max(float(operator(peaks)[-1]), 1e-12))
        p0 += [low, scale]
        lower += [-np.inf, -np.inf]
        upper += [np.inf, np.inf]
        names += ["b0", "k"]
    elif linear_free:
        low, high = backgrounds.end_levels(y)
        p0 += [low, (high - low) / np.ptp(x)]
        lower += [-np.inf, -np.inf]
        upper += [np.inf, np.inf]
        names += ["b0", "slope"]
    lower, upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
    inside = 1e-9 * (np.abs(np.where(np.isfinite(lower), lower, 0.0)) + 1.0)
    p0 = np.clip(np.array(p0, dtype=float), lower + inside, np.where(np.isfinite(upper), upper - inside, np.inf))
    try:
        solution = least_squares(residual, p0, jac=jacobian if model.simple else "2-point",
                                 bounds=(lower, upper), x_scale="jac", max_nfev=4000, ftol=1e-12, xtol=1e-12,
                                 gtol=1e-12)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise FitError(f"{data.region}: the fit failed ({exc})") from exc
    positions, widths, areas, extra = unpack(solution.x)
    comp = model.curves(x, positions, widths, areas)
    peaks = comp.sum(axis=0)
    bg = background_of(peaks, extra)
    fitted_model = peaks + bg
    dof = max(len(x) - len(solution.x), 1)
    chi_square = float(np.sum(solution.fun ** 2))
    reduced = chi_square / dof
    from redoxmap.fitting import error_convention, error_scale

    jac = solution.jac
    try:
        covariance = np.linalg.pinv(jac.T @ jac) * error_scale(reduced, errors_known=errors_known, dof=dof)
    except np.linalg.LinAlgError:
        covariance = np.full((len(solution.x), len(solution.x)), np.nan)
    errors = np.sqrt(np.clip(np.diag(covariance), 0, None))
    index = {name: i for i, name in enumerate(names)}
    free_area_index = [index[f"area:{components[i].name}"] for i in model.free_areas]
    area_cov = area_map @ covariance[np.ix_(free_area_index, free_area_index)] @ area_map.T
    area_errors = np.sqrt(np.clip(np.diag(area_cov), 0, None))
    total = areas.sum()
    shares = areas / total if total > 0 else np.full(len(areas), np.nan)
    # d share_i / d area_j = (delta_ij - share_i) / total
    gradient = (np.eye(len(areas)) - shares[:, None]) / total if total > 0 else np.zeros((len(areas),) * 2)
    share_cov = gradient @ area_cov @ gradient.T
    families = {}
    for family in dict.fromkeys(c.family for c in components):
        mask = np.array([c.family == family for c in components], dtype=float)
        # a family holding every component has a share of exactly 1: rounding may leave -1e-19
        families[family] = max(float(mask @ share_cov @ mask), 0.0)
    position_errors = _tied_errors(model.positions, errors, index, "position", model.free_positions, components,
                                   fix_position)
    width_errors = np.array(
        [
            0.0 if fix_fwhm else errors[index[f"fwhm:{model.groups[model.group_of[_root(i, model.fwhm_tie)]]}"]]
            for i in range(len(components))
        ]
    )
    notes = []
    significant = {c.name for c, a, e in zip(components, areas, area_errors) if a > 2 * e}
    indices = range(len(components))
    pinned = set()
    for name, value, lo, hi in zip(names, solution.x, lower, upper):
        kind_, _, owner = name.partition(":")
        stuck = math.isclose(value, lo, abs_tol=1e-4) or math.isclose(value, hi, abs_tol=1e-4)
        if stuck:
            pinned.add(name)
        if kind_ in ("position", "fwhm") and stuck and (kind_ == "fwhm" or owner in significant):
            notes.append(f"{kind_} of {owner} stopped at its bound ({value:.3f}): widen its window or drop "
                         "the component if the data do not show it")
    return {
        "x": x, "y": y, "model": fitted_model, "background": bg, "curves": comp, "positions": positions,
        "widths": widths, "areas": areas, "shares": shares, "share_cov": share_cov, "families": families,
        "position_errors": position_errors, "width_errors": width_errors, "area_errors": area_errors,
        # per component, whether its position, width and area (or those it is tied to) ended on a bound
        "at_bound": {kind: [name in pinned for name in keys] for kind, keys in (
            ("position", [f"position:{components[_root(i, model.position_tie)].name}" for i in indices]),
            ("fwhm", [f"fwhm:{model.groups[model.group_of[_root(i, model.fwhm_tie)]]}" for i in indices]),
            ("area", [f"area:{components[_root(i, model.area_tie)].name}" for i in indices]))},
        "background_parameters": {n: (float(solution.x[index[n]]), float(errors[index[n]]))
                                  for n in ("b0", "k", "slope") if n in index},
        "statistics": {"chi_square": chi_square, "reduced_chi_square": reduced, "points": len(x),
                       "parameters": len(solution.x),
                       "r_factor": float(np.sum((y - fitted_model) ** 2) / np.sum(y ** 2)),
                       "function_evaluations": int(solution.nfev), "converged": bool(solution.success),
                       "errors": error_convention(errors_known)},
        "share_background": np.zeros(len(components)), "background_name": background_name, "notes": notes,
    }


def _root(i: int, ties: dict[int, tuple[int, float]]) -> int:
    """The component a chain of ties ends at."""
    while i in ties:
        i = ties[i][0]
    return i


def _tied_errors(_, errors, index, kind, free, components, fixed) -> np.ndarray:
    """Standard errors of every component's position: a tied one has its reference's."""
    out = np.zeros(len(components))
    if fixed:
        return out
    ties = {i: (j, 0.0) for i, c in enumerate(components) if c.position_of
            for j in [next(k for k, d in enumerate(components) if d.name == c.position_of[0])]}
    for i in range(len(components)):
        out[i] = errors[index[f"{kind}:{components[_root(i, ties)].name}"]]
    return out


def _result(spectrum, data, components, background, fit_background, line_shape, fitted) -> XpsFit:
    import pandas as pd

    statistical = np.sqrt(np.clip(np.diag(fitted["share_cov"]), 0, None))
    table = pd.DataFrame({
        "component": [c.name for c in components], "family": [c.family for c in components],
        "position_eV": fitted["positions"], "position_stderr_eV": fitted["position_errors"],
        "fwhm_eV": fitted["widths"], "fwhm_stderr_eV": fitted["width_errors"],
        "area": fitted["areas"], "area_stderr": fitted["area_errors"], "share": fitted["shares"],
        "share_stderr_statistical": statistical, "share_background": fitted["share_background"],
        "share_stderr": np.hypot(statistical, fitted["share_background"]),
        "line_shape": [c.line_shape or line_shape for c in components],
        **{f"{kind}_at_bound": flags for kind, flags in fitted["at_bound"].items()},
    })
    statistics = {**fitted["statistics"], "background": background, "background_fitted": fit_background,
                  "line_shape": line_shape}
    for note in fitted["notes"]:
        if "bound" in note:
            warn(f"{data.source_file}: {data.region}: {note}", FitWarning)
    return XpsFit(region=data.region, source_file=data.source_file, background_method=background,
                  background_fitted=fit_background, line_shape=line_shape, binding_energy_eV=fitted["x"],
                  intensity=fitted["y"], model=fitted["model"], background=fitted["background"],
                  component_curves=fitted["curves"], components=components, table=table, fit_statistics=statistics,
                  background_parameters=fitted["background_parameters"], family_variance=fitted["families"],
                  charge_shift_eV=spectrum.charge_shift_eV, notes=fitted["notes"],
                  excitation_energy_eV=data.excitation_energy_eV, transmission=data.transmission)
