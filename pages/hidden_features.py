"""Hidden features: what each hidden neuron learned (OR, AND, …), the decision boundary, and the
hidden space where XOR becomes linearly separable. The notes' "What did the hidden neurons learn?"
and "Visual decision boundary"."""

import numpy as np
import streamlit as st

from app import gate_text as gt
from app import hidden_charts as hc
from app import state, ui
from core import features as F
from core.data import NOTES_WEIGHTS, ROW_LABELS, y
from core.gates import GATES
from core.mlp import check_network

ui.page_header(
    "Hidden features",
    "What did the hidden neurons learn? Each one draws **one straight line** across the input plane; "
    "the output neuron combines those lines into a boundary no single line could draw.",
)

net = state.network_control(epoch_in_page=True)
# Alerts get an explicit "no icon": otherwise Streamlit scans their text for a leading emoji, and the
# first non-ASCII text it scans loads and compiles its whole emoji catalogue (~0.2 s of a cold render).
NO_ICON = ""
ss = st.session_state
if state.trained_in_use():
    state.epoch_control(
        "Replay the training run: epoch",
        help="Moves the table, gate names, boundary and hidden space to this epoch (the shared network's epoch).",
    )
st.markdown(state.network_caption(net))

problem = check_network(net)
if problem:
    st.warning(f"This page cannot read this network: {problem}. Pick another network in {ui.SIDE_PANEL}.", icon=NO_ICON)
    st.stop()

net_id = net.key()
view = hc.network_view(net_id)  # everything below for this network, computed once (cached)
table = view.table
if not table.finite:
    st.error("This network's numbers overflowed (inf or NaN); nothing is shown. Pick smaller weights.", icon=NO_ICON)
    st.stop()
gates = view.gates
h = table.n_hidden
W2, b2 = net.W[1], net.b[1]

# ----- the notes' table and the gate names ------------------------------------------------------
PRESENT = ui.presenter()
# presenter mode: larger fixed-size charts, and text below them instead of beside them
SIZE = hc.chart_sizes(PRESENT)


def two_columns(stack: bool = PRESENT):
    """Chart/table on the left, words on the right — or one under the other when space is short."""
    return (st.container(), st.container()) if stack else st.columns([3, 2], gap="large")


def feature_table(compact: bool = False) -> None:
    """The notes' table; compact (beside a chart when projecting): without the Expected column,
    whose answer the ✓/✗ of the Prediction column already gives."""
    frame = view.frame
    hc.show_table(frame.drop_columns(["Expected"]) if compact else frame, "hf_table")
    n_wrong = int(table.wrong.sum())
    st.caption(
        ("✓ = XOR's answer. " if compact else "")
        + (
            "All four predictions are right (output > 0.5 means 1)."
            if n_wrong == 0
            else f"{n_wrong} of 4 predictions wrong (marked ✗): output > 0.5 means 1."
        )
    )


def notes_note() -> None:
    if h >= 2 and all(np.array_equal(a, NOTES_WEIGHTS[k]) for k, a in net.to_dict().items()):
        diff, r, c = F.notes_difference(table.a1, table.out)
        col = ["Hidden1", "Hidden2", "Output"][c]
        ours = table.a1[r, c] if c < 2 else table.out[r]
        st.info(
            "These are the exact values for the notes' example weights. The notes' own table (0.076, 0.942, …) "
            f"differs from them by up to {diff:.3f} ({col} for {ROW_LABELS[r]}: {ours:.3f} here, "
            f"{F.NOTES_TABLE[r, c]:.3f} in the notes), and no network at all can produce its hidden columns: see "
            "*Could any network produce the notes' table?* below.",
            icon=NO_ICON,
        )


def gate_names(names: bool = True, explain: bool = True, compact: bool = False) -> None:
    """Each hidden neuron's gate and how clean a gate it is; compact (a projector's first screen):
    a few words instead of the full sentence, which ``details`` then gives below."""
    for k, g in enumerate(gates if names else []):
        on = [ROW_LABELS[r] for r in range(4) if g.table[r]]
        how = (
            ("A clean gate" if g.gate_like else f"Not a clean gate: {gt.tags(g)}")
            if compact
            else gt.summary(g, net.hidden)
        )
        st.markdown(f"**Hidden{k + 1} = {g.name}** — on for {', '.join(on) if on else 'no input'}  \n{how}")
    if not explain:
        return
    st.caption(f"The rule on every page: {gt.rule(net.hidden)}. {gt.criteria()}")


