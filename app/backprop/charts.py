"""Charts and the summary diagram of the Backpropagation page.

- ``summary_dot``: the notes' "Visual Summary of Backpropagation" as a Graphviz DOT string
  (forward pass down the left, backward pass back up the right), one step highlighted.
- ``contributions_chart``: which input pushed which gradient (Altair bars, one per example).
- ``sigmoid_prime_chart``: σ'(z) with the four outputs' z2 marked (why MSE's extra factor shrinks).
- ``*_spec``: their finished Vega-Lite dicts, cached per (network, loss, mode) with the data
  already as Arrow bytes (named datasets), so a rerun neither builds Altair charts nor converts
  DataFrames.
"""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from app.backprop import run as bd
from app.charts import sizes, style
from app.ui import BLUE, GREY, RED
from core import formulas as F
from core.backprop_ledger import Ledger
from core.data import ROW_LABELS
from core.notes_audit import STEP_NAMES

HIGHLIGHT = "#fde9c8"  # the pale orange app.ui.show_matrix uses for a highlighted row
HIGHLIGHT_EDGE = "#d95f02"


def contributions_frame(led: Ledger, rows: list[str]) -> pd.DataFrame:
    """Long frame: one row per (parameter, input) with its term and the parameter's gradient."""
    d, h = led.dW1.shape
    out = []
    for n, r in enumerate(rows):
        for j in range(h):
            out.append((f"W2[{j}]  h{j + 1}→out", r, led.dW2_terms[n, j], led.dW2[j, 0]))
        out.append(("b2", r, led.db2_terms[n, 0], led.db2[0, 0]))
        for i in range(d):
            for j in range(h):
                out.append((f"W1[{i},{j}]  x{i + 1}→h{j + 1}", r, led.dW1_terms[n, i, j], led.dW1[i, j]))
        for j in range(h):
            out.append((f"b1[{j}]  h{j + 1}", r, led.db1_terms[n, j], led.db1[0, j]))
    df = pd.DataFrame(out, columns=["parameter", "input", "term", "gradient"])
    df["sign"] = np.where(df["term"] >= 0, "positive", "negative")
    return df


# ----- charts -------------------------------------------------------------------------------------
def term_domain(df: pd.DataFrame) -> list[float]:
    """The contributions chart's x range: every term and 0, with room beyond the longest bars for
    their input labels."""
    lo, hi = min(float(df["term"].min()), 0.0), max(float(df["term"].max()), 0.0)
    pad = 0.18 * (hi - lo) if hi > lo else 1e-3  # all terms 0 (e.g. all-zero weights): a small axis
    return [lo - pad if lo < 0 or hi == lo else 0.0, hi + pad if hi > 0 or hi == lo else 0.0]


ZERO = pd.DataFrame({"x": [0.0]})  # the contributions chart's rule at 0


def contributions_chart(df: pd.DataFrame, big: bool = False) -> alt.Chart:
    """Horizontal bars: for each parameter, what each of the four inputs adds to its gradient.
    ``big``: presenter mode's taller bands."""
    s = sizes()
    order = list(dict.fromkeys(df["parameter"]))
    inputs = list(dict.fromkeys(df["input"]))
    band = 80 if big else 60
    xs = alt.Scale(domain=term_domain(df))
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("parameter:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("input:N", sort=inputs),
            # three lines: one would run past a phone's edge
            x=alt.X("term:Q", title=["share of the gradient", "(term for one input,", "already ÷ N)"], scale=xs),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(domain=["positive", "negative"], range=[RED, BLUE]),
                legend=alt.Legend(title="term", orient="bottom"),
            ),
            tooltip=[
                "parameter:N",
                "input:N",
                alt.Tooltip("term:Q", format=".3e"),
                alt.Tooltip("gradient:Q", title="sum = gradient", format=".3e"),
            ],
        )
    )
    texts = [
        alt.Chart(df)
        .transform_filter(f"datum.term {op} 0")
        .mark_text(align=align, dx=dx, fontSize=s["font"] - 3, color=GREY)
        .encode(
            y=alt.Y("parameter:N", sort=order),
            yOffset=alt.YOffset("input:N", sort=inputs),
            x="term:Q",
            text="input:N",
            tooltip=["parameter:N", "input:N", alt.Tooltip("term:Q", format=".3e")],
        )
        for op, align, dx in ((">=", "left", 3), ("<", "right", -3))
    ]
    zero = alt.Chart(ZERO).mark_rule(color="black").encode(x="x:Q")
    return alt.layer(bars, *texts, zero).properties(height=band * df["parameter"].nunique(), width="container")


