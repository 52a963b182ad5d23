"""Name the logic gate a hidden neuron computes on the four XOR inputs: the one rule every page uses.

THE RULE (Hidden features, Training's replay and convergence lab, Architecture)::

    a hidden unit is ON for an input when its pre-activation z > 0, OFF when z ≤ 0.

It is the same for every activation, because each one increases with z: z > 0 means a > σ(0) = 0.5
for sigmoid and a > 0 for tanh, ReLU, leaky ReLU and linear units. The four on/off bits, in the
notes' row order [0 0], [0 1], [1 0], [1 1], are one of the 16 two-input boolean functions (GATES).

A name is a fair summary only when the unit behaves like a gate. ``read_unit`` says when it does not
(``UnitReading.barely``, ``UnitReading.graded``):

- **barely decided**: one of the four input points lies within BARELY = 0.05 of the unit's line
  z = 0 in the input plane (where the points are 1 apart): its distance |z| / ‖(w1, w2)‖ is below
  0.05, or z = 0 exactly. A small change of the weights moves that input to the other side, and
  the name changes with it.
- **graded**: its activations do not form two clear levels. The gap between its lowest "on" value
  and its highest "off" value is below GAP = 0.6 of its scale: the whole range of a bounded
  activation (1 for sigmoid, 2 for tanh), or the unit's own range on the four inputs for ReLU,
  leaky ReLU and linear units (they have no fixed range, and the next layer can rescale them). A
  unit that is on (or off) for all four inputs is graded when its values spread over more than
  1 − GAP = 40 % of that scale. A graded unit may **count** the 1s in the input: its value rises
  evenly from [0 0] to [0 1] ≈ [1 0] to [1 1] (a ReLU unit with a1 = [0, 2.9, 2.9, 5.8] does).

``gate_combinations`` applies the rule to many networks at once (the convergence lab's solved runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.data import X as XOR_X

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
# the same names by code: bit r of the code (row 0 the highest) is the unit's bit for row r
NAMES_BY_CODE = [GATES[tuple((code >> (3 - r)) & 1 for r in range(4))] for code in range(16)]

BARELY = 0.05  # an input point closer than this to the unit's line z = 0 makes it "barely decided"
GAP = 0.6  # on and off values must be at least this share of the unit's scale apart, or it is "graded"


def is_on(z) -> np.ndarray:
    """THE RULE: True where a hidden unit is on, i.e. its pre-activation z > 0 (z = 0 is off)."""
    return np.asarray(z) > 0


def name_gate(z) -> tuple[str, tuple]:
    """z: one unit's 4 pre-activations (rows [0 0], [0 1], [1 0], [1 1]) → (name, truth table)."""
    z = np.asarray(z, dtype=float).ravel()
    if z.shape != (4,):
        raise ValueError("need the four pre-activations of one neuron")
    table = tuple(int(v) for v in is_on(z))
    return GATES[table], table


@dataclass
class UnitReading:
    """One hidden unit read as a gate. z, a: its pre-activations and activations (4,), rows as the notes.

    margin: distance in the input plane from the nearest input point (row ``nearest``) to the unit's
    line z = 0 (inf when it has no line: w1 = w2 = 0 and z ≠ 0); separation: the gap between its on
    and off values as a share of ``scale`` (see the module docstring); low, high: its ideal off and
    on values (a bounded activation's ends, otherwise its own weakest and strongest value); level:
    the activation at z = 0, where on begins.
    """

    name: str
    table: tuple
    z: np.ndarray
    a: np.ndarray
    margin: float
    nearest: int
    separation: float
    scale: float
    low: float
    high: float
    level: float

    @property
    def barely(self) -> bool:
        """An input lies (almost) on the unit's line: a small change of weights flips the name."""
        return self.margin < BARELY

    @property
    def graded(self) -> bool:
        """Its values do not form two clear levels (off near one value, on near another)."""
        return self.separation < GAP

    @property
    def gate_like(self) -> bool:
        return not (self.barely or self.graded)

    @property
    def counts(self) -> bool:
        """Graded, and rising evenly with the number of 1s: a[0 0] < a[0 1] ≈ a[1 0] < a[1 1], with
        [0 1] and [1 0] within 10 % of the rise r = a[1 1] − a[0 0] of each other and their mean
        within 25 % of r of the halfway value (a[0 0] + a[1 1]) / 2."""
        a = self.a
        rise = a[3] - a[0]
        middle = (a[1] + a[2]) / 2
        return bool(
            self.graded
            and rise > 0
            and a[0] < min(a[1], a[2])
            and max(a[1], a[2]) < a[3]
            and abs(a[1] - a[2]) <= 0.1 * rise
            and abs(middle - (a[0] + a[3]) / 2) <= 0.25 * rise
        )


