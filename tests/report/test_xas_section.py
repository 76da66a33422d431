"""The XAS section of many samples: the figures that put every spectrum in one are drawn up to their limits and
named as not drawn beyond, with where the numbers are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxmap.report import xas_section
from redoxmap.study.analyses.xas import XasAnalysis
from redoxmap.study.executor import TaskOutcome

KEY = ("Mn-K", "transmission", "pristine")


def _analysis(k: int, *, sensitivity: bool) -> XasAnalysis:
    """A sample with one normalised spectrum (an arctangent edge) and, if asked, its valence and three variants."""
    energy = np.linspace(6520.0, 6600.0, 81)
    norm = 0.5 + np.arctan((energy - 6550.0) / 3.0) / np.pi
    valence = pd.DataFrame({"state": ["pristine"], "edge": ["Mn-K"], "mode": ["transmission"], "valence": [3.0],
                            "valence_stderr": [0.02]})
    variants = pd.DataFrame({"state": ["pristine"] * 3, "edge": ["Mn-K"] * 3, "mode": ["transmission"] * 3,
                             "valence": [2.98, 3.0, 3.02]})
    return XasAnalysis(f"cell {k}", spectra={KEY: (energy, norm)}, valence=valence if sensitivity else pd.DataFrame(),
                       sensitivity=variants if sensitivity else pd.DataFrame())


def _section(count: int, tmp_path, plt, *, sensitivity: bool = False):
    outcomes = [TaskOutcome(f"cell {k}", value=_analysis(k, sensitivity=sensitivity)) for k in range(count)]
    return xas_section.build_xas_section(outcomes, tmp_path / f"{count}-{sensitivity}", plt)


def test_spectra_are_stacked_up_to_their_limit_and_named_as_not_stacked_beyond(tmp_path, quiet):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    limit = xas_section.STACKED_SPECTRA
    drawn = _section(limit, tmp_path, plt)
    assert [f.id for f in drawn.figures if f.id.startswith("xas_spectra")] == ["xas_spectra_1"]
    assert len(next(f for f in drawn.interactive if f.id == "xas_spectra_1_interactive").spec["data"]) == limit
    beyond = _section(limit + 1, tmp_path, plt)
    assert not [f for f in beyond.figures if f.id.startswith("xas_spectra")] and not beyond.interactive
    assert ("tables/xas_spectra_1.csv",
            (f"The Mn-K spectra (transmission) are not stacked in one figure: {limit + 1} spectra are more than a "
            f"figure can tell apart ({limit}); every normalised spectrum is in this file.")) in beyond.warnings
    written = pd.read_csv(tmp_path / f"{limit + 1}-False" / "tables" / "xas_spectra_1.csv")
    assert len(written) == (limit + 1) * 81 and set(written["sample"]) == {f"cell {k}" for k in range(limit + 1)}
    first = written[written["sample"] == "cell 0"]["normalised"].to_numpy()
    assert np.allclose(first, 0.5 + np.arctan((np.linspace(6520.0, 6600.0, 81) - 6550.0) / 3.0) / np.pi)
    plt.close("all")


def test_the_valence_against_analysis_choices_is_drawn_up_to_its_row_limit(tmp_path, quiet):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    limit = xas_section.SENSITIVITY_ROWS
    assert "xas_sensitivity" in [f.id for f in _section(limit, tmp_path, plt, sensitivity=True).figures]
    beyond = _section(limit + 1, tmp_path, plt, sensitivity=True)
    assert "xas_sensitivity" not in [f.id for f in beyond.figures]
    assert ("tables/xas_sensitivity.csv",
            (f"The valence against analysis choices is not drawn: its {limit + 1} spectra are more than a figure "
            f"can show ({limit}); every variant's valence is in tables/xas_sensitivity.csv.")) in beyond.warnings
    assert (tmp_path / f"{limit + 1}-True" / "tables" / "xas_sensitivity.csv").is_file()
    plt.close("all")
