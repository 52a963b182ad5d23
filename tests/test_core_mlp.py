"""The MLP against golden values, the notes' formulas and its own shapes."""

import numpy as np
import pytest

from core import MLP, X, gradient_check, notes_network, y
from core.activations import sigmoid
from core.data import NOTES_WEIGHTS, grid

pytestmark = pytest.mark.filterwarnings("error")


def mazur_network() -> MLP:
    """Matt Mazur's "A Step by Step Backpropagation Example": a 2-2-2 logistic network."""
    return MLP(
        [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])],
        [np.array([[0.35, 0.35]]), np.array([[0.60, 0.60]])],
    )


MAZUR_X = np.array([[0.05, 0.10]])
MAZUR_Y = np.array([[0.01, 0.99]])


def test_mazur_forward_and_error_golden():
    net = mazur_network()
    fwd = net.forward(MAZUR_X)
    # values printed in the article
    np.testing.assert_allclose(fwd.a[1], [[0.593269992, 0.596884378]], atol=1e-9)
    np.testing.assert_allclose(fwd.a[2], [[0.75136507, 0.772928465]], atol=1e-8)
    assert net.loss(MAZUR_X, MAZUR_Y, "mse") == pytest.approx(0.298371109, abs=1e-9)


def test_mazur_one_update_exact_value():
    net = mazur_network()
    g = net.gradients(MAZUR_X, MAZUR_Y, "mse")
    # the article's hand-computed gradients
    assert g.dW[2][0, 0] == pytest.approx(0.082167041, abs=1e-9)  # ∂E/∂w5
    assert g.dW[1][0, 0] == pytest.approx(0.000438568, abs=1e-9)  # ∂E/∂w1
    net.step(g, 0.5, update_biases=False)  # the article keeps the biases
    np.testing.assert_allclose(net.W[1], [[0.35891648, 0.51130127], [0.408666186, 0.561370121]], atol=1e-8)
    # exact arithmetic gives 0.2910277737; the article prints 0.291027924 because it rounded weights
    assert net.loss(MAZUR_X, MAZUR_Y, "mse") == pytest.approx(0.2910277737, abs=1e-9)


def test_notes_example_forward_matches_notes_formulas():
    net = notes_network()
    fwd = net.forward(X)
    W1, b1, W2, b2 = (NOTES_WEIGHTS[k] for k in ("W1", "b1", "W2", "b2"))
    z1 = X @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = a1 @ W2 + b2
    a2 = 1 / (1 + np.exp(-z2))
    np.testing.assert_allclose(fwd.z[1], z1, rtol=1e-15)
    np.testing.assert_allclose(fwd.a[1], a1, rtol=1e-14)
    np.testing.assert_allclose(fwd.a[2], a2, rtol=1e-14)
    # input [1, 0]: z1 = [2.7, −2.5] as in the notes; σ(2.7) = 0.937, σ(−2.5) = 0.076
    np.testing.assert_allclose(fwd.z[1][2], [2.7, -2.5], atol=1e-12)
    np.testing.assert_allclose(fwd.a[1][2], [0.937027, 0.075858], atol=1e-6)
    assert np.all((fwd.output > 0.5) == (y > 0.5))  # the preset solves XOR


def test_backward_is_the_notes_code():
    net = notes_network()
    fwd = net.forward(X)
    g = net.backward(fwd, y, "bce")
    W2 = NOTES_WEIGHTS["W2"]
    a1, a2 = fwd.a[1], fwd.a[2]
    dz2 = a2 - y
    dW2 = (a1.T @ dz2) / len(X)
    db2 = np.sum(dz2, axis=0, keepdims=True) / len(X)
    dz1 = (dz2 @ W2.T) * a1 * (1 - a1)
    dW1 = (X.T @ dz1) / len(X)
    db1 = np.sum(dz1, axis=0, keepdims=True) / len(X)
    for got, want in [(g.dz[2], dz2), (g.dW[2], dW2), (g.db[2], db2), (g.dz[1], dz1), (g.dW[1], dW1), (g.db[1], db1)]:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-16)


def test_mse_delta_has_the_sigmoid_factor():
    net = notes_network()
    fwd = net.forward(X)
    a2 = fwd.a[2]
    np.testing.assert_allclose(net.backward(fwd, y, "mse").dz[2], (a2 - y) * a2 * (1 - a2), rtol=1e-15)


