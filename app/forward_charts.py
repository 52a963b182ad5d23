"""The Forward pass page's displays: the arithmetic written out as LaTeX with the live numbers,
and the activation curve(s) with the current z values marked.

Numbers in the written-out arithmetic are rounded for reading (weights as typed, up to 3
decimals; z to 2 decimals and activations to 3, as in "z1[0] = … = 2.70 → σ(2.70) = 0.937");
every result is computed from the exact values by core.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app.architecture_charts import arrow_bytes, named, to_template, with_data
from app.charts import sizes, style
from app.ui import BLUE, GREY, RED, presenter
from core import formulas as F
from core.activations import LEAKY_SLOPE, get_activation
from core.data import X as XOR_X
from core.data import notes_weights
from core.forward_steps import ForwardRow, forward_row
from core.mlp import MLP

TEX_ACT = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "leaky_relu": r"\mathrm{LReLU}"}
TEX_ACT["linear"] = r"\mathrm{id}"
DEFAULT_ROW = 2  # the page opens on input [1 0], the one the notes work through
CURVE_LIMIT = 60.0  # the curve's z axis never goes beyond ±60 (σ is 0 or 1 to 26 digits there)


# ----- numbers as TeX ----------------------------------------------------------------------------------
def tnum(v: float, digits: int = 3) -> str:
    """A parameter as typed: up to ``digits`` decimals, trailing zeros dropped (5.2, −7.1, 0.335)."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{NaN}")
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def tval(v: float, digits: int = 3) -> str:
    """A computed value with fixed decimals (2.700, 0.937)."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{NaN}")
    s = f"{v:.{digits}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s


def paren(s: str) -> str:
    """Wrap a negative number in brackets, as the notes do inside a sum: + (−2.5)."""
    return f"({s})" if s.startswith("-") else s


def hidden_lines(net: MLP, step: ForwardRow) -> list[list[str]]:
    """Per hidden neuron j, two TeX lines (narrow enough for a phone):
    z1[j] = W1[0,j]·x1 + W1[1,j]·x2 + b1[j]  /  = z → act(z) = a1[j]."""
    act = TEX_ACT.get(net.hidden, net.hidden)
    W1, b1 = net.W[0], net.b[0]
    out = []
    for j in range(W1.shape[1]):
        prods = [f"{paren(tnum(W1[i, j]))}\\cdot {tnum(step.x[i], 0)}" for i in range(W1.shape[0])]
        rhs = " + ".join(prods + [paren(tnum(b1[0, j]))])
        z, a = step.z1[j], step.a1[j]
        out.append(
            [
                rf"z_1[{j}] &= {rhs}",
                rf"&= {tval(z, 2)} \rightarrow {act}({tval(z, 2)}) = \mathbf{{{tval(a)}}}",
            ]
        )
    return out


def output_lines(net: MLP, step: ForwardRow, per_line: int = 2) -> list[str]:
    """z2 = a1[0]·W2[0] + a1[1]·W2[1] + … + b2, wrapped after ``per_line`` terms, then = z2 → σ(z2) = a2."""
    W2, b2 = net.W[1], net.b[1]
    prods = [f"{tval(step.a1[j])}\\cdot {paren(tnum(W2[j, 0]))}" for j in range(W2.shape[0])]
    prods.append(paren(tnum(b2[0, 0])))
    chunks = [" + ".join(prods[i : i + per_line]) for i in range(0, len(prods), per_line)]
    lines = [f"z_2 &= {chunks[0]}"] + [f"&\\quad + {c}" for c in chunks[1:]]
    z2 = tval(step.z2, 2)
    lines.append(rf"&= {z2} \rightarrow \sigma({z2}) = \mathbf{{{tval(step.a2)}}}")
    return lines


def aligned(lines: list[str], size: str = r"\large") -> str:
    return size + r"\begin{aligned}" + r"\\[4pt]".join(lines) + r"\end{aligned}"


# ----- definitions the page gives where the forward pass starts ------------------------------------
ACTIVATION_WORDS = (
    "Each neuron adds up its weighted inputs and its bias: that sum **z** is its **pre-activation**. Then it "
    "squashes z with its activation function. The notes use the **sigmoid** σ, which turns any number into "
    "one between 0 and 1, σ(0) = 0.5:"
)
_ACT_DEFS = {
    "tanh": r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "relu": r"\mathrm{ReLU}(z) = \max(0, z)",
    "leaky_relu": rf"\mathrm{{LReLU}}(z) = \max({LEAKY_SLOPE:g}\,z,\ z)",
    "linear": r"\mathrm{id}(z) = z",
}


def activation_definition(hidden: str) -> str:
    """σ(z) = 1/(1 + e^(−z)), and the hidden activation's own formula when it is not σ."""
    sigma = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    other = _ACT_DEFS.get(hidden)
    return sigma if other is None else sigma + r",\qquad " + other + r"\ \text{(hidden)}"


