"""Beyond XOR: other problems, your own points, and how many hidden neurons each one needs."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import predict, ui
from app.beyond_xor import charts, checkpoints, controls, run, text
from app.chart import draw
from app.plane import CLICK
from core.problems import DataError, check_points

present = ui.presenter()

ui.page_header(
    "Beyond XOR",
    "Two hidden neurons draw two straight lines, and two lines are enough for XOR. Other shapes need more: "
    "circles, two moons, a spiral — or points you click in yourself. Train a network on them, hold some points "
    "out to test it, and let the page try every width and depth to find how many neurons each shape needs.",
)
link_problem = controls.load_link()  # before any widget: the link's own points
net_cfg = controls.network_settings()
if present:  # the plane keeps a squarish plot beside the replay and the two accuracies; the data below
    plane_box, numbers = st.columns([3, 2], gap="medium")
    side = st.container()
else:
    plane_box, side = ui.columns([3, 2], present)
    numbers = side

# ----- the data (beside the plane; below it when projecting) ------------------------------------------
with side:
    d = controls.data_settings()
    source = d["source"]
    own = source == text.OWN
    name = text.PROBLEM_NAMES[source]
    X, y = controls.own_points() if own else run.problem_data(source, d["n"], d["noise"], d["seed"])
    test_share, split_seed = controls.split_settings()
    if link_problem:
        st.warning(link_problem, icon=":material/link_off:")
    controls.point_tools(None if own else (X, y))
    controls.show_message()
    try:
        check_points(X, y)
        problem = None
    except DataError as err:
        problem = text.need_both(y) if "both classes" in str(err) else f"These points cannot be used: {err}."
        if not len(X):
            problem = text.NO_POINTS
    data = run.split_data(X, y, test_share, split_seed) if len(X) else None
    trained = epoch = net = None
    if problem is not None:
        st.info(problem, icon=":material/info:")
with numbers:
    if problem is None:
        trained = run.train_run(*data.train, *data.test, *net_cfg.values())
        cps = checkpoints.build(trained, data, (run.data_id(X, y), test_share, split_seed, *net_cfg.values()))
        predict.progress(list(cps.values()))
        for cp in cps.values():
            predict.place(cp, present)
        n_test = int(data.is_test.sum())
        st.caption(text.data_caption(name, len(X), len(X) - n_test, n_test, data.held_out))
        epoch = controls.epoch_slider(trained.epochs)
        net = trained.network_at(epoch)
        i = trained.epochs.index(epoch)
        c1, c2 = st.columns(2)
        c1.metric("Training accuracy", text.pct(trained.train_acc[i]), help=text.TRAIN_HELP)
        c2.metric("Test accuracy", text.pct(trained.test_acc[i]), help=text.test_help(data.held_out))

# ----- the plane ---------------------------------------------------------------------------------------------
with plane_box:
    is_test = data.is_test if data is not None and data.held_out else None
    points = charts.point_columns(np.asarray(X, float).reshape(-1, 2), np.asarray(y, float).reshape(-1, 1), is_test)
    show_lines = trained is not None and ui.linked(st.toggle, "Show each hidden neuron's line", True, key="bx_lines")
    values = run.plane_values(net.key()) if trained is not None else None
    segments = run.hidden_lines(net) if show_lines else None
    title = f"{name}: the network's output at epoch {epoch:,}" if trained is not None else name
    spec = charts.data_plane(values, points, present, title, segments, clickable=own)
    description = text.plane_description(name, X, y, trained, epoch)
    if own:
        event = draw(spec, description, key=controls.click_key(), on_select="rerun", selection_mode=CLICK)
        controls.handle_click(event)
        st.caption(text.CLICK_HELP)
    else:
        draw(spec, description, key="bx_plane")
    if show_lines:
        st.caption(text.lines_caption(net, net_cfg["depth"]))

# ----- the run -------------------------------------------------------------------------------------------------
if trained is not None:
    st.subheader("Training")
    c_text, c_chart = ui.columns([2, 3], present)
    with c_text:
        st.markdown(text.run_summary(trained, epoch, net_cfg["width"], net_cfg["depth"], net_cfg["act"]))
        if trained.stopped:
            st.warning(f"Training stopped early: {trained.stopped}.", icon=":material/error:")
        st.caption(f"Trained in {trained.seconds:.2f} s (computed once, then cached).")
    with c_chart:
        draw(charts.accuracy_spec(trained, epoch, present), text.accuracy_description(trained, epoch), key="bx_acc")

# ----- how many neurons ----------------------------------------------------------------------------------------
st.subheader("How many neurons does it need?")
st.markdown(text.sweep_intro(run.SWEEP_WIDTHS, run.SWEEP_DEPTHS, run.SWEEP_SEEDS, run.SWEEP_EPOCHS, net_cfg))
if trained is None:
    st.caption("The sweep needs points of both classes.")
else:
    sweep_id = (run.data_id(X, y), test_share, split_seed, net_cfg["act"], net_cfg["lr"])
    done = st.session_state.setdefault("_bx_swept", [])
    if st.button("Try every width and depth", key="bx_sweep", icon=":material/grid_view:", type="primary"):
        done.append(sweep_id) if sweep_id not in done else None
    sw = controls.sweep(data, net_cfg["act"], net_cfg["lr"]) if sweep_id in done else None
    if sweep_id in done and sw is None:  # the student pressed Stop
        done.remove(sweep_id)
        st.info(text.SWEEP_STOPPED, icon=":material/stop_circle:")
    if sw is not None:
        c_chart, c_words = ui.columns([3, 2], present)
        with c_chart:
            title = f"{name}: best test accuracy of {run.SWEEP_SEEDS} seeds"
            draw(charts.sweep_spec(sw, present, title, run.SOLVES), text.sweep_description(sw, name), key="bx_grid")
        with c_words:
            for line in text.sweep_words(sw, name, run.SOLVES):
                st.markdown(line)

# ----- the points ----------------------------------------------------------------------------------------------
st.subheader("The points")
if own:
    st.caption(text.link_note(len(X)))
    controls.file_tools()
if len(X):
    fmt = {c: st.column_config.NumberColumn(format="%.3f") for c in ("x1", "x2")}
    ui.table(run.points_frame(X, y, is_test), fmt, hide_index=True, key="bx_table", height=300)
controls.write_link(source)
