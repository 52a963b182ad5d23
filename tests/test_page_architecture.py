"""Architecture page: diagram, parameter table and single-neuron explorer show what core computes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT, chart_specs, give_trained_run, open_page
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import MLP, X, notes_network, train, y
from core.data import NOTES_WEIGHTS
from core.hidden_width import resize_hidden
from core.linear_sep import count_correct, neuron_z

KEYS = ["w1_00", "w1_01", "w1_10", "w1_11", "b1_0", "b1_1", "w2_0", "w2_1", "b2"]


def charts(at) -> list[dict]:
    """Per chart on the page, its named datasets as DataFrames (diagram, single neuron, hidden space)."""
    return [
        {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}
        for el in at.get("vega_lite_chart")
    ]


def param_table(at):
    return at.table[0].value


def check_diagram(at, net: MLP) -> None:
    """The diagram's edges and biases are the network's weights, in the notes' names."""
    assert not at.exception, at.exception
    diagram = charts(at)[0]
    edges, nodes = diagram["edges"], diagram["nodes"]
    h = net.W[0].shape[1]
    assert list(edges["param"]) == [f"W1[{i},{j}]" for i in range(2) for j in range(h)] + [f"W2[{j}]" for j in range(h)]
    np.testing.assert_allclose(edges["value"].to_numpy(), np.r_[net.W[0].ravel(), net.W[1].ravel()])
    assert set(edges["sign"]) <= {"positive", "negative", "zero"}
    assert all((v > 0) == (s == "positive") for v, s in zip(edges["value"], edges["sign"]))
    hidden_out = nodes[nodes["layer"] != "in"]
    np.testing.assert_allclose(hidden_out["bias"].to_numpy(), np.r_[net.b[0].ravel(), net.b[1].ravel()])
    counts = param_table(at)["Count"].astype(int).tolist()
    assert counts == [2 * h, h, h, 1, 4 * h + 1]
    assert any(f"4·{h} + 1 = **{4 * h + 1}**" in m.value for m in at.markdown)


def check_neuron(at, u1: float, u2: float, c: float) -> None:
    """The single neuron z = u1·x1 + u2·x2 + c (its own weights u1, u2 and bias c) follows core."""
    assert not at.exception, at.exception
    count = count_correct(u1, u2, c, X, y)
    assert at.metric[0].value == f"{count} of 4"
    pts = charts(at)[1]["points"]
    np.testing.assert_allclose(pts["z"].to_numpy(), neuron_z(u1, u2, c), atol=1e-12)
    assert (pts["mark"] == "✓").sum() == count
    z = neuron_z(u1, u2, c)
    tex = "\n".join(el.value for el in at.latex)
    assert f"{z[1] + z[2]:.2f}" in tex and f"{z[0] + z[3]:.2f}" in tex
    # the pair-sum derivation names the neuron's own u1, u2, c, never the network's W1, W2 / w1, w2
    assert "(u_2 + c) + (u_1 + c)" in tex and "c + (u_1 + u_2 + c)" in tex
    assert "w_1" not in tex and "w_2" not in tex
    text = " ".join(m.value for m in at.markdown)
    assert "**z = u1·x1 + u2·x2 + c**" in text and "**u1 + u2 + 2c**" in text
    assert "w1" not in text and "w2" not in text
    assert "`" not in text  # no code names for students


def test_default_shows_the_notes_network_and_nine_parameters():
    at = open_page("architecture.py")
    assert at.slider(key="ar_width").value == 2
    check_diagram(at, notes_network())
    table = param_table(at)
    assert list(table.index) == ["W1", "b1", "W2", "b2", "Total"]
    assert list(table["Shape"])[:4] == ["2×2", "1×2", "2×1", "1×1"]
    check_neuron(at, 1.0, 1.0, -0.5)
    assert at.metric[0].value == "3 of 4"
    # the hidden layer's view: a1 of each input, and the output, from core
    hidden = charts(at)[2]["points"]
    fwd = notes_network().forward(X)
    np.testing.assert_allclose(hidden[["x1", "x2"]].to_numpy(), fwd.a[1], rtol=1e-12)
    np.testing.assert_allclose(hidden["output"].to_numpy(), fwd.a[2][:, 0], rtol=1e-12)
    assert "**OR**" in " ".join(m.value for m in at.markdown) and "**AND**" in " ".join(m.value for m in at.markdown)


