"""Probe any point of the input plane (issue 19 §1), as the pages show it: Forward pass's "any point"
and Hidden features' probe and morph. Every number is checked against core's forward pass of the point
(core.probe.forward_point, itself checked against MLP.forward in tests/test_core_probe.py)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest
from conftest import give_trained_run, open_page

from app.plane import CLICK
from core.data import X, notes_network, y
from core.mlp import MLP
from core.probe import HI, LO, forward_point, morph, morph_grid
from core.train import train

ANY = "any point"


def latex(at) -> str:
    return "\n".join(el.value for el in at.latex)


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def data(at, index: int) -> dict:
    """The named datasets shipped beside chart ``index``, as DataFrames."""
    el = at.get("vega_lite_chart")[index]
    return {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets}


def chart_index(at, title_part: str) -> int:
    return next(k for k, s in enumerate(specs(at)) if title_part in json.dumps(s.get("title", ""), ensure_ascii=False))


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


def assert_arithmetic_is_cores(at, net: MLP, x1: float, x2: float) -> None:
    """The written-out forward pass holds core's numbers for (x1, x2)."""
    step = forward_point(net, x1, x2)
    tex = latex(at)
    for j in range(len(step.a1)):
        assert rf"\mathbf{{{step.a1[j]:.3f}}}" in tex
        assert f"{step.z1[j]:.2f}" in tex
    assert rf"\mathbf{{{step.a2:.3f}}}" in tex and f"{step.z2:.2f}" in tex


def all_chart_data_finite(at) -> None:
    for k in range(len(at.get("vega_lite_chart"))):
        for name, df in data(at, k).items():
            num = df.select_dtypes("number").to_numpy(dtype=float)
            assert np.isfinite(num).all(), (k, name)


def test_open_forward_pass_row_view_unchanged():
    """The four-row view keeps its control and has no probe inputs."""
    at = open_page("forward_pass.py", query={"fp_row": "[0 1]"})
    assert not at.exception
    assert at.radio(key="fp_row").value == 1
    assert [n.key for n in at.number_input if n.key in ("fp_x1", "fp_x2")] == []
    assert metrics(at)["Expected: XOR[0 1]"] == "1"


@pytest.mark.parametrize("point", [(0.25, 0.8), (1.2, -0.3), (0.5, 0.5), (-0.5, 1.5)])
def test_forward_pass_any_point_shows_cores_numbers(point):
    net = notes_network()
    at = open_page("forward_pass.py")
    at.radio(key="fp_row").set_value(4).run()
    at.number_input(key="fp_x1").set_value(point[0])
    at.number_input(key="fp_x2").set_value(point[1]).run()
    assert not at.exception
    step = forward_point(net, *point)
    assert_arithmetic_is_cores(at, net, *point)
    m = metrics(at)
    assert m["Output a2"] == f"{step.a2:.3f}".replace("-", "−")
    assert m["Prediction (a2 > 0.5 → 1)"] == str(int(step.a2 > 0.5))
    assert not any(label.startswith("Expected") for label in m)  # no XOR answer between the corners
    assert "has an answer only at the four corners" in at.info[0].value
    # the clickable plane marks the point; the curve marks its z values
    k = chart_index(at, "Click any point")
    plane = data(at, k)
    assert plane["probe"][["x1", "x2"]].to_numpy().tolist() == [list(point)]
    assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])
    marks = data(at, 1 - k)["marks"]
    np.testing.assert_array_equal(marks["z"].to_numpy(), np.r_[step.z1, step.z2])
    # the batch tables are still the four rows, none marked
    assert not any(str(i).startswith("▶") for df in (el.value for el in at.dataframe) for i in df.index)
    assert not warnings(at)


def test_forward_pass_any_point_is_part_of_the_link():
    at = open_page("forward_pass.py", query={"fp_row": ANY, "fp_x1": "0.125", "fp_x2": "1.1"})
    assert not at.exception
    assert at.radio(key="fp_row").value == 4
    assert (at.number_input(key="fp_x1").value, at.number_input(key="fp_x2").value) == (0.125, 1.1)
    assert_arithmetic_is_cores(at, notes_network(), 0.125, 1.1)


