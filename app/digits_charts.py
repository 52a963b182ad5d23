"""Chart builders for the Handwritten digits page (no maths: every number comes from core).

Charts are drawn from cached Vega-Lite specs (``show(builder, ...)``): building and validating an
Altair chart costs ~0.1 s, so a warm rerun skips Altair altogether. The three charts of the "one
digit" view change with every test image, so they are built by Altair once per *layout* (image
size, output name, hidden widths, presenter mode) from stand-in data (:func:`template`) and each
image only swaps in its own small dataset (:func:`swap_data`): no Altair at all when a student
steps through the test images. Every frame is filtered of inf/NaN here; big pictures (digits,
weight images) ship as small integers (uint8/int8) and are turned back into values by Vega
transforms, so each chart's data stays well under 100 KB.

Presenter mode reaches the builders as an argument (``cached_spec(builder, is_presenter, ...)``,
through a context variable), never by reading ``st.session_state``: ``warm()`` builds the default
charts in a background thread that belongs to no session.
"""

from __future__ import annotations

import contextvars
import hashlib
import io

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from PIL import Image

from app.charts import PLOT_HEIGHT
from app.ui import GREY, RED, presenter

TRUE_LABEL, OTHER_LABEL = "true digit (y = 1)", "others (y = 0)"  # short: one legend row when projected
# train/test are not classes, so never red/blue: test near-black, solid, a dot per epoch; train orange,
# dashed, no dots (on a projector grey-dashed-with-dots and black-with-dots looked the same)
TRAIN_COLOUR = "#e08214"
TEST_COLOUR = "#1a1a1a"
# The confusion matrix shades each cell by its share of the true digit's images in one hue (light to
# dark purple; not red/blue, which mean class 1/0 everywhere else); square-root scaled so a 2 % mistake
# still shows. The diagonal, the right answers, is outlined in black.
SHARE_SCALE = alt.Scale(type="sqrt", domain=[0, 1], range=["#f2f0f7", "#3f007d"])
LAYER_COLOURS = ["#1a1a1a", "#e08214", "#5e3c99", "#1b7837", "#8c510a"]
DIVERGING = alt.Scale(scheme="redblue", reverse=True, domain=[-1, 1])  # blue negative … red positive
INK = alt.Scale(scheme="greys", domain=[0, 1])  # 0 white paper … 1 black ink


# The mode the chart being built is for (set by cached_spec/template; None: ask the session).
_MODE: contextvars.ContextVar[bool | None] = contextvars.ContextVar("digits_chart_mode", default=None)


def _presenter() -> bool:
    mode = _MODE.get()
    return presenter() if mode is None else mode


def sizes() -> dict:
    """app.charts.sizes() for the mode being built (tests/test_page_digits.py checks they agree)."""
    if _presenter():
        return {"font": 20, "title": 22, "line": 5, "point": 700, "label": 22, "stroke": 3}
    return {"font": 12, "title": 14, "line": 3, "point": 300, "label": 14, "stroke": 2}


def style(chart):
    """app.charts.style() for the mode being built: the shared axis/legend/title font sizes."""
    s = sizes()
    return (
        chart.configure_axis(labelFontSize=s["font"], titleFontSize=s["font"])
        .configure_legend(labelFontSize=s["font"], titleFontSize=s["font"])
        .configure_title(fontSize=s["title"])
    )


def _tall(height: int) -> int:
    """Chart heights grow with presenter mode's larger fonts, so axes and legends do not squeeze
    the plot (Streamlit's autosize "fit" counts them inside the height). Keep y-axis titles short
    for the same reason: a rotated title longer than the plot shrinks the plot to fit it."""
    return int(height * 1.35) if _presenter() else height


# ----- frames -------------------------------------------------------------------------------------
def curves_frame(values: dict[str, np.ndarray]) -> pd.DataFrame:
    """{label: values per epoch (E+1,)} → long frame (epoch, value, set); non-finite rows dropped."""
    parts = []
    for label, v in values.items():
        v = np.asarray(v, dtype=float)
        e = np.arange(v.size)
        ok = np.isfinite(v)
        parts.append(pd.DataFrame({"epoch": e[ok], "value": v[ok], "set": label}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"epoch": [], "value": [], "set": []})


