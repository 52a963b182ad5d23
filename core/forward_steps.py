"""The forward pass for one input, the way the notes write it out, and the notes' rounded arithmetic.

The notes work input [1, 0] through their example network by hand, rounding as they go::

    z1 = [2.7, −2.5]  →  a1 ≈ [0.94, 0.08]          (hidden activations rounded to 2 decimals)
    z2 = 0.94·7.2 + 0.08·(−7.1) − 3.2 = 3.2  →  σ(3.2) = 0.96

``NOTES_CLAIM`` quotes those printed figures (they are text from the notes, not results);
``rounded_chain`` redoes the notes' chain from the rounded activations, so the page can compare
the notes, their own rounded arithmetic and the exact values — all but the quote computed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import sigmoid
from core.data import NOTES_WEIGHTS
from core.mlp import MLP

# What the notes print for input [1, 0] (row 2 of X) with their example weights.
NOTES_CLAIM = {"row": 2, "a1": (0.94, 0.08), "z2": 3.2, "a2": 0.96, "digits": 2}


@dataclass
class ForwardRow:
    """One input through a 2-h-1 network. x (2,), z1/a1 (h,), z2/a2 floats."""

    x: np.ndarray
    z1: np.ndarray
    a1: np.ndarray
    z2: float
    a2: float


def forward_row(net: MLP, X: np.ndarray, row: int) -> ForwardRow:
    """The exact forward pass of row ``row`` of X (N, 2) through a one-hidden-layer net."""
    fwd = net.forward(X[row : row + 1])
    return ForwardRow(fwd.a[0][0], fwd.z[1][0], fwd.a[1][0], float(fwd.z[2][0, 0]), float(fwd.a[2][0, 0]))


def rounded_chain(net: MLP, X: np.ndarray, row: int, digits: int = 2) -> ForwardRow:
    """The notes' way: round the hidden activations to ``digits`` decimals, then continue exactly.

    z2 = round(a1) @ W2 + b2, a2 = σ(z2) (output layer of the notes' sigmoid network).
    """
    exact = forward_row(net, X, row)
    a1_r = np.round(exact.a1, digits)
    z2 = float((a1_r @ net.W[1] + net.b[1])[0, 0])
    return ForwardRow(exact.x, exact.z1, a1_r, z2, float(sigmoid(z2)))


def is_notes_network(net: MLP) -> bool:
    """True when ``net`` is the notes' example: 2-2-1, sigmoid, exactly NOTES_WEIGHTS."""
    if net.sizes != [2, 2, 1] or net.hidden != "sigmoid" or net.output != "sigmoid":
        return False
    params = net.to_dict()
    return all(np.allclose(params[k], v, rtol=0, atol=1e-12) for k, v in NOTES_WEIGHTS.items())


@dataclass
class NotesComparison:
    claim_a1: tuple
    claim_z2: float
    claim_a2: float
    exact: ForwardRow
    rounded: ForwardRow
    a1_matches: bool  # the notes' activations are the exact ones rounded to 2 decimals
    z2_slip: bool  # the notes' z2 is not what their own rounded activations give (to its precision)


def compare_with_notes(net: MLP, X: np.ndarray) -> NotesComparison:
    """Exact values, the notes' rounded chain, and the notes' printed figures for input [1, 0]."""
    row, digits = NOTES_CLAIM["row"], NOTES_CLAIM["digits"]
    exact = forward_row(net, X, row)
    rounded = rounded_chain(net, X, row, digits)
    claim_a1 = tuple(NOTES_CLAIM["a1"])
    a1_matches = bool(np.allclose(np.round(exact.a1, digits), claim_a1, rtol=0, atol=1e-9))
    # The notes give z2 to 1 decimal: a rounding difference stays within half of that last digit.
    z2_slip = abs(rounded.z2 - NOTES_CLAIM["z2"]) > 0.05 + 1e-9
    return NotesComparison(claim_a1, NOTES_CLAIM["z2"], NOTES_CLAIM["a2"], exact, rounded, a1_matches, z2_slip)
