"""Click any of the nine numbers (issue 19 §2): the piece Architecture and Backpropagation share.

A click on a weight or a bias of the network diagram (``app.diagram``, clickable) selects that number θ
(a select box does the same, for the keyboard and for the page's link). For θ the page shows:

- its chain rule, input by input and averaged (``core.backprop_ledger.parameter_chain``, read off the
  notes' ledger: dz2, dz1, a1, x), for binary cross-entropy or mean squared error;
- the finite-difference check (L(θ+ε) − L(θ−ε)) / 2ε against dL/dθ;
- L along θ alone, the other numbers fixed, with the tangent whose slope is dL/dθ, and where one step
  θ − lr·dL/dθ lands on that curve (``core.landscape.loss_slice``).

The curve's chart and words are also the Loss landscape chapter's "One number at a time" (one place).
Computations are cached per (network, parameter, loss); the section is a fragment, so a click, the
select box or the rate reruns only it.
"""

from __future__ import annotations

from functools import partial

import altair as alt
import numpy as np
import streamlit as st

from app import ui
from app.chart import PLOT_HEIGHT, chart, draw, hole, rows_table, sizes, source
from app.diagram import ACT_SYMBOL, diagram_columns, diagram_spec, diagram_text
from app.names import LOSS_NAMES
from app.plane import CLICK, click_key, take_pick
from app.ui import GREY, RED
from core import backprop_ledger as bl
from core.data import ROW_LABELS, X, y
from core.landscape import Slice, loss_slice
from core.mlp import MLP, check_network

RATES = (0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0, 200.0, 1000.0)  # the one-step control's learning rates
REACH = 30.0  # a step that lands farther than this from θ is reported, not drawn (the curve stays readable)
CAP = 3.0  # the curve's loss axis stops at 2 × CAP (a huge loss far away would flatten the valley)
SHORT_LOSS = {"bce": "Cross-entropy", "mse": "Squared error"}  # the loss control's two choices (fit a phone)
CURVE, TANGENT = "L along θ", "tangent"  # the curve chart's two lines (legend labels)
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")  # fmt: skip


def count_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def heading(net: MLP) -> str:
    return f"Click any of the {count_word(net.n_params)} numbers"


def intro(net: MLP) -> str:
    return (
        f"Each of the network's {count_word(net.n_params)} numbers has its own share of the blame for the loss. "
        "Click a weight or a bias on the diagram to see it: the chain rule that gives its gradient, input by "
        "input; a check of that gradient by nudging the number; and the loss as a curve over that number alone, "
        "with the tangent and where one step of gradient descent lands."
    )


# ----- cached computations (core) ----------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def chain(key: tuple, index: int, loss: str) -> tuple[bl.Chain, bool]:
    """(the chain rule for parameter ``index`` of the network ``key``, is the network's ledger finite)."""
    led = bl.ledger(MLP.from_key(key), X, y, loss)
    return bl.parameter_chain(led, index), led.is_finite()


@st.cache_data(max_entries=256, show_spinner=False)
def curve(key: tuple, index: int, loss: str, lr: float) -> Slice:
    """L along parameter ``index`` alone, its tangent, central difference and one step of size lr."""
    return loss_slice(MLP.from_key(key), X, y, index, lr=lr, loss=loss, reach=REACH)


def warm(net: MLP, loss: str = "bce") -> None:
    """The section's default render (the first number, learning rate 1) through its own cached
    functions and chart layouts; for a chapter's ``warm()`` (draws nothing, touches no session)."""
    chain(net.key(), 0, loss)
    sl = curve(net.key(), 0, loss, 1.0)
    nodes, edges = diagram_columns(net)
    diagram_spec(nodes, edges, False, chosen=net.param_names()[0], clickable=True)
    slice_spec(sl, False, "")