def test_width_control_redraws_diagram_and_table():
    at = open_page("architecture.py")
    for width in (1, 5, 8, 2):
        at.slider(key="ar_width").set_value(width).run()
        expected = resize_hidden(notes_network(), width, seed=0).net
        check_diagram(at, expected)
        captions = " ".join(c.value for c in at.caption)
        assert {1: "left out", 5: "are new", 8: "are new", 2: "as they are"}[width] in captions


def test_changing_a_weight_redraws_the_diagram():
    at = open_page("architecture.py")
    at.number_input(key="w2_1").set_value(2.5).run()
    params = {k: v.copy() for k, v in NOTES_WEIGHTS.items()}
    params["W2"][1, 0] = 2.5
    net = MLP.from_dict(params)
    check_diagram(at, net)
    hidden = charts(at)[2]["points"]
    np.testing.assert_allclose(hidden["output"].to_numpy(), net.forward(X).a[2][:, 0], rtol=1e-12)


NEURONS = [
    (-1.0, -1.0, 1.5),
    (1.0, -1.0, -0.5),
    (0.0, 0.0, 0.3),
    (10.0, 10.0, -10.0),
    (-10.0, 10.0, 10.0),
    (2.3, -4.1, 0.7),
]


def test_single_neuron_counts_and_never_four():
    at = open_page("architecture.py")
    for u1, u2, c in NEURONS:
        for key, v in (("ar_u1", u1), ("ar_u2", u2), ("ar_c", c)):
            at.slider(key=key).set_value(v).run()
        check_neuron(at, u1, u2, c)
        assert at.metric[0].value != "4 of 4"
        line = charts(at)[1]["line"]
        if u1 == 0 and u2 == 0:
            assert len(line) == 0 and any("no line" in cap.value and "u1 = u2 = 0" in cap.value for cap in at.caption)
        else:
            assert np.allclose(u1 * line["x1"] + u2 * line["x2"] + c, 0, atol=1e-9)
    labels = [at.slider(key=k).label for k in ("ar_u1", "ar_u2", "ar_c")]
    assert labels == ["u1 (weight of x1)", "u2 (weight of x2)", "c (bias)"]


@pytest.mark.parametrize("v", [20.0, -20.0])
def test_extreme_weights(v):
    at = open_page("architecture.py")
    for i, k in enumerate(KEYS):  # all nine at once, as if typed in one go
        at.session_state[k] = v if i % 3 else -v
    at.session_state["net_source"] = "manual"
    at.run()
    assert not at.exception
    values = [v if i % 3 else -v for i in range(9)]
    params = {"W1": np.array(values[:4]).reshape(2, 2), "b1": np.array([values[4:6]])}
    params.update(W2=np.array(values[6:8]).reshape(2, 1), b2=np.array([[values[8]]]))
    check_diagram(at, MLP.from_dict(params))
    for width in (1, 8):
        at.slider(key="ar_width").set_value(width).run()
        assert not at.exception
    for d in charts(at):
        for df in d.values():
            num = df.select_dtypes("number").to_numpy(dtype=float)
            assert np.isfinite(num).all()


def open_link(query: dict):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=60)
    at.run()
    for k, val in query.items():
        at.query_params[k] = val
    at.switch_page("../pages/architecture.py").run()
    return at


def test_links():
    at = open_link({"ar_width": "5", "ar_u1": "-2", "ar_u2": "3.5", "ar_c": "0.5"})
    assert at.slider(key="ar_width").value == 5
    check_diagram(at, resize_hidden(notes_network(), 5).net)
    check_neuron(at, -2.0, 3.5, 0.5)
    at = open_link({"ar_width": "99", "ar_u1": "nan", "ar_c": "abc"})
    assert not at.exception
    assert at.slider(key="ar_width").value == 2 and at.slider(key="ar_u1").value == 1.0
    assert any("could not be used" in w.value for w in at.warning)


