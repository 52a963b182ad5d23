"""AppTest checks of the Training page: every number shown is the core's."""

from __future__ import annotations

import json
from functools import partial

import conftest
import numpy as np
import pytest
from streamlit import dataframe_util

from app import replay, ui
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


@pytest.mark.slow
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


def test_intro_says_or_and_is_one_split_among_several():
    at = open_page("training.py", query=FAST)
    text = " ".join(m.value for m in at.markdown)
    assert "here you produce them" not in text
    assert "OR and AND is one way to split XOR among several" in text


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
    assert "core" not in err  # plain words, no code names
    assert ui.fmt(d.loss, 3) in err
    # the rate the page suggests: core's search (lr/10, lr/100, …) run here on the same machine; whether a
    # rate trains without diverging is a property of the run, not a number to type in
    from core.diagnose import suggest_rate

    rate, good = suggest_rate(50.0, lambda r: core_run(lr=r, hidden="relu"))
    assert rate is not None and not good.diverged
    info = " ".join(i.value for i in at.info)
    assert f"Try a smaller rate: {rate:g}" in info
    text = " ".join(m.value for m in at.markdown)
    assert "stay finite" in text  # the continued run bounces but never overflows
    for frames in charts(at).values():
        for f in frames:
            assert np.isfinite(f.select_dtypes("number").to_numpy(dtype=float)).all()
    assert any(t.startswith("Zoom") for t in charts(at))
    at.button(key="tr_use_rate").click()
    at.run()
    assert at.select_slider(key="tr_lr").value == rate and not at.exception


@pytest.mark.slow
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
    first = np.flatnonzero(~r.solved & ~r.diverged)[0]
    stuck = int(r.seeds[first])
    # its table: the activation's slopes at the run's end, as core's diagnosis measures them
    from core.diagnose import diagnose_run

    shown_slopes = next(d.value for d in at.dataframe if "slope h1" in d.value.columns)
    now = diagnose_run(r.network(first), X, y, "bce")
    np.testing.assert_allclose(shown_slopes[["slope h1", "slope h2"]], now.slope, rtol=1e-12)
    key = next(b.key for b in at.button if b.key and b.key.startswith("tr_lab_open_"))
    at.button(key=key).click()
    at.run()
    assert at.number_input(key="tr_seed").value == stuck and not at.exception


@pytest.mark.slow
def test_the_lab_waits_its_turn_saying_its_place_and_a_lab_already_run_never_waits(monkeypatch):
    """app/heavy.py's gate: with the server's one slot taken, the lab queues and its box says how many runs
    are ahead (the digits page's words, app/heavy_ui.py); once the slot is free it trains, and shows core's
    numbers. The same lab again, slot taken again: from the cache, no waiting."""
    gate, other, said = conftest.hold_the_only_heavy_slot(monkeypatch)
    at = open_page("training.py", query={"tr_lab_seeds": "100", **FAST})
    queued = conftest.release_when_queued(gate, other)
    at.button(key="tr_lab_run").click()
    at.run()
    assert not at.exception
    assert queued.is_set(), "the lab trained while the only slot was taken"
    assert "Waiting for the server: 1 run is ahead of yours (Stop cancels it) …" in said
    assert gate.running == 0 and gate.waiting() == 0
    shown = [m.value for m in at.metric if m.label == "Solved XOR"]
    for value, width in zip(shown, (2, 3), strict=True):
        assert (
            value
            == f"{train_many([2, width, 1], range(100), X, y, 'sigmoid', 'normal', 1.0, 1000).fraction_solved:.1%}"
        )
    assert gate.start(other := gate.enter(), 0)  # the slot taken again
    said.clear()
    at.run()
    assert not at.exception and said == [] and [m.value for m in at.metric if m.label == "Solved XOR"] == shown
    gate.leave(other)


