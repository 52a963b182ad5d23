"""core.features: the notes' feature table, gate names per hidden neuron, and the hidden space."""

from __future__ import annotations

import numpy as np
import pytest

from core import features as F
from core.activations import sigmoid
from core.data import NOTES_WEIGHTS, X, notes_network, notes_weights, y
from core.linear_sep import line_segment
from core.mlp import MLP, check_network


def _net(changes: dict) -> MLP:
    p = notes_weights()
    for (t, i, j), v in changes.items():
        p[t][i, j] = v
    return MLP.from_dict(p)


def test_table_is_the_forward_pass():
    net = notes_network()
    t = F.feature_table(net, X, y)
    fwd = net.forward(X)
    np.testing.assert_array_equal(t.a1, fwd.a[1])
    np.testing.assert_array_equal(t.z1, fwd.z[1])
    np.testing.assert_array_equal(t.out, fwd.a[2][:, 0])
    np.testing.assert_array_equal(t.z2, fwd.z[2][:, 0])
    # by hand, as the notes do it, for [1 0]: z1 = (5.2 − 2.5, 4.8 − 7.3)
    np.testing.assert_allclose(t.a1[2], sigmoid(np.array([2.7, -2.5])), rtol=1e-12)
    assert t.finite and t.n_hidden == 2
    assert list(t.pred) == [False, True, True, False] and not t.wrong.any()


def test_notes_weights_learn_or_and_and():
    t = F.feature_table(notes_network(), X, y)
    g1, g2 = F.name_hidden(t, "sigmoid")
    assert (g1.name, g2.name) == ("OR", "AND")
    assert g1.gate_like and g2.gate_like
    assert (g1.low, g1.high, g1.level) == (0.0, 1.0, 0.5)


def test_or_and_not_and_is_xor():
    net = notes_network()
    gates = F.name_hidden(F.feature_table(net, X, y), "sigmoid")
    c = F.combine(gates, net.W[1], net.b[1])
    assert c.expr == "OR AND NOT AND"
    assert c.table == (0, 1, 1, 0) and c.name == "XOR"
    assert c.up == [0] and c.down == [1]


def test_a_nand_neuron_is_named_nand_and_the_story_follows():
    # h1 = σ(−5·x1 − 5·x2 + 7.5): on unless both inputs are 1
    net = _net({("W1", 0, 0): -5.0, ("W1", 1, 0): -5.0, ("b1", 0, 0): 7.5})
    t = F.feature_table(net, X, y)
    g1, g2 = F.name_hidden(t, "sigmoid")
    assert (g1.name, g2.name) == ("NAND", "AND")
    c = F.combine([g1, g2], net.W[1], net.b[1])
    # W2 = (7.2, −7.1), b2 = −3.2: output on when NAND is on and AND is off
    assert c.expr == "NAND AND NOT AND" and c.name == "NAND"


def test_compound_gate_names_are_parenthesised():
    # h1 = x1 OR NOT x2: σ(5·x1 − 5·x2 + 2.5)
    net = _net({("W1", 0, 0): 5.0, ("W1", 1, 0): -5.0, ("b1", 0, 0): 2.5})
    gates = F.name_hidden(F.feature_table(net, X, y), "sigmoid")
    assert gates[0].name == "x1 OR NOT x2"
    assert F.combine(gates, net.W[1], net.b[1]).expr == "(x1 OR NOT x2) AND NOT AND"


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_every_activation_is_named_by_z_above_zero(hidden):
    """One rule for every activation (core.gates): the names come from z1, not from a threshold on a1."""
    net = MLP.from_dict({k: 0.5 * v for k, v in NOTES_WEIGHTS.items()}, hidden=hidden)
    t = F.feature_table(net, X, y)
    g = F.name_hidden(t, hidden)
    assert [x.name for x in g] == ["OR", "AND"]  # half the notes' W1, b1: the same lines, the same gates
    assert [x.table for x in g] == [tuple(int(v) for v in t.z1[:, k] > 0) for k in range(2)]
    if hidden == "relu":  # a ReLU OR counts its inputs: 0, 1.3, 1.35, 3.9 (graded, not a clean gate)
        assert g[0].graded and g[0].counts and g[1].gate_like


def test_decisive_networks_predict_what_the_gates_say():
    net = MLP.from_dict({k: 10 * v for k, v in NOTES_WEIGHTS.items()})
    t = F.feature_table(net, X, y)
    c = F.combine(F.name_hidden(t, "sigmoid"), net.W[1], net.b[1])
    assert c.table == tuple(int(p) for p in t.pred) == (0, 1, 1, 0)


