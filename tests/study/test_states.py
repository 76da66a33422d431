"""States as users name them, read as a cycle number and a half."""

from __future__ import annotations

import math

import pytest

from redoxmap.study.states import ordered, parse_state


@pytest.mark.parametrize(("name", "label", "cycle", "half"), [
    ("pristine", "pristine", 0, "pristine"),
    ("uncycled", "pristine", 0, "pristine"),
    ("as received", "pristine", 0, "pristine"),
    ("1st charge", "charge 1", 1, "charge"),
    ("first charge", "charge 1", 1, "charge"),
    ("charge 12", "charge 12", 12, "charge"),
    ("22nd charge", "charge 22", 22, "charge"),
    ("2nd discharge", "discharge 2", 2, "discharge"),
    ("discharge 5", "discharge 5", 5, "discharge"),
    ("after 40 cycles", "cycle 40", 40, "cycle"),
    ("4 cycles", "cycle 4", 4, "cycle"),
    ("Discharged to 2 V", "Discharged to 2 V", math.nan, "discharge"),  # a voltage is not a cycle
    ("as measured", "as measured", math.nan, "unknown"),
])
def test_state_names(name, label, cycle, half):
    state = parse_state(name)
    assert (state.label, state.half) == (label, half)
    assert state.cycle == cycle or (math.isnan(cycle) and math.isnan(state.cycle))
    assert state.name == name


def test_the_manifest_cycle_gives_the_number():
    assert parse_state("discharged", cycle=3).label == "discharge 3"
    assert parse_state("charged to 4.7 V", cycle=12).label == "charge 12"


def test_states_sort_as_a_study_runs():
    names = ["as measured", "after 12 cycles", "charge 12", "discharge 1", "pristine", "1st charge"]
    assert [s.label for s in ordered(parse_state(n) for n in names)] == [
        "pristine", "charge 1", "discharge 1", "charge 12", "cycle 12", "as measured"]
