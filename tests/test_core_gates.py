"""core.gates: the one gate rule (z > 0), all 16 two-input boolean functions, when a unit is not
gate-like, and the vectorised count over many networks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.activations import ACTIVATIONS, sigmoid
from core.data import X, notes_network
from core.gates import GATES, combination, gate_combinations, is_on, name_gate, read_hidden, read_unit
from core.mlp import MLP

# Each name's meaning, written independently of core/gates.py, as a function of (x1, x2).
MEANING = {
    "constant 0": lambda a, b: False,
    "AND": lambda a, b: a and b,
    "x1 AND NOT x2": lambda a, b: a and not b,
    "x1": lambda a, b: a,
    "x2 AND NOT x1": lambda a, b: b and not a,
    "x2": lambda a, b: b,
    "XOR": lambda a, b: a != b,
    "OR": lambda a, b: a or b,
    "NOR": lambda a, b: not (a or b),
    "XNOR": lambda a, b: a == b,
    "NOT x2": lambda a, b: not b,
    "x1 OR NOT x2": lambda a, b: a or not b,
    "NOT x1": lambda a, b: not a,
    "x2 OR NOT x1": lambda a, b: b or not a,
    "NAND": lambda a, b: not (a and b),
    "constant 1": lambda a, b: True,
}
ROWS = [(bool(a), bool(b)) for a, b in X.astype(int)]  # the notes' order [0 0], [0 1], [1 0], [1 1]


def test_rows_are_in_the_notes_order():
    assert ROWS == [(False, False), (False, True), (True, False), (True, True)]


def test_all_16_truth_tables_have_distinct_names():
    assert set(GATES) == set(itertools.product((0, 1), repeat=4))
    assert len(set(GATES.values())) == 16
    assert set(GATES.values()) == set(MEANING)


@pytest.mark.parametrize("table", sorted(GATES))
def test_each_name_means_its_truth_table(table):
    name = GATES[table]
    assert tuple(int(MEANING[name](a, b)) for a, b in ROWS) == table


@pytest.mark.parametrize("table", sorted(GATES))
def test_name_gate_reads_pre_activations(table):
    z = np.where(np.array(table) == 1, 1.5, -1.5)
    assert name_gate(z) == (GATES[table], table)


def test_the_rule_is_z_above_zero_which_is_a_above_f0_for_every_activation():
    """On ⟺ z > 0, and (each activation increasing) ⟺ a > f(0): 0.5 for sigmoid, 0 for the others."""
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, size=(2000, 4))
    for name, act in ACTIVATIONS.items():
        level = {"sigmoid": 0.5}.get(name, 0.0)  # written here, not read from core
        a = act.f(z)
        np.testing.assert_array_equal(is_on(z), a > level, err_msg=name)
        for zz, aa in zip(z[:50], a[:50]):
            assert read_unit(zz, aa, name).table == tuple(int(v) for v in aa > level)


def test_z_exactly_zero_is_off_and_undecided():
    r = read_unit([0.0, 1.0, 1.0, 2.0], sigmoid(np.array([0.0, 1.0, 1.0, 2.0])), "sigmoid")
    assert r.name == "OR" and r.table == (0, 1, 1, 1)
    assert r.margin == 0.0 and r.nearest == 0 and r.barely


def test_margin_is_the_distance_from_the_nearest_point_to_the_line():
    # z = 3·x1 + 4·x2 − 0.2: ‖w‖ = 5, [0 0] is 0.2 / 5 = 0.04 from the line
    z = X @ np.array([3.0, 4.0]) - 0.2
    r = read_unit(z, sigmoid(z), "sigmoid")
    assert r.margin == pytest.approx(0.04) and r.nearest == 0 and r.barely
    z = X @ np.array([3.0, 4.0]) - 1.0  # now [0 0] is 0.2 away, [0 1] 0.6, [1 0] 0.4
    r = read_unit(z, sigmoid(z), "sigmoid")
    assert r.margin == pytest.approx(0.2) and r.nearest == 0 and not r.barely
    # no line at all: w1 = w2 = 0
    r = read_unit([2.0] * 4, sigmoid(np.full(4, 2.0)), "sigmoid")
    assert r.name == "constant 1" and r.margin == np.inf and not r.barely


def test_notes_network_neurons_are_clean_gates():
    g = read_hidden(notes_network())
    assert [r.name for r in g] == ["OR", "AND"]
    assert all(r.gate_like for r in g)
    a1 = notes_network().forward(X).a[1]
    # on and off values apart by at least GAP of sigmoid's range 1 (computed here)
    assert g[0].separation == pytest.approx(a1[1:, 0].min() - a1[0, 0])
    assert g[1].separation == pytest.approx(a1[3, 1] - a1[:3, 1].max())


def test_a_relu_unit_that_counts_its_inputs_is_graded():
    """The issue's example: a1 = [0, 2.99, 2.99, 5.99] is OR by z > 0 (and AND by the old midpoint
    rule): a graded unit that counts the 1s, and barely decided when z[0 0] is almost 0."""
    z = X @ np.array([3.0, 3.0]) - 0.01
    r = read_unit(z, np.maximum(z, 0), "relu")
    assert r.name == "OR"
    assert r.graded and r.counts and not r.gate_like
    assert r.separation == pytest.approx(2.99 / 5.99)
    assert r.barely and r.nearest == 0 and r.margin == pytest.approx(0.01 / np.hypot(3, 3))
    # the same line far from every point: still graded (counting), no longer barely decided
    z = X @ np.array([3.0, 3.0]) - 1.5
    r = read_unit(z, np.maximum(z, 0), "relu")
    assert r.name == "OR" and r.graded and r.counts and not r.barely
    # a ReLU AND is a clean gate: 0, 0, 0, then on
    z = X @ np.array([3.0, 3.0]) - 4.5
    r = read_unit(z, np.maximum(z, 0), "relu")
    assert r.name == "AND" and r.gate_like and r.separation == 1.0


def test_soft_sigmoid_units_are_graded_and_dead_units_are_constant():
    z = X @ np.array([2.0, 2.0]) - 1.0  # z = −1, 1, 1, 3: a = 0.27, 0.73, 0.73, 0.95
    r = read_unit(z, sigmoid(z), "sigmoid")
    assert r.name == "OR" and r.graded and r.counts and not r.barely
    z = X @ np.array([-1.0, -2.0]) - 0.5  # a dead ReLU unit: z < 0 everywhere, a = 0
    r = read_unit(z, np.maximum(z, 0), "relu")
    assert r.name == "constant 0" and not r.graded and r.separation == 1.0
    z = X @ np.array([1.0, 2.0]) + 0.5  # on everywhere, a linear unit passes its graded values on
    r = read_unit(z, z, "linear")
    assert r.name == "constant 1" and r.graded
    z = X @ np.array([0.3, 0.2]) + 6.0  # on everywhere, sigmoid pinned near 1: a clean constant 1
    r = read_unit(z, sigmoid(z), "sigmoid")
    assert r.name == "constant 1" and not r.graded


def test_tanh_scale_is_its_range():
    z = X @ np.array([4.0, 4.0]) - 6.0  # AND, tanh: −1.0, −0.96, −0.96, 0.96
    a = np.tanh(z)
    r = read_unit(z, a, "tanh")
    assert r.name == "AND" and r.scale == 2.0 and r.separation == pytest.approx((a[3] - a[1]) / 2)
    assert r.gate_like


@pytest.mark.parametrize("width", [2, 3, 4])
def test_gate_combinations_count_what_each_network_reads(width):
    rng = np.random.default_rng(width)
    S = 500
    W1 = rng.normal(0, 2, size=(S, 2, width))
    b1 = rng.normal(0, 2, size=(S, 1, width))
    want: dict[str, int] = {}
    for s in range(S):
        net = MLP([W1[s], np.ones((width, 1))], [b1[s], np.zeros((1, 1))], "tanh")
        key = combination(r.name for r in read_hidden(net))
        want[key] = want.get(key, 0) + 1
    got = gate_combinations(W1, b1)
    assert dict(got) == want
    assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
    assert gate_combinations(W1[:0], b1[:0]) == []


@pytest.mark.parametrize("pair", [("NAND", "OR"), ("NAND", "NOR"), ("x1 AND NOT x2", "x2 AND NOT x1"), ("AND", "OR")])
def test_the_splits_hidden_features_names_can_make_xor(pair):
    """Hidden features names these pairs as ways to split XOR: an output neuron on the two gates'
    bits can give XOR (a linearly separable function of the two bits, checked on a weight grid)."""
    table = {name: t for t, name in GATES.items()}
    bits = np.array([table[pair[0]], table[pair[1]]], dtype=float).T  # (4 rows, 2 gates)
    g = np.linspace(-3, 3, 13)
    w1, w2, b = (v.ravel() for v in np.meshgrid(g, g, g))
    out = (bits @ np.vstack([w1, w2]) + b) > 0  # (4, M)
    assert (out == np.array([[0], [1], [1], [0]], dtype=bool)).all(axis=0).any()


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError):
        name_gate([0.1, 0.2, 0.3])


def test_combination_names_are_unordered_and_bracketed():
    assert combination(["OR", "AND"]) == combination(["AND", "OR"]) == "AND + OR"
    assert combination(["x2 AND NOT x1", "x1 AND NOT x2"]) == "(x1 AND NOT x2) + (x2 AND NOT x1)"
    assert combination(["constant 0", "NAND", "OR"]) == "NAND + OR + constant 0"
