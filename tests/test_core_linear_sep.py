"""One neuron on XOR (core.linear_sep), hidden-width resizing (core.hidden_width) and the notes'
hand arithmetic (core.forward_steps)."""

import numpy as np
import pytest

from core import MLP, X, notes_network, y
from core.activations import sigmoid
from core.data import NOTES_WEIGHTS
from core.forward_steps import NOTES_CLAIM, compare_with_notes, forward_row, is_notes_network, rounded_chain
from core.hidden_width import param_count, resize_hidden
from core.linear_sep import count_correct, line_segment, neuron_predict, neuron_z, pair_sums

pytestmark = pytest.mark.filterwarnings("error")

RNG = np.random.default_rng(20261128)
RANDOM_PARAMS = np.concatenate([RNG.normal(0, 3, (3000, 3)), RNG.uniform(-20, 20, (3000, 3))])


# ----- one neuron ---------------------------------------------------------------------------------------
def test_neuron_z_is_the_formula():
    for w1, w2, b in RANDOM_PARAMS[:50]:
        np.testing.assert_allclose(neuron_z(w1, w2, b), X[:, 0] * w1 + X[:, 1] * w2 + b, rtol=0, atol=1e-12)


def test_count_agrees_with_a_network_without_hidden_layer():
    """A single neuron is an MLP with no hidden layer; its accuracy × 4 is the count."""
    for w1, w2, b in RANDOM_PARAMS[:300]:
        net = MLP([np.array([[w1], [w2]])], [np.array([[b]])])
        assert count_correct(w1, w2, b) == round(net.accuracy(X, y) * 4)


def test_or_gate_gets_three_of_four():
    assert count_correct(1.0, 1.0, -0.5) == 3  # OR: wrong only on [1 1]
    assert list(neuron_predict(1.0, 1.0, -0.5)) == [0, 1, 1, 1]
    assert count_correct(-1.0, -1.0, 1.5) == 3  # NAND: wrong only on [0 0]
    assert count_correct(0.0, 0.0, -1.0) == 2  # constant 0


def test_pair_sums_are_always_equal():
    """The heart of the proof: z[0 1] + z[1 0] = z[0 0] + z[1 1] = w1 + w2 + 2b for every neuron."""
    for w1, w2, b in RANDOM_PARAMS:
        red, blue = pair_sums(w1, w2, b)
        assert red == pytest.approx(blue, abs=1e-9)
        assert red == pytest.approx(w1 + w2 + 2 * b, abs=1e-9)
    # exactly, in integers: both sums are the same polynomial
    for w1, w2, b in RNG.integers(-50, 51, (500, 3)):
        z = X.astype(int) @ np.array([w1, w2]) + b
        assert z[1] + z[2] == z[0] + z[3] == w1 + w2 + 2 * b


def test_four_of_four_is_impossible_proof():
    """Proof-style: both red points right ⇒ red sum > 0 ⇒ blue sum > 0 ⇒ a blue point has z > 0 (wrong)."""
    for w1, w2, b in RANDOM_PARAMS:
        z = neuron_z(w1, w2, b)
        pred = neuron_predict(w1, w2, b)
        if pred[1] == 1 and pred[2] == 1:  # both class-1 points right
            assert z[1] + z[2] > 0
            assert z[0] + z[3] > 0  # the identity
            assert max(z[0], z[3]) > 0  # so at least one class-0 point is called 1
            assert pred[0] == 1 or pred[3] == 1
        assert count_correct(w1, w2, b) <= 3


def test_no_neuron_on_a_dense_grid_gets_four():
    g = np.linspace(-10, 10, 41)
    w1, w2, b = np.meshgrid(g, g, g, indexing="ij")
    z = X[:, 0, None] * w1.ravel() + X[:, 1, None] * w2.ravel() + b.ravel()  # (4, M)
    right = ((z > 0).astype(int) == y.astype(int)).sum(axis=0)
    assert right.max() == 3
    assert (right == 3).any()


def test_line_segment_lies_on_the_line_and_in_the_box():
    for w1, w2, b in RANDOM_PARAMS[:500]:
        seg = line_segment(w1, w2, b, (-0.5, 1.5, -0.5, 1.5))
        assert seg.shape in ((0, 2), (2, 2))
        for x1, x2 in seg:
            assert -0.5 - 1e-12 <= x1 <= 1.5 + 1e-12 and -0.5 - 1e-12 <= x2 <= 1.5 + 1e-12
            assert w1 * x1 + w2 * x2 + b == pytest.approx(0, abs=1e-9 * (1 + abs(w1) + abs(w2) + abs(b)))


def test_line_segment_special_cases():
    np.testing.assert_allclose(line_segment(1, 1, -0.5), [[-0.5, 1.0], [1.0, -0.5]])
    np.testing.assert_allclose(line_segment(0, 1, -0.5), [[-0.5, 0.5], [1.5, 0.5]])  # horizontal
    np.testing.assert_allclose(sorted(map(tuple, line_segment(1, 0, -0.25))), [(0.25, -0.5), (0.25, 1.5)])
    assert line_segment(0, 0, 1.0).shape == (0, 2)  # no line at all
    assert line_segment(1, 1, -10).shape == (0, 2)  # the line misses the box
    np.testing.assert_allclose(line_segment(1, -1, 0), [[-0.5, -0.5], [1.5, 1.5]])  # the diagonal, corner to corner


