"""Hidden features page: the displayed table, gate names and chart data equal what core computes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from conftest import give_trained_run, open_page

from app import gate_text as gt
from app import replay
from core import features as F
from core.data import X, notes_network, notes_weights, y
from core.mlp import MLP
from core.train import train

PAGE = "hidden_features.py"


def datasets(at, index: int) -> list:
    """The data frames shipped with the index-th chart on the page, in layer order."""
    el = at.get("vega_lite_chart")[index]
    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]


def payloads(at) -> list[int]:
    return [len(d.data.data) for el in at.get("vega_lite_chart") for d in el.proto.datasets]


def text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in ("info", "success", "warning", "error") for e in getattr(at, kind)]
    return "\n".join(parts)


def assert_table_is(at, net: MLP):
    df = at.dataframe[0].value
    fwd = net.forward(X)
    for k in range(fwd.a[1].shape[1]):
        np.testing.assert_allclose(df[f"Hidden{k + 1}"], fwd.a[1][:, k], rtol=1e-12)
    np.testing.assert_allclose(df["Output"], fwd.a[2][:, 0], rtol=1e-12)
    assert list(df["Expected"]) == [0, 1, 1, 0]
    pred = fwd.a[2][:, 0] > 0.5
    marks = ["✗" in p for p in df["Prediction"]]
    assert marks == list(pred != (y[:, 0] > 0.5))


def with_run(hist, source: str = "trained", epoch=None):
    at = open_page()
    give_trained_run(at, hist)
    at.session_state["net_source"] = source
    if epoch is not None:
        at.session_state["net_epoch"] = epoch
    at.switch_page(f"../pages/{PAGE}")
    at.run()
    return at


@pytest.fixture(scope="module")
def runs():
    """Small training runs, trained once for the whole file."""
    return {
        "221": train(MLP.create([2, 2, 1], seed=3), X, y, lr=2.0, epochs=2000),
        "231": train(MLP.create([2, 3, 1], seed=1), X, y, lr=2.0, epochs=1000),
        "211": train(MLP.create([2, 1, 1], seed=0), X, y, lr=1.0, epochs=200),
        "tanh": train(MLP.create([2, 2, 1], hidden="tanh", seed=2), X, y, lr=0.5, epochs=500),
        "relu": train(MLP.create([2, 4, 1], hidden="relu", seed=0), X, y, lr=0.5, epochs=500),
        "deep": train(MLP.create([2, 2, 2, 1], seed=0), X, y, lr=1.0, epochs=50),
    }


def test_notes_weights_table_gates_and_story():
    at = open_page(PAGE)
    assert not at.exception
    assert_table_is(at, notes_network())
    t = text(at)
    assert "**Hidden1 = OR**" in t and "**Hidden2 = AND**" in t
    assert "**Output ≈ OR AND NOT AND**" in t and "exactly **XOR**" in t
    table = F.feature_table(notes_network(), X, y)
    g = F.name_hidden(table, "sigmoid")
    assert f"its nearest input is {g[0].margin:.3f} from its line" in t
    assert f"its on and off values are {g[1].separation:.0%} of the sigmoid's range 0 to 1 apart" in t
    assert "illustrative" not in t and "different training run" not in t
    # the notes' numbers are not the example weights' numbers: the page says by how much
    diff, r, c = F.notes_difference(table.a1, table.out)
    assert f"by up to {diff:.3f}" in t and f"{table.out[3]:.3f} here" in t
    assert "XOR has become linearly separable" in t


def test_boundary_chart_data_is_the_core_grid_and_small():
    at = open_page(PAGE)
    heat, contour, points = datasets(at, 0)[:3]  # then the probed point (tests/test_page_probe.py)
    _, a2 = F.plane_values(notes_network(), 100)
    assert len(heat) == 100 * 100
    q = heat.sort_values(["i", "j"])["q"].to_numpy().reshape(100, 100)
    np.testing.assert_array_equal(q, np.clip(np.rint(a2 * 255), 0, 255).astype(np.uint8))
    # the black 0.5 line: two strips for the notes' network, every vertex on the 0.5 level
    assert contour["line"].nunique() == 2
    net = notes_network()
    at_line = net.predict(contour[["x1", "x2"]].to_numpy())[:, 0]
    np.testing.assert_allclose(at_line, 0.5, atol=0.02)
    assert list(points["label"]) == [0, 1, 1, 0]
    assert max(payloads(at)) < 100_000


def test_small_maps_one_per_hidden_neuron():
    at = open_page(PAGE)
    specs = [el.proto.spec for el in at.get("vega_lite_chart")]
    assert len(specs) == 5  # boundary, Hidden1, Hidden2, hidden space, morph
    assert '"Hidden1: OR"' in specs[1] and '"Hidden2: AND"' in specs[2]
    a1, _ = F.plane_values(notes_network(), 60)
    for k in range(2):
        heat, contour = datasets(at, 1 + k)[:2]
        q = heat.sort_values(["i", "j"])["q"].to_numpy().reshape(60, 60)
        np.testing.assert_array_equal(q, np.clip(np.rint(a1[k] * 255), 0, 255).astype(np.uint8))
        assert len(contour) > 0


def test_hidden_space_points_and_line():
    at = open_page(PAGE)
    frames = datasets(at, 3)
    table = F.feature_table(notes_network(), X, y)
    line = next(f for f in frames if "what" in f.columns)
    pts = next(f for f in frames if "z2" in f.columns)
    np.testing.assert_allclose(pts["u"], table.a1[:, 0])
    np.testing.assert_allclose(pts["v"], table.a1[:, 1])
    np.testing.assert_allclose(pts["z2"], table.z2)
    # the line's ends satisfy W2[0]·h1 + W2[1]·h2 + b2 = 0
    np.testing.assert_allclose(7.2 * line["u"] - 7.1 * line["v"] - 3.2, 0.0, atol=1e-9)
    alt_table = next(d.value for d in at.dataframe if "z2" in d.value.columns)
    np.testing.assert_allclose(alt_table["z2"], table.z2)


def test_editing_w1_renames_the_neuron_and_moves_the_boundary():
    at = open_page(PAGE)
    before = datasets(at, 0)[0]["q"].to_numpy()
    # h1 = σ(−5·x1 − 5·x2 + 7.5) is NAND
    at.number_input(key="w1_00").set_value(-5.0)
    at.number_input(key="w1_10").set_value(-5.0)
    at.number_input(key="b1_0").set_value(7.5).run()
    assert not at.exception
    assert at.session_state["net_source"] == "manual"
    p = notes_weights()
    p["W1"][:, 0] = [-5.0, -5.0]
    p["b1"][0, 0] = 7.5
    net = MLP.from_dict(p)
    assert_table_is(at, net)
    t = text(at)
    assert "**Hidden1 = NAND**" in t and "**Hidden2 = AND**" in t
    assert "**Output ≈ NAND AND NOT AND**" in t and "not XOR" in t
    after = datasets(at, 0)[0]["q"].to_numpy()
    assert not np.array_equal(before, after)
    _, a2 = F.plane_values(net, 100)
    heat = datasets(at, 0)[0].sort_values(["i", "j"])
    np.testing.assert_array_equal(heat["q"].to_numpy().reshape(100, 100), np.rint(a2 * 255).astype(np.uint8))
    assert "does not separate the classes" in t


def test_one_weight_changes_the_boundary_data():
    at = open_page(PAGE)
    before = datasets(at, 0)[0]["q"].to_numpy()
    at.number_input(key="b2").set_value(-2.0).run()
    assert not at.exception
    assert not np.array_equal(before, datasets(at, 0)[0]["q"].to_numpy())


def test_extreme_weights_do_not_break_the_page():
    at = open_page(PAGE)
    for k, v in (("w1_00", 20.0), ("w1_01", -20.0), ("b1_0", 20.0), ("w2_0", -20.0), ("b2", 20.0)):
        at.number_input(key=k).set_value(v)
    at.run()
    assert not at.exception
    assert np.isfinite(at.dataframe[0].value.select_dtypes("number").to_numpy()).all()


def test_epoch_replay_moves_everything(runs):
    hist = runs["221"]
    at = with_run(hist)
    assert not at.exception
    last = hist.snapshot_epochs[-1]
    assert at.select_slider(key="net_epoch").value == last
    assert len(at.select_slider) == 1  # the one epoch control, in the page body
    assert_table_is(at, hist.network_at(last))
    late_heat = datasets(at, 0)[0]["q"].to_numpy()
    early = hist.snapshot_epochs[3]
    at.select_slider(key="net_epoch").set_value(early).run()
    assert not at.exception
    net = hist.network_at(early)
    assert_table_is(at, net)
    g = F.name_hidden(F.feature_table(net, X, y), "sigmoid")
    assert f"**Hidden1 = {g[0].name}**" in text(at)
    assert f"epoch {early}" in text(at)
    assert not np.array_equal(late_heat, datasets(at, 0)[0]["q"].to_numpy())
    mid = hist.snapshot_epochs[100]
    at.select_slider(key="net_epoch").set_value(mid).run()
    assert_table_is(at, hist.network_at(mid))
    pts = next(f for f in datasets(at, 3) if "z2" in f.columns)
    np.testing.assert_allclose(pts["u"], hist.network_at(mid).forward(X).a[1][:, 0])


def test_three_hidden_neurons_choose_the_pair(runs):
    hist = runs["231"]
    at = with_run(hist)
    assert not at.exception
    assert_table_is(at, hist.final)
    assert len(at.get("vega_lite_chart")) == 1 + 3 + 1 + 1  # boundary, 3 maps, hidden space, morph
    a1 = hist.final.forward(X).a[1]
    W2, b2 = hist.final.W[1], hist.final.b[1]
    # by default the pair whose 2-D view separates the classes best
    assert (at.selectbox(key="hf_hx").value, at.selectbox(key="hf_hy").value) == F.best_pair(a1, W2, b2, y)
    at.selectbox(key="hf_hx").set_value(2)
    at.selectbox(key="hf_hy").set_value(1).run()
    assert not at.exception
    pts = next(f for f in datasets(at, 4) if "z2" in f.columns)
    np.testing.assert_allclose(pts["u"], a1[:, 2])
    np.testing.assert_allclose(pts["v"], a1[:, 1])
    assert "Hidden3 activation" in at.get("vega_lite_chart")[4].proto.spec
    cut = F.slice_errors(a1, W2, b2, y, 2, 1)
    assert ("the line separates them too" if cut == 0 else f"{cut} of 4 inputs fall on the wrong side") in text(at)
    at.selectbox(key="hf_hy").set_value(2).run()
    assert "Pick two different hidden neurons" in text(at)


def test_one_hidden_neuron_says_why_there_is_no_plot(runs):
    at = with_run(runs["211"])
    assert not at.exception
    assert "needs two hidden neurons" in text(at)
    assert len(at.get("vega_lite_chart")) == 2  # boundary and the one neuron's map


def test_tanh_and_relu_use_the_one_rule(runs):
    at = with_run(runs["tanh"])
    assert not at.exception
    assert "z1 > 0 (for tanh units: a1 > 0)" in text(at)
    assert_table_is(at, runs["tanh"].final)
    at = with_run(runs["relu"])
    assert not at.exception
    assert "z1 > 0 (for ReLU units: a1 > 0)" in text(at)
    net = runs["relu"].final
    for k, g in enumerate(F.name_hidden(F.feature_table(net, X, y), "relu")):
        assert f"**Hidden{k + 1} = {g.name}**" in text(at)
        assert gt.summary(g, "relu") in text(at)
        assert ("Not a clean gate: " if not g.gate_like else "A clean gate: ") in gt.summary(g, "relu")


def test_a_deeper_network_gets_a_plain_warning(runs):
    at = with_run(runs["deep"])
    assert not at.exception
    assert "exactly one hidden layer" in text(at)


def test_garbage_in_the_url_does_not_break_the_page():
    at = open_page(PAGE, query={"hf_hx": "9", "hf_hy": "x", "w1_00": "nan"})
    assert not at.exception
    assert_table_is(at, notes_network())


def _split(spec: dict) -> tuple[dict, dict]:
    """(the spec without its data, {dataset name: Arrow table}), to compare specs by content."""
    spec = dict(spec)
    data = {name: pa.ipc.open_stream(raw).read_all() for name, raw in spec.pop("datasets").items()}
    return spec, data


def _nudged(hidden: str) -> MLP:
    """The notes' weights with a given hidden activation, nudged off the notes' exact numbers."""
    net = MLP.from_dict(notes_weights(), hidden=hidden)
    net.W[0] += 0.05
    net.b[1] += 0.1
    return net


def _param(spec, name: str) -> float:
    """The value of the Vega-Lite param ``name`` wherever the spec declares it."""
    if isinstance(spec, dict):
        if spec.get("name") == name and "value" in spec:
            return spec["value"]
        found = [_param(v, name) for v in spec.values()]
    elif isinstance(spec, list):
        found = [_param(v, name) for v in spec]
    else:
        return None
    return next((f for f in found if f is not None), None)


def valid(spec: dict) -> None:
    """tests/test_chart.py's schema check on the spec with a few rows of each dataset (every row of
    a dataset has the same columns and types; the full rows make jsonschema take seconds)."""
    from test_chart import valid as valid_full

    valid_full({**spec, "datasets": {k: t.slice(0, 5) for k, t in spec["datasets"].items()}})


def _grid(spec: dict, n: int) -> np.ndarray:
    """A plane chart's values (n, n) indexed [x2, x1], decoded as the chart decodes them."""
    heat = spec["datasets"]["heat"].to_pandas().sort_values(["i", "j"])
    assert len(heat) == n * n
    return _param(spec, "qlo") + heat["q"].to_numpy().reshape(n, n) / 255 * _param(spec, "qspan")


