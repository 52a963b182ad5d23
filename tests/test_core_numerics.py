"""Activations, losses and initialisers: stability, derivatives, reference formulas."""

import math

import numpy as np
import pytest

from core.activations import ACTIVATIONS, sigmoid, sigmoid_prime
from core.init import INITIALISERS, init_params, init_std, init_weight
from core.losses import bce, bce_from_logits, cce_from_logits, loss_value, mse, output_delta, softmax

pytestmark = pytest.mark.filterwarnings("error")


def test_sigmoid_is_stable_and_exact_at_the_limits():
    z = np.array([-1000.0, -745.0, -40.0, 0.0, 40.0, 1000.0])
    s = sigmoid(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert s[2] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-12)  # tiny values keep precision
    assert sigmoid_prime(np.array(0.0)) == 0.25


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivatives_match_central_differences(name):
    act = ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, 0.3, 1.9, 4.2])  # away from the ReLU kink
    eps = 1e-6
    numeric = (act.f(z + eps) - act.f(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.df(z, act.f(z)), numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-9)
    assert np.max(act.df(np.linspace(-5, 5, 1001))) == pytest.approx(act.peak)


def test_bce_from_logits_matches_the_textbook_formula_and_survives_extremes():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, size=(50, 1))
    yv = (rng.random((50, 1)) > 0.5).astype(float)
    assert bce_from_logits(z, yv) == pytest.approx(bce(sigmoid(z), yv), rel=1e-10)
    big = bce_from_logits(np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))
    assert big == pytest.approx(1000.0) and math.isfinite(big)
    assert bce_from_logits(np.array([[1000.0]]), np.array([[1.0]])) == 0.0


@pytest.mark.parametrize("name", ["bce", "mse"])
def test_output_delta_is_dL_dz(name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 1))
    yv = np.array([[0.0], [1.0], [1.0], [0.0]])
    eps = 1e-6
    numeric = np.zeros_like(z)
    for i in range(z.size):
        zp, zm = z.copy(), z.copy()
        zp.flat[i] += eps
        zm.flat[i] -= eps
        numeric.flat[i] = (loss_value(name, zp, sigmoid(zp), yv) - loss_value(name, zm, sigmoid(zm), yv)) / (2 * eps)
    # loss is a mean over N examples; the delta is per example
    np.testing.assert_allclose(output_delta(name, sigmoid(z), yv) / len(z), numeric, rtol=1e-6)


def test_mse_has_the_half():
    assert mse(np.array([[1.0]]), np.array([[0.0]])) == 0.5


def test_softmax_and_cce_stable_for_large_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]])
    p = softmax(z)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert cce_from_logits(z, Y) == pytest.approx(math.log(3) / 2)
    assert math.isfinite(cce_from_logits(np.array([[-1000.0, 1000.0]]), np.array([[1.0, 0.0]])))


# PyTorch's torch.nn.init formulas, written out independently (fan_in = rows of our W).
REFERENCE_STD = {
    "xavier_uniform": lambda fi, fo: math.sqrt(6 / (fi + fo)) / math.sqrt(3),
    "xavier_normal": lambda fi, fo: math.sqrt(2 / (fi + fo)),
    "he_normal": lambda fi, fo: math.sqrt(2) / math.sqrt(fi),
    "he_uniform": lambda fi, fo: math.sqrt(6 / fi) / math.sqrt(3),
    "lecun_normal": lambda fi, fo: 1 / math.sqrt(fi),
    "normal": lambda fi, fo: 0.3,
    "uniform": lambda fi, fo: 0.5 / math.sqrt(3),
}


@pytest.mark.parametrize("name", sorted(REFERENCE_STD))
def test_initialiser_std_matches_pytorch_formulas(name):
    fan_in, fan_out = 300, 200
    want = REFERENCE_STD[name](fan_in, fan_out)
    assert init_std(name, fan_in, fan_out, sigma=0.3, limit=0.5) == pytest.approx(want, rel=1e-12)
    W = init_weight(name, fan_in, fan_out, np.random.default_rng(0), sigma=0.3, limit=0.5)
    assert W.shape == (fan_in, fan_out)
    assert W.std() == pytest.approx(want, rel=0.02)
    assert abs(W.mean()) < 0.02 * want * 5
    if "uniform" in name:
        assert np.max(np.abs(W)) <= math.sqrt(3) * want


def test_zeros_and_seeding():
    Ws, bs = init_params([2, 3, 1], "zeros")
    assert all(not w.any() for w in Ws) and all(not b.any() for b in bs)
    a, _ = init_params([2, 3, 1], "he_normal", seed=7)
    b, _ = init_params([2, 3, 1], "he_normal", seed=np.random.default_rng(7))
    c, _ = init_params([2, 3, 1], "he_normal", seed=8)
    assert all(np.array_equal(x, z) for x, z in zip(a, b)) and not np.array_equal(a[0], c[0])
    assert set(INITIALISERS) >= {"zeros", "normal", "uniform", "xavier_uniform", "xavier_normal", "he_normal"}
    with pytest.raises(ValueError):
        init_std("orthogonal", 2, 2)
