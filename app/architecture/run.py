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

from app import parameter
from app.architecture import charts
from app.diagram import diagram_columns
from app.plane import segment_lines
from core.activations import get_activation, sigmoid
from core.data import ROW_LABELS, notes_weights
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.decision import predicts_one
from core.linear_sep import line_segment, neuron_predict, neuron_z
from core.mlp import MLP

GRID_N = 41  # the planes' resolution: 41×41 cells of uint8, ~5 KB
NEURON_DEFAULTS = (1.0, 1.0, -0.5)  # the single-neuron sliders' starting u1, u2, c


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
    return segment_lines(line_segment(w1, w2, b, (lo, hi, lo, hi)))


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


def neuron_at(u1: float, u2: float, c: float, x) -> tuple[float, float, int]:
    """The single neuron at one point x (2,): (z = u1·x1 + u2·x2 + c, σ(z), its prediction 0/1)."""
    X1 = np.asarray(x, dtype=float).reshape(1, 2)
    z = float(neuron_z(u1, u2, c, X1)[0])
    return z, float(sigmoid(np.array(z))), int(neuron_predict(u1, u2, c, X1)[0])


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
        parameter.warm(net)
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page computes what is missing
        pass
