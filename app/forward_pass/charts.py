"""The Forward pass page's chart, through app.chart: the activation curve(s) with the current
input's z values marked (circles: hidden neurons, diamond: the output)."""

from __future__ import annotations

import altair as alt

from app import plane, probe
from app.chart import fill, hole, layout, sizes, source
from app.ui import BLUE, GREY, RED

BELOW = dict(orient="bottom", direction="horizontal")
HALF = {"a": [0.5]}  # the dashed line at activation 0.5


def curve(present: bool) -> alt.LayerChart:
    """The builder: datasets "curves" (z, a, curve), "marks" (``run.curve``'s) and "half" (a); holes
    "zdom" and "adom" (the axes' ranges, which follow the marked values)."""
    s = sizes(present)
    xs = alt.Scale(domain=hole("zdom"), nice=False)
    ys = alt.Scale(domain=hole("adom"), nice=False)
    lines = (
        alt.Chart(source("curves"))
        .mark_line(strokeWidth=s["line"], color=GREY)
        .encode(
            x=alt.X("z:Q", scale=xs, title="z"),
            y=alt.Y("a:Q", scale=ys, title="activation a"),
            strokeDash=alt.StrokeDash("curve:N", title="curve", legend=alt.Legend(**BELOW)),
            tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("a:Q", format=".3f")],
        )
    )
    tip = [
        alt.Tooltip("name:N", title="value"),
        alt.Tooltip("z:Q", format=".4f"),
        alt.Tooltip("a:Q", title="activation", format=".4f"),
        alt.Tooltip("curve:N", title="through"),
    ]
    pts = alt.Chart(source("marks")).transform_filter("datum.finite")
    P = dict(x=alt.X("z:Q", scale=xs), y=alt.Y("a:Q", scale=ys))
    layers = [
        lines,
        alt.Chart(source("half")).mark_rule(strokeDash=[4, 4], color="#999999").encode(y=alt.Y("a:Q", scale=ys)),
        pts.mark_rule(strokeDash=[2, 3], strokeWidth=1.5, color="#888888").encode(
            x=P["x"], y=alt.Y("base:Q", scale=ys), y2="a:Q"
        ),
        pts.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            **P,
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(domain=["z > 0", "z ≤ 0"], range=[RED, BLUE]),
                title="sign of z",
                legend=alt.Legend(**BELOW),
            ),
            shape=alt.Shape(  # circle = hidden neuron, diamond = output (the labels say which)
                "layer:N", scale=alt.Scale(domain=["hidden", "output"], range=["circle", "diamond"]), legend=None
            ),
            tooltip=tip,
        ),
    ]
    # Labels point inwards: to the right of points left of centre, to the left of the others.
    for cond, align, dx in (("datum.z <= 0", "left", 1), ("datum.z > 0", "right", -1)):
        layers.append(
            pts.transform_filter(cond)
            .mark_text(fontSize=s["font"] + 1, fontWeight="bold", align=align, dx=dx * s["font"] * 0.9)
            .encode(x=P["x"], y=alt.Y("ly:Q", scale=ys), text="label:N", tooltip=tip)
        )
    return alt.layer(*layers).properties(height=400 if present else 320, width="container")


def curve_spec(data: dict, present: bool) -> dict:
    """The filled curve chart of ``run.curve``'s data."""
    datasets = {"curves": data["curves"], "marks": data["marks"], "half": HALF}
    return fill(layout(curve, present), datasets, zdom=data["zdom"], adom=data["adom"])


def curve_text(data: dict, row_label: str) -> str:
    """The chart in one sentence, from its numbers."""
    m = data["marks"]
    shown = [f"{n} = {z:.2f} → {a:.3f}" for n, z, a, ok in zip(m["name"], m["z"], m["a"], m["finite"]) if ok]
    return f"Activation curve with the z values of input {row_label} marked: " + "; ".join(shown) + "."


def plane_spec(a2, x, present: bool) -> dict:
    """The clickable input plane: the output a2 over it, its 0.5 line, the four XOR points and the probed
    point x."""
    return plane.plane_spec(
        a2,
        present,
        "Click any point to send it through",
        probe=probe.probe_columns(x),
        clickable=True,
        height=380 if present else 320,
        point_scale=0.7,
    )


def plane_text(a2, x, a2_at: float) -> str:
    """The clickable plane in one sentence, from its numbers."""
    return (
        f"The network's output a2 over the input plane with its 0.5 line and the four XOR inputs; the probed point "
        f"{probe.label(x)} is marked, where a2 = {a2_at:.3f}. Click the plane to probe another point."
    )
