"""Probe any point of the input plane: the forward pass of one point (x1, x2), kept inside the plotted
square, and the "morph" of a grid over that square into the hidden space.

The morph is the classic picture of what a hidden layer does: every input point x = (x1, x2) moves in a
straight line to where the hidden layer sends it, h = (a1[i], a1[j]) (two hidden neurons i and j)::

    P(t) = (1 − t) · x + t · h,     t in [0, 1]

so at t = 0 the points are the grid itself and at t = 1 they are the hidden activations a1 of
``MLP.forward``: there the output neuron needs only one straight line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.data import grid
from core.forward_steps import ForwardRow, forward_row
from core.mlp import MLP

LO, HI = -0.5, 1.5  # the notes' plotted square, np.linspace(-0.5, 1.5, ...)


@dataclass
class Point:
    """A probe point as asked for and as used: ``x`` (2,) inside [lo, hi]²; ``asked`` the numbers given;
    ``clamped`` which of the two were moved onto the square's edge; ``missing`` which were not numbers
    at all (NaN), replaced by ``fallback``'s."""

    x: np.ndarray
    asked: tuple
    clamped: tuple
    missing: tuple

    @property
    def changed(self) -> bool:
        return any(self.clamped) or any(self.missing)


def clamp_point(x1, x2, lo: float = LO, hi: float = HI, fallback: tuple = (0.5, 0.5)) -> Point:
    """(x1, x2) kept inside the square [lo, hi]²: a coordinate outside it moves to the nearest edge
    (±inf too), one that is not a number (NaN, None, text) takes ``fallback``'s value."""
    asked, used, clamped, missing = [], [], [], []
    for v, fb in zip((x1, x2), fallback):
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = math.nan
        asked.append(f)
        if math.isnan(f):
            used.append(float(fb))
            clamped.append(False)
            missing.append(True)
            continue
        c = min(max(f, lo), hi)
        used.append(c)
        clamped.append(c != f)
        missing.append(False)
    return Point(np.array(used), tuple(asked), tuple(clamped), tuple(missing))


def forward_point(net: MLP, x1: float, x2: float) -> ForwardRow:
    """The exact forward pass of the one input (x1, x2) (``MLP.forward`` of the 1×2 matrix [[x1, x2]])."""
    return forward_row(net, np.array([[float(x1), float(x2)]]), 0)


def morph_grid(net: MLP, n: int = 11, i: int = 0, j: int = 1, lo: float = LO, hi: float = HI):
    """An n×n grid over [lo, hi]² and where the hidden layer sends it: returns (G (n*n, 2), the grid's
    points, x1 fastest as ``core.data.grid``; H (n*n, 2), their hidden activations (a1[:, i], a1[:, j]);
    a2 (n*n,), the network's output at each point)."""
    _, _, G = grid(n, lo, hi)
    fwd = net.forward(G)
    return G, fwd.a[1][:, [i, j]], fwd.a[2][:, 0]


def morph(G: np.ndarray, H: np.ndarray, t: float) -> np.ndarray:
    """P(t) = (1 − t)·G + t·H for every point at once: the grid G at t = 0, the hidden activations H at
    t = 1, and on the straight line between them in between."""
    t = float(t)
    return (1.0 - t) * np.asarray(G, dtype=float) + t * np.asarray(H, dtype=float)
