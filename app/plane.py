"""The one input-plane heatmap every chapter uses: a value over the square [lo, hi]², its level line
(the decision boundary when the value is the output a2 and the level 0.5), and the data points.

The value ships quantised: grid indices and a uint8 code, turned back into coordinates and values
by Vega expressions, so a 60×60 map is ~11 KB instead of ~140 KB. Values outside [0, 1] (tanh or
ReLU units) are quantised over their own range, kept exact in the tooltip, and coloured over
``vrange`` (clamped).
"""

from __future__ import annotations

import altair as alt
import contourpy
import numpy as np
import streamlit as st

from app.chart import fill, hole, layout, sizes, source
from app.ui import BLUE, RED
from core.data import ROW_LABELS
from core.data import X as XOR_X
from core.data import y as XOR_Y

LO, HI = -0.5, 1.5  # the notes' plot: np.linspace(-0.5, 1.5, ...)
SPLIT_SETS = ("training", "test")  # the ``set`` values of points told apart (``plane(split=True)``)
CLICK = "click"  # the selection a clickable plane returns: {"selection": {CLICK: [{"x1": .., "x2": ..}]}}


def grid_columns(values: np.ndarray) -> dict:
    """values (n, n) in [0, 1], indexed [x2, x1] → columns i (row: x2), j (column: x1), q (uint8 code).
    NaN becomes the middle code, ±inf the ends (a chart never receives them)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5, posinf=1.0, neginf=0.0)
    n = v.shape[0]
    idx = np.arange(n, dtype=np.uint8 if n <= 256 else np.uint16)
    jj, ii = np.meshgrid(idx, idx)
    q = np.clip(np.rint(v * 255), 0, 255).astype(np.uint8)
    return {"i": ii.ravel(), "j": jj.ravel(), "q": q.ravel()}


def level_lines(values: np.ndarray, lo: float, hi: float, level: float) -> dict:
    """The ``level`` contour of values (n, n) over [lo, hi]² as vertex columns x1, x2, line, order
    (empty when nothing crosses the level)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=level, posinf=1e300, neginf=-1e300)
    axis = np.linspace(lo, hi, v.shape[0])
    lines = contourpy.contour_generator(axis, axis, v, line_type=contourpy.LineType.Separate).lines(level)
    if not lines:
        return {"x1": np.empty(0), "x2": np.empty(0), "line": np.empty(0, np.int64), "order": np.empty(0, np.int64)}
    return {
        "x1": np.round(np.concatenate([p[:, 0] for p in lines]), 4),
        "x2": np.round(np.concatenate([p[:, 1] for p in lines]), 4),
        "line": np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(lines)]),
        "order": np.concatenate([np.arange(len(p), dtype=np.int64) for p in lines]),
    }


def segment_lines(segment: np.ndarray) -> dict:
    """A straight segment (k, 2) of (x1, x2) points (``core.linear_sep.line_segment``; k = 0 when the
    line misses the square) as the vertex columns ``level_lines`` gives: one line."""
    seg = np.asarray(segment, dtype=float).reshape(-1, 2)
    k = len(seg)
    return {"x1": seg[:, 0], "x2": seg[:, 1], "line": np.zeros(k, np.int64), "order": np.arange(k, dtype=np.int64)}


def xor_points() -> dict:
    """The four XOR inputs with their labels, as point columns."""
    return {
        "x1": XOR_X[:, 0].astype(float),
        "x2": XOR_X[:, 1].astype(float),
        "label": XOR_Y[:, 0].astype(np.int64),
        "input": np.array(ROW_LABELS, dtype=object),
    }


def quantise(values: np.ndarray, vrange: tuple[float, float]) -> tuple[np.ndarray, float, float]:
    """(values mapped to [0, 1], qlo, qspan): over [0, 1] itself when vrange is (0, 1), else over
    vrange widened to the finite values' own range, so every value keeps its code."""
    v = np.asarray(values, dtype=float)
    if tuple(vrange) == (0.0, 1.0):
        return v, 0.0, 1.0
    fin = v[np.isfinite(v)]
    qlo = min(float(vrange[0]), float(fin.min()) if fin.size else 0.0)
    qhi = max(float(vrange[1]), float(fin.max()) if fin.size else 1.0)
    span = qhi - qlo if qhi > qlo else 1.0
    return (v - qlo) / span, qlo, span


