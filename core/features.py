"""What the hidden neurons learned: the notes' feature table, gate names, and the hidden space.

For the notes' 2-2-1 network on the four XOR rows X (4, 2)::

    z1 = X @ W1 + b1, a1 = σ(z1)   (4, h)   one column per hidden neuron ("Hidden1", "Hidden2", …)
    z2 = a1 @ W2 + b2              (4, 1)   the output neuron's score; a2 = σ(z2) is the prediction

Each hidden neuron is named by ``core.gates``' one rule (on when z1 > 0), with its warnings when it
is not gate-like. The notes' own table is checked against the pair-sum argument: for one neuron
with z = w1·x1 + w2·x2 + b, z[0 0] + z[1 1] = z[0 1] + z[1 0] always (``pair_sum_check``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid
from core.decision import predicts_one, wrong
from core.gates import GATES, UnitReading, read_units
from core.mlp import MLP

# The notes' illustrative table ("You'll see something like"), rows [0 0], [0 1], [1 0], [1 1]:
# Hidden1, Hidden2, Output, given to 3 decimals. ``notes_table_check`` shows that no network's
# hidden neurons can produce its two hidden columns.
NOTES_TABLE = np.array(
    [
        [0.076, 0.012, 0.003],
        [0.942, 0.031, 0.998],
        [0.951, 0.029, 0.998],
        [0.993, 0.986, 0.002],
    ]
)
ROUNDING = 0.0005  # the notes' values are given to 3 decimals: the true value is within ±0.0005


@dataclass
class FeatureTable:
    """The notes' table. z1, a1 (4, h) hidden pre-activations and activations, z2/out/expected (4,),
    pred/wrong (4,) bool (``core.decision``'s rule)."""

    z1: np.ndarray
    a1: np.ndarray
    z2: np.ndarray
    out: np.ndarray
    expected: np.ndarray
    pred: np.ndarray
    wrong: np.ndarray

    @property
    def n_hidden(self) -> int:
        return self.a1.shape[1]

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.a1)) and np.all(np.isfinite(self.z2)) and np.all(np.isfinite(self.out)))


def feature_table(net: MLP, X: np.ndarray, y: np.ndarray) -> FeatureTable:
    """Forward pass of a one-hidden-layer network on X (N, 2) with labels y (N, 1)."""
    fwd = net.forward(X)
    out = fwd.a[2][:, 0]
    expected = np.asarray(y, dtype=float)[:, 0]
    return FeatureTable(fwd.z[1], fwd.a[1], fwd.z[2][:, 0], out, expected, predicts_one(out), wrong(out, expected))


def name_hidden(table: FeatureTable, hidden: str) -> list[UnitReading]:
    """One ``core.gates.UnitReading`` per hidden neuron of the table (the one gate rule)."""
    return read_units(table.z1, table.a1, hidden)


def bounds(hidden: str) -> tuple[float, float] | None:
    """The range a bounded hidden activation can take (sigmoid (0, 1), tanh (−1, 1)), else None."""
    return get_activation(hidden).bounds


# ----- the notes' table against the pair-sum argument ---------------------------------------------
def logit(a) -> np.ndarray:
    """z = log(a / (1 − a)): the pre-activation a sigmoid neuron needs to output a."""
    a = np.asarray(a, dtype=float)
    return np.log(a / (1.0 - a))


@dataclass
class PairSum:
    """One hidden column checked against z[0 0] + z[1 1] = z[0 1] + z[1 0] (rows as the notes).

    z (4,): the column's pre-activations (for the notes' table: the logits of its values);
    smallest_gap: the smallest |difference| any values within ±ROUNDING of the column's can give
    (0 when rounding could explain it; None for exact values); needed_11, needed_00: the [1 1]
    (or [0 0]) activation the other three force, σ(z[0 1] + z[1 0] − z[0 0]) (or − z[1 1]), for a
    sigmoid column.
    """

    column: str
    z: np.ndarray
    sum_00_11: float
    sum_01_10: float
    smallest_gap: float | None
    needed_11: float | None
    needed_00: float | None

    @property
    def difference(self) -> float:
        return self.sum_00_11 - self.sum_01_10


def pair_sum(column: str, z, rounded: np.ndarray | None = None, sigmoid_unit: bool = True) -> PairSum:
    """The check for one column with pre-activations z (4,). rounded: the column's sigmoid values as
    printed (to ROUNDING), to bound what rounding can explain."""
    z = np.asarray(z, dtype=float)
    gap = None
    if rounded is not None:
        lo, hi = logit(np.asarray(rounded) - ROUNDING), logit(np.asarray(rounded) + ROUNDING)
        # the difference rises with z[0 0], z[1 1] and falls with z[0 1], z[1 0]: its extremes are at the box's corners
        d_max = hi[0] + hi[3] - lo[1] - lo[2]
        d_min = lo[0] + lo[3] - hi[1] - hi[2]
        gap = 0.0 if d_min <= 0 <= d_max else float(min(abs(d_min), abs(d_max)))
    n11, n00 = (float(sigmoid(z[1] + z[2] - z[k])) for k in (0, 3)) if sigmoid_unit else (None, None)
    return PairSum(column, z, float(z[0] + z[3]), float(z[1] + z[2]), gap, n11, n00)


