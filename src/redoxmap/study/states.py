"""States of a sample as users name them ("pristine", "1st charge", "after 40 cycles"), read as a
cycle number and a half, so that measurements of different modalities and samples line up.

A state is one of:

* ``pristine`` (cycle 0): "pristine", "uncycled", "fresh", "as received", "as made", "OCV";
* ``charge n``: "1st charge", "charge 12", "charged to 4.7 V in cycle 3" (with ``cycle = 3``);
* ``discharge n``: "2nd discharge", "discharge 5";
* ``cycle n``: after n full cycles, "after 40 cycles", "4 cycles", "cycle 12";
* anything else keeps its name, with no cycle, and sorts after the states with one.

A file entry's ``cycle`` key in the manifest gives the number where the name has none (or
overrides it); entries of one name with different ``cycle`` keys get it in their names ("charge, cycle 1" and
"charge, cycle 12"), so that they stay apart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

HALVES = ("pristine", "charge", "discharge", "cycle", "unknown")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}
_PRISTINE = re.compile(r"\b(pristine|uncycled|un-cycled|fresh|as[ -]?(received|made|prepared|synthesi[sz]ed)"
                       r"|before cycling|ocv)\b", re.IGNORECASE)
_NUMBER = r"(\d+|" + "|".join(_ORDINALS) + r")"
_HALF = {half: (re.compile(_NUMBER + r"\s*(?:st|nd|rd|th)?\s*" + word, re.IGNORECASE),
                re.compile(word + r"\w*\D{0,3}?" + r"(\d+)", re.IGNORECASE),
                re.compile(r"\b" + word, re.IGNORECASE))
         for half, word in (("discharge", "discharg"), ("charge", "(?<!dis)charg"))}
_CYCLES = (re.compile(_NUMBER + r"\s*(?:st|nd|rd|th)?\s*(?:full\s+)?cycles?\b", re.IGNORECASE),
           re.compile(r"\bcycles?\s*#?\s*(\d+)", re.IGNORECASE))


@dataclass(frozen=True)
class State:
    """A state read from its name.

    Attributes
    ----------
    label : str
        The canonical name (``"charge 12"``), or the user's name when it is not recognised.
    cycle : float
        0 for pristine, n for the n-th charge, discharge or cycle; NaN when unknown.
    half : {"pristine", "charge", "discharge", "cycle", "unknown"}
    name : str
        The name as the user wrote it.
    """

    label: str
    cycle: float
    half: str
    name: str

    @property
    def sort_key(self) -> tuple:
        """Pristine first, then by cycle (charge, discharge, end of cycle), then unknown states."""
        known = not math.isnan(self.cycle)
        return (0 if known else 1, self.cycle if known else 0.0, HALVES.index(self.half))


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _ORDINALS[text.lower()]


def parse_state(name: str, cycle: int | None = None) -> State:
    """Read a state's cycle number and half from its name (and an explicit cycle number).

    Parameters
    ----------
    name : str
        The state as the user named it.
    cycle : int, optional
        The manifest's ``cycle`` key: the cycle when the name has no number.

    Returns
    -------
    State

    Examples
    --------
    >>> parse_state("1st charge")
    State(label='charge 1', cycle=1.0, half='charge', name='1st charge')
    >>> parse_state("after 40 cycles").label
    'cycle 40'
    >>> parse_state("discharged", cycle=3).label
    'discharge 3'
    """
    text = " ".join(str(name).split())
    if _PRISTINE.search(text):
        return State("pristine", 0.0, "pristine", text)
    for half, (before, after, bare) in _HALF.items():
        found = before.search(text) or after.search(text)
        if found or bare.search(text):
            number = cycle if cycle is not None else (_number(found.group(1)) if found else None)
            if number is None:
                return State(text, math.nan, half, text)
            return State(f"{half} {number}", float(number), half, text)
    found = next((m for m in (pattern.search(text) for pattern in _CYCLES) if m), None)
    number = cycle if cycle is not None else (_number(found.group(1)) if found else None)
    if number is not None:
        return State(f"cycle {number}", float(number), "cycle", text)
    return State(text, math.nan, "unknown", text)


def ordered(states) -> list[State]:
    """States sorted as a study runs: pristine, then by cycle, unknown ones last (stable)."""
    return sorted(states, key=lambda s: s.sort_key)