@pytest.mark.parametrize(
    "typed, used, words",
    [
        ((1e6, 0.2), (HI, 0.2), "x1 = 1,000,000 is outside the plotted square"),
        ((0.2, -1e6), (0.2, LO), "x2 = −1,000,000 is outside the plotted square"),
        ((1e300, -1e300), (HI, LO), "x2 = −1e+300 is outside"),
    ],
)
def test_forward_pass_far_points_are_clamped_with_a_message(typed, used, words):
    at = open_page("forward_pass.py")
    at.radio(key="fp_row").set_value(4).run()
    at.number_input(key="fp_x1").set_value(typed[0])
    at.number_input(key="fp_x2").set_value(typed[1]).run()
    assert not at.exception
    assert words in warnings(at) and "nearest edge" in warnings(at)
    assert_arithmetic_is_cores(at, notes_network(), *used)
    all_chart_data_finite(at)


def test_forward_pass_text_in_a_link_is_refused_and_the_probe_still_works():
    at = open_page("forward_pass.py", query={"fp_row": ANY, "fp_x1": "nan", "fp_x2": "abc"})
    assert not at.exception
    assert "x1 (input 1)" in warnings(at) and "x2 (input 2)" in warnings(at)  # named by the link message
    x1, x2 = at.number_input(key="fp_x1").value, at.number_input(key="fp_x2").value
    assert np.isfinite([x1, x2]).all()
    assert_arithmetic_is_cores(at, notes_network(), x1, x2)
    all_chart_data_finite(at)


# ----- Hidden features ------------------------------------------------------------------------------
HF = "hidden_features.py"


def probe_at(at, x1: float, x2: float):
    at.number_input(key="hf_x1").set_value(x1)
    at.number_input(key="hf_x2").set_value(x2).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("point", [(0.3, 0.7), (1.4, 0.05)])
def test_hidden_features_probe_is_marked_everywhere_with_cores_numbers(point):
    net = notes_network()
    at = probe_at(open_page(HF), *point)
    step = forward_point(net, *point)
    assert_arithmetic_is_cores(at, net, *point)
    # marked (and clickable) on the boundary and on each neuron's map
    planes = [chart_index(at, "XOR decision boundary")] + [chart_index(at, f"Hidden{k + 1}:") for k in range(2)]
    for k in planes:
        assert data(at, k)["probe"][["x1", "x2"]].to_numpy().tolist() == [list(point)]
        assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])
    # at its hidden coordinates in the hidden space
    space = data(at, chart_index(at, "Hidden space"))["probe"]
    np.testing.assert_array_equal(space[["u", "v"]].to_numpy()[0], step.a1[[0, 1]])
    words = "\n".join(c.value for c in at.caption)
    assert f"(Hidden1, Hidden2) = ({step.a1[0]:.3f}, {step.a1[1]:.3f})" in words
    assert f"a2 = {step.a2:.3f}" in words
    all_chart_data_finite(at)


def test_hidden_features_probe_far_point_is_clamped():
    at = probe_at(open_page(HF), -1e6, 0.4)
    assert "x1 = −1,000,000 is outside the plotted square" in warnings(at)
    assert_arithmetic_is_cores(at, notes_network(), LO, 0.4)
    all_chart_data_finite(at)


def test_hidden_features_probe_link_and_bad_link():
    at = open_page(HF, query={"hf_x1": "1.25", "hf_x2": "0"})
    assert not at.exception
    assert_arithmetic_is_cores(at, notes_network(), 1.25, 0.0)
    at = open_page(HF, query={"hf_x1": "inf", "hf_x2": "x"})
    assert not at.exception
    all_chart_data_finite(at)


