"""The network diagram of a 2-h-1 network, shared by the chapters that draw it (Architecture; One
epoch in slow motion), through app.chart.

Inputs, hidden and output nodes in three columns; an edge per weight, red and solid when positive, blue
and dashed when negative, thicker for larger |w| (square-root scale, so small random weights still show); each
neuron's bias written under it; every edge and node has a tooltip with its value.

``diagram_columns`` gives a network's nodes and edges as columns; ``diagram_spec`` fills the
builder. With ``lit=True`` the builder also reads a boolean "lit" column in both datasets: lit nodes
and edges are drawn strong (nodes shaded), the others faded, only lit edges carry their label, the
legends are left out (the page says what colour and thickness mean), and a node's or edge's text may
run over several lines ("\\n"): a page can light up one step of a computation and write its numbers on it.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, fill, layout, sizes, source
from app.plane import CLICK
from app.ui import BLUE, GREY, RED
from core.mlp import MLP

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


LIT_FILL, LIT_EDGE = "#fde9c8", "#d95f02"  # a lit neuron: the pale orange of app.ui's highlighted rows
FADE = dict(opacity=alt.condition("datum.lit", alt.value(1.0), alt.value(0.25)))
WIDTH_CLAMP = 10.0  # |w| at which an edge reaches its full thickness
SIGN_SCALE = alt.Scale(domain=["positive", "negative", "zero"], range=[RED, BLUE, GREY])
# The sign's second channel (colour never carries meaning alone, WCAG 1.4.1): positive solid, negative
# dashed, zero dotted; gaps long enough to stay open at an edge's full thickness. One legend with colour.
SIGN_DASH = alt.Scale(domain=["positive", "negative", "zero"], range=[[1, 0], [12, 8], [2, 8]])
# the legends under the drawing, entries one under the other: side by side they ran past a phone's edge
BELOW = dict(orient="bottom", direction="vertical")


def diagram(present: bool, h: int, edge_labels: bool, lit: bool = False, clickable: bool = False) -> alt.LayerChart:
    """The builder: datasets "edges", "nodes" (``diagram_columns``) and "titles" (x, y, t); with
    ``lit``, both datasets' "lit" column says what is drawn strong (the module's docstring); with
    ``clickable``, a click selects a parameter (``clickable_columns``)."""
    s = sizes(present)
    span = max(h, 2)
    height = int(40 + 105 * span) + (25 if present else 0)  # the drawing's own (PLOT_HEIGHT): legends below
    if lit:  # room for the numbers written under the neurons and on the edges; no legends (the page says it)
        height = int(60 + 150 * span) + (40 if present else 0)
    x_lo, x_hi = (-0.4, 2.45) if lit else (-0.3, 2.3)  # lit: room for the numbers beside the outer neurons
    xsc = alt.Scale(domain=[x_lo, x_hi], nice=False, zero=False)
    ysc = alt.Scale(domain=[-(span - 1) / 2 - 0.8, (span - 1) / 2 + 0.6], nice=False, zero=False)
    X = alt.X("x:Q", scale=xsc, axis=None)
    Y = alt.Y("y:Q", scale=ysc, axis=None)
    LX = alt.X("lx:Q", scale=xsc, axis=None)
    LY = alt.Y("ly:Q", scale=ysc, axis=None)
    # one legend for colour and dash: each sign as a 32-px stretch of edge (a dash, a gap, a dash)
    line = alt.Legend(**BELOW, symbolType="stroke", symbolStrokeWidth=4, symbolSize=1000)
    sign = alt.Color("sign:N", scale=SIGN_SCALE, title="weight sign", legend=None if lit else line)
    dash = alt.StrokeDash("sign:N", scale=SIGN_DASH, title="weight sign", legend=None if lit else line)
    edge_tip = [
        alt.Tooltip("param:N", title="parameter"),
        alt.Tooltip("edge:N", title="connects"),
        alt.Tooltip("value:Q", title="weight", format=".4f"),
    ]
    edges = alt.Chart(source("edges"))
    layers = []
    if clickable:  # under everything: the chosen parameter's halo
        layers += _halo_layers(present, X, Y)
    layers += [
        edges.mark_rule(strokeCap="butt", opacity=0.85).encode(
            **FADE if lit else {},
            x=X,
            y=Y,
            x2="x2:Q",
            y2="y2:Q",
            color=sign,
            strokeDash=dash,
            strokeWidth=alt.StrokeWidth(
                "abs:Q",
                scale=alt.Scale(type="sqrt", domain=[0, WIDTH_CLAMP], range=[1, 16 if present else 12], clamp=True),
                title="|weight|",
                legend=None if lit else alt.Legend(values=[1, 4, 10], **BELOW),
            ),
            tooltip=edge_tip,
        )
    ]
    if edge_labels:
        text = dict(fontSize=s["font"] + 1, fontWeight="bold", dy=-s["font"] * 0.8)
        if lit:  # a label may run over lines ("\n"), all of them above its edge
            text.update(dy=-4, baseline="bottom", lineBreak="\n")
        shown = edges.transform_filter("datum.lit") if lit else edges  # lit: only the step's own edges
        layers += [
            shown.mark_text(**text, stroke="white", strokeWidth=4).encode(x=LX, y=LY, text="label:N"),
            shown.mark_text(**text).encode(x=LX, y=LY, text="label:N", color=sign, tooltip=edge_tip),
        ]
    node_tip = [
        alt.Tooltip("name:N", title="node"),
        alt.Tooltip("role:N", title="computes"),
        alt.Tooltip("bias_name:N", title="bias"),
        alt.Tooltip("bias:Q", title="bias value", format=".4f"),
    ]
    nodes = alt.Chart(source("nodes"))
    radius = (s["point"] * 5) ** 0.5 / 2
    circle = dict(x=X, y=Y, tooltip=node_tip)
    below = dict(dy=radius + s["font"])  # the bias; lit: the step's lines of numbers, from the rim down
    if lit:
        below = dict(dy=radius + 4, baseline="top", lineBreak="\n")
    under = dict(x=X, y=Y, text="bias_text:N", color=sign, tooltip=node_tip)
    if lit:  # lit neurons shaded and ringed, the others faded; their numbers in dark ink, line by line
        circle.update(fill=alt.condition("datum.lit", alt.value(LIT_FILL), alt.value("white")), **FADE)
        circle.update(stroke=alt.condition("datum.lit", alt.value(LIT_EDGE), alt.value("#333333")))
        under.update(color=alt.value("#222222"), **FADE)
    layers += [
        nodes.mark_circle(
            size=s["point"] * 5, color="white", stroke="#333333", strokeWidth=s["stroke"], opacity=1
        ).encode(**circle),
        nodes.mark_text(fontSize=s["label"], fontWeight="bold").encode(x=X, y=Y, text="name:N", tooltip=node_tip),
        nodes.mark_text(fontSize=s["font"] + 1, fontWeight="bold", **below).encode(**under),
        alt.Chart(source("titles")).mark_text(fontSize=s["font"] + 1, color="#444444").encode(x=X, y=Y, text="t:N"),
    ]
    if clickable:  # over everything (a nearest-point selection hears clicks on its own hit areas only)
        layers.append(_hit_layer(X, Y))
    return alt.layer(*layers).properties(
        height=height, width="container", autosize=PLOT_HEIGHT, view=alt.ViewBackground(stroke=None)
    )


def diagram_spec(
    nodes: dict,
    edges: dict,
    present: bool,
    edge_labels: bool | None = None,
    lit: bool = False,
    chosen: str | None = None,
    clickable: bool = False,
) -> dict:
    """The filled diagram of a 2-h-1 network (``diagram_columns``); edge values written on the
    arrows when h ≤ 3 unless ``edge_labels`` says otherwise; ``lit``: the module's docstring;
    ``clickable``: a click on a weight or a bias selects it (``clickable_columns``), and ``chosen``
    (a name of ``MLP.param_names()``) is drawn with a halo."""
    h = len(edges["param"]) // 3
    span = max(h, 2)
    titles = {"x": [0.0, 1.0, 2.0], "y": [(span - 1) / 2 + 0.45] * 3, "t": ["Input (2)", f"Hidden ({h})", "Output (1)"]}
    labels = h <= 3 if edge_labels is None else edge_labels
    shape = dict(h=h, edge_labels=labels, lit=True) if lit else dict(h=h, edge_labels=labels)  # unlit: as before
    data = {"edges": edges, "nodes": nodes, "titles": titles}
    if clickable:
        shape["clickable"] = True
        data.update(clickable_columns(nodes, edges, chosen))
    return fill(layout(diagram, present, **shape), data)


# ----- a clickable diagram: a click selects one of the network's numbers ---------------------------------
HIT_POINTS = 9  # hit points along each edge: a click anywhere picks the nearest one (thin lines are hard to hit)
BIAS_BELOW = 0.3  # how far under its neuron a bias is written, in the diagram's units (about)


def param_names(edges: dict, nodes: dict) -> tuple[list[str], list[str]]:
    """The ``MLP.param_names()`` name of each edge and each node's bias ("" for an input)."""
    edge_names = [p if p.startswith("W1") else p.replace("]", ",0]") for p in edges["param"]]
    node_names = [b if b.startswith("b1") or not b else "b2[0]" for b in nodes["bias_name"]]
    return edge_names, node_names


