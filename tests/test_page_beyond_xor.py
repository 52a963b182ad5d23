"""The Beyond XOR page (AppTest): every control, the own points' editing, the link, the CSV file in
and out with every bad case, and the sweep. Expected numbers come from core in the test."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import chart_specs, hold_the_only_heavy_slot, interrupt_while_queued, open_page, release_when_queued

from core.mlp import MLP
from core.problems import MAX_ROWS, generate, split, sweep, write_csv
from core.train import train

pytestmark = pytest.mark.slow  # each test opens the page and trains (a few seconds on a shared machine)
PAGE = "beyond_xor.py"


def pct(v: float) -> str:
    return f"{100 * v:.0f} %"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def texts(at) -> str:
    return "\n".join(
        [e.value for e in at.markdown]
        + [e.value for e in at.caption]
        + [e.value for e in at.info]
        + [e.value for e in at.warning]
        + [e.value for e in at.error]
        + [e.value for e in at.success]
    )


def table(at):
    return at.dataframe[0].value if len(at.dataframe) else None


def ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def own(at):
    at.selectbox(key="bx_src").set_value("own").run()
    ok(at)
    return at


def add(at, x1: float, x2: float, mode: str = "add0"):
    at.radio(key="bx_mode").set_value(mode)
    at.number_input(key="bx_x1").set_value(x1)
    at.number_input(key="bx_x2").set_value(x2)
    at.button(key="bx_add").click().run()
    ok(at)
    return at


def core_run(X, y, test=0.3, split_seed=0, width=4, depth=1, act="tanh", lr=0.5, epochs=2000, seed=0):
    tr, te = split(len(X), test, split_seed)
    net = MLP.create([2] + [width] * depth + [1], act, "sigmoid", "xavier_uniform", seed)
    h = train(net, X[tr], y[tr], lr, epochs)
    return h, (X[tr], y[tr]), (X[te], y[te])


def test_the_default_page_shows_the_accuracies_core_computes():
    at = open_page(PAGE)
    ok(at)
    X, y = generate("circles", 200, 0.1, 0)
    h, train_set, test_set = core_run(X, y)
    m = metrics(at)
    assert m["Training accuracy"] == pct(h.final.accuracy(*train_set))
    assert m["Test accuracy"] == pct(h.final.accuracy(*test_set))
    assert "140 to train on (solid, white outline), 60 held out to test (pale, black outline)" in texts(at)
    df = table(at)
    assert len(df) == 200 and np.allclose(df[["x1", "x2"]].to_numpy(), X)
    assert (df["set"] == "test").sum() == 60
    # replay: an earlier epoch shows that epoch's network
    at.select_slider(key="bx_epoch").set_value(h.snapshot_epochs[5]).run()
    ok(at)
    assert metrics(at)["Test accuracy"] == pct(h.network_at(h.snapshot_epochs[5]).accuracy(*test_set))
    assert f"at epoch {h.snapshot_epochs[5]:,}" in texts(at)


@pytest.mark.parametrize("problem", ["xor", "noisy_xor", "moons", "spiral", "blobs"])
def test_every_problem_with_its_size_noise_and_seed(problem):
    at = open_page(PAGE)
    at.selectbox(key="bx_src").set_value(problem).run()
    ok(at)
    n = 4 if problem == "xor" else 60
    if problem != "xor":
        at.slider(key="bx_n").set_value(n)
    at.number_input(key="bx_noise").set_value(0.2)
    at.number_input(key="bx_seed").set_value(3).run()
    ok(at)
    X, y = generate(problem, n, 0.2, 3)
    df = table(at)
    np.testing.assert_allclose(df[["x1", "x2"]].to_numpy(), X)
    assert list(df["class"]) == list(y[:, 0].astype(int))
    if problem == "xor":  # four points: nothing held out, both accuracies on the training points
        assert "too few to hold some out" in texts(at) and "set" not in df


def test_split_controls_move_the_split():
    at = open_page(PAGE)
    at.slider(key="bx_test").set_value(0.5)
    at.number_input(key="bx_split_seed").set_value(7).run()
    ok(at)
    _, te = split(200, 0.5, 7)
    df = table(at)
    assert list(np.flatnonzero(df["set"] == "test")) == list(te)
    assert "100 to train on (solid, white outline), 100 held out to test (pale, black outline)" in texts(at)


@pytest.mark.parametrize("act", ["sigmoid", "relu"])
def test_network_controls_train_the_network_they_describe(act):
    at = open_page(PAGE)
    at.selectbox(key="bx_src").set_value("noisy_xor")
    at.slider(key="bx_n").set_value(40)
    at.slider(key="bx_width").set_value(3)
    at.slider(key="bx_depth").set_value(2)
    at.selectbox(key="bx_act").set_value(act)
    at.select_slider(key="bx_lr").set_value(0.2)
    at.slider(key="bx_epochs").set_value(300)
    at.number_input(key="bx_net_seed").set_value(5).run()
    ok(at)
    X, y = generate("noisy_xor", 40, 0.1, 0)
    h, train_set, test_set = core_run(X, y, width=3, depth=2, act=act, lr=0.2, epochs=300, seed=5)
    assert "2 hidden layers of 3 neurons (2-3-3-1)" in texts(at)
    assert metrics(at)["Training accuracy"] == pct(h.final.accuracy(*train_set))
    assert metrics(at)["Test accuracy"] == pct(h.final.accuracy(*test_set))


def test_mini_batches_train_with_sgd():
    from core.sgd import train_minibatch

    at = open_page(PAGE)
    at.slider(key="bx_epochs").set_value(200)
    at.selectbox(key="bx_batch").set_value(16).run()
    ok(at)
    X, y = generate("circles", 200, 0.1, 0)
    tr, te = split(200, 0.3, 0)
    net = MLP.create([2, 4, 1], "tanh", "sigmoid", "xavier_uniform", 0)
    h = train_minibatch(net, X[tr], y[tr], np.empty((0, 2)), np.empty((0, 1)), 0.5, 200, 16, seed=0, loss="bce")
    assert "mini-batches of 16" in texts(at)
    assert metrics(at)["Test accuracy"] == pct(h.final.accuracy(X[te], y[te]))


def test_the_hidden_neurons_lines_can_be_hidden():
    at = open_page(PAGE)

    def has_lines():
        return any('"neuron"' in json.dumps(s) for s in chart_specs(at))

    assert has_lines() and "Dashed: where each of the 4" in texts(at)
    at.toggle(key="bx_lines").set_value(False).run()
    ok(at)
    assert not has_lines() and "Dashed" not in texts(at)


def test_own_points_add_remove_undo_clear_and_the_link():
    at = own(open_page(PAGE))
    assert "No points yet" in texts(at) and table(at) is None
    add(at, 0.2, 0.3)
    assert "both classes" in texts(at) and "1 of class 0 and 0 of class 1" in texts(at)
    add(at, 1.0, 0.3, "add1")
    add(at, 0.6, 0.9, "add1")
    df = table(at)
    assert df[["x1", "x2", "class"]].values.tolist() == [[0.2, 0.3, 0], [1.0, 0.3, 1], [0.6, 0.9, 1]]
    assert at.query_params["bx_pts"] == "0.200,0.300,0;1.000,0.300,1;0.600,0.900,1"
    assert "Training accuracy" in metrics(at) and "3 points, all in this page's link" in texts(at)
    add(at, 0.9, 0.4, "remove")  # the nearest point is (1.0, 0.3)
    assert table(at)[["x1", "x2"]].values.tolist() == [[0.2, 0.3], [0.6, 0.9]]
    at.button(key="bx_undo").click().run()
    assert len(table(at)) == 3
    at.button(key="bx_clear").click().run()
    assert table(at) is None and "bx_pts" not in at.query_params
    at.button(key="bx_undo").click().run()
    assert len(table(at)) == 3


def test_a_link_brings_its_points_and_a_bad_one_changes_nothing():
    at = open_page(PAGE, query={"bx_src": "Your own points", "bx_pts": "0.1,0.2,0;0.9,0.8,1"})
    ok(at)
    assert table(at)[["x1", "x2", "class"]].values.tolist() == [[0.1, 0.2, 0], [0.9, 0.8, 1]]
    assert not at.warning  # a good link: no "could not be used" notice
    for bad, why in [
        ("0.1,abc,0", "point 1 is not x1,x2,label"),
        ("0.1,0.2,0;5,5,1", "point 2 lies outside"),
        ("0.1,0.2,2", "label is not 0 or 1"),
        (";".join(["0,0,0"] * 51), "more than 50 points"),
    ]:
        at = open_page(PAGE, query={"bx_src": "Your own points", "bx_pts": bad})
        ok(at)
        assert why in texts(at) and "your points are unchanged" in texts(at) and table(at) is None


def test_more_than_fifty_points_leave_the_link_and_5001_are_refused():
    at = open_page(PAGE)
    at.button(key="bx_copy").click().run()  # the circles' 200 points become the student's own
    ok(at)
    assert at.selectbox(key="bx_src").value == "own" and len(table(at)) == 200
    assert "bx_pts" not in at.query_params and "more than 50 travel as a file" in texts(at)
    X = np.random.default_rng(0).uniform(0, 1, (MAX_ROWS, 2))
    at.session_state["_bx_X"], at.session_state["_bx_y"] = X, (X[:, :1] > 0.5).astype(float)
    at.run()
    add(at, 0.5, 0.5)
    assert f"{MAX_ROWS + 1:,} points: at most {MAX_ROWS:,}" in texts(at) and len(table(at)) == MAX_ROWS


BAD_FILES = {
    "text": (b"x1,x2,label\n0.1,abc,1\n0,0,0\n", "line 2"),
    "nan": (b"x1,x2,label\n0.1,nan,1\n0,0,0\n", "line 2: x1 and x2 must be finite"),
    "inf": (b"x1,x2,label\n0,0,0\ninf,1,1\n", "line 3: x1 and x2 must be finite"),
    "third label": (b"x1,x2,label\n0,0,0\n1,1,2\n", "line 3: the label must be 0 or 1"),
    "one class": (b"x1,x2,label\n0,0,1\n1,1,1\n", "both classes"),
    "empty": (b"", "the file is empty"),
    "50 MB": (b"x1,x2,label\n" + b"0,0,0\n" * (50_000_000 // 6), "at most 1 MB"),
    "binary": (bytes(range(256)) * 4, "not a text file"),
    "5,001 rows": (b"x1,x2,label\n" + b"0,0,0\n1,1,1\n" * 2501, "more than 5,000 rows"),
}


def test_a_csv_loads_and_every_bad_file_is_refused_keeping_the_points():
    at = own(open_page(PAGE))
    X, y = generate("moons", 30, 0.1, 1)
    at.file_uploader(key="bx_upload").set_value(("moons.csv", write_csv(X, y), "text/csv")).run()
    ok(at)
    assert "Loaded 30 points (15 of class 0 and 15 of class 1)" in texts(at)
    np.testing.assert_allclose(table(at)[["x1", "x2"]].to_numpy(), X, rtol=0, atol=5e-4)
    for case, (data, why) in BAD_FILES.items():
        at.file_uploader(key="bx_upload").set_value((f"{case}.csv", data, "text/csv")).run()
        ok(at)
        errors = " ".join(e.value for e in at.error)
        assert why in errors and "Your points are unchanged" in errors, case
        assert len(table(at)) == 30, case


def test_a_click_on_the_plane_adds_or_refuses_a_point():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from app.beyond_xor import controls

        ss = st.session_state
        if not ss.get("done"):
            ss.done = True
            controls.handle_click(ss.event)
        controls.show_message()
        st.markdown(f"n = {len(controls.own_points()[0])}")

    for event, n, words in [
        ({"selection": {"click": [{"x1": 0.25, "x2": 0.75}]}}, "1", None),
        ({"selection": {"click": [{"x1": 3.0, "x2": 0.5}]}}, "0", "outside the plane"),
        ({"selection": {"click": []}}, "0", None),
        ({"selection": {}}, "0", None),
    ]:
        at = AppTest.from_function(script)
        at.session_state["event"] = event
        at.run()
        assert not at.exception and at.markdown[-1].value == f"n = {n}"
        assert words is None or words in at.warning[0].value


def test_the_sweep_says_what_2_2_1_does_with_the_numbers():
    at = open_page(PAGE)
    at.selectbox(key="bx_src").set_value("xor").run()
    at.button(key="bx_sweep").click().run()
    ok(at)
    X, y = generate("xor", noise=0.1)
    best = sweep(X, y, X, y, (2,), (1,), range(10), "tanh", "xavier_uniform", 0.5, 1000).best_test()[0, 0]
    verdict = "solves" if best >= 0.95 else "does not solve"
    assert (
        f"2-2-1**, XOR's network, {verdict} this data set (XOR (four points)): its best of 10 seeds reaches {pct(best)}"
        in texts(at)
    )
    grid = [s for s in chart_specs(at) if "hidden layers" in str(s)]
    assert len(grid) == 1


def test_presenter_mode_shows_the_same_numbers_and_an_html_table():
    at = open_page(PAGE)
    assert len(at.dataframe) == 1 and not at.table
    at.toggle(key="presenter").set_value(True).run()
    ok(at)
    X, y = generate("circles", 200, 0.1, 0)
    h, train_set, test_set = core_run(X, y)
    assert metrics(at)["Test accuracy"] == pct(h.final.accuracy(*test_set))
    assert not at.dataframe and len(at.table) == 1  # projected: an HTML table that grows with the font


def _sweep_words(at) -> bool:
    return any("its best of 10 seeds reaches" in m.value for m in at.markdown)


@pytest.mark.slow
def test_the_sweep_waits_its_turn_saying_its_place_and_a_sweep_already_run_never_waits(monkeypatch):
    """app/heavy.py's gate: with the server's one place taken, the sweep queues and its box says how many
    runs are ahead (app/heavy_ui.py); once the place is free it trains. The same sweep again, the place
    taken again: from the cache, no waiting."""
    gate, other, said = hold_the_only_heavy_slot(monkeypatch)
    at = open_page(PAGE, query={"bx_src": "xor", "bx_seed": "7"})  # a data set no other test sweeps
    queued = release_when_queued(gate, other)
    at.button(key="bx_sweep").click().run(timeout=120)
    ok(at)
    assert queued.is_set(), "the sweep trained while the only place was taken"
    assert "Waiting for the server: 1 run is ahead of yours (Stop cancels it) …" in said
    assert gate.running == 0 and gate.waiting() == 0 and _sweep_words(at)
    assert gate.start(other := gate.enter(), 0)  # the place taken again
    said.clear()
    at.run()
    ok(at)
    assert said == [] and _sweep_words(at)
    gate.leave(other)


@pytest.mark.slow
def test_a_sweep_waiting_for_its_turn_can_be_stopped_and_then_says_so(monkeypatch):
    """Stop while waiting: Streamlit interrupts the waiting script (as the Stop click's rerun does; here
    AppTest's timeout asks for the same stop), the sweep leaves the queue and trains nothing; the rerun
    with Stop pressed says it stopped, shows no sweep, and offers the button again."""

    import streamlit as st

    from app import heavy_ui, worker
    from app.beyond_xor import text

    gate, other, said = hold_the_only_heavy_slot(monkeypatch)
    calls = []
    real = worker.call
    monkeypatch.setattr(worker, "call", lambda fn, *a, **k: (calls.append(fn), real(fn, *a, **k))[1])
    query = {"bx_src": "xor", "bx_seed": "8"}
    at = open_page(PAGE, query=query)
    at.button(key="bx_sweep").click()
    interrupt_while_queued(at, gate)
    assert gate.waiting() == 0 and gate.running == 1  # out of the queue; the other run keeps its place
    assert "Waiting for the server: 1 run is ahead of yours (Stop cancels it) …" in said
    assert sweep not in calls  # nothing was trained
    # the rerun the Stop click causes: its box's button reads True
    monkeypatch.setattr(heavy_ui, "progress_box", lambda *a, **k: (st.empty(), None, True))
    at2 = open_page(PAGE, query=query)
    at2.button(key="bx_sweep").click().run()
    ok(at2)
    assert text.SWEEP_STOPPED in [i.value for i in at2.info] and not _sweep_words(at2)
    at2.run()  # and the sweep waits for the button again
    ok(at2)
    assert text.SWEEP_STOPPED not in [i.value for i in at2.info] and not _sweep_words(at2)
    gate.leave(other)
