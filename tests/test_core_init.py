"""core.init's explanation of the initialisers: every stated formula is the one the code draws with."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.diagnose import symmetry_gap
from core.init import INIT_INFO, INITIALISERS, init_std, init_weight, sigmoid_ceiling, zero_init_effect
from core.mlp import MLP

pytestmark = pytest.mark.filterwarnings("error")

# the variance formulas as the page writes them, evaluated independently of core.init
FORMULAS = {
    "0": lambda fi, fo, sigma, limit: 0.0,
    "σ²": lambda fi, fo, sigma, limit: sigma**2,
    "limit²/3": lambda fi, fo, sigma, limit: limit**2 / 3,
    "2/(fan_in + fan_out)": lambda fi, fo, sigma, limit: 2 / (fi + fo),
    "2/fan_in": lambda fi, fo, sigma, limit: 2 / fi,
    "1/fan_in": lambda fi, fo, sigma, limit: 1 / fi,
}


def test_every_initialiser_is_explained():
    assert set(INIT_INFO) == set(INITIALISERS)
    for info in INIT_INFO.values():
        assert info.draw and info.aim and info.variance in FORMULAS


@pytest.mark.parametrize("name", list(INITIALISERS))
def test_the_stated_variance_is_what_the_code_draws(name):
    formula = FORMULAS[INIT_INFO[name].variance]
    for fi, fo, sigma, limit in ((2, 2, 1.0, 1.0), (64, 32, 0.3, 2.5), (300, 500, 2.0, 0.1)):
        assert init_std(name, fi, fo, sigma=sigma, limit=limit) ** 2 == pytest.approx(formula(fi, fo, sigma, limit))
    W = init_weight(name, 400, 300, np.random.default_rng(0), sigma=0.5, limit=0.7)
    assert np.var(W) == pytest.approx(formula(400, 300, 0.5, 0.7), rel=0.02, abs=1e-12)


@pytest.mark.parametrize(
    "name, bound",
    [("xavier_uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))), ("he_uniform", lambda fi, fo: math.sqrt(6 / fi))],
)
def test_the_stated_uniform_limits(name, bound):
    W = init_weight(name, 400, 300, np.random.default_rng(1))
    b = bound(400, 300)
    assert np.max(np.abs(W)) <= b and np.max(np.abs(W)) > 0.99 * b
    assert f"√(6/{'(fan_in + fan_out)' if name == 'xavier_uniform' else 'fan_in'})" in INIT_INFO[name].draw


def test_the_sigmoid_ceiling_is_computed_from_the_activation():
    peak = ACTIVATIONS["sigmoid"].peak
    z = np.linspace(-20, 20, 40001)
    assert np.max(ACTIVATIONS["sigmoid"].df(z)) == pytest.approx(peak)
    text = sigmoid_ceiling()
    assert f"σ'(z) ≤ {peak:g}" in text and f"gain would have to be {1 / peak:g} or more" in text


@pytest.mark.parametrize("hidden", list(ACTIVATIONS))
def test_zero_init_effect_is_what_training_does(hidden):
    """Zero weights, a few steps on random data: with f(0) = 0 no weight moves; otherwise the weights move
    but the hidden units stay identical. The words core gives must say which."""
    rng = np.random.default_rng(0)
    X, y = rng.random((32, 5)), (rng.random((32, 1)) > 0.5).astype(float)
    net = MLP.create([5, 4, 3, 1], hidden=hidden, init="zeros")
    for _ in range(20):
        g = net.backward(net.forward(X), y)
        for l in range(net.n_layers):
            net.W[l] -= 0.5 * g.dW[l + 1]
            net.b[l] -= 0.5 * g.db[l + 1]
    kind, words = zero_init_effect(hidden)
    moved = max(float(np.max(np.abs(W))) for W in net.W)
    assert symmetry_gap(net) <= 1e-12 * max(moved, 1.0)  # identical units, up to rounding
    if kind == "starved":
        assert moved == 0.0 and f"{ACTIVATIONS[hidden].label}(0) = 0" in words
        assert ACTIVATIONS[hidden].label in INIT_INFO["zeros"].aim
    else:
        assert moved > 0 and "symmetry" in words
