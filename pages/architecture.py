"""Architecture: the 2-2-1 network drawn from its numbers, how many numbers it has, and why one
neuron cannot do XOR."""

import numpy as np
import streamlit as st

from app import parameter, predict, probe, state, take_home_ui, ui
from app.architecture import charts, checkpoints, controls, run
from app.architecture import text as tx
from app.chart import draw
from core.data import X, y
from core.decision import predicts_one
from core.hidden_width import resize_hidden
from core.linear_sep import count_correct
from core.mlp import check_network
from core.probe import forward_point

PRESENT = ui.presenter()
PROBE = "ar"  # the probe's keys: ar_x1, ar_x2 (app.probe)
VALUE_FORMAT = {"value": st.column_config.NumberColumn(format="%.4f")}
NEURON_FORMATS = {c: st.column_config.NumberColumn(format="%.3f") for c in ("z", "σ(z)")}
HIDDEN_FORMATS = {c: st.column_config.NumberColumn(format="%.3f") for c in ("a1[0]", "a1[1]", "a2")}
ui.page_header(
    "Architecture",
    "Input layer (2 neurons) → hidden layer (2 neurons) → output layer (1 neuron). "
    "Every arrow is one weight, every hidden or output neuron has one bias: **9 numbers** in all.",
)
net = state.network_control()
st.markdown(state.network_caption(net))
home = st.container()  # Take it home: filled below, once the width slider says which network is drawn
cps = checkpoints.build(net)
predict.progress(list(cps.values()))

# ----- the diagram and the parameter table -------------------------------------------------------
# Presenter mode: the diagram and the parameter count share the first screen of a 1280×720
# projector (the width slider sits beside the diagram); normally the slider spans the page.
st.header("The network, drawn from its numbers")
predict.place(cps["params"], PRESENT)
if PRESENT:
    left, right = st.columns([3, 2], gap="large")
    top = right
else:
    top = st.container()
problem = check_network(net)
h0 = net.W[0].shape[1] if problem is None else None
width = controls.width_slider(top, h0)
if problem:
    with home:
        take_home_ui.offer(net, "architecture", PRESENT)  # disabled, with the reason
    st.error(f"This page cannot draw this network: {problem}. Pick another network in the sidebar.")
    st.stop()

resized = resize_hidden(net, width, seed=0)
shown = resized.net
top.caption(tx.resize_caption(resized, width, h0))
with home:  # the files hold the network drawn here, which the width slider may have resized
    take_home_ui.offer(shown, "architecture", PRESENT, note=tx.export_note(resized, width, h0))

if not PRESENT:
    left, right = st.columns([3, 2], gap="large")
with left:
    if not shown.is_finite():
        st.warning("Some weights are not finite numbers (inf/NaN); they are drawn as 0 and marked in the table below.")
    nodes, edges, edge_table, bias_table = run.diagram(shown.key())
    draw(charts.diagram_spec(nodes, edges, PRESENT), charts.diagram_text(nodes, edges), key="ar_diagram")
    st.caption(
        "Red solid = positive weight, blue dashed = negative; thicker = larger |weight|. The number under a neuron "
        "is its bias. Hover over any arrow or neuron for its exact value."
    )
with right:
    if not PRESENT:
        st.subheader("Parameters")
    table = tx.param_table(shown, width)
    if PRESENT:  # the key number first; the table without its long prose column fits beside the diagram
        st.markdown(f"### {tx.count_line(width)}")
        st.table(table.drop(columns="What it does").set_index("Tensor"))
    else:
        st.table(table.set_index("Tensor"))
        st.markdown(f"#### {tx.count_line(width)}")
    st.caption(tx.shapes_caption(width))

with st.expander("Every weight and bias as a table (the diagram's numbers)"):
    c1, c2 = st.columns(2)
    for col, t in zip((c1, c2), (edge_table, bias_table)):
        with col:
            ui.table(t, VALUE_FORMAT, hide_index=True)

# ----- one neuron is not enough -----------------------------------------------------------------------
st.divider()
st.header("Why we need a hidden layer")
st.markdown(
    "A single neuron computes **z = u1·x1 + u2·x2 + c** (its own two weights u1, u2 and bias c, not the "
    "network's W1, W2, b1, b2) and says 1 when σ(z) > 0.5, i.e. when z > 0. "
    "The points where z = 0 form a **straight line**: everything on one side is called 1, everything on "
    "the other side 0. Move the sliders and try to put both red points (XOR = 1) on the red side and both "
    "blue points (XOR = 0) on the blue side."
)
predict.place(cps["single"], PRESENT)


