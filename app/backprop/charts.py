"""Charts and the summary diagram of the Backpropagation page, built through app.chart.

- ``contributions``: which input pushed which gradient (horizontal bars, one per input and
  parameter); ``contributions_spec`` fills it with a ledger's terms.
- ``sigmoid_prime``: σ'(z) with the four outputs' z2 marked (why MSE's extra factor shrinks);
  ``sigmoid_prime_spec`` fills it.
- ``summary_dot``: the notes' "Visual Summary of Backpropagation" as a Graphviz DOT string
  (forward pass down the left, backward pass back up the right), one step highlighted.

Presenter mode reaches every chart as the explicit ``present`` argument.
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import fill, hole, layout, sizes, source
from app.ui import BLUE, GREY, RED
from core import formulas as F
from core.backprop_ledger import Ledger
from core.data import ROW_LABELS
from core.notes_audit import STEP_NAMES

HIGHLIGHT = "#fde9c8"  # the pale orange app.ui.show_matrix uses for a highlighted row
HIGHLIGHT_EDGE = "#d95f02"


# ----- which input pushed which gradient ------------------------------------------------------------
def parameter_names(d: int, h: int) -> list[str]:
    """The contributions chart's parameters, top to bottom: W2, b2, W1, b1 (W1 of shape d×h)."""
    return (
        [f"W2[{j}]  h{j + 1}→out" for j in range(h)]
        + ["b2"]
        + [f"W1[{i},{j}]  x{i + 1}→h{j + 1}" for i in range(d) for j in range(h)]
        + [f"b1[{j}]  h{j + 1}" for j in range(h)]
    )


def contributions_data(led: Ledger) -> dict[str, np.ndarray]:
    """One row per (parameter, input): its term (what that input adds, already ÷ N) and the
    parameter's gradient (the sum of its terms), parameters in ``parameter_names`` order."""
    n = led.N
    terms = np.hstack([led.dW2_terms, led.db2_terms, led.dW1_terms.reshape(n, -1), led.db1_terms])  # (N, P)
    grads = np.concatenate([led.dW2[:, 0], led.db2[0], led.dW1.ravel(), led.db1[0]])  # (P,)
    names = parameter_names(*led.dW1.shape)
    term = terms.ravel()  # input-major: every parameter of the first input, then the next
    return {
        "parameter": np.array(names * n, dtype=object),
        "input": np.repeat(np.array(ROW_LABELS[:n], dtype=object), len(names)),
        "term": term,
        "gradient": np.tile(grads, n),
        "sign": np.where(term >= 0, "positive", "negative").astype(object),
    }


def term_domain(term: np.ndarray) -> list[float]:
    """The contributions chart's x range: every term and 0, with room beyond the longest bars for
    their input labels."""
    lo, hi = min(float(np.min(term)), 0.0), max(float(np.max(term)), 0.0)
    pad = 0.18 * (hi - lo) if hi > lo else 1e-3  # all terms 0 (e.g. all-zero weights): a small axis
    return [lo - pad if lo < 0 or hi == lo else 0.0, hi + pad if hi > 0 or hi == lo else 0.0]


