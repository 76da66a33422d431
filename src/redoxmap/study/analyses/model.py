"""The activation model fitted to a study's cells: their per-cycle capacities at their temperatures and
the O activation index of their spectra by XAS mode."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxmap.errors import AnalysisError, FitWarning
from redoxmap.model.cycle_model import ActivationParameters, ActivationRun, simulate_cycles
from redoxmap.model.fit import (
    ModelFit,
    Profile,
    fit_model,
    poorly_identified,
    profile_interval,
)
from redoxmap.model.observations import capacity_observations, interface_observations, r_observations
from redoxmap.model.surface import SurfaceValences, rate_temperatures
from redoxmap.model.validation import REFERENCE_STATED, Validation, stated_values, validate_reference

REFERENCE_DRAWS = 20  # refits for the report's reference protocol (`redoxmap model validate`: 40; ~0.35 s each)


@dataclass
class ModelAnalysis:
    """The model fitted to a study.

    Attributes
    ----------
    fit : ModelFit
    runs : dict
        Temperature label -> the fitted model's run.
    data : dict
        Temperature label -> (cycles, capacities, errors) measured.
    cells : pandas.DataFrame
        Which cells were used (name, temperature, cycles).
    notes : list of str
    profiles : list of Profile
        chi-square profiles of the parameters the data pin down worst (:func:`poorly_identified`).
    r_values : pandas.DataFrame
        The O activation indices fitted with the capacities (empty when there were none).
    interface : pandas.DataFrame
        The cells' interface resistances from impedance fitted with them
        (:func:`redoxmap.study.model_evidence.model_interface_resistances`; empty when there were none).
    validation : Validation or None
        The reference study's protocol (held-out predictions with intervals), when asked for.
    """

    fit: ModelFit
    runs: dict[str, ActivationRun] = field(repr=False)
    data: dict[str, tuple] = field(repr=False)
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    r_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    validation: Validation | None = None
    interface: pd.DataFrame = field(default_factory=pd.DataFrame)

    def intervals(self) -> pd.DataFrame:
        """Per profiled parameter: the fit, its linearised 95 % interval (+-1.96 stderr) and the profile's."""
        table = self.fit.table.set_index("name")
        return pd.DataFrame([{"name": p.name, "value": table.loc[p.name, "value"],
                              "linear_low": table.loc[p.name, "value"] - 1.96 * table.loc[p.name, "stderr"],
                              "linear_high": table.loc[p.name, "value"] + 1.96 * table.loc[p.name, "stderr"],
                              "profile_low": p.low, "profile_high": p.high} for p in self.profiles])


def _surface_reaction(surface: SurfaceValences, parameters: dict, notes: list[str]) -> dict:
    """The surface reaction's fixed values from the study's surface valences (a note says what, or why not); a
    user's energy in ``parameters`` stands, and the rate at 30 °C is converted with it."""
    user_energy = "surface_reaction_energy_eV" in parameters
    energy = parameters.get("surface_reaction_energy_eV", REFERENCE_STATED["surface_reaction_energy_eV"][0])
    try:
        rates = surface.reaction(energy, fit_energy=not user_energy)
    except AnalysisError as exc:
        notes.append(f"no surface reaction from the {surface.what}: {exc}")
        return {}
    notes.append("the surface reaction is fixed by the " + "; ".join(
        f"{name} = {value:.3g} +- {error:.2g}" for name, (value, error, _) in rates.items()) + f" ({surface.what})")
    return rates


def _held_values(measured: dict, exclude: set, surface: SurfaceValences | None) -> pd.DataFrame:
    """The fit's fixed values: the reference study's stated ones the study neither fits nor sets (``exclude``)
    and its own measurements; a surface rate measured at one temperature and brought to 30 °C with the stated
    energy says at which (``rate_measured_at_C``), so that a draw of that energy moves it
    (:func:`redoxmap.model.fit.parameter_draws`)."""
    fixed = stated_values(exclude=exclude | set(measured))
    for name, (value, error, source) in measured.items():
        fixed.loc[len(fixed)] = [name, value, error, source]
    if "surface_loss_per_cycle" in measured and "surface_reaction_energy_eV" in set(fixed["name"]) \
            and "surface_reaction_energy_eV" not in measured:
        (temperature,) = rate_temperatures(surface.valences)
        fixed["rate_measured_at_C"] = np.where(fixed["name"] == "surface_loss_per_cycle", temperature, np.nan)
    return fixed


