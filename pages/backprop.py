"""Backpropagation: the chain rule, the notes' backward pass as a live ledger, BCE vs MSE, a
gradient check and one gradient-descent step — all for the current network on the four XOR inputs."""

import numpy as np
import pandas as pd
import streamlit as st

from app import backprop_charts as bc
from app import ui
from app.state import network_caption, network_control
from core import backprop_ledger as bl
from core.activations import get_activation
from core.data import ROW_LABELS, X, y
from core.gradcheck import gradient_check
from core.losses import LOSSES
from core.mlp import MLP

F_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "linear": "id"}
F_PRIME_TEX = {  # f'(z1) written with the notes' names
    "sigmoid": r"a_1 \odot (1 - a_1)",
    "tanh": r"1 - a_1^{2}",
    "relu": r"\mathbb{1}[z_1 > 0]",
    "leaky_relu": r"\begin{cases}1 & z_1 > 0\\ 0.01 & z_1 \le 0\end{cases}",
    "linear": r"1",
}
STEP_TITLES = {
    "dz2": "Compute error",
    "dW2": "Update W2",
    "db2": "Update b2",
    "dz1": "Pass error back (chain rule!)",
    "dW1": "Update W1",
    "db1": "Update b1",
}


@st.cache_data(max_entries=64, show_spinner=False)
def cached_ledger(params: dict, hidden: str, loss: str) -> bl.Ledger:
    return bl.ledger(MLP.from_dict(params, hidden), X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_gradcheck(params: dict, hidden: str, loss: str):
    return gradient_check(MLP.from_dict(params, hidden), X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_comparison(params: dict, hidden: str) -> bl.LossComparison:
    return bl.compare_losses(MLP.from_dict(params, hidden), X, y)


def f(v: float, d: int = 4) -> str:
    return ui.fmt(v, d)


# ----- header, network, loss ----------------------------------------------------------------------
net = network_control()
ui.page_header(
    "Backpropagation",
    "How the network finds out which way to move each of its numbers: the **chain rule**, applied "
    "layer by layer, **backwards**. Every number below is computed live for the current network on "
    "the four XOR inputs (the full batch, N = 4).",
)
st.markdown(network_caption(net))
try:
    bl.check_network(net)
except ValueError as e:
    st.warning(f"This page explains networks with one hidden layer and one sigmoid output: {e}.")
    st.stop()

# Presenter mode: a projector's first screen holds both controls in one row, then the chain rule
# with the chosen step (left) beside that step's live numbers (right); normally they run down the page.
PRESENT = ui.presenter()
if PRESENT:
    st.header("1 · The chain rule, backwards")
    side, step_box = st.columns([21, 19], gap="small")
    body, numbers = st.columns([3, 2], gap="large")
else:
    side = step_box = st.container()
with side:
    loss = st.segmented_control(
        "Loss",
        ["bce", "mse"],
        default="bce",
        required=True,
        format_func=lambda k: {"bce": "Binary cross-entropy (BCE)", "mse": "Mean squared error (MSE)"}[k],
        key="bp_loss",
        bind="query-params",
        persist_state="session",
        help="BCE is the loss the notes use: with it, dz2 = a2 − y. MSE adds the factor σ'(z2).",
    )
    loss = loss or "bce"  # an empty URL parameter (?bp_loss=) clears even a required control
params = net.to_dict()
led = cached_ledger(params, net.hidden, loss)
if not led.is_finite():
    st.error("The backward pass produced an infinite or undefined number for this network, so nothing is shown.")
    st.stop()
N, h = led.N, led.width
fsym = F_SYMBOL.get(net.hidden, net.hidden)
act = get_activation(net.hidden)
dz2_tex = r"a_2 - y" if loss == "bce" else r"(a_2 - y) \odot \sigma'(z_2)"
side.caption(
    f"Loss: {LOSSES[loss]} = {f(led.loss, 4)}. Hidden activation: {act.label}, so the backward pass uses "
    f"f'(z1) = {'a1·(1 − a1), the notes’ σ′' if net.hidden == 'sigmoid' else act.label + '′'}."
    + ("" if h == 2 else f" This network has {h} hidden neurons, so h = {h} in every shape below.")
)

# ----- 1. chain rule and the summary diagram ------------------------------------------------------
NEED = "**To update hidden layer weights, we need dL/dW1.** The chain rule says:"
CHAIN = "If y = f(g(x)), then dy/dx = dy/dg × dg/dx. Our network: Input (x) → Hidden (h) → Output (y) → Loss (L)."
if not PRESENT:
    st.header("1 · The chain rule, backwards")
    body = step_box = st.container()
with body:
    if not PRESENT:
        st.markdown(CHAIN)
        st.markdown(NEED)
    chain_slot = st.container()  # filled below, once the step is known
    step = step_box.segmented_control(
        "Step explained",
        list(bl.STEPS),
        default="dz2",
        required=True,
        key="bp_step",
        bind="query-params",
        persist_state="session",
        help="Highlights this step in the diagram and in the ledger below.",
    )
    step = step or "dz2"
    k = bl.STEPS.index(step)
    HL = r"\colorbox{#fde9c8}{$\displaystyle "
    on = {"dz2": 1, "dW2": 1, "db2": 1, "dz1": 2, "db1": 2, "dW1": 3}[step]  # factors this step computes

    def factor(i: int, body: str) -> str:
        return (HL + body + "$}") if i < on else body

    with chain_slot:
        st.latex(
            r"\frac{\partial L}{\partial W_1} = "
            + factor(0, r"\underbrace{\frac{\partial L}{\partial y}}_{\substack{\text{output}\\\text{gradient}}}")
            + r"\times"
            + factor(1, r"\underbrace{\frac{\partial y}{\partial h}}_{\substack{\text{hidden}\\\text{gradient}}}")
            + r"\times"
            + factor(2, r"\underbrace{\frac{\partial h}{\partial W_1}}_{\substack{\text{local}\\\text{gradient}}}")
        )
        st.latex(
            r"dW_1 = \underbrace{X^{\top}}_{\text{local}} @ \big(\underbrace{dz_2}_{\text{output}} @ "
            r"\underbrace{W_2^{\top} \odot f'(z_1)}_{\text{hidden}}\big) / N"
        )
    what = {
        "dz2": "It computes the **output gradient** (shaded).",
        "dW2": "It takes the **output gradient** (shaded) times its own local gradient a1ᵀ: the update for W2.",
        "db2": "It takes the **output gradient** (shaded) times its own local gradient 1: the update for b2.",
        "dz1": "It computes the output gradient times the **hidden gradient** (shaded).",
        "dW1": "It is the whole product: **all three factors** (shaded).",
        "db1": "It takes the output and hidden gradients (shaded) times the local gradient 1: the update for b1.",
    }[step]
    st.markdown(f"**Step {k + 1} of 6 — {step}: {STEP_TITLES[step]}.** {what}")

    def d(a: str, b: str) -> str:
        return rf"\frac{{\partial {a}}}{{\partial {b}}}"

    L1 = {  # first line: the chain rule for this step; second line: what the local factor is
        "dz2": (d("L", "z_2"), d("L", "a_2") + r"\cdot" + d("a_2", "z_2")),
        "dW2": (d("L", "W_2"), d("L", "z_2") + r"\cdot" + d("z_2", "W_2")),
        "db2": (d("L", "b_2"), d("L", "z_2") + r"\cdot" + d("z_2", "b_2")),
        "dz1": (d("L", "z_1"), d("L", "z_2") + r"\cdot" + d("z_2", "a_1") + r"\cdot" + d("a_1", "z_1")),
        "dW1": (d("L", "W_1"), d("L", "z_1") + r"\cdot" + d("z_1", "W_1")),
        "db1": (d("L", "b_1"), d("L", "z_1") + r"\cdot" + d("z_1", "b_1")),
    }[step]
    L2 = {
        "dz2": r"\frac{a_2 - y}{a_2(1-a_2)}\cdot a_2(1-a_2) = a_2 - y"
        if loss == "bce"
        else r"(a_2 - y)\cdot a_2(1 - a_2)",
        "dW2": r"a_1^{\top}\, dz_2 / N \quad\text{since } z_2 = a_1 W_2 + b_2",
        "db2": r"\textstyle\sum_n dz_2[n] \cdot 1 / N",
        "dz1": r"(dz_2\, W_2^{\top}) \odot f'(z_1)",
        "dW1": r"X^{\top} dz_1 / N \quad\text{since } z_1 = X W_1 + b_1",
        "db1": r"\textstyle\sum_n dz_1[n] \cdot 1 / N",
    }[step]
    st.latex(r"\begin{aligned}" + L1[0] + " &= " + L1[1] + r" \\ &= " + L2 + r"\end{aligned}")
tips = {
    "dz2": "dz2 = " + ", ".join(f(v, 3) for v in led.dz2[:, 0]),
    "dW2": "dW2 = " + ", ".join(f(v, 4) for v in led.dW2[:, 0]),
    "db2": "db2 = " + f(led.db2[0, 0], 4),
    "dW1": "dW1 = " + ", ".join(f(v, 4) for v in led.dW1.ravel()),
    "db1": "db1 = " + ", ".join(f(v, 4) for v in led.db1.ravel()),
    "L": f"{LOSSES[loss]} = {f(led.loss, 4)}",
    "a2": "a2 = " + ", ".join(f(v, 3) for v in led.a2[:, 0]),
}
if PRESENT:
    hs_, ins_ = bc.hidden_names(h), bc.input_names(X.shape[1])
    value, rows_, cols_ = {
        "dz2": (led.dz2, ROW_LABELS, ["dz2"]),
        "dW2": (led.dW2, [f"{x} → out" for x in hs_], ["dW2"]),
        "db2": (led.db2, ["b2"], ["db2"]),
        "dz1": (led.dz1, ROW_LABELS, [f"dz1 {x}" for x in hs_]),
        "dW1": (led.dW1, ins_, [f"dW1 → {x}" for x in hs_]),
        "db1": (led.db1, ["b1"], [f"db1 {x}" for x in hs_]),
    }[step]
    with numbers:
        st.markdown(f"**{step}** for this network — {STEP_TITLES[step]}")
        ui.show_matrix(value, rows_, cols_, digits=4)
    st.markdown(CHAIN + " " + NEED.replace(" The chain rule says:", ""))
with st.container():
    st.graphviz_chart(bc.summary_dot(step, fsym, loss, tips), width="content")
    st.caption(
        f"The notes' visual summary. Forward pass down the left, backward pass back up the right. "
        f"Highlighted: **{step}** ({STEP_TITLES[step]}); dashed arrows show what it reads from the forward pass."
    )


# ----- what it means (live) -----------------------------------------------------------------------
def what_it_means(s: str) -> str:
    n = bl.biggest_push(led)
    if s == "dz2":
        intro = (
            "For binary cross-entropy with a sigmoid output the maths works out beautifully: "
            "**dz2 = a2 − y**, the derivative of the loss with respect to the output's pre-activation z2. "
            if loss == "bce"
            else "With mean squared error the sigmoid's slope does not cancel: **dz2 = (a2 − y)·σ'(z2)**. "
        )
        return (
            intro + "If predicted 0.9 but true is 1 → −0.1 (should increase); if predicted 0.1 but true is 0 "
            f"→ +0.1 (should decrease). Live: the biggest push comes from **{ROW_LABELS[n]}**: a2 = "
            f"{f(led.a2[n, 0])}, y = {int(led.y[n, 0])}, dz2 = {f(led.dz2[n, 0])} — "
            f"“{bl.dz2_words(led.a2[n, 0], led.y[n, 0])}”"
        )
    if s == "dW2":
        o = bl.off_neuron_example(led)
        text = (
            "dz2/dW2 = a1ᵀ — this is why a1.T appears. *How much did each hidden neuron contribute to the "
            "error?* High activation and high error → big gradient; a neuron that was **off** (low "
            "activation) → small gradient: it wasn't involved. "
        )
        if o is None:
            return text + (
                "Live: no input has one hidden neuron clearly on (a1 ≥ 0.5) and another off (a1 < 0.1) here, "
                "so the hidden neurons share the errors more evenly — see the a1 columns in the dW2 table."
            )
        return text + (
            f"Live: for **{ROW_LABELS[o.n]}** (dz2 = {f(o.dz2)}), h{o.on + 1} was on (a1 = {f(o.a_on, 3)}) and "
            f"adds a1·dz2/N = {bc.num(o.share_on)} to dW2[{o.on}]; h{o.off + 1} was off (a1 = {f(o.a_off, 4)}) "
            f"and adds only {bc.num(o.share_off)}."
        )
    if s == "db2":
        return (
            "A bias is a weight on an input that is always 1, so db2 is just the average of dz2: "
            f"({' + '.join(f(v) for v in led.dz2[:, 0])}) / {N} = {f(led.db2[0, 0])}. "
            + (
                "Positive: gradient descent lowers b2, pulling every output down."
                if led.db2[0, 0] > 0
                else "Negative: gradient descent raises b2, pushing every output up."
            )
        )
    if s == "dz1":
        sat = bl.saturated_hidden(led)
        live = (
            "Live: "
            + "; ".join(f"h{j + 1} for {ROW_LABELS[m]} has f'(z1) = {bc.num(v)}" for m, j, v in sat)
            + f" — below 1 % of its peak {act.peak:g}: whatever error arrives there is multiplied by almost "
            "nothing (the vanishing gradient)."
            if sat
            else "Live: no hidden neuron is saturated (f'(z1) below 1 % of its peak) for any input."
        )
        return (
            "Pass the error back. Each hidden neuron j receives dz2 · W2[j] — its share of the blame, in "
            f"proportion to its outgoing weight — multiplied by f'(z1), the slope of its activation "
            f"({'σ′ = a1·(1 − a1), at most 0.25' if net.hidden == 'sigmoid' else act.label + '′'}). "
            "When a neuron is saturated (output near 0 or 1), its gradient is tiny. " + live + " "
            "This is backprop's genius: hidden layers get error signals from the output."
        )
    if s == "dW1":
        zero_rows = [ROW_LABELS[m] for m in range(N) if np.all(led.dW1_terms[m] == 0)]
        return (
            "Exact same logic as dW2, but one layer earlier: *how much did each input contribute to the hidden "
            "layer errors?* An input that is 0 contributes nothing to its row of dW1. "
            + (f"Live: {', '.join(zero_rows)} adds exactly 0 to every entry of dW1. " if zero_rows else "")
            + f"The largest entry is dW1 = {f(led.dW1.flat[np.argmax(np.abs(led.dW1))])}."
        )
    return (
        "The average of dz1 over the four inputs, one number per hidden neuron: "
        + ", ".join(f"db1[{j}] = {f(led.db1[0, j])}" for j in range(h))
        + "."
    )


st.info(what_it_means(step), icon=":material/lightbulb:")

# ----- 2. one example ----------------------------------------------------------------------------
st.header("2 · One example")
row = st.segmented_control(
    "Input",
    list(range(N)),
    default=2,
    required=True,
    format_func=ROW_LABELS.__getitem__,
    key="bp_row",
    bind="query-params",
    persist_state="session",
    help="One of the four XOR inputs; its row is highlighted in every table below.",
)
row = 2 if row is None else row
a2n, yn, dz2n = float(led.a2[row, 0]), float(led.y[row, 0]), float(led.dz2[row, 0])
ex1, ex2 = st.columns(2, gap="large")
with ex1:
    st.markdown(f"**Input {ROW_LABELS[row]}, true output {int(yn)}. Predicted: {f(a2n)}.**")
    if loss == "bce":
        st.latex(rf"dz_2 = a_2 - y = {ui.tex(a2n, 4)} - {int(yn)} = {ui.tex(dz2n, 4)}")
    else:
        sp = float(led.sp2[row, 0])
        st.latex(
            rf"dz_2 = (a_2 - y)\,\sigma'(z_2) = ({ui.tex(a2n, 4)} - {int(yn)}) \times {ui.tex(sp, 4)}"
            rf" = {ui.tex(dz2n, 4)}"
        )
    st.markdown(f"This means: “**{bl.dz2_words(a2n, yn)}**”")
    if bl.misclassified(a2n, yn):
        st.markdown("The output is on the wrong side of 0.5: this input is misclassified.")
    st.markdown("Passed back, each hidden neuron gets dz2 × W2[j] × f'(z1):")
    lines = [
        rf"h_{j + 1}\!:\ {ui.tex(dz2n, 4)} \times {ui.tex(led.W2[j, 0], 2)} \times {ui.tex(led.fp1[row, j], 4)}"
        rf" = {ui.tex(led.dz1[row, j], 4)}"
        for j in range(min(h, 4))
    ]
    st.latex(r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}")
    if h > 4:
        st.caption(f"(first 4 of {h} hidden neurons; every one is in the dz1 table below)")
with ex2:
    zled = cached_ledger(bl.zero_network(net).to_dict(), net.hidden, "bce")
    n10 = 2  # the notes' example input [1 0]
    st.markdown("**The notes' one-iteration example is an untrained network.**")
    st.markdown(
        "The notes: *Input [1, 0], true output 1. Predicted: 0.5 (initially). dz2 = 0.5 − 1.0 = −0.5.* "
        "An output of exactly 0.5 is what a network with **every weight and bias 0** gives, since σ(0) = 0.5. Computed:"
    )
    st.latex(
        rf"\begin{{aligned}} a_2 &= \sigma(0) = {ui.tex(zled.a2[n10, 0], 4)} \\ "
        rf"dz_2 &= {ui.tex(zled.a2[n10, 0], 4)} - 1 = {ui.tex(zled.dz2[n10, 0], 4)} \end{{aligned}}"
    )
    biggest = max(float(np.max(np.abs(g))) for g in (zled.dW2, zled.db2, zled.dW1, zled.db1))
    st.markdown(
        f"“{bl.dz2_words(zled.a2[n10, 0], zled.y[n10, 0])}” — the notes' sentence, computed. "
        f"But W2 = 0 passes no error back (largest |dW1| = {f(np.max(np.abs(zled.dW1)))}), and "
        + (
            "**every gradient is exactly 0** here: the four errors "
            f"({', '.join(f(v, 1) for v in zled.dz2[:, 0])}) cancel, so gradient descent could never leave this "
            "point — one more reason training starts from random weights."
            if biggest == 0
            else f"the largest gradient is only {bc.num(biggest)}."
        )
    )
    st.markdown(
        f"The current network predicts **{f(led.a2[n10, 0])}** for [1 0] "
        f"(dz2 = {f(led.dz2[n10, 0])}: {bl.dz2_words(led.a2[n10, 0], led.y[n10, 0])})"
    )

# ----- 3. the ledger ------------------------------------------------------------------------------
st.header("3 · The backward pass, line by line")
st.markdown(
    "The notes' code, in its order, with this network's numbers. Each gradient is a sum over the four inputs, "
    "so every table shows **what each input adds** (already divided by N = "
    f"{N}); the last row, **sum = …**, is the gradient itself. The row marked ▶ is the input picked in section 2."
)
hl = ROW_LABELS[row]
hs = bc.hidden_names(h)
ins = bc.input_names(X.shape[1])


def entry(name: str, formula: str, shape: str, shapes: str = ""):
    """A bordered ledger entry: number, name, the notes' caption, shape, formula."""
    box = st.container(border=True)
    mark = "  :orange-badge[explained above]" if name == step else ""
    how = f" — {shapes}" if shapes else ""
    box.markdown(f"**{bl.STEPS.index(name) + 1} · {name}** — {STEP_TITLES[name]} · shape **{shape}**{how}{mark}")
    box.latex(formula)
    return box


with entry("dz2", r"dz_2 = " + dz2_tex, f"{N}×1"):
    bc.show(bc.dz2_frame(led, ROW_LABELS), "bp_t_dz2", hl)
with entry("dW2", r"dW_2 = a_1^{\top} @ dz_2 / N", f"{h}×1", f"({h}×{N}) @ ({N}×1)"):
    c1, c2 = st.columns([2, 3])
    with c1:
        bc.show(ui.matrix_frame(led.dW2, [f"{x} → out" for x in hs], ["dW2"]), "bp_t_dW2")
    with c2:
        bc.show(bc.dW2_terms_frame(led, ROW_LABELS), "bp_t_dW2_terms", hl)
        st.caption(f"Add each of the last {h} columns down and you get dW2 (left): a1ᵀ @ dz2 / N, one input at a time.")
with entry("db2", r"db_2 = \textstyle\sum_n dz_2[n] / N", "1×1"):
    c1, c2 = st.columns([2, 3])
    with c1:
        bc.show(ui.matrix_frame(led.db2, ["b2"], ["db2"]), "bp_t_db2")
    with c2:
        bc.show(bc.db_terms_frame(led.db2_terms, led.db2, ROW_LABELS, "db2", ["dz2 ÷ N"]), "bp_t_db2_terms", hl)
with entry(
    "dz1",
    r"\begin{aligned} dz_1 &= (dz_2 @ W_2^{\top}) \odot f'(z_1) \\ f'(z_1) &= "
    + F_PRIME_TEX[net.hidden]
    + r"\end{aligned}",
    f"{N}×{h}",
    f"({N}×1) @ (1×{h}) ⊙ ({N}×{h})",
):
    st.caption(
        f"f' is the derivative of the hidden activation, {act.label}. W2ᵀ = " + ", ".join(f(v, 3) for v in led.W2[:, 0])
    )
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown("dz2 @ W2ᵀ (error passed back)")
        bc.show(
            ui.matrix_frame(led.back, ROW_LABELS, [f"dz2·W2[{j}] ({x})" for j, x in enumerate(hs)]), "bp_t_back", hl
        )
    with c2:
        st.markdown(f"× f'(z1) ({'a1·(1 − a1)' if net.hidden == 'sigmoid' else act.label + '′'})")
        bc.show(ui.matrix_frame(led.fp1, ROW_LABELS, [f"f'(z1) {x}" for x in hs]), "bp_t_fp1", hl)
    with c3:
        st.markdown("= dz1")
        bc.show(ui.matrix_frame(led.dz1, ROW_LABELS, [f"dz1 {x}" for x in hs]), "bp_t_dz1", hl)
with entry("dW1", r"dW_1 = X^{\top} @ dz_1 / N", f"{X.shape[1]}×{h}", f"({X.shape[1]}×{N}) @ ({N}×{h})"):
    c1, c2 = st.columns([2, 3])
    with c1:
        bc.show(ui.matrix_frame(led.dW1, ins, [f"dW1 → {x}" for x in hs]), "bp_t_dW1")
    with c2:
        bc.show(bc.dW1_terms_frame(led, ROW_LABELS), "bp_t_dW1_terms", hl)
with entry("db1", r"db_1 = \textstyle\sum_n dz_1[n] / N", f"1×{h}"):
    c1, c2 = st.columns([2, 3])
    with c1:
        bc.show(ui.matrix_frame(led.db1, ["b1"], [f"db1 {x}" for x in hs]), "bp_t_db1")
    with c2:
        bc.show(
            bc.db_terms_frame(led.db1_terms, led.db1, ROW_LABELS, "db1", [f"dz1 {x} ÷ N" for x in hs]),
            "bp_t_db1_terms",
            hl,
        )

st.subheader("Which input pushed which gradient")
st.vega_lite_chart(bc.contributions_spec(params, net.hidden, loss, tuple(ROW_LABELS), ui.presenter()), width="stretch")
st.caption(
    "Each bar is one input's term (the rows of the tables above); the bars of a parameter add up to its "
    "gradient. Red = positive (gradient descent will lower that number), blue = negative (it will raise it)."
)

# ----- 4. which loss ------------------------------------------------------------------------------
st.header("4 · Which loss? BCE against MSE")
cmp_ = cached_comparison(params, net.hidden)
st.markdown(
    "With **binary cross-entropy**, dz2 = a2 − y holds exactly: the loss's 1/(a2(1 − a2)) cancels the sigmoid's "
    "slope. With **mean squared error** (½(a2 − y)² per input) nothing cancels, so dz2 gains the factor "
    "**σ'(z2) = a2·(1 − a2)**, which is at most 0.25 and close to 0 when the output saturates near 0 or 1. "
    f"The page currently uses **{LOSSES[loss]}** (choose at the top)."
)
cmp_df = pd.DataFrame(
    {
        "a2": led.a2[:, 0],
        "y": led.y[:, 0],
        "a2 − y": cmp_.err[:, 0],
        "σ'(z2)": cmp_.sp2[:, 0],
        "dz2 BCE": cmp_.dz2_bce[:, 0],
        "dz2 MSE": cmp_.dz2_mse[:, 0],
        "MSE ÷ BCE": np.where(np.isnan(cmp_.ratio), cmp_.sp2, cmp_.ratio)[:, 0],
    },
    index=ROW_LABELS,
)
bc.show(cmp_df, "bp_t_loss", hl)
c1, c2 = st.columns([1, 1], gap="large")
with c1:
    m = int(np.argmin(cmp_.sp2[:, 0]))
    if cmp_.sp2[m, 0] < 0.1:
        st.markdown(
            f"Most saturated output: **{ROW_LABELS[m]}** (a2 = {f(led.a2[m, 0])}, σ'(z2) = {f(cmp_.sp2[m, 0])}): "
            f"MSE's dz2 there is only **{cmp_.sp2[m, 0]:.1%}** of BCE's."
        )
    else:
        st.markdown(
            f"No output is saturated here (every σ'(z2) ≥ 0.1), so MSE's dz2 is between "
            f"{cmp_.sp2[m, 0]:.0%} and {np.max(cmp_.sp2):.0%} of BCE's."
        )
    st.markdown(
        "Saturated outputs barely move under MSE — even when they are saturated at the *wrong* answer, "
        "where BCE still pushes with almost the full error."
    )
    exact = [ROW_LABELS[n] for n in np.flatnonzero(np.isnan(cmp_.ratio[:, 0]))]
    if exact:
        st.caption(
            f"For {', '.join(exact)} the output equals y exactly (a2 − y = 0), so MSE ÷ BCE is 0 ÷ 0, which has no "
            "value: the table shows the factor σ'(z2) itself there."
        )
with c2:
    st.vega_lite_chart(bc.sigmoid_prime_spec(led.z2, led.a2, led.y, ROW_LABELS, ui.presenter()), width="stretch")
    st.caption(
        "σ'(z2) with each input's z2 marked (red = class 1, blue = class 0). The table above has the same numbers."
    )

# ----- 5. gradient check --------------------------------------------------------------------------
st.header("5 · Is the backward pass right? A gradient check")
gc = cached_gradcheck(params, net.hidden, loss)
st.markdown(
    f"Nudge each of the {net.n_params} parameters θ by ±ε (and ±2ε), recompute the loss, and estimate the slope "
    "with the 5-point central difference (ε = 0.001); then compare with backprop's gradient."
)
st.latex(
    r"\begin{aligned}\frac{\partial L}{\partial \theta} \approx \tfrac{1}{12\,\varepsilon}\big[&-L(\theta+2\varepsilon)"
    r" + 8L(\theta+\varepsilon) \\ &- 8L(\theta-\varepsilon) + L(\theta-2\varepsilon)\big]\end{aligned}"
)
gc_df = pd.DataFrame(
    {
        "backprop (analytic)": gc.analytic,
        "central difference": gc.numeric,
        "|difference|": np.abs(gc.analytic - gc.numeric),
        "relative error": gc.rel_error,
    },
    index=gc.names,
)
if not np.all(np.isfinite(gc_df.to_numpy())):
    st.warning("Some nudged losses were infinite or undefined, so those rows are shown as “—”.")
bc.show(gc_df, "bp_t_gc")
worst = gc.max_rel_error
if worst < 1e-6:
    st.success(f"Largest relative error: {worst:.1e} — far below 10⁻⁶. The backward pass computes the true gradient.")
else:
    st.warning(
        f"Largest relative error: {worst:.1e} (at {gc.names[int(np.argmax(gc.rel_error))]}), above 10⁻⁶. "
        + (
            "With a ReLU-like activation this happens when a hidden unit sits at (or within a few ε of) its kink "
            "at z = 0, where the slope jumps: the backward pass uses the slope on one side, the finite difference "
            "averages both sides. Look for a 0 in the z1 of some input."
            if net.hidden in ("relu", "leaky_relu")
            else "Numerical rounding dominates when gradients are this tiny; compare the |difference| column."
        )
    )

# ----- 6. one gradient-descent step ---------------------------------------------------------------
st.header("6 · One step of gradient descent")
st.markdown("Move every number a little against its gradient: **W ← W − lr · dW**, **b ← b − lr · db**.")
start = bl.fingerprint(net)
walk = st.session_state.get("bp_walk")
if walk is None or walk.get("start") != start:
    walk = {"start": start, "params": net.to_dict(), "steps": 0, "last": None}
    st.session_state["bp_walk"] = walk
c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
lr = c1.number_input(
    "Learning rate lr",
    min_value=0.001,
    max_value=1000.0,
    value=0.5,
    step=0.5,
    format="%.3f",
    key="bp_lr",
    bind="query-params",
    persist_state="session",
    help="Small steps lower the loss a little; very large ones overshoot.",
)
if c2.button("Take one step", key="bp_go", type="primary", icon=":material/arrow_downward:", width="stretch"):
    cur = MLP.from_dict(walk["params"], net.hidden)
    rec, new = bl.gd_step(cur, X, y, lr, loss)
    walk["last"] = rec
    if rec.finite:
        walk["params"], walk["steps"] = new.to_dict(), walk["steps"] + 1
if c3.button("Reset", key="bp_reset", icon=":material/restart_alt:", width="stretch"):
    walk.update(params=net.to_dict(), steps=0, last=None)

rec = walk["last"]
if rec is None:
    st.caption(
        f"No step taken yet. Start: the network in the sidebar, {LOSSES[loss]} = {f(led.loss, 4)}. "
        "Press **Take one step**; each press steps again from where you are."
    )
else:
    done = walk["steps"]
    st.markdown(
        f"**Step {done}** from the starting network (learning rate {rec.lr:g}, loss: {LOSSES[rec.loss_name]}). "
        "Press again to keep stepping, or Reset to return to the network in the sidebar."
    )
    m1, m2, m3 = st.columns(3)
    m1.metric("Loss before this step", f"{rec.loss_before:.6f}")
    if rec.finite:
        m2.metric(
            "Loss after",
            f"{rec.loss_after:.6f}",
            delta=f"{rec.loss_after - rec.loss_before:+.6f}",
            delta_color="inverse",
        )
    else:
        m2.metric("Loss after", "undefined")
    m3.metric("Steps taken", done)
    if not rec.finite:
        st.error(
            "This step made some numbers infinite or undefined, so it was not applied. Use a smaller learning rate."
        )
    elif rec.improved:
        st.success(
            f"The loss went down: {rec.loss_before:.6f} → {rec.loss_after:.6f} "
            f"({(rec.loss_before - rec.loss_after) / rec.loss_before:.2%} lower)."
        )
    else:
        st.warning(
            f"This step made the loss **worse**: {rec.loss_before:.6f} → {rec.loss_after:.6f}. The gradient only "
            f"says which way is downhill *here*; a step of lr = {rec.lr:g} jumped past the valley. Try a smaller "
            "learning rate, or Reset."
        )
    c1, c2 = st.columns([3, 2], gap="large")
    with c1:
        st_df = pd.DataFrame(
            {"before": rec.before, "gradient": rec.grad, "− lr · gradient": -rec.lr * rec.grad, "after": rec.after},
            index=rec.names,
        )
        bc.show(st_df, "bp_t_step", digits={"before": "%.6f", "after": "%.6f"})
    with c2:
        out_df = pd.DataFrame(
            {"y": y[:, 0], "a2 before": rec.out_before[:, 0], "a2 after": rec.out_after[:, 0]}, index=ROW_LABELS
        )
        bc.show(out_df, "bp_t_step_out", digits="%.6f")
        st.caption("The outputs for the four inputs before and after this step.")