def clickable_columns(nodes: dict, edges: dict, chosen: str | None) -> dict:
    """The datasets a clickable diagram adds: "hits" (x, y, pname: points along every edge and at every
    bias, invisible; a click selects the nearest one's pname) and "halo" (the chosen parameter's edge
    x, y, x2, y2 or its neuron x, y); and "edges", "nodes" with a pname column."""
    edge_names, node_names = param_names(edges, nodes)
    t = np.linspace(0.12, 0.88, HIT_POINTS)
    ex, ey = np.asarray(edges["x"], float), np.asarray(edges["y"], float)
    ex2, ey2 = np.asarray(edges["x2"], float), np.asarray(edges["y2"], float)
    has_bias = [k for k, b in enumerate(node_names) if b]
    nx, ny = np.asarray(nodes["x"], float)[has_bias], np.asarray(nodes["y"], float)[has_bias]
    hits = {
        "x": np.r_[(ex[:, None] + t * (ex2 - ex)[:, None]).ravel(), nx, nx],
        "y": np.r_[(ey[:, None] + t * (ey2 - ey)[:, None]).ravel(), ny - BIAS_BELOW, ny],
        "pname": np.array([n for n in edge_names for _ in t] + [node_names[k] for k in has_bias] * 2, dtype=object),
    }
    e = [k for k, n in enumerate(edge_names) if n == chosen]
    b = [k for k, n in enumerate(node_names) if n and n == chosen]
    halo = {
        "x": np.r_[ex[e], np.asarray(nodes["x"], float)[b]],
        "y": np.r_[ey[e], np.asarray(nodes["y"], float)[b]],
        "x2": np.r_[ex2[e], np.asarray(nodes["x"], float)[b]],
        "y2": np.r_[ey2[e], np.asarray(nodes["y"], float)[b] - BIAS_BELOW],
        "kind": np.array(["edge"] * len(e) + ["bias"] * len(b), dtype=object),
    }
    # the drawn edges and neurons carry their name too: a click right on one selects it
    named_edges = {**edges, "pname": np.array(edge_names, dtype=object)}
    named_nodes = {**nodes, "pname": np.array(node_names, dtype=object)}
    return {"hits": hits, "halo": halo, "edges": named_edges, "nodes": named_nodes}