def plane(
    present: bool,
    n: int,
    lo: float = LO,
    hi: float = HI,
    height: int = 360,
    width: int | str = "container",
    point_scale: float = 1.0,
    labels: bool = True,
    axes: tuple = (("x1", "x1 (input 1)"), ("x2", "x2 (input 2)")),
    marks: bool = False,
    names: bool = False,
    tips: tuple = (),
    heat_opacity: float = 1.0,
    split: bool = False,
    segments: bool = False,
    clickable: bool = False,
    point_stroke: str = "black",
    probe: bool = False,
) -> alt.LayerChart:
    """The builder (app.chart): heat (i, j, q), line (x1, x2, line, order), points (x1, x2, label,
    input). Holes: title, value_name, domain (the colour scale's ends), qlo and qspan (what code q
    stands for: qlo + q / 255 · qspan).

    Options for planes other than the input plane and for points that say more: ``axes`` (the name
    in tooltips, the axis title) for the horizontal and vertical axis; ``marks``: a ✓ (green) or ✗
    beside each point, from its column "mark"; ``names``: the point's column "name" written above it;
    ``tips``: more point tooltips, each (column, title, format); ``heat_opacity`` below 1: paler heat, so
    points of either class stand out on it.

    More options: ``split`` — the points carry a column ``set`` ("training" or "test"): test points are
    drawn pale, outlined in black (the page says which is which). ``point_stroke`` — the (training)
    points' outline colour (white keeps many points apart on a saturated map). ``segments`` — a dataset
    ``segments`` (x1, x2, neuron, order): straight lines drawn dashed over the map, one per
    ``neuron``, named at their start. ``clickable`` — an invisible point at every grid cell, with a
    nearest-point selection ``CLICK`` (x1, x2), so a click anywhere on the plot selects the cell
    under it (``st.vega_lite_chart(..., on_select="rerun")`` returns it). ``probe`` — a dataset
    ``probe`` (x1, x2, text): one probed point, drawn as a black-ringed yellow diamond, named beside it."""
    s = sizes(present)
    step = (hi - lo) / (n - 1)
    half = step * 0.6  # neighbouring cells overlap a little: touching rectangles show seams
    if heat_opacity < 1:
        half = step / 2  # see-through cells must not overlap (the overlaps would show darker)
    qlo = alt.param(name="qlo", value=hole("qlo"))
    qspan = alt.param(name="qspan", value=hole("qspan"))
    xs = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    heat = (
        alt.Chart(source("heat"))
        .transform_calculate(
            x1=f"{lo} + datum.j * {step}",
            x2=f"{lo} + datum.i * {step}",
            x1a=f"{lo - half} + datum.j * {step}",
            x1b=f"{lo + half} + datum.j * {step}",
            x2a=f"{lo - half} + datum.i * {step}",
            x2b=f"{lo + half} + datum.i * {step}",
            value="qlo + datum.q / 255 * qspan",
        )
        .mark_rect(**({"opacity": heat_opacity} if heat_opacity < 1 else {}))
        .encode(
            x=alt.X("x1a:Q", scale=xs, title=axes[0][1]),
            x2=alt.X2("x1b:Q"),
            y=alt.Y("x2a:Q", scale=xs, title=axes[1][1]),
            y2=alt.Y2("x2b:Q"),
            color=alt.Color(
                "value:Q",
                scale=alt.Scale(scheme="redblue", reverse=True, domain=hole("domain"), clamp=True),
                title=hole("value_name"),
                legend=alt.Legend(format=".2~f"),
            ),
            tooltip=[
                alt.Tooltip("x1:Q", title=axes[0][0], format=".2f"),
                alt.Tooltip("x2:Q", title=axes[1][0], format=".2f"),
                alt.Tooltip("value:Q", title=hole("value_name"), format=".3f"),
            ],
        )
        .add_params(qlo, qspan)
    )
    line = (
        alt.Chart(source("line"))
        .mark_line(color="black", strokeWidth=s["line"])
        .encode(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), detail="line:N", order="order:Q")
    )
    pts = alt.Chart(source("points"))
    point_enc = dict(
        x=alt.X("x1:Q", scale=xs),
        y=alt.Y("x2:Q", scale=xs),
        color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
        shape=alt.Shape("label:N", scale=alt.Scale(domain=[0, 1], range=["circle", "square"]), legend=None),
        tooltip=[alt.Tooltip("input:N"), alt.Tooltip("label:N", title="class")]
        + [alt.Tooltip(col, title=title, **({"format": f} if f else {})) for col, title, f in tips],
    )
    if split:
        point_enc["fillOpacity"] = alt.FillOpacity(
            "set:N",
            scale=alt.Scale(domain=list(SPLIT_SETS), range=[1.0, 0.2]),
            legend=None,
        )
        point_enc["stroke"] = alt.Stroke(
            "set:N", scale=alt.Scale(domain=list(SPLIT_SETS), range=[point_stroke, "black"]), legend=None
        )
        point_enc["tooltip"] = [*point_enc["tooltip"], alt.Tooltip("set:N", title="set")]
    layers = [
        heat,
        line,
        pts.mark_point(
            filled=True, size=s["point"] * point_scale**2, stroke=point_stroke, strokeWidth=s["stroke"], opacity=1
        ).encode(**point_enc),
    ]
    if segments:
        seg = alt.Chart(source("segments"))
        enc = dict(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), detail="neuron:N", order="order:Q")
        layers.insert(2, seg.mark_line(color="#222222", strokeWidth=s["stroke"], strokeDash=[6, 4]).encode(**enc))
        layers.insert(
            3,
            seg.transform_filter("datum.order == 0")
            .mark_text(fontSize=s["font"], fontWeight="bold", dx=4, dy=-8, align="left", color="#222222")
            .encode(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), text="neuron:N"),
        )
    if labels:
        offset = s["label"] * point_scale  # smaller points sit closer to their label; the text keeps its size
        layers.append(
            pts.mark_text(dx=offset, dy=-offset, fontSize=s["label"], fontWeight="bold").encode(
                x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), text=alt.Text("label:N")
            )
        )
    if marks:
        right = alt.Scale(domain=["✓", "✗"], range=["#1a7f37", "#000000"])
        layers.append(
            pts.mark_text(dx=s["label"] * 1.3, dy=-s["label"] * 0.9, fontSize=s["label"] + 6, fontWeight="bold").encode(
                x=alt.X("x1:Q", scale=xs),
                y=alt.Y("x2:Q", scale=xs),
                text=alt.Text("mark:N"),
                color=alt.Color("mark:N", scale=right, legend=None),
            )
        )
    if names:
        layers.append(
            pts.mark_text(dy=-s["label"] * 1.5, fontSize=s["font"] + 1, fontWeight="bold").encode(
                x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), text=alt.Text("name:N")
            )
        )
    if probe:
        layers += probe_layers(alt.Chart(source("probe")), "x1", "x2", xs, xs, s)
    if clickable:
        layers.append(
            alt.Chart(source("heat"))
            .transform_calculate(x1=f"{lo} + datum.j * {step}", x2=f"{lo} + datum.i * {step}")
            .mark_point(opacity=0, size=1)
            .encode(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs))
            .add_params(alt.selection_point(name=CLICK, on="click", nearest=True, fields=["x1", "x2"], empty=False))
        )
    return alt.layer(*layers).properties(title=hole("title"), width=width, height=height)


