"""Benchmark: microstructure metrics, redoxmap against the same metrics written with scikit-image alone.

On a synthetic 512 x 512 section (discs of active material with a designed contact fraction, an
electrolyte and carbon, Poisson element maps) and on the real Hitachi TM3030Plus hypermap: the phase
map is made once by redoxmap, then both sides compute from it the area fractions, the active
material's contact fractions (scikit-image: ``find_boundaries`` of each particle against the labels
of the neighbouring pixels), and the particle sizes (``label`` + ``regionprops``). Both are warmed up
and timed alike (interleaved, median of 5). porespy (1.3 GB installed, tortuosity through openpnm) is
not the anchor: see the README. The whole redoxmap analysis (segmentation, all metrics, tortuosity,
bootstrap) is timed too.

Run ``python benchmarks/bench_sem.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "images" / "hyperspy+rosettasciio" / "rsciio" \
    / "tests" / "data" / "bruker"


def skimage_metrics(labels, phases, pixel_nm):
    """The same three metrics with scikit-image calls only."""
    from skimage.measure import label, regionprops
    from skimage.segmentation import find_boundaries

    fractions = {p: float((labels == k).mean()) for k, p in enumerate(phases)}
    active = labels == 1
    outer = find_boundaries(active, mode="outer") & ~active  # pixels just outside the active phase
    # weight each outside pixel by the number of active 4-neighbours it touches (edge pairs, as redoxmap counts)
    padded = np.pad(active, 1)
    touching = (padded[:-2, 1:-1].astype(int) + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:])
    weights = np.where(outer, touching, 0)
    contact = {p: float(weights[labels == k].sum() / weights.sum()) for k, p in enumerate(phases) if k != 1}
    sizes = [np.sqrt(4 * r.area / np.pi) * pixel_nm / 1000 for r in regionprops(label(active, connectivity=1))
             if r.area >= 4]  # redoxmap leaves regions under 4 px out as noise
    return fractions, contact, float(np.median(sizes))


def redoxmap_metrics(labels, phases, pixel_nm):
    from redoxmap.sem.metrics import area_fractions, contact_fractions, particle_table

    particles = particle_table(labels == 1, pixel_nm, split=False)
    return area_fractions(labels, phases), contact_fractions(labels, phases, phases[1]), float(
        particles["ecd_um"].median())


def main() -> None:
    warnings.simplefilter("ignore")
    from redoxmap.io import read_sem
    from redoxmap.sem import (
        analyze_microstructure,
        element_maps,
        packed_discs,
        section_with_eds,
        segment_phases,
    )

    print(threads_note())
    labels_true, truth = packed_discs((512, 512), radius_px=12.0, contact=0.6, seed=3)
    synthetic = section_with_eds(labels_true, seed=4, channels=512, step_keV=0.02)
    real = read_sem(DATA / "Hitachi_TM3030Plus.bcf", pixel_nm=500.0)
    cases = [("synthetic 512x512", synthetic, None), ("Hitachi TM3030Plus 240x320", real,
                                                     {"copper": ("Cu",), "aluminium": ("Al",)})]
    for name, section, phases in cases:
        wanted = sorted({e for v in (phases or {"c": ("Mn",), "e": ("S", "P", "Cl"), "k": ("C",)}).values() for e in v})
        maps = element_maps(section.cube, section.energy_keV, wanted)
        segmentation = segment_phases(section.image, maps, phases=phases)
        arguments = (segmentation.labels, segmentation.phases, section.pixel_nm)
        ours, theirs = interleaved(lambda arguments=arguments: redoxmap_metrics(*arguments),
                                   lambda arguments=arguments: skimage_metrics(*arguments), repeat=5)
        a, b = ours["value"], theirs["value"]
        worst = max(abs(a[1][p] - b[1][p]) for p in b[1])
        print(f"\n{name}: fractions, contact and particle sizes from one phase map")
        print(f"  redoxmap {ours['median'] * 1e3:7.1f} ms   scikit-image {theirs['median'] * 1e3:7.1f} ms   "
              f"ratio {theirs['median'] / ours['median']:.2f}x")
        print(f"  largest contact difference {worst:.2e}; median diameter {a[2]:.3f} vs {b[2]:.3f} µm")
        full, _ = interleaved(lambda section=section, phases=phases: analyze_microstructure(
            [section], phases=phases, active=(next(iter(phases)) if phases else "cathode"),
            transport=(list(phases)[1] if phases else "electrolyte")), lambda: None, repeat=3)
        print(f"  whole redoxmap analysis (segmentation, every metric, tortuosity, 200 bootstrap draws over 9 tiles): "
              f"{full['median']:.2f} s")
    print(f"\nsynthetic truth: contact {truth['contact']}; measured "
          f"{analyze_microstructure([synthetic]).value('contact', 'electrolyte'):.3f}")


if __name__ == "__main__":
    main()
