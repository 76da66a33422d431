"""Reading instrument XML (PANalytical XRDML, Bruker BRML, Rigaku RASX) safely and tersely."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from redoxmap.errors import ReadError


def parse_xml(data: bytes, path: Path):
    """The root element with namespaces dropped (XRDML 1.x and 2.x differ only there).

    expat (bundled with Python >= 3.7.1 at >= 2.4) refuses entity-expansion bombs itself.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReadError(f"damaged or truncated XML ({exc})", path=path) from exc
    except (LookupError, ValueError) as exc:  # expat's answer to an unknown or multi-byte declared encoding
        raise ReadError(f"XML in an encoding that cannot be read ({exc})", path=path) from exc
    for element in root.iter():
        if "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def first(element, tag: str):
    """The first descendant with ``tag`` (None when absent or when ``element`` is None)."""
    return next(element.iter(tag), None) if element is not None else None


def first_text(element, tag: str) -> str | None:
    """The stripped text of the first descendant with ``tag``, or None."""
    found = first(element, tag)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def text_at(element, path: str) -> str | None:
    """The stripped text at an ElementTree ``path`` below ``element``, or None."""
    found = element.find(path) if element is not None else None
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def descendant_text(root, tag: str) -> str | None:
    """The text of the first descendant ``tag`` anywhere below ``root``, or None."""
    return text_at(root, f".//{tag}") if root is not None else None


def value_attribute(root, tag: str) -> str | None:
    """The ``Value`` attribute of the first element ``tag`` (Bruker's style), or None."""
    return next((e.get("Value") for e in root.iter(tag)), None)
