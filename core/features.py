"""What the hidden neurons learned: the notes' feature table, gate names, and the hidden space.

For the notes' 2-2-1 network on the four XOR rows X (4, 2)::

    a1 = σ(X @ W1 + b1)       (4, h)   one column per hidden neuron ("Hidden1", "Hidden2", …)
    z2 = a1 @ W2 + b2         (4, 1)   the output neuron's score; a2 = σ(z2) is the prediction

Each hidden column is thresholded and matched against the 16 two-input boolean functions
(``core.gates``). The threshold depends on the hidden activation: 0.5 for sigmoid (σ(0)), 0 for
tanh (tanh(0)); ReLU, leaky ReLU and linear units have no fixed "half-way" value, so a unit counts
as "on" when it is above the midpoint of its own weakest and strongest response on the four
inputs. In every case the threshold sits halfway between the unit's "off" and "on" values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import sigmoid
from core.gates import GATES, name_gate
from core.mlp import MLP

BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # activations with a fixed off/on range

# The notes' illustrative table ("You'll see something like"), rows [0 0], [0 1], [1 0], [1 1]:
# Hidden1, Hidden2, Output. It came from a training run, not from the notes' example weights.
NOTES_TABLE = np.array(
    [
        [0.076, 0.012, 0.003],
        [0.942, 0.031, 0.998],
        [0.951, 0.029, 0.998],
        [0.993, 0.986, 0.002],
    ]
)


@dataclass
class Rule:
    """How one hidden neuron is read as on/off: a > threshold means on.

    low/high: the neuron's ideal "off" and "on" values (used to combine gates into the output);
    scale: the largest decisiveness possible (distance from threshold to low/high).
    """

    threshold: float
    low: float
    high: float
    text: str

    @property
    def scale(self) -> float:
        return (self.high - self.low) / 2


@dataclass
class Gate:
    """One hidden neuron's reading: name (e.g. "OR"), truth table over the 4 rows, decisiveness."""

    name: str
    table: tuple
    decisiveness: float
    rule: Rule


@dataclass
class FeatureTable:
    """The notes' table. a1 (4, h) hidden activations, z2/out/expected (4,), pred/wrong (4,) bool."""

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


def check_network(net: MLP) -> str | None:
    """None if this page's analysis applies to ``net``; otherwise a plain-words reason."""
    if net.n_layers != 2:
        return f"this page explains networks with exactly one hidden layer; this one has {net.n_layers - 1}"
    if net.sizes[0] != 2:
        return f"the network takes {net.sizes[0]} inputs, XOR has 2"
    if net.sizes[-1] != 1 or net.output != "sigmoid":
        return "the output must be one sigmoid neuron"
    return None


def feature_table(net: MLP, X: np.ndarray, y: np.ndarray) -> FeatureTable:
    """Forward pass of a one-hidden-layer network on X (N, 2) with labels y (N, 1)."""
    fwd = net.forward(X)
    out = fwd.a[2][:, 0]
    pred = out > 0.5
    expected = np.asarray(y, dtype=float)[:, 0]
    return FeatureTable(fwd.a[1], fwd.z[2][:, 0], out, expected, pred, pred != (expected > 0.5))


def rule_for(hidden: str, activations: np.ndarray) -> Rule:
    """The on/off rule for one hidden neuron with activation ``hidden``; activations (4,)."""
    if hidden in BOUNDED:
        lo, hi = BOUNDED[hidden]
        mid = (lo + hi) / 2
        return Rule(mid, lo, hi, f"{hidden}: on when above {mid:g}, the value at z = 0")
    a = np.asarray(activations, dtype=float)
    lo, hi = float(np.min(a)), float(np.max(a))
    return Rule((lo + hi) / 2, lo, hi, f"{hidden}: on when above the midpoint of its weakest and strongest response")


def name_hidden(a1: np.ndarray, hidden: str = "sigmoid") -> list[Gate]:
    """a1 (4, h) → one Gate per hidden neuron (column)."""
    gates = []
    for k in range(a1.shape[1]):
        rule = rule_for(hidden, a1[:, k])
        name, table, dec = name_gate(a1[:, k], rule.threshold)
        if rule.scale <= 1e-12:  # same value on all four inputs: nothing to read
            dec = 0.0
        gates.append(Gate(name, table, dec, rule))
    return gates


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


def combine(gates: list[Gate], W2: np.ndarray, b2: np.ndarray) -> Combination:
    """Idealise each hidden neuron to its off/on value and push that through the output neuron.

    W2 (h, 1), b2 (1, 1). With two hidden neurons A and B the output's truth table over
    (A, B) ∈ {00, 01, 10, 11} is itself one of the 16 gates, named with A and B in place of x1, x2.
    """
    w = np.asarray(W2, dtype=float)[:, 0]
    b = float(np.asarray(b2, dtype=float).ravel()[0])
    h = len(gates)

    def output_bit(bits) -> int:
        vals = [g.rule.high if bit else g.rule.low for g, bit in zip(gates, bits)]
        return int(float(np.dot(w, vals)) + b > 0)

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


def line_segment(wi: float, wj: float, c: float, box: tuple) -> np.ndarray | None:
    """Where wi·u + wj·v + c = 0 crosses the box (ulo, uhi, vlo, vhi): array (2, 2) of (u, v), or None."""
    ulo, uhi, vlo, vhi = box
    pts = []
    if wj != 0:
        for u in (ulo, uhi):  # left and right edges
            v = -(wi * u + c) / wj
            if vlo <= v <= vhi:
                pts.append((u, v))
    if wi != 0:
        for v in (vlo, vhi):  # bottom and top edges
            u = -(wj * v + c) / wi
            if ulo <= u <= uhi:
                pts.append((u, v))
    if len(pts) < 2:
        return None
    # the two points furthest apart (a line through a corner hits it twice)
    far = max(((p, q) for p in pts for q in pts), key=lambda pq: np.hypot(pq[0][0] - pq[1][0], pq[0][1] - pq[1][1]))
    if far[0] == far[1]:
        return None
    return np.array(far, dtype=float)


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
        if hidden in BOUNDED:
            lo, hi = BOUNDED[hidden]
        else:
            lo, hi = float(np.min(a1[:, k])), float(np.max(a1[:, k]))
            lo, hi = min(lo, 0.0), max(hi, lo + 1e-6)
        pad = 0.1 * (hi - lo) if hi > lo else 0.5
        out += [lo - pad, hi + pad]
    return tuple(out)


def separates(z2: np.ndarray, y: np.ndarray) -> int:
    """Number of rows on the wrong side of z2 = 0 (0 means the output's line separates the classes)."""
    return int(np.sum((np.asarray(z2).ravel() > 0) != (np.asarray(y).ravel() > 0.5)))


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
