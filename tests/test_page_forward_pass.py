"""Forward pass page: the numbers shown are the ones core computes, for every input and weight."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import chart_specs, give_trained_run, open_page
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import MLP, X, notes_network, train, y
from core.activations import sigmoid
from core.data import NOTES_WEIGHTS, ROW_LABELS
from core.forward_steps import compare_with_notes

KEYS = ["w1_00", "w1_01", "w1_10", "w1_11", "b1_0", "b1_1", "w2_0", "w2_1", "b2"]


def chart_data(at, i: int = 0) -> dict:
    """The named datasets Streamlit ships beside chart i, as DataFrames."""
    el = at.get("vega_lite_chart")[i]
    return {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}


def latex(at) -> str:
    return "\n".join(el.value for el in at.latex)


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def matrices(at) -> dict:
    """The batch tables: X|y, z1, a1 (the two tables with h-columns, in that order) and z2|a2."""
    out, hidden = {}, []
    for df in (el.value for el in at.dataframe):
        cols = list(df.columns)
        if cols == ["x1", "x2", "y"]:
            out["X"], out["y"] = df[["x1", "x2"]], df[["y"]]
        elif cols and all(c.startswith("h") and c[1:].isdigit() for c in cols):
            hidden.append(df)
        elif cols == ["z2", "a2"]:
            out["z2"], out["a2"] = df[["z2"]], df[["a2"]]
    out["z1"], out["a1"] = hidden[0], hidden[1]
    return out


def check_against_core(at, net: MLP, row: int) -> None:
    """Everything the page shows for ``row`` equals core's forward pass."""
    assert not at.exception, at.exception
    fwd = net.forward(X)
    z1, a1, z2, a2 = fwd.z[1][row], fwd.a[1][row], fwd.z[2][row, 0], fwd.a[2][row, 0]
    tex = latex(at)
    for j in range(len(z1)):
        assert f"z_1[{j}]" in tex
        assert f"{z1[j]:.2f}" in tex.replace("-0.00", "0.00") or abs(z1[j]) < 0.005
        assert rf"\mathbf{{{a1[j]:.3f}}}" in tex
    assert f"{z2:.2f}" in tex or abs(z2) < 0.005
    assert rf"\mathbf{{{a2:.3f}}}" in tex
    m = metrics(at)
    assert m["Output a2"] == f"{a2:.3f}".replace("-", "−")
    assert m["Prediction (a2 > 0.5 → 1)"] == str(int(a2 > 0.5))
    assert m[f"Expected: XOR{ROW_LABELS[row]}"] == str(int(y[row, 0]))
    tabs = matrices(at)
    np.testing.assert_allclose(tabs["X"].to_numpy(), X)
    np.testing.assert_allclose(tabs["z1"].to_numpy(), fwd.z[1], rtol=1e-12)
    np.testing.assert_allclose(tabs["a1"].to_numpy(), fwd.a[1], rtol=1e-12)
    np.testing.assert_allclose(tabs["z2"].to_numpy(), fwd.z[2], rtol=1e-12)
    np.testing.assert_allclose(tabs["a2"].to_numpy(), fwd.a[2], rtol=1e-12)
    np.testing.assert_allclose(tabs["y"].to_numpy(), y)
    # the curve marks every z of this input, at its activation
    marks = chart_data(at)["marks"]
    np.testing.assert_allclose(marks["z"].to_numpy(), [*z1, z2], rtol=1e-12)
    np.testing.assert_allclose(marks["a"].to_numpy(), [*a1, a2], rtol=1e-12)
    assert np.isfinite(marks[["z", "a", "ly"]].to_numpy()).all()