def contributions(present: bool, params: tuple[str, ...]) -> alt.LayerChart:
    """Horizontal bars: for each of ``params`` (top to bottom), what each of the four inputs adds to
    its gradient; the x range is the hole ``domain``. Presenter mode has taller bands."""
    s = sizes(present)
    order = list(params)
    band = 80 if present else 60
    y = alt.Y("parameter:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    offset = alt.YOffset("input:N", sort=ROW_LABELS)
    bars = (
        alt.Chart(source("terms"))
        .mark_bar()
        .encode(
            y=y,
            yOffset=offset,
            # three lines: one would run past a phone's edge
            x=alt.X(
                "term:Q",
                title=["share of the gradient", "(term for one input,", "already ÷ N)"],
                scale=alt.Scale(domain=hole("domain")),
            ),
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
        alt.Chart(source("terms"))
        .transform_filter(f"datum.term {op} 0")
        .mark_text(align=align, dx=dx, fontSize=s["font"] - 3, color=GREY)
        .encode(
            y=alt.Y("parameter:N", sort=order),
            yOffset=offset,
            x="term:Q",
            text="input:N",
            tooltip=["parameter:N", "input:N", alt.Tooltip("term:Q", format=".3e")],
        )
        for op, align, dx in ((">=", "left", 3), ("<", "right", -3))
    ]
    # the rule at 0: one row (the count of terms) reading no number of its own
    zero = alt.Chart(source("terms")).transform_aggregate(n="count()").mark_rule(color="black").encode(x=alt.datum(0))
    return alt.layer(bars, *texts, zero).properties(height=band * len(order), width="container")


def contributions_spec(data: dict[str, np.ndarray], present: bool) -> dict:
    """The contributions chart of ``contributions_data``, filled (its layout is built once per mode
    and parameter list)."""
    params = tuple(dict.fromkeys(data["parameter"]))
    return fill(layout(contributions, present, params=params), {"terms": data}, domain=term_domain(data["term"]))


# ----- σ'(z2): why MSE's extra factor shrinks ------------------------------------------------------
def sigmoid_prime_data(led: Ledger) -> dict[str, dict[str, np.ndarray]]:
    """{"curve": σ'(z) over a range that holds every z2, "points": the N inputs' z2, a2 and slope}."""
    z2, a2 = led.z2[:, 0], led.a2[:, 0]
    zmax = float(np.clip(np.nanmax(np.abs(z2)) + 1.0, 6.0, 40.0)) if np.all(np.isfinite(z2)) else 6.0
    z = np.linspace(-zmax, zmax, 161)
    sig = 1.0 / (1.0 + np.exp(-z))
    n = len(z2)
    points = {
        "input": np.array(ROW_LABELS[:n], dtype=object),
        "z2": np.clip(z2, -zmax, zmax),
        "a2": a2,
        "slope": a2 * (1 - a2),
        "class": led.y[:, 0].astype(int),
        # the two inputs of a class sit at almost the same z2: label the first above, the second below
        "above": np.arange(n) < 2,
    }
    return {"curve": {"z": z, "slope": sig * (1 - sig)}, "points": points}


def sigmoid_prime(present: bool) -> alt.LayerChart:
    """σ'(z) = σ(z)(1 − σ(z)) (dataset ``curve``) with each input's z2 marked (``points``), coloured
    by its class."""
    s = sizes(present)
    line = (
        alt.Chart(source("curve"))
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
        alt.Chart(source("points"))
        .mark_point(filled=True, size=s["point"] * 0.6, stroke="black", strokeWidth=s["stroke"] - 1, opacity=1)
        .encode(
            x="z2:Q",
            y="slope:Q",
            color=alt.Color("class:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
            tooltip=tips,
        )
    )
    labels = [
        alt.Chart(source("points"))
        .transform_filter(f"datum.above == {str(up).lower()}")
        .mark_text(dy=-s["label"] if up else s["label"], fontSize=s["font"], fontWeight="bold")
        .encode(x="z2:Q", y="slope:Q", text="input:N", tooltip=tips)
        for up in (True, False)
    ]
    return alt.layer(line, dots, *labels).properties(height=300 if present else 240, width="container")


def sigmoid_prime_spec(data: dict[str, dict[str, np.ndarray]], present: bool) -> dict:
    """The σ'(z2) chart of ``sigmoid_prime_data``, filled."""
    return fill(layout(sigmoid_prime, present), data)


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
    step: str, f_name: str = "σ", loss: str = "bce", tooltips: dict | None = None, present: bool = False
) -> str:
    """The notes' visual summary as DOT, ``step`` (one of core.backprop_ledger.STEPS) highlighted
    together with dashed arrows from the forward values it reads.

    f_name: the hidden activation's symbol (σ for sigmoid). tooltips: node id -> hover text.
    present: presenter mode's larger fonts.
    """
    fs, small = (20, 15) if present else (14, 10)
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
