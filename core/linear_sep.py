"""One neuron on XOR: its line, how many points it gets right, and why it can never get all four.

A single neuron computes ``z = w1·x1 + w2·x2 + b`` and outputs ``σ(z)``; it predicts 1 when
σ(z) > 0.5, that is when z > 0 (the same rule as ``MLP.accuracy``). Its decision boundary is the
straight line ``w1·x1 + w2·x2 + b = 0``.

Why 4 of 4 is impossible (the argument the Architecture page shows with live numbers)::

    z[0 1] + z[1 0] = (w2 + b) + (w1 + b) = w1 + w2 + 2b
    z[0 0] + z[1 1] = (b) + (w1 + w2 + b)  = w1 + w2 + 2b

The two class-1 points and the two class-0 points always have the same total z. Getting both
class-1 points right needs both their z > 0, so their sum > 0; getting both class-0 points right
needs both z ≤ 0, so their sum ≤ 0. The same number cannot be both: at least one point is wrong.
"""

from __future__ import annotations

import numpy as np

from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.gates import name_gate


def neuron_z(w1: float, w2: float, b: float, X: np.ndarray = XOR_X) -> np.ndarray:
    """z = X @ [w1, w2] + b for X (N, 2) → (N,)."""
    return np.asarray(X, dtype=float) @ np.array([w1, w2], dtype=float) + float(b)


def neuron_predict(w1: float, w2: float, b: float, X: np.ndarray = XOR_X) -> np.ndarray:
    """0/1 predictions (N,): 1 where z > 0 (σ(z) > 0.5)."""
    return (neuron_z(w1, w2, b, X) > 0).astype(int)


def count_correct(w1: float, w2: float, b: float, X: np.ndarray = XOR_X, y: np.ndarray = XOR_Y) -> int:
    """How many of the N points (X (N, 2), y (N, 1) or (N,)) the neuron classifies correctly."""
    return int(np.sum(neuron_predict(w1, w2, b, X) == np.asarray(y).reshape(-1).astype(int)))


def pair_sums(w1: float, w2: float, b: float) -> tuple[float, float]:
    """(z[0 1] + z[1 0], z[0 0] + z[1 1]) on the XOR inputs — always equal (= w1 + w2 + 2b)."""
    z = neuron_z(w1, w2, b)  # rows in the notes' order: [0 0], [0 1], [1 0], [1 1]
    return float(z[1] + z[2]), float(z[0] + z[3])


def line_segment(w1: float, w2: float, b: float, lo: float = -0.5, hi: float = 1.5) -> np.ndarray:
    """The part of the line w1·x1 + w2·x2 + b = 0 inside the box [lo, hi]², as (k, 2) points.

    k = 2 when the line crosses the box, 0 when it misses it or w1 = w2 = 0 (no line at all:
    the neuron then outputs σ(b) everywhere). The two points are the box-edge crossings.
    """
    if w1 == 0 and w2 == 0:
        return np.empty((0, 2))
    pts = []
    for edge in (lo, hi):
        if w2 != 0:  # crossing the vertical edges x1 = lo, x1 = hi
            x2 = -(w1 * edge + b) / w2
            if lo <= x2 <= hi:
                pts.append((edge, x2))
        if w1 != 0:  # crossing the horizontal edges x2 = lo, x2 = hi
            x1 = -(w2 * edge + b) / w1
            if lo <= x1 <= hi:
                pts.append((x1, edge))
    if not pts:
        return np.empty((0, 2))
    pts = np.array(pts, dtype=float)
    # A line through a corner is found twice; keep the two crossings farthest apart.
    d = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=-1)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    if d[i, j] == 0:  # touches the box at a single corner
        return pts[:1].repeat(2, axis=0)
    return pts[[i, j]]


# The value at which each hidden activation counts as "on": the middle of σ's range, 0 for the others.
ON_THRESHOLD = {"sigmoid": 0.5}


def hidden_gates(net, X: np.ndarray = XOR_X) -> list[str]:
    """The logic gate each hidden neuron of a one-hidden-layer ``net`` computes on the 4 XOR inputs."""
    a1 = net.forward(X).a[1]  # (4, h)
    thr = ON_THRESHOLD.get(net.hidden, 0.0)
    return [name_gate(a1[:, j], thr)[0] for j in range(a1.shape[1])]
