"""Hidden features: what each hidden neuron learned (OR, AND, …), the decision boundary, and the
hidden space where XOR becomes linearly separable. The notes' "What did the hidden neurons learn?"
and "Visual decision boundary". Layout and words only: app/hidden_features/ computes, draws and words."""

import streamlit as st

from app import gate_text as gt
from app import predict, probe, replay, state, take_home_ui, ui
from app.chart import draw
from app.hidden_features import charts, checkpoints, controls, run
from app.hidden_features import text as tx
from core.mlp import check_network
from core.probe import forward_point

ui.page_header(
    "Hidden features",
    "What did the hidden neurons learn? Each one draws **one straight line** across the input plane; "
    "the output neuron combines those lines into a boundary no single line could draw.",
)
present = ui.presenter()

net = state.network_control(epoch_in_page=True)
# Alerts get an explicit "no icon": otherwise Streamlit scans their text for a leading emoji, and the
# first non-ASCII text it scans loads and compiles its whole emoji catalogue (~0.2 s of a cold render).
NO_ICON = ""
replay_epoch = None  # the epoch of the trained run in use, if one is
if state.trained_in_use():
    replay_epoch = state.epoch_control(
        "Replay the training run: epoch",
        help="Moves the table, gate names, boundary and hidden space to this epoch (the shared network's epoch).",
    )
st.markdown(state.network_caption(net))
take_home_ui.offer(net, "hidden_features", present)

problem = check_network(net)
if problem:
    st.warning(f"This page cannot read this network: {problem}. Pick another network in {ui.SIDE_PANEL}.", icon=NO_ICON)
    st.stop()

net_id = net.key()
view = run.network_view(net_id)  # everything below for this network, computed once (cached)
table = view.table
if not table.finite:
    st.error("This network's numbers overflowed (inf or NaN); nothing is shown. Pick smaller weights.", icon=NO_ICON)
    st.stop()
gates = view.gates
h = table.n_hidden
W2, b2 = net.W[1], net.b[1]
cps = checkpoints.build(net)
predict.progress(list(cps.values()))
predict.place_row([cps["gate"], cps["right"]], present)


def show_table(t, key: str, digits: int = 3) -> None:
    """A small table whose first column names the input (presenter-aware: app.ui.table)."""
    ui.table(t, tx.number_columns(t, digits), key=key, width="content", hide_index=True)


# ----- the notes' table and the gate names ------------------------------------------------------
def feature_table(compact: bool = False) -> None:
    """The notes' table; compact (beside a chart when projecting): without the Expected column,
    whose answer the ✓/✗ of the Prediction column already gives."""
    show_table(view.frame.drop_columns(["Expected"]) if compact else view.frame, "hf_table")
    st.caption(tx.table_caption(int(table.wrong.sum()), compact))


def notes_note() -> None:
    if view.notes:
        st.info(tx.notes_note(table), icon=NO_ICON)


def gate_names(names: bool = True, explain: bool = True, compact: bool = False) -> None:
    """Each hidden neuron's gate and how clean a gate it is; compact (a projector's first screen):
    a few words instead of the full sentence, which the details then give below."""
    for k, g in enumerate(gates if names else []):
        st.markdown(tx.gate_line(k, g, net.hidden, compact))
    if explain:
        st.caption(f"The rule on every page: {gt.rule(net.hidden)}. {gt.criteria()}")


def notes_check() -> None:
    """The notes' table against the pair-sum argument, with this network's own columns beside it."""
    st.subheader("Could any network produce the notes' table?")
    st.markdown(
        "Each hidden column comes from one sigmoid neuron of the inputs: a = σ(z) with z = w1·x1 + w2·x2 + b, so "
        "z = log(a / (1 − a)) can be read back from every value. And, as the Architecture page shows for a single "
        "neuron, **z[0 0] + z[1 1] = z[0 1] + z[1 0] = w1 + w2 + 2b for any weights**. Check it:"
    )
    notes, fit = run.notes_check()
    rows = [(f"notes' {c.column}", c) for c in notes] + [(f"this network's {c.column}", c) for c in view.own_check]
    show_table(run.pair_sum_frame(rows), "hf_pairs", digits=2)
    words, caption = tx.notes_check(notes, fit)
    st.markdown(words)
    st.caption(caption)


PROBE = "hf"  # the probe's keys: hf_x1, hf_x2 (app.probe)
if present:
    # A projector's first screen: the decision boundary beside the notes' table and the gate names (there
    # without the probed point: the probe's section below reruns on its own, and marks it on the maps).
    left, right = st.columns([1, 1], gap="small")
    with left:
        draw(charts.boundary(view, present), tx.boundary_description(view.red, table.pred), key="hf_boundary")
    with right:
        feature_table(compact=True)
        gate_names(explain=False, compact=True)
    notes_note()
    st.markdown(tx.details(gates, net.hidden))
    gate_names(names=False)
else:
    st.header("What did the hidden neurons learn?")
    left, right = ui.columns([3, 2], h > 3)  # many hidden neurons: the table needs the full width
    with left:
        feature_table()
        notes_note()
    with right:
        gate_names()

