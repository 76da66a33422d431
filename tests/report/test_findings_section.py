"""The Findings section draws the activation map for as many samples as a figure can show, and says where
the numbers are beyond that."""

from __future__ import annotations

import pandas as pd
import pytest

from redoxmap.report import findings_section
from redoxmap.report.map_figures import map_rows
from redoxmap.study import map_from_table


def _map(samples: int):
    """``samples`` cells with a surface and a bulk Ni valence in their first charge: one map row each."""
    rows = [{"sample": f"cell {k}", "state": "1st charge", "probe": probe, "variable": "valence_Ni",
             "value": value, "stderr": 0.05, "source": "by hand"}
            for k in range(samples) for probe, value in (("surface", 3.3), ("bulk", 3.4))]
    return map_from_table(pd.DataFrame(rows), pd.DataFrame({"name": [f"cell {k}" for k in range(samples)]}))


@pytest.fixture
def plt(quiet):
    """Pyplot on the Agg backend, its figures closed after the test."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    yield pyplot
    pyplot.close("all")


def test_the_map_figure_is_drawn_up_to_its_row_limit_and_named_as_not_drawn_beyond(tmp_path, plt):
    limit = findings_section.MAP_FIGURE_ROWS
    for samples, drawn in ((limit, True), (limit + 1, False)):
        amap = _map(samples)
        assert len(map_rows(amap.dataset)) == samples
        section = findings_section.build_findings_section(amap, tmp_path / str(samples), plt)
        ids = [f.id for f in section.figures]
        assert ("findings_map" in ids) is drawn
        assert any(f.id == "findings_map_interactive" for f in section.interactive) is drawn
        notes = [text for where, text in section.warnings if where == "tables/activation_map.nc"]
        expected = (f"The activation map figure is not drawn: its {samples} rows (a sample's quantities each) are "
                    f"more than a figure can show ({limit}); every number is in tables/activation_map.nc (and the "
                    "command redoxmap map STUDY --json prints them).")
        assert notes == ([] if drawn else [expected])


def _region_map(samples: int):
    """A map of ``samples`` cells, each with the charge of regions II and III in three cycles."""
    rows = [{"sample": f"cell {k}", "cycle": cycle, "variable": f"charge_region_{region}_mAh_g", "value": value,
             "stderr": 1.0, "source": "by hand"}
            for k in range(samples) for cycle in (1, 2, 3) for region, value in (("II", 120.0), ("III", 10.0 * cycle))]
    return map_from_table(pd.DataFrame(rows), pd.DataFrame({"name": [f"cell {k}" for k in range(samples)]}))


def test_the_charge_by_region_is_drawn_per_sample_up_to_its_limit_and_named_as_not_drawn_beyond(tmp_path, plt):
    limit = findings_section.REGION_FIGURE_SAMPLES
    for samples, drawn in ((limit, True), (limit + 1, False)):
        amap = _region_map(samples)
        section = findings_section.build_findings_section(amap, tmp_path / str(samples), plt)
        assert ("findings_regions" in [f.id for f in section.figures]) is drawn
        interactive = [f for f in section.interactive if f.id == "findings_regions_interactive"]
        assert len(interactive[0].spec["data"]) == 2 * samples if drawn else not interactive
        notes = [text for where, text in section.warnings if "by voltage region is not drawn" in text]
        expected = (f"The charge by voltage region is not drawn per sample: {samples} samples' curves are more than "
                    f"a figure can tell apart ({limit}); the campaign on the entry page draws the top region's share "
                    "per cycle by group, and every number is in tables/activation_map.nc.")
        assert notes == ([] if drawn else [expected])