# ----- the curve chart (also the Loss landscape chapter's) ----------------------------------------------
def _slice(present: bool) -> alt.LayerChart:
    """L along one parameter: the curve, the tangent at the current point, the point and one step."""
    s = sizes(present)
    xs = alt.Scale(domain=hole("xdom"), nice=False, zero=False)
    ys = alt.Scale(domain=hole("ydom"), nice=False, zero=False)
    x = alt.X("theta:Q", scale=xs, title=hole("name"))
    y_ = alt.Y("loss:Q", scale=ys, title="loss L")
    kind = alt.Color(
        "what:N",
        scale=alt.Scale(domain=[CURVE, TANGENT], range=["#333333", RED]),
        legend=alt.Legend(title=None, orient="bottom", columns=1 if present else 2),
    )
    line = alt.Chart(source("curve")).mark_line(strokeWidth=s["line"] - 1, clip=True).encode(
        x=x, y=y_, color=kind, strokeDash=alt.StrokeDash("what:N", scale=alt.Scale(
            domain=[CURVE, TANGENT], range=[[1, 0], [6, 4]]), legend=None),
        detail="what:N",
    )  # fmt: skip
    marks = alt.Chart(source("marks"))
    dots = marks.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1, clip=True)
    dots = dots.encode(
        x=x, y=y_,
        shape=alt.Shape("what:N", scale=alt.Scale(domain=["now", "after one step"], range=["circle", "triangle-down"]),
                        legend=None),
        fill=alt.Fill("what:N", scale=alt.Scale(domain=["now", "after one step"], range=["white", GREY]), legend=None),
        tooltip=[alt.Tooltip("what:N", title="point"), alt.Tooltip("theta:Q", title="θ", format=".3f"),
                 alt.Tooltip("loss:Q", title="loss L", format=".4f")],
    )  # fmt: skip
    return alt.layer(line, dots).properties(title=hole("title"), height=300 if present else 260, autosize=PLOT_HEIGHT)


def slice_spec(sl: Slice, present: bool, title: str) -> dict:
    """The filled curve chart of a slice: the curve (non-finite points left out), the tangent near the
    point, the point and where one step lands (left out when it is off the curve's range)."""
    fin = sl.loss[np.isfinite(sl.loss)]
    top = float(min(max(fin.max() if fin.size else 1.0, sl.loss0 if np.isfinite(sl.loss0) else 0) * 1.05, CAP * 2))
    top = max(top, 0.1)
    near = np.abs(sl.theta - sl.theta0) <= (sl.theta[-1] - sl.theta[0]) / 6
    tangent = sl.tangent(sl.theta[near])
    n, m = len(sl.theta), int(near.sum())
    data = {
        "curve": {
            "theta": np.r_[sl.theta, sl.theta[near]],
            "loss": np.r_[sl.loss, tangent],
            "what": np.array([CURVE] * n + [TANGENT] * m, dtype=object),
        },
        "marks": {
            "theta": np.array([sl.theta0, sl.step_theta]),
            "loss": np.array([sl.loss0, sl.step_loss]),
            "what": np.array(["now", "after one step"], dtype=object),
        },
    }
    holes = {
        "title": title, "name": sl.name,
        "xdom": [float(sl.theta[0]), float(sl.theta[-1])], "ydom": [0.0, top],
    }  # fmt: skip
    return chart(_slice, present, data, holes)


# ----- words (also the Loss landscape chapter's) ---------------------------------------------------------
def slice_caption(name: str, sl: Slice, others: int = 8) -> str:
    fixed = f"the other {count_word(others)} fixed"
    diff = abs(sl.slope - sl.central)
    if not np.isfinite(diff):
        return f"L as a function of {name} alone ({fixed}): at this network it is not a finite number."
    return (
        f"L as a function of {name} alone ({fixed}). At {name} = {ui.fmt(sl.theta0, 3)}: "
        f"L = {ui.fmt(sl.loss0, 4)}, and the tangent's slope dL/d{name} = {ui.fmt(sl.slope, 6)} from backpropagation. "
        f"Finite-difference check: (L(θ+ε) − L(θ−ε)) / 2ε with ε = {sl.eps:g} gives {ui.fmt(sl.central, 6)} "
        f"(they differ by {diff:.1e})."
    )


def step_words(name: str, sl: Slice) -> str:
    where = (
        "lower: the step went downhill"
        if sl.step_loss < sl.loss0
        else "higher: the step jumped past the valley"
        if sl.step_loss > sl.loss0
        else "the same"
    )
    return (
        f"One step with learning rate {sl.lr:g}: {name} ← {ui.fmt(sl.theta0, 3)} − {sl.lr:g} × {ui.fmt(sl.slope, 4)} = "
        f"{ui.fmt(sl.step_theta, 3)}, where L = {ui.fmt(sl.step_loss, 4)} — {where}."
    )