@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_every_chart_is_valid_vega_lite_of_the_live_numbers(hidden, present):
    """Each chart the page draws validates against the Vega-Lite schema and carries core's numbers:
    the output and each hidden neuron over the plane (to the chart's uint8 resolution), each neuron's
    own line z1 = 0, its colour range white at z1 = 0, and the four inputs at their hidden coordinates
    with the output's line z2 = 0 among them."""
    from app.hidden_features import charts, run

    net = _nudged(hidden)
    view = run.network_view(net.key())
    table = F.feature_table(net, X, y)
    _, a2 = F.plane_values(net, run.GRID_N)
    a1, _ = F.plane_values(net, run.SMALL_N)

    spec = charts.boundary(view, present)
    valid(spec)
    np.testing.assert_allclose(_grid(spec, run.GRID_N), a2, atol=0.5 / 255 + 1e-12)
    contour = spec["datasets"]["line"].to_pandas()
    np.testing.assert_allclose(net.predict(contour[["x1", "x2"]].to_numpy())[:, 0], 0.5, atol=0.02)

    W1, b1 = net.W[0], net.b[0]
    for k, g in enumerate(F.name_hidden(table, hidden)):
        spec = charts.neuron_map(view, k, present)
        valid(spec)
        assert spec["title"] == f"Hidden{k + 1}: {g.name}"
        lo, hi = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
        assert (lo + hi) / 2 == (0.5 if hidden == "sigmoid" else 0.0)  # white where z1 = 0
        assert hidden != "relu" or hi == pytest.approx(np.max(np.abs(table.a1[:, k])))
        span = _param(spec, "qspan")
        np.testing.assert_allclose(_grid(spec, run.SMALL_N), a1[k], atol=0.5 / 255 * span + 1e-12)
        line = spec["datasets"]["line"].to_pandas()
        assert len(line) in (0, 2)
        np.testing.assert_allclose(line["x1"] * W1[0, k] + line["x2"] * W1[1, k] + b1[0, k], 0.0, atol=1e-9)

    spec = charts.hidden_space(run.space_view(net.key(), 0, 1), present)
    valid(spec)
    pts = spec["datasets"]["points"].to_pandas()
    np.testing.assert_allclose(pts["u"], table.a1[:, 0], rtol=1e-12)
    np.testing.assert_allclose(pts["v"], table.a1[:, 1], rtol=1e-12)
    np.testing.assert_allclose(pts["z2"], table.z2, rtol=1e-12)
    line = spec["datasets"]["line"].to_pandas()
    W2, b2 = net.W[1][:, 0], net.b[1][0, 0]
    np.testing.assert_allclose(W2[0] * line["u"] + W2[1] * line["v"] + b2, 0.0, atol=1e-9)