def read_unit(z, a, hidden: str) -> UnitReading:
    """Read one hidden unit with activation ``hidden`` from its z and a on the XOR rows (4,)."""
    z = np.asarray(z, dtype=float).ravel()
    a = np.asarray(a, dtype=float).ravel()
    name, table = name_gate(z)
    on = is_on(z)
    # the unit's weights, back from its z on the four corners: w1 = z[1 0] − z[0 0], w2 = z[0 1] − z[0 0]
    norm = float(np.hypot(z[2] - z[0], z[1] - z[0]))
    dist = np.abs(z) / norm if norm > 0 else np.where(z == 0, 0.0, np.inf)
    nearest = int(np.argmin(dist))
    act = get_activation(hidden)
    if act.bounds is not None:
        low, high = act.bounds
        scale = high - low
    else:
        low, high = float(np.min(a)), float(np.max(a))
        scale = high - low
    if on.all() or not on.any():
        spread = float(np.max(a) - np.min(a))
        separation = 1.0 - spread / scale if scale > 0 else 1.0
    else:
        gap = float(np.min(a[on]) - np.max(a[~on]))
        separation = gap / scale if scale > 0 else 0.0
    level = float(act.f(np.array(0.0)))
    return UnitReading(name, table, z, a, float(dist[nearest]), nearest, separation, scale, low, high, level)


def read_units(z1: np.ndarray, a1: np.ndarray, hidden: str) -> list[UnitReading]:
    """z1, a1 (4, h) on the XOR rows → one reading per hidden unit (column)."""
    return [read_unit(z1[:, k], a1[:, k], hidden) for k in range(np.shape(z1)[1])]


def read_hidden(net) -> list[UnitReading]:
    """Every hidden unit of a one-hidden-layer ``core.mlp.MLP`` on the four XOR inputs."""
    fwd = net.forward(XOR_X)
    return read_units(fwd.z[1], fwd.a[1], net.hidden)


def gate_codes(W1: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """THE RULE for many networks at once. W1 (S, 2, h), b1 (S, 1, h) → codes (S, h) in 0..15
    (``NAMES_BY_CODE[code]`` is the unit's gate name)."""
    z = np.matmul(XOR_X, W1) + b1  # (S, 4, h)
    bits = is_on(z).astype(np.int64)
    return np.einsum("srh,r->sh", bits, np.array([8, 4, 2, 1]))


def combination(names) -> str:
    """Gate names as one unordered combination: alphabetical, joined by " + ", compound names in
    brackets ("(x1 AND NOT x2) + (x2 AND NOT x1)", "AND + OR", "NAND + constant 1")."""

    def part(name: str) -> str:
        return f"({name})" if " " in name and not name.startswith("constant") else name

    return " + ".join(part(n) for n in sorted(names))


def gate_combinations(W1: np.ndarray, b1: np.ndarray) -> list[tuple[str, int]]:
    """How many of S networks have each combination of hidden gates, most common first.

    W1 (S, 2, h), b1 (S, 1, h). Hidden units are interchangeable, so a combination is the units'
    names in alphabetical order (``combination``): "AND + OR" also counts networks that have OR first.
    """
    codes = np.sort(gate_codes(W1, b1), axis=1)  # the same combination → the same row
    if codes.shape[0] == 0:
        return []
    rows, counts = np.unique(codes, axis=0, return_counts=True)  # one entry per distinct combination
    combos = [(combination(NAMES_BY_CODE[c] for c in row), int(n)) for row, n in zip(rows.tolist(), counts)]
    return sorted(combos, key=lambda kv: (-kv[1], kv[0]))