def analyze_model(cells: list[tuple[str, float, pd.DataFrame]], *, vary: tuple[str, ...],
                  parameters: dict | None = None, cycles: int = 40, stderr_pct: float = 1.0,
                  r_values: pd.DataFrame | None = None, interface: pd.DataFrame | None = None,
                  radius: tuple[float, float, str] | None = None, surface: SurfaceValences | None = None,
                  probing: dict[str, tuple[float, float, str]] | None = None,
                  reference_protocol: bool = False) -> ModelAnalysis:
    """Fit the cycle-resolved model to cells ``(name, temperature_C, cycle summary)`` jointly, and to
    the O activation indices ``r_values`` (see :func:`r_observations`) and the interface resistances
    ``interface`` (:func:`interface_observations`) of the same cells if given. ``radius`` (nm, its
    error, its source: the study's SEM) replaces the stated particle radius unless ``parameters`` set it, and
    ``probing`` (``{"tey_nm": (value, error, source), "bulk_nm": ...}``: the study's ``[xas]`` depths) the stated
    probing depths unless ``parameters`` set or ``vary`` fits them; the
    ``surface`` valences after numbered charges fix the surface reaction (its rate at 30 °C, and its energy where
    two temperatures measure it: :func:`redoxmap.model.surface.surface_reaction_from_valences`) unless
    ``parameters`` set its rate.
    With ``reference_protocol`` the reference study's protocol is run too (:func:`validate_reference`,
    ``REFERENCE_DRAWS`` refits for its intervals): the model's held-out predictions for the report.

    Raises
    ------
    AnalysisError
        Without cells that have a temperature and specific capacities (an active mass).
    """
    usable = [(n, t, s) for n, t, s in cells if t is not None and "discharge_capacity_mAh_g" in s
              and s["discharge_capacity_mAh_g"].notna().any()]
    if not usable:
        raise AnalysisError("the model needs cells with a temperature_C and an active mass (capacities in mAh/g)")
    from_spectra = r_observations(r_values)
    from_impedance = interface_observations(interface)
    observations = (capacity_observations([(t, s) for _, t, s in usable], stderr_pct=stderr_pct) + from_spectra
                    + from_impedance)
    notes = []
    if from_spectra and "r_max" not in vary:  # r = r_max x activation: a fixed scale would force the fit
        vary = (*vary, "r_max")
        notes.append("r_max is fitted too: the study's O K spectra give r-values, and r_max sets their scale")
    if from_impedance:
        notes.append("the interface resistance is fitted to the cells' impedance too: "
                     + ", ".join(f"{o.value:.3g} +- {o.stderr:.2g} ohm g at {o.temperature_C:g} °C"
                                 for o in from_impedance))
    taken = {name: value for name, value in {"radius_nm": radius, **(probing or {})}.items()
             if value is not None and name not in (parameters or {})}
    measured = {name: value for name, value in taken.items() if name not in vary}  # a fitted one starts there
    surface_names = {"surface_loss_per_cycle", "surface_reaction_energy_eV"}
    if surface is not None and "surface_loss_per_cycle" not in (parameters or {}) and not surface_names & set(vary):
        measured.update(_surface_reaction(surface, parameters or {}, notes))
    start = ActivationParameters(**(parameters or {}),
                                 **{name: value for name, (value, _, _) in {**taken, **measured}.items()})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitWarning)
        fit = fit_model(observations, start=start, vary=tuple(vary))
    # What the study neither fits nor sets keeps the reference study's stated value, and its error reaches
    # the model's intervals in the map (the front depth with the radius' error, r by probe with the depths').
    fit.fixed = _held_values(measured, {*vary, *(parameters or {})}, surface)
    profiles = [profile_interval(observations, fit, name) for name in poorly_identified(fit)]
    runs, data = {}, {}
    for name, temperature, summary in usable:
        label = f"{temperature:g} °C"
        last = int(max(cycles, summary["cycle"].max()))
        runs[label] = simulate_cycles(fit.parameters, last, temperature_C=temperature)
        rows = summary[summary["cycle"] >= 1]
        data[label] = (rows["cycle"].to_numpy(), rows["discharge_capacity_mAh_g"].to_numpy(),
                       np.maximum(stderr_pct / 100 * rows["discharge_capacity_mAh_g"].to_numpy(), 1.0))
    cells_table = pd.DataFrame([{"cell": n, "temperature_C": t, "cycles": int(s["cycle"].max())}
                                for n, t, s in usable])
    validation = validate_reference(draws=REFERENCE_DRAWS) if reference_protocol else None
    return ModelAnalysis(fit, runs, data, cells_table, notes + [str(w.message) for w in caught], profiles,
                         r_values if r_values is not None else pd.DataFrame(), validation,
                         interface if interface is not None else pd.DataFrame())