def notes_table_check() -> list[PairSum]:
    """The notes' Hidden1 and Hidden2 columns, each read as one sigmoid neuron of x1, x2."""
    return [pair_sum(f"Hidden{k + 1}", logit(NOTES_TABLE[:, k]), NOTES_TABLE[:, k]) for k in range(2)]


def network_check(table: FeatureTable, hidden: str) -> list[PairSum]:
    """The same check on a network's own hidden neurons (exact z1: the sums agree to rounding error)."""
    return [pair_sum(f"Hidden{k + 1}", table.z1[:, k], sigmoid_unit=hidden == "sigmoid") for k in range(table.n_hidden)]


@dataclass
class OutputFit:
    """The output column of the notes' table, fitted from its own hidden columns.

    W2 (2,), b2: least squares on the output's logits; out (4,): σ(W2·h + b2); matches: out rounds
    to the table's output column at 3 decimals.
    """

    W2: np.ndarray
    b2: float
    out: np.ndarray
    matches: bool


def notes_output_fit() -> OutputFit:
    """Could an output neuron turn the table's Hidden1, Hidden2 into its Output column?"""
    H = np.c_[NOTES_TABLE[:, :2], np.ones(4)]
    sol = np.linalg.lstsq(H, logit(NOTES_TABLE[:, 2]), rcond=None)[0]
    out = sigmoid(H @ sol)
    return OutputFit(sol[:2], float(sol[2]), out, bool(np.all(np.abs(out - NOTES_TABLE[:, 2]) <= ROUNDING)))


def _substitute(expr: str, names: dict) -> str:
    """Replace the tokens x1/x2 of a GATES name by (parenthesised) neuron names."""
    out = []
    for tok in expr.split(" "):
        if tok in names:
            n = names[tok]
            out.append(f"({n})" if " " in n else n)
        else:
            out.append(tok)
    return " ".join(out)


@dataclass
class Combination:
    """How the output neuron combines the hidden gates, if each hidden neuron were exactly off/on.

    expr: the output as a boolean function of the gates (e.g. "OR AND NOT AND"), or "" for > 2
    hidden neurons; table: what that gives on the four inputs; name: its gate name.
    up/down: indices of hidden neurons with positive/negative output weight.
    """

    expr: str
    table: tuple
    name: str
    up: list
    down: list


def combine(gates: list[UnitReading], W2: np.ndarray, b2: np.ndarray) -> Combination:
    """Idealise each hidden neuron to its off/on value and push that through the output neuron.

    W2 (h, 1), b2 (1, 1). With two hidden neurons A and B the output's truth table over
    (A, B) ∈ {00, 01, 10, 11} is itself one of the 16 gates, named with A and B in place of x1, x2.
    """
    w = np.asarray(W2, dtype=float)[:, 0]
    b = float(np.asarray(b2, dtype=float).ravel()[0])
    h = len(gates)

    def output_bit(bits) -> int:
        vals = [g.high if bit else g.low for g, bit in zip(gates, bits)]
        return int(predicts_one(sigmoid(float(np.dot(w, vals)) + b)))

    table = tuple(output_bit([g.table[r] for g in gates]) for r in range(4))
    expr = ""
    if h == 2:
        over = tuple(output_bit(bits) for bits in ((0, 0), (0, 1), (1, 0), (1, 1)))
        expr = _substitute(GATES[over], {"x1": gates[0].name, "x2": gates[1].name})
    elif h == 1:
        off, on = output_bit([0]), output_bit([1])
        expr = {(0, 0): "constant 0", (0, 1): "A", (1, 0): "NOT A", (1, 1): "constant 1"}[(off, on)]
        expr = _substitute(expr.replace("A", "x1"), {"x1": gates[0].name})
    up = [k for k in range(h) if w[k] > 0]
    down = [k for k in range(h) if w[k] < 0]
    return Combination(expr, table, GATES[table], up, down)


def hidden_line(W2: np.ndarray, b2: np.ndarray, i: int, j: int, rest: float = 0.0):
    """The output neuron's line z2 = 0 in the plane of hidden neurons i and j.

    W2[i]·h_i + W2[j]·h_j + b2 + rest = 0, where ``rest`` is the other neurons' contribution
    (0 for a 2-2-1 network). Returns (wi, wj, c) with c = b2 + rest, or None if wi = wj = 0.
    """
    w = np.asarray(W2, dtype=float)[:, 0]
    c = float(np.asarray(b2, dtype=float).ravel()[0]) + rest
    if w[i] == 0 and w[j] == 0:
        return None
    return float(w[i]), float(w[j]), c