def confusion_frame(C: np.ndarray) -> pd.DataFrame:
    """C (10, 10) counts [true, predicted] → frame with the share of each true digit's images."""
    C = np.asarray(C, dtype=np.int64)
    k = C.shape[0]
    t, p = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    rows = np.maximum(C.sum(axis=1, keepdims=True), 1)
    share = C / rows
    return pd.DataFrame(
        {
            "true": t.ravel(),
            "predicted": p.ravel(),
            "count": C.ravel(),
            "share": np.round(share.ravel(), 4),
            "kind": np.where(t.ravel() == p.ravel(), "correct", "mistake"),
        }
    )


# The one-digit charts' data as plain columns: per image they go straight to Arrow (a tenth of the
# cost of a DataFrame and its conversion); the Altair builders wrap the same columns in a frame.
def image_columns(image: np.ndarray) -> dict[str, np.ndarray]:
    """One image (h, w) of integers 0..max_value → columns row, col, pixel, as small integers."""
    img = np.asarray(image)
    h, w = img.shape
    r, c = np.meshgrid(np.arange(h, dtype=np.uint8), np.arange(w, dtype=np.uint8), indexing="ij")
    return {"row": r.ravel(), "col": c.ravel(), "pixel": img.ravel().astype(np.uint8)}


def probability_columns(probs: np.ndarray, true_label: int) -> dict[str, np.ndarray]:
    """a_L (10,) and the true digit → digit, probability, y, delta = a − y, label; NaN drawn as 0."""
    p = np.nan_to_num(np.asarray(probs, dtype=float).ravel(), nan=0.0, posinf=0.0, neginf=0.0)
    y = np.zeros(p.size)
    y[true_label] = 1.0
    return {
        "digit": np.arange(p.size),
        "probability": p,
        "y": y,
        "delta": p - y,
        "label": np.where(np.arange(p.size) == true_label, TRUE_LABEL, OTHER_LABEL),
    }


