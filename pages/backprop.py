"""Backpropagation: the chain rule, the notes' backward pass as a live ledger, BCE vs MSE, a
gradient check and one gradient-descent step — all for the current network on the four XOR inputs.
Numbers and tables come cached from app/backprop/run.py; each control's part of the page is a fragment."""

import streamlit as st

from app import chart, ui
from app.backprop import charts as bc
from app.backprop import run as bd
from app.backprop import text as bt
from app.names import LOSS_NAMES
from app.state import network_caption, network_control
from core import backprop_ledger as bl
from core.data import ROW_LABELS
from core.mlp import check_network

net = network_control()
WARN = bt.ICONS["warning"]
ui.page_header(
    "Backpropagation",
    "How the network finds out which way to move each of its numbers: the **chain rule**, applied "
    "layer by layer, **backwards**. Every number below is computed live for the current network on "
    "the four XOR inputs (the full batch, N = 4).",
)
st.markdown(network_caption(net))
if problem := check_network(net):
    st.warning(f"This page explains networks with one hidden layer and one sigmoid output: {problem}.", icon=WARN)
    st.stop()

# Presenter mode: a projector's first screen holds the loss beside its caption, then the chain rule
# (left) beside the step selector and that step's live numbers (right); normally all run down the page.
PRESENT = ui.presenter()
net_id = net.key()  # the caches below key on the exact network
if PRESENT:
    st.header("1 · The chain rule, backwards")
side, note = st.columns([21, 19], gap="small", vertical_alignment="center") if PRESENT else [st.container()] * 2
loss = ui.linked(
    side.segmented_control,
    "Loss",
    list(bt.LOSS_CHOICES),
    default="bce",
    required=True,
    format_func=bt.LOSS_CHOICES.get,
    key="bp_loss",
    help="BCE is the loss the notes use: with it, dz2 = a2 − y. MSE adds the factor σ'(z2).",
)
loss = loss or "bce"  # an empty URL parameter (?bp_loss=) clears even a required control
led = bd.ledger(net_id, loss)
if not led.is_finite():
    st.error(
        "The backward pass produced an infinite or undefined number for this network, so nothing is shown.",
        icon=bt.ICONS["error"],
    )
    st.stop()
note.caption(bt.loss_caption(led))
tables = bd.tables(net_id, loss)
env = bd.environment(net_id, loss)


def loss_defined() -> None:
    """L before its derivative: the mean of one loss per input, and why confident mistakes cost."""
    st.latex(bt.LOSS_TEX[led.loss_name])
    st.markdown(bt.loss_words(led))


# ----- 1. the loss, the chain rule and the summary diagram -----------------------------------------
CHAIN = (
    "**The chain rule.** If F(t) = f(g(t)), then dF/dt = f′(g(t)) · g′(t): multiply the slopes along the way. "
    "The notes draw the network as *Input (x) → Hidden (h) → Output (y) → Loss (L)*. Written with the network's "
    "own variables, every arrow is one step:"
)
NAMES = (
    "The notes' **h** is the hidden layer: its pre-activation z1 = X @ W1 + b1, then a1 = f(z1). Their **y** is "
    "the output: z2 = a1 @ W2 + b2, then a2 = σ(z2). On this page **y** always means the true label (0 or 1), "
    "ℓ is one input's loss and L their mean. **To update the hidden layer's weights we need ∂L/∂W1**; for one "
    "input, the chain rule multiplies one slope per arrow from ℓ back to W1:"
)
if PRESENT:
    with note.expander("The loss L, defined"):
        loss_defined()
else:
    st.header("1 · The loss, and the chain rule backwards")
    loss_defined()
    st.markdown(CHAIN)
    st.latex(bt.CHAIN_VARS)
    st.markdown(NAMES)


