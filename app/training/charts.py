"""The Training chapter's charts, through app.chart (layout once per shape, fill per rerun) and the
one input-plane heatmap (app.plane): the run's loss/accuracy/learning-rate curves, the replay's
decision boundary and the convergence lab's histograms.

Each public function takes what app/training/run.py computed and returns (filled spec, description):
the description is the chart's text alternative, built from the same numbers (``app.chart.draw``
shows both). ``present`` is the page's presenter flag.

Curves are downsampled before they reach the browser (at most ~2 × ``MAX_POINTS`` rows per run,
keeping each bucket's lowest and highest value so spikes and bounces survive); app.chart.table drops
every value that is not finite, so no chart ever receives NaN or inf.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, chart, hole, sizes, source
from app.names import LOSS_NAMES
from app.plane import plane_spec
from app.training import text
from app.ui import GREY
from core.train import SOLVED_LOSS

MAX_POINTS = 400  # buckets per curve; each keeps its min and max → ≤ 800 rows
LOSS_FLOOR = 1e-12  # a log axis cannot show 0: losses below this are drawn at it
RUN_COLOURS = ["#333333", "#e08214", "#5e3c99", "#1b7837"]  # runs/settings, never the class colours
LAB_COLOURS = {"A": "#333333", "B": "#e08214"}
BOUNDARY_HEIGHT = 330

Spec = tuple[dict, str]  # a filled Vega-Lite spec and its description


def downsample(values: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Indices (epochs) and values of a min/max envelope of ``values``; non-finite values dropped.

    values: (T,). Returns (epochs, values), each at most 2·max_points + 2 long, epochs increasing.
    """
    v = np.asarray(values, dtype=float)
    idx = np.arange(v.size)
    keep = np.isfinite(v)
    idx, v = idx[keep], v[keep]
    if v.size <= 2 * max_points:
        return idx, v
    # np.array_split's buckets (the first size % max_points one longer); in each, the first lowest and
    # the first highest value (as np.argmin/argmax pick them): a stable sort by (bucket, value)
    q, r = divmod(v.size, max_points)
    lengths = np.full(max_points, q)
    lengths[:r] += 1
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    bucket = np.repeat(np.arange(max_points), lengths)
    lowest = np.lexsort((v, bucket))[starts]
    highest = np.lexsort((-v, bucket))[starts]
    sel = np.unique(np.concatenate([[0, v.size - 1], lowest, highest]))
    return idx[sel], v[sel]


def curve_columns(runs: dict[str, np.ndarray], floor: float | None = None) -> dict:
    """{run label: values (T,)} → columns epoch, value, run (long form), downsampled, finite only."""
    epochs, values, labels = [], [], []
    for label, curve in runs.items():
        e, v = downsample(curve)
        epochs.append(e)
        values.append(v if floor is None else np.maximum(v, floor))
        labels.append(np.full(e.size, label, dtype=object))
    return {
        "epoch": np.concatenate(epochs).astype(np.int64),
        "value": np.concatenate(values).astype(float),
        "run": np.concatenate(labels),
    }


def _legend(present: bool, **kw) -> alt.Legend:
    """The runs' or settings' legend below the chart, one row each."""
    return alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=400, **kw)