@pytest.mark.slow
def test_a_lab_waiting_for_its_turn_can_be_stopped_and_then_shows_that_it_did_not_run(monkeypatch):
    """Stop while waiting: Streamlit interrupts the waiting script (as the Stop click's rerun does; here
    AppTest's timeout asks for the same stop), the lab leaves the queue and trains nothing; the rerun with
    Stop pressed says the lab has not run and offers the button again."""

    import streamlit as st

    from app import heavy_ui
    from app.training import run, text

    gate, other, said = conftest.hold_the_only_heavy_slot(monkeypatch)
    at = open_page("training.py", query={"tr_lab_seeds": "100", **FAST})
    at.button(key="tr_lab_run").click()
    conftest.interrupt_while_queued(at, gate)
    assert gate.waiting() == 0 and gate.running == 1  # out of the queue; the other run still holds its slot
    assert "Waiting for the server: 1 run is ahead of yours (Stop cancels it) …" in said
    cfg = {k: v for k, v in run.DEFAULT_CFG.items() if k != "seed"} | {"epochs": 1000}
    assert run.cached_lab(cfg, 1.0, 100) is None  # nothing was trained
    # the rerun the Stop click causes: its box's button reads True
    monkeypatch.setattr(heavy_ui, "progress_box", lambda *a, **k: (st.empty(), None, True))
    at2 = open_page("training.py", query={"tr_lab_seeds": "100", **FAST})
    at2.button(key="tr_lab_run").click()
    at2.run()
    assert not at2.exception and gate.waiting() == 0
    assert [i.value for i in at2.info] == [text.LAB_STOPPED]
    assert not [m for m in at2.metric if m.label == "Solved XOR"]
    at2.run()  # and the lab waits for the button again
    assert not at2.info and any("waits for the button" in c.value for c in at2.caption)
    gate.leave(other)


@pytest.mark.slow
def test_lab_counts_the_gate_pairs_of_its_solved_runs():
    """The solved runs' hidden gates, counted with the one rule: the table equals a count made here,
    network by network, from each seed's final weights (the same run, the same machine)."""
    from core.gates import combination, read_hidden

    at = open_page("training.py", query={"tr_lab_seeds": "100", **FAST})
    at.button(key="tr_lab_run").click()
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "hidden gates (solved runs)" in d.value.columns)
    assert list(table.columns[:2]) == ["A", "B"]
    for col, width in zip(("A", "B"), (2, 3)):
        r = train_many([2, width, 1], range(100), X, y, "sigmoid", "normal", 1.0, 1000)
        want: dict[str, int] = {}
        for i in np.flatnonzero(r.solved):
            key = combination(g.name for g in read_hidden(r.network(i)))
            want[key] = want.get(key, 0) + 1
        got = {k: int(n) for k, n in zip(table["hidden gates (solved runs)"], table[col]) if n}
        assert got == want
        assert int(table[col].sum()) == int(r.solved.sum())
    assert len(table) > 1  # XOR splits into several gate pairs
    text = " ".join(m.value for m in at.markdown)
    assert "one valid split of XOR among several" in text
    assert "train_many" not in text and "MultiResult" not in text and "`" not in text


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
    run = at.session_state["_trained_run"]  # app.state.published_run(), read from outside the script
    assert "2-2-1 Sigmoid" in run.label and run.history.epochs_run == 1000
    assert at.session_state["net_source"] == "trained" and at.session_state["net_epoch"] == 500
    assert any("The other pages use this run" in s.value for s in at.success)


def replay_data(at) -> tuple[dict, int]:
    """The browser replay's data (app.replay) and the size of everything it sends, in bytes."""
    (el,) = at.get("bidi_component")
    return replay.received(el.proto.json), len(el.proto.SerializeToString())


def flat_snapshots(hist) -> list:
    return [np.concatenate([p[k].ravel() for k in ("W1", "b1", "W2", "b2")]) for p in hist.snapshots]


