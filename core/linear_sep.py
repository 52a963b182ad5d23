"""One neuron on XOR: its line, how many points it gets right, and why it can never get all four.

A single neuron computes ``z = w1·x1 + w2·x2 + b`` and outputs ``σ(z)``; it predicts 1 when
σ(z) > 0.5, that is when z > 0 (``core.decision``'s rule, the same as ``MLP.accuracy``). Its
decision boundary is the straight line ``w1·x1 + w2·x2 + b = 0``; ``line_segment`` is the one
function every chart uses to draw such a line.

Why 4 of 4 is impossible (the argument the Architecture page shows with live numbers)::

    z[0 1] + z[1 0] = (w2 + b) + (w1 + b) = w1 + w2 + 2b
    z[0 0] + z[1 1] = (b) + (w1 + w2 + b)  = w1 + w2 + 2b

The two class-1 points and the two class-0 points always have the same total z. Getting both
class-1 points right needs both their z > 0, so their sum > 0; getting both class-0 points right
needs both z ≤ 0, so their sum ≤ 0. The same number cannot be both: at least one point is wrong.
"""

from __future__ import annotations

import numpy as np

from core.activations import sigmoid
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.decision import predicts_one


def neuron_z(w1: float, w2: float, b: float, X: np.ndarray = XOR_X) -> np.ndarray:
    """z = X @ [w1, w2] + b for X (N, 2) → (N,)."""
    return np.asarray(X, dtype=float) @ np.array([w1, w2], dtype=float) + float(b)


def neuron_predict(w1: float, w2: float, b: float, X: np.ndarray = XOR_X) -> np.ndarray:
    """0/1 predictions (N,): 1 where σ(z) > 0.5 (z > 0), ``core.decision``'s rule."""
    return predicts_one(sigmoid(neuron_z(w1, w2, b, X))).astype(int)


def count_correct(w1: float, w2: float, b: float, X: np.ndarray = XOR_X, y: np.ndarray = XOR_Y) -> int:
    """How many of the N points (X (N, 2), y (N, 1) or (N,)) the neuron classifies correctly."""
    return int(np.sum(neuron_predict(w1, w2, b, X) == np.asarray(y).reshape(-1).astype(int)))


def pair_sums(w1: float, w2: float, b: float) -> tuple[float, float]:
    """(z[0 1] + z[1 0], z[0 0] + z[1 1]) on the XOR inputs — always equal (= w1 + w2 + 2b)."""
    z = neuron_z(w1, w2, b)  # rows in the notes' order: [0 0], [0 1], [1 0], [1 1]
    return float(z[1] + z[2]), float(z[0] + z[3])


def line_segment(w1: float, w2: float, b: float, box: tuple = (-0.5, 1.5, -0.5, 1.5)) -> np.ndarray:
    """The part of the line w1·u + w2·v + b = 0 inside the box (ulo, uhi, vlo, vhi), as (k, 2) points.

    k = 2 (the two box-edge crossings) when the line crosses the box; k = 0 when it misses it,
    touches it at a single corner, or w1 = w2 = 0 (no line at all: the neuron outputs σ(b)
    everywhere). Used for the input plane (u, v = x1, x2) and for the hidden space (u, v = two
    hidden activations, w1, w2 = their output weights).
    """
    ulo, uhi, vlo, vhi = box
    pts = []
    if w2 != 0:
        for u in (ulo, uhi):  # crossing the left and right edges
            v = -(w1 * u + b) / w2
            if vlo <= v <= vhi:
                pts.append((u, v))
    if w1 != 0:
        for v in (vlo, vhi):  # crossing the bottom and top edges
            u = -(w2 * v + b) / w1
            if ulo <= u <= uhi:
                pts.append((u, v))
    if not pts:
        return np.empty((0, 2))
    pts = np.array(pts, dtype=float)
    # A line through a corner is found twice; keep the two crossings farthest apart.
    d = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    if d[i, j] == 0:  # touches the box at a single corner
        return np.empty((0, 2))
    return pts[[i, j]]
