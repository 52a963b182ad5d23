"""What the Hidden features page computes for one network, cached on its exact weights
(``MLP.key()``): the notes' table, the gate names, the maps over the input plane, the hidden space.
Plain data only: app/hidden_features/charts.py draws it, text.py words it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import streamlit as st

from app.plane import HI, LO
from core import features as F
from core.data import NOTES_WEIGHTS, ROW_LABELS, X, notes_weights, y
from core.decision import predicts_one
from core.gates import UnitReading
from core.linear_sep import line_segment
from core.mlp import MLP
from core.probe import morph_grid

GRID_N = 100  # the boundary map: 100×100 cells
SMALL_N = 60  # each hidden neuron's map
HIDDEN_N = 40  # the output neuron's view of the hidden space
MORPH_N = 11  # the morph's grid: 11×11 points over the input square


def neuron_range(g: UnitReading, hidden: str) -> tuple[float, float]:
    """A hidden neuron map's colour range, white where the neuron switches on (z1 = 0): a bounded
    activation's range (sigmoid 0 to 1, tanh −1 to 1); otherwise ±(its largest |a1| on the four inputs)."""
    if F.bounds(hidden) is not None:
        return F.bounds(hidden)
    m = float(np.max(np.abs(g.a)))
    return (-m, m) if m > 0 else (-1.0, 1.0)


@dataclass
class NeuronMap:
    """One hidden neuron over the input plane: a1 (SMALL_N, SMALL_N) indexed [x2, x1], its colour
    range and its exact line z1 = 0 inside the plot ((k, 2) points, k = 0 when it misses)."""

    values: np.ndarray
    vrange: tuple[float, float]
    segment: np.ndarray


@dataclass
class NetworkView:
    """Everything the page shows for one network (empty when its numbers are not finite).

    frame: the notes' table (Input, Hidden1…, Output, Expected, Prediction); a2: the output over the
    plane (GRID_N, GRID_N); red: the share of the square it predicts 1; best: the pair to plot first;
    wrong: inputs on the wrong side of the output's z2 = 0; own_check: its hidden columns' pair sums;
    notes: it is the notes' example network."""

    table: F.FeatureTable
    gates: list
    comb: F.Combination | None
    frame: pa.Table | None
    a2: np.ndarray | None
    red: float
    neurons: list
    best: tuple | None
    wrong: int = 0
    own_check: list | None = None
    notes: bool = False


@st.cache_data(max_entries=128, show_spinner=False)
def network_view(key: tuple) -> NetworkView:
    """The one computation per network; key from ``MLP.key``."""
    net = MLP.from_key(key)
    table = F.feature_table(net, X, y)
    if not table.finite:
        return NetworkView(table, [], None, None, None, 0.0, [], None)
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]
    gates = F.name_hidden(table, net.hidden)
    _, a2 = F.plane_values(net, GRID_N)
    a1, _ = F.plane_values(net, SMALL_N)
    box = (LO, HI, LO, HI)
    neurons = [
        # its exact line z1 = 0: a ReLU unit's map, flat at 0 on one side, has no contour for it
        NeuronMap(a1[k], neuron_range(g, net.hidden), line_segment(*W1[:, k].astype(float), float(b1[0, k]), box))
        for k, g in enumerate(gates)
    ]
    h = table.n_hidden
    return NetworkView(
        table=table,
        gates=gates,
        comb=F.combine(gates, W2, b2),
        frame=feature_frame(table),
        a2=a2,
        red=float(np.mean(predicts_one(a2))),
        neurons=neurons,
        best=F.best_pair(table.a1, W2, b2, y) if h > 2 else ((0, 1) if h == 2 else None),
        wrong=F.separates(table.z2, y),
        own_check=F.network_check(table, net.hidden),
        notes=h >= 2 and all(np.array_equal(a, NOTES_WEIGHTS[k]) for k, a in net.to_dict().items()),
    )


def feature_frame(table: F.FeatureTable) -> pa.Table:
    """The notes' table: Input | Hidden1 | Hidden2 | … | Output | Expected | Prediction (wrong ones marked ✗)."""
    cols = {"Input": pa.array(ROW_LABELS)}
    for k in range(table.n_hidden):
        cols[f"Hidden{k + 1}"] = pa.array(table.a1[:, k])
    cols["Output"] = pa.array(table.out)
    cols["Expected"] = pa.array(table.expected.astype(np.int64))
    marks = [f"{int(p)} ✗ wrong" if w else f"{int(p)} ✓" for p, w in zip(table.pred, table.wrong)]
    cols["Prediction"] = pa.array(marks)
    return pa.table(cols)


@dataclass
class SpaceView:
    """The hidden-space plot of neurons i, j: its box (ulo, uhi, vlo, vhi); a2, the output over the
    box (HIDDEN_N, HIDDEN_N) indexed [v, u]; segment, the output's line z2 = 0 inside the box ((k, 2));
    the four inputs at (u, v) with their z2, output and label text; frame, the same as a table; cut:
    inputs on the wrong side of the plotted line (the other hidden neurons at their mean)."""

    i: int
    j: int
    box: tuple
    a2: np.ndarray
    segment: np.ndarray
    u: np.ndarray
    v: np.ndarray
    z2: np.ndarray
    out: np.ndarray
    expected: np.ndarray
    texts: list
    frame: pa.Table
    cut: int