PROBE_COLOUR = "#ffd43b"  # a yellow no class uses: the probed point is neither red nor blue


def probe_layers(base: alt.Chart, u: str, v: str, us: alt.Scale, vs: alt.Scale, s: dict) -> list:
    """The probed point (columns u, v, text) as a black-ringed yellow diamond named beside it: the one
    probe mark, on the input plane and on any other plane the probed point is shown in."""
    pos = dict(x=alt.X(f"{u}:Q", scale=us), y=alt.Y(f"{v}:Q", scale=vs))
    tip = [
        alt.Tooltip("text:N", title="point"),
        alt.Tooltip(f"{u}:Q", format=".3f"),
        alt.Tooltip(f"{v}:Q", format=".3f"),
    ]
    return [
        base.mark_point(
            shape="diamond", filled=True, size=s["point"] * 1.6, color=PROBE_COLOUR, stroke="black", strokeWidth=2.5
        ).encode(**pos, tooltip=tip),
        *(  # the name on a white halo, readable over the heat map and over an XOR point it lands on
            base.mark_text(dy=s["label"] * 1.4, fontSize=s["font"], fontWeight="bold", **halo).encode(
                **pos, text="text:N"
            )
            for halo in ({"stroke": "white", "strokeWidth": 4, "strokeJoin": "round"}, {})
        ),
    ]


