"""Self-absorption of fluorescence yields (TFY, PFY) in a thick, flat sample, and its correction.

A fluorescence yield saturates where the absorption is strong: the photons that excite the edge are
absorbed nearer the surface, and the fluorescence they produce must leave through the whole sample.
For a sample much thicker than the absorption length, with the beam at ``incidence_deg`` and the
detector at ``exit_deg`` to the surface (``g = sin(incidence) / sin(exit)``), the measured yield is
(Tröger et al., Phys. Rev. B 46, 3283 (1992); Booth & Bridges, Phys. Scr. T115, 202 (2005))::

    I_F(E) ∝ mu_a(E) / (mu_t(E) + g mu_t(E_f))

with ``mu_a`` the absorption of the edge, ``mu_t`` the sample's total and ``E_f`` the fluorescence
energy. Writing ``mu_a = Δmu N(E)`` with ``N`` the spectrum on the edge-step scale and ``Δmu`` the
tabulated jump, the normalised measurement is ``N_m = N (1 + α) / (α + N)`` and the correction is the
exact inverse::

    N = α N_m / (α + 1 - N_m),   α = (mu_below + g mu_t(E_f)) / Δmu,

which is what the FLUO algorithm of Athena and Larch's ``fluo_corr`` apply (Haskel's FLUO; Larch takes
``mu_below`` and ``mu_above`` at the tabulated edge ∓ 10 eV, as here). The cross-sections are xraydb's
(Elam tables) for the stated composition; the density cancels. What this cannot know: the near-edge
structure is not in the tables (the measured ``N`` stands for it), the free-atom edge energy (O K at
543.1 eV) differs from a solid's onset, and a porous composite is not a flat homogeneous sample
(binder, carbon and electrolyte belong in the composition). iPFY needs no correction: it is free of
self-absorption by construction (Achkar et al., Phys. Rev. B 83, 081106 (2011)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from redoxmap.defaults import FLUORESCENCE_ANGLE_DEG
from redoxmap.errors import AnalysisError, MissingDependencyError

CORRECTED_MODES = ("tfy", "pfy", "fy")
# The fluorescence line each edge family emits (xraydb's names).
EMISSION_LINES = {"K": "Ka", "L3": "La", "L2": "Lb1", "L": "La"}
JUMP_HALF_WIDTH_EV = 10.0  # mu below and above the tabulated edge, as Larch's fluo_corr


@dataclass(frozen=True)
class SelfAbsorption:
    """The thick-sample correction of one edge in one material and geometry.

    Attributes
    ----------
    alpha : float
        ``(mu_below + g mu_t(E_f)) / Δmu``: small values mean strong saturation.
    composition : str
    element, edge, line : str
    incidence_deg, exit_deg : float
    edge_eV, line_eV : float
        The tabulated edge and fluorescence energies used.
    """

    alpha: float
    composition: str
    element: str
    edge: str
    line: str
    incidence_deg: float
    exit_deg: float
    edge_eV: float
    line_eV: float

    def measured(self, norm):
        """The saturated spectrum a fluorescence detector records of a true ``norm`` (edge-step scale)."""
        norm = np.asarray(norm, float)
        return norm * (1 + self.alpha) / (self.alpha + norm)

    def correct(self, measured):
        """The true spectrum (edge-step scale) of a measured, edge-step-normalised fluorescence yield.

        Raises
        ------
        AnalysisError
            Where the measurement reaches ``1 + alpha``: the sample saturates completely there (or it is
            not thick, or not normalised to its edge step), and no correction recovers it.
        """
        measured = np.asarray(measured, float)
        denominator = self.alpha + 1 - measured
        if np.any(denominator <= 0.05 * self.alpha):
            raise AnalysisError(f"the {self.element} {self.edge} fluorescence yield reaches {np.max(measured):.3g} on "
                                f"its edge-step scale, at or beyond the saturation limit 1 + α = {1 + self.alpha:.3g} "
                                f"of {self.composition} at {self.incidence_deg:g}°/{self.exit_deg:g}°: not a thick-"
                                "sample spectrum normalised to its edge step, or another composition")
        return self.alpha * measured / denominator

    def describe(self) -> str:
        """The correction in words, for results and reports."""
        return (f"self-absorption corrected (thick sample, FLUO/Tröger form): {self.composition}, "
                f"{self.element} {self.edge} edge {self.edge_eV:g} eV, {self.line} line {self.line_eV:.1f} eV, "
                f"incidence {self.incidence_deg:g}°, exit {self.exit_deg:g}°, α = {self.alpha:.3f} (xraydb)")


def split_edge(edge: str) -> tuple[str, str]:
    """``"Mn-L3"`` -> ``("Mn", "L3")``; ``"O-K"`` -> ``("O", "K")``."""
    element, _, name = edge.partition("-")
    if not element or not name:
        raise AnalysisError(f"an edge is ELEMENT-EDGE (O-K, Mn-L3), not {edge!r}")
    return element, name.upper()


def self_absorption(composition: str, edge: str, *, incidence_deg: float = FLUORESCENCE_ANGLE_DEG,
                    exit_deg: float = FLUORESCENCE_ANGLE_DEG) -> SelfAbsorption:
    """The thick-sample self-absorption of an edge of ``composition`` in a geometry.

    Parameters
    ----------
    composition : str
        Chemical formula of the whole sample as the beam sees it (``"Li1.2Ni0.16Co0.08Mn0.56O2"``).
    edge : str
        ``"O-K"``, ``"Mn-L3"``...
    incidence_deg, exit_deg : float
        Angles of the beam and of the detector direction to the sample surface, in degrees.

    Examples
    --------
    The O K edge of the reference study's cathode at 45°/45°:

    >>> round(self_absorption("Li1.2Ni0.16Co0.08Mn0.56O2", "O-K").alpha, 3)
    0.822
    """
    try:
        import xraydb
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise MissingDependencyError("the self-absorption correction needs xraydb (pip install xraydb)") from exc
    for name, angle in (("incidence_deg", incidence_deg), ("exit_deg", exit_deg)):
        if not 0 < angle <= 90:
            raise AnalysisError(f"{name} must lie in (0, 90] degrees to the surface, not {angle}")
    element, name = split_edge(edge)
    line = EMISSION_LINES.get(name) or EMISSION_LINES.get(name[:1])
    if line is None:
        raise AnalysisError(f"no fluorescence line known for the {name} edge (K, L2 or L3)")
    try:
        edge_eV = float(xraydb.xray_edge(element, "L3" if name == "L" else name).energy)
        line_eV = float(xraydb.xray_line(element, line).energy)
        mu_f, below, above = xraydb.material_mu(composition, np.array([line_eV, edge_eV - JUMP_HALF_WIDTH_EV,
                                                                      edge_eV + JUMP_HALF_WIDTH_EV]), density=1.0)
    except Exception as exc:  # xraydb raises bare errors for an unknown element or formula
        raise AnalysisError(f"xraydb cannot describe {element} {name} in {composition!r} ({exc})") from exc
    if element not in composition:
        raise AnalysisError(f"the composition {composition!r} has no {element}: it cannot show the {edge} edge")
    jump = above - below
    if not jump > 0:
        raise AnalysisError(f"no {edge} jump in the tables for {composition!r}")
    g = math.sin(math.radians(incidence_deg)) / math.sin(math.radians(exit_deg))
    return SelfAbsorption(float((below + g * mu_f) / jump), composition, element, name, line, float(incidence_deg),
                          float(exit_deg), edge_eV, line_eV)