def test_default_shows_the_notes_example_for_input_1_0():
    at = open_page("forward_pass.py")
    assert at.radio(key="fp_row").value == 2  # [1 0], as in the notes
    check_against_core(at, notes_network(), 2)
    tex = latex(at)
    # written out like the notes: z1[0] = 5.2·1 + 5.1·0 + (−2.5) = 2.70 → σ(2.70) = 0.937
    assert r"z_1[0] &= 5.2\cdot 1 + 5.1\cdot 0 + (-2.5)" in tex
    assert r"&= 2.70 \rightarrow \sigma(2.70) = \mathbf{0.937}" in tex
    assert r"z_1[1] &= 4.8\cdot 1 + 4.9\cdot 0 + (-7.3)" in tex
    assert r"z_2 &= 0.937\cdot 7.2 + 0.076\cdot (-7.1)" in tex
    assert len(chart_specs(at)) == 1
    params = "\n".join(el.value for el in at.latex if "underset" in el.value)
    assert r"\begin{bmatrix}5.2 & 4.8\\5.1 & 4.9\end{bmatrix}" in params
    assert r"\begin{bmatrix}7.2\\-7.1\end{bmatrix}" in params
    # the exact-vs-notes line: every figure in it but the notes' quote comes from core
    c = compare_with_notes(notes_network(), X)
    info = at.info[0].value
    for figure in (c.exact.z2, c.exact.a2, c.rounded.z2, c.rounded.a2):
        assert f"{figure:.3f}" in info
    assert "z2 = 3.2 → 0.96" in info and "(0.94, 0.08)" in info and "slip" in info


@pytest.mark.parametrize("row", [0, 1, 3])
def test_changing_the_input_changes_every_number(row):
    at = open_page("forward_pass.py")
    at.radio(key="fp_row").set_value(row).run()
    check_against_core(at, notes_network(), row)
    x1, x2 = (int(v) for v in X[row])
    assert rf"z_1[0] &= 5.2\cdot {x1} + 5.1\cdot {x2} + (-2.5)" in latex(at)


def test_changing_a_weight_changes_the_numbers():
    at = open_page("forward_pass.py")
    at.number_input(key="w1_00").set_value(3.0).run()
    params = {k: v.copy() for k, v in NOTES_WEIGHTS.items()}
    params["W1"][0, 0] = 3.0
    net = MLP.from_dict(params)
    check_against_core(at, net, 2)
    tex = latex(at)
    assert r"z_1[0] &= 3\cdot 1 + 5.1\cdot 0 + (-2.5)" in tex
    assert rf"\sigma(0.50) = \mathbf{{{float(sigmoid(0.5)):.3f}}}" in tex  # 3 − 2.5 = 0.5 → 0.622
    assert not at.info  # the notes' comparison only applies to the notes' weights
    at.number_input(key="b2").set_value(-10.0).run()
    params["b2"][0, 0] = -10.0
    check_against_core(at, MLP.from_dict(params), 2)
    assert metrics(at)["Prediction (a2 > 0.5 → 1)"] == "0" and at.error  # now wrong for [1 0]


@pytest.mark.parametrize("pattern", ["+20", "-20", "mixed"])
def test_extreme_weights_every_row(pattern):
    at = open_page("forward_pass.py")
    values = {
        "+20": [20.0] * 9,
        "-20": [-20.0] * 9,
        "mixed": [20.0, -20.0, -20.0, 20.0, -20.0, 20.0, 20.0, -20.0, 20.0],
    }
    for k, v in zip(KEYS, values[pattern]):  # all nine at once, as if typed in one go
        at.session_state[k] = v
    at.session_state["net_source"] = "manual"
    at.run()
    params = {"W1": np.array(values[pattern][:4]).reshape(2, 2), "b1": np.array([values[pattern][4:6]])}
    params["W2"] = np.array(values[pattern][6:8]).reshape(2, 1)
    params["b2"] = np.array([[values[pattern][8]]])
    net = MLP.from_dict(params)
    for row in range(4):
        at.radio(key="fp_row").set_value(row).run()
        check_against_core(at, net, row)
        page_text = " ".join(str(el.value) for el in at.markdown) + latex(at)
        assert "nan" not in page_text.lower()


def open_link(query: dict):
    """The page opened from a shared link (query parameters present when the page first runs)."""
    return open_page("forward_pass.py", query=query)


