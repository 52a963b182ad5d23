"""Chart builders for the Training page: loss/accuracy/learning-rate curves and the convergence lab.

Building an Altair chart and validating it costs ~0.1 s per chart, so the page gets finished
Vega-Lite specs (data as named datasets of Arrow bytes) cached with ``st.cache_data`` on the
builder's arguments and the presenter flag (``cached_spec``, ``run_charts``, ``lab_charts``) and draws
them with ``st.vega_lite_chart``: warm reruns skip Altair entirely. The replay's decision boundary
is built once per layout and gets only new datasets and a new title per epoch
(``plane_from_template``). Datasets go to Arrow straight from NumPy (no pandas conversion).

Curves are downsampled before they reach the browser (at most ~2 × ``MAX_POINTS`` rows per run,
keeping each bucket's lowest and highest value so spikes and bounces survive), and every value
that is not finite is dropped here, so no chart ever receives NaN or inf.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import altair as alt
import contourpy
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from app import ui
from app.charts import PLOT_HEIGHT, plane_heatmap, points_frame, sizes, style
from app.names import LOSS_NAMES
from app.ui import GREY
from core.train import SOLVED_LOSS

MAX_POINTS = 400  # buckets per curve; each keeps its min and max → ≤ 800 rows
LOSS_FLOOR = 1e-12  # a log axis cannot show 0: losses below this are drawn at it
RUN_COLOURS = ["#333333", "#e08214", "#5e3c99", "#1b7837"]  # runs/settings, never the class colours
LAB_COLOURS = {"A": "#333333", "B": "#e08214"}


def downsample(values: np.ndarray, max_points: int = MAX_POINTS, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (epochs) and values of a min/max envelope of ``values``; non-finite values dropped.

    values: (T,). Returns (epochs, values), each at most 2·max_points + 1 long, epochs increasing.
    """
    v = np.asarray(values, dtype=float)
    idx = np.arange(v.size)
    keep = np.isfinite(v)
    idx, v = idx[keep], v[keep]
    if v.size <= 2 * max_points:
        return idx + start, v
    picks = [np.array([0, v.size - 1])]
    for chunk in np.array_split(np.arange(v.size), max_points):
        picks.append(chunk[[np.argmin(v[chunk]), np.argmax(v[chunk])]])
    sel = np.unique(np.concatenate(picks))
    return idx[sel] + start, v[sel]


def curve_frame(runs: dict[str, np.ndarray], floor: float | None = None) -> pd.DataFrame:
    """{run label: values (T,)} → long frame (epoch, value, run), downsampled, finite only."""
    parts = []
    for label, values in runs.items():
        e, v = downsample(values)
        if floor is not None:
            v = np.maximum(v, floor)
        parts.append(pd.DataFrame({"epoch": e.astype(int), "value": v, "run": label}))
    if not parts:
        return pd.DataFrame({"epoch": [], "value": [], "run": []})
    return pd.concat(parts, ignore_index=True)


def _colour(labels: list[str], symbol: int) -> alt.Color:
    """One colour per run; with several runs a legend below, one row each (symbol: its dots' size,
    small, so three rows take little height on a projector)."""
    legend = alt.Legend(
        title=None, orient="bottom", direction="vertical", labelLimit=400, symbolSize=symbol, symbolStrokeWidth=2
    )
    return alt.Color(
        "run:N",
        scale=alt.Scale(domain=labels, range=RUN_COLOURS[: len(labels)]),
        legend=legend if len(labels) > 1 else None,
    )