def _halo_layers(present: bool, X: alt.X, Y: alt.Y) -> list:
    """The chosen parameter's halo: a wide orange band along its edge, or from its neuron down to its bias."""
    s = sizes(present)
    halo = alt.Chart(source("halo"))
    return [
        halo.transform_filter("datum.kind == 'edge'")
        .mark_rule(color=LIT_EDGE, strokeCap="round", opacity=0.45, strokeWidth=30 if present else 22)
        .encode(x=X, y=Y, x2="x2:Q", y2="y2:Q"),
        halo.transform_filter("datum.kind == 'bias'")
        .mark_rule(color=LIT_EDGE, strokeCap="round", opacity=0.45, strokeWidth=(s["point"] * 5) ** 0.5 + 8)
        .encode(x=X, y=Y, x2="x2:Q", y2="y2:Q"),
    ]


def _hit_layer(X: alt.X, Y: alt.Y) -> alt.Chart:
    """Invisible hit points with the nearest-point selection ``CLICK`` (field pname): a click anywhere
    on the drawing selects the number whose line or bias is nearest; hovering names it."""
    return (
        alt.Chart(source("hits"))
        .mark_point(opacity=0, size=1)
        .encode(
            x=X,
            y=Y,
            tooltip=[
                alt.Tooltip("pname:N", title="click to choose"),
                alt.Tooltip("value:Q", title="value", format=".4f"),
            ],
        )
        .add_params(alt.selection_point(name=CLICK, on="click", nearest=True, fields=["pname"], empty=False))
    )


def diagram_text(nodes: dict, edges: dict) -> str:
    """The diagram in one sentence, from its numbers."""
    h = len(edges["param"]) // 3
    v = np.asarray(edges["value"], dtype=float)
    return (
        f"Network diagram: 2 inputs, {h} hidden neuron{'s' * (h > 1)}, 1 output; {len(v)} weights "
        f"({int((v > 0).sum())} positive, {int((v < 0).sum())} negative), the largest |weight| "
        f"{np.abs(v).max():.2f}, and {h + 1} biases written under their neurons."
    )