def test_link_sets_the_input_and_bad_links_do_not_crash():
    at = open_link({"fp_row": "[0 1]"})
    assert at.radio(key="fp_row").value == 1
    check_against_core(at, notes_network(), 1)
    for bad in ("7", "abc", "[1 1] [0 0]"):
        at = open_link({"fp_row": bad})
        assert not at.exception
        assert at.radio(key="fp_row").value == 2
        check_against_core(at, notes_network(), 2)
        assert any("could not be used" in w.value for w in at.warning)


def test_trained_network_of_other_width_and_activation():
    hist = train(MLP.create([2, 3, 1], hidden="tanh", seed=2), X, y, lr=0.5, epochs=300, snapshots=4)
    at = open_page("forward_pass.py")
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    net = hist.network_at(hist.snapshot_epochs[-1])
    check_against_core(at, net, 2)
    assert r"z_1[2]" in latex(at) and r"\tanh(" in latex(at)
    assert not at.number_input  # hand editing is only for 2-2-1
    assert set(chart_data(at)["curves"]["curve"]) == {"tanh", "sigmoid"}


# ----- the fast path (issue 9): cached tables and chart data show exactly what core computes -----------------
def snapshot(at) -> dict:
    """Everything the page displays, in comparable form: text, maths, metrics, every table (values,
    row labels, number formats) and every chart (spec and decoded datasets)."""
    assert not at.exception, at.exception
    tables = [(el.value.to_dict("split"), el.proto.columns) for el in at.dataframe]
    tables += [el.value.to_dict("split") for el in at.table]
    charts = [
        (json.loads(el.proto.spec), {k: v.to_dict("list") for k, v in chart_data(at, i).items()})
        for i, el in enumerate(at.get("vega_lite_chart"))
    ]
    return {
        "latex": latex(at),
        "metrics": metrics(at),
        "markdown": [el.value for el in at.markdown],
        "tables": tables,
        "charts": charts,
    }


def printf(fmt: str, v: float) -> str:
    return fmt % v


@pytest.mark.parametrize("row", [0, 1, 2, 3])
def test_batch_tables_show_core_numbers_with_the_old_formats(row):
    """The four tables: core's numbers, each column printed with the fixed decimals the old pandas Styler
    used ("{:.0f}" for the data, "{:.3f}" for z1, a1, z2, a2), the chosen input's row marked ▶; then
    the broadcasting pair X @ W1 and b1 (one row) whose sum is z1."""
    at = open_page("forward_pass.py", query={"fp_row": ROW_LABELS[row]})
    net = notes_network()
    fwd = net.forward(X)
    labels = [("▶ " if i == row else "") + lab for i, lab in enumerate(ROW_LABELS)]
    expected = {
        ("x1", "x2", "y"): (np.hstack([X, y]), 0, labels),
        ("h1", "h2"): None,
        ("z2", "a2"): (np.hstack([fwd.z[2], fwd.a[2]]), 3, labels),
    }
    hidden = [(fwd.z[1], 3, labels), (fwd.a[1], 3, labels), (X @ net.W[0], 3, labels), (net.b[0], 3, ["b1"])]
    np.testing.assert_allclose(hidden[2][0] + hidden[3][0], fwd.z[1], rtol=1e-15)  # broadcasting: b1 on every row
    seen = 0
    for el in at.dataframe:
        df, formats = el.value, json.loads(el.proto.columns)
        key = tuple(df.columns)
        if key not in expected:
            continue
        values, digits, index = expected[key] if expected[key] is not None else hidden.pop(0)
        assert list(df.index) == index
        np.testing.assert_array_equal(df.to_numpy(), values)  # the exact numbers, not rounded copies
        for j, col in enumerate(key):
            fmt = formats[col]["type_config"]["format"]
            assert fmt == f"%.{digits}f"
            assert [printf(fmt, v) for v in df[col]] == [f"{v:.{digits}f}" for v in values[:, j]]
        seen += 1
    assert seen == 6 and not hidden