def broadcast_words(env: dict) -> str:
    """X @ W1 (N×h) plus the single row b1 (1×h): broadcasting, and db1 as its backward twin."""
    n, h = np.shape(env["z1"])
    plus = [s for s in F.shape_steps(F.FORWARD["z1"], env) if s.op == "+"][0]
    return (
        f"X @ W1 is {n}×{h}, one row per input, but b1 is a single row, 1×{h}. NumPy **broadcasts** it: the same "
        f"b1 is added to every row ({F.shape_text(plus.left)} + {F.shape_text(plus.right)} → "
        f"{F.shape_text(plus.result)}), so every input gets the same biases. The backward pass has the twin of "
        "this: because the one b1 reached every row, its gradient db1 adds dz1 up over the rows (Backpropagation "
        "page)."
    )


CONVENTIONS_WORDS = (
    "**Here, as in the notes:** one input per **row**. X is N×2 (inputs × features), W1 is **in × out** "
    "(2 inputs × h hidden neurons), and z1 = X @ W1 + b1 handles all N inputs in one product; row n of z1 "
    "belongs to input n.\n\n"
    "**Many textbooks** write one input as a **column** x (2×1) and z = W x + b, with W **out × in** (h×2): "
    "the same numbers transposed, W = W1ᵀ, and z is one row of z1 stood up as a column.\n\n"
    "**PyTorch's** nn.Linear(2, h) stores its weight like the textbooks, (out, in) = h×2, and for a batch of "
    "rows computes X @ weightᵀ + bias: the notes' formula with weightᵀ = W1. To copy this network's W1 into "
    "PyTorch, transpose it: W1ᵀ, the second matrix below, is the weight nn.Linear would hold."
)


def conventions_tex(net: MLP) -> str:
    """The current W1 (in × out, as here) beside W1ᵀ (out × in, as z = Wx + b and PyTorch store it)."""
    W1 = net.W[0]
    n_in, n_out = W1.shape
    return (  # one above the other: they fit a phone
        rf"\begin{{gathered}}\underset{{{n_in} \times {n_out}}}{{W_1}} = {bmatrix(W1)}"
        rf"\\[6pt] \underset{{{n_out} \times {n_in}}}{{W_1^{{\top}}}} = {bmatrix(W1.T)}\end{{gathered}}"
    )


def bmatrix(m: np.ndarray) -> str:
    rows = [" & ".join(tnum(v) for v in r) for r in np.atleast_2d(m)]
    return r"\begin{bmatrix}" + r"\\".join(rows) + r"\end{bmatrix}"


def param_matrices(net: MLP, stacked: bool | None = None) -> str:
    """W1, b1 on one line and W2, b2 on the next, as TeX matrices with their shapes underneath;
    ``stacked`` (default: presenter mode, whose larger maths must still fit a phone): one per line."""
    tex = []
    for name, m in net.to_dict().items():
        shape = r" \times ".join(map(str, m.shape))
        tex.append(rf"\underset{{{shape}}}{{{name[0]}_{name[1:]}}} = {bmatrix(m)}")
    if presenter() if stacked is None else stacked:
        return r"\begin{gathered}" + r"\\[8pt]".join(tex) + r"\end{gathered}"
    return r"\begin{gathered}" + r",\;\; ".join(tex[:2]) + r"\\[8pt]" + r",\;\; ".join(tex[2:]) + r"\end{gathered}"