def test_parameter_count_and_table():
    net = MLP.create([2, 2, 1])
    table = [(p.name, p.shape, p.count) for p in net.param_table()]
    assert table == [("W1", (2, 2), 4), ("b1", (1, 2), 2), ("W2", (2, 1), 2), ("b2", (1, 1), 1)]
    assert net.n_params == 9
    for h in range(1, 9):
        assert MLP.create([2, h, 1]).n_params == 4 * h + 1


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 64, 64, 64, 1], [3, 5, 1, 4, 2], [2, 1]])
def test_forward_backward_shapes(sizes):
    net = MLP.create(sizes, "tanh", seed=1)
    Xr = np.random.default_rng(0).normal(size=(7, sizes[0]))
    yr = (np.random.default_rng(1).random((7, sizes[-1])) > 0.5).astype(float)
    fwd = net.forward(Xr)
    g = net.backward(fwd, yr)
    for l in range(1, len(sizes)):
        assert fwd.z[l].shape == fwd.a[l].shape == (7, sizes[l])
        assert g.dz[l].shape == (7, sizes[l])
        assert g.dW[l].shape == net.W[l - 1].shape == (sizes[l - 1], sizes[l])
        assert g.db[l].shape == net.b[l - 1].shape == (1, sizes[l])


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_gradient_check_random_networks(act, depth, loss):
    rng = np.random.default_rng(100 * depth + len(act))
    sizes = [3] + list(rng.integers(2, 6, size=depth)) + [2]
    net = MLP.create(sizes, act, init="xavier_normal", seed=int(rng.integers(1000)))
    Xr = rng.normal(size=(6, 3))
    # finite differences are only valid away from the ReLU kink: redraw biases until every
    # hidden pre-activation is at least 0.05 from z = 0 (the check moves weights by ±2ε = ±0.002)
    while True:
        for v in net.b:
            v[...] = rng.normal(0, 0.5, size=v.shape)
        if min(np.min(np.abs(z)) for z in net.forward(Xr).z[1:-1] or [np.ones(1)]) > 0.05:
            break
    yr = (rng.random((6, 2)) > 0.5).astype(float)
    gc = gradient_check(net, Xr, yr, loss)
    assert gc.max_rel_error < 1e-6, dict(zip(gc.names, gc.rel_error))


def test_gradient_check_softmax_output():
    rng = np.random.default_rng(5)
    net = MLP.create([4, 6, 3], "tanh", output="softmax", seed=2)
    Xr = rng.normal(size=(5, 4))
    Y = np.eye(3)[rng.integers(0, 3, size=5)]
    assert gradient_check(net, Xr, Y, "cce").max_rel_error < 1e-6


def test_copy_is_independent_and_dict_round_trip():
    net = notes_network()
    c = net.copy()
    c.W[0][0, 0] = 99.0
    assert net.W[0][0, 0] == 5.2
    again = MLP.from_dict(net.to_dict())
    np.testing.assert_array_equal(again.flat(), net.flat())
    theta = net.flat() * 2
    again.set_flat(theta)
    np.testing.assert_array_equal(again.flat(), theta)
    assert len(net.param_names()) == 9 and net.param_names()[0] == "W1[0,0]"


@pytest.mark.parametrize(
    "sizes, hidden, output", [([2, 2, 1], "sigmoid", "sigmoid"), ([3, 5, 4, 2], "relu", "softmax")]
)
def test_the_key_is_the_exact_network(sizes, hidden, output):
    net = MLP.create(sizes, hidden, output, "normal", 3)
    key = net.key()
    hash(key)
    back = MLP.from_key(key)
    assert (back.sizes, back.hidden, back.output) == (net.sizes, net.hidden, net.output)
    for a, b in zip(back.W + back.b, net.W + net.b, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.shape == b.shape
    assert back.key() == key == net.copy().key()
    other = net.copy()
    other.W[0][0, 0] = np.nextafter(other.W[0][0, 0], np.inf)  # one bit
    assert other.key() != key
    assert MLP(net.W, net.b, "tanh", output).key() != key
    wider = MLP.create([sizes[0], sizes[1] + 1, *sizes[2:]], hidden, output, "zeros")
    assert MLP.create(sizes, hidden, output, "zeros").key() != wider.key()


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError):
        MLP([np.zeros((2, 2)), np.zeros((3, 1))], [np.zeros((1, 2)), np.zeros((1, 1))])
    with pytest.raises(ValueError):
        MLP.create([2, 2, 1], hidden="swish")


def test_grid_matches_the_notes_meshgrid():
    x1, x2, pts = grid(300)
    assert pts.shape == (90000, 2) and x1[0] == -0.5 and x1[-1] == 1.5
    out = notes_network().predict(pts).reshape(300, 300)
    # notes: a2_grid.reshape(xx1.shape), indexed [x2, x1]
    i, j = 150, 40
    np.testing.assert_allclose(out[i, j], notes_network().predict(np.array([[x1[j], x2[i]]]))[0, 0])
    assert np.all((out >= 0) & (out <= 1)) and sigmoid(np.array(0.0)) == 0.5