def test_a_neuron_map_follows_the_epoch(runs):
    """The same layout serves every neuron at every epoch; only its data, title and range change."""
    from app.hidden_features import charts, run

    hist = runs["relu"]
    epochs = (hist.snapshot_epochs[1], hist.snapshot_epochs[-1])
    first, last = (run.network_view(hist.network_at(e).key()) for e in epochs)
    a, b = charts.neuron_map(first, 0, False), charts.neuron_map(last, 0, False)
    assert a["title"] == f"Hidden1: {first.gates[0].name}" and b["title"] == f"Hidden1: {last.gates[0].name}"
    assert a["layer"][0]["encoding"]["color"]["scale"]["domain"] == list(first.neurons[0].vrange)
    assert b["layer"][0]["encoding"]["color"]["scale"]["domain"] == list(last.neurons[0].vrange)
    assert not a["datasets"]["heat"].equals(b["datasets"]["heat"])


def page_values(at) -> dict:
    """Everything the page displays: text, tables, and every chart's spec and data."""
    return {
        "text": text(at),
        "tables": [el.value.to_dict() for el in at.dataframe],
        "charts": [_split(s) for s in chart_dicts(at)],
    }


def chart_dicts(at) -> list[dict]:
    import json

    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        spec["datasets"] = {d.name: d.data.data for d in el.proto.datasets}
        out.append(spec)
    return out


