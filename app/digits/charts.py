"""The Handwritten digits page's charts, through the one chart engine (app.chart).

Each builder ``build(present, **shape)`` is run by Altair once per mode and shape (``layout``); each
rerun only fills in its datasets (``fill``), so stepping through the test images runs no Altair at
all. Big pictures (digits, weight images) ship as small integers (uint8/int8) that Vega transforms
turn back into values, so each chart's data stays well under 100 KB. No chart receives inf/NaN:
``app.chart.table`` drops such rows, and the functions below drop what a log axis cannot draw.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, fill, layout, sizes, source
from app.ui import GREY, RED

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

# which curve -> (SGDHistory fields for train and test, title, y-axis title, y-axis format)
CURVES = {
    "loss": ("train_loss", "test_loss", "Loss per epoch", "cross-entropy", ".1f"),
    "accuracy": ("train_acc", "test_acc", "Accuracy per epoch", "accuracy", ".0%"),
}
CONFUSION_TITLE = "Confusion matrix (test images)"
PROBABILITY_TITLE = "The ten output probabilities"
GRAD_FLOW_TITLE = "Mean ‖dW‖ by layer"  # the gradient; the step is lr·dW


def _tall(height: int, present: bool) -> int:
    """Chart heights grow with presenter mode's larger fonts, so axes and legends do not squeeze
    the plot (Streamlit's autosize "fit" counts them inside the height). Keep y-axis titles short
    for the same reason: a rotated title longer than the plot shrinks the plot to fit it."""
    return int(height * 1.35) if present else height


# ----- learning curves ----------------------------------------------------------------------------
def curves_chart(present: bool, which: str) -> alt.LayerChart:
    """Train (orange, dashed) and test (near-black, solid, with a dot per epoch) per epoch."""
    s = sizes(present)
    _, _, title, y_title, y_format = CURVES[which]
    labels = ["train", "test"]
    # one merged legend (same title) drawn as line samples, so the dashes show in it
    legend = alt.Legend(title=None, orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolSize=300)
    enc = {
        "x": alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        "y": alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False), axis=alt.Axis(format=y_format)),
        "color": alt.Color("set:N", scale=alt.Scale(domain=labels, range=[TRAIN_COLOUR, TEST_COLOUR]), legend=legend),
        "strokeDash": alt.StrokeDash(
            "set:N", scale=alt.Scale(domain=labels, range=[[3 * s["line"], 2 * s["line"]], [1, 0]]), legend=legend
        ),
        "tooltip": [alt.Tooltip("set:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("value:Q", title=y_title, format=".4f")],
    }
    line = alt.Chart(source("curves")).mark_line(strokeWidth=s["line"] - 1).encode(**enc)
    dots = (
        alt.Chart(source("curves"))
        .transform_filter(alt.FieldOneOfPredicate(field="set", oneOf=["test"]))
        .mark_point(filled=True, size=s["point"] / 8, opacity=1)
        .encode(x=enc["x"], y=enc["y"], color=enc["color"], tooltip=enc["tooltip"])
    )
    return alt.layer(line, dots).properties(title=title, height=_tall(300, present), width="container")


def curves(hist, which: str, present: bool) -> dict:
    """The train/test curve ``which`` ("loss" or "accuracy") of an SGDHistory, epoch 0 included."""
    train, test = (np.asarray(getattr(hist, f), dtype=float) for f in CURVES[which][:2])
    columns = {
        "epoch": np.concatenate([np.arange(train.size), np.arange(test.size)]),
        "value": np.concatenate([train, test]),
        "set": np.repeat(["train", "test"], [train.size, test.size]),
    }
    return fill(layout(curves_chart, present, which=which), {"curves": columns})


# ----- confusion matrix ---------------------------------------------------------------------------
def confusion_chart(present: bool) -> alt.LayerChart:
    """Counts [true, predicted], printed, each cell shaded by its share of the true digit's images
    (SHARE_SCALE); the diagonal (right answers) outlined."""
    s = sizes(present)
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
    base = alt.Chart(source("cells")).encode(**enc)
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
    height = _tall(280 if present else 380, present)  # projected: all ten rows on the first screen
    return alt.layer(empty, shaded, diagonal, text).properties(title=CONFUSION_TITLE, height=height, width="container")


def confusion(C: np.ndarray, present: bool) -> dict:
    """C (k, k) counts [true, predicted], with each cell's share of its true digit's images."""
    C = np.asarray(C, dtype=np.int64)
    t, p = np.meshgrid(np.arange(C.shape[0]), np.arange(C.shape[1]), indexing="ij")
    share = C / np.maximum(C.sum(axis=1, keepdims=True), 1)
    cells = {
        "true": t.ravel(),
        "predicted": p.ravel(),
        "count": C.ravel(),
        "share": np.round(share.ravel(), 4),
        "kind": np.where(t.ravel() == p.ravel(), "correct", "mistake"),
    }
    return fill(layout(confusion_chart, present), {"cells": cells})


# ----- one digit ----------------------------------------------------------------------------------
def digit_chart(present: bool, h: int, w: int, max_value: int) -> alt.Chart:
    """One digit as a grey picture (ink dark); tooltips give the pixel and the input x = pixel / max.

    No title, axes or legend: with Streamlit's autosize "fit" they would eat into the square.
    """
    size = 200 if present else 220
    return (
        alt.Chart(source("pixels"))
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


def digit(image: np.ndarray, max_value: int, present: bool) -> dict:
    """One image (h, w) of integers 0..max_value, as small integers (row, col, pixel)."""
    img = np.asarray(image)
    h, w = img.shape
    r, c = np.meshgrid(np.arange(h, dtype=np.uint8), np.arange(w, dtype=np.uint8), indexing="ij")
    pixels = {"row": r.ravel(), "col": c.ravel(), "pixel": img.ravel().astype(np.uint8)}
    return fill(layout(digit_chart, present, h=h, w=w, max_value=int(max_value)), {"pixels": pixels})


def probability_chart(present: bool, out_name: str) -> alt.LayerChart:
    """The ten softmax outputs a_L as bars; the true digit (where y = 1) in red, the others grey."""
    s = sizes(present)
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
    base = alt.Chart(source("probs")).encode(**enc)
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
    height = _tall(310 if present else 320, present)
    return (bars + text).properties(title=PROBABILITY_TITLE, height=height, width="container")


def probabilities(probs: np.ndarray, true_label: int, out_name: str, present: bool) -> dict:
    """a_L (10,) and the true digit: digit, probability, y, delta = a − y, label; NaN drawn as 0."""
    p = np.nan_to_num(np.asarray(probs, dtype=float).ravel(), nan=0.0, posinf=0.0, neginf=0.0)
    y = np.zeros(p.size)
    y[true_label] = 1.0
    columns = {
        "digit": np.arange(p.size),
        "probability": p,
        "y": y,
        "delta": p - y,
        "label": np.where(np.arange(p.size) == true_label, TRUE_LABEL, OTHER_LABEL),
    }
    return fill(layout(probability_chart, present, out_name=out_name), {"probs": columns})


def activations_chart(present: bool, n: int, L: int) -> alt.Chart:
    """Hidden activations a1, a2, ... of one image as strips: one row per layer, one cell per neuron.

    Quantitative axes (not bands), no legend or title; the strips together are at least 120 px tall
    (PLOT_HEIGHT: the axis comes on top); red = positive, blue = negative, white = 0, scaled by the
    largest |a|.
    """
    return (
        alt.Chart(source("acts"))
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
        .properties(height=_tall(max(120, 44 * L), present), width="container", autosize=PLOT_HEIGHT)
    )


def activations(acts: list[np.ndarray], present: bool) -> dict:
    """Hidden activations [a1 (n1,), a2 (n2,), ...]: layer, l, neuron, value, and v = value / max |a|,
    which carries the colour (so the colour scale is fixed). Non-finite values are left out."""
    a = [np.asarray(x, dtype=float).ravel() for x in acts]
    value = np.concatenate(a) if a else np.zeros(0)
    finite = value[np.isfinite(value)]
    m = float(np.max(np.abs(finite))) if finite.size else 0.0
    columns = {
        "layer": np.repeat([f"a{l}" for l in range(1, len(a) + 1)], [x.size for x in a]),
        "l": np.repeat(np.arange(1, len(a) + 1), [x.size for x in a]),
        "neuron": np.concatenate([np.arange(x.size) for x in a]) if a else np.zeros(0, dtype=np.int64),
        "value": value,
        "v": value / (m if m > 0 else 1.0),
    }
    shape = {"n": max((x.size for x in a), default=1), "L": len(a)}
    return fill(layout(activations_chart, present, **shape), {"acts": columns})


# ----- first-layer weights ------------------------------------------------------------------------
def neurons_shown(h: int, width: int) -> int:
    """How many hidden neurons' weight pictures the page draws: 64 at 8×8, 24 at 28×28."""
    return min(width, 64 if h <= 8 else 24)


def weights_chart(present: bool, h: int, w: int, count: int) -> alt.Chart:
    """First-layer weights, one small picture per hidden neuron: red pixels push it up, blue down.

    The pixels arrive as one int8 column q = round(127·w / scale), neuron by neuron in reading order;
    the chart recovers neuron, row and column from the row number, and the real weight from each
    neuron's scale (its largest |weight|). No legend or title (the page explains the colours): with
    Streamlit's autosize "fit" they would squash the pictures, whose pixels must stay square.
    """
    cols = 8 if h <= 8 else 6
    px = (4.7 if h <= 8 else 1.9) * (2 if present else 1)  # twice as large when projected
    n_rows = -(-count // cols) if count else 1
    gw, gh = max(min(count, cols) * (w + 1) - 1, 1), n_rows * (h + 1) - 1
    return (
        alt.Chart(source("pixels"))
        .transform_window(idx="row_number()")
        .transform_calculate(n=f"floor((datum.idx - 1) / {h * w})", p=f"(datum.idx - 1) % {h * w}")
        .transform_calculate(row=f"floor(datum.p / {w})", col=f"datum.p % {w}")
        .transform_calculate(
            gx=f"(datum.n % {cols}) * {w + 1} + datum.col",
            gy=f"floor(datum.n / {cols}) * {h + 1} + datum.row",
        )
        .transform_lookup(lookup="n", from_=alt.LookupData(source("scales"), key="n", fields=["scale"]))
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


def weights(W1: np.ndarray, shape: tuple[int, int], present: bool) -> dict:
    """First-layer weights (h·w, n) of the first ``neurons_shown`` neurons (non-finite drawn as 0)."""
    h, w = shape
    count = neurons_shown(h, W1.shape[1])
    W = np.nan_to_num(np.asarray(W1, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)[:, :count]
    scale = np.max(np.abs(W), axis=0) if W.size else np.ones(0)
    scale = np.where(scale > 0, scale, 1.0)
    pixels = {"q": np.rint(127 * W / scale).astype(np.int8).T.ravel()}
    scales = {"n": np.arange(count), "scale": scale.astype(float)}
    return fill(layout(weights_chart, present, h=h, w=w, count=count), {"pixels": pixels, "scales": scales})


# ----- gradient flow ------------------------------------------------------------------------------
def grad_flow_chart(present: bool, L: int) -> alt.Chart:
    """Mean ‖dW_l‖ per epoch, one line per layer, on a log axis."""
    s = sizes(present)
    labels = [f"‖dW{l + 1}‖" for l in range(L)]
    base = alt.Chart(source("norms")).encode(
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


def grad_flow(G: np.ndarray, present: bool) -> dict:
    """G (epochs, L): epoch, layer, norm; values a log axis cannot draw (0, inf, NaN) left out."""
    G = np.asarray(G, dtype=float)
    E, L = G.shape
    norm = G.ravel()
    keep = np.isfinite(norm) & (norm > 0)
    columns = {
        "epoch": np.repeat(np.arange(1, E + 1), L)[keep],
        "layer": np.tile([f"‖dW{l + 1}‖" for l in range(L)], E)[keep],
        "norm": norm[keep],
    }
    return fill(layout(grad_flow_chart, present, L=L), {"norms": columns})
