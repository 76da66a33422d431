"""Pseudo-Voigt peak profiles with the K-alpha1/K-alpha2 doublet, and their derivatives.

One peak in a window is ``area * [pV(c) + R pV(c2(c))] + b0 + b1 t + b2 t^2`` with
``t = 2theta - window centre``, ``pV = eta L + (1 - eta) G`` of unit area and full width
``w`` (the Lorentzian and the Gaussian share it), ``R`` the K-alpha2/K-alpha1 intensity
ratio and ``c2 = 2 asin((lambda2 / lambda1) sin(c / 2))`` the K-alpha2 position that Bragg's
law ties to ``c``. Parameters, in order: area, centre, fwhm, eta, b0, b1[, b2].

Functions take arrays with a leading batch axis so that many windows (peaks of one
pattern, or one peak across an in situ series) are evaluated in one call.
"""

from __future__ import annotations

import numpy as np

GAUSS_NORM = np.sqrt(4 * np.log(2) / np.pi)
FOUR_LN2 = 4 * np.log(2)
PARAMETERS = ("area", "center", "fwhm", "eta", "b0", "b1", "b2")


def ka2_center(center_deg, ratio: float) -> np.ndarray:
    """2theta of K-alpha2 (degrees) for K-alpha1 at ``center_deg``; ``ratio = lambda2 / lambda1``."""
    half = np.radians(np.asarray(center_deg, float)) / 2
    return np.degrees(2 * np.arcsin(np.clip(ratio * np.sin(half), -1.0, 1.0)))


def _ka2_slope(center_deg, ratio: float) -> np.ndarray:
    half = np.radians(np.asarray(center_deg, float)) / 2
    half2 = np.arcsin(np.clip(ratio * np.sin(half), -1.0, 1.0))
    return ratio * np.cos(half) / np.cos(half2)


def _pv_and_derivatives(x, center, fwhm, eta):
    """pV and its derivatives with respect to centre, width and eta; all (batch, n)."""
    dx = x - center
    w2 = fwhm * fwhm
    gauss = GAUSS_NORM / fwhm * np.exp(-FOUR_LN2 * dx * dx / w2)
    denominator = 1.0 + 4.0 * dx * dx / w2
    lorentz = (2.0 / np.pi) / fwhm / denominator
    d_gauss_dc = gauss * 2 * FOUR_LN2 * dx / w2
    d_gauss_dw = gauss * (-1.0 / fwhm + 2 * FOUR_LN2 * dx * dx / (w2 * fwhm))
    d_lorentz_dc = lorentz * 8.0 * dx / w2 / denominator
    d_lorentz_dw = lorentz * (-1.0 / fwhm + 8.0 * dx * dx / (w2 * fwhm) / denominator)
    value = eta * lorentz + (1 - eta) * gauss
    return (value, eta * d_lorentz_dc + (1 - eta) * d_gauss_dc,
            eta * d_lorentz_dw + (1 - eta) * d_gauss_dw, lorentz - gauss)


def model(x, t, params, *, ka2_ratio: float = 0.0, wavelength_ratio: float = 1.0, jacobian: bool = False):
    """Evaluate the profile (and optionally its Jacobian) for a batch of windows.

    Parameters
    ----------
    x : numpy.ndarray
        2theta, shape ``(batch, n)``.
    t : numpy.ndarray
        ``x`` minus each window's centre (background variable), shape ``(batch, n)``.
    params : numpy.ndarray
        Shape ``(batch, 6 or 7)`` in the order of :data:`PARAMETERS`.
    ka2_ratio : float
        K-alpha2/K-alpha1 intensity ratio (0 for a single line).
    wavelength_ratio : float
        lambda(K-alpha2) / lambda(K-alpha1).
    jacobian : bool
        Also return the derivatives, shape ``(batch, n, n_params)``.
    """
    area, center, fwhm, eta = (params[:, i, None] for i in range(4))
    value, d_c, d_w, d_eta = _pv_and_derivatives(x, center, fwhm, eta)
    if ka2_ratio:
        center2 = ka2_center(center, wavelength_ratio)
        value2, d_c2, d_w2, d_eta2 = _pv_and_derivatives(x, center2, fwhm, eta)
        slope = _ka2_slope(center, wavelength_ratio)
        value = value + ka2_ratio * value2
        d_c, d_w, d_eta = d_c + ka2_ratio * slope * d_c2, d_w + ka2_ratio * d_w2, d_eta + ka2_ratio * d_eta2
    n_background = params.shape[1] - 4
    powers = [np.ones_like(t), t, t * t][:n_background]
    y = area * value + sum(params[:, 4 + k, None] * p for k, p in enumerate(powers))
    if not jacobian:
        return y
    J = np.stack([value, area * d_c, area * d_w, area * d_eta, *powers], axis=-1)
    return y, J
