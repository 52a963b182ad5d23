"""Name the logic gate a hidden neuron computes on the four XOR inputs."""

from __future__ import annotations

import numpy as np

# Truth tables in the notes' row order [0 0], [0 1], [1 0], [1 1] → name. All 16 functions.
GATES: dict[tuple, str] = {
    (0, 0, 0, 0): "constant 0",
    (0, 0, 0, 1): "AND",
    (0, 0, 1, 0): "x1 AND NOT x2",
    (0, 0, 1, 1): "x1",
    (0, 1, 0, 0): "x2 AND NOT x1",
    (0, 1, 0, 1): "x2",
    (0, 1, 1, 0): "XOR",
    (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR",
    (1, 0, 0, 1): "XNOR",
    (1, 0, 1, 0): "NOT x2",
    (1, 0, 1, 1): "x1 OR NOT x2",
    (1, 1, 0, 0): "NOT x1",
    (1, 1, 0, 1): "x2 OR NOT x1",
    (1, 1, 1, 0): "NAND",
    (1, 1, 1, 1): "constant 1",
}


def name_gate(activations, threshold: float = 0.5) -> tuple[str, tuple, float]:
    """activations: the neuron's 4 outputs (rows [0 0], [0 1], [1 0], [1 1]).

    Returns (name, truth table, decisiveness) where decisiveness is the smallest distance of the
    four activations from the threshold: near 0 means one row is a coin toss.
    """
    a = np.asarray(activations, dtype=float).ravel()
    if a.shape != (4,):
        raise ValueError("need the four activations of one neuron")
    table = tuple(int(v > threshold) for v in a)
    return GATES[table], table, float(np.min(np.abs(a - threshold)))
