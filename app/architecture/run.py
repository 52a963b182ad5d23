"""The Architecture page's cached computations: the diagram's numbers, the single neuron over the
XOR points, and the four points where the hidden layer puts them. Plain columns ({name: array})
and Arrow tables; ``charts.py`` turns them into charts.

Networks come in as ``MLP.key()``, so every cache keys on the exact weights; a cache is shared by
every student who looks at the same numbers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from app.architecture import charts
from core.activations import get_activation, sigmoid
from core.data import ROW_LABELS, notes_weights
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.decision import predicts_one
from core.linear_sep import line_segment, neuron_predict, neuron_z
from core.mlp import MLP

GRID_N = 41  # the planes' resolution: 41×41 cells of uint8, ~5 KB
NEURON_DEFAULTS = (1.0, 1.0, -0.5)  # the single-neuron sliders' starting u1, u2, c
ACT_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "linear": "linear"}


def _sign(v: float) -> str:
    return "positive" if v > 0 else ("negative" if v < 0 else "zero")


def _num(v: float) -> str:
    return f"{v:.2f}".replace("-", "−")


def _column_y(n: int) -> np.ndarray:
    """Vertical positions of n nodes, centred on 0, one unit apart, top first."""
    return (n - 1) / 2 - np.arange(n, dtype=float)


def _finite(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values with every non-finite one as 0, which were finite)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    return np.where(ok, v, 0.0), ok


# ----- the network diagram ----------------------------------------------------------------------------
def diagram_columns(net: MLP) -> tuple[dict, dict]:
    """(nodes, edges) of a 2-h-1 network as columns. Non-finite values become 0 with finite False."""
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]
    n_in, h = W1.shape
    act = ACT_SYMBOL.get(net.hidden, net.hidden)
    y_in, y_hid = _column_y(n_in), _column_y(h)
    layer = ["in"] * n_in + ["hid"] * h + ["out"]
    bias, bias_ok = _finite(np.r_[np.zeros(n_in), b1[0], b2[0]])
    nodes = {
        "layer": layer,
        "name": [f"x{i + 1}" for i in range(n_in)] + [f"h{j + 1}" for j in range(h)] + ["out"],
        "x": np.r_[np.zeros(n_in), np.ones(h), 2.0],
        "y": np.r_[y_in, y_hid, 0.0],
        "bias": bias,
        "bias_name": [""] * n_in + [f"b1[{j}]" for j in range(h)] + ["b2"],
        "role": [f"input x{i + 1} (0 or 1)" for i in range(n_in)]
        + [f"hidden neuron {j + 1}: a1[{j}] = {act}(z1[{j}])" for j in range(h)]
        + ["output a2 = σ(z2), the prediction"],
        "finite": bias_ok,
        "sign": [_sign(v) if lay != "in" else "zero" for v, lay in zip(bias, layer)],
        "bias_text": [
            "" if lay == "in" else ("b = " + (_num(v) if ok else "not finite"))
            for v, lay, ok in zip(bias, layer, bias_ok)
        ],
    }
    value, ok = _finite(np.r_[W1.ravel(), W2[:, 0]])
    pairs = [(i, j) for i in range(n_in) for j in range(h)]
    x, y = np.r_[np.zeros(len(pairs)), np.ones(h)], np.r_[[y_in[i] for i, _ in pairs], y_hid]
    x2, y2 = np.r_[np.ones(len(pairs)), np.full(h, 2.0)], np.r_[[y_hid[j] for _, j in pairs], np.zeros(h)]
    # Label positions: W1 labels a quarter of the way from the inputs (where crossing edges are still
    # apart), W2 labels halfway to the output.
    t = np.r_[np.full(len(pairs), 0.3), np.full(h, 0.5)]
    edges = {
        "param": [f"W1[{i},{j}]" for i, j in pairs] + [f"W2[{j}]" for j in range(h)],
        "edge": [f"x{i + 1} → h{j + 1}" for i, j in pairs] + [f"h{j + 1} → out" for j in range(h)],
        "x": x,
        "y": y,
        "x2": x2,
        "y2": y2,
        "value": value,
        "finite": ok,
        "abs": np.abs(value),
        "sign": [_sign(v) for v in value],
        "label": [_num(v) if f else "not finite" for v, f in zip(value, ok)],
        "lx": x + t * (x2 - x),
        "ly": y + t * (y2 - y),
    }
    return nodes, edges


@st.cache_data(max_entries=128, show_spinner=False)
def diagram(key: tuple) -> tuple[dict, dict, pa.Table, pa.Table]:
    """(nodes, edges, weights table, biases table): ``diagram_columns`` of the network, and every
    weight (weight, connects, value) and bias (bias, neuron, value) as tables."""
    nodes, edges = diagram_columns(MLP.from_key(key))
    weights = pa.table({"weight": edges["param"], "connects": edges["edge"], "value": edges["value"]})
    inner = [k for k, lay in enumerate(nodes["layer"]) if lay != "in"]
    biases = pa.table(
        {
            "bias": [nodes["bias_name"][k] for k in inner],
            "neuron": [nodes["name"][k] for k in inner],
            "value": nodes["bias"][inner],
        }
    )
    return nodes, edges, weights, biases


# ----- the planes: one neuron over the inputs, the output neuron over the hidden space ---------------------
def sigmoid_grid(w1: float, w2: float, b: float, lo: float, hi: float, n: int = GRID_N) -> np.ndarray:
    """σ(w1·u + w2·v + b) over [lo, hi]², indexed [v, u] (a single neuron, or the output neuron over
    the hidden space)."""
    axis = np.linspace(lo, hi, n)
    uu, vv = np.meshgrid(axis, axis)
    return sigmoid(w1 * uu + w2 * vv + b)


def line_columns(w1: float, w2: float, b: float, lo: float, hi: float) -> dict:
    """The line w1·u + w2·v + b = 0 inside [lo, hi]² as a plane's line columns (empty: no line)."""
    seg = line_segment(w1, w2, b, (lo, hi, lo, hi))
    k = len(seg)
    return {"x1": seg[:, 0], "x2": seg[:, 1], "line": np.zeros(k, np.int64), "order": np.arange(k, dtype=np.int64)}