@st.fragment
def single_neuron() -> None:
    """The single-neuron explorer, why it never gets 4 of 4, and the probed point (ar_x1, ar_x2, a click
    on the plane) through the neuron and through the whole network. These controls depend on nothing
    else on the page, so in a browser moving one reruns only this fragment."""
    ctl, chart = st.columns([1, 2], gap="large")
    with ctl:
        u1, u2, c = controls.neuron_sliders(run.NEURON_DEFAULTS)
        right_count = count_correct(u1, u2, c, X, y)
        st.metric("Points classified correctly", f"{right_count} of 4")
        if right_count == 3:
            st.caption("3 of 4 is the best a single neuron can ever do on XOR.")
        elif right_count < 3:
            st.caption("Try to get 3 — that is the most one straight line can manage.")
        st.markdown(tx.PROBE_HELP)
        point = probe.point_inputs(PROBE)
    name = probe.label(point.x)
    data = run.neuron(u1, u2, c)
    with chart:
        spec = charts.neuron_spec(data, PRESENT, probe.probe_columns(point.x))
        probe.draw_clickable(spec, charts.neuron_text(data), PROBE, "neuron")
        if u1 == 0 and u2 == 0:
            st.caption(
                f"With u1 = u2 = 0 there is no line: z = c = {ui.fmt(c, 1)} everywhere, "
                "so every point gets the same answer."
            )
        else:
            st.caption(
                "Black line: z = 0. Shading: the neuron's output σ(z), blue near 0, red near 1. ✓/✗: right or wrong. "
                "◆: the probed point."
            )
        z, a, pred = run.neuron_at(u1, u2, c, point.x)  # core's single neuron at the probed point
        st.latex(tx.neuron_point_tex(u1, u2, c, point.x, z, a, PRESENT))
        st.markdown(tx.neuron_point_words(name, a, pred))

    with st.expander("The four points as a table"):
        ui.table(data["table"], NEURON_FORMATS, hide_index=True)

    st.subheader("Why 4 of 4 is impossible")
    st.latex(tx.pair_sums_tex(u1, u2, c, PRESENT))
    st.markdown(
        "Both sums are always **u1 + u2 + 2c** — whatever the sliders say. Getting both red points right needs both "
        "of their z above 0, so their sum above 0; getting both blue points right needs both z at or below 0, so "
        "their sum at or below 0. One number cannot be both, so **at least one point is always wrong**. "
        "No straight line separates XOR's 1s from its 0s: XOR is **not linearly separable**."
    )
    hidden_layer(point, name)


def hidden_layer(point, name: str) -> None:
    """What the hidden layer changes: the current network's hidden space (the probed point marked at its
    hidden coordinates) and the probed point's forward pass with every number written in."""
    st.subheader("What the hidden layer changes")
    st.markdown(
        "Each hidden neuron draws its **own** line and answers its own yes/no question about the input. "
        "The output neuron then draws one line — not through the inputs, but through the hidden neurons' "
        "answers. The hidden layer moves the four points so that one line is enough."
    )
    fwd = net.forward(X)
    finite = bool(np.all(np.isfinite(fwd.a[1])) and np.all(np.isfinite(fwd.a[2])))
    step = forward_point(net, *point.x)  # core's forward pass of the probed point, current network
    if finite:
        gates_text, gates = tx.gate_lines(net)
        st.markdown(gates_text)
    if net.sizes == [2, 2, 1]:
        if finite:
            st.markdown(
                "Plotted at (a1[0], a1[1]) — where the hidden layer puts them — the points and the output neuron's "
                f"line look like this (accuracy {net.accuracy(X, y, fwd):.0%}):"
            )
            hc, ht = ui.columns([3, 2], PRESENT)
            hidden = run.hidden_space(net.key())
            lo, hi = hidden["box"]
            inside = bool(np.all(np.isfinite(step.a1)) and np.all((lo <= step.a1) & (step.a1 <= hi)))
            marked = {"x1": [float(step.a1[0])], "x2": [float(step.a1[1])], "text": [f"probe {name}"]}
            with hc:
                draw(
                    charts.hidden_spec(hidden, PRESENT, marked if inside else None),
                    charts.hidden_text(hidden),
                    key="ar_hidden",
                )
            with ht:
                ui.table(hidden["table"], HIDDEN_FORMATS, hide_index=True)
            for lab in hidden["merged"]:  # inputs sharing one spot
                ht.caption(f"{lab.replace('] [', '] and [')} land on almost the same spot in the hidden layer's space.")
            if gates == ["OR", "AND"]:
                ht.caption("XOR = OR and not AND: high on hidden neuron 1, low on hidden neuron 2 — one line does it.")
            if np.all(np.isfinite(step.a1)) and np.isfinite(step.a2):
                ht.markdown(tx.network_probe_words(name, step.a1, inside, int(predicts_one(step.a2)), step.a2))
        else:
            st.warning("The current network's activations are not finite numbers, so its hidden space cannot be drawn.")
    else:
        st.info(
            f"The current network has {net.sizes[1]} hidden neurons, so its hidden space has {net.sizes[1]} "
            f"dimensions and cannot be drawn flat. Choose the notes' example weights in {ui.SIDE_PANEL} to see the "
            "2-D picture."
        )
    st.markdown(f"**{tx.network_probe_heading(name)}** (the current network, from the side panel)")
    probe.show_steps(net, step, PRESENT)


single_neuron()

# ----- click any of the nine numbers (the current network, not the resized one) -------------------------
st.divider()
st.header(parameter.heading(net))
st.markdown(parameter.intro(net))
parameter.section(net, PRESENT, "ar")