@pytest.mark.slow
def test_warm_then_render_shows_the_same_as_a_cold_render(monkeypatch):
    """warm() fills the very caches the default render uses (run as the server runs it: a thread with
    no session), and a page rendered after it shows exactly what a page rendered from scratch shows."""
    import threading

    import streamlit as st

    from app.hidden_features import run

    cold = page_values(open_page(PAGE))
    st.cache_data.clear()
    worker = threading.Thread(target=run.warm)
    worker.start()
    worker.join(timeout=120)
    # after warming, the default render computes no network
    monkeypatch.setattr(F, "plane_values", lambda *a, **kw: pytest.fail("a network was computed after warm()"))
    monkeypatch.setattr(F, "feature_table", lambda *a, **kw: pytest.fail("a network was computed after warm()"))
    warmed = open_page(PAGE)
    assert not warmed.exception
    after = page_values(warmed)
    assert after["text"] == cold["text"]
    assert after["tables"] == cold["tables"]
    assert len(after["charts"]) == len(cold["charts"]) == 5  # boundary, 2 maps, hidden space, morph
    for (spec_a, data_a), (spec_b, data_b) in zip(after["charts"], cold["charts"]):
        assert spec_a == spec_b
        assert {k: t.to_pydict() for k, t in data_a.items()} == {k: t.to_pydict() for k, t in data_b.items()}


