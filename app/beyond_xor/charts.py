"""Beyond XOR's charts, through app.chart and app.plane only: the data on the input plane (with the
network's map, its boundary and its hidden neurons' lines), accuracy while training, and the sweep's
width × depth grid."""

from __future__ import annotations

import altair as alt
import numpy as np

from app.beyond_xor.run import GRID_N
from app.chart import PLOT_HEIGHT, chart, hole, sizes, source
from app.plane import SPLIT_SETS, plane_spec
from app.ui import BLUE, RED

POINT_SCALE = {True: 0.35, False: 0.45}  # many points: smaller marks than XOR's four (presenter: larger base)


def point_columns(X: np.ndarray, y: np.ndarray, is_test: np.ndarray | None = None) -> dict:
    """Points for the plane: x1, x2, label, input ("point 7"), and set (training/test) when split."""
    n = len(X)
    cols = {
        "x1": np.asarray(X[:, 0], float),
        "x2": np.asarray(X[:, 1], float),
        "label": np.asarray(y[:, 0], dtype=np.int64),
        "input": np.array([f"point {k + 1}" for k in range(n)], dtype=object),
    }
    if is_test is not None:
        cols["set"] = np.where(is_test, SPLIT_SETS[1], SPLIT_SETS[0]).astype(object)
    return cols


def data_plane(
    values: np.ndarray | None,
    points: dict,
    present: bool,
    title: str,
    segments: dict | None = None,
    clickable: bool = False,
) -> dict:
    """The plane: the network's output a2 with its 0.5 boundary (or a flat 0.5 map before there is a
    network), the points (training and test told apart when ``points`` has a ``set``)."""
    flat = values is None
    if flat:
        values = np.full((GRID_N, GRID_N), 0.5)  # no network yet: a neutral map (and every cell clickable)
    return plane_spec(
        values,
        present,
        title,
        level=2.0 if flat else 0.5,  # a level nothing reaches: no line on the flat map
        points=points,
        segments=segments,
        point_scale=POINT_SCALE[present],
        labels=False,
        split="set" in points,
        clickable=clickable,
        point_stroke="white",
        height=440 if present else 420,
    )


def _accuracy(present: bool) -> alt.LayerChart:
    """Training and test accuracy at each snapshot; a rule at the replay's epoch."""
    s = sizes(present)
    colour = alt.Color(
        "set:N",
        scale=alt.Scale(domain=["training", "test"], range=[BLUE, RED]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    lines = (
        alt.Chart(source("acc"))
        .mark_line(strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=colour,
            strokeDash=alt.StrokeDash(
                "set:N", scale=alt.Scale(domain=["training", "test"], range=[[1, 0], [6, 3]]), legend=None
            ),
            tooltip=["epoch:Q", "set:N", alt.Tooltip("accuracy:Q", format=".1%")],
        )
    )
    rule = alt.Chart(source("now")).mark_rule(color="black", strokeWidth=s["stroke"]).encode(x="epoch:Q")
    return alt.layer(lines, rule).properties(title=hole("title"), height=200 if present else 170, autosize=PLOT_HEIGHT)


def accuracy_spec(run, epoch: int, present: bool) -> dict:
    n = len(run.epochs)
    data = {
        "acc": {
            "epoch": np.r_[run.epochs, run.epochs],
            "accuracy": np.r_[run.train_acc, run.test_acc],
            "set": np.array(["training"] * n + ["test"] * n, dtype=object),
        },
        "now": {"epoch": np.array([epoch])},
    }
    return chart(_accuracy, present, data, {"title": "Accuracy while training"})


def _sweep(present: bool, rows: int, cols: int) -> alt.LayerChart:
    """Best test accuracy per (hidden layers, neurons per layer), written in each cell."""
    s = sizes(present)
    base = alt.Chart(source("sweep")).encode(
        x=alt.X("width:O", title="neurons per hidden layer", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("depth:O", title="hidden layers"),
        tooltip=[
            alt.Tooltip("depth:O", title="hidden layers"),
            alt.Tooltip("width:O", title="neurons per layer"),
            alt.Tooltip("best:Q", title="best test accuracy", format=".0%"),
            alt.Tooltip("mean:Q", title="mean over the seeds", format=".0%"),
            alt.Tooltip("solved:Q", title=hole("solved_title")),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "best:Q",
            scale=alt.Scale(scheme="greens", domain=[0.5, 1], clamp=True),
            legend=alt.Legend(title="best test accuracy", format=".0%", orient="bottom"),
        )
    )
    text = base.mark_text(fontSize=s["font"], fontWeight="bold").encode(
        text=alt.Text("best:Q", format=".0%"),
        color=alt.condition("datum.best > 0.85", alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, text).properties(
        title=hole("title"), height=rows * (56 if present else 44), autosize=PLOT_HEIGHT
    )


def sweep_spec(sw, present: bool, title: str, solves: float) -> dict:
    best = sw.best_test()
    D, W = np.meshgrid(np.arange(len(sw.depths)), np.arange(len(sw.widths)), indexing="ij")
    data = {
        "sweep": {
            "depth": np.asarray(sw.depths)[D.ravel()],
            "width": np.asarray(sw.widths)[W.ravel()],
            "best": best.ravel(),
            "mean": sw.test_acc.mean(axis=2).ravel(),
            "solved": (sw.test_acc >= solves).sum(axis=2).ravel(),
        }
    }
    holes = {"title": title, "solved_title": f"seeds reaching {100 * solves:.0f} %"}
    return chart(_sweep, present, data, holes, rows=len(sw.depths), cols=len(sw.widths))