def activations_columns(acts: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Hidden activations [a1 (n1,), a2 (n2,), ...] → layer, l, neuron, value, v = value / max |a|.

    v in [−1, 1] carries the colour, so the chart's colour scale is fixed and its spec does not
    depend on the image (only the data is swapped per image). Non-finite values are left out.
    """
    layer, ls, neuron, value = [], [], [], []
    for l, a in enumerate(acts, start=1):
        a = np.asarray(a, dtype=float).ravel()
        j = np.flatnonzero(np.isfinite(a))
        layer.append(np.full(j.size, f"a{l}"))
        ls.append(np.full(j.size, l, dtype=np.int64))
        neuron.append(j.astype(np.int64))
        value.append(a[j])
    value = np.concatenate(value) if value else np.zeros(0)
    m = float(np.max(np.abs(value))) if value.size else 1.0
    return {
        "layer": np.concatenate(layer) if layer else np.zeros(0, dtype=str),
        "l": np.concatenate(ls) if ls else np.zeros(0, dtype=np.int64),
        "neuron": np.concatenate(neuron) if neuron else np.zeros(0, dtype=np.int64),
        "value": value,
        "v": value / (m if m > 0 else 1.0),
    }


def image_frame(image: np.ndarray, max_value: int) -> pd.DataFrame:
    """One image (h, w) of integers 0..max_value → frame (row, col, pixel) as small integers."""
    return pd.DataFrame(image_columns(image))


def probability_frame(probs: np.ndarray, true_label: int) -> pd.DataFrame:
    return pd.DataFrame(probability_columns(probs, true_label))


def activations_frame(acts: list[np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(activations_columns(acts))


def weights_frames(W1: np.ndarray, count: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-layer weights (h·w, n) → (pixels, scales) for the first ``count`` neurons.

    pixels: one int8 column q = round(127·w / scale), neuron by neuron, each neuron's pixels in
    reading order; the chart recovers neuron, row and column from the row number (so MNIST's
    24 × 784 weights ship as ~19 KB). scales: each neuron's largest |weight|, so tooltips show real
    weights. Non-finite weights are drawn as 0.
    """
    W = np.nan_to_num(np.asarray(W1, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)[:, :count]
    scale = np.max(np.abs(W), axis=0) if W.size else np.ones(0)
    scale = np.where(scale > 0, scale, 1.0)
    q = np.rint(127 * W / scale).astype(np.int8)  # (h·w, n)
    pixels = pd.DataFrame({"q": q.T.ravel()})
    scales = pd.DataFrame({"n": np.arange(W.shape[1]), "scale": scale.astype(float)})
    return pixels, scales


# ----- charts -------------------------------------------------------------------------------------
def curves_chart(values: dict[str, np.ndarray], title: str, y_title: str, y_format: str, height: int = 300):
    """Train (orange, dashed) and test (near-black, solid, with a dot per epoch) per epoch."""
    s = sizes()
    df = curves_frame(values)
    labels = list(values)
    colours = [TRAIN_COLOUR if "train" in k else TEST_COLOUR for k in labels]
    dashes = [[3 * s["line"], 2 * s["line"]] if "train" in k else [1, 0] for k in labels]
    # one merged legend (same title) drawn as line samples, so the dashes show in it
    legend = alt.Legend(title=None, orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolSize=300)
    enc = {
        "x": alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        "y": alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=y_format)),
        "color": alt.Color("set:N", scale=alt.Scale(domain=labels, range=colours), legend=legend),
        "strokeDash": alt.StrokeDash("set:N", scale=alt.Scale(domain=labels, range=dashes), legend=legend),
        "tooltip": [alt.Tooltip("set:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("value:Q", title=y_title, format=".4f")],
    }
    line = alt.Chart(df).mark_line(strokeWidth=s["line"] - 1).encode(**enc)
    dots = (
        alt.Chart(df)
        .transform_filter(alt.FieldOneOfPredicate(field="set", oneOf=[k for k in labels if "train" not in k]))
        .mark_point(filled=True, size=s["point"] / 8, opacity=1)
        .encode(x=enc["x"], y=enc["y"], color=enc["color"], tooltip=enc["tooltip"])
    )
    return alt.layer(line, dots).properties(title=title, height=_tall(height), width="container")


def confusion_chart(C: np.ndarray, height: int = 380):
    """Counts [true, predicted], printed, each cell shaded by its share of the true digit's images
    (SHARE_SCALE); the diagonal (right answers) outlined."""
    s = sizes()
    df = confusion_frame(C)
    enc = {
        "x": alt.X("predicted:O", title="predicted digit", axis=alt.Axis(labelAngle=0)),
        # all ten, also when short (projected: a size smaller than the text, so ten rows never touch)
        "y": alt.Y("true:O", title="true digit", axis=alt.Axis(labelOverlap=False, labelFontSize=s["font"] * 0.8)),
        "tooltip": [
            alt.Tooltip("true:O", title="true digit"),
            alt.Tooltip("predicted:O", title="predicted"),
            alt.Tooltip("count:Q", title="test images"),
            alt.Tooltip("share:Q", title="share of this digit", format=".1%"),
        ],
    }
    base = alt.Chart(df).encode(**enc)
    empty = base.mark_rect(stroke="#dddddd", fill="white")  # every cell, so empty ones stay white
    shaded = (
        base.transform_filter("datum.count > 0")
        .mark_rect(stroke="white")
        .encode(color=alt.Color("share:Q", scale=SHARE_SCALE, legend=None))
    )
    diagonal = base.transform_filter("datum.kind == 'correct'").mark_rect(
        fill=None, stroke="black", strokeWidth=s["stroke"]
    )
    text = (
        base.transform_filter("datum.count > 0")
        .mark_text(fontSize=s["font"], fontWeight="bold")
        .encode(text="count:Q", color=alt.condition("datum.share > 0.3", alt.value("white"), alt.value("black")))
    )
    return alt.layer(empty, shaded, diagonal, text).properties(
        title="Confusion matrix (test images)", height=_tall(height), width="container"
    )


def digit_chart(image: np.ndarray, max_value: int, size: int = 220):
    """One digit as a grey picture (ink dark); tooltips give the pixel and the input x = pixel / max.

    No title, axes or legend: with Streamlit's autosize "fit" they would eat into the square.
    """
    df = image_frame(image, max_value)
    h, w = np.shape(image)
    return (
        alt.Chart(df)
        .transform_calculate(x=f"datum.pixel / {max_value}")
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color("x:Q", scale=INK, legend=None),
            tooltip=[
                alt.Tooltip("row:O"),
                alt.Tooltip("col:O", title="column"),
                alt.Tooltip("pixel:Q", title=f"pixel (0..{max_value})"),
                alt.Tooltip("x:Q", title="input x", format=".3f"),
            ],
        )
        .properties(width=size, height=int(size * h / w))
    )


def activations_chart(acts: list[np.ndarray], height_per_layer: int = 44):
    """Hidden activations a1, a2, ... of one image as strips: one row per layer, one cell per neuron.

    Quantitative axes (not bands), no legend or title; the strips together are at least 120 px tall
    (PLOT_HEIGHT: the axis comes on top); red = positive, blue = negative, white = 0, scaled by the
    largest |a|.
    """
    df = activations_frame(acts)
    n = max((np.size(a) for a in acts), default=1)
    L = len(acts)
    return (
        alt.Chart(df)
        .transform_calculate(x2="datum.neuron + 1", y1="datum.l - 0.45", y2="datum.l + 0.45")
        .mark_rect(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("neuron:Q", title="hidden neuron", scale=alt.Scale(domain=[0, n], nice=False)),
            x2="x2:Q",
            y=alt.Y(
                "y1:Q",
                title=None,
                scale=alt.Scale(domain=[L + 0.5, 0.5], nice=False, zero=False),
                axis=alt.Axis(values=list(range(1, L + 1)), labelExpr="'a' + datum.value", grid=False),
            ),
            y2="y2:Q",
            color=alt.Color("v:Q", scale=DIVERGING, legend=None),
            tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("neuron:Q"), alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(height=_tall(max(120, height_per_layer * L)), width="container", autosize=PLOT_HEIGHT)
    )


def probability_chart(probs: np.ndarray, true_label: int, out_name: str = "a2", height: int = 300):
    """The ten softmax outputs a2 as bars; the true digit (where y = 1) in red, the others grey."""
    s = sizes()
    df = probability_frame(probs, true_label)
    enc = {
        "x": alt.X("digit:O", title="digit", axis=alt.Axis(labelAngle=0)),
        "y": alt.Y("probability:Q", title=out_name, scale=alt.Scale(domain=[0, 1])),
        "tooltip": [
            alt.Tooltip("digit:O"),
            alt.Tooltip("probability:Q", title=f"{out_name} (probability)", format=".4f"),
            alt.Tooltip("y:Q", title="y (one-hot)"),
            alt.Tooltip("delta:Q", title=f"d{out_name.replace('a', 'z', 1)} = {out_name} − y", format="+.4f"),
        ],
    }
    base = alt.Chart(df).encode(**enc)
    bars = base.mark_bar().encode(
        color=alt.Color(
            "label:N",
            scale=alt.Scale(domain=[TRUE_LABEL, OTHER_LABEL], range=[RED, GREY]),
            legend=alt.Legend(title=None, orient="bottom", direction="vertical"),  # one row each: fits a phone
        )
    )
    # numbers only over the bars that show: ten "0.00" labels would run into each other on a projector
    text = (
        base.transform_filter("datum.probability >= 0.005")
        .mark_text(dy=-s["font"] * 0.7, fontSize=s["font"])
        .encode(text=alt.Text("probability:Q", format=".2f"))
    )
    return (bars + text).properties(title="The ten output probabilities", height=_tall(height), width="container")


def weights_chart(W1: np.ndarray, shape: tuple[int, int], count: int, cols: int, px: int):
    """First-layer weights, one small picture per hidden neuron: red pixels push it up, blue down.

    No legend or title (the page explains the colours): with Streamlit's autosize "fit" they would
    squash the pictures, whose pixels must stay square.
    """
    pixels, scales = weights_frames(W1, count)
    h, w = shape
    n = len(scales)
    n_rows = -(-n // cols) if n else 1
    gw, gh = max(min(n, cols) * (w + 1) - 1, 1), n_rows * (h + 1) - 1
    return (
        alt.Chart(pixels)
        .transform_window(idx="row_number()")
        .transform_calculate(
            n=f"floor((datum.idx - 1) / {h * w})",
            p=f"(datum.idx - 1) % {h * w}",
        )
        .transform_calculate(row=f"floor(datum.p / {w})", col=f"datum.p % {w}")
        .transform_calculate(
            gx=f"(datum.n % {cols}) * {w + 1} + datum.col",
            gy=f"floor(datum.n / {cols}) * {h + 1} + datum.row",
        )
        .transform_lookup(lookup="n", from_=alt.LookupData(scales, key="n", fields=["scale"]))
        .transform_calculate(
            v="datum.q / 127", weight="datum.q / 127 * datum.scale", x2="datum.gx + 1", y2="datum.gy + 1"
        )
        .mark_rect()
        .encode(
            x=alt.X("gx:Q", axis=None, scale=alt.Scale(domain=[0, gw], nice=False, zero=True)),
            x2="x2:Q",
            y=alt.Y("gy:Q", axis=None, scale=alt.Scale(domain=[0, gh], nice=False, zero=True, reverse=True)),
            y2="y2:Q",
            color=alt.Color("v:Q", scale=DIVERGING, legend=None),
            tooltip=[
                alt.Tooltip("n:Q", title="hidden neuron"),
                alt.Tooltip("row:Q", title="pixel row"),
                alt.Tooltip("col:Q", title="pixel column"),
                alt.Tooltip("weight:Q", title="weight W1", format=".4f"),
            ],
        )
        .properties(width=gw * px, height=gh * px)
    )


GRAD_FLOW_TITLE = "Mean ‖dW‖ by layer"  # the gradient; the step is lr·dW


def grad_flow_chart(grad_norms: np.ndarray, height: int = 330):
    """Mean ‖dW_l‖ per epoch, one line per layer, on a log axis (non-finite or zero values dropped)."""
    s = sizes()
    G = np.asarray(grad_norms, dtype=float)
    E, L = G.shape if G.ndim == 2 else (0, 0)
    rows = [
        (e + 1, f"‖dW{l + 1}‖", float(G[e, l]))
        for e in range(E)
        for l in range(L)
        if np.isfinite(G[e, l]) and G[e, l] > 0
    ]
    df = pd.DataFrame(rows, columns=["epoch", "layer", "norm"])
    labels = [f"‖dW{l + 1}‖" for l in range(L)]
    base = alt.Chart(df).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("norm:Q", title="mean ‖dW‖ per step", scale=alt.Scale(type="log")),
        color=alt.Color(
            "layer:N",
            scale=alt.Scale(domain=labels, range=LAYER_COLOURS[: max(L, 1)]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("norm:Q", format=".3e")],
    )
    chart = base.mark_line(strokeWidth=s["line"] - 1, point=alt.OverlayMarkDef(size=s["point"] / 10))
    return chart.properties(title=GRAD_FLOW_TITLE, height=200, width="container", autosize=PLOT_HEIGHT)


# ----- pictures (not charts) ---------------------------------------------------------------------
def ink_picture(image: np.ndarray, max_value: int, target: int = 84) -> np.ndarray:
    """An image (h, w) as a uint8 picture, dark ink on white, enlarged by whole pixels to ≈ target px."""
    img = np.asarray(image, dtype=float)
    f = max(1, target // max(img.shape))
    grey = 255 - np.clip(np.rint(img / max_value * 255), 0, 255).astype(np.uint8)
    return np.kron(grey, np.ones((f, f), dtype=np.uint8))


@st.cache_data(max_entries=32, show_spinner=False)
def ink_pngs(data_key: str, indices: tuple, _images: np.ndarray, max_value: int) -> list[bytes]:
    """PNG files of the test images at ``indices`` (keyed on the data set and the indices), so a
    rerun does not encode the gallery again."""
    out = []
    for i in indices:
        buf = io.BytesIO()
        Image.fromarray(ink_picture(_images[i], max_value)).save(buf, format="PNG", optimize=True)
        out.append(buf.getvalue())
    return out


# ----- cached specs -------------------------------------------------------------------------------
BUILDERS = {
    "curves": curves_chart,
    "confusion": confusion_chart,
    "digit": digit_chart,
    "activations": activations_chart,
    "probabilities": probability_chart,
    "weights": weights_chart,
    "grad_flow": grad_flow_chart,
}


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """A frame as Arrow IPC stream bytes: what Streamlit sends for a chart's dataset. Done once, in
    the cached spec, so a warm rerun neither converts nor unpickles DataFrames."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def to_spec(chart) -> dict:
    """Vega-Lite dict with the main data frame(s) moved to named datasets, as Arrow bytes."""
    datasets = {}

    def swap(obj) -> None:
        data = getattr(obj, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            h = hashlib.sha1(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
            h.update(",".join(map(str, data.columns)).encode())
            name = f"d_{h.hexdigest()[:16]}"
            datasets[name] = data
            obj.data = alt.NamedData(name)
        for sub in getattr(obj, "layer", None) or []:
            swap(sub)

    swap(chart)
    spec = chart.to_dict()
    view = spec.get("config", {}).get("view")
    if view == {"continuousWidth": 300, "continuousHeight": 300}:  # Altair's default; Streamlit drops it
        del spec["config"]["view"]
    spec["datasets"] = {name: arrow_bytes(df) for name, df in datasets.items()}
    return spec


def build_spec(builder: str, is_presenter: bool, args: tuple, kwargs: dict) -> dict:
    """The styled spec of ``BUILDERS[builder](*args, **kwargs)`` for the given mode (no cache)."""
    token = _MODE.set(bool(is_presenter))
    try:
        return to_spec(style(BUILDERS[builder](*args, **kwargs)))
    finally:
        _MODE.reset(token)


@st.cache_data(max_entries=300, show_spinner=False)
def cached_spec(builder: str, is_presenter: bool, args: tuple, kwargs: dict) -> dict:
    """build_spec, cached per builder, mode and arguments."""
    return build_spec(builder, is_presenter, args, kwargs)


def show(builder: str, *args, width: str = "stretch", **kwargs) -> None:
    """Draw a chart from its cached spec."""
    st.vega_lite_chart(spec=cached_spec(builder, presenter(), args, kwargs), width=width)


def show_spec(spec: dict, width: str = "stretch") -> None:
    st.vega_lite_chart(spec=spec, width=width)


# ----- the learning curves (shared by the page and warm(), so both ask the cache the same thing) ----
CURVES = {
    "loss": ("train_loss", "test_loss", "Loss per epoch", "cross-entropy", ".1f"),
    "accuracy": ("train_acc", "test_acc", "Accuracy per epoch", "accuracy", ".0%"),
}


def curves_spec(hist, which: str, is_presenter: bool) -> dict:
    """The cached spec of the train/test curve ``which`` ("loss" or "accuracy") of an SGDHistory."""
    train, test, title, y_title, fmt = CURVES[which]
    values = {"train": getattr(hist, train), "test": getattr(hist, test)}
    return cached_spec("curves", is_presenter, (values, title, y_title, fmt), {})


# ----- one digit: a template per layout, data swapped per image -----------------------------------
def _stand_in(builder: str, layout: tuple) -> tuple[tuple, dict]:
    """Arguments that give the builder the layout ``layout`` (the data itself does not matter)."""
    if builder == "digit":
        (h, w), max_value, size = layout
        return (np.zeros((h, w), dtype=np.uint8), max_value), {"size": size}
    if builder == "probabilities":
        n, out_name, height = layout
        return (np.full(n, 1.0 / n), 0, out_name), {"height": height}
    if builder == "activations":
        (widths,) = layout
        return ([np.zeros(n) for n in widths],), {}
    raise ValueError(f"no template for {builder!r}")


@st.cache_data(max_entries=48, show_spinner=False)
def template(builder: str, is_presenter: bool, layout: tuple) -> dict:
    """The spec of ``builder`` for a layout, built once by Altair from stand-in data."""
    args, kwargs = _stand_in(builder, layout)
    return build_spec(builder, is_presenter, args, kwargs)


def _rename(node, old: str, new: str):
    """A copy of a spec with every reference {"name": old} to a dataset renamed to new."""
    if isinstance(node, dict):
        if node == {"name": old}:
            return {"name": new}
        return {k: _rename(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(v, old, new) for v in node]
    return node


def table(columns: dict[str, np.ndarray]) -> pa.Table:
    """Columns as an Arrow table for st.dataframe: no DataFrame to build and convert on each rerun."""
    return pa.table(columns)


def columns_bytes(columns: dict[str, np.ndarray]) -> bytes:
    """Columns as Arrow IPC stream bytes, without pandas."""
    table = pa.table(columns)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def swap_data(spec: dict, columns: dict[str, np.ndarray]) -> dict:
    """``spec`` (one dataset) with ``columns`` as its data, named by its content like to_spec does."""
    (old,) = spec["datasets"]
    data = columns_bytes(columns)
    new = f"d_{hashlib.sha1(data).hexdigest()[:16]}"
    out = _rename({k: v for k, v in spec.items() if k != "datasets"}, old, new)
    out["datasets"] = {new: data}
    return out


def digit_spec(is_presenter: bool, image: np.ndarray, max_value: int, size: int = 220) -> dict:
    """Spec of digit_chart(image, max_value, size), from the layout's template."""
    spec = template("digit", is_presenter, (tuple(np.shape(image)), int(max_value), int(size)))
    return swap_data(spec, image_columns(image))


def probability_spec(is_presenter: bool, probs: np.ndarray, true_label: int, out_name: str, height: int = 300) -> dict:
    """Spec of probability_chart(probs, true_label, out_name, height), from the layout's template."""
    spec = template("probabilities", is_presenter, (int(np.size(probs)), out_name, int(height)))
    return swap_data(spec, probability_columns(probs, true_label))


def activations_spec(is_presenter: bool, acts: list[np.ndarray]) -> dict:
    """Spec of activations_chart(acts), from the layout's template."""
    spec = template("activations", is_presenter, (tuple(int(np.size(a)) for a in acts),))
    return swap_data(spec, activations_columns(acts))