def test_warm_never_raises(monkeypatch):
    from app.hidden_features import run

    monkeypatch.setattr(run, "network_view", lambda key: 1 / 0)
    run.warm()  # warming is an optimisation: a failure is swallowed


def test_presenter_tables_show_the_same_numbers_as_text():
    """Presenter mode: HTML tables (they grow with the larger font) of the same values, 3 decimals."""
    at = open_page(PAGE)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    assert not at.dataframe and len(at.table) == 3  # the notes' table, the pair-sum check, the hidden space
    table = F.feature_table(notes_network(), X, y)
    first = at.table[0].value
    assert list(first.index) == ["[0 0]", "[0 1]", "[1 0]", "[1 1]"] and first.index.name == "Input"
    assert "Expected" not in first.columns  # compact beside the chart; the ✓ marks say it
    assert list(first["Hidden1"]) == [f"{v:.3f}" for v in table.a1[:, 0]]
    assert list(first["Output"]) == [f"{v:.3f}" for v in table.out]
    space = at.table[2].value
    assert list(space["z2"]) == [f"{v:.3f}" for v in table.z2]
    assert list(space["XOR"]) == [0, 1, 1, 0]


def test_the_notes_table_is_checked_against_the_pair_sum_argument():
    """The page shows each hidden column's z and its two pair sums (notes' table: logits of its
    values; this network: its own z1), and says in words that no network gives the notes' columns."""
    at = open_page(PAGE)
    assert not at.exception
    frame = next(d.value for d in at.dataframe if "Column" in d.value.columns)
    assert list(frame["Column"]) == [
        "notes' Hidden1",
        "notes' Hidden2",
        "this network's Hidden1",
        "this network's Hidden2",
    ]
    z = np.c_[np.log(F.NOTES_TABLE[:, :2] / (1 - F.NOTES_TABLE[:, :2])), notes_network().forward(X).z[1]]  # (4, 4)
    for c, name in enumerate(["z[0 0]", "z[0 1]", "z[1 0]", "z[1 1]"]):
        np.testing.assert_allclose(frame[name], z[c], rtol=1e-12)
    np.testing.assert_allclose(frame["z[0 0] + z[1 1]"], z[0] + z[3], rtol=1e-12)
    np.testing.assert_allclose(frame["z[0 1] + z[1 0]"], z[1] + z[2], rtol=1e-12)
    # the notes' columns break the rule, this network's keep it
    assert abs(z[0, 0] + z[3, 0] - z[1, 0] - z[2, 0]) > 3 and abs(z[0, 1] + z[3, 1] - z[1, 1] - z[2, 1]) > 6
    np.testing.assert_allclose(z[0, 2:] + z[3, 2:], z[1, 2:] + z[2, 2:], rtol=1e-12)
    t = text(at)
    h1, h2 = F.notes_table_check()
    fit = F.notes_output_fit()
    assert f"differ by {abs(h1.difference):.2f} (Hidden1) and {abs(h2.difference):.2f} (Hidden2)" in t
    assert f"by at least {h1.smallest_gap:.2f} and {h2.smallest_gap:.2f}" in t
    assert "no 2-2-1 sigmoid network produced this table" in t
    assert f"{h1.needed_11:.4f} for Hidden1" in t and f"{h2.needed_11:.3f} for Hidden2" in t
    assert ", ".join(f"{v:.3f}" for v in fit.out) + ", the table's Output column to 3 decimals" in t
    assert "illustrative" not in t and "different training run" not in t