@st.fragment
def chain_rule(led: bl.Ledger) -> None:
    """Everything "Step explained" changes: the shaded factors, the step's formulas, the diagram,
    the live explanation and which ledger entry below is marked."""
    body, numbers = st.columns(2, gap="small") if PRESENT else [st.container()] * 2
    slot = body.container()  # the chain rule goes above the selector
    step = ui.linked(
        numbers.segmented_control,
        "Step explained",
        list(bl.STEPS),
        default="dz2",
        required=True,
        key="bp_step",
        help="Highlights this step in the diagram and in the ledger below.",
    )
    step = step or "dz2"
    slot.latex(bt.chain_tex(step))
    if not PRESENT:
        slot.markdown(bt.chain_words(led.hidden))
    slot.latex(bt.DW1_CHAIN)
    grouped, other = bt.chain_shapes(env)
    slot.caption(grouped + " " + other)
    body.markdown(bt.step_heading(step))
    body.latex(bt.step_tex(step, led.loss_name))
    if PRESENT:
        numbers.markdown(f"**{step}** for this network — {bt.STEP_TITLES[step]}")
        with numbers:
            ui.show_matrix(*bd.step_matrix(led, step), digits=4)
        st.markdown(CHAIN)
        st.latex(bt.CHAIN_VARS)
        st.markdown(NAMES)
        st.markdown(bt.chain_words(led.hidden, lead_in=False))
    with st.expander("σ′(z) = σ(z)·(1 − σ(z)), and ⊙"):
        st.markdown(bt.SIGMA_PRIME_WORDS)
        st.latex(bt.SIGMA_PRIME_TEX)
    fsym, tips = bt.F_SYMBOL.get(led.hidden, led.hidden), bt.diagram_tips(led)
    st.graphviz_chart(bc.summary_dot(step, fsym, led.loss_name, tips, present=PRESENT), width="content")
    st.caption(
        bt.SUMMARY_WORDS + f" Highlighted: **{step}** ({bt.STEP_TITLES[step]}); dashed arrows show what it reads "
        "from the forward pass."
    )
    st.info(bt.what_it_means(led, step), icon=":material/lightbulb:")
    st.html(bt.ledger_mark_css(step))  # marks this step's entry in section 3 without rerunning it


chain_rule(led)


