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
import streamlit as st

from app.architecture_charts import named, to_template, with_data
from app.charts import sizes, style
from app.ui import BLUE, GREY, RED, presenter
from core.activations import get_activation
from core.forward_steps import Step
from core.mlp import MLP

TEX_ACT = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "leaky_relu": r"\mathrm{LReLU}"}
TEX_ACT["linear"] = r"\mathrm{id}"
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


def hidden_lines(net: MLP, step: Step) -> list[list[str]]:
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


def output_lines(net: MLP, step: Step, per_line: int = 2) -> list[str]:
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


def bmatrix(m: np.ndarray) -> str:
    rows = [" & ".join(tnum(v) for v in r) for r in np.atleast_2d(m)]
    return r"\begin{bmatrix}" + r"\\".join(rows) + r"\end{bmatrix}"


def param_matrices(net: MLP) -> str:
    """W1, b1 on one line and W2, b2 on the next, as TeX matrices with their shapes underneath."""
    tex = []
    for name, m in net.to_dict().items():
        shape = r" \times ".join(map(str, m.shape))
        tex.append(rf"\underset{{{shape}}}{{{name[0]}_{name[1:]}}} = {bmatrix(m)}")
    return r"\begin{gathered}" + r",\quad ".join(tex[:2]) + r"\\[8pt]" + r",\quad ".join(tex[2:]) + r"\end{gathered}"


# ----- the activation curve with the current z marked ---------------------------------------------------
def marks_frame(net: MLP, step: Step) -> pd.DataFrame:
    """Every z of this input (z1[j] on the hidden activation, z2 on σ) with its activation; finite only."""
    rows = [(f"z1[{j}]", "hidden", net.hidden, step.z1[j], step.a1[j]) for j in range(len(step.z1))]
    rows.append(("z2", "output", "sigmoid", step.z2, step.a2))
    df = pd.DataFrame(rows, columns=["name", "layer", "curve", "z", "a"])
    df["finite"] = np.isfinite(df["z"]) & np.isfinite(df["a"])
    df["sign"] = np.where(df["z"] > 0, "z > 0", "z ≤ 0")
    df["label"] = [f"{n} = {v:.3f}".replace("-", "−") for n, v in zip(df["name"], df["z"])]
    return df


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


def _curve_template(big: bool, half: float, lo_a: float, hi_a: float) -> dict:
    s = sizes()
    xs = alt.Scale(domain=[-half, half], nice=False)
    ys = alt.Scale(domain=[lo_a, hi_a], nice=False)
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
    return to_template(chart)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_curve_template(big: bool, half: float, lo_a: float, hi_a: float) -> dict:
    return _curve_template(big, half, lo_a, hi_a)


def activation_curve_spec(net: MLP, step: Step) -> dict:
    """σ (and the hidden activation if it is not σ) over z, with this input's z1[j] and z2 marked."""
    marks = marks_frame(net, step)
    half = curve_range(marks["z"].to_numpy())
    acts = ["sigmoid"] if net.hidden == "sigmoid" else [net.hidden, "sigmoid"]
    curves = curves_frame(acts, half)
    a_all = np.concatenate([curves["a"].to_numpy(), marks.loc[marks["finite"], "a"].to_numpy()])
    lo_a = float(min(-0.05, np.floor(a_all.min() * 10) / 10 - 0.05))
    hi_a = float(max(1.05, np.ceil(a_all.max() * 10) / 10 + 0.05))
    # Labels alternate above and below their points (in order of z) so neighbours do not overlap.
    order = np.argsort(marks["z"].to_numpy(), kind="stable")
    offset = np.empty(len(marks))
    offset[order] = np.where(np.arange(len(marks)) % 2 == 0, 0.08, -0.08) * (hi_a - lo_a)
    marks["base"] = round(lo_a, 2)  # drop lines from each point down to the axis
    marks["ly"] = np.clip(marks["a"].fillna(0.0) + offset, lo_a, hi_a)
    template = _cached_curve_template(presenter(), half, round(lo_a, 2), round(hi_a, 2))
    return with_data(template, curves=curves, marks=marks, half=pd.DataFrame({"a": [0.5]}))
