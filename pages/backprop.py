"""Backpropagation: the chain rule, the notes' backward pass as a live ledger, BCE vs MSE, a
gradient check and one gradient-descent step — all for the current network on the four XOR inputs.
Numbers and tables come cached from app/backprop/run.py, words from app/backprop/text.py; each
control's part of the page is a fragment."""

import streamlit as st

from app import chart, parameter, predict, take_home_ui, ui
from app.backprop import charts as bc
from app.backprop import checkpoints, controls, run
from app.backprop import text as bt
from app.state import network_caption, network_control
from core import backprop_ledger as bl
from core.data import ROW_LABELS
from core.mlp import check_network

net = network_control()
WARN = bt.ICONS["warning"]
ui.page_header("Backpropagation", bt.INTRO)
st.markdown(network_caption(net))
PRESENT = ui.presenter()
take_home_ui.offer(
    net,
    "backprop",
    PRESENT,
    loss=st.session_state.get("bp_loss") or "bce",
    lr=float(st.session_state.get("bp_lr", 0.5)),
)
if problem := check_network(net):
    st.warning(bt.NETWORK_OUT_OF_SCOPE.format(problem=problem), icon=WARN)
    st.stop()

# Presenter mode: a projector's first screen holds the loss beside its caption, then the chain rule
# (left) beside the step selector and that step's live numbers (right); normally all run down the page.
net_id = net.key()  # the caches below key on the exact network
if PRESENT:
    st.header("1 · The chain rule, backwards")
side, note = st.columns([21, 19], gap="small", vertical_alignment="center") if PRESENT else [st.container()] * 2
loss = controls.loss(side)
led = run.ledger(net_id, loss)
if not led.is_finite():
    st.error(bt.NOT_FINITE, icon=bt.ICONS["error"])
    st.stop()
note.caption(bt.loss_caption(led))
tables = run.tables(net_id, loss)
env = run.environment(net_id, loss)
cps = checkpoints.build(net, loss)
predict.progress(list(cps.values()))
predict.place_row([cps["sign"], cps["b2"]], PRESENT)


def loss_defined() -> None:
    """L before its derivative: the mean of one loss per input, and why confident mistakes cost."""
    st.latex(bt.LOSS_TEX[led.loss_name])
    st.markdown(bt.loss_words(led))


def chain_intro() -> None:
    st.markdown(bt.CHAIN)
    st.latex(bt.CHAIN_VARS)
    st.markdown(bt.NAMES)


# ----- 1. the loss, the chain rule and the summary diagram -----------------------------------------
if PRESENT:
    with note.expander("The loss L, defined"):
        loss_defined()
else:
    st.header("1 · The loss, and the chain rule backwards")
    loss_defined()
    chain_intro()


@st.fragment
def chain_rule(led: bl.Ledger) -> None:
    """Everything "Step explained" changes: the shaded factors, the step's formulas, the diagram,
    the live explanation and which ledger entry below is marked."""
    body, numbers = st.columns(2, gap="small") if PRESENT else [st.container()] * 2
    slot = body.container()  # the chain rule goes above the selector
    step = controls.step(numbers)
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
            ui.show_matrix(*run.step_matrix(led, step), digits=4)
        chain_intro()
        st.markdown(bt.chain_words(led.hidden, lead_in=False))
    with st.expander("σ′(z) = σ(z)·(1 − σ(z)), and ⊙"):
        st.markdown(bt.SIGMA_PRIME_WORDS)
        st.latex(bt.SIGMA_PRIME_TEX)
    fsym, tips = bt.F_SYMBOL.get(led.hidden, led.hidden), bt.diagram_tips(led)
    st.graphviz_chart(
        bc.summary_dot(step, fsym, led.loss_name, tips, present=PRESENT),
        width="content",
        alt=bt.summary_alt(step),
    )
    st.caption(bt.summary_caption(step))
    st.info(bt.what_it_means(led, step), icon=":material/lightbulb:")
    st.html(bt.ledger_mark_css(step))  # marks this step's entry in section 3 without rerunning it


chain_rule(led)


