"""What a study says about its samples' chemistry, and the defaults that follow from it.

The reference study's names (dQ/dV peaks Ox1-Ox4 / Red1-Red3, TM redox in region II and oxygen redox
in region III) belong to Li-rich layered oxides: a sample is one when its ``chemistry`` says so.
"""

from __future__ import annotations

LI_RICH = ("li-rich", "lrlo", "llo", "li-rich layered oxide", "lithium-rich")
REFERENCE_REGIONS = {"TM": "II", "O": "III"}  # the reference study's: Ni/Co in 3.9-4.4 V, O above 4.4 V


def is_li_rich(chemistry: str | None) -> bool:
    """Whether a sample's ``chemistry`` names a Li-rich layered oxide (the reference study's)."""
    return bool(chemistry) and chemistry.strip().lower() in LI_RICH