def test_trained_network_of_another_width():
    hist = train(MLP.create([2, 4, 1], hidden="tanh", seed=3), X, y, lr=0.5, epochs=300, snapshots=4)
    at = open_page("architecture.py")
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    net = hist.network_at(hist.snapshot_epochs[-1])
    assert at.slider(key="ar_width").value == 4  # the width control follows the network
    check_diagram(at, net)
    assert "4 dimensions" in at.info[0].value
    at.slider(key="ar_width").set_value(2).run()
    check_diagram(at, resize_hidden(net, 2).net)
    assert any("left out" in c.value for c in at.caption)


# ----- the fast path (issue 9): cached charts and tables show exactly what core computes ----------------------
def snapshot(at) -> dict:
    """Everything the page displays, in comparable form: text, maths, metrics, tables, chart specs and data."""
    assert not at.exception, at.exception
    return {
        "latex": [el.value for el in at.latex],
        "markdown": [el.value for el in at.markdown],
        "captions": [el.value for el in at.caption],
        "metrics": [(m.label, m.value) for m in at.metric],
        "tables": [el.value.to_dict("split") for el in at.table]
        + [(el.value.to_dict("split"), el.proto.columns) for el in at.dataframe],
        "charts": [
            (json.loads(el.proto.spec), {k: v.to_dict("list") for k, v in d.items()})
            for el, d in zip(at.get("vega_lite_chart"), charts(at))
        ],
    }


@pytest.mark.slow
def test_cached_and_warmed_renders_equal_a_fresh_render():
    """Caching keeps every displayed value identical to computing it afresh: a first render (empty
    caches), a second one (every cache hit) and a render after app.architecture.run.warm() agree,
    for the default view and a moved neuron."""
    import streamlit as st

    from app.architecture import run

    for query in ({}, {"ar_u1": "-2.3", "ar_c": "0.7"}):
        st.cache_data.clear()
        st.cache_resource.clear()
        fresh = snapshot(open_page("architecture.py", query=query))
        again = snapshot(open_page("architecture.py", query=query))
        st.cache_data.clear()
        st.cache_resource.clear()
        run.warm()
        warmed = snapshot(open_page("architecture.py", query=query))
        assert fresh == again == warmed


@pytest.mark.parametrize("u1, u2, c", [*NEURONS, (1.0, 1.0, -0.5)])
def test_single_neuron_data_and_table_are_cores(u1, u2, c):
    from app.architecture import run

    data = run.neuron(u1, u2, c)
    df = data["table"].to_pandas()
    assert list(df.columns) == ["input", "XOR", "z", "σ(z)", "prediction", "right?"]
    np.testing.assert_array_equal(df["z"].to_numpy(), neuron_z(u1, u2, c))
    np.testing.assert_array_equal(data["points"]["z"], neuron_z(u1, u2, c))
    assert (df["right?"] == "✓").sum() == count_correct(u1, u2, c, X, y)
    assert list(data["points"]["label"]) == list(y[:, 0].astype(int))


@pytest.mark.parametrize("width", [1, 2, 5])
def test_diagram_tables_and_hidden_space_hold_the_networks_numbers(width):
    from app.architecture import run

    net = resize_hidden(notes_network(), width, seed=0).net
    nodes, edges, edge_table, bias_table = run.diagram(net.key())
    weights = np.r_[net.W[0].ravel(), net.W[1].ravel()]
    np.testing.assert_array_equal(edges["value"], weights)
    edges_shown = edge_table.to_pandas()
    np.testing.assert_array_equal(edges_shown["value"].to_numpy(), weights)
    assert list(edges_shown["weight"]) == [f"W1[{i},{j}]" for i in range(2) for j in range(width)] + [
        f"W2[{j}]" for j in range(width)
    ]
    np.testing.assert_array_equal(bias_table.to_pandas()["value"].to_numpy(), np.r_[net.b[0].ravel(), net.b[1].ravel()])
    if width == 2:
        hidden = run.hidden_space(net.key())
        a1 = net.forward(X).a[1]
        np.testing.assert_array_equal(np.c_[hidden["points"]["x1"], hidden["points"]["x2"]], a1)
        np.testing.assert_array_equal(hidden["table"].to_pandas()[["a1[0]", "a1[1]"]].to_numpy(), a1)
        assert hidden["merged"] == [lab for lab in hidden["points"]["name"] if "] [" in lab]


