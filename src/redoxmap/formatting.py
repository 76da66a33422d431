"""Numbers as a scientist writes them: ``0.200 ± 0.004``, ``(2.85 ± 0.03)×10⁻⁵``.

The error keeps two significant digits and the value is rounded to the same decimal place; a
number without an error keeps four significant digits. Very large or very small numbers share one
power of ten between value and error.
"""

from __future__ import annotations

import math
import re

import pandas as pd

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def format_number(value, digits: int = 4) -> str:
    """A number with ``digits`` significant digits, in scientific notation when it is very large or
    small (empty for NaN)."""
    if not _finite(value):
        return ""
    value = float(value)
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 5:
        decimals = max(digits - 1 - exponent, 0)
        return f"{value:.{decimals}f}"
    mantissa = value / 10 ** exponent
    return f"{mantissa:.{digits - 1}f}×10{str(exponent).translate(_SUPERSCRIPT)}"


def format_value_error(value, error, *, digits: int = 2) -> str:
    """``value ± error`` with the error to ``digits`` significant digits and the value to the same place.

    Examples
    --------
    >>> format_value_error(0.20037, 0.00412)
    '0.2004 ± 0.0041'
    >>> format_value_error(2.849e-05, 3.1e-07)
    '(2.849 ± 0.031)×10⁻⁵'
    >>> format_value_error(3.84, float("nan"))
    '3.840'
    >>> format_value_error(-0.001, 0.11)
    '0.00 ± 0.11'
    """
    if not _finite(value):
        return ""
    if not _finite(error) or float(error) <= 0:
        return format_number(value)
    value, error = float(value), float(error)
    scale = max(abs(value), error)
    exponent = math.floor(math.log10(scale)) if scale > 0 else 0
    shift = exponent if not -3 <= exponent < 5 else 0
    v, e = value / 10 ** shift, error / 10 ** shift
    place = math.floor(math.log10(e)) - (digits - 1)
    decimals = max(-place, 0)
    v_text, e_text = f"{round(v, -place):.{decimals}f}", f"{round(e, -place):.{decimals}f}"
    if v_text.startswith("-") and float(v_text) == 0:  # a value that rounds to zero has no sign
        v_text = v_text[1:]
    if shift:
        return f"({v_text} ± {e_text})×10{str(shift).translate(_SUPERSCRIPT)}"
    return f"{v_text} ± {e_text}"


SIGMA_CAP = 10.0  # beyond this, how many standard errors carries no information a reader can use


def format_sigma(z) -> str:
    """A significance in standard errors: one decimal, capped at ``> 10σ`` (a Gaussian tail beyond ten
    standard errors says more about the error model than about the data).

    Examples
    --------
    >>> format_sigma(2.449), format_sigma(-107.3), format_sigma(float("nan"))
    ('2.4σ', '> 10σ', 'not tested (no error)')
    """
    if not _finite(z):
        return "not tested (no error)"
    z = abs(float(z))
    return f"> {SIGMA_CAP:g}σ" if z > SIGMA_CAP else f"{z:.1f}σ"


def format_cycles(value, error=float("nan")) -> str:
    """A number of cycles: a whole number, with its error (to a whole cycle) when that is one cycle or
    more.

    Examples
    --------
    >>> format_cycles(12.0), format_cycles(7.912, 0.043), format_cycles(14.6, 3.2)
    ('12', '8', '15 ± 3')
    """
    if not _finite(value):
        return ""
    text = str(math.floor(float(value) + 0.5))
    if _finite(error) and float(error) >= 0.5:
        text += f" ± {math.floor(float(error) + 0.5)}"
    return text


ERROR_SUFFIXES = ("_stderr", "_err", "_error")


def error_column(frame: pd.DataFrame, column: str) -> str | None:
    """The column holding ``column``'s standard error, by the project's naming conventions
    (``x_stderr``, ``x_stderr_unit`` for ``x_unit``, ``x_err``; ``stderr`` for a parameter table's
    ``value``), or None."""
    stem, _, unit = column.rpartition("_")
    candidates = [f"{column}{s}" for s in ERROR_SUFFIXES] + (["stderr"] if column == "value" else [])
    if stem:
        candidates += [f"{stem}_stderr_{unit}", f"{stem}_err_{unit}"]
    return next((c for c in candidates if c in frame.columns), None)


# Columns that count cycles: whole numbers, with an error of at least one cycle (format_cycles).
CYCLE_COLUMNS = frozenset({"cycle", "cycles", "n50", "n90", "n90_cycles", "N_act_cycles", "onset_cycle",
                           "last_cycle", "cycle_of_max", "state_cycle", "half_cycle"})


