"""The Hidden features page's charts: the decision boundary and one map per hidden neuron (the one
input-plane heatmap, app.plane), and the hidden space (the four inputs at their hidden coordinates
over the output's view, with the output's line z2 = 0), a builder of app.chart.

Each function takes what app/hidden_features/run.py computed (a NetworkView, a SpaceView) and
returns a filled Vega-Lite spec; ``present`` is the page's presenter flag."""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import chart, hole, sizes, source
from app.plane import grid_columns, plane_spec, probe_layers, segment_lines
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


def probed(probe: dict | None) -> dict:
    """A plane's options for the probed point (``app.probe.probe_columns``): marked, and clickable."""
    return {} if probe is None else {"probe": probe, "clickable": True}


def boundary(view, present: bool, probe: dict | None = None) -> dict:
    """The output a2 over the input plane with its 0.5 line and the four XOR points (and the probed
    point, clickable, when ``probe`` is given)."""
    size = chart_sizes(present)["boundary"]
    return plane_spec(view.a2, present, BOUNDARY_TITLE, "output a2", **size, **probed(probe))


def neuron_map(view, k: int, present: bool, probe: dict | None = None) -> dict:
    """Hidden neuron k's a1 over the input plane, coloured over its own range, with its line z1 = 0
    (and the probed point, clickable, when ``probe`` is given)."""
    m, name = view.neurons[k], f"Hidden{k + 1}"
    title = f"{name}: {view.gates[k].name}"
    size = chart_sizes(present)["neuron"]
    return plane_spec(
        m.values,
        present,
        title,
        name,
        vrange=m.vrange,
        line=segment_lines(m.segment),
        point_scale=0.6,
        **size,
        **probed(probe),
    )


def space_layout(
    present: bool, n: int, height: int, width: int | str = "container", probe: bool = False
) -> alt.LayerChart:
    """The builder (app.chart): "heat" (i, j, q: the output's view, n×n cells over the box), "line"
    (u, v, what: the output's line), "points" (u, v, label, input, z2, output, text). Holes: the two
    axes' domains and names; the params u0, du, v0, dv (first cell and step) and mid (labels left of
    it point right) carry the box. ``probe``: a dataset "probe" (u, v, text), the probed point at its
    hidden coordinates."""
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
    marked = probe_layers(alt.Chart(source("probe")), "u", "v", us, vs, s) if probe else []
    return alt.layer(bg, line, points, *labels, *marked).properties(title="Hidden space", width=width, height=height)


def hidden_space(space, present: bool, probe: dict | None = None) -> dict:
    """The four inputs at (Hidden i, Hidden j), coloured by XOR label, over the output's view a2, with
    the output neuron's line z2 = 0 (W2[i]·h_i + W2[j]·h_j + b2 (+ the others' mean) = 0); ``probe``:
    the probed point at its hidden coordinates (columns u, v, text), drawn when inside the box."""
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
    shape = dict(chart_sizes(present)["space"])
    if probe is not None:
        data["probe"], shape["probe"] = probe, True
    return chart(space_layout, present, data, holes, n=n, **shape)


def morph_layout(present: bool, height: int, width: int | str = "container") -> alt.LayerChart:
    """The builder (app.chart) of the morph: "points" (``run.MorphView.points``) at (1 − t)·x + t·h, t a
    slider in the browser (a Vega-Lite param bound to a range input: dragging it costs no server rerun),
    the grid's rows and columns drawn as lines so the sheet is seen bending; "line" (u, v): the output's
    line z2 = 0, fading in as t reaches 1; "probe" (x1, x2, h1, h2, text): the probed point, moving too.
    Holes: udom, vdom, utitle, vtitle."""
    s = sizes(present)
    t = alt.param(
        name="t",
        value=0.0,
        bind=alt.binding_range(min=0, max=1, step=0.02, name="t: 0 = the inputs, 1 = hidden space "),
    )
    us = alt.Scale(domain=hole("udom"), nice=False, zero=False)
    vs = alt.Scale(domain=hole("vdom"), nice=False, zero=False)
    where = dict(u="(1 - t) * datum.x1 + t * datum.h1", v="(1 - t) * datum.x2 + t * datum.h2")
    pos = dict(x=alt.X("u:Q", scale=us, title=hole("utitle")), y=alt.Y("v:Q", scale=vs, title=hole("vtitle")))
    cls = alt.Color("cls:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None)
    base = alt.Chart(source("points")).transform_calculate(**where)
    grid = base.transform_filter("datum.kind == 'grid'")
    tip = [
        alt.Tooltip("x1:Q", format=".2f"),
        alt.Tooltip("x2:Q", format=".2f"),
        alt.Tooltip("h1:Q", title=hole("uname"), format=".3f"),
        alt.Tooltip("h2:Q", title=hole("vname"), format=".3f"),
        alt.Tooltip("a2:Q", title="output a2", format=".3f"),
    ]
    inputs = base.transform_filter("datum.kind == 'input'")
    layers = [
        grid.mark_line(color="#b0b0b0", strokeWidth=1).encode(**pos, detail="row:N", order="col:Q"),
        grid.mark_line(color="#b0b0b0", strokeWidth=1).encode(**pos, detail="col:N", order="row:Q"),
        alt.Chart(source("line"))
        .mark_line(color="black", strokeWidth=s["line"], strokeDash=[8, 4], opacity=alt.ExprRef("t"))
        .encode(x=alt.X("u:Q", scale=us), y=alt.Y("v:Q", scale=vs)),
        grid.mark_circle(size=s["point"] * 0.3, opacity=1).encode(**pos, color=cls, tooltip=tip),
        inputs.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            **pos,
            color=cls,
            shape=alt.Shape("cls:N", scale=alt.Scale(domain=[0, 1], range=["circle", "square"]), legend=None),
            tooltip=[alt.Tooltip("input:N"), *tip],
        ),
        inputs.mark_text(dx=s["label"], dy=-s["label"], fontSize=s["label"], fontWeight="bold").encode(
            **pos, text="input:N"
        ),
        *probe_layers(alt.Chart(source("probe")).transform_calculate(**where), "u", "v", us, vs, s),
    ]
    return alt.layer(*layers).add_params(t).properties(title=hole("title"), width=width, height=height)


def morph(view, present: bool, probe: dict | None = None) -> dict:
    """The filled morph chart of ``run.morph_view``'s MorphView (``probe``: the probed point's columns
    x1, x2, h1, h2, text; none drawn when None)."""
    a, b = f"Hidden{view.i + 1}", f"Hidden{view.j + 1}"
    none = {"x1": [], "x2": [], "h1": [], "h2": [], "text": []}
    data = {
        "points": view.points,
        "line": {"u": view.line[:, 0], "v": view.line[:, 1]},
        "probe": none if probe is None else probe,
    }
    holes = {
        "udom": view.udom,
        "vdom": view.vdom,
        "utitle": f"x1 → {a}",
        "vtitle": f"x2 → {b}",
        "uname": a,
        "vname": b,
        "title": f"(x1, x2) → ({a}, {b})",
    }
    size = {"height": 520} if present else {"height": 400}
    return chart(morph_layout, present, data, holes, **size)
