"""AppTest checks of the Training page: every number shown is the core's."""

from __future__ import annotations

import json
from functools import partial

import conftest
import numpy as np
import pytest
from streamlit import dataframe_util

from app import ui
from core.data import X, y
from core.diagnose import first_solved_epoch, symmetry_gap
from core.mlp import MLP
from core.multiseed import train_many
from core.train import SOLVED_LOSS, train

FAST = {"tr_epochs": "1000"}  # most tests do not need the default 5,000 epochs


# conftest.open_page sets a link's query parameters just before switching to the page
open_page = partial(conftest.open_page, timeout=120)


def charts(at) -> dict[str, list]:
    """{chart title: [DataFrame per dataset]} for every chart on the page."""
    out = {}
    for el in at.get("vega_lite_chart"):
        title = json.loads(el.proto.spec).get("title", "")
        out[title] = [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets]
    return out


def chart(at, prefix: str) -> list:
    hits = [v for k, v in charts(at).items() if k.startswith(prefix)]
    assert len(hits) == 1, f"expected one chart titled {prefix!r}, got {list(charts(at))}"
    return hits[0]


def loss_frame(at):
    (df,) = chart(at, "Loss (log scale)")
    return df


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def core_run(lr=1.0, epochs=1000, hidden="sigmoid", init="normal", width=2, seed=0):
    return train(MLP.create([2, width, 1], hidden, "sigmoid", init, seed), X, y, lr, epochs)


def test_default_run_shows_the_core_run():
    at = open_page("training.py")
    assert not at.exception
    hist = core_run(epochs=5000)
    assert metric(at, "Final loss") == ui.fmt(hist.loss[-1], 4)
    assert metric(at, "Final accuracy") == f"{hist.acc[-1]:.0%}"
    assert metric(at, "Solved at epoch") == f"{first_solved_epoch(hist.loss, hist.acc, SOLVED_LOSS):,}"
    df = loss_frame(at)
    assert len(df) <= 801 and df["epoch"].iloc[-1] == 5000
    np.testing.assert_allclose(df["value"], hist.loss[df["epoch"]], rtol=1e-12)
    # the hidden-feature table at the last epoch is core's forward pass of the final weights
    table = next(d.value for d in at.dataframe if "output a2" in d.value.columns)
    np.testing.assert_allclose(table[["h1", "h2"]], hist.final.forward(X).a[1], rtol=1e-12)
    np.testing.assert_allclose(table["output a2"], hist.final.predict(X)[:, 0], rtol=1e-12)
    for frames in charts(at).values():  # every chart well under 100 KB and free of NaN/inf
        for f in frames:
            assert np.isfinite(f.select_dtypes("number").to_numpy(dtype=float)).all()
    sizes = [len(d.data.data) for el in at.get("vega_lite_chart") for d in el.proto.datasets]
    assert max(sizes) < 100_000


def test_changing_the_learning_rate_changes_the_curve():
    at = open_page("training.py", query=FAST)
    before = loss_frame(at)
    at.select_slider(key="tr_lr").set_value(2.0)
    at.run()
    assert not at.exception
    after = loss_frame(at)
    assert not np.allclose(before["value"].to_numpy()[:50], after["value"].to_numpy()[:50])
    hist = core_run(lr=2.0)
    np.testing.assert_allclose(after["value"], hist.loss[after["epoch"]], rtol=1e-12)
    assert any("lr 2 constant" in c.value for c in at.caption)


def test_epoch_slider_moves_the_boundary():
    at = open_page("training.py", query=FAST)
    hist = core_run()
    assert at.select_slider(key="tr_epoch").value == hist.snapshot_epochs[-1]
    late = chart(at, "Decision boundary at epoch 1,000")
    at.select_slider(key="tr_epoch").set_value(100)
    at.run()
    assert not at.exception
    early = chart(at, "Decision boundary at epoch 100")
    assert not late[0]["q"].equals(early[0]["q"])  # the heatmap's values changed
    net = hist.network_at(100)
    table = next(d.value for d in at.dataframe if "output a2" in d.value.columns)
    np.testing.assert_allclose(table["output a2"], net.predict(X)[:, 0], rtol=1e-12)
    # the quantised heatmap is core's output over the grid
    from core.data import grid

    q = np.rint(net.predict(grid(60)[2])[:, 0] * 255)
    np.testing.assert_array_equal(early[0]["q"].to_numpy(), q.astype(np.uint8))