# ----- 2. one example, 3. the ledger, 4. which loss (all follow the chosen input) ----------------
@st.fragment
def by_input(led: bl.Ledger, tables: dict) -> None:
    """Sections 2–4: moving the input reruns only these."""
    st.header("2 · One example")
    row = controls.row(led.N)
    ex1, ex2 = st.columns(2, gap="large") if not PRESENT else [st.container()] * 2  # stacked: larger maths
    with ex1:
        st.markdown(bt.example_heading(led, row))
        st.latex(bt.example_dz2_tex(led, row))
        st.markdown(bt.example_meaning(led, row))
        if bl.misclassified(float(led.a2[row, 0]), float(led.y[row, 0])):
            st.markdown(bt.MISCLASSIFIED)
    with ex2:
        st.markdown(bt.PASSED_BACK)
        st.latex(bt.example_dz1_tex(led, row, narrow=PRESENT))
        if first := bt.first_neurons_caption(led.width):
            st.caption(first)

    st.subheader("The notes' example: “Predicted: 0.5 (initially)”")
    zled, n10 = run.zero_ledger(net), 2  # the notes' example input [1 0]
    small, twin = run.starts(tuple(net.sizes), net.hidden)
    st.markdown(bt.NOTES_EXAMPLE + bt.current_prediction(led, n10))
    s1, s2 = st.columns(2, gap="large")
    s1.markdown(bt.small_start_words(small, n10))
    with s2:
        st.markdown(bt.zero_start_words(zled, n10))
        st.latex(bt.zero_network_tex(zled, n10))
    st.markdown(bt.twin_start_words(twin))

    st.header("3 · The backward pass, line by line")
    checks, (notes_dW1, code_dW1) = run.audit(net_id, loss)
    st.markdown(bt.ledger_lead(checks, led))

    def show(name: str, mark: bool = True) -> None:
        run.show(tables[name], f"bp_t_{name}", ROW_LABELS[row] if mark else None)

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
                    hs, ins = run.hidden_names(led.width), run.input_names(led.X.shape[1])
                    with d1:
                        st.markdown(bt.NOTES_DW1)
                        # read as W1's gradient when the shapes allow it (rows x, columns h), else as it is
                        same = notes_dW1.shape == code_dW1.shape
                        rows, cols = (ins, hs) if same else (hs, ins)
                        ui.show_matrix(notes_dW1, rows, cols, digits=6, key="bp_t_notes_dW1")
                    with d2:
                        st.markdown(bt.CODE_DW1)
                        ui.show_matrix(code_dW1, ins, hs, digits=6, key="bp_t_code_dW1")

    st.subheader("Which input pushed which gradient")
    terms = bc.contributions_data(led)
    chart.draw(bc.contributions_spec(terms, PRESENT), bt.contributions_description(terms), key="bp_chart_terms")
    st.caption(bt.CONTRIBUTIONS_CAPTION)

    st.header("4 · Which loss? BCE against MSE")
    cmp_ = run.comparison(net_id)
    st.markdown(bt.which_loss_words(led))
    show("loss")
    c1, c2 = st.columns([1, 1], gap="large")
    with c1:
        st.markdown(bt.saturation_words(led, cmp_))
        st.markdown(bt.SATURATED_WRONG)
        if exact := bt.exact_caption(cmp_):
            st.caption(exact)
    with c2:
        slopes = bc.sigmoid_prime_data(led)
        chart.draw(
            bc.sigmoid_prime_spec(slopes, PRESENT),
            bt.sigmoid_prime_description(slopes["points"]),
            key="bp_chart_slopes",
        )
        st.caption(bt.SIGMOID_PRIME_CAPTION)


by_input(led, tables)

# ----- 5. gradient check --------------------------------------------------------------------------
st.header("5 · Is the backward pass right? A gradient check")
gc = run.gradcheck(net_id, loss)
st.markdown(bt.gradcheck_lead(net.n_params))
st.latex(bt.GRADCHECK_CENTRAL)
with st.expander("The table's numbers: the 5-point rule"):
    st.markdown(bt.gradcheck_detail(run.gradcheck_central(net_id, loss), gc))
    st.latex(bt.GRADCHECK_TEX)
if not run.gradcheck_finite(gc):
    st.warning(bt.GRADCHECK_NOT_FINITE, icon=WARN)
run.show(tables["gc"], "bp_t_gc")
kind, verdict = bt.gradcheck_verdict(gc, net.hidden)
getattr(st, kind)(verdict, icon=bt.ICONS[kind])


# ----- 6. one gradient-descent step ---------------------------------------------------------------
@st.fragment
def descent(led: bl.Ledger) -> None:
    """Section 6: the learning rate and the step buttons rerun only this."""
    st.header("6 · One step of gradient descent")
    st.markdown(bt.DESCENT)
    st.markdown(bt.OLD_WEIGHTS)
    walk, lr = controls.descent(net, led)
    take_home_ui.later("backprop").update(lr=lr)  # this fragment's rate, for the downloads
    with st.expander(bt.ORDER_BUG):
        st.markdown(bt.order_words(run.update_order(net_id, lr, led.loss_name)))
    rec = walk["last"]
    (st.caption if rec is None else st.markdown)(bt.walk_caption(walk["steps"], rec, led))
    if rec is None:
        return
    for col, (label, value, change) in zip(st.columns(3), bt.step_metrics(rec, walk["steps"])):
        col.metric(label, value, delta=change, delta_color="inverse")
    kind, verdict = bt.step_verdict(rec)
    getattr(st, kind)(verdict, icon=bt.ICONS[kind])
    moves, outputs = run.step_frames(rec)
    c1, c2 = st.columns([3, 2], gap="large")
    with c1:
        run.show(moves, "bp_t_step", digits={"before": "%.6f", "after": "%.6f"})
    with c2:
        run.show(outputs, "bp_t_step_out", digits="%.6f")
        st.caption(bt.OUTPUTS_CAPTION)


descent(led)


# ----- 7. one number at a time ----------------------------------------------------------------------
st.header("7 · " + parameter.heading(net))
st.markdown(parameter.intro(net))
parameter.section(net, PRESENT, "bp", loss=loss)