def morph_spec_and_data(at):
    k = chart_index(at, "(x1, x2) →")
    return specs(at)[k], data(at, k)


def test_morph_is_a_browser_slider_from_the_grid_to_the_hidden_activations():
    """The morph's points start at core's grid and end at MLP.forward's hidden activations; t is a
    Vega-Lite param bound to a range input from 0 to 1 (it moves in the browser, no rerun), and the
    chart computes (1 − t)·x + t·h."""
    net = notes_network()
    at = open_page(HF)
    spec, d = morph_spec_and_data(at)
    t = next(p for p in spec["params"] if p["name"] == "t")
    assert t["value"] == 0 and t["bind"]["input"] == "range" and (t["bind"]["min"], t["bind"]["max"]) == (0, 1)
    assert "(1 - t) * datum.x1 + t * datum.h1" in json.dumps(spec)
    pts = d["points"]
    grid = pts[pts["kind"] == "grid"]
    G, H, a2 = morph_grid(net, 11, 0, 1)
    xy, hh = grid[["x1", "x2"]].to_numpy(), grid[["h1", "h2"]].to_numpy()
    np.testing.assert_array_equal(xy, morph(G, H, 0.0))
    np.testing.assert_array_equal(hh, morph(G, H, 1.0))
    np.testing.assert_array_equal(hh, net.forward(G).a[1])
    np.testing.assert_array_equal(grid["cls"].to_numpy(), (a2 > 0.5).astype(int))
    inputs = pts[pts["kind"] == "input"]
    np.testing.assert_array_equal(inputs[["h1", "h2"]].to_numpy(), net.forward(X).a[1])
    # the probed point moves too, from its input to its hidden coordinates
    step = forward_point(net, at.number_input(key="hf_x1").value, at.number_input(key="hf_x2").value)
    np.testing.assert_array_equal(d["probe"][["h1", "h2"]].to_numpy()[0], step.a1)
    # at t = 1 the output's line separates the grid's classes (2 hidden neurons: exactly)
    line = d["line"][["u", "v"]].to_numpy()
    np.testing.assert_allclose(line @ net.W[1][:, 0] + net.b[1][0, 0], 0.0, atol=1e-9)
    side = hh @ net.W[1][:, 0] + net.b[1][0, 0] > 0
    np.testing.assert_array_equal(side, grid["cls"].to_numpy() == 1)
    assert "Drag **t**" in "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def wide():
    return train(MLP.create([2, 3, 1], seed=1), X, y, lr=2.0, epochs=300)


def test_morph_of_a_wider_network_says_and_follows_the_chosen_pair(wide):
    at = open_page()
    give_trained_run(at, wide)
    at.session_state["net_source"] = "trained"
    at.switch_page(f"../pages/{HF}")
    at.run()
    assert not at.exception
    at.selectbox(key="hf_hx").set_value(2)
    at.selectbox(key="hf_hy").set_value(0).run()
    assert not at.exception
    spec, d = morph_spec_and_data(at)
    grid = d["points"][d["points"]["kind"] == "grid"]
    G, H, _ = morph_grid(wide.final, 11, 2, 0)
    np.testing.assert_array_equal(grid[["h1", "h2"]].to_numpy(), H)
    assert "(Hidden3, Hidden1)" in json.dumps(spec["title"])
    words = "\n".join(m.value for m in at.markdown)
    assert "This network has 3 hidden neurons; the plot shows Hidden3 and Hidden1" in words


def test_every_probe_chart_is_small():
    at = probe_at(open_page(HF), 0.3, 0.7)
    for el in at.get("vega_lite_chart"):
        size = len(el.proto.spec) + sum(len(d.data.data) for d in el.proto.datasets)
        assert size < 100_000, size
    at = open_page("forward_pass.py", query={"fp_row": ANY})
    for el in at.get("vega_lite_chart"):
        assert len(el.proto.spec) + sum(len(d.data.data) for d in el.proto.datasets) < 100_000