def rest_contribution(a1: np.ndarray, W2: np.ndarray, i: int, j: int) -> float:
    """Mean over the rows of Σ_{k ≠ i, j} W2[k]·a1[:, k]: what the other hidden neurons add to z2.

    a1 (4, h), W2 (h, 1). Zero for a 2-2-1 network.
    """
    w = np.asarray(W2, dtype=float)[:, 0].copy()
    w[[i, j]] = 0.0
    return float(np.mean(a1 @ w))


def slice_errors(a1: np.ndarray, W2: np.ndarray, b2: np.ndarray, y: np.ndarray, i: int, j: int) -> int:
    """Rows on the wrong side of the plotted line for the pair (i, j), the others at their mean.

    a1 (4, h), W2 (h, 1), b2 (1, 1), y (4, 1). Equals ``separates(z2, y)`` for two hidden neurons.
    """
    w = np.asarray(W2, dtype=float)[:, 0]
    rest = rest_contribution(a1, W2, i, j)
    z = w[i] * a1[:, i] + w[j] * a1[:, j] + float(np.asarray(b2).ravel()[0]) + rest
    return separates(z, y)


def best_pair(a1: np.ndarray, W2: np.ndarray, b2: np.ndarray, y: np.ndarray) -> tuple[int, int]:
    """The pair of hidden neurons whose 2-D view separates the classes best (fewest rows on the wrong
    side of the sliced line), ties broken by the larger |W2[i]| + |W2[j]|."""
    w = np.abs(np.asarray(W2, dtype=float)[:, 0])
    h = a1.shape[1]
    pairs = [(i, j) for i in range(h) for j in range(i + 1, h)]
    return min(pairs, key=lambda p: (slice_errors(a1, W2, b2, y, *p), -(w[p[0]] + w[p[1]]), p))


def hidden_box(a1: np.ndarray, hidden: str, i: int, j: int) -> tuple:
    """Axis ranges (ulo, uhi, vlo, vhi) for the hidden-space plot of neurons i, j.

    Bounded activations use their full range (sigmoid [0, 1], tanh [−1, 1]); others the points'
    range; each padded by 10 %.
    """
    out = []
    for k in (i, j):
        if bounds(hidden) is not None:
            lo, hi = bounds(hidden)
        else:
            lo, hi = float(np.min(a1[:, k])), float(np.max(a1[:, k]))
            lo, hi = min(lo, 0.0), max(hi, lo + 1e-6)
        pad = 0.1 * (hi - lo) if hi > lo else 0.5
        out += [lo - pad, hi + pad]
    return tuple(out)


def separates(z2: np.ndarray, y: np.ndarray) -> int:
    """Number of rows on the wrong side of z2 = 0 (0 means the output's line separates the classes),
    by ``core.decision``'s rule on a2 = σ(z2)."""
    return int(np.sum(wrong(sigmoid(np.asarray(z2, dtype=float).ravel()), np.asarray(y).ravel())))


def plane_values(net: MLP, n: int = 100, lo: float = -0.5, hi: float = 1.5):
    """The notes' grid over [lo, hi]²: returns (a1 (h, n, n), a2 (n, n)), each indexed [x2, x1]."""
    axis = np.linspace(lo, hi, n)
    xx1, xx2 = np.meshgrid(axis, axis)
    fwd = net.forward(np.c_[xx1.ravel(), xx2.ravel()])
    a1 = fwd.a[1].T.reshape(-1, n, n)
    return a1, fwd.a[2][:, 0].reshape(n, n)


def hidden_space_values(W2: np.ndarray, b2: np.ndarray, i: int, j: int, box: tuple, rest: float = 0.0, n: int = 40):
    """The output a2 = σ(W2[i]·u + W2[j]·v + b2 + rest) over the box (ulo, uhi, vlo, vhi).

    Returns (u (n,), v (n,), a2 (n, n) indexed [v, u]) — what the output neuron "sees" in the
    plane of hidden neurons i and j.
    """
    u = np.linspace(box[0], box[1], n)
    v = np.linspace(box[2], box[3], n)
    uu, vv = np.meshgrid(u, v)
    w = np.asarray(W2, dtype=float)[:, 0]
    return u, v, sigmoid(w[i] * uu + w[j] * vv + float(np.asarray(b2).ravel()[0]) + rest)


def notes_difference(a1: np.ndarray, out: np.ndarray) -> tuple[float, int, int]:
    """Largest |ours − notes' table| over Hidden1, Hidden2, Output: (value, row, column 0..2)."""
    ours = np.c_[a1[:, :2], out]
    d = np.abs(ours - NOTES_TABLE)
    r, c = np.unravel_index(int(np.argmax(d)), d.shape)
    return float(d[r, c]), int(r), int(c)