def test_the_browser_replay_gets_every_core_snapshot_once():
    """The replay plays in the browser: the page sends the run's weights at every snapshot epoch and
    core's words for each, once; no play toggle, no timer rerun (issue 20)."""
    at = open_page("training.py", query=FAST)
    assert not at.exception
    hist = core_run()
    d, size = replay_data(at)
    assert d["epochs"] == hist.snapshot_epochs and len(d["epochs"]) >= 100
    np.testing.assert_array_equal(np.array(d["weights"]), np.array(flat_snapshots(hist)))
    for i in (0, 50, len(d["epochs"]) - 1):
        e = hist.snapshot_epochs[i]
        assert d["words"][i] == f"loss {ui.fmt(hist.loss[e], 4)} · accuracy {hist.acc[e]:.0%}"
        assert d["labels"][i] == f"{e:,}"
    assert [e for e, _ in d["curve"]] == hist.snapshot_epochs
    np.testing.assert_array_equal([v for _, v in d["curve"]], np.maximum(hist.loss[hist.snapshot_epochs], 1e-12))
    assert d["act"] == "sigmoid" and d["hidden"] == 2 and d["X"] == X.tolist() and d["y"] == [0, 1, 1, 0]
    assert d["start"] == len(d["epochs"]) - 1  # the server slider's epoch: the last one
    assert d["autoplay"] and not d["present"]
    assert size <= 300_000, f"the animated chart sends {size:,} bytes"
    assert "tr_play" not in [t.key for t in at.toggle] and not at.get("progress")


def test_the_server_slider_and_a_link_set_where_the_browser_replay_starts():
    at = open_page("training.py", query={**FAST, "tr_epoch": "500"})
    d, _ = replay_data(at)
    assert d["epochs"][d["start"]] == 500 and not d["autoplay"]  # a link's epoch: no autoplay
    at.select_slider(key="tr_epoch").set_value(300).run()
    d2, _ = replay_data(at)
    assert d2["epochs"][d2["start"]] == 300 and d2["id"] == d["id"]  # the same run, started elsewhere


def test_presenter_mode_makes_the_browser_replay_large():
    at = open_page("training.py", query=FAST)
    normal, _ = replay_data(at)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception
    d, _ = replay_data(at)
    assert d["present"] and d["font"] > normal["font"] and d["weights"] == normal["weights"]


def test_the_replays_run_is_built_once_per_run_and_only_where_to_start_changes(monkeypatch):
    """A move of the epoch slider (a fragment rerun: the same History again) sends the same run text
    without building it again; another History of the same run gets the same text and id; and the
    browser reads what run_part built."""
    import copy

    hist = core_run()
    built = []
    monkeypatch.setattr(replay, "run_part", partial(lambda f, h: built.append(h) or f(h), replay.run_part))
    a = replay.payload(hist, 0, False)
    b = replay.payload(hist, 500, True, autoplay=False)
    assert len(built) == 1 and a["run"] is b["run"] and a["id"] == b["id"]
    assert (a["start"], b["start"]) == (0, hist.snapshot_epochs.index(500)) and b["font"] > a["font"]
    other = copy.deepcopy(hist)
    c = replay.payload(other, 0, False)
    assert len(built) == 2 and c["run"] == a["run"] and c["run"] is not a["run"] and c["id"] == a["id"]
    view = {k: v for k, v in b.items() if k != "run"}
    assert replay.received(b) == {**json.loads(json.dumps(replay.run_part(hist))), **view}
    del hist, other, built[:]
    replay.payload(core_run(lr=2.0), 0, False)  # a third run: the two dead entries are dropped
    assert all(ref() is not None for ref, _ in replay._built.values())


def test_a_diverged_run_replays_its_finite_snapshots():
    at = open_page("training.py", query={"tr_lr": "50", "tr_act": "ReLU", **FAST})
    assert not at.exception
    hist = core_run(lr=50.0, hidden="relu")
    d, _ = replay_data(at)
    finite = [i for i, w in enumerate(flat_snapshots(hist)) if np.all(np.isfinite(w))]
    assert d["epochs"] == [hist.snapshot_epochs[i] for i in finite] and d["act"] == "relu"
    assert np.all(np.isfinite(d["weights"])) and all(np.isfinite(v) and v > 0 for _, v in d["curve"])


def test_garbage_url_values_fall_back_to_defaults():
    query = {"tr_lr": "banana", "tr_width": "99", "tr_seed": "-4", "tr_epochs": "1e9", "tr_init": "zzz"}
    at = open_page("training.py", query=query)
    assert not at.exception
    assert at.select_slider(key="tr_lr").value == 1.0 and at.slider(key="tr_width").value == 2
    assert at.slider(key="tr_epochs").value == 5000


