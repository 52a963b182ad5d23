"""The Hidden features page's charts: the decision boundary and one map per hidden neuron (the one
input-plane heatmap, app.plane), and the hidden space (the four inputs at their hidden coordinates
over the output's view, with the output's line z2 = 0), a builder of app.chart.

Each function takes what app/hidden_features/run.py computed (a NetworkView, a SpaceView) and
returns a filled Vega-Lite spec; ``present`` is the page's presenter flag."""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import chart, hole, sizes, source
from app.plane import grid_columns, plane_spec, segment_lines
from app.ui import BLUE, RED
from core.data import ROW_LABELS

BOUNDARY_TITLE = "XOR decision boundary (non-linear!)"
# the output's view as a quiet background: light RdBu tones, so the four points stand out
LIGHT_SCALE = alt.Scale(domain=[0, 0.5, 1], range=["#92c5de", "#f7f7f7", "#f4a582"])
SEAM = 0.6  # each cell reaches 0.6 of a step each side: overlapping cells leave no antialiasing seams


def chart_sizes(present: bool) -> dict:
    """Each chart's size in normal and presenter mode (presenter: larger, fixed-size charts)."""
    if present:
        return {"boundary": {"height": 440}, "neuron": {"height": 380}, "space": {"width": 620, "height": 540}}
    return {"boundary": {"height": 390}, "neuron": {"height": 320}, "space": {"height": 360}}


def boundary(view, present: bool) -> dict:
    """The output a2 over the input plane with its 0.5 line and the four XOR points."""
    return plane_spec(view.a2, present, BOUNDARY_TITLE, "output a2", **chart_sizes(present)["boundary"])


def neuron_map(view, k: int, present: bool) -> dict:
    """Hidden neuron k's a1 over the input plane, coloured over its own range, with its line z1 = 0."""
    m, name = view.neurons[k], f"Hidden{k + 1}"
    title = f"{name}: {view.gates[k].name}"
    size = chart_sizes(present)["neuron"]
    return plane_spec(
        m.values, present, title, name, vrange=m.vrange, line=segment_lines(m.segment), point_scale=0.6, **size
    )


def space_layout(present: bool, n: int, height: int, width: int | str = "container") -> alt.LayerChart:
    """The builder (app.chart): "heat" (i, j, q: the output's view, n×n cells over the box), "line"
    (u, v, what: the output's line), "points" (u, v, label, input, z2, output, text). Holes: the two
    axes' domains and names; the params u0, du, v0, dv (first cell and step) and mid (labels left of
    it point right) carry the box."""
    s = sizes(present)
    params = [alt.param(name=p, value=hole(p)) for p in ("u0", "du", "v0", "dv", "mid")]
    us = alt.Scale(domain=hole("udom"), nice=False, zero=False)
    vs = alt.Scale(domain=hole("vdom"), nice=False, zero=False)
    xu = alt.X("u:Q", scale=us, title=hole("utitle"))
    yv = alt.Y("v:Q", scale=vs, title=hole("vtitle"))
    bg = (
        alt.Chart(source("heat"))
        .transform_calculate(
            ua=f"u0 - du * {SEAM} + datum.j * du",
            ub=f"u0 + du * {SEAM} + datum.j * du",
            va=f"v0 - dv * {SEAM} + datum.i * dv",
            vb=f"v0 + dv * {SEAM} + datum.i * dv",
            value="datum.q / 255",
        )
        .mark_rect(clip=True)
        .encode(
            x=alt.X("ua:Q", scale=us, title=hole("utitle")),
            x2=alt.X2("ub:Q"),
            y=alt.Y("va:Q", scale=vs, title=hole("vtitle")),
            y2=alt.Y2("vb:Q"),
            color=alt.Color("value:Q", scale=LIGHT_SCALE, title="output a2", legend=alt.Legend(format=".1f")),
            tooltip=[alt.Tooltip("value:Q", title="output a2 here", format=".3f")],
        )
        .add_params(*params)
    )
    line = (
        alt.Chart(source("line"))
        .mark_line(color="black", strokeWidth=s["line"], clip=True)
        .encode(x=xu, y=yv, tooltip=[alt.Tooltip("what:N")])
    )
    base = alt.Chart(source("points"))
    points = base.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
        x=xu,
        y=yv,
        color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
        tooltip=[
            alt.Tooltip("input:N"),
            alt.Tooltip("label:N", title="XOR"),
            alt.Tooltip("u:Q", title=hole("uname"), format=".3f"),
            alt.Tooltip("v:Q", title=hole("vname"), format=".3f"),
            alt.Tooltip("z2:Q", format=".3f"),
            alt.Tooltip("output:Q", format=".3f"),
        ],
    )
    # labels point inwards so none is cut off at the plot's edge
    labels = [
        base.transform_filter(f"datum.u {op} mid")
        .mark_text(align=align, dx=dx * s["label"] * 0.8, dy=-s["label"] * 0.8, fontSize=s["label"], fontWeight="bold")
        .encode(x=xu, y=yv, text=alt.Text("text:N"))
        for op, align, dx in (("<", "left", 1), (">=", "right", -1))
    ]
    return alt.layer(bg, line, points, *labels).properties(title="Hidden space", width=width, height=height)


def hidden_space(space, present: bool) -> dict:
    """The four inputs at (Hidden i, Hidden j), coloured by XOR label, over the output's view a2, with
    the output neuron's line z2 = 0 (W2[i]·h_i + W2[j]·h_j + b2 (+ the others' mean) = 0)."""
    n = space.a2.shape[0]
    ulo, uhi, vlo, vhi = (float(b) for b in space.box)
    seg = space.segment
    data = {
        "heat": grid_columns(space.a2),  # a2 is a sigmoid: in [0, 1]
        "line": {"u": seg[:, 0], "v": seg[:, 1], "what": np.array(["output line z2 = 0"] * len(seg), dtype=str)},
        "points": {
            "u": space.u,
            "v": space.v,
            "label": space.expected,
            "input": np.array(ROW_LABELS),
            "z2": space.z2,
            "output": space.out,
            "text": np.array(space.texts, dtype=str),
        },
    }
    a, b = f"Hidden{space.i + 1}", f"Hidden{space.j + 1}"
    holes = {
        "udom": [ulo, uhi],
        "vdom": [vlo, vhi],
        "utitle": f"{a} activation",
        "vtitle": f"{b} activation",
        "uname": a,
        "vname": b,
        "u0": ulo,
        "du": (uhi - ulo) / (n - 1),
        "v0": vlo,
        "dv": (vhi - vlo) / (n - 1),
        "mid": (ulo + uhi) / 2,
    }
    return chart(space_layout, present, data, holes, n=n, **chart_sizes(present)["space"])