def test_presenter_tables_keep_the_highlight_and_the_numbers():
    at = open_page("forward_pass.py", query={"fp_row": "[0 1]"})
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    fwd = notes_network().forward(X)
    shown = [t.value for t in at.table]
    z1 = next(t for t in shown if list(t.columns) == ["h1", "h2"])
    assert list(z1.index) == ["[0 0]", "▶ [0 1]", "[1 0]", "[1 1]"]
    np.testing.assert_allclose(z1.to_numpy(dtype=float), fwd.z[1], rtol=1e-12)


@pytest.mark.slow
def test_cached_and_warmed_renders_equal_a_fresh_render():
    """Caching keeps every displayed value identical to computing it afresh: a first render (empty
    caches), a second one (every cache hit) and a render after app.forward_pass.run.warm() agree."""
    import streamlit as st

    from app.forward_pass import run

    for row in (2, 0):
        st.cache_data.clear()
        st.cache_resource.clear()
        fresh = snapshot(open_page("forward_pass.py", query={"fp_row": ROW_LABELS[row]}))
        again = snapshot(open_page("forward_pass.py", query={"fp_row": ROW_LABELS[row]}))
        st.cache_data.clear()
        st.cache_resource.clear()
        run.warm()
        warmed = snapshot(open_page("forward_pass.py", query={"fp_row": ROW_LABELS[row]}))
        assert fresh == again == warmed


@pytest.mark.parametrize(
    "net",
    [
        notes_network(),
        MLP.create([2, 3, 1], hidden="tanh", seed=4),
        MLP.create([2, 2, 1], hidden="relu", seed=5),
        MLP.from_dict(
            {
                "W1": np.full((2, 2), 20.0),
                "b1": np.full((1, 2), -20.0),
                "W2": np.array([[20.0], [-20.0]]),
                "b2": np.array([[20.0]]),
            }
        ),
    ],
)
def test_curve_chart_and_table_hold_cores_numbers(net):
    """The curve's marks and table hold core's z and activations for each input, the axes hold every
    mark, and the filled chart ships the marks (its schema: test_chart_specs_are_valid_vega_lite)."""
    from app.forward_pass import charts, run
    from core.forward_steps import forward_row

    for row in range(4):
        step = forward_row(net, X, row)
        data = run.curve(net.key(), run.row_point(row))
        np.testing.assert_array_equal(data["table"].column("z").to_numpy(), np.r_[step.z1, step.z2])
        np.testing.assert_array_equal(data["table"].column("activation").to_numpy(), np.r_[step.a1, step.a2])
        fwd = net.forward(X)  # the whole batch at once: the same numbers (BLAS may round the last bit)
        np.testing.assert_allclose(data["marks"]["z"], np.r_[fwd.z[1][row], fwd.z[2][row]], rtol=1e-12)
        assert data["all_finite"]
        (zlo, zhi), (alo, ahi) = data["zdom"], data["adom"]
        assert zlo <= min(data["marks"]["z"]) and max(data["marks"]["z"]) <= zhi
        assert alo <= min(data["marks"]["a"]) and max(data["marks"]["a"]) <= ahi
        spec = charts.curve_spec(data, present=row == 0)
        assert spec["datasets"]["marks"].column("z").to_pylist() == list(data["marks"]["z"])


def test_chart_specs_are_valid_vega_lite():
    """Layouts are built without Altair's validation (speed): the specs the page sends must still
    pass the Vega-Lite schema, in both modes, and say in words which values they mark."""
    import altair as alt

    from core.forward_steps import forward_row

    at = open_page("forward_pass.py")
    for presenter in (False, True):
        at.session_state["presenter"] = presenter
        at.run()
        assert len(chart_specs(at)) == 1
        for spec in chart_specs(at):
            alt.LayerChart.validate(spec)
            step = forward_row(notes_network(), X, 2)
            assert f"input [1 0] marked: z1[0] = {step.z1[0]:.2f} → {step.a1[0]:.3f}" in spec["description"]
            assert f"z2 = {step.z2:.2f} → {step.a2:.3f}." in spec["description"]