def test_one_hidden_neuron_combination():
    net = MLP([np.array([[5.0], [5.0]]), np.array([[-6.0]])], [np.array([[-2.5]]), np.array([[3.0]])])
    gates = F.name_hidden(F.feature_table(net, X, y), "sigmoid")
    assert gates[0].name == "OR"
    c = F.combine(gates, net.W[1], net.b[1])
    assert c.expr == "NOT OR" and c.name == "NOR"


def test_hidden_line_separates_the_notes_hidden_points():
    net = notes_network()
    t = F.feature_table(net, X, y)
    wi, wj, c = F.hidden_line(net.W[1], net.b[1], 0, 1)
    assert (wi, wj, c) == (7.2, -7.1, -3.2)
    side = wi * t.a1[:, 0] + wj * t.a1[:, 1] + c
    np.testing.assert_allclose(side, t.z2, rtol=1e-12)
    assert F.separates(t.z2, y) == 0
    box = F.hidden_box(t.a1, "sigmoid", 0, 1)
    assert box == pytest.approx((-0.1, 1.1, -0.1, 1.1))
    seg = line_segment(wi, wj, c, box)
    np.testing.assert_allclose(wi * seg[:, 0] + wj * seg[:, 1] + c, 0.0, atol=1e-12)
    on_edge = np.isclose(seg[:, :1], [box[0], box[1]]).any(axis=1) | np.isclose(seg[:, 1:], [box[2], box[3]]).any(
        axis=1
    )
    assert on_edge.all()


def test_line_segment_edge_cases():
    box = (0.0, 1.0, 0.0, 1.0)
    assert line_segment(1.0, 0.0, -0.5, box) == pytest.approx(np.array([[0.5, 0.0], [0.5, 1.0]]))  # vertical
    assert line_segment(0.0, 1.0, -0.25, box) == pytest.approx(np.array([[0.0, 0.25], [1.0, 0.25]]))
    assert line_segment(1.0, 1.0, -5.0, box).shape == (0, 2)  # misses the box
    assert line_segment(1.0, 1.0, 0.0, box).shape == (0, 2)  # touches one corner only
    seg = line_segment(1.0, -1.0, 0.0, box)  # the diagonal, corner to corner
    assert sorted(map(tuple, seg)) == [(0.0, 0.0), (1.0, 1.0)]
    assert F.hidden_line(np.zeros((2, 1)), np.ones((1, 1)), 0, 1) is None


def test_rest_contribution_with_three_neurons():
    a1 = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9], [1.0, 0.0, 0.5]])
    W2 = np.array([[1.0], [2.0], [-4.0]])
    assert F.rest_contribution(a1, W2, 0, 1) == pytest.approx(-4.0 * np.mean(a1[:, 2]))
    assert F.rest_contribution(a1[:, :2], W2[:2], 0, 1) == 0.0


def test_slice_errors_and_best_pair():
    # three hidden neurons: h1 = OR, h2 = AND, h3 = a useless constant; output = h1 − h2 − ½ + 0·h3
    a1 = np.array([[0.0, 0.0, 0.7], [1.0, 0.0, 0.7], [1.0, 0.0, 0.7], [1.0, 1.0, 0.7]])
    W2 = np.array([[2.0], [-2.0], [0.0]])
    b2 = np.array([[-1.0]])
    z2 = a1 @ W2 + b2
    assert F.separates(z2, y) == 0
    assert F.slice_errors(a1, W2, b2, y, 0, 1) == 0
    assert F.slice_errors(a1, W2, b2, y, 0, 2) > 0  # without h2, [1 1] looks like [0 1]
    assert F.best_pair(a1, W2, b2, y) == (0, 1)
    # two neurons: the slice is the whole story
    net = notes_network()
    t = F.feature_table(net, X, y)
    assert F.slice_errors(t.a1, net.W[1], net.b[1], y, 0, 1) == F.separates(t.z2, y) == 0


def test_hidden_box_for_unbounded_units_covers_the_points():
    a1 = np.array([[0.0, 1.0], [3.0, 2.0], [3.0, 2.0], [6.0, 5.0]])
    ulo, uhi, vlo, vhi = F.hidden_box(a1, "relu", 0, 1)
    assert ulo < 0 < 6 < uhi and vlo < 0 and vhi > 5
    assert F.hidden_box(a1, "tanh", 0, 1) == pytest.approx((-1.2, 1.2, -1.2, 1.2))


def test_plane_values_match_the_forward_pass():
    net = notes_network()
    a1, a2 = F.plane_values(net, n=5)
    assert a1.shape == (2, 5, 5) and a2.shape == (5, 5)
    axis = np.linspace(-0.5, 1.5, 5)
    # [x2 index, x1 index]: row 3 is x2 = 1.0, column 1 is x1 = 0.0 → the input [0 1]
    fwd = net.forward(np.array([[axis[1], axis[3]]]))
    assert a2[3, 1] == pytest.approx(fwd.a[2][0, 0])
    np.testing.assert_allclose(a1[:, 3, 1], fwd.a[1][0])


