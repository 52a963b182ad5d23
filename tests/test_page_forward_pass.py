"""Forward pass page: the numbers shown are the ones core computes, for every input and weight."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chart_specs, open_page
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
    at.session_state["trained_run"] = {"label": "test run", "history": hist}
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    net = hist.network_at(hist.snapshot_epochs[-1])
    check_against_core(at, net, 2)
    assert r"z_1[2]" in latex(at) and r"\tanh(" in latex(at)
    assert not at.number_input  # hand editing is only for 2-2-1
    assert set(chart_data(at)["curves"]["curve"]) == {"tanh", "sigmoid"}
