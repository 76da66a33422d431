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
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from redoxmap.errors import FitError, FitWarning
from redoxmap.results import FitResult
from redoxmap.xps import background as backgrounds
from redoxmap.xps.components import Component, preset
from redoxmap.xps.lineshapes import parse_line_shape, profile, pseudo_voigt_with_derivatives

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

    def __repr__(self) -> str:
        shares = ", ".join(f"{r.component} {100 * r.share:.1f}%" for r in self.table.itertuples())
        return f"XpsFit({self.region!r}, {self.background_method}: {shares})"

    def parameter_table(self):
        import pandas as pd

        rows = []
        for r in self.table.itertuples():
            rows += [(f"{r.component}: position", r.position_eV, r.position_stderr_eV, "eV"),
                     (f"{r.component}: FWHM", r.fwhm_eV, r.fwhm_stderr_eV, "eV"),
                     (f"{r.component}: area", r.area, r.area_stderr, "intensity x eV"),
                     (f"{r.component}: share", r.share, r.share_stderr, "")]
        rows += [(f"background {k}", v[0], v[1], "") for k, v in self.background_parameters.items()]
        return pd.DataFrame(rows, columns=["parameter", "value", "stderr", "unit"])

    def statistics(self) -> dict:
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
            background: str = "shirley", fit_background: bool = True, line_shape: str = "SGL(30)",
            cross_section: str | tuple[float, float] = "U2", background_check: bool = True,
            fix_fwhm: bool = False, fix_position: bool = False) -> XpsFit:
    """Fit components over a background to one XPS region.

    Parameters
    ----------
    spectrum : XpsSpectrum
        The region (already charge-corrected if it should be; see :func:`charge_correct`).
    components : sequence of Component, or str
        The chemical states, or a preset name (``"argyrodite-S2p"``, ``"argyrodite-P2p"``).
    window : (float, float), optional
        Binding-energy range to fit (the whole region if omitted).
    background : {"shirley", "tougaard", "linear"}
    fit_background : bool
        Fit the background's scale with the peaks (True) or fix it from the data first.
    line_shape : str
        ``"SGL(m)"`` or ``"GL(m)"`` (CasaXPS notation; m = Lorentzian percentage).
    cross_section : {"U2", "U3"} or (C, D)
        Tougaard cross-section.
    background_check : bool
        Refit over the other background (Shirley <-> Tougaard) and count half the difference of
        the shares in their errors.
    fix_fwhm, fix_position : bool
        Hold the widths or positions at the components' values (to reproduce a published fit).

    Returns
    -------
    XpsFit

    Raises
    ------
    FitError
        If the window holds too few points for the parameters, or the optimiser fails.

    Examples
    --------
    >>> from redoxmap.io import read_xps, select_region            # doctest: +SKIP
    >>> s2p = select_region(read_xps("cycled.vms"), "S 2p")        # doctest: +SKIP
    >>> fit = fit_xps(s2p, "argyrodite-S2p")                       # doctest: +SKIP
    >>> fit.family_shares()                                        # doctest: +SKIP
    """
    if isinstance(components, str):
        components = preset(components)
    components = tuple(components)
    if not components:
        raise ValueError("at least one component is needed")
    if background not in backgrounds.BACKGROUNDS:
        raise ValueError(f"background must be one of {', '.join(backgrounds.BACKGROUNDS)}, not {background!r}")
    kind, lorentz = parse_line_shape(line_shape)
    data = spectrum.window(*window) if window is not None else spectrum
    result = _fit(data, components, background, fit_background, kind, lorentz, cross_section, fix_fwhm,
                  fix_position)
    if background_check and background in _OTHER_BACKGROUND:
        try:
            other = _fit(data, components, _OTHER_BACKGROUND[background], fit_background, kind, lorentz,
                         cross_section, fix_fwhm, fix_position)
        except FitError:
            other = None
        if other is not None:
            systematic = np.abs(result["shares"] - other["shares"]) / 2.0
            result["share_background"] = systematic
            result["notes"].append(f"share errors include half the difference to a {other['background_name']} "
                                   f"background (largest {100 * systematic.max():.1f} percentage points)")
    return _result(spectrum, data, components, background, fit_background, line_shape, result)


