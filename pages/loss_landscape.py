"""Loss landscape: L over two of the network's nine numbers (the other seven fixed), the downhill arrow,
a click that moves the network, L over one number with its tangent and one step, and two training
runs of one recipe rolling downhill — or stopping on a plateau. Numbers from core.landscape via
app/loss_landscape/run.py, words from its text.py."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import predict, probe, ui
from app.chart import draw
from app.loss_landscape import charts, checkpoints, controls, run, text
from app.plane import plane_spec
from app.state import network_caption, network_control, published_run, trained_in_use
from core.mlp import MLP
from core.probe import forward_point

PROBE = "ll"  # the probe's keys: ll_x1, ll_x2 (app.probe); its clickable boundary: ll_plane

present = ui.presenter()
net = network_control()
ui.page_header("Loss landscape", text.INTRO)
st.markdown(network_caption(net))
if net.output != "sigmoid":
    st.warning(text.NOT_SIGMOID.format(output=net.output), icon=":material/warning:")
    st.stop()
names = net.param_names()
key = net.key()
cps = checkpoints.build(net)
predict.progress(list(cps.values()))

# ----- 1. the loss over two numbers ------------------------------------------------------------------------
st.header("The loss over two of the numbers")
i, j = controls.pair(names)
controls.show_message()
if i == j:
    st.info(text.SAME_PAIR, icon=":material/info:")
    st.stop()
# the Training page's run in use: its path so far, on a map that holds all of it
trained = run.path_to(published_run().history, net, i, j) if trained_in_use() else None
if trained is None:
    surf = run.surface(key, i, j)
else:
    surf = run.surface(key, i, j, *run.covering(trained, (net.flat()[i], net.flat()[j])))
at = controls.picked(net, i, j)
moved = run.moved(net, i, j, *at) if at is not None else None
rows = [("now", *surf.point, surf.loss0)]
if moved is not None:
    rows.append(("picked", *at, run.loss_of(moved)))


@st.fragment
def probed_boundary(shown: MLP, who: str, present: bool) -> None:
    """The decision boundary of the network shown (clickable, the probed point marked) and that point's
    forward pass with every number written in; a click or a typed point reruns only this."""
    chart_box = st.container()  # drawn once the probed point is known (its inputs come below)
    st.markdown(text.PROBE_HELP)
    point = probe.point_inputs(PROBE)
    step = forward_point(shown, *point.x)  # core's forward pass of the probed point
    name = probe.label(point.x)
    with chart_box:
        spec = plane_spec(run.boundary(shown.key()), present, "Its decision boundary", height=300 if present else 260,
                          probe=probe.probe_columns(point.x), clickable=True)  # fmt: skip
        desc = f"The output a2 of {who} over the input plane, with its 0.5 line; loss {ui.fmt(run.loss_of(shown), 4)}."
        probe.draw_clickable(spec, desc + probe.marked_words(name, step.a2), PROBE)
    st.markdown(text.probe_verdict(name, who, step.a2))
    st.markdown(f"**{text.probe_heading(name)}**")
    # projected, the side column is narrow for the larger type: a smaller size keeps every line on screen
    probe.show_steps(shown, step, present, one_column=True, size=r"\footnotesize" if present else r"\normalsize")


map_box, side = st.columns([3, 2], gap="medium")  # projected too: the map beside the network it moves
with map_box:
    spec, dropped, top = charts.landscape_spec(
        surf,
        present,
        f"L over {surf.names[0]} and {surf.names[1]}",
        charts.point_columns(rows),
        path=trained,
        clickable=True,
    )
    fin = surf.loss[np.isfinite(surf.loss)]
    lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (np.nan, np.nan)
    event = draw(spec, text.description(surf.names, lo, hi, surf.loss0), key=controls.click_key(), on_select="rerun",
                 selection_mode="click")  # fmt: skip
    controls.handle_click(event, net, i, j)
    if not np.isfinite(surf.loss0):
        st.warning(text.NOT_FINITE, icon=":material/warning:")
    if dropped:
        st.warning(text.dropped_note(dropped, surf.loss.size), icon=":material/warning:")
    st.caption(text.pair_caption(surf.names, surf.loss0, surf.descent, top))
    if trained is not None:
        st.caption(text.trained_path_caption(int(trained["epoch"][-1]), float(trained["loss"][0])))
with side:
    if moved is None:
        st.markdown(f"**Current network:** L = {ui.fmt(surf.loss0, 4)}. " + text.CLICK_HELP)
        shown = net
    else:
        st.markdown(text.picked_words(surf.names, at[0], at[1], run.loss_of(moved), surf.loss0))
        shown = moved
    probed_boundary(shown, "the moved network" if moved is not None else "the current network", present)
    if moved is not None:
        controls.use_button(moved)
        controls.forget()

# ----- 2. one number at a time ---------------------------------------------------------------------------------
st.header("One number at a time")
st.markdown(
    "Hold eight numbers still and L is a curve over the ninth. Its slope at the current point is the number "
    "backpropagation computes, dL/dθ; the tangent line has that slope. One gradient-descent step moves θ against it."
)
predict.place_row([cps["bias"], cps["lr8"]], present)
c_controls, c_chart = ui.columns([2, 3], present)
with c_controls:
    k = controls.theta(names)
    lr = controls.rate()
    sl = run.one_slice(key, k, lr)
    st.latex(text.STEP_TEX)
    st.latex(text.step_tex(sl))
    st.markdown(text.step_words(names[k], sl))
with c_chart:
    draw(charts.slice_spec(sl, present, f"L along {names[k]}, the other eight fixed"),
         text.slice_caption(names[k], sl), key="ll_slice")  # fmt: skip
    st.caption(text.slice_caption(names[k], sl))

# ----- 3. two runs downhill ------------------------------------------------------------------------------------
st.header("Two training runs, seen on the same two numbers")
solved, stuck = run.sorted_seeds()
st.markdown(text.recipe_words(run.RECIPE, run.LAB_SEEDS, len(solved)))
if net.sizes != list(run.RECIPE["sizes"]):
    st.caption("These runs train the notes' 2-2-1 network; the two numbers are picked from its nine.")
if not solved or not stuck:
    st.info(text.NO_PAIR_OF_RUNS, icon=":material/info:")
else:
    good, bad = controls.seeds(solved, stuck)
    pi, pj = (i, j) if i < 9 and j < 9 else (0, 7)
    for box, seed, ok in zip(st.columns(2, gap="medium"), (good, bad), (True, False)):  # side by side, always
        with box:
            p = run.run_path(seed, pi, pj)
            end = ("end", float(p.path["u"][-1]), float(p.path["v"][-1]), p.final_loss)
            title = f"Seed {seed}: {'solves XOR' if ok else 'gets stuck'}"
            spec, _, _ = charts.landscape_spec(p.surface, present, title, charts.point_columns([end]), path=p.path,
                                               height=340 if present else 300, arrow=False)  # fmt: skip
            desc = text.path_description(seed, len(p.path["epoch"]), float(p.path["loss"][0]), p.final_loss)
            draw(spec, desc, key=f"ll_path_{'ok' if ok else 'stuck'}")
            st.caption(text.path_caption(seed, p.final_loss, ok, p.final_gradient, run.RECIPE["lr"]))

# ----- 4. what a slice shows -----------------------------------------------------------------------------------
st.header("What a 2-D slice can and cannot show")
st.markdown(text.SLICE_LIMITS)