def sigmoid_prime_frames(
    z2: np.ndarray, a2: np.ndarray, y: np.ndarray, rows: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the curve σ'(z) over a range that holds every z2 (N, 1), the N examples' points)."""
    zmax = float(np.clip(np.nanmax(np.abs(z2)) + 1.0, 6.0, 40.0)) if np.all(np.isfinite(z2)) else 6.0
    z = np.linspace(-zmax, zmax, 161)
    sig = 1.0 / (1.0 + np.exp(-z))
    curve = pd.DataFrame({"z": z, "slope": sig * (1 - sig)})
    pts = pd.DataFrame(
        {
            "input": rows,
            "z2": np.clip(z2[:, 0], -zmax, zmax),
            "a2": a2[:, 0],
            "slope": a2[:, 0] * (1 - a2[:, 0]),
            "class": y[:, 0].astype(int),
            # the two inputs of a class sit at almost the same z2: label the first above, the second below
            "above": [n < 2 for n in range(len(rows))],
        }
    )
    return curve, pts


def sigmoid_prime_chart(curve: pd.DataFrame, pts: pd.DataFrame, big: bool = False) -> alt.LayerChart:
    """σ'(z) = σ(z)(1 − σ(z)) (``curve``) with each example's z2 marked (``pts``), coloured by its class."""
    s = sizes()
    line = (
        alt.Chart(curve)
        .mark_line(color=GREY, strokeWidth=s["line"])
        .encode(
            x=alt.X("z:Q", title="z2 (pre-activation of the output)"),
            y=alt.Y("slope:Q", title="σ'(z2) = a2·(1 − a2)", scale=alt.Scale(domain=[0, 0.27])),
            tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("slope:Q", title="σ'(z)", format=".4f")],
        )
    )
    tips = [
        "input:N",
        alt.Tooltip("class:N", title="y"),
        alt.Tooltip("z2:Q", format=".3f"),
        alt.Tooltip("a2:Q", format=".4f"),
        alt.Tooltip("slope:Q", title="σ'(z2)", format=".4f"),
    ]
    dots = (
        alt.Chart(pts)
        .mark_point(filled=True, size=s["point"] * 0.6, stroke="black", strokeWidth=s["stroke"] - 1, opacity=1)
        .encode(
            x="z2:Q",
            y="slope:Q",
            color=alt.Color("class:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
            tooltip=tips,
        )
    )
    labels = [
        alt.Chart(pts)
        .transform_filter(f"datum.above == {str(up).lower()}")
        .mark_text(dy=-s["label"] if up else s["label"], fontSize=s["font"], fontWeight="bold")
        .encode(x="z2:Q", y="slope:Q", text="input:N", tooltip=tips)
        for up in (True, False)
    ]
    return alt.layer(line, dots, *labels).properties(height=300 if big else 240, width="container")


# ----- cached specs -------------------------------------------------------------------------------
def _name(df: pd.DataFrame) -> str:
    """A dataset name from the frame's content (the same numbers, the same name)."""
    h = hashlib.sha1(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    h.update(",".join(map(str, df.columns)).encode())
    return f"d_{h.hexdigest()[:16]}"


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite dict whose data frames are named datasets of Arrow bytes (content-hash
    names), which st.vega_lite_chart ships as they are: no DataFrame conversion per rerun."""
    datasets = {}

    def swap(obj) -> None:
        data = getattr(obj, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            name = _name(data)
            datasets[name] = bd.arrow_bytes(data)
            obj.data = alt.NamedData(name)
        for sub in getattr(obj, "layer", None) or []:
            swap(sub)

    swap(chart)
    # Altair's JSON-schema validation is half of a build (~0.1 s per chart, paid on a cold render):
    # tests/test_page_backprop.py validates every layout instead.
    spec = chart.to_dict(validate=False)
    spec["datasets"] = datasets
    return spec


def with_data(template: dict, frames: list[pd.DataFrame]) -> dict:
    """``template`` (from ``to_spec``) with its datasets replaced, in order, by ``frames``: a new
    network needs new numbers, not a new Altair chart."""
    new = [(_name(df), bd.arrow_bytes(df)) for df in frames]
    rename = dict(zip(template["datasets"], (name for name, _ in new)))
    layers = [{**layer, "data": {"name": rename[layer["data"]["name"]]}} for layer in template["layer"]]
    return {**template, "layer": layers, "datasets": dict(new)}


@st.cache_data(max_entries=8, show_spinner=False)
def _contributions_template(big: bool, shape: tuple, _df: pd.DataFrame) -> dict:
    """The chart for one layout (mode, W1's shape); ``_df``, which builds it, is not part of the key."""
    return to_spec(style(contributions_chart(_df, big)))


@st.cache_data(max_entries=64, show_spinner=False)
def contributions_spec(key: tuple, loss: str, big: bool) -> dict:
    """The styled contributions chart of the network ``key``, from its layout's template (building
    and validating an Altair chart costs far more than this page's NumPy). ``big``: presenter mode."""
    led = bd.ledger(key, loss)
    df = contributions_frame(led, ROW_LABELS)
    spec = with_data(_contributions_template(big, led.dW1.shape, df), [df, ZERO])
    bars = spec["layer"][0]
    x = {**bars["encoding"]["x"], "scale": {**bars["encoding"]["x"]["scale"], "domain": term_domain(df)}}
    spec["layer"][0] = {**bars, "encoding": {**bars["encoding"], "x": x}}
    return spec


@st.cache_data(max_entries=4, show_spinner=False)
def _sigmoid_prime_template(big: bool, _frames: tuple) -> dict:
    return to_spec(style(sigmoid_prime_chart(*_frames, big)))


@st.cache_data(max_entries=64, show_spinner=False)
def sigmoid_prime_spec(key: tuple, big: bool) -> dict:
    """The styled σ'(z2) chart of the network ``key`` (the same for both losses), from the template."""
    led = bd.ledger(key, "bce")
    frames = sigmoid_prime_frames(led.z2, led.a2, led.y, ROW_LABELS)
    return with_data(_sigmoid_prime_template(big, frames), list(frames))


# ----- the summary diagram ------------------------------------------------------------------------
# Three columns: the forward pass down the left; the notes' backward chain dz2 → dW2 → dz1 → dW1 back
# up the middle; the bias gradients db2, db1 on the right beside their weight gradients.
FORWARD = [  # node id, name, formula (second line); {f}: the hidden activation's symbol
    ("X", "X", "input"),
    ("z1", "z1", F.render(F.FORWARD["z1"])),
    ("a1", "a1", "{f}(z1)"),
    ("z2", "z2", F.render(F.FORWARD["z2"])),
    ("a2", "a2", F.render(F.FORWARD["a2"])),
    ("L", "Loss L", ""),
]
# node id -> (formula, what the line does): core.formulas' grouping; no line updates anything
BACKWARD = {name: (F.render(F.BACKWARD[name]), STEP_NAMES[name]) for name in ("dz2", "dW2", "db2", "dz1", "dW1", "db1")}
BACKWARD["dz2"] = ("{dz2}", STEP_NAMES["dz2"])
BACKWARD["dz1"] = (BACKWARD["dz1"][0].replace("f'(", "{f}'("), "Pass error back")
# what each backward step reads from the forward pass (drawn dashed when that step is selected)
READS = {"dz2": ["a2"], "dW2": ["a1"], "db2": [], "dz1": ["a1"], "dW1": ["X"], "db1": []}
BACK_EDGE = "#8c510a"


def _esc(t: str) -> str:
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summary_dot(
    step: str, f_name: str = "σ", loss: str = "bce", tooltips: dict | None = None, big: bool = False
) -> str:
    """The notes' visual summary as DOT, ``step`` (one of core.backprop_ledger.STEPS) highlighted
    together with dashed arrows from the forward values it reads.

    f_name: the hidden activation's symbol (σ for sigmoid). tooltips: node id -> hover text.
    big: presenter mode's larger fonts.
    """
    fs, small = (20, 15) if big else (14, 10)
    tooltips = tooltips or {}
    dz2_text = F.render(F.BACKWARD["dz2"] if loss == "bce" else F.DZ2_MSE)

    def node(nid: str, name: str, formula: str, caption: str, on: bool) -> str:
        label = f"<<B>{_esc(name)}</B>"
        if formula:
            label += f"<BR/>{_esc(('= ' if nid != 'X' else '') + formula)}"
        if caption:
            label += f'<BR/><FONT POINT-SIZE="{small}" COLOR="#555555">{_esc(caption)}</FONT>'
        label += ">"
        extra = f', fillcolor="{HIGHLIGHT}", color="{HIGHLIGHT_EDGE}", penwidth=3' if on else ""
        tip = _esc(tooltips.get(nid, f"{name} = {formula}" if formula else name)).replace('"', "'")
        return f'  {nid} [label={label}, tooltip="{tip}"{extra}];'

    lines = [
        "digraph G {",
        '  graph [rankdir=TB, bgcolor="transparent", nodesep=0.25, ranksep=0.28, newrank=true];',
        f'  node [shape=box, style="rounded,filled", fillcolor="#f2f2f2", color="#9a9a9a", '
        f'fontname="Helvetica", fontsize={fs}, margin="0.10,0.04"];',
        '  edge [color="#666666", arrowsize=0.7];',
        f'  fwd [shape=plaintext, style="", label="FORWARD", fontsize={small}, fontcolor="#444444"];',
        f'  bwd [shape=plaintext, style="", label="BACKWARD (reverse order!)", fontsize={small}, fontcolor="#444444"];',
    ]
    lines += [node(nid, name, form.format(f=f_name), "", False) for nid, name, form in FORWARD]
    lines += [
        node(nid, nid, form.format(f=f_name, dz2=dz2_text), cap, nid == step) for nid, (form, cap) in BACKWARD.items()
    ]
    lines += [
        "  fwd -> X [style=invis]; bwd -> dW1 [style=invis];",
        "  X -> z1 -> a1 -> z2 -> a2 -> L;",
        # the backward pass is drawn upwards: dir=back keeps the ranks while the arrow points up
        f'  edge [color="{BACK_EDGE}", penwidth=1.5];',
        "  dz2 -> L [dir=back];",
        "  dz1 -> dz2 [dir=back, minlen=2];",
        "  dW2 -> dz2 [dir=back];",
        "  dz2 -> db2;",
        "  dW1 -> dz1 [dir=back];",
        "  db1 -> dz1 [dir=back];",
        "  { rank=same; fwd; bwd; }",
        "  { rank=same; z1; dW1; db1; }",
        "  { rank=same; a1; dz1; }",
        "  { rank=same; z2; dW2; }",
        "  { rank=same; a2; dz2; db2; }",
        # keep the columns in order: forward | dz chain | parameter gradients
        '  edge [style=invis, color="#00000000"];',
        "  z1 -> dW1 -> db1; a1 -> dz1; z2 -> dW2; a2 -> dz2 -> db2;",
    ]
    for src in READS.get(step, []):
        lines.append(
            f'  {src} -> {step} [style=dashed, color="{HIGHLIGHT_EDGE}", penwidth=2, constraint=false, '
            f'arrowsize=0.6, tooltip="{step} uses {src}"];'
        )
    lines.append("}")
    return "\n".join(lines)
