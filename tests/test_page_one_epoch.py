"""One epoch in slow motion: every phase's numbers (on the diagram and in the tables) are the
network's own MLP.forward / loss / backward / step, and every control moves the stepper."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import give_trained_run, open_page
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from app.one_epoch import text as tx
from core.data import ROW_LABELS, X, notes_network, y
from core.losses import bce_from_logits
from core.mlp import MLP
from core.train import train

PAGE = "one_epoch.py"
ORDER = ["Forward", "Loss", "Backward", "Update"]


def diagram(at) -> tuple:
    """The diagram's (nodes, edges) datasets as DataFrames."""
    (el,) = at.get("vega_lite_chart")
    data = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}
    return data["nodes"], data["edges"]


def node_text(nodes, name: str) -> str:
    return nodes.loc[nodes["name"] == name, "bias_text"].item()


def tables(at) -> list:
    return [t.value for t in at.dataframe]


def phase(at) -> str:
    return at.segmented_control(key="oe_phase").value


def expected(net: MLP, lr: float):
    """The oracle, computed here: the network's forward pass, loss, gradients and one step."""
    fwd = net.forward(X)
    g = net.backward(fwd, y, "bce")
    after = net.copy()
    after.step(g, lr)
    return fwd, g, after


def check_phase(at, net: MLP, lr: float, row: int) -> None:
    assert not at.exception, at.exception
    fwd, g, after = expected(net, lr)
    nodes, edges = diagram(at)
    lit = dict(zip(nodes["name"], nodes["lit"]))
    shown = phase(at)
    hs = [f"h{j + 1}" for j in range(net.W[0].shape[1])]
    z1, a1, z2, a2 = fwd.z[1], fwd.a[1], fwd.z[2], fwd.a[2]
    if shown == "Forward":
        assert all(lit.values()) and edges["lit"].all()
        for j, h in enumerate(hs):
            assert node_text(nodes, h) == f"z1 = {tx.num(z1[row, j])}\na1 = {tx.num(a1[row, j])}"
        assert node_text(nodes, "out") == f"z2 = {tx.num(z2[row, 0])}\na2 = {tx.num(a2[row, 0])}"
        (t,) = tables(at)
        np.testing.assert_allclose(t.to_numpy(dtype=float), np.hstack([z1, a1, z2, a2]))
        assert list(t.index) == [("▶ " if i == row else "") + r for i, r in enumerate(ROW_LABELS)]
    elif shown == "Loss":
        assert [k for k, v in lit.items() if v] == ["out"] and not edges["lit"].any()
        each = np.array([bce_from_logits(z2[n : n + 1], y[n : n + 1]) for n in range(4)])
        assert each.mean() == pytest.approx(net.loss(X, y, "bce"), rel=1e-12)
        assert f"loss = {tx.num(each[row])}" in node_text(nodes, "out")
        (t,) = tables(at)
        np.testing.assert_allclose(t.to_numpy(dtype=float), np.column_stack([a2[:, 0], y[:, 0], each]))
        assert f"**{tx.fmt(net.loss(X, y, 'bce'), 4)}**" in "".join(m.value for m in at.markdown)
    elif shown == "Backward":
        assert not any(lit[f"x{i + 1}"] for i in range(2)) and edges["lit"].all()
        grads = np.r_[g.dW[1].ravel(), g.dW[2][:, 0]]
        assert list(edges["label"]) == [f"dW\n{tx.num(v)}" for v in grads]
        assert node_text(nodes, "out") == f"dz2 = {tx.num(g.dz[2][row, 0])}\ndb2 = {tx.num(g.db[2][0, 0])}"
        for j, h in enumerate(hs):
            assert node_text(nodes, h) == f"dz1 = {tx.num(g.dz[1][row, j])}\ndb1 = {tx.num(g.db[1][0, j])}"
        dz, grad = tables(at)
        np.testing.assert_allclose(dz.to_numpy(dtype=float), np.hstack([g.dz[2], g.dz[1]]))
        flat = np.r_[g.dW[1].ravel(), g.db[1].ravel(), g.dW[2].ravel(), g.db[2].ravel()]
        np.testing.assert_allclose(grad["gradient"].to_numpy(dtype=float), flat)
    else:
        old, new = net.to_dict(), after.to_dict()
        labels = [
            tx.arrow(o, n)
            for o, n in zip(np.r_[old["W1"].ravel(), old["W2"][:, 0]], np.r_[new["W1"].ravel(), new["W2"][:, 0]])
        ]
        assert list(edges["label"]) == labels
        assert node_text(nodes, "out") == "b2 " + tx.arrow(old["b2"][0, 0], new["b2"][0, 0])
        (t,) = tables(at)
        flat = lambda d: np.r_[d["W1"].ravel(), d["b1"].ravel(), d["W2"].ravel(), d["b2"].ravel()]  # noqa: E731
        np.testing.assert_allclose(t["before"].to_numpy(dtype=float), flat(old))
        np.testing.assert_allclose(t["after"].to_numpy(dtype=float), flat(new))
        np.testing.assert_allclose(t["− lr · gradient"].to_numpy(dtype=float), flat(new) - flat(old), atol=1e-15)
        before, later = (m.value for m in at.metric)
        assert before == tx.fmt(net.loss(X, y, "bce"), 4) and later == tx.fmt(after.loss(X, y, "bce"), 4)


