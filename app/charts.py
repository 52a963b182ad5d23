"""Altair chart builders shared by several pages: heatmaps over the input plane, the 0.5
contour (contourpy), the four XOR points, and line charts that never receive inf/NaN.

Heatmaps ship quantised: grid indices and the value as uint8 (0–255), turned back into
coordinates by a Vega transform, so a 60×60 map is ~11 KB instead of ~140 KB.
"""

from __future__ import annotations

import altair as alt
import contourpy
import numpy as np
import pandas as pd

from app.ui import BLUE, RED, presenter
from core.data import X as XOR_X
from core.data import y as XOR_Y

COLOUR_SCALE = alt.Scale(scheme="redblue", reverse=True, domain=[0, 1])  # 0 blue … 1 red (RdBu)
# A chart's ``autosize`` when its ``height`` should be the plot's own height, with the title, axes and
# legend on top of it. Streamlit's default, "fit", counts them inside the height: a legend that grows
# (a diverged run's three entries) or a rotated axis title longer than the plot squeezed plots to a
# few pixels (the projected Training loss curve to ~40 px).
PLOT_HEIGHT = alt.AutoSizeParams(type="fit-x", contains="padding")


def sizes(present: bool | None = None) -> dict:
    """Font, line and point sizes for the current mode (presenter mode makes them larger).

    present: the mode, when the caller knows it (a chart built outside a session, e.g. while
    warming the caches, has no session to read it from); None reads it from the session.
    """
    if presenter() if present is None else present:
        return {"font": 20, "title": 22, "line": 5, "point": 700, "label": 22, "stroke": 3}
    return {"font": 12, "title": 14, "line": 3, "point": 300, "label": 14, "stroke": 2}


def style(chart: alt.Chart, present: bool | None = None) -> alt.Chart:
    """Apply the shared axis/legend/title font sizes (``present`` as in ``sizes``)."""
    s = sizes(present)
    # one configure() call: each configure_* call copies a layer chart whole (~20 ms apiece)
    return chart.configure(
        axis=alt.AxisConfig(labelFontSize=s["font"], titleFontSize=s["font"]),
        legend=alt.LegendConfig(labelFontSize=s["font"], titleFontSize=s["font"]),
        title=alt.TitleConfig(fontSize=s["title"]),
    )


def grid_codes(values: np.ndarray) -> np.ndarray:
    """values (n, n) in [0, 1] → uint8 codes 0–255 (NaN → 128, the middle; ±inf → the ends)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5, posinf=1.0, neginf=0.0)
    return np.clip(np.rint(v * 255), 0, 255).astype(np.uint8)


def grid_frame(values: np.ndarray, lo: float, hi: float) -> pd.DataFrame:
    """values (n, n) indexed [x2, x1] in [0, 1] → quantised long frame (i, j, q)."""
    n = np.shape(values)[0]
    jj, ii = np.meshgrid(np.arange(n, dtype=np.uint8), np.arange(n, dtype=np.uint8))
    return pd.DataFrame({"i": ii.ravel(), "j": jj.ravel(), "q": grid_codes(values).ravel()})


def contour_lines(values: np.ndarray, lo: float, hi: float, level: float = 0.5) -> tuple[np.ndarray, ...]:
    """The ``level`` contour of values (n, n) over [lo, hi]²: vertex columns (x1, x2, line, order),
    x1/x2 float64 rounded to 4 decimals, line/order int64; each empty when nothing crosses ``level``."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5, posinf=1.0, neginf=0.0)
    axis = np.linspace(lo, hi, v.shape[0])
    gen = contourpy.contour_generator(axis, axis, v, line_type=contourpy.LineType.Separate)
    lines = gen.lines(level)
    if not lines:
        return np.empty(0), np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    # Python's round on each vertex (not np.round, which can differ in the last bit)
    x1 = np.array([round(x, 4) for line in lines for x in line[:, 0].tolist()])
    x2 = np.array([round(x, 4) for line in lines for x in line[:, 1].tolist()])
    line = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(lines)])
    order = np.concatenate([np.arange(len(p), dtype=np.int64) for p in lines])
    return x1, x2, line, order


def segment_columns(segment: np.ndarray) -> tuple[np.ndarray, ...]:
    """A straight segment (k, 2) of (x1, x2) points (core.linear_sep.line_segment) as the columns
    ``contour_lines`` gives: x1, x2 float64, line/order int64 (one line)."""
    seg = np.asarray(segment, dtype=float).reshape(-1, 2)
    k = len(seg)
    return seg[:, 0].copy(), seg[:, 1].copy(), np.zeros(k, dtype=np.int64), np.arange(k, dtype=np.int64)


def contour_frame(values: np.ndarray, lo: float, hi: float, level: float = 0.5) -> pd.DataFrame:
    """The ``level`` contour of values (n, n) over [lo, hi]² as line vertices (x1, x2, line, order)."""
    x1, x2, line, order = contour_lines(values, lo, hi, level)
    if not len(x1):
        return pd.DataFrame([], columns=["x1", "x2", "line", "order"])
    return pd.DataFrame({"x1": x1, "x2": x2, "line": line, "order": order})


def points_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x1": XOR_X[:, 0],
            "x2": XOR_X[:, 1],
            "label": XOR_Y[:, 0].astype(int),
            "input": [f"[{int(a)} {int(b)}]" for a, b in XOR_X],
        }
    )