def details() -> None:
    """The full sentence for each hidden neuron (after the compact names of presenter mode)."""
    st.markdown("\n".join(f"- Hidden{k + 1}: {gt.summary(g, net.hidden)}" for k, g in enumerate(gates)))


def notes_check() -> None:
    """The notes' table against the pair-sum argument, with this network's own columns beside it."""
    st.subheader("Could any network produce the notes' table?")
    st.markdown(
        "Each hidden column comes from one sigmoid neuron of the inputs: a = σ(z) with z = w1·x1 + w2·x2 + b, so "
        "z = log(a / (1 − a)) can be read back from every value. And, as the Architecture page shows for a single "
        "neuron, **z[0 0] + z[1 1] = z[0 1] + z[1 0] = w1 + w2 + 2b for any weights**. Check it:"
    )
    notes = F.notes_table_check()
    rows = [(f"notes' {c.column}", c) for c in notes] + [(f"this network's {c.column}", c) for c in own_check]
    hc.show_table(hc.pair_sum_frame(rows), "hf_pairs", digits=2)
    h1, h2 = notes
    fit = F.notes_output_fit()
    out = ", ".join(f"{v:.3f}" for v in fit.out)
    w = ", ".join(ui.fmt(v, 2) for v in fit.W2)
    st.markdown(
        f"The notes' hidden columns break it: the two sums differ by {ui.fmt(abs(h1.difference), 2)} (Hidden1) and "
        f"{ui.fmt(abs(h2.difference), 2)} (Hidden2). The values are printed to 3 decimals, but no rounding explains "
        f"that: with every value anywhere within ±{F.ROUNDING:g} of the printed one, the sums still differ by at "
        f"least {ui.fmt(h1.smallest_gap, 2)} and {ui.fmt(h2.smallest_gap, 2)}. **So no weights — trained or not — "
        "give these hidden columns, and no 2-2-1 sigmoid network produced this table**: "
        "the table is an illustration, not a network's output. Given the other three values of "
        f"a column, the [1 1] value is forced: {h1.needed_11:.4f} for Hidden1 (the notes print "
        f"{F.NOTES_TABLE[3, 0]:.3f}) and {h2.needed_11:.3f} for Hidden2 (the notes print {F.NOTES_TABLE[3, 1]:.3f}; "
        "a neuron this low for [0 1] and [1 0] reaches that only if it is far lower for [0 0]: "
        f"{ui.fmt(h2.needed_00, 6)} instead of {F.NOTES_TABLE[0, 1]:.3f})."
    )
    verdict = "the table's Output column to 3 decimals" if fit.matches else "not the table's Output column"
    st.caption(
        "The Output column is not tied to the inputs this way (the output neuron sees the hidden values, not x1 "
        f"and x2), and on its own it is possible: an output neuron with W2 = [{w}] and b2 = {ui.fmt(fit.b2, 2)} "
        f"turns the table's own Hidden1 and Hidden2 into {out}, {verdict}. The gate reading survives too: the "
        "notes' example weights give an OR and an AND whose columns pass the check. This network's own sums "
        "agree, as they must (up to rounding in the last digits)."
    )


def boundary_chart() -> None:
    st.vega_lite_chart(
        spec=hc.plane_chart(view.boundary, PRESENT, **SIZE["boundary"]),
        key="hf_boundary",
        alt="Decision boundary: the network's output over the input plane, with its 0.5 line and the four XOR points.",
    )


if PRESENT:
    # A projector's first screen: the decision boundary beside the notes' table and the gate names.
    left, right = st.columns([1, 1], gap="small")
    with left:
        boundary_chart()
    with right:
        feature_table(compact=True)
        gate_names(explain=False, compact=True)
    notes_note()
    details()
    gate_names(names=False)