# ----- Training: the replay's boundary, at the epoch the slider shows --------------------------------
TR_FAST = {"tr_epochs": "1000"}  # the default settings, fewer epochs


def training_run():
    """Core's run of Training's default settings at 1,000 epochs (computed here, not by the page)."""
    return train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", 0), X, y, 1.0, 1000)


def tr_probe(at, x1: float, x2: float):
    at.number_input(key="tr_x1").set_value(x1)
    at.number_input(key="tr_x2").set_value(x2).run()
    assert not at.exception
    return at


def test_training_probe_follows_the_epoch_slider_with_cores_numbers():
    hist = training_run()
    at = tr_probe(open_page("training.py", query=TR_FAST), 0.9, 0.15)
    for epoch in (hist.snapshot_epochs[-1], 100, 0):
        if epoch != hist.snapshot_epochs[-1]:
            at.select_slider(key="tr_epoch").set_value(epoch).run()
            assert not at.exception
        net = hist.network_at(epoch)
        assert_arithmetic_is_cores(at, net, 0.9, 0.15)
        step = forward_point(net, 0.9, 0.15)
        k = chart_index(at, f"Decision boundary at epoch {epoch:,}")
        assert data(at, k)["probe"][["x1", "x2"]].to_numpy().tolist() == [[0.9, 0.15]]
        assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])
        assert f"The probed point [0.9 0.15] at epoch {epoch:,}, step by step" in [s.value for s in at.subheader]
        words = "\n".join(m.value for m in at.markdown)
        assert f"the output a2 = {step.a2:.3f} is" in words and f"predicts **{int(step.a2 > 0.5)}**" in words
    assert not warnings(at)


def test_training_probe_link_presenter_and_far_points():
    hist = training_run()
    at = open_page("training.py", query={**TR_FAST, "tr_x1": "0.125", "tr_x2": "1.1", "tr_epoch": "500"})
    assert not at.exception
    assert_arithmetic_is_cores(at, hist.network_at(500), 0.125, 1.1)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    assert_arithmetic_is_cores(at, hist.network_at(500), 0.125, 1.1)
    tr_probe(at, -1e6, 1e300)
    said = warnings(at)
    assert "x1 = −1,000,000 is outside the plotted square" in said and "x2 = 1e+300 is outside" in said
    assert_arithmetic_is_cores(at, hist.network_at(500), LO, HI)
    all_chart_data_finite(at)


def test_training_probe_bad_link_is_refused_without_a_traceback():
    at = open_page("training.py", query={**TR_FAST, "tr_x1": "nan", "tr_x2": "abc"})
    assert not at.exception
    assert "x1 (input 1)" in warnings(at) and "x2 (input 2)" in warnings(at)  # named by the link message
    x1, x2 = at.number_input(key="tr_x1").value, at.number_input(key="tr_x2").value
    assert np.isfinite([x1, x2]).all()
    assert_arithmetic_is_cores(at, training_run().final, x1, x2)
    all_chart_data_finite(at)


# ----- Architecture: the single neuron's plane, and the whole network --------------------------------
def ar_probe(at, x1: float, x2: float):
    at.number_input(key="ar_x1").set_value(x1)
    at.number_input(key="ar_x2").set_value(x2).run()
    assert not at.exception
    return at


def assert_neuron_is_cores(at, u1: float, u2: float, c: float, x1: float, x2: float) -> None:
    """The single neuron's z and σ(z) at (x1, x2) are core's (core.linear_sep.neuron_z)."""
    from core.activations import sigmoid
    from core.linear_sep import neuron_z

    z = float(neuron_z(u1, u2, c, np.array([[x1, x2]]))[0])
    a = float(sigmoid(np.array(z)))
    assert rf"&= {z:.2f} \rightarrow \sigma({z:.2f}) = \mathbf{{{a:.3f}}}" in latex(at)
    words = "\n".join(m.value for m in at.markdown)
    assert f"this neuron's output σ(z) = {a:.3f} is" in words and f"says **{int(z > 0)}** there" in words


