"""Two runs, one start: two training settings from the same initial weights, their loss curves on one
chart and their decision boundaries side by side, replayed in sync by one epoch control. Numbers
come cached from app/two_runs/run.py (core.train.train), words from app/two_runs/text.py."""

import streamlit as st

from app import predict, probe, state, ui
from app.chart import draw
from app.two_runs import charts, checkpoints, controls, run
from app.two_runs import text as tx
from core.mlp import check_network
from core.probe import forward_point

PROBE = "cmp"  # the probe's keys: cmp_x1, cmp_x2 (app.probe); its maps cmp_plane_a, cmp_plane_b

present = ui.presenter()
ui.page_header("Two runs, one start", tx.INTRO.format(side=ui.SIDE_PANEL))
start, seed, epochs, a, b = controls.settings()
shared = shared_act = None
if start == "shared":
    net = state.current_network()
    if problem := check_network(net):
        st.warning(f"The shared network cannot be trained here: {problem}. Start from another network.")
        st.stop()
    shared, shared_act = net.key(), net.hidden
try:
    with st.spinner("Training both runs…"):
        p = run.pair(start, seed, epochs, a, b, shared)
except Exception as exc:  # a bad combination must never show a traceback
    st.error(f"Training failed with these settings: {exc}")
    st.stop()
diff = run.differing(a, b)
labels = tx.short_labels(a, b, diff)
outcomes = run.outcome(p.a, epochs), run.outcome(p.b, epochs)
cps = checkpoints.build(p, epochs, outcomes, (start, seed, epochs, repr(a), repr(b), shared))
predict.progress(list(cps.values()))


def what_runs() -> None:
    """Where both runs start and each run's settings (what differs in bold); a note when they are the
    same settings, or when different initialisers made different starts."""
    lines = [tx.start_line(start, seed, epochs, p.start_a.sizes, shared_act), tx.setting_line("A", a, diff, start)]
    st.markdown("  \n".join([*lines, tx.setting_line("B", b, diff, start)]))
    if not diff:
        st.info(tx.IDENTICAL, icon=":material/content_copy:")
    elif not p.same_start:
        st.info(tx.DIFFERENT_START, icon=":material/info:")


if not present:  # projected, the picture comes first: the settings are in the side panel and below
    what_runs()
predict.place_row(list(cps.values()), present)  # before the curves give the answers away


@st.fragment
def replay(p: run.Pair) -> None:
    """The epoch control, both runs' boundaries at that epoch with the probed point marked, the point's
    forward pass through both networks, and both loss curves; the control and a click rerun only this."""
    k = controls.epoch(p.epochs)
    nets = [run.at_epoch(h, k) for h in (p.a, p.b)]
    shown = [e for _, e in nets]
    values = [run.boundary_values(net.key()) for net, _ in nets]
    st.caption(tx.epoch_line(p, k, shown))
    boxes = st.columns(2)  # drawn once the probed point is known (its inputs come below)
    st.caption("Colour: the output a2 over the input plane (red near 1, blue near 0); black line: a2 = 0.5.")
    st.markdown(tx.PROBE_HELP)
    point = probe.point_inputs(PROBE)
    name = probe.label(point.x)
    steps = [forward_point(net, *point.x) for net, _ in nets]  # core's forward pass, at the epoch each shows
    specs = charts.boundaries(p, values, shown, k, present, probe.probe_columns(point.x))
    for box, (spec, desc), ab, step in zip(boxes, specs, "ab", steps):
        with box:
            probe.draw_clickable(spec, desc + probe.marked_words(name, step.a2), PROBE, f"plane_{ab}")
    st.markdown("  \n".join(tx.probe_verdict(r, name, e, s.a2) for r, e, s in zip("AB", shown, steps)))
    draw(*charts.loss_chart(p, k, present, labels), key="cmp_loss_chart")
    st.caption(f"Run A is the solid line, run B the dashed one; the dots and the dotted line mark epoch {k:,}.")
    for box, r, (net, _), e, step in zip(ui.columns(2, present), "AB", nets, shown, steps):
        with box:
            st.markdown(f"**{tx.probe_heading(r, name, e)}**")  # two side by side: no large heading
            probe.show_steps(net, step, present, one_column=True)


replay(p)
if present:
    what_runs()
for name, h, o in zip("AB", (p.a, p.b), outcomes):
    (st.error if h.diverged else st.markdown)(tx.outcome_line(name, h, o, epochs))
if diff:
    st.markdown(tx.comparison(*outcomes, p.a.loss_name == p.b.loss_name))
    st.subheader("What to look for")
    st.markdown(tx.look_for(diff))
if min(float(h.loss.min()) for h in (p.a, p.b)) < charts.LOSS_FLOOR:
    st.caption(f"Losses below {charts.LOSS_FLOOR:g} are drawn at {charts.LOSS_FLOOR:g} (a log axis cannot show 0).")
