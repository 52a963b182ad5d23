"""One epoch in slow motion: a single gradient-descent epoch of the current network, phase by phase
(forward, loss, backward, update), lit up on the network diagram with its numbers. Numbers come
cached from app/one_epoch/run.py (core.one_epoch), words from app/one_epoch/text.py; the stepper is a
fragment, rerun on a timer only while playing."""

import numpy as np
import streamlit as st

from app import predict, ui
from app.chart import draw
from app.one_epoch import charts, checkpoints, controls, run
from app.one_epoch import text as tx
from app.state import network_caption, network_control
from core.data import ROW_LABELS, y
from core.mlp import MLP, check_network
from core.one_epoch import Epoch

PRESENT = ui.presenter()
net = network_control()
ui.page_header("One epoch in slow motion", tx.INTRO)
st.markdown(network_caption(net))
if problem := check_network(net):
    st.warning(tx.OUT_OF_SCOPE.format(problem=problem), icon=":material/warning:")
    st.stop()

# Presenter mode: the stepper, the lit diagram and the phase's words share a projector's first screen;
# the two settings move to the end of the page. Normally the settings come first and the diagram
# spans the page below the phase's words.
if PRESENT:
    stage = st.container()  # the stepper's place: drawn last (it needs the settings), shown first
    left, right = st.columns(2, vertical_alignment="bottom")
    asks = st.container()
else:
    left, right = st.columns(2, vertical_alignment="bottom")
    asks, stage = st.container(), st.container()
row = controls.row(left)
lr = controls.lr(right)
ep = run.epoch(net.key(), lr)
if not run.finite(ep):
    st.error(tx.NOT_FINITE, icon=":material/error:")
    st.stop()
losses = run.input_losses(ep)
hs = [f"h{j + 1}" for j in range(net.W[0].shape[1])]
cps = checkpoints.build(net, lr)
predict.progress(list(cps.values()))
with asks:
    predict.place_row(list(cps.values()), PRESENT)


def tables(phase: str, ep: Epoch) -> None:
    """The phase's numbers for all four inputs (or every parameter), the followed input marked."""
    f, b = ep.forward, ep.backward
    if phase == "forward":
        values = np.hstack([f["z1"], f["a1"], f["z2"], f["a2"]])
        cols = [f"z1 {h}" for h in hs] + [f"a1 {h}" for h in hs] + ["z2", "a2"]
        ui.show_matrix(values, ROW_LABELS, cols, digits=4, highlight_row=row, key="oe_t_forward")
    elif phase == "loss":
        values = np.column_stack([f["a2"][:, 0], y[:, 0], losses])
        ui.show_matrix(values, ROW_LABELS, ["a2", "y", "loss"], digits=4, highlight_row=row, key="oe_t_loss")
    elif phase == "backward":
        values = np.hstack([b["dz2"], b["dz1"]])
        ui.show_matrix(values, ROW_LABELS, ["dz2"] + [f"dz1 {h}" for h in hs], 4, row, key="oe_t_dz")
        names, grads = run.parameters(b)
        ui.show_matrix(grads[:, None], names, ["gradient"], digits=5, key="oe_t_grad")
    else:
        names, before = run.parameters(ep.before)
        _, after = run.parameters(ep.after)
        _, grads = run.parameters(b)
        values = np.column_stack([before, grads, -ep.lr * grads, after])
        cols = ["before", "gradient", "− lr · gradient", "after"]
        ui.show_matrix(values, names, cols, digits=5, key="oe_t_update")


@st.fragment(run_every=controls.INTERVAL if controls.playing() else None)
def stepper(net: MLP, ep: Epoch, timer: bool) -> None:
    """The phase control, the lit diagram and the phase's numbers; Play advances them on the timer."""
    controls.advance()
    if timer != controls.playing():  # started or stopped: the whole page reruns to set the timer
        st.rerun()
    phase = controls.stepper(PRESENT)
    if PRESENT:  # the diagram beside the words, on the first screen
        pic, side = st.columns([3, 2], gap="medium")
        words = maths = side
    else:
        words, maths = st.columns(2, gap="medium")
        pic = st.container()
    words.subheader(tx.TITLES[phase])
    words.markdown(tx.words(phase, ep, row, losses))
    maths.latex(tx.formulas(phase, net.hidden, ep.lr))
    if note := tx.activation_note(net.hidden):
        maths.caption(note)
    if phase == "update":
        old, new = maths.columns(2)
        old.metric("Loss this epoch", ui.fmt(ep.loss, 4))
        new.metric("Loss next epoch", ui.fmt(ep.loss_after, 4), delta=tx.loss_change(ep), delta_color="inverse")
    with pic:
        nodes, edges = charts.phase_columns(net, ep, phase, row, losses)
        draw(charts.spec(nodes, edges, PRESENT), tx.description(phase, ep, row, losses), key="oe_diagram")
    st.caption(tx.follow_caption(row) + " " + tx.COLOURS)
    tables(phase, ep)


with stage:
    stepper(net, ep, controls.playing())