@pytest.mark.parametrize("point", [(0.9, 0.2), (-0.3, 1.25)])
def test_architecture_probe_shows_the_neuron_and_the_network_with_cores_numbers(point):
    net = notes_network()
    at = open_page("architecture.py")
    at.slider(key="ar_u1").set_value(2.5)
    at.slider(key="ar_c").set_value(-1.2)
    ar_probe(at, *point)
    assert_neuron_is_cores(at, 2.5, 1.0, -1.2, *point)
    assert_arithmetic_is_cores(at, net, *point)  # the whole network's forward pass
    # marked (and clickable) on the neuron's plane; at its hidden coordinates in the hidden space
    k = chart_index_by(at, "neuron output σ(z)")
    assert data(at, k)["probe"][["x1", "x2"]].to_numpy().tolist() == [list(point)]
    assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])
    step = forward_point(net, *point)
    hidden = data(at, chart_index_by(at, "a1[0] — hidden neuron 1"))["probe"]
    np.testing.assert_array_equal(hidden[["x1", "x2"]].to_numpy()[0], step.a1)
    words = "\n".join(m.value for m in at.markdown)
    assert f"(a1[0], a1[1]) = ({step.a1[0]:.3f}, {step.a1[1]:.3f})" in words and f"a2 = {step.a2:.3f}" in words
    assert not warnings(at)
    all_chart_data_finite(at)


def chart_index_by(at, text: str) -> int:
    """The chart whose spec mentions ``text`` (the Architecture planes have no title)."""
    return next(k for k, s in enumerate(specs(at)) if text in json.dumps(s, ensure_ascii=False))


def test_architecture_probe_link_presenter_far_and_bad_points():
    at = open_page("architecture.py", query={"ar_x1": "1.5", "ar_x2": "0", "ar_u2": "-2"})
    assert not at.exception
    assert_neuron_is_cores(at, 1.0, -2.0, -0.5, 1.5, 0.0)
    assert_arithmetic_is_cores(at, notes_network(), 1.5, 0.0)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    assert_neuron_is_cores(at, 1.0, -2.0, -0.5, 1.5, 0.0)
    ar_probe(at, 0.4, -1e6)
    assert "x2 = −1,000,000 is outside the plotted square" in warnings(at)
    assert_neuron_is_cores(at, 1.0, -2.0, -0.5, 0.4, LO)
    all_chart_data_finite(at)
    at = open_page("architecture.py", query={"ar_x1": "inf", "ar_x2": "x"})
    assert not at.exception
    x1, x2 = at.number_input(key="ar_x1").value, at.number_input(key="ar_x2").value
    assert_neuron_is_cores(at, 1.0, 1.0, -0.5, x1, x2)
    all_chart_data_finite(at)


def test_architecture_probe_with_a_wider_network_still_writes_its_forward_pass(wide):
    at = open_page()
    give_trained_run(at, wide)
    at.session_state["net_source"] = "trained"
    at.switch_page("../pages/architecture.py")
    at.run()
    assert not at.exception
    ar_probe(at, 0.7, 0.35)
    assert_arithmetic_is_cores(at, wide.final, 0.7, 0.35)
    assert "has 3 hidden neurons" in "\n".join(i.value for i in at.info)


def test_every_new_probe_chart_is_small():
    for page, query in (("training.py", TR_FAST), ("architecture.py", {})):
        at = open_page(page, query=query)
        for el in at.get("vega_lite_chart"):
            assert len(el.proto.spec) + sum(len(d.data.data) for d in el.proto.datasets) < 100_000


def test_show_steps_says_when_the_numbers_overflow():
    """app.probe.show_steps: a forward pass that is not finite gets a plain message, never ∞ or NaN maths."""
    from streamlit.testing.v1 import AppTest

    def script():
        import numpy as np

        from app import probe
        from core.data import notes_network
        from core.forward_steps import ForwardRow

        bad = ForwardRow(np.array([1.5, 1.5]), np.array([np.inf, 0.0]), np.array([np.inf, 0.5]), np.nan, np.nan)
        probe.show_steps(notes_network(), bad, False)

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert "numbers overflow" in warnings(at) and not at.latex