@st.cache_data(max_entries=128, show_spinner=False)
def space_view(key: tuple, i: int, j: int) -> SpaceView:
    net = MLP.from_key(key)
    table = F.feature_table(net, X, y)
    W2, b2 = net.W[1], net.b[1]
    a1 = table.a1
    box = F.hidden_box(a1, net.hidden, i, j)
    rest = F.rest_contribution(a1, W2, i, j)
    _, _, a2 = F.hidden_space_values(W2, b2, i, j, box, rest, HIDDEN_N)
    line = F.hidden_line(W2, b2, i, j, rest)
    seg = line_segment(*line, box) if line is not None else np.empty((0, 2))
    u, v = a1[:, i], a1[:, j]
    expected = table.expected.astype(np.int64)
    frame = pa.table(
        {
            "Input": pa.array(ROW_LABELS),
            f"Hidden{i + 1}": pa.array(u),
            f"Hidden{j + 1}": pa.array(v),
            "z2": pa.array(table.z2),
            "XOR": pa.array(expected),
        }
    )
    texts = group_labels(u, v, box)
    cut = F.slice_errors(a1, W2, b2, y, i, j)
    return SpaceView(i, j, box, a2, seg, u, v, table.z2, table.out, expected, texts, frame, cut)


@dataclass
class MorphView:
    """The morph of neurons i, j: "points" columns x1, x2 (where each point starts), h1, h2 (where the
    hidden layer sends it: a1[i], a1[j]), kind ("grid" or "input"), row and col (its grid line), cls
    (the network's prediction there), a2 (its output), input (its name); the axes' domains udom, vdom
    (the input square and every hidden position); line, the output's line z2 = 0 across that box ((k,
    2)); dropped, grid points left out because their hidden position is not a finite number."""

    i: int
    j: int
    points: dict
    udom: list
    vdom: list
    line: np.ndarray
    dropped: int


@st.cache_data(max_entries=128, show_spinner=False)
def morph_view(key: tuple, i: int, j: int) -> MorphView:
    net = MLP.from_key(key)
    G, H, a2 = morph_grid(net, MORPH_N, i, j, LO, HI)
    fwd = net.forward(X)
    n = len(G)
    row, col = np.divmod(np.arange(n), MORPH_N)  # the grid's x2 index and x1 index
    pts = {
        "x1": np.r_[G[:, 0], X[:, 0]],
        "x2": np.r_[G[:, 1], X[:, 1]],
        "h1": np.r_[H[:, 0], fwd.a[1][:, i]],
        "h2": np.r_[H[:, 1], fwd.a[1][:, j]],
        "kind": np.array(["grid"] * n + ["input"] * 4, dtype=object),
        "row": np.r_[row, [-1] * 4].astype(np.int64),
        "col": np.r_[col, [-1] * 4].astype(np.int64),
        "cls": np.r_[predicts_one(a2), predicts_one(fwd.a[2][:, 0])].astype(np.int64),
        "a2": np.r_[a2, fwd.a[2][:, 0]],
        "input": np.array([""] * n + ROW_LABELS, dtype=object),
    }
    ok = np.isfinite(pts["h1"]) & np.isfinite(pts["h2"]) & np.isfinite(pts["a2"])
    pts = {k: v[ok] for k, v in pts.items()}
    udom = [min(LO, float(pts["h1"].min())), max(HI, float(pts["h1"].max()))]
    vdom = [min(LO, float(pts["h2"].min())), max(HI, float(pts["h2"].max()))]
    W2, b2 = net.W[1], net.b[1]
    line = F.hidden_line(W2, b2, i, j, F.rest_contribution(fwd.a[1], W2, i, j))
    seg = line_segment(*line, (*udom, *vdom)) if line is not None else np.empty((0, 2))
    return MorphView(i, j, pts, udom, vdom, seg, int((~ok).sum()))


def group_labels(u: np.ndarray, v: np.ndarray, box: tuple) -> list[str]:
    """Text for each point; points closer than 5 % of the plot share one label (the first shows it)."""
    du, dv = box[1] - box[0], box[3] - box[2]
    texts = list(ROW_LABELS)
    shown = [True] * 4
    for a in range(4):
        if not shown[a]:
            continue
        for b in range(a + 1, 4):
            if shown[b] and abs(u[a] - u[b]) < 0.05 * du and abs(v[a] - v[b]) < 0.05 * dv:
                texts[a] = f"{texts[a]}, {ROW_LABELS[b]}"
                shown[b] = False
    return [t if s else "" for t, s in zip(texts, shown)]


@st.cache_data(show_spinner=False)
def notes_check() -> tuple[list, F.OutputFit]:
    """The notes' printed table read back as networks: its hidden columns' pair sums, and the output
    neuron fitted to its Output column (the same for every network)."""
    return F.notes_table_check(), F.notes_output_fit()


def pair_sum_frame(rows: list) -> pa.Table:
    """The pair-sum check as a table: one row per (label, core.features.PairSum), the two sums and
    the four z values."""
    cols = {"Column": pa.array([label for label, _ in rows])}
    # the two sums first: what the student compares, visible without scrolling on a phone
    cols["z[0 0] + z[1 1]"] = pa.array([c.sum_00_11 for _, c in rows])
    cols["z[0 1] + z[1 0]"] = pa.array([c.sum_01_10 for _, c in rows])
    for r, name in enumerate(ROW_LABELS):
        cols[f"z{name}"] = pa.array([float(c.z[r]) for _, c in rows])
    return pa.table(cols)


def warm() -> None:
    """Fill the caches of the page's default render (the notes' network, normal mode) through the
    same functions: no session, no drawing; a failure only means a slower first render."""
    try:
        from app.hidden_features import charts

        key = MLP.from_dict(notes_weights()).key()
        view = network_view(key)
        notes_check()
        space = space_view(key, *view.best)
        charts.boundary(view, False)
        for k in range(len(view.neurons)):
            charts.neuron_map(view, k, False)
        charts.hidden_space(space, False)
        charts.morph(morph_view(key, *view.best), False)
    except Exception:  # noqa: BLE001 - warming is an optimisation, never an error
        return
