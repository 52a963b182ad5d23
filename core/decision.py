"""The one rule that turns a sigmoid output into a class: every page, every trainer, every count.

    predict 1  ⟺  a2 > 0.5        (equivalently z2 > 0: σ(0) = 0.5 and σ increases)

An output of exactly 0.5 therefore predicts 0 — like any other prediction of 0 it is right for an
input labelled 0 and wrong for one labelled 1. That is what a network with every weight and bias 0
gives on every input (σ(0) = 0.5): on XOR it gets the two inputs labelled 0 right and the two
labelled 1 wrong, accuracy 50 %. ``MLP.accuracy``, the trainers' "solved" check (``core.train``,
``core.multiseed``), Backpropagation's "misclassified", Training's diagnosis of stuck runs, Hidden
features' ✓/✗ and the single neuron on Architecture all use this rule. Labels y are 0 or 1.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 0.5


def predicts_one(a2) -> np.ndarray:
    """True where the output a2 (any shape) predicts class 1: a2 > 0.5, so exactly 0.5 predicts 0."""
    return np.asarray(a2) > THRESHOLD


def is_one(y) -> np.ndarray:
    """True where the label y (0 or 1, any shape) is 1."""
    return np.asarray(y) > THRESHOLD


def wrong(a2, y) -> np.ndarray:
    """True where the prediction from a2 differs from the label y (same shapes, or broadcastable)."""
    return predicts_one(a2) != is_one(y)