# ----- Loss landscape: the boundary of the network shown (current, or moved by a click on the map) ----
LL = "loss_landscape.py"


def ll_probe(at, x1: float, x2: float):
    at.number_input(key="ll_x1").set_value(x1)
    at.number_input(key="ll_x2").set_value(x2).run()
    assert not at.exception
    return at


def assert_ll_marked(at, x1: float, x2: float) -> None:
    k = chart_index(at, "Its decision boundary")
    assert data(at, k)["probe"][["x1", "x2"]].to_numpy().tolist() == [[x1, x2]]
    assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])


@pytest.mark.parametrize("point", [(0.9, 0.15), (-0.3, 1.25)])
def test_loss_landscape_probe_shows_the_current_networks_forward_pass(point):
    net = notes_network()
    at = ll_probe(open_page(LL), *point)
    assert_arithmetic_is_cores(at, net, *point)
    assert_ll_marked(at, *point)
    step = forward_point(net, *point)
    words = "\n".join(m.value for m in at.markdown)
    name = "[" + " ".join(f"{v:g}".replace("-", "−") for v in point) + "]"
    assert f"At {name} the output a2 = {step.a2:.3f} of the current network is" in words
    assert f"predicts **{int(step.a2 > 0.5)}** there" in words
    assert not warnings(at)


def test_loss_landscape_probe_follows_the_network_a_map_click_moved():
    """A clicked landscape cell moves two numbers; the probe then goes through the moved network."""
    from core.landscape import with_params

    net = notes_network()
    at = open_page(LL, query={"ll_x1": "0.2", "ll_x2": "0.9"})
    at.session_state["_ll_picked"] = (net.key(), 0, 7, 2.5, -1.25)  # as controls.handle_click stores a cell
    at.run()
    assert not at.exception
    moved = with_params(net, {0: 2.5, 7: -1.25})
    assert_arithmetic_is_cores(at, moved, 0.2, 0.9)
    assert "of the moved network is" in "\n".join(m.value for m in at.markdown)
    assert_ll_marked(at, 0.2, 0.9)
    ll_probe(at, 1.1, 0.05)
    assert_arithmetic_is_cores(at, moved, 1.1, 0.05)


def test_loss_landscape_probe_link_presenter_far_and_bad_points():
    net = notes_network()
    at = open_page(LL, query={"ll_x1": "0.125", "ll_x2": "1.1", "presenter": "true"})
    assert not at.exception
    assert_arithmetic_is_cores(at, net, 0.125, 1.1)
    ll_probe(at, -1e6, 1e300)
    said = warnings(at)
    assert "x1 = −1,000,000 is outside the plotted square" in said and "x2 = 1e+300 is outside" in said
    assert_arithmetic_is_cores(at, net, LO, HI)
    assert_ll_marked(at, LO, HI)
    all_chart_data_finite(at)
    at = open_page(LL, query={"ll_x1": "nan", "ll_x2": "abc"})
    assert not at.exception
    assert "x1 (input 1)" in warnings(at) and "x2 (input 2)" in warnings(at)
    x1, x2 = at.number_input(key="ll_x1").value, at.number_input(key="ll_x2").value
    assert np.isfinite([x1, x2]).all()
    assert_arithmetic_is_cores(at, net, x1, x2)
    all_chart_data_finite(at)


# ----- Two runs: both boundaries, both networks at the epoch shown ----------------------------------
TWO = "two_runs.py"
TWO_FAST = {"cmp_epochs": "600"}