STEP_TEX = r"\theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}"


def step_tex(sl: Slice) -> str:
    """The step with its numbers: θ0 − lr × slope = where it lands (two lines: it fits a phone)."""
    return (
        rf"\begin{{aligned}}&{{{ui.tex(sl.theta0, 3)}}} - {sl.lr:g}\times({ui.tex(sl.slope, 4)}) \\"
        rf"&= {ui.tex(sl.step_theta, 3)}\end{{aligned}}"
    )


def off_view_words(sl: Slice) -> str | None:
    """What the curve cannot show about the step: it lands far off the view, or where L overflows."""
    if sl.step_shown:
        return None
    if not np.isfinite(sl.step_loss):
        return (
            f"The step lands at {sl.name} = {ui.fmt(sl.step_theta, 3)}, where the loss is too large for a computer's "
            "numbers (it overflows): the learning rate is far too large for this slope."
        )
    return (
        f"The step lands at {sl.name} = {ui.fmt(sl.step_theta, 3)}, {ui.fmt(abs(sl.step_theta - sl.theta0), 1)} "
        f"away — far off this view, which shows {sl.name} from {ui.fmt(sl.theta[0], 1)} to {ui.fmt(sl.theta[-1], 1)}. "
        f"The loss there is {ui.fmt(sl.step_loss, 4)}."
    )


def dropped_words(sl: Slice) -> str | None:
    bad = int((~np.isfinite(sl.loss)).sum())
    if not bad:
        return None
    return (
        f"{bad:,} of {len(sl.loss):,} points of the curve are left out: the loss there is too large for a computer's "
        "numbers (it overflows)."
    )


def factor_label(key: tuple, hidden: str) -> str:
    """A chain factor's name on screen, by the notes' names (x1, x2 as on the diagram)."""
    field, k = key
    return {
        "err": "a2 − y",
        "sp2": "σ'(z2)",
        "dz2": "dz2",
        "a1": f"a1[{k}]",
        "W2": f"W2[{k},0]",
        "fp1": f"{ACT_SYMBOL.get(hidden, hidden)}'(z1[{k}])",
        "dz1": f"dz1[{k}]",
        "X": f"x{(k or 0) + 1}",
    }[field]


def factor_tex(key: tuple, hidden: str) -> str:
    """A chain factor in LaTeX; a number that differs from input to input carries ^{(n)}."""
    field, k = key
    act = {"sigmoid": r"\sigma"}.get(hidden, r"\mathrm{" + ACT_SYMBOL.get(hidden, hidden) + "}")
    return {
        "err": r"(\mathrm{a2}^{(n)} - y^{(n)})",
        "sp2": r"\sigma'(\mathrm{z2}^{(n)})",
        "dz2": r"\mathrm{dz2}^{(n)}",
        "a1": rf"\mathrm{{a1}}[{k}]^{{(n)}}",
        "W2": rf"\mathrm{{W2}}[{k},0]",
        "fp1": rf"{act}'(\mathrm{{z1}}[{k}]^{{(n)}})",
        "dz1": rf"\mathrm{{dz1}}[{k}]^{{(n)}}",
        "X": rf"x_{{{(k or 0) + 1}}}^{{(n)}}",
    }[field]


def _tex_name(name: str) -> str:
    return r"\mathrm{" + name + "}"


def chain_columns(c: bl.Chain) -> list[tuple]:
    """The table's columns in reading order: dz2's parts, dz2, then the other factors (dz1[j] after the
    three that make it, for a hidden neuron's numbers), each a Chain key."""
    cols = list(c.dz2_parts) + [("dz2", None)]
    for k in c.factors[1:]:
        cols.append(k)
        if k[0] == "fp1":
            cols.append(("dz1", k[1]))
    return cols


def _lines(parts: list[str], per_line: int) -> str:
    """Factors joined by ·, ``per_line`` to a line of an aligned block (a phone's screen is narrow)."""
    rows = [r" \cdot ".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line)]
    return r" \\ &\quad \cdot ".join(rows)


