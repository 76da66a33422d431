"""How much a valence depends on choices: the fit window and the normalisation."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd

from redoxmap.errors import FitWarning, RedoxmapError
from redoxmap.xas.files import edge_kind
from redoxmap.xas.lcf import fit_lcf
from redoxmap.xas.normalization import normalize_k_edge

POST_STARTS_EV = (20.0, 30.0, 45.0)
POST_ORDERS = (1, 2)
WINDOW_SHIFTS_EV = (-5.0, 0.0, 5.0)


def valence_sensitivity(energy, mu, references, valences, *, edge: str,
                        window: tuple[float, float] | None) -> pd.DataFrame:
    """Refit the valence over a grid of fit windows and (for K edges) normalisations.

    K edges: post-edge windows starting 20, 30 or 45 eV above E0 with a line or a
    quadratic, times fit windows whose edges move by -5, 0 or +5 eV. Soft edges: the
    window edges only (their normalisation has no free post-edge choice here).

    Returns
    -------
    pandas.DataFrame
        One row per variant: ``post_start_eV``, ``post_order``, ``window_low_eV``,
        ``window_high_eV``, ``valence``, ``r_factor``. Variants that cannot be fitted are
        left out.
    """
    energy, mu = np.asarray(energy, float), np.asarray(mu, float)
    k_edge = edge_kind(edge) == "K"
    normalisations = list(itertools.product(POST_STARTS_EV, POST_ORDERS)) if k_edge else [(None, None)]
    base = window or (max(energy[0], max(np.asarray(e)[0] for e, _ in references.values())),
                      min(energy[-1], min(np.asarray(e)[-1] for e, _ in references.values())))
    rows = []
    for (start, order), low, high in itertools.product(normalisations, WINDOW_SHIFTS_EV, WINDOW_SHIFTS_EV):
        try:
            if k_edge:
                norm = normalize_k_edge(energy, mu, post=(start, None), post_order=order).norm
            else:
                from redoxmap.xas.files import normalize

                norm = normalize(energy, mu, edge=edge).norm
            span = (base[0] + low, base[1] + high)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FitWarning)
                fit = fit_lcf(energy, norm, references, valences=valences, window=span, edge=edge)
        except RedoxmapError:
            continue
        rows.append({"post_start_eV": start, "post_order": order, "window_low_eV": span[0],
                     "window_high_eV": span[1], "valence": fit.valence, "r_factor": fit.r_factor})
    return pd.DataFrame(rows)
