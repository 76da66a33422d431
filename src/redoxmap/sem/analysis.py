"""A composite cathode's microstructure from its SEM/EDS fields of view: segmentation, metrics, errors.

Every field is segmented (:mod:`redoxmap.sem.segment`) and measured (:mod:`redoxmap.sem.metrics`);
the metrics of the study are the area-weighted means over the fields, with **bootstrap standard
errors over fields of view** (fields drawn with replacement, ``bootstrap`` times). A single field
is cut into ``tiles`` x ``tiles`` squares that stand in for fields (stated in the result: tiles of
one field are not independent samples of the electrode, so such errors are a lower bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from redoxmap.defaults import SEM_BOOTSTRAP
from redoxmap.errors import AnalysisError, DataWarning, warn
from redoxmap.results import FitResult
from redoxmap.sem import metrics as m
from redoxmap.sem.eds import element_maps
from redoxmap.sem.segment import DEFAULT_PHASES, Segmentation, phases_by_contrast, segment_phases

UNITS = {"area_fraction": "1", "contact": "1", "d50_um": "µm", "d10_um": "µm", "d90_um": "µm",
         "fraction_cv": "1", "clark_evans": "1", "spanning_x": "1", "spanning_y": "1", "tortuosity_x": "1",
         "tortuosity_y": "1", "relative_diffusivity_x": "1", "relative_diffusivity_y": "1"}


@dataclass(repr=False)
class MicrostructureResult(FitResult):
    """Metrics of a composite's cross-sections.

    Attributes
    ----------
    name : str
    table : pandas.DataFrame
        ``metric``, ``phase``, ``value``, ``stderr``, ``unit``.
    particles : pandas.DataFrame
        Every particle of the active phase (``field``, ``area_um2``, ``ecd_um``...).
    segmentations : list of Segmentation
    images : list of numpy.ndarray
    pixel_nm : list of float
    settings : dict
    notes : list of str
    """

    bounded = False  # measured from images, not fitted against bounds

    title = "Microstructure (SEM/EDS)"

    name: str
    table: object
    particles: object
    segmentations: list = field(default_factory=list)
    images: list = field(default_factory=list)
    pixel_nm: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def __repr__(self) -> str:
        contact = self.value("contact", "electrolyte")
        return f"MicrostructureResult({self.name!r}, {len(self.images)} fields, contact with electrolyte {contact:.3f})"

    def value(self, metric: str, phase: str) -> float:
        """One metric of one phase (NaN when absent)."""
        row = self.table[(self.table["metric"] == metric) & (self.table["phase"] == phase)]
        return float(row["value"].iloc[0]) if len(row) else math.nan

    def _parameters(self):
        """Every metric of every phase (``metric: phase``) with its bootstrap standard error and unit."""
        import pandas as pd

        return pd.DataFrame({"parameter": self.table["metric"] + ": " + self.table["phase"],
                             "value": self.table["value"], "stderr": self.table["stderr"], "unit": self.table["unit"]})

    def statistics(self) -> dict:
        """Fields, bootstrap draws, what the errors are over, the segmentation method, and the active,
        transport and segmented phases."""
        return dict(self.settings)

    def _draw(self, ax) -> None:
        self.segmentations[0].plot(ax=ax, image=self.images[0], pixel_nm=self.pixel_nm[0])
        height, width = (s * self.pixel_nm[0] / 1000 for s in self.images[0].shape)
        ax.set_title(f"{self.name}: {width:.1f} x {height:.1f} µm", fontsize="small", loc="left")


def field_metrics(segmentation: Segmentation, pixel_nm: float, *, active: str = "cathode",
                  transport: str = "electrolyte", tiles: int = 4, tortuosity: bool = True) -> dict:
    """Every metric of one field: ``{(metric, phase): value}`` and its particle table."""
    labels, phases = segmentation.labels, segmentation.phases
    values = {("area_fraction", p): v for p, v in m.area_fractions(labels, phases).items()}
    if active in phases:
        values.update({("contact", p): v for p, v in m.contact_fractions(labels, phases, active).items()})
        particles = m.particle_table(segmentation.mask(active), pixel_nm)
        inner = particles[~particles["touches_edge"]] if (~particles["touches_edge"]).sum() >= 3 else particles
        for q in (10, 50, 90):
            values[(f"d{q}_um", active)] = float(np.percentile(inner["ecd_um"], q)) if len(inner) else math.nan
        values[("clark_evans", active)] = m.clark_evans(particles, labels.shape)
    else:
        import pandas as pd

        particles = pd.DataFrame()
    for phase in phases[1:]:
        mask = segmentation.mask(phase)
        values[("fraction_cv", phase)] = m.tile_fraction_cv(mask, tiles)
        values[("spanning_x", phase)] = m.spanning_share(mask, 1)
        values[("spanning_y", phase)] = m.spanning_share(mask, 0)
    if tortuosity and transport in phases:
        for axis, name in ((1, "x"), (0, "y")):
            tau, relative = m.tortuosity(segmentation.mask(transport), axis)
            values[(f"tortuosity_{name}", transport)] = tau
            values[(f"relative_diffusivity_{name}", transport)] = relative
    return {"values": values, "particles": particles, "pixels": labels.size}


def _tiles(segmentation: Segmentation, count: int) -> list[Segmentation]:
    rows = np.array_split(np.arange(segmentation.labels.shape[0]), count)
    columns = np.array_split(np.arange(segmentation.labels.shape[1]), count)
    return [Segmentation(segmentation.labels[np.ix_(r, c)], segmentation.phases, segmentation.method,
                         segmentation.parameters) for r in rows for c in columns]


def analyze_microstructure(
    sections,
    *,
    name: str = "sample",
    phases: dict | None = None,
    method: str = "likelihood",
    active: str = "cathode",
    transport: str = "electrolyte",
    tiles: int = 3,
    bootstrap: int = SEM_BOOTSTRAP,
    seed: int = 0,
    tortuosity: bool = True,
) -> MicrostructureResult:
    """Segment and measure a sample's SEM/EDS fields of view.

    Parameters
    ----------
    sections : sequence of SemSection
        The fields (an EDS cube, element maps, or the image alone: two phases by contrast).
    name : str
    phases : dict, optional
        Phases and their marker elements (:data:`redoxmap.sem.DEFAULT_PHASES`).
    method : {"likelihood", "random_walker"}
    active, transport : str
        The active material (contact, particles) and the phase whose tortuosity is measured.
    tiles : int
        With one field, the tiles per side that stand in for fields in the bootstrap.
    bootstrap : int
    seed : int

    Returns
    -------
    MicrostructureResult

    Examples
    --------
    A synthetic section of known truth: discs of 24 pixels (2.4 µm at 100 nm per pixel), 60 % of each
    rim touching the electrolyte:

    >>> from redoxmap.sem import packed_discs, section_with_eds
    >>> labels, truth = packed_discs(seed=1)
    >>> result = analyze_microstructure([section_with_eds(labels, seed=1)], bootstrap=20)
    >>> values = result.parameter_table().set_index("parameter")["value"]
    >>> print(truth["contact"], round(values["contact: electrolyte"], 2))
    0.6 0.59
    >>> print(round(values["d50_um: cathode"], 1))
    2.4
    """
    import pandas as pd

    sections = list(sections)
    if not sections:
        raise AnalysisError("no SEM field of view to analyse")
    phases = dict(phases or DEFAULT_PHASES)
    wanted = sorted({e for elements in phases.values() for e in elements})
    segmentations, notes, fields, particles = [], [], [], []
    for k, section in enumerate(sections):
        maps = dict(section.maps)
        if section.cube is not None:
            usable = [e for e in wanted if e not in maps]
            try:
                maps.update(element_maps(section.cube, section.energy_keV, usable))
            except ValueError as exc:
                raise AnalysisError(f"{exc}", path=section.attrs.get("source_file")) from exc
        if maps:
            segmentation = segment_phases(section.image, maps, phases=phases, method=method)
        else:
            warn(f"{section.attrs.get('source_file')}: no EDS: two phases by image contrast only",
                          DataWarning)
            try:
                segmentation = phases_by_contrast(section.image)
            except AnalysisError as exc:
                raise AnalysisError(exc.message, path=section.attrs.get("source_file")) from None
            notes.append("no EDS: phases by image contrast (multi-Otsu), not by chemistry")
        segmentations.append(segmentation)
        result = field_metrics(segmentation, section.pixel_nm, active=active, transport=transport,
                               tortuosity=tortuosity)
        fields.append(result)
        if len(result["particles"]):
            particles.append(result["particles"].assign(field=k))
    units = fields  # the bootstrap's units: fields, or the tiles of a single field
    if len(sections) == 1:
        units = [field_metrics(t, sections[0].pixel_nm, active=active, transport=transport, tortuosity=tortuosity)
                 for t in _tiles(segmentations[0], tiles)]
        notes.append(f"one field: its {tiles}x{tiles} tiles stand in for fields in the bootstrap (a lower bound "
                     "on the error: tiles of one field are not independent samples of the electrode)")
    rng = np.random.default_rng(seed)
    keys = list(fields[0]["values"])
    rows = []
    for key in keys:
        whole = np.array([f["values"].get(key, np.nan) for f in fields], dtype=float)
        weights = np.array([f["pixels"] for f in fields], dtype=float)
        finite = ~np.isnan(whole)  # an infinite tortuosity (a phase that does not span) is a value
        value = float(np.average(whole[finite], weights=weights[finite])) if finite.any() else math.nan
        parts = np.array([u["values"].get(key, np.nan) for u in units], dtype=float)
        part_weights = np.array([u["pixels"] for u in units], dtype=float)
        draws = []
        for _ in range(bootstrap):
            pick = rng.integers(0, len(parts), len(parts))
            chosen, chosen_weights = parts[pick], part_weights[pick]
            ok = ~np.isnan(chosen)
            if ok.any():
                draws.append(np.average(chosen[ok], weights=chosen_weights[ok]))
        finite_draws = np.asarray(draws)[np.isfinite(draws)]
        stderr = float(np.std(finite_draws, ddof=1)) if len(finite_draws) > 1 and math.isfinite(value) else math.nan
        rows.append({"metric": key[0], "phase": key[1], "value": value, "stderr": stderr,
                     "unit": UNITS.get(key[0], "1")})
    table = pd.DataFrame(rows)
    settings = {
        "fields": len(sections),
        "bootstrap": bootstrap,
        "error_units": "fields" if len(sections) > 1 else f"{tiles}x{tiles} tiles of one field",
        "segmentation": segmentations[0].method,
        "active_phase": active,
        "transport_phase": transport,
        "phases": "; ".join(f"{p}: {', '.join(e)}" for p, e in segmentations[0].parameters.get("phases", {}).items()),
    }
    return MicrostructureResult(name, table, pd.concat(particles, ignore_index=True) if particles else pd.DataFrame(),
                                segmentations, [s.image for s in sections], [s.pixel_nm for s in sections], settings,
                                notes)


def contact_ratio(
    sample: MicrostructureResult, reference: MicrostructureResult, *, phase: str = "electrolyte"
) -> tuple[float, float]:
    """The model's ``phi_c`` of a sample: its contact fraction over a reference composite's, with its error.

    Returns
    -------
    (float, float)
    """
    a = sample.table.query("metric == 'contact' and phase == @phase").iloc[0]
    b = reference.table.query("metric == 'contact' and phase == @phase").iloc[0]
    ratio = a.value / b.value
    return float(ratio), float(abs(ratio) * math.hypot(a.stderr / a.value, b.stderr / b.value))