@st.cache_data(max_entries=512, show_spinner=False)
def neuron(u1: float, u2: float, c: float, lo: float = -0.5, hi: float = 1.5) -> dict:
    """The single neuron z = u1·x1 + u2·x2 + c: "values" σ(z) over the plane, its "line" z = 0, the
    four "points" (x1, x2, label = XOR, input, z, output σ(z), prediction, mark ✓/✗) and their
    "table" (input, XOR, z, σ(z), prediction, right?)."""
    z = neuron_z(u1, u2, c)
    pred = neuron_predict(u1, u2, c)
    target = XOR_Y[:, 0].astype(np.int64)
    points = {
        "x1": XOR_X[:, 0].astype(float),
        "x2": XOR_X[:, 1].astype(float),
        "label": target,
        "input": list(ROW_LABELS),
        "z": z,
        "output": sigmoid(z),
        "prediction": pred.astype(np.int64),
        "mark": np.where(pred == target, "✓", "✗").tolist(),
    }
    table = pa.table(
        {
            "input": points["input"],
            "XOR": target,
            "z": z,
            "σ(z)": points["output"],
            "prediction": points["prediction"],
            "right?": points["mark"],
        }
    )
    return {
        "values": sigmoid_grid(u1, u2, c, lo, hi),
        "line": line_columns(u1, u2, c, lo, hi),
        "points": points,
        "table": table,
    }


def hidden_box(net: MLP, points: np.ndarray) -> tuple[float, float]:
    """A square view holding the activation's range (σ: 0..1) and the points."""
    act = get_activation(net.hidden)
    lo = float(min(act.f(np.array(-50.0)), points.min(), 0.0)) - 0.15
    hi = float(max(1.0, points.max())) + 0.15
    if hi - lo > 40:  # unbounded activations (ReLU): keep the view on the points
        lo, hi = float(points.min()) - 1.0, float(points.max()) + 1.0
    return round(lo, 2), round(hi, 2)


def shared_spots(a1: np.ndarray) -> list[str]:
    """Per input, the text written above its point in the hidden space: inputs the hidden layer sends
    to (almost) the same spot share one label ("[0 1] [1 0]"), the others' are empty."""
    span = max(float(np.ptp(a1)), 1.0)
    labels = list(ROW_LABELS)
    for i in range(len(labels)):
        for k in range(i):
            if labels[k] and np.linalg.norm(a1[i] - a1[k]) < 0.12 * span:
                labels[k] = f"{labels[k]} {labels[i]}"
                labels[i] = ""
                break
    return labels


@st.cache_data(max_entries=64, show_spinner=False)
def hidden_space(key: tuple) -> dict:
    """For a finite 2-2-1 net: each XOR input at (a1[0], a1[1]) with its z2, a2 and class ("points":
    x1, x2, label = XOR, input, name, z, output, mark), the view's "box" (lo, hi), σ(z2) over it
    ("values"), the output neuron's line z2 = 0 ("line"), the points as a "table" (input, a1[0],
    a1[1], a2, XOR) and the "merged" labels of inputs sharing one spot."""
    net = MLP.from_key(key)
    fwd = net.forward(XOR_X)
    a1, z2, a2 = fwd.a[1], fwd.z[2][:, 0], fwd.a[2][:, 0]
    names = shared_spots(a1)
    target = XOR_Y[:, 0].astype(np.int64)
    pred = predicts_one(a2).astype(np.int64)
    points = {
        "x1": a1[:, 0],
        "x2": a1[:, 1],
        "label": target,
        "input": list(ROW_LABELS),
        "name": names,
        "z": z2,
        "output": a2,
        "mark": np.where(pred == target, "✓", "✗").tolist(),
    }
    lo, hi = hidden_box(net, a1)
    w, b = net.W[1][:, 0], float(net.b[1][0, 0])
    table = pa.table({"input": points["input"], "a1[0]": a1[:, 0], "a1[1]": a1[:, 1], "a2": a2, "XOR": target})
    return {
        "points": points,
        "box": (lo, hi),
        "values": sigmoid_grid(w[0], w[1], b, lo, hi),
        "line": line_columns(w[0], w[1], b, lo, hi),
        "table": table,
        "merged": [lab for lab in names if "] [" in lab],
    }


def warm() -> None:
    """Fill the caches the page's default view uses (the notes' network at width 2, the single neuron
    at its default sliders, normal mode) through the same cached functions; draws nothing, touches
    no session."""
    try:
        net = MLP.from_dict(notes_weights())
        nodes, edges, _, _ = diagram(net.key())
        charts.diagram_spec(nodes, edges, False)
        charts.neuron_spec(neuron(*NEURON_DEFAULTS), False)
        charts.hidden_spec(hidden_space(net.key()), False)
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page computes what is missing
        pass