# ----- the activation curve with the current z marked ---------------------------------------------------
def marks_columns(net: MLP, step: ForwardRow) -> dict:
    """Every z of this input (z1[j] on the hidden activation, z2 on σ) with its activation, as columns
    (name, layer, curve, z, a, finite, sign, label); ``finite`` says which can be drawn. Plain NumPy:
    pandas costs more than the arithmetic for a handful of rows."""
    h = len(step.z1)
    names = [f"z1[{j}]" for j in range(h)] + ["z2"]
    z = np.append(np.asarray(step.z1, dtype=float), step.z2)
    a = np.append(np.asarray(step.a1, dtype=float), step.a2)
    return {
        "name": names,
        "layer": ["hidden"] * h + ["output"],
        "curve": [net.hidden] * h + ["sigmoid"],
        "z": z,
        "a": a,
        "finite": np.isfinite(z) & np.isfinite(a),
        "sign": np.where(z > 0, "z > 0", "z ≤ 0"),
        "label": [f"{n} = {v:.3f}".replace("-", "−") for n, v in zip(names, z)],
    }


def marks_frame(net: MLP, step: ForwardRow) -> pd.DataFrame:
    """``marks_columns`` as a DataFrame."""
    return pd.DataFrame(marks_columns(net, step))


def curve_range(z: np.ndarray) -> float:
    """Half-width of the z axis: at least 8, wide enough for every marked z (up to CURVE_LIMIT)."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    biggest = float(np.max(np.abs(z))) if z.size else 0.0
    return float(min(CURVE_LIMIT, max(8.0, np.ceil(biggest + 1.0))))


@st.cache_data(max_entries=64, show_spinner=False)
def curves_frame(activations: list[str], half: float, n: int = 241) -> pd.DataFrame:
    zs = np.linspace(-half, half, n)
    parts = [pd.DataFrame({"z": zs, "a": get_activation(name).f(zs), "curve": name}) for name in activations]
    return pd.concat(parts, ignore_index=True)


# The curve's axis ranges are Vega-Lite parameters, not numbers in the template, so one template
# serves every input and network: a rerun only sets their values (``CURVE_PARAMS``).
CURVE_PARAMS = ("z_half", "a_lo", "a_hi")


def _curve_template(big: bool) -> dict:
    s = sizes()
    xs = alt.Scale(domain=[{"expr": "-z_half"}, {"expr": "z_half"}], nice=False)
    ys = alt.Scale(domain=[{"expr": "a_lo"}, {"expr": "a_hi"}], nice=False)
    curve = (
        alt.Chart(named("curves"))
        .mark_line(strokeWidth=s["line"], color=GREY)
        .encode(
            x=alt.X("z:Q", scale=xs, title="z"),
            y=alt.Y("a:Q", scale=ys, title="activation a"),
            strokeDash=alt.StrokeDash("curve:N", title="curve"),
            tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("a:Q", format=".3f")],
        )
    )
    tip = [
        alt.Tooltip("name:N", title="value"),
        alt.Tooltip("z:Q", format=".4f"),
        alt.Tooltip("a:Q", title="activation", format=".4f"),
        alt.Tooltip("curve:N", title="through"),
    ]
    pts = alt.Chart(named("marks")).transform_filter("datum.finite")
    P = dict(x=alt.X("z:Q", scale=xs), y=alt.Y("a:Q", scale=ys))
    layers = [
        curve,
        alt.Chart(named("half")).mark_rule(strokeDash=[4, 4], color="#999999").encode(y=alt.Y("a:Q", scale=ys)),
        pts.mark_rule(strokeDash=[2, 3], strokeWidth=1.5, color="#888888").encode(
            x=P["x"], y=alt.Y("base:Q", scale=ys), y2="a:Q"
        ),
        pts.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            **P,
            color=alt.Color("sign:N", scale=alt.Scale(domain=["z > 0", "z ≤ 0"], range=[RED, BLUE]), title="sign of z"),
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
    chart = alt.layer(*layers).properties(height=400 if big else 320, width="container")
    chart = style(chart).configure_legend(orient="bottom", direction="horizontal")
    spec = to_template(chart)
    spec["params"] = [{"name": name, "value": 0.0} for name in CURVE_PARAMS]  # filled in per input
    return spec


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_curve_template(big: bool) -> dict:
    return _curve_template(big)


@st.cache_data(max_entries=64, show_spinner=False)
def _curves_arrow(activations: tuple, half: float) -> tuple[bytes, float, float]:
    """curves_frame as Arrow bytes, with its smallest and largest activation."""
    curves = curves_frame(list(activations), half)
    return arrow_bytes(curves), float(curves["a"].min()), float(curves["a"].max())


HALF_LINE = pd.DataFrame({"a": [0.5]})  # the dashed line at activation 0.5


def activation_curve_spec(net: MLP, step: ForwardRow, big: bool | None = None, arrow: bool = False) -> dict:
    """σ (and the hidden activation if it is not σ) over z, with this input's z1[j] and z2 marked.

    Its datasets ("curves", "marks", "half") are DataFrames, or Arrow bytes with ``arrow``; ``big``:
    presenter sizes (default: the current mode)."""
    return _curve_spec(net, marks_columns(net, step), big, arrow)


def _curve_spec(net: MLP, marks: dict, big: bool | None, arrow: bool) -> dict:
    z, a, finite = marks["z"], marks["a"], marks["finite"]
    half = curve_range(z)
    acts = ["sigmoid"] if net.hidden == "sigmoid" else [net.hidden, "sigmoid"]
    if arrow:
        curves, c_min, c_max = _curves_arrow(tuple(acts), half)
    else:
        curves = curves_frame(acts, half)
        c_min, c_max = float(curves["a"].min()), float(curves["a"].max())
    a_min = min(c_min, float(a[finite].min())) if finite.any() else c_min
    a_max = max(c_max, float(a[finite].max())) if finite.any() else c_max
    lo_a = float(min(-0.05, np.floor(a_min * 10) / 10 - 0.05))
    hi_a = float(max(1.05, np.ceil(a_max * 10) / 10 + 0.05))
    # Labels alternate above and below their points (in order of z) so neighbours do not overlap.
    order = np.argsort(z, kind="stable")
    offset = np.empty(len(z))
    offset[order] = np.where(np.arange(len(z)) % 2 == 0, 0.08, -0.08) * (hi_a - lo_a)
    frame = pd.DataFrame(
        {
            **marks,
            "base": round(lo_a, 2),  # drop lines from each point down to the axis
            "ly": np.clip(np.where(np.isnan(a), 0.0, a) + offset, lo_a, hi_a),
        }
    )
    big = presenter() if big is None else big
    if arrow:
        spec = with_data(_cached_curve_template(big), curves=curves, marks=arrow_bytes(frame), half=_half_arrow())
    else:
        spec = with_data(_cached_curve_template(big), curves=curves, marks=frame, half=HALF_LINE)
    values = (half, round(lo_a, 2), round(hi_a, 2))
    spec["params"] = [{"name": name, "value": v} for name, v in zip(CURVE_PARAMS, values)]
    return spec


@st.cache_data(max_entries=1, show_spinner=False)
def _half_arrow() -> bytes:
    return arrow_bytes(HALF_LINE)


# The table beside the curve: value, z, activation, through; its number formats.
CURVE_TABLE_FORMATS = {
    "z": st.column_config.NumberColumn(format="%.3f"),
    "activation": st.column_config.NumberColumn(format="%.3f"),
}


@st.cache_data(max_entries=256, show_spinner=False)
def _curve_parts(key: tuple, row: int, big: bool) -> tuple[dict, pa.Table, bool]:
    net = MLP.from_key(key)
    marks = marks_columns(net, forward_row(net, XOR_X, row))
    spec = _curve_spec(net, marks, big, arrow=True)
    table = pa.table({"value": marks["name"], "z": marks["z"], "activation": marks["a"], "through": marks["curve"]})
    return spec, table, bool(marks["finite"].all())


def activation_curve(net: MLP, row: int) -> tuple[dict, pa.Table, bool]:
    """(spec, table, all finite) for row ``row`` of XOR's X: ``activation_curve_spec`` with its
    datasets as Arrow bytes, the marked values as a table (value, z, activation, through) for
    ``CURVE_TABLE_FORMATS``, and whether every marked value is finite (the others are not drawn).

    Cached per (network, row, presenter mode): a rerun that only moves the input ships cached bytes
    instead of building and converting DataFrames."""
    return _curve_parts(net.key(), int(row), presenter())


def warm() -> None:
    """Fill the caches the page's default view uses (the notes' network, input [1 0], normal mode),
    through the same cached functions; draws nothing, touches no session. Other inputs follow when
    a student first picks them."""
    try:
        net = MLP.from_dict(notes_weights())
        activation_curve(net, DEFAULT_ROW)
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page computes what is missing
        pass
