"""Equivalent circuits from strings, with impedance and analytic derivatives for a batch.

The syntax is the one impedance.py users know: elements in series are joined by ``-``,
parallel branches are ``p(branch, branch, ...)``, and each element is a type and a number:
``R0-p(R1,CPE1)-p(R2-Wo1,C2)``. Element types (add more to :data:`ELEMENTS`):

====  ===========================================  ===================  =======
type  impedance                                    parameters           units
====  ===========================================  ===================  =======
R     R                                            R                    Ohm
C     1 / (i w C)                                  C                    F
L     i w L                                        L                    H
CPE   1 / (Q (i w)^alpha)                          Q, alpha             F s^(alpha-1), -
W     sigma (1 - i) / sqrt(w)  (semi-infinite)     sigma                Ohm s^-1/2
Wo    Z0 coth(sqrt(i w tau)) / sqrt(i w tau)       Z0, tau              Ohm, s
Ws    Z0 tanh(sqrt(i w tau)) / sqrt(i w tau)       Z0, tau              Ohm, s
====  ===========================================  ===================  =======

Wo is the finite-length Warburg with a reflecting (open) end, Ws with a transmitting
(short) end. Parameters are named ``R0``, ``CPE1_Q``, ``CPE1_alpha``, ``Wo1_Z0``... in the
order they appear in the string.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from redoxmap.errors import AnalysisError


@dataclass(frozen=True)
class ElementType:
    """How one kind of element behaves.

    Attributes
    ----------
    parameters : tuple of str
        Parameter suffixes (``""`` for a one-parameter element named like the element).
    units : tuple of str
    positive : tuple of bool
        Strictly positive parameters are fitted on a log scale; the others between ``bounds``.
    bounds : tuple of (float, float)
    impedance : callable
        ``impedance(params (B, k), omega (F,)) -> (Z (B, F), dZ (B, F, k))``.
    """

    parameters: tuple[str, ...]
    units: tuple[str, ...]
    positive: tuple[bool, ...]
    bounds: tuple[tuple[float, float], ...]
    impedance: Callable


# Element impedances: ``p`` is (B, k), ``w`` the angular frequency (B or 1, F).

def _r(p, w):
    shape = (len(p), w.shape[-1])
    return np.broadcast_to(p[:, :1], shape).astype(complex), np.ones((*shape, 1), complex)


def _c(p, w):
    z = 1 / (1j * w * p[:, :1])
    return z, (-z / p[:, :1])[..., None]


def _l(p, w):
    z = 1j * w * p[:, :1]
    return z, np.broadcast_to((1j * w)[..., None], (*z.shape, 1)).astype(complex)


def _cpe(p, w):
    q, alpha = p[:, :1], p[:, 1:2]
    log_iw = np.log(1j * w)
    z = 1 / (q * np.exp(alpha * log_iw))
    return z, np.stack([-z / q, -z * log_iw], axis=-1)


def _warburg(p, w):
    shape = (1 - 1j) / np.sqrt(w)
    z = p[:, :1] * shape
    return z, np.broadcast_to(shape[..., None], (*z.shape, 1)).astype(complex)


def _finite_warburg(reflecting: bool):
    def impedance(p, w):
        z0, tau = p[:, :1], p[:, 1:2]
        x = np.sqrt(1j * w * tau)
        if reflecting:  # coth(x)/x and its derivative (-csch^2(x) x - coth(x)) / x^2, csch^2 = coth^2 - 1
            g = 1 / np.tanh(x)
            f = g / x
            df = (-(g * g - 1) * x - g) / (x * x)
        else:  # tanh(x)/x and its derivative (sech^2(x) x - tanh(x)) / x^2
            t = np.tanh(x)
            f = t / x
            df = ((1 - t * t) * x - t) / (x * x)
        z = z0 * f
        return z, np.stack([f, z0 * df * x / (2 * tau)], axis=-1)
    return impedance


POSITIVE = (1e-15, 1e15)
ELEMENTS: dict[str, ElementType] = {
    "R": ElementType(("",), ("Ohm",), (True,), (POSITIVE,), _r),
    "C": ElementType(("",), ("F",), (True,), (POSITIVE,), _c),
    "L": ElementType(("",), ("H",), (True,), (POSITIVE,), _l),
    "CPE": ElementType(("_Q", "_alpha"), ("F s^(alpha-1)", ""), (True, False), (POSITIVE, (0.0, 1.0)), _cpe),
    "W": ElementType(("_sigma",), ("Ohm s^-1/2",), (True,), (POSITIVE,), _warburg),
    "Wo": ElementType(("_Z0", "_tau"), ("Ohm", "s"), (True, True), (POSITIVE, POSITIVE), _finite_warburg(True)),
    "Ws": ElementType(("_Z0", "_tau"), ("Ohm", "s"), (True, True), (POSITIVE, POSITIVE), _finite_warburg(False)),
}


@dataclass
class Element:
    """An element of a parsed circuit: its name, type and where its parameters sit."""

    name: str
    kind: str
    start: int

    @property
    def type(self) -> ElementType:
        """How an element of this kind behaves (from :data:`ELEMENTS`)."""
        return ELEMENTS[self.kind]

    @property
    def size(self) -> int:
        """The number of parameters of the element."""
        return len(self.type.parameters)


@dataclass
class Series:
    """Branches in series."""

    parts: list


@dataclass
class Parallel:
    """Branches in parallel."""

    parts: list


class Circuit:
    """A parsed circuit string.

    Parameters
    ----------
    text : str
        E.g. ``"R0-p(R1,CPE1)-p(R2,CPE2)-W1"``.

    Raises
    ------
    AnalysisError
        When the string does not parse; the message points at the character.
    """

    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.elements: list[Element] = []
        self._position = 0
        if not self.text:
            raise AnalysisError("empty circuit string")
        self.tree = self._series()
        if self._position != len(self.text):
            self._fail("unexpected character")
        names = [e.name for e in self.elements]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise AnalysisError(f"circuit {text!r} names {', '.join(sorted(duplicates))} more than once")

    # -- parsing
    def _fail(self, what: str):
        caret = " " * self._position + "^"
        raise AnalysisError(f"circuit string: {what} at character {self._position + 1}\n  {self.text}\n  {caret}")

    def _series(self):
        parts = [self._term()]
        while self._position < len(self.text) and self.text[self._position] == "-":
            self._position += 1
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else Series(parts)

    def _term(self):
        rest = self.text[self._position:]
        if rest.startswith("p("):
            self._position += 2
            parts = [self._series()]
            while self._position < len(self.text) and self.text[self._position] == ",":
                self._position += 1
                parts.append(self._series())
            if self._position >= len(self.text) or self.text[self._position] != ")":
                self._fail("expected ',' or ')'")
            self._position += 1
            if len(parts) < 2:
                self._fail("a parallel block needs at least two branches")
            return Parallel(parts)
        match = re.match(r"(CPE|Wo|Ws|W|R|C|L)(\d+)", rest)
        if not match:
            known = ", ".join(ELEMENTS)
            self._fail(f"expected an element ({known}) with a number, or p(")
        self._position += match.end()
        start = sum(e.size for e in self.elements)
        element = Element(match.group(0), match.group(1), start)
        self.elements.append(element)
        return element

    # -- parameters
    @property
    def parameter_names(self) -> list[str]:
        """Names in string order: ``R0``, ``CPE1_Q``, ``CPE1_alpha``, ..."""
        return [e.name + suffix if suffix else e.name for e in self.elements for suffix in e.type.parameters]

    @property
    def units(self) -> list[str]:
        """The unit of each parameter, in the order of :attr:`parameter_names`."""
        return [u for e in self.elements for u in e.type.units]

    @property
    def positive(self) -> np.ndarray:
        """Which parameters are strictly positive (fitted on a log scale), in parameter order."""
        return np.array([p for e in self.elements for p in e.type.positive])

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The lower and the upper bound of every parameter, in parameter order."""
        pairs = [b for e in self.elements for b in e.type.bounds]
        return np.array([b[0] for b in pairs]), np.array([b[1] for b in pairs])

    def __len__(self) -> int:
        return len(self.parameter_names)

    # -- evaluation
    def impedance(self, params, frequency_Hz, *, jacobian: bool = False):
        """Impedance of the circuit for a batch of parameter sets.

        Parameters
        ----------
        params : array-like
            ``(n_params,)`` or ``(batch, n_params)``.
        frequency_Hz : array-like
            ``(n_freq,)``, or ``(batch, n_freq)`` when each parameter set has its own grid.
        jacobian : bool
            Also return ``dZ/dparams``, shape ``(batch, n_freq, n_params)``.
        """
        p = np.atleast_2d(np.asarray(params, float))
        w = 2 * np.pi * np.atleast_2d(np.asarray(frequency_Hz, float))
        if p.shape[1] != len(self):
            raise AnalysisError(f"circuit {self.text} has {len(self)} parameters, {p.shape[1]} given")
        values: dict[int, tuple] = {}
        z = self._forward(self.tree, p, w, values)
        dz = None
        if jacobian:
            dz = np.empty((*z.shape, p.shape[1]), complex)
            self._backward(self.tree, np.ones_like(z), values, dz)
        if np.asarray(params).ndim == 1:
            z, dz = z[0], (dz[0] if dz is not None else None)
        return (z, dz) if jacobian else z

    def _forward(self, node, p, w, values):
        """Impedance of every node (kept in ``values``, with each element's local derivative)."""
        if isinstance(node, Element):
            z, local = node.type.impedance(p[:, node.start:node.start + node.size], w)
            values[id(node)] = (z, local)
            return z
        parts = [self._forward(part, p, w, values) for part in node.parts]
        z = sum(parts) if isinstance(node, Series) else 1 / sum(1 / part for part in parts)
        values[id(node)] = (z, None)
        return z

    def _backward(self, node, multiplier, values, dz):
        """Chain rule from the top: dZ/dZ_child is 1 in series and (Z / Z_child)^2 in parallel."""
        z, local = values[id(node)]
        if isinstance(node, Element):
            dz[:, :, node.start:node.start + node.size] = multiplier[..., None] * local
            return
        for part in node.parts:
            factor = multiplier if isinstance(node, Series) else multiplier * (z / values[id(part)][0]) ** 2
            self._backward(part, factor, values, dz)

    def exchangeable_blocks(self) -> list[list[tuple[Element, Element]]]:
        """Groups of interchangeable blocks: parallel ``p(R, C)`` or ``p(R, CPE)`` of the same kind in
        series with the rest. Swapping two of them leaves the impedance unchanged, so a start that
        gives them equal values sits on a symmetric saddle of the fit."""
        groups: dict[str, list] = {}

        def visit(node):
            if isinstance(node, Parallel) and len(node.parts) == 2 and all(isinstance(x, Element) for x in node.parts):
                kinds = {x.kind: x for x in node.parts}
                capacitive = next((k for k in ("C", "CPE") if k in kinds), None)
                if "R" in kinds and capacitive:
                    groups.setdefault(capacitive, []).append((kinds["R"], kinds[capacitive]))
            if isinstance(node, Series):
                for part in node.parts:
                    visit(part)

        visit(self.tree)
        return [blocks for blocks in groups.values() if len(blocks) > 1]

    def rc_pairs(self) -> list[tuple[Element, Element]]:
        """Parallel blocks of a resistor and a capacitive element (C or CPE), in string order."""
        pairs = []

        def visit(node):
            if isinstance(node, Parallel):
                resistors = [p for p in node.parts if isinstance(p, Element) and p.kind == "R"]
                capacitors = [p for p in node.parts if isinstance(p, Element) and p.kind in ("C", "CPE")]
                if len(resistors) == 1 and len(capacitors) == 1:
                    pairs.append((resistors[0], capacitors[0]))
            for part in getattr(node, "parts", []):
                visit(part)
            if isinstance(node, Parallel):  # R in series with a Warburg inside the block (a Randles cell)
                for part in node.parts:
                    if isinstance(part, Series):
                        resistors = [x for x in part.parts if isinstance(x, Element) and x.kind == "R"]
                        capacitors = [x for x in node.parts if isinstance(x, Element) and x.kind in ("C", "CPE")]
                        if len(resistors) == 1 and len(capacitors) == 1:
                            pairs.append((resistors[0], capacitors[0]))
        visit(self.tree)
        return pairs