def test_single_neuron_prediction_is_the_one_decision_rule():
    """σ(z) > 0.5 (core.decision), so z that rounds to σ = 0.5 exactly predicts 0, as on every page."""
    z = 0.1 + 0.2 - 0.3  # 5.6e−17: σ(z) is exactly 0.5 in floating point
    assert z > 0 and sigmoid(z) == 0.5
    assert neuron_predict(0.1, 0.2, -0.3, np.array([[1.0, 1.0]]))[0] == 0
    assert neuron_predict(0.0, 0.0, 0.0).tolist() == [0, 0, 0, 0]


# ----- hidden width ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", range(1, 9))
def test_param_count_is_4h_plus_1(width):
    r = resize_hidden(notes_network(), width)
    assert param_count(width) == 4 * width + 1 == r.net.n_params
    assert r.net.sizes == [2, width, 1]
    assert sum(p.count for p in r.net.param_table()) == 4 * width + 1
    assert r.kept == min(2, width) and r.added == max(0, width - 2) and r.dropped == max(0, 2 - width)


def test_resize_keeps_the_current_neurons():
    net = notes_network()
    same = resize_hidden(net, 2).net
    for k, v in NOTES_WEIGHTS.items():
        np.testing.assert_array_equal(same.to_dict()[k], v)
    wide = resize_hidden(net, 5, seed=3).net.to_dict()
    np.testing.assert_array_equal(wide["W1"][:, :2], NOTES_WEIGHTS["W1"])
    np.testing.assert_array_equal(wide["b1"][:, :2], NOTES_WEIGHTS["b1"])
    np.testing.assert_array_equal(wide["W2"][:2], NOTES_WEIGHTS["W2"])
    np.testing.assert_array_equal(wide["b2"], NOTES_WEIGHTS["b2"])
    np.testing.assert_array_equal(wide["b1"][:, 2:], 0.0)
    assert np.all(wide["W1"][:, 2:] != 0)
    # deterministic per seed, different across seeds
    np.testing.assert_array_equal(resize_hidden(net, 5, seed=3).net.W[0], wide["W1"])
    assert not np.allclose(resize_hidden(net, 5, seed=4).net.W[0][:, 2:], wide["W1"][:, 2:])
    narrow = resize_hidden(net, 1).net.to_dict()
    np.testing.assert_array_equal(narrow["W1"], NOTES_WEIGHTS["W1"][:, :1])
    np.testing.assert_array_equal(narrow["W2"], NOTES_WEIGHTS["W2"][:1])


def test_resize_keeps_activation_and_rejects_bad_input():
    net = MLP.create([2, 4, 1], hidden="tanh", seed=1)
    r = resize_hidden(net, 2)
    assert r.net.hidden == "tanh" and r.dropped == 2
    np.testing.assert_array_equal(r.net.W[0], net.W[0][:, :2])
    for bad in (0, 9, -1):
        with pytest.raises(ValueError):
            resize_hidden(net, bad)
    with pytest.raises(ValueError):
        resize_hidden(MLP.create([2, 3, 3, 1]), 2)


# ----- the notes' arithmetic ----------------------------------------------------------------------------
def test_forward_row_is_the_notes_formula_for_every_row():
    net = notes_network()
    W1, b1, W2, b2 = (NOTES_WEIGHTS[k] for k in ("W1", "b1", "W2", "b2"))
    for row in range(4):
        s = forward_row(net, X, row)
        z1 = X[row] @ W1 + b1[0]
        a1 = 1 / (1 + np.exp(-z1))
        z2 = a1 @ W2[:, 0] + b2[0, 0]
        np.testing.assert_allclose(s.z1, z1, atol=1e-12)
        np.testing.assert_allclose(s.a1, a1, atol=1e-12)
        assert s.z2 == pytest.approx(z2, abs=1e-12)
        assert s.a2 == pytest.approx(1 / (1 + np.exp(-z2)), abs=1e-12)


def test_notes_example_exact_and_rounded():
    net = notes_network()
    exact = forward_row(net, X, 2)  # input [1, 0]
    np.testing.assert_allclose(exact.z1, [2.7, -2.5], atol=1e-12)
    assert exact.z2 == pytest.approx(3.00800, abs=1e-5)
    assert exact.a2 == pytest.approx(0.95293, abs=1e-5)
    r = rounded_chain(net, X, 2)
    np.testing.assert_array_equal(r.a1, [0.94, 0.08])
    assert r.z2 == pytest.approx(0.94 * 7.2 + 0.08 * -7.1 - 3.2, abs=1e-12)  # = 3.000, not the notes' 3.2
    assert r.a2 == pytest.approx(float(sigmoid(3.0)), abs=1e-12)


def test_compare_with_notes_finds_the_slip():
    c = compare_with_notes(notes_network(), X)
    assert c.a1_matches  # the notes' 0.94 and 0.08 are the exact activations rounded
    assert c.z2_slip  # but 0.94·7.2 + 0.08·(−7.1) − 3.2 is 3.0, not 3.2
    assert (c.claim_z2, c.claim_a2) == (NOTES_CLAIM["z2"], NOTES_CLAIM["a2"])
    assert c.exact.a2 > 0.5 and c.rounded.a2 > 0.5 and c.claim_a2 > 0.5  # the prediction is 1 every way


def test_is_notes_network():
    assert is_notes_network(notes_network())
    p = {k: v.copy() for k, v in NOTES_WEIGHTS.items()}
    p["W1"][0, 0] = 5.3
    assert not is_notes_network(MLP.from_dict(p))
    assert not is_notes_network(MLP.from_dict(NOTES_WEIGHTS, hidden="tanh"))
    assert not is_notes_network(resize_hidden(notes_network(), 3).net)
