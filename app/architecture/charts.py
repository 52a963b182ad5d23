"""The Architecture page's charts, through app.chart and app.plane: the network diagram, the single
neuron's line over the XOR points, and the four points as the hidden layer sees them.

Diagram: inputs, hidden and output nodes in three columns; an edge per weight, red when positive,
blue when negative, thicker for larger |w| (square-root scale, so small random weights still
show); each neuron's bias written under it; every edge and node has a tooltip with its value.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, fill, layout, sizes, source
from app.plane import plane_spec
from app.ui import BLUE, GREY, RED

WIDTH_CLAMP = 10.0  # |w| at which an edge reaches its full thickness
SIGN_SCALE = alt.Scale(domain=["positive", "negative", "zero"], range=[RED, BLUE, GREY])
# the legends under the drawing, entries one under the other: side by side they ran past a phone's edge
BELOW = dict(orient="bottom", direction="vertical")


def diagram(present: bool, h: int, edge_labels: bool) -> alt.LayerChart:
    """The builder: datasets "edges", "nodes" (``run.diagram_columns``) and "titles" (x, y, t)."""
    s = sizes(present)
    span = max(h, 2)
    height = int(40 + 105 * span) + (25 if present else 0)  # the drawing's own (PLOT_HEIGHT): legends below
    xsc = alt.Scale(domain=[-0.3, 2.3], nice=False, zero=False)
    ysc = alt.Scale(domain=[-(span - 1) / 2 - 0.8, (span - 1) / 2 + 0.6], nice=False, zero=False)
    X = alt.X("x:Q", scale=xsc, axis=None)
    Y = alt.Y("y:Q", scale=ysc, axis=None)
    LX = alt.X("lx:Q", scale=xsc, axis=None)
    LY = alt.Y("ly:Q", scale=ysc, axis=None)
    sign = alt.Color("sign:N", scale=SIGN_SCALE, title="weight sign", legend=alt.Legend(**BELOW))
    edge_tip = [
        alt.Tooltip("param:N", title="parameter"),
        alt.Tooltip("edge:N", title="connects"),
        alt.Tooltip("value:Q", title="weight", format=".4f"),
    ]
    edges = alt.Chart(source("edges"))
    layers = [
        edges.mark_rule(strokeCap="round", opacity=0.85).encode(
            x=X,
            y=Y,
            x2="x2:Q",
            y2="y2:Q",
            color=sign,
            strokeWidth=alt.StrokeWidth(
                "abs:Q",
                scale=alt.Scale(type="sqrt", domain=[0, WIDTH_CLAMP], range=[1, 16 if present else 12], clamp=True),
                title="|weight|",
                legend=alt.Legend(values=[1, 4, 10], **BELOW),
            ),
            tooltip=edge_tip,
        )
    ]
    if edge_labels:
        text = dict(fontSize=s["font"] + 1, fontWeight="bold", dy=-s["font"] * 0.8)
        layers += [
            edges.mark_text(**text, stroke="white", strokeWidth=4).encode(x=LX, y=LY, text="label:N"),
            edges.mark_text(**text).encode(x=LX, y=LY, text="label:N", color=sign, tooltip=edge_tip),
        ]
    node_tip = [
        alt.Tooltip("name:N", title="node"),
        alt.Tooltip("role:N", title="computes"),
        alt.Tooltip("bias_name:N", title="bias"),
        alt.Tooltip("bias:Q", title="bias value", format=".4f"),
    ]
    nodes = alt.Chart(source("nodes"))
    radius = (s["point"] * 5) ** 0.5 / 2
    layers += [
        nodes.mark_circle(
            size=s["point"] * 5, color="white", stroke="#333333", strokeWidth=s["stroke"], opacity=1
        ).encode(x=X, y=Y, tooltip=node_tip),
        nodes.mark_text(fontSize=s["label"], fontWeight="bold").encode(x=X, y=Y, text="name:N", tooltip=node_tip),
        nodes.mark_text(fontSize=s["font"] + 1, fontWeight="bold", dy=radius + s["font"]).encode(
            x=X, y=Y, text="bias_text:N", color=sign, tooltip=node_tip
        ),
        alt.Chart(source("titles")).mark_text(fontSize=s["font"] + 1, color="#444444").encode(x=X, y=Y, text="t:N"),
    ]
    return alt.layer(*layers).properties(
        height=height, width="container", autosize=PLOT_HEIGHT, view=alt.ViewBackground(stroke=None)
    )


def diagram_spec(nodes: dict, edges: dict, present: bool, edge_labels: bool | None = None) -> dict:
    """The filled diagram of a 2-h-1 network (``run.diagram``'s columns); edge values written on the
    arrows when h ≤ 3 unless ``edge_labels`` says otherwise."""
    h = len(edges["param"]) // 3
    span = max(h, 2)
    titles = {"x": [0.0, 1.0, 2.0], "y": [(span - 1) / 2 + 0.45] * 3, "t": ["Input (2)", f"Hidden ({h})", "Output (1)"]}
    labels = h <= 3 if edge_labels is None else edge_labels
    return fill(layout(diagram, present, h=h, edge_labels=labels), {"edges": edges, "nodes": nodes, "titles": titles})


def diagram_text(nodes: dict, edges: dict) -> str:
    """The diagram in one sentence, from its numbers."""
    h = len(edges["param"]) // 3
    v = np.asarray(edges["value"], dtype=float)
    return (
        f"Network diagram: 2 inputs, {h} hidden neuron{'s' * (h > 1)}, 1 output; {len(v)} weights "
        f"({int((v > 0).sum())} positive, {int((v < 0).sum())} negative), the largest |weight| "
        f"{np.abs(v).max():.2f}, and {h + 1} biases written under their neurons."
    )


NEURON_TIPS = (("z:Q", "z", ".3f"), ("output:Q", "output σ(z)", ".3f"), ("mark:N", "right?", None))
HIDDEN_TIPS = (("z:Q", "z2", ".3f"), ("output:Q", "output a2", ".3f"), ("mark:N", "right?", None))
HEAT_OPACITY = 0.55  # paler shading: a point on its own class's side stays visible
HIDDEN_AXES = (("a1[0]", "a1[0] — hidden neuron 1"), ("a1[1]", "a1[1] — hidden neuron 2"))


def _plane_height(present: bool) -> int:
    return 440 if present else 360


def neuron_spec(data: dict, present: bool) -> dict:
    """σ(u1·x1 + u2·x2 + c) shaded over the plane, its line z = 0 in black, the XOR points marked ✓/✗
    (``run.neuron``'s data)."""
    return plane_spec(
        data["values"],
        present,
        title="",
        value_name="neuron output σ(z)",
        points=data["points"],
        line=data["line"],
        height=_plane_height(present),
        labels=False,
        heat_opacity=HEAT_OPACITY,
        marks=True,
        tips=NEURON_TIPS,
    )


def neuron_text(data: dict) -> str:
    right = data["points"]["mark"].count("✓")
    line = "its line z = 0 crosses the square" if len(data["line"]["x1"]) else "it has no line inside the square"
    return f"One neuron's output over the input square: {line}; it gets {right} of the 4 XOR points right."


def hidden_spec(data: dict, present: bool) -> dict:
    """The four inputs where the two hidden neurons put them, the output neuron's own line
    W2[0]·a1[0] + W2[1]·a1[1] + b2 = 0 and its output σ(z2) as shading (``run.hidden_space``'s data)."""
    lo, hi = data["box"]
    return plane_spec(
        data["values"],
        present,
        title="",
        value_name="output a2",
        points=data["points"],
        line=data["line"],
        lo=lo,
        hi=hi,
        height=_plane_height(present),
        labels=False,
        heat_opacity=HEAT_OPACITY,
        names=True,
        axes=HIDDEN_AXES,
        tips=HIDDEN_TIPS,
    )


def hidden_text(data: dict) -> str:
    p = data["points"]
    spots = "; ".join(f"{i} at ({a:.2f}, {b:.2f})" for i, a, b in zip(p["input"], p["x1"], p["x2"]))
    right = p["mark"].count("✓")
    return f"The four inputs in the hidden layer's space: {spots}; the output neuron's line gets {right} of 4 right."