def value_error_table(frame: pd.DataFrame, *, keys: list[str] | None = None, value: str | None = None,
                      error: str | None = None) -> pd.DataFrame:
    """A table for reading: each number column merged with its error column as ``x ± y`` text.

    Parameters
    ----------
    frame : pandas.DataFrame
    keys : list of str, optional
        Columns to put first (identifiers and the most read numbers), in this order.
    value, error : str, optional
        A single value/error pair to merge (others are found by their names).
    """
    shown = pd.DataFrame(index=frame.index)
    errors = {error} if error else set()
    pairs = {value: error} if value and error else {}
    for column in frame.columns:
        if column in pairs or column in errors:
            continue
        found = error_column(frame, column)
        if found and found not in errors and pd.api.types.is_numeric_dtype(frame[column]):
            pairs[column] = found
            errors.add(found)
    for column in frame.columns:
        if column in errors:
            continue
        data = frame[column]
        if column in CYCLE_COLUMNS and pd.api.types.is_numeric_dtype(data):
            errors_of = frame[pairs[column]] if column in pairs else [math.nan] * len(data)
            shown[column] = [format_cycles(v, e) for v, e in zip(data, errors_of)]
        elif column in pairs:
            shown[column] = [format_value_error(v, e) for v, e in zip(data, frame[pairs[column]])]
        elif pd.api.types.is_bool_dtype(data):
            shown[column] = data.map({True: "yes", False: "no"})
        elif pd.api.types.is_float_dtype(data):
            shown[column] = data.map(format_number)
        else:
            shown[column] = data.astype(object).where(data.notna(), "")
    first = [k for k in (keys or []) if k in shown.columns]
    return shown[first + [c for c in shown.columns if c not in first]]


# Name suffixes (the project's column and parameter names carry their unit) and the unit they mean.
_UNIT_SUFFIXES = (("_mAh_g", "mAh/g"), ("_mA_g", "mA/g"), ("_ohm_g", "Ω g"), ("_cm2_s", "cm²/s"), ("_per_h", "1/h"),
                  ("_eV", "eV"), ("_nm", "nm"), ("_um", "µm"), ("_V", "V"), ("_s", "s"), ("_ohm", "Ω"),
                  ("_deg", "deg"), ("_A", "Å"), ("_C", "°C"), ("_K", "K"))


def unit_of(name: str) -> str:
    """The unit a ``quantity_unit`` name carries (``"activation_energy_eV"`` -> ``"eV"``; ``""`` for none).

    Examples
    --------
    >>> unit_of("q_o_mAh_g"), unit_of("k_activation_per_h"), unit_of("phi_c")
    ('mAh/g', '1/h', '')
    """
    return next((unit for suffix, unit in _UNIT_SUFFIXES if name.endswith(suffix)), "")



# Column-name suffixes and the unit they mean in a table header, longest first (in the project's tables
# "_A" is ångström: lattice constants and d-spacings; currents are in mA).
_HEADER_UNITS = (
    ("_mAh_g_V", "mAh/g/V"),
    ("_mAh_V", "mAh/V"),
    ("_mAh_g", "mAh/g"),
    ("_mWh_g", "mWh/g"),
    ("_mA_g", "mA/g"),
    ("_umol_g", "µmol/g"),
    ("_ohm_g", "Ω g"),
    ("_cm2_s", "cm²/s"),
    ("_per_h", "1/h"),
    ("_mAh", "mAh"),
    ("_mWh", "mWh"),
    ("_mA", "mA"),
    ("_umol", "µmol"),
    ("_ohm", "Ω"),
    ("_eV", "eV"),
    ("_nm", "nm"),
    ("_um", "µm"),
    ("_deg", "°"),
    ("_pct", "%"),
    ("_mg", "mg"),
    ("_V", "V"),
    ("_s", "s"),
    ("_h", "h"),
    ("_C", "°C"),
    ("_K", "K"),
    ("_A", "Å"),
    ("_F", "F"),
    ("_Hz", "Hz"),
    ("_cycles", "cycles"),
)
# Names a rule would not write well.
_HEADERS = {
    "r": "r",
    "b0": "b0",
    "b_minus_b0": "b − b0",
    "n50": "n50 (cycles)",
    "n90": "n90 (cycles)",
    "kk_valid": "Kramers–Kronig valid",
    "fit_R2": "fit R²",
    "r_squared": "R²",
    "reduced_chi_square": "reduced χ²",
    "r_factor": "R-factor",
    "r_wp": "R_wp",
    "phi_c": "φc",
    "Q_inf": "Q∞",
    "N_act_cycles": "N_act (cycles)",
    "c_rate": "C-rate",
    "ce_cycle1_pct": "coulombic efficiency, cycle 1 (%)",
    "high_95": "95 % high",
    "low_95": "95 % low",
    "two_theta_ref_deg": "2θ reference (°)",
    "n_files": "files",
    "n_points": "points",
    "within_2_sigma": "within 2σ",
    "r_int_ohm_g": "R_int (Ω g)",
    "eta": "η",
    "u_ref": "u_ref",
    "r_max": "r_max",
}


def readable_header(name: str) -> str:
    """A column name as a table header: words and its unit in brackets (the exports keep the name).

    Examples
    --------
    >>> readable_header("discharge_capacity_mAh_g"), readable_header("c_A"), readable_header("onset_state")
    ('Discharge capacity (mAh/g)', 'c (Å)', 'Onset state')
    """
    name = str(name)
    if name in _HEADERS:
        return _HEADERS[name]
    suffix, unit = next(((s, u) for s, u in _HEADER_UNITS if name.endswith(s) and len(name) > len(s)), ("", ""))
    words = name[:len(name) - len(suffix)]
    words = re.sub(r"^([A-Z])_(\d+)", r"\1\2", words).replace("dqdv", "dQ/dV").replace("_", " ").strip()
    first = words.split(" ")[0]
    if len(first) > 1 and first.islower():  # a word, not a symbol (r, c, A) or a name (dQ/dV, R0)
        words = words[:1].upper() + words[1:]
    return f"{words} ({unit})" if unit else words