@pytest.mark.slow
def test_moving_the_input_in_a_real_server_updates_its_fragment_with_cores_numbers(tmp_path):
    """A browser reruns only the input's fragment (AppTest cannot show that): everything that depends
    on the input must be inside it and show core's numbers for the new input."""
    from test_isolation import AgentServer
    from test_isolation import nodes as walk  # `nodes` is the test's own list below

    from app.ui import fmt
    from core.forward_steps import forward_row

    srv = AgentServer(log=tmp_path / "server.log")
    try:
        snap = srv.interact({"page": "forward-pass"})
        net = notes_network()
        for row in (3, 0, 1):
            snap = srv.interact({"session_id": snap["session_id"], "widget_state": {"fp_row": ROW_LABELS[row]}})
            nodes = list(walk(snap["tree"]))
            assert not [n for n in nodes if n.get("type") == "exception"]
            step = forward_row(net, X, row)
            props = [n.get("props", {}) for n in nodes]
            assert f"Step 1: input {ROW_LABELS[row]} → hidden layer" in [p.get("body") for p in props]
            values = {p.get("label"): p.get("value") for p in props if "value" in p}
            assert values["Output a2"] == fmt(step.a2, 3)
            assert str(values[f"Expected: XOR{ROW_LABELS[row]}"]) == str(int(y[row, 0]))
            assert any(rf"\mathbf{{{step.a2:.3f}}}" in p.get("body", "") for p in props)
            batch = [n["data"]["preview"]["rows"] for n in nodes if n.get("type") == "dataframe"]
            marked = [[r[-1] for r in rows] for rows in batch if len(rows) == 4 and isinstance(rows[0][-1], str)]
            assert len(marked) == 5 and all(  # X|y, z1, a1, z2|a2 and X @ W1 (broadcasting)
                labels == [("▶ " if i == row else "") + lab for i, lab in enumerate(ROW_LABELS)] for labels in marked
            )
    finally:
        srv.stop()


def test_sigma_pre_activation_broadcasting_and_conventions_are_defined_where_the_pass_starts():
    """σ(z) = 1/(1 + e^(−z)) and "pre-activation" come before the first z; b1's broadcasting is shown
    with core's shapes and numbers; X @ W (in × out) is contrasted once with Wx + b and PyTorch's
    (out, in) weight, with the current W1ᵀ."""
    from core import formulas as F

    at = open_page("forward_pass.py")
    net = notes_network()
    tex = [el.value for el in at.latex]
    assert r"\sigma(z) = \frac{1}{1 + e^{-z}}" in tex[0]  # before the first z1 line
    assert r"z_1[0]" in tex[1]
    text = " ".join(m.value for m in at.markdown)
    assert "**pre-activation**" in text and "σ(0) = 0.5" in text
    env = F.environment(net, X, y)
    assert F.shapes_line(F.FORWARD["z1"], env) in text  # "X @ W1: 4×2 @ 2×2 → 4×2; X @ W1 + b1: 4×2 + 1×2 → 4×2"
    assert "4×2 + 1×2 → 4×2" in text and "**broadcasts**" in text and "db1 adds dz1 up over the rows" in text
    # one place contrasts the conventions, with this network's W1 and its transpose
    assert [e.label for e in at.expander].count("X @ W1 here, W x + b in textbooks, (out, in) in PyTorch") == 1
    assert "nn.Linear(2, h)" in text and "(out, in) = h×2" in text and "weightᵀ = W1" in text
    from app.forward_pass.text import bmatrix

    assert any(bmatrix(net.W[0]) in t and bmatrix(net.W[0].T) in t and "W_1^{\\top}" in t for t in tex)
    assert "`" not in text  # no code names for students
    # a ReLU network: its own activation is defined beside σ
    hist = train(MLP.create([2, 3, 1], hidden="relu", seed=2), X, y, lr=0.5, epochs=20, snapshots=2)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    assert r"\mathrm{ReLU}(z) = \max(0, z)" in at.latex[0].value
