"""Forward pass: one input through the network with every number substituted, then the whole batch
as matrices, the activation curve with the current z values, and the notes' rounding."""

import numpy as np
import streamlit as st

from app import predict, probe, state, take_home_ui, ui
from app.chart import draw
from app.forward_pass import charts, checkpoints, controls, run
from app.forward_pass import text as tx
from core import formulas as F
from core.data import ROW_LABELS, X, y
from core.decision import predicts_one
from core.forward_steps import ForwardRow, compare_with_notes, forward_row, is_notes_network
from core.mlp import MLP, check_network
from core.probe import forward_point

PRESENT = ui.presenter()
CURVE_TABLE_FORMATS = {c: st.column_config.NumberColumn(format="%.3f") for c in ("z", "activation")}

ui.page_header(
    "Forward pass",
    "**z1 = X @ W1 + b1, a1 = σ(z1)**, then **z2 = a1 @ W2 + b2, a2 = σ(z2)** — first for one input with "
    "every number written in, then for all four inputs at once. Each **z** is a neuron's **pre-activation** "
    "(weighted sum plus bias); the activation function turns it into the neuron's **activation** a.",
)
net = state.network_control(editor=False)
st.markdown(state.network_caption(net))
net = state.weight_editor(expanded=False if PRESENT else None)  # projected: the result on the first screen
shown_row = st.session_state.get("fp_row", run.DEFAULT_ROW)  # any point: the downloads follow the default row
take_home_ui.offer(net, "forward_pass", PRESENT, row=shown_row if shown_row in range(4) else run.DEFAULT_ROW)
if problem := check_network(net):
    st.error(f"This page follows the notes' one-hidden-layer network: {problem}.")
    st.stop()


def one_input(net: MLP, step: ForwardRow, name: str, target: int | None, metric_boxes: list) -> None:
    """One input (``step``: core's forward pass of it; ``name`` as the page writes it; ``target`` its XOR
    answer, None for a point that is not one of the four) neuron by neuron, every number written in."""
    pred = int(predicts_one(step.a2))

    def result_metrics() -> None:
        c1, c2, c3 = metric_boxes if metric_boxes[0] is not None else st.columns(3)
        c1.metric("Output a2", ui.fmt(step.a2, 3))
        c2.metric("Prediction (a2 > 0.5 → 1)", pred)
        if target is None:
            c3.metric("Input x", name)
        else:
            c3.metric(f"Expected: XOR{name}", target)

    def verdict() -> None:
        said = f"the network says {pred} for {name}"
        if target is None:
            st.info(
                f"{said[0].upper() + said[1:]}. XOR has an answer only at the four corners, so this point has no right "
                "answer: the network's output here is how it fills in the plane between them.",
                icon=":material/explore:",
            )
        elif pred == target:
            st.success(f"Right: {said}, and XOR is {target}.", icon=":material/check:")
        else:
            st.error(f"Wrong: {said}, but XOR is {target}.", icon=":material/close:")

    blocks = tx.hidden_lines(net, step)
    act_tex = tx.activation_definition(net.hidden)
    if PRESENT:
        # A projector's first screen: the result beside the input choice, then both steps side by side
        # (maths at normal size: presenter mode already enlarges it).
        result_metrics()
        s1, s2 = st.columns(2, gap="large")
        with s1:
            st.subheader(f"Step 1: input {name} → hidden layer")
            st.latex(act_tex)
            for lines in blocks:
                st.latex(tx.aligned(lines, r"\normalsize"))
        with s2:
            st.subheader("Step 2: hidden layer → output")
            st.latex(tx.aligned(tx.output_lines(net, step), r"\normalsize"))
            verdict()
    else:
        st.header(f"Step 1: input {name} → hidden layer")
        st.markdown(tx.ACTIVATION_WORDS)
        st.latex(act_tex)
        per_row = 2  # side by side on a wide screen; stacked on a phone
        for start in range(0, len(blocks), per_row):
            for col, lines in zip(st.columns(per_row), blocks[start : start + per_row]):
                col.latex(tx.aligned(lines))
        st.header("Step 2: hidden layer → output")
        st.latex(tx.aligned(tx.output_lines(net, step)))
        result_metrics()
        verdict()
    st.caption(
        "Numbers are shown rounded (z to 2 decimals, activations to 3); every result is computed from the exact "
        "values, so re-adding the rounded numbers by hand can differ in the last digit."
    )


def any_point(net: MLP) -> ForwardRow:
    """Any point of the plane: typed (x1, x2) or clicked on the output's map, where it is marked; returns
    core's forward pass of it."""
    box, side = ui.columns([3, 2], PRESENT)
    with side:
        point = controls.point()
        st.caption(
            "Click anywhere on the map (or type x1 and x2): the point goes through the network below with every "
            "number written in. The black line is where a2 = 0.5."
        )
    step = forward_point(net, *point.x)
    a2 = run.plane(net.key())
    with box:
        probe.draw_clickable(
            charts.plane_spec(a2, point.x, PRESENT), charts.plane_text(a2, point.x, step.a2), controls.PREFIX
        )
    return step


def notes_rounding(net: MLP) -> None:
    """For the notes' own network: their hand-rounded [1 0] beside the exact values."""
    if not is_notes_network(net):
        st.caption(f"The notes' hand calculation uses their example weights; pick them in {ui.SIDE_PANEL} to compare.")
        return
    st.info(tx.notes_comparison(compare_with_notes(net, X)), icon=":material/calculate:")