def chain_tex(c: bl.Chain, hidden: str) -> str:
    """∂L/∂θ = (1/N) Σₙ ∂ℓ⁽ⁿ⁾/∂θ, and ∂ℓ⁽ⁿ⁾/∂θ = the product of the factors: numbers per input, so every
    grouping is shape-valid. Short lines (two factors each) so it fits a phone."""
    theta = _tex_name(c.name)
    each = rf"\frac{{\partial \ell^{{(n)}}}}{{\partial\,{theta}}}"
    dz2 = _lines([factor_tex(k, hidden) for k in c.dz2_parts], 1)
    return (
        r"\begin{aligned}"
        rf"\frac{{\partial L}}{{\partial\,{theta}}} &= \frac{{1}}{{N}} \sum_{{n=1}}^{{N}} {each} \\"
        rf"{each} &= {_lines([factor_tex(k, hidden) for k in c.factors], 2)} \\"
        rf"\mathrm{{dz2}}^{{(n)}} &= {dz2}"
        r"\end{aligned}"
    )


def chain_numbers_tex(c: bl.Chain, name: str, present: bool = False) -> str:
    """The average written out with this network's four products, two to a line (one when projected)."""
    terms = [f"({ui.tex_sci(v + 0.0)})" for v in c.product]  # + 0.0: an exact −0 product reads 0
    per = 1 if present else 2
    rows = [" + ".join(terms[i : i + per]) for i in range(0, len(terms), per)]
    body = r" \\ &\quad + ".join(rows)
    n = len(c.product)
    return (
        rf"\begin{{aligned}}\frac{{\partial L}}{{\partial\,{_tex_name(name)}}} &= \tfrac{{1}}{{{n}}}\big[{body}\big]"
        rf" \\ &= {ui.tex(c.mean, 6)}\end{{aligned}}"
    )


def chain_table(c: bl.Chain, hidden: str, present: bool = False) -> tuple:
    """(Arrow table: a row per input, its factors and their product; its formats). The average of the
    products, dL/dθ, is written under it (``chain_numbers_tex``): an average row would leave the factor
    columns empty, as the factors' own averages mean nothing here. Projected, numbers keep 3 significant
    digits (4 otherwise), so the table's eight columns fit a phone whole."""
    cols = chain_columns(c)
    data = {factor_label(k, hidden): c.values[k] for k in cols}
    product = " · ".join(factor_label(k, hidden) for k in c.factors)
    data[f"{product} (this input's dL/d{c.name})"] = c.product
    table = rows_table(data, list(ROW_LABELS[: len(c.product)]))
    return table, {k: st.column_config.NumberColumn(format="%.3g" if present else "%.4g") for k in data}


def fd_tex(sl: Slice) -> str:
    """The central difference with its two losses, one step to a line."""
    return (
        r"\begin{aligned}&\frac{L(\theta+\varepsilon) - L(\theta-\varepsilon)}{2\varepsilon} \\"
        rf"&= \frac{{{ui.tex(sl.loss_plus, 8)} - {ui.tex(sl.loss_minus, 8)}}}{{2 \times {sl.eps:g}}} \\"
        rf"&= {ui.tex(sl.central, 6)}\end{{aligned}}"
    )


# ----- controls -------------------------------------------------------------------------------------------
def _counter(prefix: str) -> str:
    return f"_{prefix}_theta_clicks"


def _message(prefix: str) -> str:
    return f"_{prefix}_theta_msg"


def _clicked(prefix: str, chart_key: str, names: list[str]) -> None:
    """The diagram's click (its selection state), before the rerun: select that parameter."""
    name = take_pick(st.session_state.get(chart_key), _counter(prefix), "pname")
    if name is None:
        return
    if name in names:
        st.session_state[f"{prefix}_theta"] = name
        st.session_state.pop(_message(prefix), None)
    else:
        st.session_state[_message(prefix)] = "That click did not land on a weight or a bias: click a line or a bias."


def choose(where, names: list[str], prefix: str) -> int:
    """The parameter θ (key ``<prefix>_theta``, its URL parameter), as an index into ``names``."""
    name = ui.linked(
        where.selectbox,
        "…or choose a parameter",
        names,
        index=0,
        key=f"{prefix}_theta",
        help="The same as clicking its line or its bias on the diagram.",
    )
    return names.index(name) if name in names else 0