# ----- caches and templates show core's values ------------------------------------------------------
def shown(at) -> dict:
    """What the page displays (metrics, captions, chart data, tables), minus the measured training time."""
    return {
        "metrics": [(m.label, m.value) for m in at.metric if m.label != "Training time"],
        "captions": [c.value for c in at.caption if not c.value.startswith("Training time")],
        "charts": {t: [f.to_dict("list") for f in frames] for t, frames in charts(at).items()},
        "tables": [d.value.to_dict("split") for d in at.dataframe],
    }


def valid(spec: dict) -> None:
    """tests/test_chart.py's schema check on the spec with the first rows of each dataset (the
    structure is what the schema checks; thousands of heatmap rows only make it slow)."""
    from test_chart import valid as valid_full

    valid_full({**spec, "datasets": {k: v.slice(0, 5) for k, v in spec["datasets"].items()}})


def test_warm_fills_the_default_render_with_the_same_values(monkeypatch):
    import streamlit as st

    from app.training import run as tr

    cold = shown(open_page("training.py"))
    st.cache_data.clear()
    tr.warm()

    def boom(*args, **kwargs):
        raise AssertionError("the default render should come from warm()'s caches")

    monkeypatch.setattr(tr, "train", boom)  # nothing is trained: the default run was warmed
    at = open_page("training.py")
    assert not at.exception and not at.error
    assert shown(at) == cold


def test_warm_never_raises(monkeypatch):
    from app.training import run as tr

    monkeypatch.setattr(tr, "train", lambda *a, **k: 1 / 0)
    tr.warm()  # warming is an optimisation: a failure is swallowed


def test_replay_boundary_is_core_output_over_the_plane():
    from app.plane import level_lines
    from app.training import charts
    from app.training import run as tr
    from core.data import grid

    hist = core_run()
    for i in (0, 37, 200):
        e = hist.snapshot_epochs[i]
        ref = hist.network_at(e)
        key = ref.key()
        net = MLP.from_key(key)  # the key holds the snapshot's weights bit for bit
        assert all(np.array_equal(a, b) for a, b in zip(net.W + net.b, ref.W + ref.b))
        values = tr.boundary_values(key)
        np.testing.assert_array_equal(values, ref.predict(grid(60)[2])[:, 0].reshape(60, 60))
        spec, description = charts.boundary(values, e, False)
        valid(spec)
        assert spec["title"] == f"Decision boundary at epoch {e:,}"
        heat = spec["datasets"]["heat"].column("q").to_numpy()
        np.testing.assert_array_equal(heat, np.rint(values * 255).astype(np.uint8).ravel())
        line = spec["datasets"]["line"]
        want = level_lines(values, -0.5, 1.5, 0.5)
        np.testing.assert_array_equal(line.column("x1").to_numpy(), want["x1"])
        assert f"from {values.min():.2f} (blue) to {values.max():.2f} (red)" in description


def test_a_boundary_without_a_half_line_keeps_its_layout():
    from app.training import charts
    from app.training import run as tr

    net = MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", 0)
    net.b[1][:] = 20.0  # the output stays above 0.5 everywhere: no 0.5 line to draw
    values = tr.boundary_values(net.key())
    assert values.min() > 0.5
    spec, description = charts.boundary(values, 300, False)
    crossing, _ = charts.boundary(tr.boundary_values(core_run().final.key()), 1000, False)
    assert spec["datasets"]["line"].num_rows == 0 and len(spec["layer"]) == len(crossing["layer"])
    assert "does not reach 0.5 anywhere" in description
    valid(spec)


@pytest.mark.slow
@pytest.mark.parametrize("present", [False, True])
def test_every_chart_is_valid_vega_lite_and_shows_the_run(present):
    """The One-run charts of a normal and a diverged run, and the lab's, against the Vega-Lite
    schema; their data are the runs' own numbers."""
    from app.training import charts
    from app.training import run as tr

    cfg = {**tr.DEFAULT_CFG, "epochs": 1000}
    for lr, act in ((1.0, "sigmoid"), (50.0, "relu")):
        cfg_run = {**cfg, "act": act}
        hist = tr.run_training(cfg_run, lr)
        div = tr.divergence(cfg_run, lr, hist) if hist.diverged else None
        out = charts.run_charts(hist, lr, div.curves() if div else {}, present)
        assert (out["zoom"] is not None) == (hist.diverged and hist.divergence.epoch < 100)
        for spec, description in filter(None, out.values()):
            valid(spec)
            assert description.endswith(".")
        loss = out["loss"][0]["datasets"]["curves"].to_pandas()
        mine = loss[loss["run"] == f"this run (lr {lr:g})"]
        np.testing.assert_allclose(mine["value"], np.maximum(hist.loss[mine["epoch"]], charts.LOSS_FLOOR))
        assert ui.fmt(hist.loss[-1], 4) in out["loss"][1]
    lab = tr.lab_results((cfg, 1.0), ({**cfg, "width": 3}, 1.0), "width", 20)
    for spec, _ in charts.lab_charts({s.label: s.result for s in lab.values()}, 1000, present):
        valid(spec)
        bars = spec["datasets"]["bars"].to_pandas()
        assert set(bars["setting"]) <= {s.label for s in lab.values()}