def curves(
    present: bool,
    n: int,
    log: bool,
    height: int,
    y_format: str = "~g",
    y_domain: tuple | None = None,
    x_fixed: bool = False,
    dots: bool = False,
    marks: bool = False,
) -> alt.LayerChart:
    """The builder: one line per run over epochs. Data: "curves" (epoch, value, run), "marks" (epoch,
    what: dashed vertical rules) when ``marks``. Holes: title, y_title, runs (the n labels, the first
    drawn again on top: the run the page is about), first, x_domain (``x_fixed``), dotted (the runs
    drawn with a dot on every value, ``dots``). height: the plot's own (PLOT_HEIGHT)."""
    s = sizes(present)
    x_scale = alt.Scale(domain=hole("x_domain"), nice=False) if x_fixed else alt.Scale()
    y_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    if y_domain is not None:
        y_scale = alt.Scale(domain=list(y_domain))
    legend = _legend(present, symbolSize=s["point"] // 4, symbolStrokeWidth=2) if n > 1 else None
    base = alt.Chart(source("curves")).encode(
        x=alt.X("epoch:Q", title="epoch", scale=x_scale, axis=alt.Axis(format="~d", tickMinStep=1)),
        y=alt.Y("value:Q", title=hole("y_title"), scale=y_scale, axis=alt.Axis(format=y_format)),
        color=alt.Color("run:N", scale=alt.Scale(domain=hole("runs"), range=RUN_COLOURS[:n]), legend=legend),
        tooltip=[
            alt.Tooltip("run:N"),
            alt.Tooltip("epoch:Q"),
            alt.Tooltip("value:Q", title=hole("y_title"), format=".4g"),
        ],
    )
    line = base.mark_line(strokeWidth=s["line"] - 1)
    layers = [line]
    if n > 1:
        layers.append(line.transform_filter(alt.FieldEqualPredicate(field="run", equal=hole("first"))))
    if dots:
        dot = base.mark_point(filled=True, size=s["point"] // 5, opacity=1)
        layers.append(dot.transform_filter(alt.FieldOneOfPredicate(field="run", oneOf=hole("dotted"))))
    if marks:
        layers.append(
            alt.Chart(source("marks"))
            .mark_rule(color=GREY, strokeDash=[6, 4], strokeWidth=2)
            .encode(x="epoch:Q", tooltip=[alt.Tooltip("what:N", title="marker"), alt.Tooltip("epoch:Q")])
        )
    return alt.layer(*layers).properties(title=hole("title"), height=height, width="container", autosize=PLOT_HEIGHT)


def curve_spec(
    runs: dict[str, np.ndarray],
    title: str,
    y_title: str,
    present: bool,
    height: int,
    log: bool = False,
    y_format: str = "~g",
    y_domain: tuple | None = None,
    marks: dict[str, int] | None = None,
    x_domain: list | None = None,
    points: bool = False,
) -> dict:
    """``curves`` filled with these runs ({label: values}); marks: {label: epoch} as dashed rules;
    x_domain fixes the epoch axis (the planned run length when a run stopped early); points draws a
    dot on every value (short runs, fewer than 60 values, always get them)."""
    labels = list(runs)
    dotted = labels if points else [k for k, v in runs.items() if np.size(v) < 60]
    shape = dict(n=len(labels), log=log, height=height, y_format=y_format, y_domain=y_domain)
    shape |= dict(x_fixed=x_domain is not None, dots=bool(dotted), marks=bool(marks))
    data = {"curves": curve_columns(runs, floor=LOSS_FLOOR if log else None)}
    holes = {"title": title, "y_title": y_title, "runs": labels}
    if len(labels) > 1:
        holes["first"] = labels[0]
    if x_domain is not None:
        holes["x_domain"] = list(x_domain)
    if dotted:
        holes["dotted"] = dotted
    if marks:
        data["marks"] = {"epoch": np.array(list(marks.values()), dtype=np.int64), "what": list(marks)}
    return chart(curves, present, data, holes, **shape)


def run_charts(hist, lr: float, extra: dict, present: bool) -> dict[str, Spec | None]:
    """The One-run tab's curves: "loss" (log scale, with ``extra`` {label: loss curve} beside the
    run), "accuracy", "rate" and, when the run diverged in its first tenth, "zoom" on its first
    epochs (else None). present: taller small charts."""
    marks = {f"diverged (epoch {hist.divergence.epoch})": hist.divergence.epoch} if hist.diverged else None
    runs = {f"this run (lr {lr:g})": hist.loss, **extra}
    planned = [0, len(hist.lr)]  # a diverged run stops early; keep the planned length on every axis
    name = LOSS_NAMES[hist.loss_name]
    small = 150 if present else 130  # plot heights (PLOT_HEIGHT): axes, title and legend come on top
    tall = 200 if present else 250  # projected beside the boundary: with a 3-run legend it still fits 720 px
    loss = curve_spec(runs, "Loss (log scale)", name, present, tall, log=True, marks=marks, x_domain=planned)
    out: dict[str, Spec | None] = {
        "loss": (loss, text.loss_curves(hist, runs)),
        "accuracy": (
            curve_spec(
                {"this run": hist.acc},
                "Accuracy",
                "accuracy",
                present,
                small,
                y_format=".0%",
                y_domain=(0, 1),
                x_domain=planned,
            ),
            text.accuracy_curve(hist),
        ),  # fmt: skip
        "rate": (
            curve_spec({"schedule": hist.lr}, "Learning rate per epoch", "rate", present, small, marks=marks),
            text.rate_curve(hist.lr),
        ),
        "zoom": None,
    }
    if hist.diverged and hist.divergence.epoch < len(hist.lr) / 10:
        n = max(20, 3 * hist.divergence.epoch + 10)
        zoom = {k: v[: n + 1] for k, v in runs.items()}
        title = f"Zoom: loss over the first {n} epochs"
        spec = curve_spec(zoom, title, name, present, 200, log=True, marks=marks, points=True)
        out["zoom"] = (spec, text.zoom_curve(hist, n))
    return out


def boundary(values: np.ndarray, epoch: int, present: bool, probe: dict | None = None) -> Spec:
    """The replay's decision boundary: the output a2 (GRID_N, GRID_N) over the input plane at ``epoch``;
    with ``probe`` (``app.probe.probe_columns``) the probed point is marked and the map is clickable."""
    probed = {} if probe is None else {"probe": probe, "clickable": True}
    spec = plane_spec(values, present, f"Decision boundary at epoch {epoch:,}", "a2", height=BOUNDARY_HEIGHT, **probed)
    return spec, text.boundary(values, epoch)


# ----- the convergence lab -------------------------------------------------------------------------
def log_bins(values: np.ndarray, n: int = 30) -> np.ndarray:
    """n log-spaced bin edges covering the positive finite values (at least one decade)."""
    v = values[np.isfinite(values) & (values > 0)]
    if v.size == 0:
        return np.logspace(-3, 0, n + 1)
    lo, hi = np.log10(v.min()), np.log10(v.max())
    if hi - lo < 1:
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    return np.logspace(np.floor(lo * 10) / 10, np.ceil(hi * 10) / 10 + 1e-9, n + 1)


def histogram_columns(groups: dict[str, np.ndarray], edges: np.ndarray) -> dict:
    """{setting: values} → columns setting, lo, hi, count: one row per non-empty bin."""
    parts = []
    for label, values in groups.items():
        counts, _ = np.histogram(values[np.isfinite(values)], bins=edges)
        nz = np.flatnonzero(counts)
        parts.append((np.full(nz.size, label, dtype=object), edges[:-1][nz], edges[1:][nz], counts[nz]))
    return {
        "setting": np.concatenate([p[0] for p in parts]) if parts else np.empty(0, dtype=object),
        "lo": np.concatenate([p[1] for p in parts]).astype(float) if parts else np.empty(0),
        "hi": np.concatenate([p[2] for p in parts]).astype(float) if parts else np.empty(0),
        "count": np.concatenate([p[3] for p in parts]).astype(np.int64) if parts else np.empty(0, np.int64),
    }


def histogram(present: bool, n: int, log: bool, rule: bool, height: int = 180) -> alt.LayerChart:
    """The builder: overlaid histograms, one colour per setting. Data: "bars" (setting, lo, hi,
    count), "rule" (x, what: a dashed vertical line) when ``rule``. Holes: title, x_title, settings
    (the n labels) and colours. height: the plot's own (PLOT_HEIGHT)."""
    s = sizes(present)
    x_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    legend = _legend(present, symbolType="square", symbolSize=s["point"] // 2, symbolOpacity=0.8)
    bars = (
        alt.Chart(source("bars"))
        .mark_rect(opacity=0.55, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("lo:Q", title=hole("x_title"), scale=x_scale, axis=alt.Axis(format="~g" if log else "d")),
            x2="hi:Q",
            y=alt.Y("count:Q", title="runs", stack=None),
            color=alt.Color(
                "setting:N", scale=alt.Scale(domain=hole("settings"), range=hole("colours")), legend=legend
            ),
            tooltip=[
                alt.Tooltip("setting:N"),
                alt.Tooltip("lo:Q", title="from", format=".3g"),
                alt.Tooltip("hi:Q", title="to", format=".3g"),
                alt.Tooltip("count:Q", title="runs"),
            ],
        )
    )
    layers = [bars]
    if rule:
        layers.append(
            alt.Chart(source("rule"))
            .mark_rule(color="black", strokeDash=[6, 4], strokeWidth=s["stroke"])
            .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("x:Q", format=".3g")])
        )
    return alt.layer(*layers).properties(title=hole("title"), height=height, width="container", autosize=PLOT_HEIGHT)


def histogram_spec(
    groups: dict[str, np.ndarray],
    edges: np.ndarray,
    title: str,
    x_title: str | list[str],
    present: bool,
    log: bool = False,
    rule: float | None = None,
    rule_label: str = "",
) -> dict:
    """``histogram`` filled with {setting: values} binned at ``edges``; rule: an x to mark."""
    labels = list(groups)
    colours = [LAB_COLOURS.get(k[:1], RUN_COLOURS[i % 4]) for i, k in enumerate(labels)]
    data = {"bars": histogram_columns(groups, edges)}
    if rule is not None:
        data["rule"] = {"x": np.array([rule], dtype=float), "what": [rule_label]}
    holes = {"title": title, "x_title": x_title, "settings": labels, "colours": colours}
    return chart(histogram, present, data, holes, n=len(labels), log=log, rule=rule is not None)


def lab_charts(results: dict, epochs: int, present: bool) -> tuple[Spec, Spec]:
    """The lab's histograms: every run's final loss (log bins, the solved threshold dashed) and the
    epochs the solved runs needed. results: {legend label: MultiResult}."""
    finals = {k: r.loss for k, r in results.items()}
    to_solve = {k: r.epochs_to_solve[r.solved].astype(float) for k, r in results.items()}
    edges = log_bins(np.concatenate(list(finals.values())))
    losses = histogram_spec(
        finals, edges, "Final loss of every run", "final loss (log scale)", present,
        log=True, rule=SOLVED_LOSS, rule_label="solved threshold",
    )  # fmt: skip
    x_title = ["epoch at which the run counted", "as solved (solved runs only)"]  # two lines: a phone's width
    needed = histogram_spec(to_solve, np.linspace(0, max(epochs, 1), 41), "Epochs needed to solve", x_title, present)
    return (losses, text.final_losses(finals)), (needed, text.epochs_needed(to_solve))