words, why = tx.combination(view.comb, gates, W2, table)
st.markdown(words)
if why:
    st.caption(why)
st.markdown(
    "**OR and AND is one way to split XOR, not the only one.** Any two hidden gates whose combination the output "
    "neuron can turn into XOR will do: NAND with OR, NAND with NOR, x1 AND NOT x2 with x2 AND NOT x1, … Which "
    "pair a training run finds depends on its random start; the Training page's *Convergence lab* trains many "
    "starts and counts the pairs its solved runs end with."
)
notes_check()


# ----- the probed point: the boundary, the neuron maps, the hidden space and the morph ---------------
@st.fragment
def probed_planes() -> None:
    """Everything the probed point moves (hf_x1, hf_x2, a click on a plane) and the hidden pair: in a
    browser a probe click reruns only this fragment, not the table and the checks above."""
    st.header("The decision boundary")
    if present:
        right = st.container()  # the chart is at the top of the page
    else:
        left, right = ui.columns([3, 2], present)
    with right:
        st.markdown(tx.boundary(view.red, table.pred))
        st.caption(
            "Red = 1, blue = 0, white = undecided (0.5). Red–blue (ColorBrewer RdBu) stays readable for red–green "
            "colour-blind viewers; hover for exact values."
        )
        st.markdown(tx.probe_help(boundary=not present))
        point = probe.point_inputs(PROBE)
    step = forward_point(net, *point.x)  # core's forward pass of the probed point
    marked = probe.probe_columns(point.x)
    if not present:
        with left:
            desc = tx.boundary_description(view.red, table.pred)
            probe.draw_clickable(charts.boundary(view, present, marked), desc, PROBE, "boundary")

    st.subheader("Each hidden neuron draws one line")
    per_row = min(h, 2 if present else 3)
    cols = st.columns(per_row)
    for k, g in enumerate(gates):
        with cols[k % per_row]:
            desc = tx.neuron_description(k, g, len(view.neurons[k].segment) > 0)
            probe.draw_clickable(charts.neuron_map(view, k, present, marked), desc, PROBE, f"map_{k}")
            st.caption(tx.neuron_caption(g, net.hidden))

    st.subheader(f"The probed point {probe.label(point.x)}, step by step")
    probe.show_steps(net, step, present)
    hidden_space(point, step, marked)


def hidden_space(point, step, marked: dict) -> None:
    """The hidden space with the four inputs and the probed point, then the morph into it."""
    st.header("The hidden space: where XOR becomes linearly separable")
    if h == 1:
        st.info(
            "The hidden-space plot needs two hidden neurons, and this network has one. Each input becomes a single "
            'number, Hidden1, so there is no plane to draw: the output can only say "Hidden1 above (or below) some '
            'value". Hidden1 grows steadily in one direction across the input plane, so that is still one straight '
            "line across the inputs, and no straight line separates XOR. Use two or more hidden neurons.",
            icon=NO_ICON,
        )
        return
    i, j = 0, 1
    if h > 2:
        i, j = controls.hidden_pair([f"Hidden{k + 1} ({g.name})" for k, g in enumerate(gates)], view.best)
        if i == j:
            st.warning("Pick two different hidden neurons.", icon=NO_ICON)
            return
    space = run.space_view(net_id, i, j)
    hu, hv = float(step.a1[i]), float(step.a1[j])  # the probed point in this plane
    inside = space.box[0] <= hu <= space.box[1] and space.box[2] <= hv <= space.box[3]
    left, right = ui.columns([3, 2], present)
    with left:
        shown = {"u": [hu], "v": [hv], "text": marked["text"]} if inside else None
        draw(charts.hidden_space(space, present, shown), tx.space_description(space), key="hf_space")
        st.caption(tx.probe_words(probe.label(point.x), step, i, j, inside))
    with right:
        st.markdown(tx.space_line(W2[:, 0], float(b2[0, 0]), i, j, h))
        kind, words = tx.separability(view.wrong, h)
        (st.success if kind == "success" else st.warning)(words, icon=NO_ICON)
        if h > 2:
            st.caption(tx.slice_caption(h, space.cut))
        show_table(space.frame, "hf_space_table")

    st.header("The hidden layer moves the points")
    morph = run.morph_view(net_id, i, j)
    moving = {**marked, "h1": [hu], "h2": [hv]}
    left, right = ui.columns([3, 2], present)
    with left:
        draw(charts.morph(morph, present, moving), tx.morph_description(morph), key="hf_morph")
    with right:
        st.markdown(tx.morph_caption(h, i, j, morph.dropped))


probed_planes()

if replay_epoch is not None:
    st.subheader("Watch the boundary form during training")
    replay.show(state.published_run().history, replay_epoch, present, key="hf_replay")
    st.caption(
        "The trained run in use, played in your browser from the weights at every snapshot epoch (sent once): press "
        "Play or drag the slider in the picture. The epoch slider at the top moves the rest of this page."
    )