def test_lr_50_relu_explains_the_divergence():
    at = open_page("training.py", query={"tr_lr": "50", "tr_act": "ReLU", **FAST})
    assert not at.exception
    assert at.select_slider(key="tr_lr").value == 50.0 and at.selectbox(key="tr_act").value == "relu"
    hist = core_run(lr=50.0, hidden="relu")
    d = hist.divergence
    err = " ".join(e.value for e in at.error)
    assert "diverged" in err and "loss blew up" in err and f"epoch {d.epoch}" in err
    assert ui.fmt(d.loss, 3) in err
    info = " ".join(i.value for i in at.info)
    assert "Try a smaller rate: 5" in info
    text = " ".join(m.value for m in at.markdown)
    assert "stay finite" in text  # the continued run bounces but never overflows
    for frames in charts(at).values():
        for f in frames:
            assert np.isfinite(f.select_dtypes("number").to_numpy(dtype=float)).all()
    assert any(t.startswith("Zoom") for t in charts(at))
    at.button(key="tr_use_rate").click()
    at.run()
    assert at.select_slider(key="tr_lr").value == 5.0 and not at.exception


def test_lab_fraction_matches_core():
    at = open_page("training.py", query={"tr_lab_seeds": "100", **FAST})
    at.button(key="tr_lab_run").click()
    at.run()
    assert not at.exception
    r = train_many([2, 2, 1], range(100), X, y, "sigmoid", "normal", 1.0, 1000)
    shown = [m.value for m in at.metric if m.label == "Solved XOR"]
    assert shown[0] == f"{r.fraction_solved:.1%}"
    table = next(d.value for d in at.dataframe if "fraction solved" in d.value.columns)
    frac = table["fraction solved"].iloc[0]
    assert 0.0 <= frac <= 1.0
    assert frac == pytest.approx(r.fraction_solved) == pytest.approx(np.sum(r.solved) / 100)
    assert table["solved"].iloc[0] == int(np.sum(r.solved))
    # setting B (3 hidden neurons) is core's too
    rb = train_many([2, 3, 1], range(100), X, y, "sigmoid", "normal", 1.0, 1000)
    assert shown[1] == f"{rb.fraction_solved:.1%}"
    # a stuck run is shown with its seed; loading it into the single run sets tr_seed
    stuck = int(r.seeds[np.flatnonzero(~r.solved & ~r.diverged)[0]])
    key = next(b.key for b in at.button if b.key and b.key.startswith("tr_lab_open_"))
    at.button(key=key).click()
    at.run()
    assert at.number_input(key="tr_seed").value == stuck and not at.exception


def test_zero_init_shows_identical_hidden_neurons():
    at = open_page("training.py", query={"tr_init": "Zeros", **FAST})
    assert not at.exception
    warn = " ".join(w.value for w in at.warning)
    assert "identical forever" in warn
    hist = train(MLP.create([2, 2, 1], init="zeros"), X, y, 1.0, 1000)
    assert symmetry_gap(hist.final) == 0.0
    m = next(d.value for d in at.dataframe if "W2 to output" in d.value.index)
    assert (m["h1"] == m["h2"]).all()
    np.testing.assert_allclose(m.loc["W2 to output"], hist.final.W[1][:, 0], rtol=1e-12)


def test_publish_sends_the_run_to_the_shared_control():
    at = open_page("training.py", query=FAST)
    at.select_slider(key="tr_epoch").set_value(500)
    at.run()
    at.button(key="tr_publish").click()
    at.run()
    assert not at.exception
    run = at.session_state["trained_run"]
    assert "2-2-1 Sigmoid" in run["label"] and run["history"].epochs_run == 1000
    assert at.session_state["net_source"] == "trained" and at.session_state["net_epoch"] == 500
    assert any("The other pages use this run" in s.value for s in at.success)


def test_play_advances_the_replay():
    at = open_page("training.py", query=FAST)
    at.toggle(key="tr_play").set_value(True)
    at.run()  # AppTest reruns the whole script: each run is one tick of the animation
    first = at.select_slider(key="tr_epoch").value
    at.run()
    assert not at.exception and at.select_slider(key="tr_epoch").value > first


def test_garbage_url_values_fall_back_to_defaults():
    query = {"tr_lr": "banana", "tr_width": "99", "tr_seed": "-4", "tr_epochs": "1e9", "tr_init": "zzz"}
    at = open_page("training.py", query=query)
    assert not at.exception
    assert at.select_slider(key="tr_lr").value == 1.0 and at.slider(key="tr_width").value == 2
    assert at.slider(key="tr_epochs").value == 5000