def plane_spec(
    values: np.ndarray,
    present: bool,
    title: str,
    value_name: str = "output a2",
    level: float = 0.5,
    vrange: tuple[float, float] = (0.0, 1.0),
    points: dict | None = None,
    lo: float = LO,
    hi: float = HI,
    line: dict | None = None,
    segments: dict | None = None,
    probe: dict | None = None,
    **shape,
) -> dict:
    """values (n, n) indexed [x2, x1] over [lo, hi]² as a filled plane chart (see ``plane``).
    ``line``: the line's columns (x1, x2, line, order) when known exactly — a neuron's straight line
    z1 = 0 (``segment_lines``), which a ReLU unit's map, flat at 0 on one side, has no contour for —
    instead of the ``level`` contour traced on the grid. ``segments``: lines to draw over the map
    (x1, x2, neuron, order; see ``plane(segments=True)``). ``probe``: one probed point's columns (x1, x2,
    text), marked on the map (see ``plane(probe=True)``)."""
    values = np.asarray(values, dtype=float)
    q, qlo, qspan = quantise(values, vrange)
    data = {
        "heat": grid_columns(q),
        "line": level_lines(values, lo, hi, level) if line is None else line,
        "points": xor_points() if points is None else points,
    }
    if segments is not None:
        data["segments"] = segments
        shape["segments"] = True
    if probe is not None:
        data["probe"] = probe
        shape["probe"] = True
    lay = layout(plane, present, n=values.shape[0], lo=lo, hi=hi, **shape)
    domain = [float(v) for v in vrange]
    return fill(lay, data, title=title, value_name=value_name, domain=domain, qlo=qlo, qspan=qspan)


# ----- clicks on a clickable chart ----------------------------------------------------------------
def take_click(event, counter: str, fields: tuple[str, str] = ("x1", "x2")) -> tuple[float, float] | bool | None:
    """The cell a click chose on a chart with the ``CLICK`` selection (``st.vega_lite_chart(...,
    on_select="rerun")`` returns ``event``): None when nothing was clicked; else the session's click
    count ``counter`` goes up (so ``click_key`` gives the chart a fresh key and the next click starts a
    fresh selection) and the cell's two ``fields`` come back as numbers, or False when the click did
    not land on a cell."""
    try:
        picked = event["selection"][CLICK]
    except (KeyError, TypeError):
        return None
    if not picked:
        return None
    st.session_state[counter] = st.session_state.get(counter, 0) + 1
    try:
        return float(picked[0][fields[0]]), float(picked[0][fields[1]])
    except (KeyError, TypeError, ValueError, IndexError):
        return False


def take_pick(event, counter: str, field: str) -> str | bool | None:
    """Like ``take_click`` for a selection of one text field (a clickable diagram's parameter name):
    None when nothing was clicked; else the click count goes up and the field's text comes back, or
    False when the click did not land on anything that has one."""
    try:
        picked = event["selection"][CLICK]
    except (KeyError, TypeError):
        return None
    if not picked:
        return None
    st.session_state[counter] = st.session_state.get(counter, 0) + 1
    try:
        value = picked[0][field]
    except (KeyError, TypeError, IndexError):
        return False
    return value if isinstance(value, str) and value else False


def click_key(prefix: str, counter: str) -> str:
    """The clickable chart's key: changes after each click (see ``take_click``)."""
    return f"{prefix}_{st.session_state.get(counter, 0)}"