# ----- 2. one example, 3. the ledger, 4. which loss (all follow the chosen input) ----------------
@st.fragment
def by_input(led: bl.Ledger, tables: dict) -> None:
    """Sections 2–4: moving the input reruns only these."""
    st.header("2 · One example")
    row = ui.linked(
        st.segmented_control,
        "Input",
        list(range(led.N)),
        default=2,
        required=True,
        format_func=ROW_LABELS.__getitem__,
        key="bp_row",
        help="One of the four XOR inputs; its row is highlighted in every table below.",
    )
    row = 2 if row is None else row
    a2n, yn = float(led.a2[row, 0]), float(led.y[row, 0])
    ex1, ex2 = st.columns(2, gap="large") if not PRESENT else [st.container()] * 2  # stacked: larger maths
    with ex1:
        st.markdown(f"**Input {ROW_LABELS[row]}, true output {int(yn)}. Predicted: {ui.fmt(a2n, 4)}.**")
        st.latex(bt.example_dz2_tex(led, row))
        st.markdown(f"This means: “**{bl.dz2_words(a2n, yn)}**”")
        if bl.misclassified(a2n, yn):
            st.markdown("The output is on the wrong side of 0.5: this input is misclassified.")
    with ex2:
        st.markdown("Passed back, each hidden neuron gets dz2 · W2[j] · f'(z1):")
        st.latex(bt.example_dz1_tex(led, row, narrow=PRESENT))
        if led.width > 4:
            st.caption(f"(first 4 of {led.width} hidden neurons; every one is in the dz1 table below)")

    st.subheader("The notes' example: “Predicted: 0.5 (initially)”")
    zled, n10 = bd.zero_ledger(net), 2  # the notes' example input [1 0]
    small, twin = bd.starts(tuple(net.sizes), net.hidden)
    st.markdown(
        "The notes: *Input [1, 0], true output 1. Predicted: 0.5 (initially). dz2 = 0.5 − 1.0 = −0.5.* That is an "
        "untrained network — and two very different untrained networks print about 0.5. "
        + bt.current_prediction(led, n10)
    )
    s1, s2 = st.columns(2, gap="large")
    s1.markdown(bt.small_start_words(small, n10))
    with s2:
        st.markdown(bt.zero_start_words(zled, n10))
        st.latex(bt.zero_network_tex(zled, n10))
    st.markdown(bt.twin_start_words(twin))

    st.header("3 · The backward pass, line by line")
    checks, (notes_dW1, code_dW1) = bd.audit(net_id, loss)
    st.markdown(
        "The notes' code, in its order, with this network's numbers. Each gradient is a sum over the four inputs, "
        f"so every table shows **what each input adds** (already divided by N = {led.N}); the last row, **sum = …**, "
        "is the gradient itself. The row marked ▶ is the input picked in section 2. "
        + bt.shape_comments_words(checks, led)
    )

    def show(name: str, mark: bool = True) -> None:
        bd.show(tables[name], f"bp_t_{name}", ROW_LABELS[row] if mark else None)

    for name in bl.STEPS:  # bordered entries, keyed so the step fragment's CSS can mark one
        with st.container(border=True, key=f"bp_entry_{name}"):
            st.markdown(bt.ledger_heading(led, name, env))
            st.latex(bt.ledger_tex(led, name))
            if name == "dz2":
                show("dz2")
            elif name == "dz1":
                st.caption(bt.dz1_caption(led))
                for col, title, part in zip(st.columns(3), bt.dz1_titles(led.hidden), ("back", "fp1", "dz1")):
                    col.markdown(title)
                    with col:
                        show(part)
            else:
                c1, c2 = st.columns([2, 3])
                with c1:
                    show(name, mark=False)
                with c2:
                    show(f"{name}_terms")
                    if name == "dW2":
                        st.caption(bt.dW2_caption(led))
                if name in ("db2", "db1"):
                    st.caption(bt.BIAS_SUM_WORDS[name])
                if name == "dW2":
                    st.markdown(bt.full_gradient_words(checks["dW2_full"]))
                if name == "dW1":
                    st.markdown(bt.transpose_words(checks["dW1_step4"], notes_dW1, code_dW1))
                    d1, d2 = st.columns(2)
                    hs, ins = bd.hidden_names(led.width), bd.input_names(led.X.shape[1])
                    with d1:
                        st.markdown("The notes' dz1ᵀ @ X / N")
                        # read as W1's gradient when the shapes allow it (rows x, columns h), else as it is
                        same = notes_dW1.shape == code_dW1.shape
                        rows, cols = (ins, hs) if same else (hs, ins)
                        ui.show_matrix(notes_dW1, rows, cols, digits=6, key="bp_t_notes_dW1")
                    with d2:
                        st.markdown("dW1 = Xᵀ @ dz1 / N (the code)")
                        ui.show_matrix(code_dW1, ins, hs, digits=6, key="bp_t_code_dW1")

    st.subheader("Which input pushed which gradient")
    terms = bc.contributions_data(led)
    chart.draw(bc.contributions_spec(terms, PRESENT), bt.contributions_description(terms))
    st.caption(
        "Each bar is one input's term (the rows of the tables above); the bars of a parameter add up to its "
        "gradient. Red = positive (gradient descent will lower that number), blue = negative (it will raise it)."
    )

    st.header("4 · Which loss? BCE against MSE")
    cmp_ = bd.comparison(net_id)
    st.markdown(
        "With **binary cross-entropy**, dz2 = a2 − y holds exactly: the loss's 1/(a2(1 − a2)) cancels the sigmoid's "
        "slope. With **mean squared error** (½(a2 − y)² per input) nothing cancels, so dz2 gains the factor "
        "**σ'(z2) = a2·(1 − a2)**, which is at most 0.25 and close to 0 when the output saturates near 0 or 1. "
        f"The page currently uses **{LOSS_NAMES[led.loss_name]}** (choose at the top)."
    )
    show("loss")
    c1, c2 = st.columns([1, 1], gap="large")
    with c1:
        st.markdown(bt.saturation_words(led, cmp_))
        st.markdown(
            "Saturated outputs barely move under MSE — even when they are saturated at the *wrong* answer, "
            "where BCE still pushes with almost the full error."
        )
        if exact := bt.exact_caption(cmp_):
            st.caption(exact)
    with c2:
        slopes = bc.sigmoid_prime_data(led)
        chart.draw(bc.sigmoid_prime_spec(slopes, PRESENT), bt.sigmoid_prime_description(slopes["points"]))
        st.caption(
            "σ'(z2) with each input's z2 marked (red = class 1, blue = class 0). The table above has the same numbers."
        )


