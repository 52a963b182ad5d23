"""Architecture: the 2-2-1 network drawn from its numbers, how many numbers it has, and why one
neuron cannot do XOR."""

import numpy as np
import pandas as pd
import streamlit as st

from app import architecture_charts as ac
from app import forward_charts as fc
from app import gate_text as gt
from app import state, ui
from core.data import X, y
from core.gates import read_hidden
from core.hidden_width import MAX_WIDTH, MIN_WIDTH, param_count, resize_hidden
from core.linear_sep import count_correct, neuron_z, pair_sums
from core.mlp import check_network


def two(spec: list) -> tuple:
    """Side by side normally; one under the other in presenter mode, where everything is larger."""
    return tuple(st.columns(spec, gap="large")) if not ui.presenter() else (st.container(), st.container())


ui.page_header(
    "Architecture",
    "Input layer (2 neurons) → hidden layer (2 neurons) → output layer (1 neuron). "
    "Every arrow is one weight, every hidden or output neuron has one bias: **9 numbers** in all.",
)
net = state.network_control()
st.markdown(state.network_caption(net))

# ----- the diagram and the parameter table -------------------------------------------------------
# Presenter mode: the diagram and the parameter count share the first screen of a 1280×720
# projector (the width slider sits beside the diagram); normally the slider spans the page.
PRESENT = ui.presenter()
st.header("The network, drawn from its numbers")
if PRESENT:
    left, right = st.columns([3, 2], gap="large")
    top = right
else:
    top = st.container()
problem = check_network(net)
h0 = net.W[0].shape[1] if problem is None else None
ss = st.session_state
# The width control starts at the current network's width and follows it when the network changes.
if h0 is not None and MIN_WIDTH <= h0 <= MAX_WIDTH:
    if ss.get("ar_net_width") is None and h0 != 2 and "ar_width" not in st.query_params:
        ss["ar_width"] = h0
    elif ss.get("ar_net_width") not in (None, h0):
        ss["ar_width"] = h0
    ss["ar_net_width"] = h0
width = ui.linked(
    top.slider,
    "Hidden neurons (width of the hidden layer)",
    MIN_WIDTH,
    MAX_WIDTH,
    2,
    key="ar_width",
    help="The notes use 2. Try 1 (too few for XOR) or more (enough, with spare neurons).",
)
if problem:
    st.error(f"This page cannot draw this network: {problem}. Pick another network in the sidebar.")
    st.stop()

resized = resize_hidden(net, width, seed=0)
shown = resized.net
if resized.added == 0 and resized.dropped == 0:
    top.caption(f"Drawn from the current network: its {width} hidden neuron{'s' * (width > 1)} as they are.")
elif resized.added:
    top.caption(
        f"Hidden neurons 1–{resized.kept} are the current network's; neurons {resized.kept + 1}–{width} are new, "
        "drawn from a Xavier-uniform initialisation (seed 0) with bias 0 — untrained, so their weights are small."
    )
else:
    top.caption(
        f"Hidden neurons 1–{width} of the current network's {h0}; "
        f"the other {resized.dropped} are left out (with their weights to the output)."
    )

if not PRESENT:
    left, right = st.columns([3, 2], gap="large")
with left:
    if not shown.is_finite():
        st.warning("Some weights are not finite numbers (inf/NaN); they are drawn as 0 and marked in the table below.")
    diagram, edge_table, bias_table = ac.network_diagram(shown)
    st.vega_lite_chart(diagram, width="stretch", alt="Diagram of the network with its weights and biases")
    st.caption(
        "Red = positive weight, blue = negative; thicker = larger |weight|. The number under a neuron is its "
        "bias. Hover over any arrow or neuron for its exact value."
    )
with right:
    if not PRESENT:
        st.subheader("Parameters")
    what = {
        "W1": "how strongly each input pushes each hidden neuron",
        "b1": "each hidden neuron's own offset (where its line sits)",
        "W2": "how much each hidden neuron counts towards the output",
        "b2": "the output neuron's offset",
    }
    rows = [(p.name, "×".join(map(str, p.shape)), p.count, what.get(p.name, p.role)) for p in shown.param_table()]
    table = pd.DataFrame(rows, columns=["Tensor", "Shape", "Count", "What it does"])
    table.loc[len(table)] = ["Total", "", shown.n_params, f"4h + 1 with h = {width}"]
    if PRESENT:  # the key number first; the table without its long prose column fits beside the diagram
        st.markdown(f"### 4·{width} + 1 = **{param_count(width)}** parameters")
        st.table(table.drop(columns="What it does").set_index("Tensor"))
    else:
        st.table(table.set_index("Tensor"))
        st.markdown(f"#### 4·{width} + 1 = **{param_count(width)}** parameters")
    st.caption(
        f"W1 is 2×{width} = {2 * width}, b1 is 1×{width} = {width}, W2 is {width}×1 = {width}, b2 is 1×1 = 1. "
        "The notes' network (h = 2) has 9."
    )

with st.expander("Every weight and bias as a table (the diagram's numbers)"):
    c1, c2 = st.columns(2)
    for col, t in zip((c1, c2), (edge_table, bias_table)):
        with col:
            ui.table(t, ac.VALUE_FORMAT, hide_index=True)

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