def test_replay_tables_are_streamlits_own_conversion_of_core_values():
    import pandas as pd

    from app.training import run as tr
    from core.data import ROW_LABELS

    hist = core_run(width=3, hidden="tanh")
    net = hist.network_at(500)
    t = tr.replay_tables(net)
    fwd = net.forward(X)
    df = pd.DataFrame(fwd.a[1], index=ROW_LABELS, columns=["h1", "h2", "h3"])
    df["output a2"] = fwd.output[:, 0]
    df["expected"] = y[:, 0].astype(int)
    as_streamlit = dataframe_util.convert_pandas_df_to_arrow_bytes
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(t.hidden) == as_streamlit(df)
    w1 = pd.DataFrame(np.vstack([net.W[0], net.b[0]]), index=["W1 from x1", "W1 from x2", "b1"], columns=df.columns[:3])
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(t.w1) == as_streamlit(w1)
    w2 = pd.DataFrame(np.vstack([net.W[1], net.b[1]]), index=["W2 from h1", "W2 from h2", "W2 from h3", "b2"])
    w2.columns = ["output"]
    assert dataframe_util.convert_arrow_table_to_arrow_bytes(t.w2) == as_streamlit(w2)
    # the gates by the one rule (z1 > 0), independently of core.gates: tanh(z) > 0 ⟺ z > 0
    from core.gates import GATES

    assert [g.name for g in t.gates] == [GATES[tuple(int(v) for v in fwd.z[1][:, k] > 0)] for k in range(3)]


def test_replay_names_the_gates_with_the_one_rule():
    from app import gate_text as gt
    from core.gates import read_hidden

    at = open_page("training.py", query={"tr_act": "ReLU", "tr_width": "3", "tr_lr": "0.5", **FAST})
    assert not at.exception
    net = train(MLP.create([2, 3, 1], "relu", "sigmoid", "normal", 0), X, y, 0.5, 1000).final
    caption = next(c.value for c in at.caption if c.value.startswith("Read as gates"))
    assert caption.startswith(f"Read as gates (on when z1 > 0): {gt.names_line(read_hidden(net))}")


def test_replay_epoch_follows_links_and_settings():
    from app.training.run import replay_epoch

    epochs = list(range(0, 1001, 5))
    assert replay_epoch(epochs, None, "") == 1000  # first visit: the last epoch
    assert replay_epoch(epochs, None, "500") == 500  # a link's epoch
    assert replay_epoch(epochs, None, "0") == 0
    for bad in ("501", "²", "-5", "1e3", "banana"):
        assert replay_epoch(epochs, None, bad) == 1000
    assert replay_epoch(epochs, 7, "") == 1000  # settings changed: no such snapshot
    longer = list(range(0, 4001, 20))  # Epochs raised from 1,000 to 4,000
    assert replay_epoch(longer, 1000, "", last_end=1000) == 4000  # left at the end: follows the new end
    assert replay_epoch(longer, 500, "", last_end=1000) == 500  # left elsewhere: stays
    assert replay_epoch(longer, 4000, "", last_end=4000) == 4000


def leaves(node) -> list:
    """The elements inside an AppTest block, in page order."""
    from streamlit.testing.v1.element_tree import Block

    return [x for c in node.children.values() for x in leaves(c)] if isinstance(node, Block) else [node]