def _fit(data, components, background_name, fit_background, kind, lorentz, cross_section, fix_fwhm, fix_position):
    from scipy.optimize import least_squares, nnls

    x = data.binding_energy_eV
    y = data.intensity_cps
    variance = data.variance()
    errors_known = variance is not None
    sigma = np.sqrt(variance) if errors_known else np.ones_like(y)
    shape = profile(kind)
    group_names = []
    group_of = []
    for c in components:
        key = c.width_group if c.width_group is not None else f"__{c.name}"
        if key not in group_names:
            group_names.append(key)
        group_of.append(group_names.index(key))
    active = background_name if fit_background and background_name != "linear" else None
    linear_free = background_name == "linear" and fit_background
    n_extra = 2 if (active or linear_free) else 0
    size = ((0 if fix_position else len(components)) + (0 if fix_fwhm else len(group_names)) + len(components)
            + n_extra)
    if size >= len(x):
        raise FitError(f"{data.region}: {len(x)} points cannot determine {size} parameters")
    fixed = None if n_extra else backgrounds.BACKGROUNDS[background_name](x, y)

    def curves(positions, widths, areas):
        out = np.empty((len(components), len(x)))
        for i, c in enumerate(components):
            width = widths[group_of[i]]
            ratio = c.minor_ratio
            line = shape(x, positions[i], width, lorentz)
            if ratio:
                line = (line + ratio * shape(x, positions[i] + c.splitting_eV, width, lorentz)) / (1 + ratio)
            out[i] = areas[i] * line
        return out

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
        n, g = len(components), len(group_names)
        positions = np.array([c.position_eV for c in components]) if fix_position else p[:n]
        offset = 0 if fix_position else n
        widths = np.array([components[group_of.index(j)].fwhm_eV for j in range(g)]) if fix_fwhm \
            else p[offset:offset + g]
        offset += 0 if fix_fwhm else g
        areas = p[offset:offset + n]
        return positions, widths, areas, p[offset + n:offset + n + n_extra]

    def residual(p):
        positions, widths, areas, extra = unpack(p)
        comp = curves(positions, widths, areas)
        peaks = comp.sum(axis=0)
        return (peaks + background_of(peaks, extra) - y) / sigma

    def jacobian(p):
        """Analytic derivatives of the residual (pseudo-Voigt lines): one model evaluation per
        iteration instead of one per parameter."""
        positions, widths, areas, extra = unpack(p)
        d_position = np.zeros((len(components), len(x)))
        d_width = np.zeros((len(group_names), len(x)))
        unit = np.zeros((len(components), len(x)))
        for i, c in enumerate(components):
            ratio = c.minor_ratio
            value, dc, dw = pseudo_voigt_with_derivatives(x, positions[i], widths[group_of[i]], lorentz)
            if ratio:
                v2, dc2, dw2 = pseudo_voigt_with_derivatives(x, positions[i] + c.splitting_eV,
                                                             widths[group_of[i]], lorentz)
                value, dc, dw = ((value + ratio * v2) / (1 + ratio), (dc + ratio * dc2) / (1 + ratio),
                                 (dw + ratio * dw2) / (1 + ratio))
            unit[i] = value
            d_position[i] = areas[i] * dc
            d_width[group_of[i]] += areas[i] * dw
        columns = ([] if fix_position else list(d_position)) + ([] if fix_fwhm else list(d_width)) + list(unit)
        columns = np.array(columns)
        if active:
            columns = columns + extra[1] * np.array([operator(column) for column in columns])
            columns = np.vstack([columns, np.ones(len(x)), operator(areas @ unit)])
        elif linear_free:
            columns = np.vstack([columns, np.ones(len(x)), x - x[0]])
        return (columns / sigma).T

    # starting values: positions and widths as given; areas by non-negative least squares over
    # a Shirley background of the data (a linear problem, so the start is never far off)
    start_positions = np.array([c.position_eV for c in components])
    start_widths = np.array([components[group_of.index(j)].fwhm_eV for j in range(len(group_names))])
    guess_background = backgrounds.shirley(x, y)
    basis = curves(start_positions, start_widths, np.ones(len(components)))
    start_areas = nnls((basis / sigma).T, (y - guess_background) / sigma)[0]
    start_areas = np.maximum(start_areas, 1e-3 * max(np.ptp(y), 1.0) * np.ptp(x) / len(components))
    p0, lower, upper, names = [], [], [], []
    if not fix_position:
        p0 += list(start_positions)
        lower += [c.position_eV - c.window_eV for c in components]
        upper += [c.position_eV + c.window_eV for c in components]
        names += [f"position:{c.name}" for c in components]
    if not fix_fwhm:
        p0 += list(start_widths)
        lower += [components[group_of.index(j)].fwhm_bounds_eV[0] for j in range(len(group_names))]
        upper += [components[group_of.index(j)].fwhm_bounds_eV[1] for j in range(len(group_names))]
        names += [f"fwhm:{g}" for g in group_names]
    p0 += list(start_areas)
    lower += [0.0] * len(components)
    upper += [np.inf] * len(components)
    names += [f"area:{c.name}" for c in components]
    if active:
        low, high = backgrounds.end_levels(y)
        total = max(float(start_areas.sum()), 1e-12)
        scale = (high - low) / (total if background_name == "shirley" else
                                max(float(operator(basis.T @ start_areas)[-1]), 1e-12))
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
        solution = least_squares(residual, p0, jac=jacobian if kind == "SGL" else "2-point",
                                 bounds=(lower, upper), x_scale="jac", max_nfev=4000, ftol=1e-12, xtol=1e-12,
                                 gtol=1e-12)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise FitError(f"{data.region}: the fit failed ({exc})") from exc
    positions, widths, areas, extra = unpack(solution.x)
    comp = curves(positions, widths, areas)
    peaks = comp.sum(axis=0)
    bg = background_of(peaks, extra)
    model = peaks + bg
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
    area_index = [index[f"area:{c.name}"] for c in components]
    total = areas.sum()
    shares = areas / total if total > 0 else np.full(len(areas), np.nan)
    # d share_i / d area_j = (delta_ij - share_i) / total
    gradient = (np.eye(len(areas)) - shares[:, None]) / total if total > 0 else np.zeros((len(areas),) * 2)
    area_cov = covariance[np.ix_(area_index, area_index)]
    share_cov = gradient @ area_cov @ gradient.T
    families = {}
    for family in dict.fromkeys(c.family for c in components):
        mask = np.array([c.family == family for c in components], dtype=float)
        families[family] = float(mask @ share_cov @ mask)
    notes = []
    significant = {c.name for c, a, e in zip(components, areas, errors[area_index]) if a > 2 * e}
    for name, value, lo, hi in zip(names, solution.x, lower, upper):
        kind_, _, owner = name.partition(":")
        stuck = math.isclose(value, lo, abs_tol=1e-4) or math.isclose(value, hi, abs_tol=1e-4)
        if kind_ in ("position", "fwhm") and stuck and (kind_ == "fwhm" or owner in significant):
            notes.append(f"{kind_} of {owner} stopped at its bound ({value:.3f}): widen its window or drop "
                         "the component if the data do not show it")
    return {
        "x": x, "y": y, "model": model, "background": bg, "curves": comp, "positions": positions,
        "widths": widths, "areas": areas, "shares": shares, "share_cov": share_cov, "families": families,
        "position_errors": np.array([errors[index[f"position:{c.name}"]] if not fix_position else 0.0
                                     for c in components]),
        "width_errors": np.array([errors[index[f"fwhm:{group_names[group_of[i]]}"]] if not fix_fwhm else 0.0
                                  for i in range(len(components))]),
        "area_errors": errors[area_index], "group_of": group_of,
        "background_parameters": {n: (float(solution.x[index[n]]), float(errors[index[n]]))
                                  for n in ("b0", "k", "slope") if n in index},
        "statistics": {"chi_square": chi_square, "reduced_chi_square": reduced, "points": len(x),
                       "parameters": len(solution.x),
                       "r_factor": float(np.sum((y - model) ** 2) / np.sum(y ** 2)),
                       "function_evaluations": int(solution.nfev), "converged": bool(solution.success),
                       "errors": error_convention(errors_known)},
        "share_background": np.zeros(len(components)), "background_name": background_name, "notes": notes,
    }