def test_next_steps_through_the_four_phases_each_showing_cores_numbers():
    at = open_page(PAGE)
    net = notes_network()
    assert phase(at) == "Forward" and at.button(key="oe_back").disabled
    check_phase(at, net, 0.5, 2)
    for name in ORDER[1:]:
        at.button(key="oe_next").click().run()
        assert phase(at) == name
        check_phase(at, net, 0.5, 2)
    assert at.button(key="oe_next").disabled
    assert at.query_params["oe_phase"] == "Update"


def test_back_steps_back_and_the_phase_control_jumps():
    at = open_page(PAGE, query={"oe_phase": "Update"})
    assert phase(at) == "Update"
    for name in reversed(ORDER[:-1]):
        at.button(key="oe_back").click().run()
        assert phase(at) == name
    at.segmented_control(key="oe_phase").set_value("Backward").run()
    check_phase(at, notes_network(), 0.5, 2)


@pytest.mark.parametrize("row", [0, 3])
def test_the_followed_input_and_the_learning_rate_change_the_numbers(row):
    at = open_page(PAGE, query={"oe_phase": "Forward"})
    at.segmented_control(key="oe_row").set_value(row).run()
    check_phase(at, notes_network(), 0.5, row)
    at.number_input(key="oe_lr").set_value(2.0).run()
    at.segmented_control(key="oe_phase").set_value("Update").run()
    check_phase(at, notes_network(), 2.0, row)


def test_play_advances_one_phase_per_tick_and_stops_at_the_update(monkeypatch):
    at = open_page(PAGE)
    at.button(key="oe_play").click().run()
    assert at.session_state["oe_playing"] and phase(at) == "Forward"  # pressing play does not skip a phase
    at.run()
    assert phase(at) == "Forward"  # too soon for the next phase
    for name in ORDER[1:]:
        at.session_state["oe_tick"] = 0.0  # the interval has passed
        at.run()
        assert phase(at) == name
        check_phase(at, notes_network(), 0.5, 2)
    assert not at.session_state["oe_playing"]  # stopped at the last phase
    assert at.button(key="oe_play").label == "Play"
    at.button(key="oe_play").click().run()  # play again: from the start
    assert phase(at) == "Forward" and at.session_state["oe_playing"]
    assert at.button(key="oe_play").label == "Pause"
    at.button(key="oe_play").click().run()
    assert not at.session_state["oe_playing"]
    at.session_state["oe_tick"] = 0.0
    at.run()
    assert phase(at) == "Forward"  # paused: no step


def test_next_while_playing_pauses():
    at = open_page(PAGE)
    at.button(key="oe_play").click().run()
    at.button(key="oe_next").click().run()
    assert phase(at) == "Loss" and not at.session_state["oe_playing"]


def test_it_starts_from_the_current_shared_network_a_trained_tanh_one_of_width_3():
    hist = train(MLP.create([2, 3, 1], hidden="tanh", seed=2), X, y, lr=0.5, epochs=40, snapshots=5)
    at = open_page(PAGE)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    net = hist.network_at(hist.snapshot_epochs[-1])
    for name in ORDER:
        at.segmented_control(key="oe_phase").set_value(name).run()
        check_phase(at, net, 0.5, 2)
    assert "tanh" in "".join(c.value for c in at.caption)


@pytest.mark.parametrize("lr", ["1000", "abc", "-3"])
def test_bad_learning_rates_never_break_the_page(lr):
    at = open_page(PAGE, query={"oe_lr": lr, "oe_phase": "Update"})
    assert not at.exception
    check_phase(at, notes_network(), 0.5, 2)  # refused: the default learning rate


def test_a_network_the_page_cannot_step_through_gets_a_message_not_a_traceback():
    hist = train(MLP.create([2, 3, 3, 1], seed=1), X, y, lr=0.5, epochs=5, snapshots=2)
    at = open_page(PAGE)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    assert any("cannot step through this network" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")
