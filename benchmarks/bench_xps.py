"""Benchmark: an XPS doublet fit, redoxmap against lmfit with the same components, on a real spectrum.

The S 2p region of a PHI VersaProbe II file (LG4X's example, ``Mutlipak_vms.npl``) is fitted between 156 and
167 eV with two S 2p doublets (near 160.3 and 161.4 eV; splitting 1.18 eV, 2:1 areas,
one shared width, pseudo-Voigt with 30 % Lorentzian) over an iterative Shirley background computed
first and subtracted, Poisson weights. lmfit is used two ways, as its documentation shows: a
composite of ``PseudoVoigtModel`` with the doublet partners tied by expressions, and a plain
``Model`` of one function. Both sides are warmed up and timed alike (interleaved, median of 7).

Run ``python benchmarks/bench_xps.py``. A benchmark, not a test: nothing asserts a timing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from _timing import interleaved, threads_note

FILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xps" / "hidecode221b+LG4X" / "Example" \
    / "Mutlipak_vms.npl"
SPLIT, MIX = 1.18, 0.3
STARTS = (160.3, 161.4)
WINDOW = (156.0, 167.0)


def lmfit_composite(x, y, weights):
    from lmfit.models import PseudoVoigtModel

    model = None
    for k in range(2):
        for line in ("a", "b"):
            part = PseudoVoigtModel(prefix=f"c{k}{line}_")
            model = part if model is None else model + part
    params = model.make_params()
    for k, start in enumerate(STARTS):
        params[f"c{k}a_center"].set(value=start, min=start - 0.5, max=start + 0.5)
        params[f"c{k}a_amplitude"].set(value=1000.0, min=0)
        params[f"c{k}a_sigma"].set(value=0.5, min=0.15, max=2.0) if k == 0 else params[f"c{k}a_sigma"].set(
            expr="c0a_sigma")
        params[f"c{k}a_fraction"].set(value=MIX, vary=False)
        params[f"c{k}b_center"].set(expr=f"c{k}a_center+{SPLIT}")
        params[f"c{k}b_amplitude"].set(expr=f"0.5*c{k}a_amplitude")
        params[f"c{k}b_sigma"].set(expr="c0a_sigma")
        params[f"c{k}b_fraction"].set(value=MIX, vary=False)
    return model.fit(y, params, x=x, weights=weights)


def _doublets(x, p0, p1, area0, area1, fwhm):
    from redoxmap.xps.lineshapes import pseudo_voigt

    out = np.zeros_like(x)
    for position, area in ((p0, area0), (p1, area1)):
        out += area / 1.5 * (pseudo_voigt(x, position, fwhm, MIX) + 0.5 * pseudo_voigt(x, position + SPLIT, fwhm, MIX))
    return out


def lmfit_plain(x, y, weights):
    from lmfit import Model

    model = Model(_doublets)
    params = model.make_params(p0={"value": STARTS[0], "min": STARTS[0] - 0.5, "max": STARTS[0] + 0.5},
                               p1={"value": STARTS[1], "min": STARTS[1] - 0.5, "max": STARTS[1] + 0.5},
                               area0={"value": 1000.0, "min": 0}, area1={"value": 1000.0, "min": 0},
                               fwhm={"value": 1.0, "min": 0.3, "max": 4.0})
    return model.fit(y, params, x=x, weights=weights)


def main() -> None:
    warnings.simplefilter("ignore")
    from redoxmap.io import read_xps, select_region
    from redoxmap.xps import doublet, fit_xps, shirley

    spectrum = select_region(read_xps(FILE), "S 2p").window(*WINDOW)
    x, y = spectrum.binding_energy_eV, spectrum.intensity_cps
    net = y - shirley(x, y)
    weights = 1 / np.sqrt(spectrum.variance())
    components = [doublet(f"S 2p {start}", start, "S 2p", fwhm_eV=1.0, fwhm_bounds_eV=(0.3, 4.0), window_eV=0.5)
                  for start in STARTS]

    def ours():
        return fit_xps(spectrum, components, background="shirley", fit_background=False, background_check=False)

    print(f"S 2p of {FILE.name}: {len(x)} points, 2 doublets over a fixed Shirley background. {threads_note()}")
    for label, anchor in (("composite of tied PseudoVoigtModels", lambda: lmfit_composite(x, net, weights)),
                          ("plain Model of one function", lambda: lmfit_plain(x, net, weights))):
        a, b = interleaved(ours, anchor, repeat=7)
        fit, result = a["value"], b["value"]
        if "composite" in label:
            areas = np.array([result.params["c0a_amplitude"].value, result.params["c1a_amplitude"].value]) * 1.5
            positions = [result.params["c0a_center"].value, result.params["c1a_center"].value]
        else:
            areas = np.array([result.params["area0"].value, result.params["area1"].value])
            positions = [result.params["p0"].value, result.params["p1"].value]
        shares = areas / areas.sum()
        print(f"\nlmfit {label}:")
        print(f"  redoxmap {a['median'] * 1e3:8.1f} ms (spread {a['spread'] * 1e3:.1f})   "
              f"lmfit {b['median'] * 1e3:8.1f} ms (spread {b['spread'] * 1e3:.1f})   "
              f"ratio lmfit/redoxmap {b['median'] / a['median']:.2f}")
        print(f"  shares redoxmap {np.round(fit.table['share'].to_numpy(), 4)}  lmfit {np.round(shares, 4)}; "
              f"positions redoxmap {np.round(fit.table['position_eV'].to_numpy(), 3)}  lmfit {np.round(positions, 3)}")


if __name__ == "__main__":
    main()