def _result(spectrum, data, components, background, fit_background, line_shape, fitted) -> XpsFit:
    import pandas as pd

    statistical = np.sqrt(np.clip(np.diag(fitted["share_cov"]), 0, None))
    table = pd.DataFrame({
        "component": [c.name for c in components], "family": [c.family for c in components],
        "position_eV": fitted["positions"], "position_stderr_eV": fitted["position_errors"],
        "fwhm_eV": [fitted["widths"][g] for g in fitted["group_of"]], "fwhm_stderr_eV": fitted["width_errors"],
        "area": fitted["areas"], "area_stderr": fitted["area_errors"], "share": fitted["shares"],
        "share_stderr_statistical": statistical, "share_background": fitted["share_background"],
        "share_stderr": np.hypot(statistical, fitted["share_background"]),
    })
    statistics = {**fitted["statistics"], "background": background, "background_fitted": fit_background,
                  "line_shape": line_shape}
    for note in fitted["notes"]:
        if "bound" in note:
            warnings.warn(f"{data.source_file}: {data.region}: {note}", FitWarning, stacklevel=3)
    return XpsFit(region=data.region, source_file=data.source_file, background_method=background,
                  background_fitted=fit_background, line_shape=line_shape, binding_energy_eV=fitted["x"],
                  intensity=fitted["y"], model=fitted["model"], background=fitted["background"],
                  component_curves=fitted["curves"], components=components, table=table, fit_statistics=statistics,
                  background_parameters=fitted["background_parameters"], family_variance=fitted["families"],
                  charge_shift_eV=spectrum.charge_shift_eV,
                  notes=fitted["notes"])