@st.fragment
def single_neuron() -> None:
    """The single-neuron explorer and why it never gets 4 of 4. Its sliders depend on nothing else on
    the page, so in a browser moving one reruns only this fragment."""
    ctl, chart = st.columns([1, 2], gap="large")
    u1_0, u2_0, c_0 = ac.NEURON_DEFAULTS
    with ctl:
        u1 = ui.linked(st.slider, "u1 (weight of x1)", -10.0, 10.0, u1_0, 0.1, key="ar_u1")
        u2 = ui.linked(st.slider, "u2 (weight of x2)", -10.0, 10.0, u2_0, 0.1, key="ar_u2")
        c = ui.linked(st.slider, "c (bias)", -10.0, 10.0, c_0, 0.1, key="ar_c")
        right_count = count_correct(u1, u2, c, X, y)
        st.metric("Points classified correctly", f"{right_count} of 4")
        if right_count == 3:
            st.caption("3 of 4 is the best a single neuron can ever do on XOR.")
        elif right_count < 3:
            st.caption("Try to get 3 — that is the most one straight line can manage.")
    spec, points = ac.single_neuron(u1, u2, c)
    with chart:
        st.vega_lite_chart(spec, width="stretch", alt="The single neuron's line over the four XOR points")
        if u1 == 0 and u2 == 0:
            st.caption(
                f"With u1 = u2 = 0 there is no line: z = c = {ui.fmt(c, 1)} everywhere, "
                "so every point gets the same answer."
            )
        else:
            st.caption(
                "Black line: z = 0. Shading: the neuron's output σ(z), blue near 0, red near 1. ✓/✗: right or wrong."
            )

    with st.expander("The four points as a table"):
        ui.table(points, ac.POINTS_TABLE_FORMATS, hide_index=True)

    st.subheader("Why 4 of 4 is impossible")
    z = neuron_z(u1, u2, c, X)
    s_red, s_blue = pair_sums(u1, u2, c)
    t = [fc.tval(v, 2) for v in (*z, s_red, s_blue)]
    st.latex(  # \large normally; presenter mode already enlarges maths (and must fit a phone)
        ("" if ui.presenter() else r"\large") + r"\begin{aligned}"
        rf"z_{{[0\,1]}} + z_{{[1\,0]}} &= (u_2 + c) + (u_1 + c)\\ &= {t[1]} + {fc.paren(t[2])} = {t[4]}\\[6pt]"
        rf"z_{{[0\,0]}} + z_{{[1\,1]}} &= c + (u_1 + u_2 + c)\\ &= {t[0]} + {fc.paren(t[3])} = {t[5]}"
        r"\end{aligned}"
    )
    st.markdown(
        "Both sums are always **u1 + u2 + 2c** — whatever the sliders say. Getting both red points right needs both "
        "of their z above 0, so their sum above 0; getting both blue points right needs both z at or below 0, so "
        "their sum at or below 0. One number cannot be both, so **at least one point is always wrong**. "
        "No straight line separates XOR's 1s from its 0s: XOR is **not linearly separable**."
    )


single_neuron()

st.subheader("What the hidden layer changes")
st.markdown(
    "Each hidden neuron draws its **own** line and answers its own yes/no question about the input. "
    "The output neuron then draws one line — not through the inputs, but through the hidden neurons' "
    "answers. The hidden layer moves the four points so that one line is enough."
)
fwd = net.forward(X)
finite = bool(np.all(np.isfinite(fwd.a[1])) and np.all(np.isfinite(fwd.a[2])))
if finite:
    g = read_hidden(net)
    lines = [
        f"- hidden neuron {k + 1} acts like **{r.name}**"
        + ("" if r.gate_like else f", but is not a clean gate: {gt.caveat(r, net.hidden)}")
        for k, r in enumerate(g)
    ]
    st.markdown(f"With the current network, on the four inputs ({gt.rule(net.hidden)}):\n\n" + "\n".join(lines))
if net.sizes == [2, 2, 1]:
    if finite:
        st.markdown(
            "Plotted at (a1[0], a1[1]) — where the hidden layer puts them — the points and the output neuron's line "
            f"look like this (accuracy {net.accuracy(X, y, fwd):.0%}):"
        )
        hc, ht = two([3, 2])
        hspec, htable, merged = ac.hidden_space(net)  # merged: inputs sharing one spot
        hc.vega_lite_chart(hspec, width="stretch", alt="The four inputs in the hidden layer's space")
        with ht:
            ui.table(htable, ac.HIDDEN_TABLE_FORMATS, hide_index=True)
        for lab in merged:
            ht.caption(f"{lab.replace('] [', '] and [')} land on almost the same spot in the hidden layer's space.")
        if [r.name for r in g] == ["OR", "AND"]:
            ht.caption("XOR = OR and not AND: high on hidden neuron 1, low on hidden neuron 2 — one line does it.")
    else:
        st.warning("The current network's activations are not finite numbers, so its hidden space cannot be drawn.")
else:
    st.info(
        f"The current network has {net.sizes[1]} hidden neurons, so its hidden space has {net.sizes[1]} dimensions "
        f"and cannot be drawn flat. Choose the notes' example weights in {ui.SIDE_PANEL} to see the 2-D picture."
    )
