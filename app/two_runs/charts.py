"""The Two-runs chapter's charts, through app.chart (layout once per shape, fill per rerun) and the one
input-plane heatmap (app.plane): both runs' loss curves on one chart, with the replay's epoch marked,
and each run's decision boundary at that epoch.

Each public function returns (filled spec, description): the description is the chart's text
alternative, built from the same numbers (``app.chart.draw`` shows both). ``present`` is the page's
presenter flag. app.chart.table drops every value that is not finite, so no chart receives NaN or inf.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, chart, hole, sizes, source
from app.plane import plane_spec
from app.two_runs import text
from app.ui import GREY
from core.train import snapshot_schedule

COLOURS = ["#333333", "#e08214"]  # A, B: never the class colours red and blue
DASHES = [[1, 0], [8, 4]]  # A solid, B dashed: identical runs still show both lines
LOSS_FLOOR = 1e-12  # a log axis cannot show 0: losses below this are drawn at it
CURVE_POINTS = 401  # loss values per run sent to the browser
PLANE_HEIGHT = {False: 300, True: 300}
LOSS_HEIGHT = {False: 200, True: 200}

Spec = tuple[dict, str]


def curves(present: bool, height: int) -> alt.LayerChart:
    """The builder: both runs' loss over epochs (log scale). Data: "curves" (epoch, loss, run), "dots"
    (epoch, loss, run: where each run is at the replay's epoch), "now" (epoch: a dashed rule). Holes:
    title, y_title, runs (the two legend labels), x_domain."""
    s = sizes(present)
    colour = alt.Color(
        "run:N",
        scale=alt.Scale(domain=hole("runs"), range=COLOURS),
        legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=400, symbolStrokeWidth=3),
    )
    x = alt.X(
        "epoch:Q", title="epoch", scale=alt.Scale(domain=hole("x_domain"), nice=False), axis=alt.Axis(format="~d")
    )
    y_ = alt.Y("loss:Q", title=hole("y_title"), scale=alt.Scale(type="log"), axis=alt.Axis(format="~g"))
    tips = [alt.Tooltip("run:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("loss:Q", format=".4g")]
    line = (
        alt.Chart(source("curves"))
        .mark_line(strokeWidth=s["line"] - 1)
        .encode(
            x=x,
            y=y_,
            color=colour,
            strokeDash=alt.StrokeDash("run:N", scale=alt.Scale(domain=hole("runs"), range=DASHES), legend=None),
            tooltip=tips,
        )
    )
    now = alt.Chart(source("now")).mark_rule(color=GREY, strokeDash=[3, 3], strokeWidth=2).encode(x="epoch:Q")
    dots = (
        alt.Chart(source("dots"))
        .mark_point(filled=True, size=s["point"] // 2, opacity=1, stroke="white", strokeWidth=1)
        .encode(x=x, y=y_, color=colour, tooltip=tips)
    )
    return alt.layer(now, line, dots).properties(
        title=hole("title"), height=height, width="container", autosize=PLOT_HEIGHT
    )


def curve_columns(hists: dict) -> dict:
    """{label: History} → long columns epoch, loss, run: each run's loss at up to CURVE_POINTS evenly
    spaced epochs (its last epoch included), floored at LOSS_FLOOR; non-finite values dropped."""
    epochs, losses, labels = [], [], []
    for label, h in hists.items():
        loss = np.asarray(h.loss, dtype=float)
        idx = snapshot_schedule(len(loss) - 1, CURVE_POINTS)
        v = loss[idx]
        ok = np.isfinite(v)
        epochs.append(idx[ok])
        losses.append(np.maximum(v[ok], LOSS_FLOOR))
        labels.append(np.full(int(ok.sum()), label, dtype=object))
    return {
        "epoch": np.concatenate(epochs).astype(np.int64),
        "loss": np.concatenate(losses).astype(float),
        "run": np.concatenate(labels),
    }


def loss_chart(p, epoch: int, present: bool, labels: tuple[str, str] = ("A", "B")) -> Spec:
    """Both runs' loss curves (p: app.two_runs.run.Pair), the replay's ``epoch`` marked on each."""
    hists = dict(zip(labels, (p.a, p.b)))
    shown = {k: min(epoch, h.epochs_run) for k, h in hists.items()}
    dot_loss = np.array([float(h.loss[shown[k]]) for k, h in hists.items()])
    data = {
        "curves": curve_columns(hists),
        "dots": {
            "epoch": np.array(list(shown.values()), dtype=np.int64),
            "loss": np.maximum(dot_loss, LOSS_FLOOR),
            "run": np.array(labels, dtype=object),
        },
        "now": {"epoch": np.array([epoch], dtype=np.int64)},
    }
    same = p.a.loss_name == p.b.loss_name
    holes = {
        "title": "Loss (log scale)",
        "y_title": text.loss_axis(p.a.loss_name, p.b.loss_name),
        "runs": list(labels),
        "x_domain": [0, p.epochs[-1]],
    }
    spec = chart(curves, present, data, holes, height=LOSS_HEIGHT[present])
    return spec, text.loss_description(p, epoch, labels, same)


def boundaries(
    p, values: list[np.ndarray], shown: list[int], epoch: int, present: bool, probe: dict | None = None
) -> list[Spec]:
    """Each run's decision boundary at the replay's ``epoch`` (values: its output a2 over the plane,
    (n, n), at the epoch it shows, ``shown``: a run that stopped early shows its last one); with ``probe``
    (``app.probe.probe_columns``) the probed point is marked on both and both maps are clickable."""
    probed = {} if probe is None else {"probe": probe, "clickable": True}
    out = []
    for name, h, v, k in zip("AB", (p.a, p.b), values, shown):
        title = text.plane_title(name, h, k, epoch)
        spec = plane_spec(v, present, title, "a2", height=PLANE_HEIGHT[present], **probed)
        out.append((spec, text.boundary(name, v, title)))
    return out