def test_hidden_space_values_agree_with_the_output_at_the_points():
    net = notes_network()
    t = F.feature_table(net, X, y)
    u, v, a2 = F.hidden_space_values(net.W[1], net.b[1], 0, 1, (0.0, 1.0, 0.0, 1.0), n=3)
    assert a2.shape == (3, 3)
    assert a2[0, 0] == pytest.approx(sigmoid(-3.2))  # h = (0, 0)
    assert a2[0, 2] == pytest.approx(sigmoid(7.2 - 3.2))  # h1 = 1, h2 = 0
    assert np.all((a2 > 0) & (a2 < 1)) and t.finite


def test_notes_table_differs_from_the_example_weights():
    t = F.feature_table(notes_network(), X, y)
    diff, r, c = F.notes_difference(t.a1, t.out)
    ours = np.c_[t.a1, t.out]
    assert diff == pytest.approx(np.max(np.abs(ours - F.NOTES_TABLE)))
    assert (r, c) == (3, 2)  # Output for [1 1]: 0.075 here, 0.002 in the notes
    assert diff > 0.05


def test_check_network():
    assert check_network(notes_network()) is None
    assert check_network(MLP.create([2, 3, 1], hidden="relu")) is None
    assert "one hidden layer" in check_network(MLP.create([2, 2, 2, 1]))
    assert "2" in check_network(MLP.create([3, 2, 1]))
    assert "output" in check_network(MLP.create([2, 2, 2]))
    assert "output" in check_network(MLP.create([2, 2, 2], output="softmax"))


def _logit(p):
    return np.log(p) - np.log1p(-p)


def test_notes_table_breaks_the_pair_sum_rule():
    """Each hidden column read as one sigmoid neuron of x1, x2: z = logit(a) must satisfy
    z[0 0] + z[1 1] = z[0 1] + z[1 0]. The notes' columns do not, even allowing for rounding."""
    h1, h2 = F.notes_table_check()
    for k, c in enumerate((h1, h2)):
        z = _logit(F.NOTES_TABLE[:, k])
        np.testing.assert_allclose(c.z, z, rtol=1e-12)
        assert c.sum_00_11 == pytest.approx(z[0] + z[3]) and c.sum_01_10 == pytest.approx(z[1] + z[2])
        # rounding: brute force over the 16 corners of the ±0.0005 box (the difference is monotone in each value)
        corners = np.array(np.meshgrid(*[[-F.ROUNDING, F.ROUNDING]] * 4)).reshape(4, -1).T
        d = [(lambda zz: zz[0] + zz[3] - zz[1] - zz[2])(_logit(F.NOTES_TABLE[:, k] + e)) for e in corners]
        assert min(d) > 0 or max(d) < 0  # the same sign everywhere: rounding cannot close the gap
        assert c.smallest_gap == pytest.approx(min(abs(min(d)), abs(max(d))))
        assert c.needed_11 == pytest.approx(sigmoid(z[1] + z[2] - z[0]))
    assert h1.sum_01_10 - h1.sum_00_11 > 3 and h2.sum_00_11 - h2.sum_01_10 > 6
    assert h1.smallest_gap > 3 and h2.smallest_gap > 6
    assert h2.needed_11 < 0.1 < 0.9 < F.NOTES_TABLE[3, 1]  # an AND this sharp is out of reach


def test_every_network_passes_the_pair_sum_check():
    rng = np.random.default_rng(3)
    for hidden in ("sigmoid", "tanh", "relu"):
        net = MLP.create([2, 3, 1], hidden=hidden, seed=int(rng.integers(1000)))
        for c in F.network_check(F.feature_table(net, X, y), hidden):
            assert c.sum_00_11 == pytest.approx(c.sum_01_10, abs=1e-12)
            assert c.smallest_gap is None


def test_the_notes_output_column_fits_its_hidden_columns():
    fit = F.notes_output_fit()
    h = F.NOTES_TABLE[:, :2]
    np.testing.assert_allclose(fit.out, sigmoid(h @ fit.W2 + fit.b2), rtol=1e-12)
    assert fit.matches
    np.testing.assert_array_equal(np.round(fit.out, 3), F.NOTES_TABLE[:, 2])


def test_non_finite_activations_are_flagged():
    net = notes_network()
    net.W[0][0, 0] = np.inf
    assert not F.feature_table(net, X, y).finite