by_input(led, tables)

# ----- 5. gradient check --------------------------------------------------------------------------
st.header("5 · Is the backward pass right? A gradient check")
gc = bd.gradcheck(net_id, loss)
st.markdown(bt.gradcheck_lead(net.n_params))
st.latex(bt.GRADCHECK_CENTRAL)
with st.expander("The table's numbers: the 5-point rule"):
    st.markdown(bt.gradcheck_detail(bd.gradcheck_central(net_id, loss), gc))
    st.latex(bt.GRADCHECK_TEX)
if not bd.gradcheck_finite(gc):
    st.warning("Some nudged losses were infinite or undefined, so those rows are shown as “—”.", icon=WARN)
bd.show(tables["gc"], "bp_t_gc")
kind, verdict = bt.gradcheck_verdict(gc, net.hidden)
getattr(st, kind)(verdict, icon=bt.ICONS[kind])


# ----- 6. one gradient-descent step ---------------------------------------------------------------
@st.fragment
def descent(led: bl.Ledger) -> None:
    """Section 6: the learning rate and the step buttons rerun only this."""
    st.header("6 · One step of gradient descent")
    st.markdown("Move every number a little against its gradient: **W ← W − lr · dW**, **b ← b − lr · db**.")
    st.markdown(bt.OLD_WEIGHTS)
    walk = bd.walk(net)
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    lr = ui.linked(
        c1.number_input,
        "Learning rate lr",
        min_value=0.001,
        max_value=1000.0,
        value=0.5,
        step=0.5,
        format="%.3f",
        key="bp_lr",
        help="Small steps lower the loss a little; very large ones overshoot.",
    )
    if c2.button("Take one step", key="bp_go", type="primary", icon=":material/arrow_downward:", width="stretch"):
        bd.take_step(walk, led.hidden, lr, led.loss_name)
    if c3.button("Reset", key="bp_reset", icon=":material/restart_alt:", width="stretch"):
        bd.reset(walk, net)
    with st.expander("The classic bug: updating W2 before passing the error back"):
        st.markdown(bt.order_words(bd.update_order(net_id, float(lr), led.loss_name)))
    rec = walk["last"]
    (st.caption if rec is None else st.markdown)(bt.walk_caption(walk["steps"], rec, led))
    if rec is None:
        return
    for col, (label, value, change) in zip(st.columns(3), bt.step_metrics(rec, walk["steps"])):
        col.metric(label, value, delta=change, delta_color="inverse")
    kind, verdict = bt.step_verdict(rec)
    getattr(st, kind)(verdict, icon=bt.ICONS[kind])
    moves, outputs = bd.step_frames(rec)
    c1, c2 = st.columns([3, 2], gap="large")
    with c1:
        bd.show(moves, "bp_t_step", digits={"before": "%.6f", "after": "%.6f"})
    with c2:
        bd.show(outputs, "bp_t_step_out", digits="%.6f")
        st.caption("The outputs for the four inputs before and after this step.")


descent(led)