def test_inputs_the_hidden_layer_sends_to_one_spot_share_a_label():
    """A hidden layer that ignores x2 puts [0 0] with [0 1] and [1 0] with [1 1]: two shared labels,
    said in words under the table."""
    params = {k: v.copy() for k, v in NOTES_WEIGHTS.items()}
    params["W1"][1, :] = 0.0  # x2 reaches no hidden neuron
    net = MLP.from_dict(params)
    from app.architecture import run

    assert run.hidden_space(net.key())["merged"] == ["[0 0] [0 1]", "[1 0] [1 1]"]
    at = open_page("architecture.py")
    for k in ("w1_10", "w1_11"):
        at.number_input(key=k).set_value(0.0).run()
    assert not at.exception
    names = charts(at)[2]["points"]["name"].tolist()
    assert names == ["[0 0] [0 1]", "", "[1 0] [1 1]", ""]
    captions = " ".join(c.value for c in at.caption)
    assert "[0 0] and [0 1] land on almost the same spot" in captions


@pytest.mark.slow
def test_chart_specs_are_valid_vega_lite():
    """Layouts are built without Altair's validation (speed): the specs the page sends must still
    pass the Vega-Lite schema, in both modes, and each says in words what it shows now."""
    import altair as alt

    at = open_page("architecture.py")
    for presenter in (False, True):
        at.session_state["presenter"] = presenter
        at.run()
        specs = chart_specs(at)
        assert len(specs) == 5  # diagram, single neuron, hidden space; the clickable diagram and L along θ
        for spec in specs:
            alt.LayerChart.validate(spec)
        descriptions = [spec["description"] for spec in specs]
        w = np.r_[NOTES_WEIGHTS["W1"].ravel(), NOTES_WEIGHTS["W2"].ravel()]
        assert f"{w.size} weights ({(w > 0).sum()} positive, {(w < 0).sum()} negative)" in descriptions[0]
        assert f"{count_correct(1.0, 1.0, -0.5, X, y)} of the 4 XOR points right" in descriptions[1]
        a1 = notes_network().forward(X).a[1]
        assert f"[1 1] at ({a1[3, 0]:.2f}, {a1[3, 1]:.2f})" in descriptions[2]
        assert descriptions[3].endswith("The chosen number is W1[0,0].")
        assert descriptions[4].startswith("L as a function of W1[0,0] alone (the other eight fixed).")


@pytest.mark.slow
def test_moving_u1_in_a_real_server_updates_its_fragment_with_cores_numbers(tmp_path):
    """A browser reruns only the single-neuron fragment (AppTest cannot show that): its count, sums and
    table follow core, and the diagram and hidden-space parts above and below stay as they were."""
    from test_isolation import AgentServer
    from test_isolation import nodes as walk  # `nodes` is the test's own list below

    srv = AgentServer(log=tmp_path / "server.log")
    try:
        snap = srv.interact({"page": "architecture"})
        outside = [n for n in walk(snap["tree"]) if n.get("type") in ("table", "vega_lite_chart")]
        for u1 in (-1.0, 3.0):
            snap = srv.interact({"session_id": snap["session_id"], "widget_state": {"ar_u1": u1}})
            nodes = list(walk(snap["tree"]))
            assert not [n for n in nodes if n.get("type") == "exception"]
            values = {n["props"].get("label"): n["props"].get("value") for n in nodes if "value" in n.get("props", {})}
            assert values["Points classified correctly"] == f"{count_correct(u1, 1.0, -0.5, X, y)} of 4"
            z = neuron_z(u1, 1.0, -0.5)
            tex = " ".join(n["props"].get("body", "") for n in nodes if n.get("type") == "latex")
            assert f"{z[1] + z[2]:.2f}" in tex and f"{z[0] + z[3]:.2f}" in tex
            points = next(
                n["data"]["preview"]["rows"]
                for n in nodes
                if n.get("type") == "dataframe"
                and n["data"]["columns"][0]["name"] == "input"
                and n["data"]["columns"][2]["name"] == "z"
            )
            np.testing.assert_allclose([r[2] for r in points], z, rtol=1e-12)
            charts = [n for n in nodes if n.get("type") == "vega_lite_chart"]
            assert charts[0] == outside[[n.get("type") for n in outside].index("vega_lite_chart")]  # the diagram
            assert [n for n in nodes if n.get("type") == "table"] == [n for n in outside if n.get("type") == "table"]
    finally:
        srv.stop()
