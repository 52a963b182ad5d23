"""core.gates.name_gate against all 16 two-input boolean functions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.data import X
from core.gates import GATES, name_gate

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
def test_name_gate_reads_soft_activations(table):
    # activations near 0/1, not exactly: 0.1 for off, 0.9 for on
    acts = np.where(np.array(table) == 1, 0.9, 0.1)
    name, got, decisiveness = name_gate(acts)
    assert got == table and name == GATES[table]
    assert decisiveness == pytest.approx(0.4)


def test_decisiveness_is_the_smallest_distance_from_the_threshold():
    name, table, dec = name_gate([0.076, 0.942, 0.951, 0.993])  # the notes' Hidden1
    assert name == "OR" and table == (0, 1, 1, 1)
    assert dec == pytest.approx(0.5 - 0.076)  # [0 0] is the closest call
    name, _, dec = name_gate([0.012, 0.031, 0.029, 0.986])  # the notes' Hidden2
    assert name == "AND" and dec == pytest.approx(0.5 - 0.031)


def test_threshold_is_strict_and_can_move():
    assert name_gate([0.5, 0.5, 0.5, 0.6])[0] == "AND"  # exactly 0.5 counts as off
    assert name_gate([0.5, 0.5, 0.5, 0.6])[2] == 0.0
    # tanh neurons: threshold 0
    assert name_gate([-0.9, 0.8, 0.7, 0.95], threshold=0.0)[0] == "OR"


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError):
        name_gate([0.1, 0.2, 0.3])