def two_runs_oracle(lr_b: float | None = None):
    """Core's two runs of the page's default settings at 600 epochs (computed here, not by the page)."""
    from test_page_two_runs import A, B, expected, seed_net

    b = B if lr_b is None else {**B, "lr": lr_b}
    return expected(seed_net(0, A["init"]), A, 600), expected(seed_net(0, b["init"]), b, 600)


def cmp_probe(at, x1: float, x2: float):
    at.number_input(key="cmp_x1").set_value(x1)
    at.number_input(key="cmp_x2").set_value(x2).run()
    assert not at.exception
    return at


def assert_both_marked(at, x1: float, x2: float, epoch: int) -> None:
    for run_name in "AB":
        k = chart_index(at, f"{run_name} at epoch {epoch:,}")
        assert data(at, k)["probe"][["x1", "x2"]].to_numpy().tolist() == [[x1, x2]]
        assert f'"name": "{CLICK}"' in json.dumps(specs(at)[k])


def test_two_runs_probe_follows_the_epoch_control_with_both_runs_numbers():
    ha, hb = two_runs_oracle()
    at = cmp_probe(open_page(TWO, query=TWO_FAST), 0.9, 0.15)
    for epoch in (600, 60, 0):
        if epoch != 600:
            at.select_slider(key="cmp_epoch").set_value(epoch).run()
            assert not at.exception
        words = "\n".join(m.value for m in at.markdown)
        for run_name, h in zip("AB", (ha, hb)):
            net = h.network_at(epoch)
            assert_arithmetic_is_cores(at, net, 0.9, 0.15)
            a2 = forward_point(net, 0.9, 0.15).a2
            assert f"Run {run_name} at epoch {epoch:,}: at [0.9 0.15] the output a2 = {a2:.3f} is" in words
            assert f"**Run {run_name}: the probed point [0.9 0.15] at epoch {epoch:,}, step by step**" in words
        assert_both_marked(at, 0.9, 0.15, epoch)
    assert not warnings(at)


def test_two_runs_probe_link_presenter_far_and_bad_points():
    ha, hb = two_runs_oracle()
    at = open_page(TWO, query={**TWO_FAST, "cmp_x1": "0.125", "cmp_x2": "1.1", "cmp_epoch": "300"})
    assert not at.exception
    for h in (ha, hb):
        assert_arithmetic_is_cores(at, h.network_at(300), 0.125, 1.1)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    cmp_probe(at, 1e6, -1e300)
    said = warnings(at)
    assert "x1 = 1,000,000 is outside the plotted square" in said and "x2 = −1e+300 is outside" in said
    for h in (ha, hb):
        assert_arithmetic_is_cores(at, h.network_at(300), HI, LO)
    assert_both_marked(at, HI, LO, 300)
    all_chart_data_finite(at)
    at = open_page(TWO, query={**TWO_FAST, "cmp_x1": "abc", "cmp_x2": "nan"})
    assert not at.exception
    assert "x1 (input 1)" in warnings(at) and "x2 (input 2)" in warnings(at)
    x1, x2 = at.number_input(key="cmp_x1").value, at.number_input(key="cmp_x2").value
    for h in (ha, hb):
        assert_arithmetic_is_cores(at, h.final, x1, x2)
    all_chart_data_finite(at)


def test_two_runs_probe_of_a_diverged_run_is_words_not_a_traceback():
    at = cmp_probe(open_page(TWO, query={**TWO_FAST, "cmp_lr_b": "200"}), 0.4, 0.6)
    assert not at.exception
    ha, _ = two_runs_oracle()
    assert_arithmetic_is_cores(at, ha.final, 0.4, 0.6)  # run A is untouched
    all_chart_data_finite(at)
    assert "Run B at epoch" in "\n".join(m.value for m in at.markdown)


def test_every_landscape_and_two_runs_probe_chart_is_small():
    for page, query in ((LL, {}), (TWO, TWO_FAST)):
        at = open_page(page, query=query)
        for el in at.get("vega_lite_chart"):
            assert len(el.proto.spec) + sum(len(d.data.data) for d in el.proto.datasets) < 100_000
