"""A verdict: one finding of an activation map in words, with the classes and numbers a table shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Verdict:
    """One finding in words, with the classes and numbers a table shows.

    Attributes
    ----------
    sample, couple, aspect : str
        Whose, which couple (``"O"``, ``"TM (Ni)"``, ``"capacity"``...), and which kind of finding
        (``"summary"``, ``"capacity"``, ``"comparison"``, ``"front"``, ``"none"``).
    headline : str
        The finding in a line.
    details : list of str
        The numbers and tests behind it.
    evidence : str
        The report section that shows the evidence.
    determined : bool
        False when the measurements do not decide it.
    where, since, speed : str
        The classes of a couple's verdict (empty for other aspects).
    n90, n90_stderr : float
        Cycles to 90 % of the final activation (NaN when not determined).
    basis : str
        The measurements the verdict rests on, in words.
    robustness : dict
        The floor the verdict depends on and where it would change (:mod:`redoxmap.study.robustness`).
    """

    sample: str
    couple: str
    aspect: str
    headline: str
    details: list[str]
    evidence: str
    determined: bool = True
    where: str = ""
    since: str = ""
    speed: str = ""
    n90: float = math.nan
    n90_stderr: float = math.nan
    basis: str = ""
    robustness: dict = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        """The headline, its numbers, its evidence and its robustness as one text."""
        text = self.headline + (": " + "; ".join(self.details) if self.details else "") + "."
        if self.basis:
            text += f" Evidence: {self.basis}."
        if self.robustness.get("text"):
            text += f" {self.robustness['text']}"
        return text

    def to_dict(self) -> dict:
        """The verdict as plain data (JSON-ready)."""
        out = {k: v for k, v in vars(self).items()}
        out.update(sentence=self.sentence, n90=plain(self.n90), n90_stderr=plain(self.n90_stderr))
        return out


def plain(value):
    """A value ready for JSON: a non-finite float becomes None."""
    return None if isinstance(value, float) and not math.isfinite(value) else value