def batch_tables(net: MLP, fwd, row: int) -> None:
    """X, z1, a1 and z2|a2 for all four inputs (``fwd``: net's forward pass of X), the chosen row marked
    (none when the input is any point)."""
    h = net.W[0].shape[1]
    act = "σ" if net.hidden == "sigmoid" else net.hidden
    st.header("All four inputs at once: the matrix form")
    env = F.environment(net, X, y)
    st.markdown(
        "The same arithmetic for every row of X at once, one input per row. Shapes, as NumPy meets them: "
        + F.shapes_line(F.FORWARD["z1"], env)
        + "; "
        + F.shapes_line(F.FORWARD["z2"], env)
        + (
            ". The chosen input's row is marked ▶" + (" and highlighted." if PRESENT else ".")
            if row != run.ANY
            else ". The probed point is not one of the four rows."
        )
    )
    hid = [f"h{j + 1}" for j in range(h)]
    row = None if row == run.ANY else row
    tables = [
        ("X and y (the data)", "X (4×2), y (4×1)", np.hstack([X, y]), ["x1", "x2", "y"], 0),
        ("z1 = X @ W1 + b1, the pre-activations", f"4×{h}", fwd.z[1], hid, 3),
        (f"a1 = {act}(z1)", f"4×{h}", fwd.a[1], hid, 3),
        ("z2 = a1 @ W2 + b2, a2 = σ(z2)", "4×1 each", np.hstack([fwd.z[2], fwd.a[2]]), ["z2", "a2"], 3),
    ]
    for start in range(0, len(tables), 2):
        group = tables[start : start + 2]
        for col, (title, shape, m, names, digits) in zip(st.columns(2, gap="medium"), group):
            with col:
                st.markdown(f"**{title}** · {shape}")
                ui.show_matrix(m, ROW_LABELS, names, digits=digits, highlight_row=row)
    broadcasting(env, hid, row)


def broadcasting(env: dict, hid: list[str], row: int) -> None:
    """b1 (one row) added to every row of X @ W1: NumPy's broadcasting, and its backward twin."""
    st.subheader("Adding b1 to every row: broadcasting")
    st.markdown(tx.broadcast_words(env))
    c1, c2 = st.columns(2, gap="medium")
    with c1:
        st.markdown(f"**X @ W1** · {F.shape_text(np.shape(F.evaluate('X @ W1', env)))}")
        ui.show_matrix(F.evaluate("X @ W1", env), ROW_LABELS, hid, digits=3, highlight_row=row)
    with c2:
        st.markdown(f"**+ b1** · {F.shape_text(env['b1'].shape)}, added to each of the rows")
        ui.show_matrix(env["b1"], ["b1"], hid, digits=3)


def conventions(net: MLP) -> None:
    """X @ W (rows are examples, W is in × out) against z = Wx + b and PyTorch's (out, in) weights."""
    with st.expander("X @ W1 here, W x + b in textbooks, (out, in) in PyTorch"):
        st.markdown(tx.CONVENTIONS_WORDS)
        st.latex(tx.conventions_tex(net))


def activation_curve(net: MLP, x: tuple, name: str) -> None:
    """The activation curve(s) with this input's z values marked, and the same numbers as a table."""
    st.header("Where the z values land on the curve")
    st.markdown(
        f"Each neuron squashes its z through {'σ' if net.hidden == 'sigmoid' else 'its activation'}: "
        "far from 0 the curve is flat (the neuron is sure, or saturated); near 0 it is steep and undecided. "
        "Circles: hidden neurons; diamond: the output."
    )
    data = run.curve(net.key(), x)
    cc, ct = ui.columns([2, 1], PRESENT)
    with cc:
        draw(charts.curve_spec(data, PRESENT), charts.curve_text(data, name), key="fp_curve")
    with ct:
        ui.table(data["table"], CURVE_TABLE_FORMATS, hide_index=True, width="content")
    if not data["all_finite"]:
        ct.warning("Values that are not finite numbers are left out of the chart.")


@st.fragment
def input_and_results(net: MLP) -> None:
    """Everything that depends on the chosen input (fp_row, and for any point fp_x1, fp_x2 or a click on
    the plane). In a browser, moving it reruns only this fragment, not the sidebar and the weight editor;
    changing the network reruns the whole page."""
    # Presenter mode: the input choice and the three result numbers share one row at the top.
    row_box, *metric_boxes = st.columns([3, 2, 2, 2]) if PRESENT else (st.container(), None, None, None)
    row = controls.input_choice(row_box)
    if row != run.ANY:  # the downloads' worked arithmetic follows one of the four rows
        take_home_ui.later("forward_pass").update(row=row)  # this fragment's input, for the downloads
    fwd = net.forward(X)
    if not (np.all(np.isfinite(fwd.a[1])) and np.all(np.isfinite(fwd.a[2]))):
        st.warning(
            "Some values are not finite numbers (overflow); they are shown as ∞ or NaN and left out of the chart."
        )
    if row == run.ANY:
        step = any_point(net)
        one_input(net, step, probe.label(step.x), None, metric_boxes)
    else:
        step = forward_row(net, X, row)
        one_input(net, step, ROW_LABELS[row], int(y[row, 0]), metric_boxes)
    notes_rounding(net)
    batch_tables(net, fwd, row)
    with st.expander("The parameters as matrices"):
        st.latex(tx.param_matrices(net, stacked=PRESENT))
    conventions(net)
    name = probe.label(step.x) if row == run.ANY else ROW_LABELS[row]
    activation_curve(net, tuple(float(v) for v in step.x), name)


cps = checkpoints.build(net)
predict.progress(list(cps.values()))
predict.place_row([cps["z1"], cps["a2"]], PRESENT)
input_and_results(net)
