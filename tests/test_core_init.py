"""core.init: the weights each initialiser draws, and what zero weights do."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.diagnose import symmetry_gap
from core.init import INITIALISERS, init_std, init_weight, zero_init_starves
from core.mlp import MLP

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.parametrize("name", list(INITIALISERS))
def test_the_drawn_weights_have_init_std(name):
    for fi, fo in ((64, 32), (300, 500)):
        W = init_weight(name, fi, fo, np.random.default_rng(0), sigma=0.5, limit=0.7)
        assert np.std(W) == pytest.approx(init_std(name, fi, fo, sigma=0.5, limit=0.7), rel=0.05, abs=1e-12)


@pytest.mark.parametrize(
    "name, bound",
    [("xavier_uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))), ("he_uniform", lambda fi, fo: math.sqrt(6 / fi))],
)
def test_uniform_limits_are_pytorchs(name, bound):
    W = init_weight(name, 400, 300, np.random.default_rng(1))
    b = bound(400, 300)
    assert np.max(np.abs(W)) <= b and np.max(np.abs(W)) > 0.99 * b


@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_zero_init_starves_is_what_training_does(hidden):
    """Zero weights, a few steps on random data: with f(0) = 0 no weight moves; otherwise the weights move
    but the hidden units stay identical."""
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 5)), (rng.random((32, 1)) > 0.5).astype(float)
    net = MLP.create([5, 4, 3, 1], hidden=hidden, init="zeros")
    for _ in range(20):
        net.step(net.backward(net.forward(X), y), 0.5)
    moved = max(float(np.max(np.abs(W))) for W in net.W)
    assert symmetry_gap(net) <= 1e-12 * max(moved, 1.0)  # identical units, up to rounding
    assert (moved == 0.0) == zero_init_starves(hidden)