def test_presenter_mode_puts_loss_boundary_and_numbers_side_by_side():
    from streamlit.testing.v1.element_tree import Block

    at = open_page("training.py", query=FAST)
    normal = shown(at)
    at.session_state["presenter"] = True
    at.run()
    assert not at.exception

    def what(el):
        return json.loads(el.proto.spec)["title"] if el.type == "vega_lite_chart" else getattr(el, "label", el.type)

    rows = [b for b in at.tabs[0].children.values() if isinstance(b, Block)]
    first = next(r for r in rows for c in r.children.values() if isinstance(c, Block) and len(c.children) == 3)
    row = next(c for c in first.children.values() if isinstance(c, Block) and len(c.children) == 3)
    columns = [[what(el) for el in leaves(col)] for col in row.children.values()]
    assert columns[0] == ["Loss (log scale)"]
    assert columns[1][:2] == ["Decision boundary at epoch 1,000", "Epoch"]
    # beside the picture: the shown epoch's numbers (here the last epoch's, the run's final ones)
    assert columns[2][:4] == ["markdown", "Loss", "Accuracy", "Solved at epoch"]
    assert "**At epoch 1,000**" in [m.value for m in at.markdown]
    final = dict(normal["metrics"])
    assert [m.value for m in at.metric][:3] == [final["Final loss"], final["Final accuracy"], final["Solved at epoch"]]
    assert any(c.value.startswith("End of the run, epoch 1,000: loss") for c in at.caption)
    # the same charts (the loss curve once) as in normal mode, in another order; the same tables, as HTML
    presenting = shown(at)
    assert not at.dataframe and len(at.table) == len(normal["tables"])
    assert presenting["charts"].keys() == normal["charts"].keys()
    assert len(at.get("vega_lite_chart")) == len(normal["charts"])


@pytest.mark.slow
def test_the_epoch_slider_reruns_only_its_fragment_through_the_agent_api(tmp_path):
    """The benchmark moves tr_epoch through Streamlit's agent API: every key of a request inside one
    fragment reruns only that fragment (as in a browser), so the slider and everything it changes
    must carry the replay fragment's id, and the run's own sections must not."""
    from test_isolation import AgentServer
    from test_isolation import nodes as walk  # `nodes` is the test's own list below

    srv = AgentServer(log=tmp_path / "server.log")
    try:
        snap = srv.interact({"page": "training", "query_params": {k: [v] for k, v in FAST.items()}})
        slider = next(n for n in walk(snap["tree"]) if n.get("key") == "tr_epoch")
        fragment = slider.get("fragment")
        assert fragment, "tr_epoch must be inside st.fragment"
        snap = srv.interact({"session_id": snap["session_id"], "widget_state": {"tr_epoch": "500"}})
        hist = core_run()
        inside = [n for n in walk(snap["tree"]) if n.get("fragment") == fragment]
        texts = [n.get("props", {}).get("body", "") for n in inside]
        assert any(t.startswith(f"Epoch 500: loss {ui.fmt(hist.loss[500], 4)}") for t in texts)
        assert not any(n.get("type") == "metric" for n in inside)  # the run's numbers stay outside
    finally:
        srv.stop()


def test_downsampled_curves_keep_every_buckets_lowest_and_highest_value():
    """A curve's spikes and bounces survive: in each of the MAX_POINTS buckets the first lowest and
    first highest value are kept (with ties, as in an accuracy curve), and both ends."""
    from app.training.charts import MAX_POINTS, downsample

    rng = np.random.default_rng(3)
    for v in (rng.normal(size=5003), np.round(rng.random(7001) * 4) / 4, np.arange(100.0)):
        e, kept = downsample(v)
        np.testing.assert_array_equal(kept, v[e])
        if v.size <= 2 * MAX_POINTS:
            assert e.size == v.size
            continue
        assert e[0] == 0 and e[-1] == v.size - 1 and e.size <= 2 * MAX_POINTS + 2
        for chunk in np.array_split(np.arange(v.size), MAX_POINTS):
            assert {chunk[np.argmin(v[chunk])], chunk[np.argmax(v[chunk])]} <= set(e.tolist())
    e, kept = downsample(np.array([1.0, np.nan, 0.5, np.inf]))
    assert e.tolist() == [0, 2] and kept.tolist() == [1.0, 0.5]  # never a non-finite value