def quantise_range(values: np.ndarray, vrange: tuple) -> tuple[float, float]:
    """(qlo, qhi): the range plane_heatmap quantises values (n, n) over when vrange is not (0, 1) —
    vrange widened to the finite values' own range, so every value keeps its code."""
    fin = np.asarray(values, dtype=float)[np.isfinite(values)]
    qlo = min(float(vrange[0]), float(fin.min()) if fin.size else 0.0)
    qhi = max(float(vrange[1]), float(fin.max()) if fin.size else 1.0)
    return qlo, (qhi if qhi > qlo else qlo + 1.0)


def quantised_value(qlo: float, qhi: float) -> str:
    """The Vega expression turning a code q (0–255) back into a value in [qlo, qhi]."""
    return f"{qlo!r} + datum.q / 255 * {qhi - qlo!r}"


def plane_heatmap(
    values: np.ndarray,
    lo: float = -0.5,
    hi: float = 1.5,
    title: str = "",
    value_name: str = "output",
    width: int | str = "container",
    height: int = 360,
    show_points: bool = True,
    vrange: tuple = (0.0, 1.0),
    level: float = 0.5,
    point_scale: float = 1.0,
    present: bool | None = None,
    line: np.ndarray | None = None,
) -> alt.LayerChart:
    """A value in [0, 1] over the input plane, with its 0.5 line in black and the XOR points.

    vrange: the colour scale's (blue, red) ends for values not in [0, 1] (e.g. (−1, 1) for tanh);
    the data are then quantised over the grid's own range so tooltips stay exact, and colours
    saturate outside vrange. level: where the black line goes; line: a straight segment (k, 2) to
    draw instead of the level contour (a hidden neuron's exact z1 = 0). point_scale: shrink the
    points and labels for small multiples. present: the mode, as in ``sizes``.
    """
    s = sizes(present)
    n = values.shape[0]
    step = (hi - lo) / (n - 1)
    half = step * 0.6  # neighbouring cells overlap a little: exactly touching rects show antialiasing seams
    value_expr = "datum.q / 255"
    colour_scale = COLOUR_SCALE
    data = values
    if tuple(vrange) != (0.0, 1.0):
        qlo, qhi = quantise_range(values, vrange)
        data = (np.asarray(values, dtype=float) - qlo) / (qhi - qlo)
        value_expr = quantised_value(qlo, qhi)
        colour_scale = alt.Scale(scheme="redblue", reverse=True, domain=[float(v) for v in vrange], clamp=True)
    base = alt.Chart(grid_frame(data, lo, hi)).transform_calculate(
        x1=f"{lo} + datum.j * {step}",
        x2=f"{lo} + datum.i * {step}",
        x1a=f"{lo - half} + datum.j * {step}",
        x1b=f"{lo + half} + datum.j * {step}",
        x2a=f"{lo - half} + datum.i * {step}",
        x2b=f"{lo + half} + datum.i * {step}",
        value=value_expr,
    )
    xs = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    # channels as objects, never shorthand strings such as x2="x1b:Q": Altair turns each string into a
    # channel by hashing its whole schema (~15 ms apiece), and the spec comes out the same
    heat = base.mark_rect().encode(
        x=alt.X("x1a:Q", scale=xs, title="x1 (input 1)"),
        x2=alt.X2("x1b:Q"),
        y=alt.Y("x2a:Q", scale=xs, title="x2 (input 2)"),
        y2=alt.Y2("x2b:Q"),
        color=alt.Color("value:Q", scale=colour_scale, title=value_name, legend=alt.Legend(format=".1f")),
        tooltip=[
            alt.Tooltip("x1:Q", format=".2f"),
            alt.Tooltip("x2:Q", format=".2f"),
            alt.Tooltip("value:Q", title=value_name, format=".3f"),
        ],
    )
    layers = [heat]
    if line is None:
        cf = contour_frame(values, lo, hi, level)
    else:
        x1, x2, ln, order = segment_columns(line)
        cf = pd.DataFrame({"x1": x1, "x2": x2, "line": ln, "order": order})
    if len(cf):
        layers.append(
            alt.Chart(cf)
            .mark_line(color="black", strokeWidth=s["line"])
            .encode(
                x=alt.X("x1:Q", scale=xs),
                y=alt.Y("x2:Q", scale=xs),
                detail=alt.Detail("line:N"),
                order=alt.Order("order:Q"),
            )
        )
    if show_points:
        pts = alt.Chart(points_frame())
        psize = s["point"] if point_scale == 1 else s["point"] * point_scale**2
        offset = s["label"] if point_scale == 1 else s["label"] * point_scale
        layers.append(
            pts.mark_point(filled=True, size=psize, stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
                x=alt.X("x1:Q", scale=xs),
                y=alt.Y("x2:Q", scale=xs),
                color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
                tooltip=[alt.Tooltip("input:N"), alt.Tooltip("label:N", title="XOR")],
            )
        )
        layers.append(
            pts.mark_text(dx=offset, dy=-offset, fontSize=s["label"], fontWeight="bold").encode(
                x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), text=alt.Text("label:N")
            )
        )
    return alt.layer(*layers).properties(title=title, width=width, height=height)