else:
    st.header("What did the hidden neurons learn?")
    left, right = two_columns(h > 3)  # many hidden neurons: the table needs the full width
    with left:
        feature_table()
        notes_note()
    with right:
        gate_names()

own_check = F.network_check(table, net.hidden)
comb = view.comb
pushes = [f"Hidden{k + 1} ({gates[k].name}) pushes it towards 1 (W2[{k}] = {ui.fmt(W2[k, 0])})" for k in comb.up]
pushes += [f"Hidden{k + 1} ({gates[k].name}) towards 0 (W2[{k}] = {ui.fmt(W2[k, 0])})" for k in comb.down]
gloss = " — at least one input is 1, but not both" if comb.expr == "OR AND NOT AND" else ""
lead = f"**Output ≈ {comb.expr}**{gloss}. " if comb.expr else "**How the output combines them.** "
bits = ", ".join(map(str, comb.table))
real = tuple(int(p) for p in table.pred)
if real == comb.table:
    verdict = (
        "exactly **XOR**." if comb.name == "XOR" else f"**{comb.name}**, not XOR: this network does not solve XOR."
    )
else:  # the idealised reading is not what the network does: judge it by its real outputs
    does = "solves XOR" if not table.wrong.any() else f"gives {GATES[real]}, not XOR"
    verdict = (
        f"**{comb.name}**. But that is not what this network does: its real outputs give "
        f"{', '.join(map(str, real))}, so it {does}."
    )
st.markdown(
    f"{lead}{'; '.join(pushes) or 'No hidden neuron reaches the output (W2 = 0)'}. Reading each hidden neuron "
    f"as exactly off or on and passing that through W2 and b2 gives {bits} on the four inputs: {verdict}"
)
if real != comb.table:
    loose = [f"Hidden{k + 1}" for k, g in enumerate(gates) if not g.gate_like]
    why = "a hidden neuron is not fully off or on."
    if loose:
        why = f"{', '.join(loose)} {'is not a clean gate' if len(loose) == 1 else 'are not clean gates'} (see above)."
    st.caption(f"The real outputs differ from this idealised reading: {why}")
st.markdown(
    "**OR and AND is one way to split XOR, not the only one.** Any two hidden gates whose combination the output "
    "neuron can turn into XOR will do: NAND with OR, NAND with NOR, x1 AND NOT x2 with x2 AND NOT x1, … Which "
    "pair a training run finds depends on its random start; the Training page's *Convergence lab* trains many "
    "starts and counts the pairs its solved runs end with."
)
notes_check()

# ----- the decision boundary ---------------------------------------------------------------------
st.header("The decision boundary")
if PRESENT:
    right = st.container()  # the chart is at the top of the page
else:
    left, right = two_columns()
    with left:
        boundary_chart()
with right:
    red = view.red
    side = {True: [], False: []}
    for r in range(4):
        side[bool(table.pred[r])].append(ROW_LABELS[r])
    st.markdown(
        "The colour is the network's output over the square [−0.5, 1.5]²; the **thick black line** is where it "
        "equals 0.5. "
        + (
            f"Red (predict 1) covers {red:.0%} of the square, blue (predict 0) the rest.\n\n"
            if 0 < red < 1
            else f"Here the output never crosses 0.5, so there is no black line: it predicts {int(red)} everywhere.\n\n"
        )
        + f"On the red side: {', '.join(side[True]) or 'none of the four inputs'}. "
        f"On the blue side: {', '.join(side[False]) or 'none of the four inputs'}."
    )
    st.caption(
        "Red = 1, blue = 0, white = undecided (0.5). Red–blue (ColorBrewer RdBu) stays readable for red–green "
        "colour-blind viewers; hover for exact values."
    )