def rate(where, prefix: str) -> float:
    return float(
        ui.linked(
            where.select_slider,
            "Learning rate for one step",
            RATES,
            value=1.0,
            key=f"{prefix}_tlr",
            help="One step of gradient descent moves θ by −(learning rate) × dL/dθ.",
        )
    )


def loss_choice(where, prefix: str) -> str:
    return ui.linked(
        where.segmented_control,
        "Loss",
        list(LOSS_NAMES)[:2],
        default="bce",
        required=True,
        format_func=SHORT_LOSS.get,
        key=f"{prefix}_tloss",
        help="Binary cross-entropy is the notes' loss: dz2 = a2 − y. Mean squared error adds the factor σ'(z2).",
    )


# ----- the section ----------------------------------------------------------------------------------------
@st.fragment
def section(net: MLP, present: bool, prefix: str, loss: str | None = None) -> None:
    """The clickable diagram of ``net`` and everything about the chosen parameter. ``loss``: the page's
    own loss (Backpropagation), or None for a loss control here. Widget keys start with ``prefix``."""
    if problem := check_network(net):
        st.info(f"Clicking a number needs a network this page can read: {problem}.", icon=":material/info:")
        return
    names = net.param_names()
    pick, side = ui.columns([3, 2], present)
    k = choose(side, names, prefix)
    lr = rate(side, prefix)
    if loss is None:
        loss = loss_choice(side, prefix)
    name = names[k]
    nodes, edges = diagram_columns(net)
    chart_key = click_key(f"{prefix}_dg", _counter(prefix))
    with pick:
        draw(
            diagram_spec(nodes, edges, present, chosen=name, clickable=True),
            f"{diagram_text(nodes, edges)} The chosen number is {name}.",
            key=chart_key,
            on_select=partial(_clicked, prefix, chart_key, names),
            selection_mode=CLICK,
        )
        if msg := st.session_state.get(_message(prefix)):
            st.warning(msg, icon=":material/warning:")
        st.caption(
            f"Click a line (a weight) or the number under a neuron (its bias) to choose it; the orange band "
            f"marks {name}."
        )
    c, finite = chain(net.key(), k, loss)
    sl = curve(net.key(), k, loss, lr)
    with side:
        st.metric(f"{name} now", ui.fmt(sl.theta0, 4))
        st.metric(f"dL/d{name} ({LOSS_NAMES[loss].lower()})", ui.fmt(c.mean, 6))
    if not finite or not np.isfinite(sl.loss0):
        st.warning(
            "This network's numbers overflow (its loss or its gradients are not finite numbers), so the chain rule "
            "and the curve cannot be shown. Pick another network in the side panel.",
            icon=":material/warning:",
        )
        return
    st.subheader(f"The chain rule for {name}, input by input")
    st.latex(chain_tex(c, net.hidden))
    table, formats = chain_table(c, net.hidden, present)
    ui.table(table, formats, key=f"{prefix}_t_chain")
    st.caption(
        "Each row is one XOR input: its numbers from the forward and backward pass, and their product. "
        "The average of the four products is the gradient backpropagation gives:"
    )
    st.latex(chain_numbers_tex(c, name, present))
    st.subheader("Check it: a finite difference")
    st.latex(fd_tex(sl))
    st.markdown(
        f"Backpropagation gave {ui.fmt(sl.slope, 6)}; nudging {name} by ε = {sl.eps:g} each way gives "
        f"{ui.fmt(sl.central, 6)} — they differ by {abs(sl.slope - sl.central):.1e}."
    )
    st.subheader(f"L along {name} alone, and one step")
    others = len(names) - 1
    curve_box, words = ui.columns([3, 2], present)
    with curve_box:
        draw(
            # projected, the short title fits a phone; the caption says the other numbers stay fixed
            slice_spec(sl, present, f"L along {name}" + ("" if present else f", the other {count_word(others)} fixed")),
            slice_caption(name, sl, others),
            key=f"{prefix}_slice",
        )
        for note in (dropped_words(sl), off_view_words(sl)):
            if note:
                st.warning(note, icon=":material/warning:")
    with words:
        st.latex(STEP_TEX)
        st.latex(step_tex(sl))
        st.markdown(step_words(name, sl))
        st.caption(
            "Dashed red: the tangent, whose slope is dL/dθ. White circle: now; grey triangle: after one step "
            "(the other numbers held still)."
        )
