"""The XOR data set, the notes' example weights, and grids for decision-boundary plots."""

from __future__ import annotations

import numpy as np

# Rows in the notes' order: [0 0], [0 1], [1 0], [1 1].
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([[0.0], [1.0], [1.0], [0.0]])
ROW_LABELS = ["[0 0]", "[0 1]", "[1 0]", "[1 1]"]

# "After training, the learned weights might be:" — the notes' example, as a preset.
NOTES_WEIGHTS = {
    "W1": np.array([[5.2, 4.8], [5.1, 4.9]]),
    "b1": np.array([[-2.5, -7.3]]),
    "W2": np.array([[7.2], [-7.1]]),
    "b2": np.array([[-3.2]]),
}
NOTES_LABEL = "Example weights from the notes"


def notes_weights() -> dict:
    """A fresh copy of the preset (callers may mutate it)."""
    return {k: v.copy() for k, v in NOTES_WEIGHTS.items()}


def notes_network():
    from core.mlp import MLP

    return MLP.from_dict(notes_weights())


def grid(n: int = 100, lo: float = -0.5, hi: float = 1.5):
    """The notes' meshgrid: returns (x1_range, x2_range, points) with points (n*n, 2), x1 fastest.

    ``points[i*n + j] = (x1_range[j], x2_range[i])`` — reshape outputs to (n, n) as [x2, x1].
    """
    x1_range = np.linspace(lo, hi, n)
    x2_range = np.linspace(lo, hi, n)
    xx1, xx2 = np.meshgrid(x1_range, x2_range)
    return x1_range, x2_range, np.c_[xx1.ravel(), xx2.ravel()]


def gaussian_batch(n: int, d: int = 2, seed: int = 0):
    """Random N(0,1) inputs with random 0/1 labels: X (n, d), y (n, 1)."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, 2, size=(n, 1)).astype(float)