st.subheader("Each hidden neuron draws one line")
per_row = min(h, 2 if PRESENT else 3)
cols = st.columns(per_row)
for k, g in enumerate(gates):
    with cols[k % per_row]:
        st.vega_lite_chart(
            spec=hc.plane_chart(view.neurons[k], PRESENT, **SIZE["neuron"]),
            key=f"hf_map_{k}",
            alt=f"Hidden neuron {k + 1} ({g.name}) over the input plane, with its own threshold line.",
        )
        off = [ROW_LABELS[r] for r in range(4) if not g.table[r]]
        st.caption(
            f"Red = on (z1 > 0, a1 above {gt.level(net.hidden)}); black: its line "
            f"z1 = 0. Off for {', '.join(off) or 'no input'}."
        )

# ----- the hidden space --------------------------------------------------------------------------
st.header("The hidden space: where XOR becomes linearly separable")
if h == 1:
    st.info(
        "The hidden-space plot needs two hidden neurons, and this network has one. Each input becomes a single "
        'number, Hidden1, so there is no plane to draw: the output can only say "Hidden1 above (or below) some '
        'value". Hidden1 grows steadily in one direction across the input plane, so that is still one straight '
        "line across the inputs, and no straight line separates XOR. Use two or more hidden neurons.",
        icon=NO_ICON,
    )
    st.stop()
i, j = 0, 1
if h > 2:
    names = [f"Hidden{k + 1} ({g.name})" for k, g in enumerate(gates)]
    # by default the pair whose 2-D view separates the classes best
    for wkey, default in zip(("hf_hx", "hf_hy"), view.best):
        if ss.get(wkey) not in range(h):  # first visit, or a stored choice from a wider network
            ss[wkey] = default
    c1, c2 = st.columns(2)
    i = c1.selectbox("Horizontal axis", range(h), format_func=names.__getitem__, key="hf_hx", persist_state="session")
    j = c2.selectbox("Vertical axis", range(h), format_func=names.__getitem__, key="hf_hy", persist_state="session")
    if i == j:
        st.warning("Pick two different hidden neurons.", icon=NO_ICON)
        st.stop()
space = hc.space_view(net_id, i, j)
left, right = two_columns()
with left:
    st.vega_lite_chart(
        spec=hc.space_chart(space, PRESENT, **SIZE["space"]),
        key="hf_space",
        alt=f"The four inputs at their (Hidden{i + 1}, Hidden{j + 1}) coordinates with the output neuron's line.",
    )
with right:
    wrong = F.separates(table.z2, y)
    w = W2[:, 0]
    st.markdown(
        f"Each input is drawn at its hidden coordinates (Hidden{i + 1}, Hidden{j + 1}). The black line is the output "
        f"neuron's own line z2 = 0: {ui.fmt(w[i])}·h{i + 1} {'+' if w[j] >= 0 else '−'} {ui.fmt(abs(w[j]))}·h{j + 1} "
        f"{'+' if b2[0, 0] >= 0 else '−'} {ui.fmt(abs(b2[0, 0]))}"
        + (" + (the other hidden neurons, at their mean)" if h > 2 else "")
        + " = 0."
    )
    if wrong == 0 and h == 2:
        st.success(
            "**XOR has become linearly separable.** In the input plane no straight line splits the 1s from the 0s; "
            "here, after the hidden layer, the output neuron's single straight line does.",
            icon=NO_ICON,
        )
    elif wrong == 0:
        st.success(
            f"**XOR has become linearly separable.** In the {h}-dimensional hidden space the output neuron's flat "
            "boundary z2 = 0 puts all four inputs on the right side (see z2 below), which no straight line can do "
            "in the input plane.",
            icon=NO_ICON,
        )
    else:
        st.warning(
            f"The output neuron's line does not separate the classes here yet: {wrong} of 4 inputs are on the wrong "
            "side. A trained network moves the points (the hidden features) until one line does.",
            icon=NO_ICON,
        )
    if h > 2:
        cut = F.slice_errors(table.a1, W2, b2, y, i, j)
        view = (
            "In this view the line separates them too."
            if cut == 0
            else f"In this view {cut} of 4 inputs fall on the wrong side of the line: the other hidden neurons make "
            "the difference. Try another pair."
        )
        st.caption(
            f"With {h} hidden neurons the plot is a 2-D view: the line holds the other neurons at their mean "
            f"contribution. {view}"
        )
    hc.show_table(space.frame, "hf_space_table")