def test_the_page_says_or_and_is_one_split_among_several():
    t = text(open_page(PAGE))
    assert "OR and AND is one way to split XOR, not the only one" in t
    assert "Convergence lab" in t


@pytest.mark.parametrize("run", ["221", "231", "relu", "issue"])
def test_the_xor_verdict_follows_the_real_outputs(runs, run):
    """The idealised gate reading can differ from what a network does (a graded or barely decided
    neuron); whether it solves XOR is then said from its real outputs. The issue's 2-3-1 ReLU run
    solves XOR although its idealised reading gives constant 0."""
    hist = (
        runs[run] if run != "issue" else train(MLP.create([2, 3, 1], "relu", init="he_normal", seed=0), X, y, 0.5, 2000)
    )
    at = with_run(hist)
    assert not at.exception
    table = F.feature_table(hist.final, X, y)
    t = text(at)
    if not table.wrong.any():
        assert "does not solve XOR" not in t and "not XOR" not in t
        assert "exactly **XOR**" in t or "so it solves XOR" in t
    else:
        assert "exactly **XOR**" not in t and "so it solves XOR" not in t
    comb = F.combine(F.name_hidden(table, hist.final.hidden), hist.final.W[1], hist.final.b[1])
    if comb.table != tuple(int(p) for p in table.pred):
        assert "The real outputs differ from this idealised reading" in t


def test_a_trained_run_gets_the_browser_replay_of_its_snapshots(runs):
    """With a trained run in use the page adds the run's replay, played in the browser (app.replay):
    every snapshot's weights, starting at the shared epoch control's epoch; without one, none."""
    assert not open_page(PAGE).get("bidi_component")
    hist = runs["tanh"]
    early = hist.snapshot_epochs[40]
    at = with_run(hist, epoch=early)
    assert not at.exception
    (el,) = at.get("bidi_component")
    d = replay.received(el.proto.json)
    flat = [np.concatenate([p[k].ravel() for k in ("W1", "b1", "W2", "b2")]) for p in hist.snapshots]
    np.testing.assert_array_equal(np.array(d["weights"]), np.array(flat))
    assert d["epochs"] == hist.snapshot_epochs and d["epochs"][d["start"]] == early and d["act"] == "tanh"
    assert "Watch the boundary form during training" in [s.value for s in at.subheader]
