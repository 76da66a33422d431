"""The temperature laws of the activation models: a rate at a temperature relative to 30 °C, the Tafel width's
proportion to T, and a rate and its energy from values measured at two temperatures or more (the TM utilisation
from the bulk Ni valence, the surface reaction from the surface valences)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from redoxmap.errors import AnalysisError

FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
T_REF_K = 303.15  # 30 °C, the reference study's lower temperature
PER_EV = FARADAY / GAS_CONSTANT  # kelvin per eV: E / k_B


def arrhenius_factor(energy_eV: float, temperature_K: float) -> float:
    """``exp(-E/k (1/T - 1/T_ref))``: a rate at T relative to 30 °C.

    Parameters
    ----------
    energy_eV : float
        The activation energy (eV).
    temperature_K : float

    Returns
    -------
    float

    Examples
    --------
    >>> round(arrhenius_factor(0.3, 323.15), 3)
    2.036
    """
    return float(np.exp(-energy_eV * PER_EV * (1 / temperature_K - 1 / T_REF_K)))


def tafel_width(width_ref_V: float, temperature_K: float) -> float:
    """The Tafel width RT / (alpha F) at T from its value at 30 °C: it grows in proportion to T (alpha held).

    Parameters
    ----------
    width_ref_V : float
        The width at 30 °C (V per e-fold of the rate).
    temperature_K : float
        Where it is wanted.

    Returns
    -------
    float
        The width there (V).

    Examples
    --------
    >>> round(tafel_width(0.05, 323.15), 4)  # 50 °C: 6.6 % wider
    0.0533
    """
    return width_ref_V * temperature_K / T_REF_K


@dataclass(frozen=True)
class ArrheniusFit:
    """A rate at 30 °C and its Arrhenius energy, with standard errors (:func:`arrhenius_fit`)."""

    value_ref: float
    value_ref_stderr: float
    energy_eV: float
    energy_stderr_eV: float


def arrhenius_fit(temperatures_C, values, stderr) -> ArrheniusFit:
    """A rate at 30 °C and its Arrhenius energy from values measured at two temperatures or more.

    Weighted least squares of ``ln v = ln v_ref - E/k (1/T - 1/T_ref)`` with the errors of ``ln v``
    (``stderr / v``) taken as known; through two temperatures the line passes through both, and the errors
    are those of the two values propagated. With three temperatures or more, values that scatter about the
    line more than their errors allow (reduced chi-square above 1) widen both errors by its square root (the
    Birge ratio: the errors were under-stated); a reduced chi-square below 1 leaves them as stated.

    Parameters
    ----------
    temperatures_C, values, stderr : array_like
        One value and its standard error per measurement.

    Returns
    -------
    ArrheniusFit

    Raises
    ------
    AnalysisError
        With fewer than two different temperatures, or a value or error that is not a positive number.

    Examples
    --------
    A rate that doubles from 30 to 50 °C has an energy of 0.29 eV:

    >>> fit = arrhenius_fit([30, 50], [1.0, 2.0], [0.1, 0.2])
    >>> round(fit.value_ref, 6), round(fit.energy_eV, 3)
    (1.0, 0.293)

    Three rates that miss their line by far more than their 1 % errors get wider errors:

    >>> scattered = arrhenius_fit([30, 40, 50], [1.0, 1.8, 2.0], [0.01, 0.018, 0.02])
    >>> scattered.energy_stderr_eV > 10 * arrhenius_fit([30, 40, 50], [1.0, 1.41, 2.0],
    ...                                                  [0.01, 0.0141, 0.02]).energy_stderr_eV
    True
    """
    temperatures, values, stderr = (np.asarray(v, float) for v in (temperatures_C, values, stderr))
    if not (temperatures.shape == values.shape == stderr.shape) or not np.all(np.isfinite(values) & (values > 0)) \
            or not np.all(np.isfinite(stderr) & (stderr > 0)):
        raise AnalysisError("an Arrhenius fit needs one positive value and one positive error per temperature "
                            f"(got values {values.tolist()}, errors {stderr.tolist()})")
    if len(np.unique(temperatures)) < 2:
        raise AnalysisError(f"an Arrhenius fit needs values at two temperatures or more (got {temperatures.tolist()})")
    x = PER_EV * (1 / (temperatures + 273.15) - 1 / T_REF_K)
    design = np.column_stack([np.ones_like(x), -x])  # ln v = ln v_ref + E (-x)
    weights = (values / stderr) ** 2
    covariance = np.linalg.inv(design.T @ (design * weights[:, None]))
    log_ref, energy = covariance @ (design.T @ (weights * np.log(values)))
    if len(values) > 2:
        residuals = np.log(values) - design @ np.array([log_ref, energy])
        covariance = covariance * max(1.0, float(weights @ residuals ** 2) / (len(values) - 2))
    value_ref = float(np.exp(log_ref))
    return ArrheniusFit(value_ref, value_ref * float(np.sqrt(covariance[0, 0])), float(energy),
                        float(np.sqrt(covariance[1, 1])))