def curve_chart(
    runs: dict[str, np.ndarray],
    title: str,
    y_title: str,
    log: bool = False,
    y_format: str = "~g",
    height: int = 130,
    marks: dict[str, int] | None = None,
    y_domain: list | None = None,
    x_domain: list | None = None,
    points: bool = False,
) -> alt.LayerChart:
    """One line per run over epochs; height: the plot's (PLOT_HEIGHT). marks: {label: epoch} drawn as
    dashed vertical rules.

    x_domain fixes the epoch axis (e.g. the planned run length when a run stopped early); points
    draws a dot on every value (for short, zoomed curves).
    """
    s = sizes()
    labels = list(runs)
    df = curve_frame(runs, floor=LOSS_FLOOR if log else None)
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    if y_domain is not None:
        scale = alt.Scale(domain=y_domain)
    dotted = labels if points else [k for k, v in runs.items() if np.size(v) < 60]  # short runs get dots
    base = alt.Chart(df).encode(
        x=alt.X(
            "epoch:Q",
            title="epoch",
            scale=alt.Scale(domain=x_domain, nice=False) if x_domain else alt.Scale(),
            axis=alt.Axis(format="~d", tickMinStep=1),
        ),
        y=alt.Y("value:Q", title=y_title, scale=scale, axis=alt.Axis(format=y_format)),
        color=_colour(labels, s["point"] // 4),
        tooltip=[alt.Tooltip("run:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("value:Q", title=y_title, format=".4g")],
    )
    line = base.mark_line(strokeWidth=s["line"] - 1)
    # the first run is the one the page is about: draw it again on top of the others
    layers = [line, line.transform_filter(alt.datum.run == labels[0])] if len(labels) > 1 else [line]
    if dotted:
        dots = base.mark_point(filled=True, size=s["point"] // 5, opacity=1)
        layers.append(dots.transform_filter(alt.FieldOneOfPredicate(field="run", oneOf=dotted)))
    if marks:
        mf = pd.DataFrame({"epoch": list(marks.values()), "what": list(marks.keys())})
        layers.append(
            alt.Chart(mf)
            .mark_rule(color=GREY, strokeDash=[6, 4], strokeWidth=2)
            .encode(x="epoch:Q", tooltip=[alt.Tooltip("what:N", title="marker"), alt.Tooltip("epoch:Q")])
        )
    return alt.layer(*layers).properties(title=title, height=height, width="container", autosize=PLOT_HEIGHT)


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


def histogram_frame(groups: dict[str, np.ndarray], edges: np.ndarray) -> pd.DataFrame:
    """{setting: values} → frame (setting, lo, hi, count) with one row per non-empty bin."""
    rows = []
    for label, values in groups.items():
        v = values[np.isfinite(values)]
        counts, _ = np.histogram(v, bins=edges)
        for lo, hi, c in zip(edges[:-1], edges[1:], counts):
            if c:
                rows.append((label, float(lo), float(hi), int(c)))
    return pd.DataFrame(rows, columns=["setting", "lo", "hi", "count"])


def histogram_chart(
    groups: dict[str, np.ndarray],
    edges: np.ndarray,
    title: str,
    x_title: str | list[str],
    log: bool = False,
    rule: float | None = None,
    rule_label: str = "",
    height: int = 180,
) -> alt.LayerChart:
    """Overlaid histograms, one colour per setting (A dark grey, B orange); height: the plot's (PLOT_HEIGHT)."""
    s = sizes()
    df = histogram_frame(groups, edges)
    labels = list(groups)
    colours = [LAB_COLOURS.get(k[:1], RUN_COLOURS[i % 4]) for i, k in enumerate(labels)]
    x_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    bars = (
        alt.Chart(df)
        .mark_rect(opacity=0.55, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("lo:Q", title=x_title, scale=x_scale, axis=alt.Axis(format="~g" if log else "d")),
            x2="hi:Q",
            y=alt.Y("count:Q", title="runs", stack=None),
            color=alt.Color(
                "setting:N",
                scale=alt.Scale(domain=labels, range=colours),
                legend=alt.Legend(
                    title=None,
                    orient="bottom",
                    direction="vertical",
                    labelLimit=400,
                    symbolType="square",
                    symbolSize=s["point"] // 2,  # the bars' colours, big enough to tell apart
                    symbolOpacity=0.8,
                ),
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
    if rule is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"x": [rule], "what": [rule_label]}))
            .mark_rule(color="black", strokeDash=[6, 4], strokeWidth=s["stroke"])
            .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("x:Q", format=".3g")])
        )
    return alt.layer(*layers).properties(title=title, height=height, width="container", autosize=PLOT_HEIGHT)


# ----- cached specs -------------------------------------------------------------------------------
def _arrow_dataset(columns: dict) -> tuple[str, bytes]:
    """{column: (n,) array} → (content-hash name, Arrow IPC bytes), built straight from NumPy."""
    data = dataframe_util.convert_arrow_table_to_arrow_bytes(pa.table(columns))
    return f"d_{hashlib.sha1(data).hexdigest()[:16]}", data


def _dataset(data: pd.DataFrame) -> tuple[str, bytes]:
    """A frame's content-hash name and its Arrow bytes (the same bytes as the frame's columns as NumPy)."""
    return _arrow_dataset({str(c): data[c].to_numpy() for c in data.columns})


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """A Vega-Lite dict whose data frames sit in ``datasets`` as Arrow bytes under content-hash names.

    ``st.vega_lite_chart`` ships such named datasets as they are, exactly as ``st.altair_chart`` does.
    """
    datasets = {}

    def swap(obj) -> None:
        data = getattr(obj, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            name, datasets[name] = _dataset(data)  # Arrow once, then cached
            obj.data = alt.NamedData(name)
        if isinstance(obj, alt.LayerChart):
            for sub in obj.layer:
                swap(sub)

    swap(chart)
    spec = chart.to_dict()
    view = spec.get("config", {}).get("view")
    if view == {"continuousWidth": 300, "continuousHeight": 300}:  # Altair's default theme; Streamlit drops it
        del spec["config"]["view"]
    spec["datasets"] = datasets
    return spec


BUILDERS = {"curve": curve_chart, "histogram": histogram_chart, "plane": plane_heatmap}


@st.cache_data(max_entries=600, show_spinner=False)
def cached_spec(builder: str, is_presenter: bool, args: tuple, kwargs: dict) -> dict:
    """The styled spec of ``BUILDERS[builder](*args, **kwargs)``; is_presenter only keys the cache."""
    return to_spec(style(BUILDERS[builder](*args, **kwargs)))


_TITLE = "\x00title\x00"  # stands for the title in a plane template


@st.cache_data(max_entries=16, show_spinner=False)
def _plane_template(layout: tuple) -> dict:
    """The "plane" spec with a placeholder title for one layout (is_presenter, n, sorted
    plane_heatmap keyword items), with its 0.5-line layer: from one epoch of a replay to the next
    only the datasets and the title change, so the Altair build and validation (~0.3 s) happen
    once per layout. Built from stand-in values of that shape; the data are swapped anyway."""
    _, n, items = layout
    values = np.tile(np.linspace(0.1, 0.9, n), (n, 1))  # crosses 0.5: the line layer is there
    return to_spec(style(plane_heatmap(values, title=_TITLE, **dict(items))))


def _without_line(template: dict) -> dict:
    """The template of an output that never crosses 0.5: app.charts.plane_heatmap then leaves out
    the line layer, and to_spec its dataset (the second one it met: heat, line, points)."""
    line = list(template["datasets"])[1]
    datasets = {k: v for k, v in template["datasets"].items() if k != line}
    return {**template, "datasets": datasets, "layer": [x for x in template["layer"] if x["data"]["name"] != line]}


def _grid_columns(values: np.ndarray) -> dict:
    """app.charts.grid_frame's columns (i, j, q as uint8), without building a DataFrame."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5, posinf=1.0, neginf=0.0)
    n = v.shape[0]
    jj, ii = np.meshgrid(np.arange(n, dtype=np.uint8), np.arange(n, dtype=np.uint8))
    q = np.clip(np.rint(v * 255), 0, 255).astype(np.uint8)
    return {"i": ii.ravel(), "j": jj.ravel(), "q": q.ravel()}


def _contour_columns(values: np.ndarray, lo: float, hi: float, level: float) -> dict:
    """app.charts.contour_frame's columns (x1, x2 rounded as it rounds them, line, order)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.5, posinf=1.0, neginf=0.0)
    axis = np.linspace(lo, hi, v.shape[0])
    gen = contourpy.contour_generator(axis, axis, v, line_type=contourpy.LineType.Separate)
    lines = gen.lines(level)
    x1 = [round(float(a), 4) for line in lines for a in line[:, 0]]
    x2 = [round(float(b), 4) for line in lines for b in line[:, 1]]
    k = [i for i, line in enumerate(lines) for _ in range(len(line))]
    order = [o for line in lines for o in range(len(line))]
    return {
        "x1": np.array(x1, dtype=float),
        "x2": np.array(x2, dtype=float),
        "line": np.array(k, dtype=np.int64),
        "order": np.array(order, dtype=np.int64),
    }


@lru_cache(maxsize=1)
def _points_dataset() -> tuple[str, bytes]:
    return _dataset(points_frame())


def plane_from_template(is_presenter: bool, values: np.ndarray, kwargs: dict) -> dict:
    """The same dict as ``cached_spec("plane", is_presenter, (values,), kwargs)``, built from a
    template (tests/test_bench.py checks they are equal). values: (n, n) in [0, 1], [x2, x1]."""
    kw = dict(kwargs)
    title = kw.pop("title", "")
    if tuple(kw.get("vrange", (0.0, 1.0))) != (0.0, 1.0):  # then the colour expression depends on the data
        return cached_spec("plane", is_presenter, (values,), kwargs)
    lo, hi = kw.get("lo", -0.5), kw.get("hi", 1.5)
    new = [_arrow_dataset(_grid_columns(values))]  # same order as to_spec meets them: heat, line, points
    contour = _contour_columns(values, lo, hi, kw.get("level", 0.5))
    if len(contour["x1"]):
        new.append(_arrow_dataset(contour))
    if kw.get("show_points", True):
        new.append(_points_dataset())
    template = _plane_template((bool(is_presenter), values.shape[0], tuple(sorted(kw.items()))))
    if not len(contour["x1"]):
        template = _without_line(template)
    rename = dict(zip(template["datasets"], (name for name, _ in new)))
    spec = {**template, "datasets": dict(new)}
    spec["layer"] = [{**layer, "data": {"name": rename[layer["data"]["name"]]}} for layer in template["layer"]]
    if spec.get("title") == _TITLE:
        spec["title"] = title
    return spec


@st.cache_data(max_entries=600, show_spinner=False)
def plane_spec(is_presenter: bool, values: np.ndarray, kwargs: dict) -> dict:
    """``plane_from_template``, cached."""
    return plane_from_template(is_presenter, values, kwargs)


def run_charts(hist, lr: float, extra: dict, is_presenter: bool) -> dict:
    """The One-run tab's curves as cached specs: "loss" (log scale, with ``extra`` {label: loss
    curve} beside the run), "accuracy", "rate" and, when the run diverged in its first tenth, "zoom"
    on its first epochs (else None). is_presenter: the page is in presenter mode (taller small charts)."""
    marks = {f"diverged (epoch {hist.divergence.epoch})": hist.divergence.epoch} if hist.diverged else None
    runs = {f"this run (lr {lr:g})": hist.loss, **extra}
    planned = [0, len(hist.lr)]  # a diverged run stops early; keep the planned length on every axis
    name = LOSS_NAMES[hist.loss_name]
    small = 150 if is_presenter else 130  # plot heights (PLOT_HEIGHT): axes, title and legend come on top
    tall = 200 if is_presenter else 250  # projected beside the boundary: with a 3-run legend it still fits 720 px
    out = {
        "loss": ("curve", (runs, "Loss (log scale)", name), dict(log=True, marks=marks, height=tall, x_domain=planned)),
        "accuracy": (
            "curve",
            ({"this run": hist.acc}, "Accuracy", "accuracy"),
            dict(y_format=".0%", y_domain=[0, 1], height=small, x_domain=planned),
        ),
        "rate": ("curve", ({"schedule": hist.lr}, "Learning rate per epoch", "rate"), dict(height=small, marks=marks)),
        "zoom": None,
    }
    if hist.diverged and hist.divergence.epoch < len(hist.lr) / 10:
        n = max(20, 3 * hist.divergence.epoch + 10)
        zoom = {k: v[: n + 1] for k, v in runs.items()}
        out["zoom"] = ("curve", (zoom, f"Zoom: loss over the first {n} epochs", name),
                       dict(log=True, marks=marks, height=200, points=True))  # fmt: skip
    return {k: v and cached_spec(v[0], is_presenter, v[1], v[2]) for k, v in out.items()}


def lab_charts(results: dict, epochs: int, is_presenter: bool) -> tuple[dict, dict]:
    """The lab's histograms as cached specs: every run's final loss (log bins, the solved threshold
    dashed) and the epochs the solved runs needed. results: {legend label: MultiResult}."""
    finals = {k: r.loss for k, r in results.items()}
    to_solve = {k: r.epochs_to_solve[r.solved].astype(float) for k, r in results.items()}
    edges = log_bins(np.concatenate(list(finals.values())))
    kw = {"log": True, "rule": SOLVED_LOSS, "rule_label": "solved threshold"}
    losses = cached_spec(
        "histogram", is_presenter, (finals, edges, "Final loss of every run", "final loss (log scale)"), kw
    )
    edges = np.linspace(0, max(epochs, 1), 41)
    x_title = ["epoch at which the run counted", "as solved (solved runs only)"]  # two lines: a phone's width
    args = (to_solve, edges, "Epochs needed to solve", x_title)
    return losses, cached_spec("histogram", is_presenter, args, {})


def show_table(t, digits: int, cols: list | None = None, **kw) -> None:
    """A table with fixed decimals in its float columns (or ``cols``): column formats, not a Styler."""
    fmt = st.column_config.NumberColumn(format=f"%.{digits}f")
    cols = cols or [f.name for f in t.schema if f.type in ("double", "float")]
    ui.table(t, {c: fmt for c in cols}, **{"width": "content", **kw})


def warm() -> None:
    """Fill the default render's caches (default run, its curves, the replay's last epoch, the
    boundary template) through the page's own cached functions; draws nothing, never raises."""
    try:
        from app import training_run as tr

        hist = tr.run_training(tr.DEFAULT_CFG, tr.DEFAULT_LR)
        run_charts(hist, tr.DEFAULT_LR, {}, False)
        last = hist.snapshot_epochs[-1]
        tr.boundary_spec(hist.network_at(last).key(), last, False)
    except Exception:  # noqa: BLE001 - warming is an optimisation: the page computes whatever is missing
        pass
