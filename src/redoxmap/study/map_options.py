"""How the activation map is built and read: the manifest's ``[map]`` section.

Its own module so that a manifest loads it without the map's numerical stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from redoxmap.defaults import ERROR_FLOORS
from redoxmap.study.chemistry import REFERENCE_REGIONS, is_li_rich
from redoxmap.study.modality import parameter


@dataclass(frozen=True)
class MapOptions:
    """How the map is built and read (the manifest's ``[map]`` section).

    Attributes
    ----------
    significance_sigma : float
        A difference (surface minus bulk, or a state against pristine) is significant when it
        exceeds this many standard errors. 3 keeps the chance of one false finding among a dozen
        states below 4 %.
    capacity_accuracy_pct : float
        Relative standard error of a specific capacity (the active mass is weighed to about 1 %).
    redox_regions : str or dict
        Which voltage region holds which couple's charge: ``"auto"`` (the reference study's TM in
        region II and O in region III, for cathode samples whose ``chemistry`` is Li-rich), ``"none"``,
        or a dict such as ``{"TM": "II", "O": "III"}`` for every cathode sample.
    fast_cycles : float
        A couple that reaches 90 % of its final activation within this many cycles is "fast".
    onset_share : float
        A couple's electrochemical onset: the first charge with at least this share in its region.
    model_draws : int
        Parameter sets drawn from the model fit's covariance for the model's intervals.
    error_floors : dict
        Systematic floors overriding :data:`redoxmap.defaults.ERROR_FLOORS` (see
        :mod:`redoxmap.study.budget`).
    min_states : int
        Charged states of a couple needed before its speed (n50, n90, fast or slow) is given.
    """

    significance_sigma: float = parameter(3.0, "a difference is significant above this many standard errors",
                                          (int, float))
    capacity_accuracy_pct: float = parameter(1.0, "relative standard error of a specific capacity, in %",
                                             (int, float))
    redox_regions: str | dict = parameter(
        "auto", "voltage region of each couple's charge: 'auto' (TM = II, O = III for samples with chemistry = "
        "'li-rich'), 'none', or {TM = 'II', O = 'III'}", (str, dict), ("auto", "none"))
    fast_cycles: float = parameter(2.0, "a couple reaching 90 % of its final activation within this many "
                                   "cycles is 'fast'", (int, float))
    onset_share: float = parameter(0.05, "electrochemical onset: first charge with this share in the couple's "
                                   "region", (int, float))
    model_draws: int = parameter(200, "parameter draws for the model's intervals in the map", int)
    error_floors: dict = parameter({}, "systematic error floors overriding the defaults, e.g. {r = 0.03, "
                                   "valence = 0.08} (keys: " + ", ".join(ERROR_FLOORS) + ")", dict)
    min_states: int = parameter(3, "charged states of a couple needed for its speed (n50, n90, fast/slow)", int)

    @property
    def floors(self) -> dict[str, float]:
        """The floors in force: the defaults with this study's overrides."""
        from redoxmap.study.budget import resolve_floors

        return resolve_floors(self.error_floors)

    def regions_for(self, sample) -> dict[str, str]:
        """The couple -> region assignment of one sample (empty for anodes and unknown chemistries)."""
        if getattr(sample, "electrode", "cathode") != "cathode":
            return {}
        if isinstance(self.redox_regions, dict):
            return {str(k): str(v) for k, v in self.redox_regions.items()}
        if self.redox_regions == "auto" and is_li_rich(getattr(sample, "chemistry", None)):
            return dict(REFERENCE_REGIONS)
        return {}
