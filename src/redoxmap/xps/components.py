"""Components of an XPS fit: chemical states with their physics fixed, user definitions, and presets.

A :class:`Component` is one chemical state: a singlet (``s`` levels) or a doublet whose second line
sits ``splitting_eV`` above the first with the area ratio the level's degeneracy fixes (``p`` 1:2,
``d`` 2:3, ``f`` 3:4 for the j = l - 1/2 : l + 1/2 lines, or a stated ``doublet_ratio``); both lines
share one width. Components with the same ``width_group`` share their width, as is usual for the
chemical states of one element measured together. A component's position may be tied to another's
(``position_of = ["Fe2+", 13.6]``: 13.6 eV above it), its width (``fwhm_of = ["Fe2+", 1.0]``: the same)
and its area (``area_of = ["Mn2+ main", 0.4]``: 0.4 times it), as CasaXPS's constraints do. Each
component may have its own line shape (``"LA(1.1,2.4,2)"``); otherwise the fit's applies.

Components are defined in Python, in TOML (:func:`components_from_records`, the manifest's
``[xps] components`` and ``redoxmap xps fit --components``), or taken from a preset (:data:`PRESETS`):
argyrodite Li6PS5Cl S 2p and P 2p with their oxidation products, adventitious C 1s, C 1s of a cycled
cathode (carbonate, C-F), O 1s, F 1s, Li 1s, and Mn, Ni and Co 2p envelopes. Their positions are
representative of the cited primary literature; each is free within its window. The 2p envelopes of
Mn, Ni and Co are not one line per oxidation state: multiplet splitting and shake-up satellites make
each state a family of lines (Biesinger et al., *Appl. Surf. Sci.* 257, 2717 (2011)), so their presets
fit a main line and a satellite per state, whose shares are indicative and should be checked against
reference compounds measured on the same instrument.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from redoxmap.errors import AnalysisError

AUVERGNIOT_2017 = ("J. Auvergniot et al., Interface stability of argyrodite Li6PS5Cl toward LiCoO2, "
                   "LiNi1/3Co1/3Mn1/3O2 and LiMn2O4 in bulk all-solid-state batteries, Chem. Mater. 29, "
                   "3883 (2017), doi:10.1021/acs.chemmater.6b04990")
WALTHER_2019 = ("F. Walther et al., Visualization of the interfacial decomposition of composite cathodes in "
                "argyrodite-based all-solid-state batteries using ToF-SIMS, Chem. Mater. 31, 3745 (2019), "
                "doi:10.1021/acs.chemmater.9b00770")
KOERVER_2017 = ("R. Koerver et al., Capacity fade in solid-state batteries: interphase formation and "
                "chemomechanical processes in nickel-rich layered oxide cathodes and lithium thiophosphate "
                "solid electrolytes, Chem. Mater. 29, 5574 (2017), doi:10.1021/acs.chemmater.7b00931")
MOULDER_1992 = ("J. F. Moulder et al., Handbook of X-ray Photoelectron Spectroscopy (Perkin-Elmer, 1992)")
BIESINGER_2011 = ("M. C. Biesinger et al., Resolving surface chemical states in XPS analysis of first row "
                  "transition metals, oxides and hydroxides: Sc, Ti, V, Cu and Zn / Cr, Mn, Fe, Co and Ni, "
                  "Appl. Surf. Sci. 257, 2717 (2011), doi:10.1016/j.apsusc.2010.10.051")
BEAMSON_BRIGGS_1992 = "G. Beamson and D. Briggs, High Resolution XPS of Organic Polymers (Wiley, 1992)"
OSWALD_2018 = ("S. Oswald et al., Binding energy referencing for XPS in alkali metal-based battery materials "
               "research, Batteries 4, 36 (2018), doi:10.3390/batteries4030036 (and its Li compound tables)")
VERDIER_2007 = ("S. Verdier et al., XPS study on Al2O3- and AlPO4-coated LiCoO2 cathode material for "
                "high-capacity Li ion batteries, J. Electrochem. Soc. 154, A1088 (2007): the LiPF6-derived "
                "interphase (LiF, LixPOyFz, carbonates) on cycled oxide cathodes")

SPIN_ORBIT_SPLITTING_EV = {"S 2p": 1.18, "P 2p": 0.87, "Cl 2p": 1.60, "Fe 2p": 13.1, "Mn 2p": 11.7,
                           "Ni 2p": 17.4, "Co 2p": 15.0, "Si 2p": 0.61, "Al 2p": 0.41, "Au 4f": 3.67,
                           "Mo 3d": 3.13, "W 4f": 2.18}
"""Spin-orbit splittings (eV) of the lines the presets use (S, P, Cl 2p from the reference study; the
transition-metal 2p from Biesinger et al. 2011; the others from the standard handbooks)."""

_MINOR_TO_MAJOR = {"s": 0.0, "p": 0.5, "d": 2.0 / 3.0, "f": 0.75}


@dataclass(frozen=True)
class Component:
    """One chemical state in a fit.

    Attributes
    ----------
    name : str
        What it is (``"PS4(3-)"``).
    position_eV : float
        Starting binding energy of the main (j = l + 1/2) line.
    level : str
        ``"1s"``, ``"2p"``, ``"3d"``, ``"4f"``: sets the doublet's area ratio.
    splitting_eV : float
        Spin-orbit splitting (0 for a singlet).
    window_eV : float
        The position may move this far from its start (unless ``position_range_eV`` is given).
    fwhm_eV : float
        Starting FWHM; bounded by ``fwhm_bounds_eV``.
    width_group : str or None
        Components of one group share their FWHM; None gives the component its own.
    family : str
        What the component counts toward in a summary (``"electrolyte"``, ``"sulfite/sulfate"``).
    citation : str
        Where its position comes from.
    position_range_eV : (float, float) or None
        The range the position may take (instead of ``position_eV ± window_eV``).
    line_shape : str or None
        Its own line shape in CasaXPS notation (the fit's when None).
    doublet_ratio : float or None
        Area of the j = l - 1/2 line over the main line, when not the degeneracy's.
    position_of, fwhm_of, area_of : (str, float) or None
        Ties to another component: its position plus an offset (eV), its FWHM times a ratio, its
        area times a ratio. A tied quantity is not fitted.
    """

    name: str
    position_eV: float
    level: str = "1s"
    splitting_eV: float = 0.0
    window_eV: float = 0.5
    fwhm_eV: float = 1.0
    fwhm_bounds_eV: tuple[float, float] = (0.3, 4.0)
    width_group: str | None = "shared"
    family: str = ""
    citation: str = ""
    position_range_eV: tuple[float, float] | None = None
    line_shape: str | None = None
    doublet_ratio: float | None = None
    position_of: tuple[str, float] | None = None
    fwhm_of: tuple[str, float] | None = None
    area_of: tuple[str, float] | None = None

    @property
    def minor_ratio(self) -> float:
        """Area of the j = l - 1/2 line relative to the main line (0 for a singlet)."""
        if not self.splitting_eV:
            return 0.0
        if self.doublet_ratio is not None:
            return float(self.doublet_ratio)
        try:
            return _MINOR_TO_MAJOR[self.level.strip()[-1].lower()]
        except (KeyError, IndexError):
            raise AnalysisError(f"component {self.name!r}: level {self.level!r} must end in s, p, d or f") from None

    @property
    def position_bounds(self) -> tuple[float, float]:
        """The lowest and highest position the component may take, in eV."""
        if self.position_range_eV is not None:
            return (min(self.position_range_eV), max(self.position_range_eV))
        return (self.position_eV - self.window_eV, self.position_eV + self.window_eV)

    @property
    def energy_span(self) -> tuple[float, float]:
        """Where the component's lines can lie: its position bounds and, for a doublet, the second line."""
        low, high = self.position_bounds
        return low, high + self.splitting_eV


def doublet(name: str, position_eV: float, region: str, **options) -> Component:
    """A doublet of a named region (``"S 2p"``) with its tabulated splitting."""
    level = region.split()[-1]
    return Component(name, position_eV, level=level, splitting_eV=SPIN_ORBIT_SPLITTING_EV[region], **options)


# --- presets ---------------------------------------------------------------------------------------

def _argyrodite_s2p() -> tuple[Component, ...]:
    electrolyte = {"width_group": "S 2p", "fwhm_eV": 1.0, "family": "electrolyte"}
    oxidised = {"width_group": "S 2p", "fwhm_eV": 1.2, "family": "oxidised sulfur"}
    sulfoxy = {"width_group": "S 2p oxy", "fwhm_eV": 1.5, "family": "sulfite/sulfate", "window_eV": 0.6}
    return (
        doublet("S2- (Li2S-like)", 160.1, "S 2p", citation=AUVERGNIOT_2017, **electrolyte),
        doublet("PS4(3-)", 161.6, "S 2p", citation=f"{AUVERGNIOT_2017}; {WALTHER_2019}", **electrolyte),
        doublet("P-S-P (P2Sx, P2S5)", 162.6, "S 2p", citation=f"{AUVERGNIOT_2017}; {KOERVER_2017}", **oxidised),
        doublet("S-S (polysulfides, S8)", 163.6, "S 2p", citation=AUVERGNIOT_2017, **oxidised),
        doublet("sulfite SO3(2-)", 166.8, "S 2p", citation=MOULDER_1992, **sulfoxy),
        doublet("sulfate SO4(2-)", 168.8, "S 2p", citation=f"{MOULDER_1992}; {WALTHER_2019}", **sulfoxy),
    )


def _argyrodite_p2p() -> tuple[Component, ...]:
    return (
        doublet("PS4(3-)", 132.0, "P 2p", width_group="P 2p", fwhm_eV=1.0, family="electrolyte",
                citation=f"{AUVERGNIOT_2017}; {WALTHER_2019}"),
        doublet("P-S-P (P2Sx, P2S5)", 133.2, "P 2p", width_group="P 2p", fwhm_eV=1.2, family="oxidised P-S",
                citation=f"{AUVERGNIOT_2017}; {KOERVER_2017}"),
        doublet("phosphate PO4(3-)", 134.0, "P 2p", width_group="P 2p", fwhm_eV=1.4, family="phosphate",
                window_eV=0.6, citation=f"{AUVERGNIOT_2017}; {WALTHER_2019}"),
    )


def _adventitious_c1s() -> tuple[Component, ...]:
    return (
        Component("C-C/C-H", 284.8, window_eV=3.0, width_group="C 1s", fwhm_eV=1.2, family="adventitious"),
        Component("C-O", 286.3, window_eV=3.5, width_group="C 1s", fwhm_eV=1.2, family="adventitious"),
        Component("O-C=O", 288.8, window_eV=3.5, width_group="C 1s", fwhm_eV=1.2, family="adventitious"),
    )


def _interphase_c1s() -> tuple[Component, ...]:
    """C 1s of a cycled cathode: carbon black and adventitious carbon, oxygenated carbon, carbonate, and
    the CF2 of a PVDF binder (charge-corrected to C-C at 284.8 eV)."""
    cited = {"width_group": "C 1s", "fwhm_eV": 1.2, "window_eV": 0.5, "citation": f"{BEAMSON_BRIGGS_1992}; "
             f"{VERDIER_2007}"}
    return (
        Component("C-C/C-H", 284.8, family="carbon", **cited),
        Component("C-O", 286.4, family="oxygenated carbon", **cited),
        Component("C=O", 287.9, family="oxygenated carbon", **cited),
        Component("O-C=O", 289.0, family="oxygenated carbon", **cited),
        Component("carbonate CO3(2-)", 290.0, family="carbonate", **cited),
        Component("CF2 (PVDF)", 290.9, family="C-F", **cited),
    )


def _o1s() -> tuple[Component, ...]:
    cited = {"width_group": "O 1s", "fwhm_eV": 1.3, "window_eV": 0.5,
             "citation": f"{BIESINGER_2011}; {OSWALD_2018}; {VERDIER_2007}"}
    return (
        Component("lattice O (TM oxide)", 529.5, family="lattice oxygen", **cited),
        Component("hydroxide / defective O", 531.2, family="hydroxide", **cited),
        Component("carbonate / C=O", 531.8, family="carbonate", **cited),
        Component("C-O / sulfate, phosphate O", 533.0, family="organic or oxyanion", **cited),
    )


def _f1s() -> tuple[Component, ...]:
    cited = {"width_group": "F 1s", "fwhm_eV": 1.6, "window_eV": 0.6, "citation": f"{VERDIER_2007}; {OSWALD_2018}"}
    return (
        Component("LiF", 685.3, family="LiF", **cited),
        Component("LixPOyFz", 686.6, family="fluorophosphate", **cited),
        Component("C-F (PVDF), LiPF6", 688.0, family="C-F", **cited),
    )


def _li1s() -> tuple[Component, ...]:
    cited = {"width_group": "Li 1s", "fwhm_eV": 1.4, "window_eV": 0.6, "citation": OSWALD_2018}
    return (
        Component("Li2O / lattice Li", 54.0, family="oxide", **cited),
        Component("Li2CO3, LiOH", 55.2, family="carbonate/hydroxide", **cited),
        Component("LiF", 56.0, family="LiF", **cited),
    )


def _tm2p(element: str, states: tuple[tuple[str, float, float, float], ...]) -> tuple[Component, ...]:
    """A main line and a satellite per oxidation state: ``(state, main 2p3/2 eV, satellite offset eV,
    satellite area / main area)``, the satellite's area tied to its main line's."""
    region = f"{element} 2p"
    out = []
    for state, main, offset, ratio in states:
        name = f"{element}{state}"
        out.append(doublet(name, main, region, window_eV=0.5, fwhm_eV=2.8, fwhm_bounds_eV=(1.0, 5.0),
                           width_group=region, family=name, citation=BIESINGER_2011))
        if ratio:
            out.append(doublet(f"{name} satellite", main + offset, region, window_eV=1.5, fwhm_eV=4.0,
                               fwhm_bounds_eV=(2.0, 8.0), width_group=f"{region} satellites", family=name,
                               citation=BIESINGER_2011, position_of=(name, offset), area_of=(name, ratio)))
    return tuple(out)


PRESETS = {
    "argyrodite-S2p": _argyrodite_s2p,
    "argyrodite-P2p": _argyrodite_p2p,
    "adventitious-C1s": _adventitious_c1s,
    "interphase-C1s": _interphase_c1s,
    "oxide-O1s": _o1s,
    "interphase-F1s": _f1s,
    "Li1s": _li1s,
    "Mn2p": lambda: _tm2p("Mn", (("2+", 641.0, 5.8, 0.35), ("3+", 641.7, 0.0, 0.0), ("4+", 642.4, 0.0, 0.0))),
    "Ni2p": lambda: _tm2p("Ni", (("2+", 854.5, 6.5, 0.5), ("3+", 855.7, 6.5, 0.3))),
    "Co2p": lambda: _tm2p("Co", (("3+", 779.8, 10.0, 0.1), ("2+", 780.8, 6.0, 0.6))),
}
"""Named component sets (see the module description and each component's ``citation``)."""

PRESET_REGIONS = {"argyrodite-S2p": "S 2p", "argyrodite-P2p": "P 2p", "adventitious-C1s": "C 1s",
                  "interphase-C1s": "C 1s", "oxide-O1s": "O 1s", "interphase-F1s": "F 1s", "Li1s": "Li 1s",
                  "Mn2p": "Mn 2p", "Ni2p": "Ni 2p", "Co2p": "Co 2p"}
"""The region each preset is for (what ``redoxmap xps fit`` picks when given a region)."""


def preset(name: str) -> tuple[Component, ...]:
    """The components of a named preset (``redoxmap.xps.PRESETS`` lists them).

    Raises
    ------
    AnalysisError
        For an unknown name.
    """
    try:
        return PRESETS[name]()
    except KeyError:
        raise AnalysisError(f"unknown component preset {name!r}; presets: {', '.join(PRESETS)}") from None


def preset_for(region: str) -> str | None:
    """The preset made for a region (``"S 2p"`` -> ``"argyrodite-S2p"``), or None."""
    key = "".join(str(region).split()).lower()
    return next((name for name, r in PRESET_REGIONS.items() if "".join(r.split()).lower() == key), None)


# --- definitions from data (TOML, the command line) --------------------------------------------------

_FIELDS = {f.name for f in dataclasses.fields(Component)}
_PAIRS = ("position_of", "fwhm_of", "area_of")


def components_from_records(records, *, where: str = "components") -> tuple[Component, ...]:
    """Components from plain records, as TOML gives them::

        [[component]]
        name = "Fe2+"
        position_eV = 709.5
        position_range_eV = [708.5, 711.0]
        fwhm_eV = 3.5
        fwhm_bounds_eV = [1.0, 6.0]
        line_shape = "LF(0.54,10,80,100,6)"
        level = "2p"
        splitting_eV = 13.6            # a doublet; doublet_ratio = 0.5 by the level's degeneracy
        area_of = ["Fe2+", 0.4]         # ties, to another component by name
        position_of = ["Fe2+", 6.0]
        fwhm_of = ["Fe2+", 1.0]

    Parameters
    ----------
    records : list of dict
    where : str
        Where they come from, for messages.

    Returns
    -------
    tuple of Component

    Raises
    ------
    AnalysisError
        For an unknown key, a missing name or position, a wrong type, a tie to an unknown component or a
        cycle of ties, or a bad line shape.
    """
    from redoxmap.xps.lineshapes import parse_line_shape

    if not isinstance(records, (list, tuple)) or not records:
        raise AnalysisError(f"{where}: a list of at least one component table is needed")
    components = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise AnalysisError(f"{where}: component {number} must be a table, not {record!r}")
        unknown = set(record) - _FIELDS
        if unknown:
            raise AnalysisError(f"{where}: component {number} has unknown keys {sorted(unknown)}; known: "
                                f"{', '.join(sorted(_FIELDS))}")
        for key in ("name", "position_eV"):
            if key not in record:
                raise AnalysisError(f"{where}: component {number} needs {key!r}")
        values = dict(record)
        try:
            values["position_eV"] = float(values["position_eV"])
            for key in ("position_range_eV", "fwhm_bounds_eV"):
                if key in values:
                    low, high = (float(v) for v in values[key])
                    values[key] = (low, high)
            for key in _PAIRS:
                if key in values and values[key] is not None:
                    name, number_ = values[key]
                    values[key] = (str(name), float(number_))
            for key in ("splitting_eV", "window_eV", "fwhm_eV", "doublet_ratio"):
                if key in values and values[key] is not None:
                    values[key] = float(values[key])
        except (TypeError, ValueError):
            raise AnalysisError(f"{where}: component {record.get('name', number)!r} has a value of the wrong "
                                "type (numbers, and [low, high] or [name, number] pairs)") from None
        if values.get("line_shape"):
            parse_line_shape(values["line_shape"])
        if "width_group" not in values:
            values["width_group"] = None
        components.append(Component(**values))
    check_ties(components, where=where)
    return tuple(components)


def check_ties(components, *, where: str = "components") -> None:
    """Refuse ties to unknown components, to themselves, and cycles of ties.

    Raises
    ------
    AnalysisError
    """
    names = [c.name for c in components]
    if len(set(names)) != len(names):
        raise AnalysisError(
            f"{where}: two components share a name ({', '.join(sorted({n for n in names if names.count(n) > 1}))})"
        )
    for tie in _PAIRS:
        targets = {c.name: getattr(c, tie)[0] for c in components if getattr(c, tie)}
        for source, target in targets.items():
            if target not in names:
                raise AnalysisError(f"{where}: {source!r} has {tie} {target!r}, which is not a component")
            seen, current = {source}, target
            while current in targets:
                if current in seen:
                    raise AnalysisError(f"{where}: the {tie} ties of {source!r} go round in a circle")
                seen.add(current)
                current = targets[current]


def parse_component(text: str) -> Component:
    """A component from the command line's short form ``NAME@POSITION[:FWHM]`` or
    ``NAME@LOW-HIGH[:FWHM]`` (a position range).

    Examples
    --------
    >>> parse_component("LiF@684.5-686:1.6").position_bounds
    (684.5, 686.0)
    """
    name, at, rest = str(text).partition("@")
    if not at or not name.strip() or not rest:
        raise AnalysisError(f"a component is NAME@POSITION[:FWHM] or NAME@LOW-HIGH[:FWHM], not {text!r}")
    position, _, fwhm = rest.partition(":")
    try:
        if "-" in position.strip().lstrip("-"):
            low, high = (float(v) for v in position.strip().rsplit("-", 1))
            record = {"position_eV": (low + high) / 2, "position_range_eV": (low, high)}
        else:
            record = {"position_eV": float(position)}
        if fwhm:
            record["fwhm_eV"] = float(fwhm)
    except ValueError:
        raise AnalysisError(f"a component is NAME@POSITION[:FWHM] or NAME@LOW-HIGH[:FWHM], not {text!r}") from None
    return Component(name.strip(), width_group=None, **record)


def check_region(components, spectrum, *, what: str = "the components") -> None:
    """Refuse components whose lines cannot lie in the spectrum's energy range (a preset of another
    region).

    Raises
    ------
    AnalysisError
        Naming the region's range and where the components lie.
    """
    low, high = float(spectrum.binding_energy_eV[0]), float(spectrum.binding_energy_eV[-1])
    spans = [c.energy_span for c in components]
    inside = [c for c, (a, b) in zip(components, spans) if b >= low and a <= high]
    if not inside:
        span = (min(a for a, _ in spans), max(b for _, b in spans))
        raise AnalysisError(f"{what} lie at {span[0]:.1f}-{span[1]:.1f} eV, but the region {spectrum.region!r} "
                            f"spans {low:.1f}-{high:.1f} eV: choose the components of this region")


def read_components(path, *, region: str | None = None) -> tuple[Component, ...]:
    """Components from a TOML file: ``[[component]]`` tables, or one array of tables per region
    (``[["Fe 2p"]]``), of which ``region``'s is taken.

    Raises
    ------
    AnalysisError
        For a file that is not TOML, holds no components (for the region), or defines them wrongly.
    """
    import tomllib
    from pathlib import Path

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AnalysisError(f"{path}: not a readable TOML file of components ({exc})") from exc
    if "component" in data:
        return components_from_records(data["component"], where=str(path))
    key = "".join(str(region or "").split()).lower()
    for name, records in data.items():
        if "".join(name.split()).lower() == key:
            return components_from_records(records, where=f"{path} [{name}]")
    raise AnalysisError(f"{path}: no [[component]] tables and none for the region {region!r} "
                        f"(it has {', '.join(data) or 'nothing'})")
