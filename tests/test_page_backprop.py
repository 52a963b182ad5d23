"""Backpropagation page: what it displays equals what core computes."""

import json

import numpy as np
import pytest
from conftest import chart_specs, give_trained_run, open_page

from core import backprop_ledger as bl
from core.data import ROW_LABELS, X, notes_network, y
from core.gradcheck import flat_grads
from core.mlp import MLP
from core.train import train

PAGE = "backprop.py"
NOTES = notes_network()


def open_with_url(query: dict):
    """Open the page as a shared link would: the query parameters are set just before switching to
    the page (conftest.open_page sets them before the home page runs, and the switch drops them)."""
    at = open_page()
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(f"../pages/{PAGE}")
    at.run()
    return at


def table(at, *cols):
    """The first table on the page that has all of these columns (each table's columns are unique)."""
    for d in at.dataframe:
        df = d.value
        if all(c in df.columns for c in cols):
            df = df.copy()
            df.index = [str(i).removeprefix("▶ ") for i in df.index]
            return df
    raise AssertionError(f"no table with columns {cols}: {[list(d.value.columns) for d in at.dataframe]}")


def chart_data(at, column: str):
    """The data frame shipped with a chart (Streamlit sends it as Arrow beside the spec)."""
    from streamlit import dataframe_util

    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            df = dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
            if column in df.columns:
                return df
    raise AssertionError(f"no chart data with column {column!r}")


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [m.value for m in at.latex]
    parts += [m.value for m in at.info] + [m.value for m in at.success] + [m.value for m in at.warning]
    parts += [m.value for m in at.error]
    return "\n".join(parts)


def check_ledger(at, net, loss="bce"):
    """Every ledger table equals core's backward pass for ``net``."""
    led = bl.ledger(net, X, y, loss)
    g = net.gradients(X, y, loss)
    h = led.width
    hs = [f"h{j + 1}" for j in range(h)]
    # 1 · dz2 (4×1)
    t = table(at, "a2", "y", "a2 − y", "dz2")
    assert list(t.index) == ROW_LABELS
    np.testing.assert_array_equal(t["dz2"].to_numpy(), g.dz[2][:, 0])
    np.testing.assert_array_equal(t["a2"].to_numpy(), led.a2[:, 0])
    # 2 · dW2 (h×1) and what each input adds
    t = table(at, "dW2")
    assert t.shape == (h, 1)
    np.testing.assert_array_equal(t["dW2"].to_numpy(), g.dW[2][:, 0])
    t = table(at, *[f"a1 {x} × dz2 ÷ N" for x in hs])
    for j, x in enumerate(hs):
        np.testing.assert_array_equal(t[f"a1 {x} × dz2 ÷ N"].to_numpy(), led.a1[:, j] * led.dz2[:, 0] / 4)
        np.testing.assert_allclose(t[f"a1 {x} × dz2 ÷ N"].sum(), g.dW[2][j, 0], rtol=1e-12, atol=1e-18)
        np.testing.assert_array_equal(t[f"a1 {x}"].to_numpy(), led.a1[:, j])
    # 3 · db2 (1×1)
    assert table(at, "db2")["db2"].to_numpy()[0] == g.db[2][0, 0]
    t = table(at, "dz2 ÷ N")
    np.testing.assert_array_equal(t["dz2 ÷ N"].to_numpy()[:4], g.dz[2][:, 0] / 4)
    assert t.loc["sum = db2", "dz2 ÷ N"] == g.db[2][0, 0]
    # 4 · dz1 (4×h) = (dz2 @ W2ᵀ) * f'(z1)
    t = table(at, *[f"dz1 {x}" for x in hs])
    np.testing.assert_array_equal(t.to_numpy(), g.dz[1])
    t = table(at, *[f"f'(z1) {x}" for x in hs])
    np.testing.assert_array_equal(t.to_numpy(), led.fp1)
    t = table(at, *[f"dz2·W2[{j}] ({x})" for j, x in enumerate(hs)])
    np.testing.assert_allclose(t.to_numpy(), g.dz[2] @ net.W[1].T, rtol=1e-15)
    # 5 · dW1 (2×h) and what each input adds
    t = table(at, *[f"dW1 → {x}" for x in hs])
    assert list(t.index) == ["x1", "x2"]
    np.testing.assert_array_equal(t.to_numpy(), g.dW[1])
    t = table(at, "W1[0,0] x1→h1")
    np.testing.assert_array_equal(t.loc["sum = dW1"].to_numpy(), g.dW[1].ravel())
    np.testing.assert_allclose(t.iloc[:4].to_numpy().sum(axis=0), g.dW[1].ravel(), rtol=1e-12, atol=1e-18)
    # 6 · db1 (1×h)
    np.testing.assert_array_equal(table(at, *[f"db1 {x}" for x in hs]).to_numpy(), g.db[1])
    t = table(at, *[f"dz1 {x} ÷ N" for x in hs])
    np.testing.assert_array_equal(t.loc["sum = db1"].to_numpy(), g.db[1][0])


def test_dz2_is_read_in_the_notes_words():
    from app.backprop import text as bt

    assert bt.dz2_words(0.5, 1.0) == "output is too low by 0.50, need to increase it!"
    assert bt.dz2_words(0.9, 1.0) == "output is too low by 0.10, need to increase it!"
    assert bt.dz2_words(0.1, 0.0) == "output is too high by 0.10, need to decrease it!"
    assert bt.dz2_words(0.003, 0.0) == "output is too high by 0.003, need to decrease it!"
    assert bt.dz2_words(1.0, 1.0).startswith("output is exactly on target")
    z = bl.ledger(bl.zero_network(), X, y)  # the notes' untrained example
    assert bt.dz2_words(z.a2[2, 0], z.y[2, 0]) == "output is too low by 0.50, need to increase it!"


@pytest.mark.slow
def test_ledger_example_and_diagram_equal_core_for_the_notes_weights():
    from app.backprop import text as bt

    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Backpropagation"
    check_ledger(at, NOTES, "bce")
    # one example, in the notes' words
    led = bl.ledger(NOTES, X, y)
    all_text = texts(at)
    # default input [1 0]
    assert f"“**{bt.dz2_words(led.a2[2, 0], 1.0)}**”" in all_text
    assert "output is too low by 0.05, need to increase it!" in all_text
    at.segmented_control(key="bp_row").set_value(3).run()
    assert "output is too high by 0.07, need to decrease it!" in texts(at)
    assert table(at, "a2", "y", "a2 − y", "dz2").index.tolist() == ROW_LABELS
    # the notes' "Predicted 0.5 (initially) → dz2 = −0.5" is the all-zero network, computed
    zero = bl.ledger(bl.zero_network(), X, y)
    assert zero.dz2[2, 0] == -0.5
    assert "dz_2 &= 0.5000 - 1 = -0.5000" in texts(at)
    assert "output is too low by 0.50, need to increase it!" in texts(at)
    assert "every gradient is exactly 0" in texts(at)
    # the diagram highlights the step being explained, and moves with the selector
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "dz2 [label=<<B>dz2</B><BR/>= a2 − y" in dot and "fillcolor" in dot.split("  dz2 [")[1].split("\n")[0]
    at.segmented_control(key="bp_step").set_value("dW1").run()
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "penwidth=3" in dot.split("  dW1 [")[1].split("\n")[0]
    assert "penwidth=3" not in dot.split("  dz2 [")[1].split("\n")[0]
    assert "Step 5 of 6 — dW1" in texts(at)
    # the notes' intuition, from the live numbers: [0 1] has h1 on and h2 off
    at.segmented_control(key="bp_step").set_value("dW2").run()
    o = bl.off_neuron_example(bl.ledger(NOTES, X, y))
    info = at.info[0].value
    assert f"for **{ROW_LABELS[o.n]}**" in info and f"h{o.off + 1} was off" in info
    # the contributions chart carries exactly the ledger's per-example terms
    assert any("yOffset" in json.dumps(s) for s in chart_specs(at))
    df = chart_data(at, "term")
    assert len(df) == 9 * 4
    led = bl.ledger(NOTES, X, y)
    w20 = df[df["parameter"].str.startswith("W2[0]")]
    np.testing.assert_array_equal(w20["term"].to_numpy(), led.dW2_terms[:, 0])
    np.testing.assert_allclose(w20["term"].sum(), led.dW2[0, 0], rtol=1e-12)
    assert np.isfinite(df["term"]).all()


def test_gradient_check_and_switching_to_mse_multiplies_dz2_by_sigma_prime():
    at = open_page(PAGE)
    # the gradient check: all 9 parameters, relative errors below 1e-6
    t = table(at, "backprop (analytic)", "central difference", "relative error")
    assert list(t.index) == NOTES.param_names() and len(t) == 9
    np.testing.assert_array_equal(t["backprop (analytic)"].to_numpy(), flat_grads(NOTES, X, y))
    assert (t["relative error"] < 1e-6).all()
    assert "far below 10⁻⁶" in at.success[0].value
    bce = table(at, "a2", "y", "a2 − y", "dz2")
    assert "σ'(z2)" not in bce.columns
    at.segmented_control(key="bp_loss").set_value("mse").run()
    assert not at.exception
    t = table(at, "backprop (analytic)", "relative error")
    np.testing.assert_array_equal(t["backprop (analytic)"].to_numpy(), flat_grads(NOTES, X, y, "mse"))
    assert (t["relative error"] < 1e-6).all()
    mse = table(at, "a2", "y", "a2 − y", "σ'(z2)", "dz2")
    a2 = NOTES.predict(X)
    np.testing.assert_allclose(mse["σ'(z2)"].to_numpy(), (a2 * (1 - a2))[:, 0], rtol=1e-15)
    np.testing.assert_allclose(mse["dz2"].to_numpy(), bce["dz2"].to_numpy() * mse["σ'(z2)"].to_numpy(), rtol=1e-14)
    # the side-by-side table shows the factor as the ratio
    c = table(at, "dz2 BCE", "dz2 MSE", "MSE ÷ BCE")
    np.testing.assert_allclose(c["MSE ÷ BCE"].to_numpy(), c["σ'(z2)"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(c["dz2 MSE"].to_numpy(), c["dz2 BCE"].to_numpy() * c["σ'(z2)"].to_numpy(), rtol=1e-14)
    # the whole ledger follows the MSE backward pass
    check_ledger(at, NOTES, "mse")
    assert "dz_2 = \\big(a_2 - y\\big) \\odot \\sigma'(z_2)" in texts(at)
    check_displayed_formulas(at, NOTES, "mse")


@pytest.mark.slow
def test_one_step_lowers_the_loss_and_shows_w_minus_lr_dw_and_keeps_stepping():
    at = open_page(PAGE)
    at.number_input(key="bp_lr").set_value(0.1).run()
    at.button(key="bp_go").click().run()
    assert not at.exception
    t = table(at, "before", "gradient", "after")
    g = flat_grads(NOTES, X, y)
    np.testing.assert_array_equal(t["before"].to_numpy(), NOTES.flat())
    np.testing.assert_array_equal(t["gradient"].to_numpy(), g)
    np.testing.assert_allclose(t["after"].to_numpy(), NOTES.flat() - 0.1 * g, rtol=1e-15)
    loss_before, loss_after = (float(m.value) for m in at.metric[:2])
    assert loss_after < loss_before
    assert loss_before == pytest.approx(NOTES.loss(X, y), abs=1e-6)
    assert "The loss went down" in at.success[-1].value
    first_after = t["after"].to_numpy()
    # a second press steps from where we are
    at.button(key="bp_go").click().run()
    t2 = table(at, "before", "gradient", "after")
    np.testing.assert_array_equal(t2["before"].to_numpy(), first_after)
    assert at.metric[2].value == "2"
    # a huge step overshoots: the page says so
    at.number_input(key="bp_lr").set_value(500.0).run()
    at.button(key="bp_go").click().run()
    assert "made the loss **worse**" in at.warning[-1].value
    # reset returns to the starting network
    at.button(key="bp_reset").click().run()
    assert not any("before" in d.value.columns for d in at.dataframe)
    at.button(key="bp_go").click().run()
    np.testing.assert_array_equal(table(at, "before", "after")["before"].to_numpy(), NOTES.flat())


def test_changing_the_shared_network_resets_the_stepping():
    at = open_page(PAGE)
    at.button(key="bp_go").click().run()
    assert any("before" in d.value.columns for d in at.dataframe)
    at.selectbox(key="net_source").set_value("random").run()
    assert not at.exception
    assert not any("before" in d.value.columns for d in at.dataframe)
    net = MLP.from_dict(
        MLP.create([2, 2, 1], init=at.session_state["net_init"], seed=int(at.session_state["net_seed"])).to_dict()
    )
    check_ledger(at, net, "bce")


@pytest.mark.slow
def test_url_parameters_and_garbage():
    at = open_with_url({"bp_loss": "Mean squared error (MSE)", "bp_step": "dz1", "bp_row": "[0 0]", "bp_lr": "2"})
    assert not at.exception
    assert at.segmented_control(key="bp_loss").value == "mse"
    assert at.segmented_control(key="bp_step").value == "dz1"
    assert at.segmented_control(key="bp_row").value == 0
    assert at.number_input(key="bp_lr").value == 2.0
    bad = open_with_url({"bp_loss": "nonsense", "bp_step": "dW9", "bp_row": "[9 9]", "bp_lr": "1e99"})
    assert not bad.exception
    assert bad.segmented_control(key="bp_loss").value == "bce"
    assert bad.segmented_control(key="bp_step").value == "dz2"
    assert bad.segmented_control(key="bp_row").value == 2
    assert 0.001 <= bad.number_input(key="bp_lr").value <= 1000
    junk = open_with_url({"bp_lr": "abc", "bp_row": "", "bp_loss": "", "bp_step": ""})
    assert not junk.exception and junk.number_input(key="bp_lr").value == 0.5
    check_ledger(junk, NOTES, "bce")


@pytest.mark.slow
def test_a_trained_relu_network_of_width_3():
    hist = train(MLP.create([2, 3, 1], hidden="relu", seed=2), X, y, lr=0.5, epochs=40, snapshots=5)
    at = open_page(PAGE)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    net = hist.network_at(hist.snapshot_epochs[-1])
    check_ledger(at, net, "bce")
    assert "\\mathbb{1}[z_1 > 0]" in texts(at)
    assert "ReLU" in texts(at)


# ----- the fast paths: caches, warm-up and fragments show exactly core's numbers --------------------
def displayed(at) -> dict:
    """Everything a student reads: every table (values and labels), every text, every chart's data."""
    from streamlit import dataframe_util

    charts = [
        dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data).to_dict("list")
        for el in at.get("vega_lite_chart")
        for ds in el.proto.datasets
    ]
    return {
        "tables": [d.value.to_dict("split") for d in at.dataframe],
        "texts": texts(at),
        "dot": [el.proto.spec for el in at.get("graphviz_chart")],
        "charts": charts,
    }


def test_cached_tables_are_cores_numbers_and_only_the_chosen_row_is_marked():
    from app.backprop import run as bd
    from core.gradcheck import gradient_check

    for loss in ("bce", "mse"):
        first = bd.tables(NOTES.key(), loss)
        again = bd.tables(NOTES.key(), loss)  # from the cache
        led = bl.ledger(NOTES, X, y, loss)
        built = bd.frames(led, bl.compare_losses(NOTES, X, y), gradient_check(NOTES, X, y, loss))
        assert set(first) == set(built)
        for name, df in built.items():
            for table in (first[name], again[name]):
                got = table.to_pandas()
                assert list(got.index) == list(df.index) and list(got.columns) == list(df.columns), name
                np.testing.assert_array_equal(got.to_numpy(), df.to_numpy(), err_msg=name)
        np.testing.assert_array_equal(first["dz1"].to_pandas().to_numpy(), led.dz1)
        np.testing.assert_array_equal(first["dW1_terms"].to_pandas().loc["sum = dW1"].to_numpy(), led.dW1.ravel())
    marked = bd.mark(first["dz2"], "[0 1]").to_pandas()
    assert list(marked.index) == ["[0 0]", "▶ [0 1]", "[1 0]", "[1 1]"]
    np.testing.assert_array_equal(marked.to_numpy(), first["dz2"].to_pandas().to_numpy())
    assert bd.mark(first["dW2"], "[0 1]") is first["dW2"]  # no such row: unchanged
    assert list(first["dz2"].to_pandas().index) == ROW_LABELS  # the cached table itself is never marked


def test_infinite_values_become_empty_cells_not_inf():
    import pandas as pd

    from app.chart import frame_table

    df = frame_table(pd.DataFrame({"a": [1.0, np.inf], "b": [np.nan, -np.inf]}, index=["p", "q"])).to_pandas()
    assert df.loc["p", "a"] == 1.0 and np.isnan(df.loc["q", "a"]) and df.isna().sum().sum() == 3


@pytest.mark.slow
def test_warm_fills_every_cache_of_the_default_render_and_changes_no_number(monkeypatch):
    import streamlit as st

    from app import chart
    from app.backprop import run
    from core import gradcheck

    cold = displayed(open_page(PAGE))
    st.cache_data.clear()
    chart._layout.cache_clear()
    run.warm()  # as app.warmup's thread would, outside any script run

    def computed_again(*args, **kwargs):
        raise AssertionError("the default render recomputed something warm() should have cached")

    monkeypatch.setattr(bl, "ledger", computed_again)
    monkeypatch.setattr(gradcheck, "gradient_check", computed_again)
    monkeypatch.setattr("app.backprop.run.gradient_check", computed_again)
    monkeypatch.setattr(chart, "build", computed_again)  # no chart layout built again by Altair
    at = open_page(PAGE)
    assert not at.exception
    assert displayed(at) == cold


@pytest.mark.slow
def test_moving_the_step_in_a_real_server_updates_its_fragment_with_cores_numbers(tmp_path):
    """A browser reruns only the step's fragment (AppTest cannot show that): every step-dependent
    element must be inside it, and the rest of the page must stay as it was."""
    from test_isolation import AgentServer
    from test_isolation import nodes as walk  # `nodes` is the test's own list below

    from app.backprop import text as bt

    srv = AgentServer(log=tmp_path / "server.log")
    try:
        snap = srv.interact({"page": "backprop"})
        tables_before = {n["key"]: n["data"] for n in walk(snap["tree"]) if n.get("type") == "dataframe"}
        led = bl.ledger(NOTES, X, y)
        for step in ("dW1", "db2"):
            snap = srv.interact({"session_id": snap["session_id"], "widget_state": {"bp_step": step}})
            nodes = list(walk(snap["tree"]))
            assert not [n for n in nodes if n.get("type") == "exception"]
            bodies = [n.get("props", {}).get("body", "") for n in nodes]
            assert bt.what_it_means(led, step) in bodies
            assert bt.step_heading(step) in bodies
            dot = next(n["props"]["figure_or_dot"] for n in nodes if n.get("type") == "graphviz_chart")
            assert "penwidth=3" in dot.split(f"  {step} [")[1].split("\n")[0]
            tables = {n["key"]: n["data"] for n in nodes if n.get("type") == "dataframe"}
            assert tables == tables_before  # the ledger below was not touched
    finally:
        srv.stop()


@pytest.mark.browser
def test_in_a_browser_only_the_explained_steps_ledger_entry_is_marked(tmp_path):
    """The step's fragment marks its ledger entry with CSS (the ledger is outside the fragment):
    after each move exactly one entry is marked, the right one."""
    from browser import CHROMIUM, CHROMIUM_ARGS, DONE, free_port, require_browser, start_server

    require_browser()
    from playwright.sync_api import sync_playwright

    marked = """() => ['dz2', 'dW2', 'db2', 'dz1', 'dW1', 'db1'].filter(s => {
        const box = document.querySelector('.st-key-bp_entry_' + s);
        const head = box.querySelector(':scope > [data-testid="stElementContainer"] p');
        return getComputedStyle(box).borderTopWidth === '2px'
            && getComputedStyle(head, '::after').content === '"explained above"'; })"""
    port = free_port()
    proc = start_server(port, tmp_path / "server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/backprop?bp_step=dz1")
            page.wait_for_selector(DONE, timeout=120_000)
            page.wait_for_function(f"({marked})().length > 0", timeout=20_000)
            assert page.evaluate(marked) == ["dz1"]
            for step in ("dW1", "db2"):
                page.locator(".st-key-bp_step").get_by_text(step, exact=True).click()
                page.wait_for_function(f"({marked})().join() === '{step}'", timeout=20_000)
                assert page.evaluate(marked) == [step]
                assert f"bp_step={step}" in page.url  # a shared link keeps the step moved in the fragment
            assert page.locator('[data-testid="stException"]').count() == 0
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.parametrize("present", [False, True])
def test_every_chart_is_valid_vega_lite_and_carries_the_ledgers_numbers(present):
    """For networks of other shapes, activations and losses: both charts, filled from their one
    layout, validate against the Vega-Lite schema and hold exactly core's numbers."""
    from test_chart import valid

    from app.backprop import charts as bc

    nets = [NOTES, bl.zero_network(), MLP.create([2, 2, 1], seed=4), MLP.create([2, 3, 1], hidden="relu", seed=2)]
    for net in nets:
        for loss in ("bce", "mse"):
            led = bl.ledger(net, X, y, loss)
            spec = bc.contributions_spec(bc.contributions_data(led), present)
            valid(spec)
            terms = spec["datasets"]["terms"].to_pandas()
            d, h = led.dW1.shape
            assert len(terms) == 4 * (d * h + 2 * h + 1)
            for n, row in enumerate(ROW_LABELS):
                mine = terms[terms["input"] == row]
                np.testing.assert_array_equal(mine["term"].iloc[:h].to_numpy(), led.dW2_terms[n])
                np.testing.assert_array_equal(
                    mine["term"].iloc[h + 1 : h + 1 + d * h].to_numpy(), led.dW1_terms[n].ravel()
                )
            g = net.gradients(X, y, loss)
            grads = np.concatenate([g.dW[2][:, 0], g.db[2][0], g.dW[1].ravel(), g.db[1][0]])  # the chart's order
            for p, g in zip(bc.parameter_names(d, h), grads, strict=True):
                np.testing.assert_allclose(terms[terms["parameter"] == p]["term"].sum(), g, rtol=1e-12, atol=1e-15)
            lo, hi = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
            assert lo <= terms["term"].min() and terms["term"].max() <= hi
        slope = bc.sigmoid_prime_spec(bc.sigmoid_prime_data(led), present)
        valid(slope)
        pts = slope["datasets"]["points"].to_pandas()
        np.testing.assert_array_equal(pts["slope"].to_numpy(), (led.a2 * (1 - led.a2))[:, 0])
        assert pts["input"].tolist() == ROW_LABELS


# ----- every displayed formula, as grouped, is the one NumPy runs (issue 16) ------------------------
def tex_to_python(t: str) -> str:
    """The subset of LaTeX the page writes matrix formulas in, read back as a core.formulas expression,
    independently of how the page made it: an underbrace groups what it spans, like brackets."""
    import re

    def underbraces(s: str) -> str:
        i = s.find(r"\underbrace{")
        if i < 0:
            return s
        j, depth = i + len(r"\underbrace{"), 1
        start = j
        while depth:
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            j += 1
        body = s[start : j - 1]
        assert s[j : j + 2] == "_{", s
        k, depth = j + 2, 1
        while depth:
            depth += {"{": 1, "}": -1}.get(s[k], 0)
            k += 1
        return underbraces(s[:i] + "(" + body + ")" + s[k:])

    s = underbraces(t)
    s = s.replace(r"\mathbin{@}", "@").replace(r"\small", "")
    for size in (r"\bigg", r"\Big", r"\big", r"\left", r"\right"):
        s = s.replace(size + "(", "(").replace(size + ")", ")")
    s = re.sub(r"\\textstyle\\sum_n (\w+)\[n\]", r"rowsum(\1)", s)
    s = s.replace("^{\\top}", ".T").replace("\\odot", "*").replace("\\sigma'(", "sigmaprime(").replace("f'(", "fprime(")
    s = s.replace("\\,", " ").replace("\\;", " ").replace("\\!", "")
    s = re.sub(r"\b([A-Za-z]+)_(\d)\b", r"\1\2", s)
    assert "\\" not in s and "{" not in s and "}" not in s, f"not a formula the test can read: {t!r} → {s!r}"
    return s.strip()


def formula_pieces(tex: list[str]) -> list[str]:
    """Every matrix formula in these LaTeX strings: each side of each '=' of each line that holds a
    matrix product, ⊙ or a sum over the rows (lines of derivatives, numbers or losses are not)."""
    import re

    pieces = []
    for value in tex:
        body = value.strip("$\n")
        body = re.sub(r"\\(begin|end)\{aligned\}", "", body)
        for line in body.split(r"\\"):
            for part in re.split(r"&?=", line):
                part = part.replace("&", "").strip()
                if not part or not any(op in part for op in ("@", r"\odot", r"\sum_n d")):
                    continue
                if any(bad in part for bad in (r"\partial", r"\ell", r"\frac", r"\times", r"\cdot")):
                    continue
                pieces.append(part)
    return pieces


def check_displayed_formulas(at, net, loss="bce", tex: list[str] | None = None) -> list[str]:
    """Each displayed matrix formula (the page's maths, or ``tex`` as a browser rendered it), read back
    and run by NumPy on ``net``, is shape-valid as grouped and gives one of the backward pass's own
    arrays (dz2, dW2, db2, dz1, dW1, db1, f'(z1))."""
    from core import formulas as F

    env = F.environment(net, X, y, loss)
    led = bl.ledger(net, X, y, loss)
    known = {name: getattr(led, name) for name in ("dz2", "dW2", "db2", "dz1", "dW1", "db1", "fp1")}
    names = []
    for piece in formula_pieces([el.value for el in at.latex] if tex is None else tex):
        value = F.evaluate(tex_to_python(piece), env)  # a ShapeError here is a wrongly grouped formula
        hit = [k for k, v in known.items() if v.shape == value.shape and np.allclose(v, value, rtol=1e-12, atol=1e-15)]
        assert hit, f"{piece} gives none of the backward pass's arrays"
        names.append(hit[0])
    return names


def test_the_old_dw1_chain_is_caught_by_this_check():
    """The formula the page used to show: its underbrace groups W2ᵀ ⊙ f'(z1), read as dz2 @ (…): undefined."""
    from core import formulas as F

    old = (
        r"\underbrace{X^{\top}}_{\text{local}} @ \big(\underbrace{dz_2}_{\text{output}} @ "
        r"\underbrace{W_2^{\top} \odot f'(z_1)}_{\text{hidden}}\big) / N"
    )
    with pytest.raises(F.ShapeError, match="4×1 @ 4×2"):
        F.evaluate(tex_to_python(old), F.environment(NOTES, X, y))


@pytest.mark.parametrize("step", ["dz2", "dz1", "dW1"])
def test_every_matrix_formula_on_the_page_is_shape_valid_and_computes_its_gradient(step):
    from core import formulas as F

    at = open_page(PAGE)
    at.segmented_control(key="bp_step").set_value(step).run()
    assert not at.exception
    names = check_displayed_formulas(at, NOTES)
    assert names.count("dW1") >= 2 and {"dW2", "db2", "dz1", "db1", "fp1"} <= set(names)  # (a2 − y has no product)
    if step == "dW1":
        assert "The notes' Step 4 writes this line as dz1ᵀ @ X: that is dW1 **transposed**" in at.info[0].value
    # dW1 with every factor labelled, in two lines: dW1 from dz1, and dz1 = (dz2 @ W2ᵀ) ⊙ f'(z1)
    assert "dW_1 &= " + F.render(F.DW1_FROM_DZ1, tex=True) in texts(at)
    assert "dz_1 &= " + F.render(F.DZ1_CHAIN, tex=True) in texts(at)
    assert (
        r"\big(\underbrace{dz_2}_{\text{output}} \mathbin{@} \underbrace{W_2^{\top}}_{\text{hidden}}\big) \odot"
        in texts(at)
    )
    assert r"W_2^{\top} \odot f'(z_1)}_{\text{hidden}}" not in texts(at)  # the old grouping is gone
    env = F.environment(NOTES, X, y)
    captions = " ".join(c.value for c in at.caption)
    assert F.shapes_line(F.DW1_CHAIN, env) in captions
    assert "dz2 @ (W2ᵀ ⊙ f'(z1)) would be (4×1) @ (4×2): undefined" in captions
    # each ledger heading's shapes are the ones NumPy meets
    text = texts(at)
    assert "**4 · dz1** — Pass error back (chain rule!) · shape **4×2** — (4×1) @ (1×2) ⊙ (4×2)" in text
    assert "**5 · dW1** — Compute dW1 · shape **2×2** — (2×4) @ (4×2)" in text


@pytest.mark.slow
def test_a_relu_network_of_width_3_shows_only_shape_valid_formulas():
    hist = train(MLP.create([2, 3, 1], hidden="relu", seed=2), X, y, lr=0.5, epochs=40, snapshots=5)
    net = hist.network_at(hist.snapshot_epochs[-1])
    at = open_page(PAGE)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    at.segmented_control(key="bp_step").set_value("dW1").run()
    assert not at.exception
    check_displayed_formulas(at, net)
    assert "dz2 @ (W2ᵀ ⊙ f'(z1)) would be (4×1) @ (4×3): undefined" in texts(at)
    # the notes' Step 4 slip: with 3 hidden neurons even the shapes differ
    from core import notes_audit as na

    notes, code = na.transpose_slip(net, X, y)
    assert notes.shape == (3, 2) and code.shape == (2, 3)
    assert "dz1ᵀ @ X is 3×2 and dW1 is 2×3: even the shapes disagree" in texts(at)
    assert "for their network with 2 hidden neurons; this one has 3" in texts(at)


def test_chain_rule_names_every_factor_with_a_variable_of_the_network():
    at = open_page(PAGE)
    text = texts(at)
    # the notes' x → h → y → L, written with the network's own variables
    assert r"X \;\to\; z_1 \;\to\; a_1 \;\to\; z_2 \;\to\; a_2 \;\to\; \ell" in text
    assert "The notes' **h** is the hidden layer" in text and "Their **y** is the output" in text
    assert "On this page **y** always means the true label (0 or 1)" in text
    chain = next(el.value for el in at.latex if r"\frac{\partial \ell}{\partial W_1} =" in el.value)
    for factor in (r"\partial z_2", r"\frac{\partial z_2}{\partial a_1}", r"\frac{\partial a_1}{\partial z_1}"):
        assert factor in chain
    assert r"\partial y" not in text and r"\partial h" not in text  # y never means the output
    assert "dL/dy" not in text and "∂L/∂y" not in text
    assert "**Output gradient** ∂ℓ/∂z2 = dz2" in text and "∂z2/∂a1 = W2ᵀ" in text and "∂a1/∂z1 = f′(z1)" in text


def test_the_loss_is_defined_before_its_derivative_and_the_one_over_n_is_explained():
    from app.backprop import text as bt
    from core.losses import single_example_losses

    at = open_page(PAGE)
    latex = [el.value for el in at.latex]
    loss_i = next(i for i, t in enumerate(latex) if r"\ell_n &= -\,y_n \ln a_{2,n}" in t)
    assert r"&\quad - (1 - y_n) \ln(1 - a_{2,n})" in latex[loss_i]
    chain_i = next(i for i, t in enumerate(latex) if r"\frac{\partial \ell}{\partial W_1}" in t)
    assert loss_i < chain_i and r"L &= \tfrac{1}{N}\textstyle\sum_n \ell_n" in latex[loss_i]
    per = single_example_losses(np.array(bt.CONFIDENCES), 1.0)
    text = texts(at)
    wrong, half = bt.num(per["bce"][2]), bt.num(per["bce"][1])
    assert f"the **confident mistake** a2 = {bt.CONFIDENCES[2]} costs {wrong}" in text
    assert f"**ln 2 = {bt.num(float(np.log(2)))}**" in text and f"a2 = 0.5 costs {half}" in text
    assert half == bt.num(float(np.log(2)))
    assert f"L = {bt.fmt(NOTES.loss(X, y), 4)}" in text
    # dz2 is one example's ∂ℓ/∂z2; the mean brings the 1/N into dW2
    assert "dz2[n] = ∂ℓₙ/∂z2, not divided by N" in at.info[0].value
    at.segmented_control(key="bp_step").set_value("dW2").run()
    step = next(el.value for el in at.latex if r"\frac{\partial L}{\partial W_2}" in el.value)
    assert r"\tfrac{1}{N}\textstyle\sum_n \frac{\partial \ell_n}{\partial z_2}" in step
    assert r"a_1^{\top} \mathbin{@} dz_2 / N" in step
    at.segmented_control(key="bp_loss").set_value("mse").run()
    assert any(r"\ell_n &= \tfrac{1}{2}\,(a_{2,n} - y_n)^2" in el.value for el in at.latex)


def test_the_notes_slips_are_shown_where_the_student_meets_them_with_live_numbers():
    from app.backprop import text as bt
    from core import notes_audit as na

    at = open_page(PAGE)
    text = texts(at)
    checks = na.audit(NOTES, X, y)
    # Step 4: dz1.T @ X is dW1 transposed — both matrices shown, from core
    notes, code = na.transpose_slip(NOTES, X, y)
    np.testing.assert_allclose(notes, code.T, rtol=1e-12)
    assert not np.allclose(notes, code)  # the slip shows in the numbers
    # read as W1's gradient would be (rows x1, x2; columns h1, h2): the notes' table first, then the code's
    pair = [
        d.value for d in at.dataframe if list(d.value.index) == ["x1", "x2"] and list(d.value.columns) == ["h1", "h2"]
    ]
    assert len(pair) == 2
    shown_notes, shown_code = pair
    np.testing.assert_array_equal(shown_notes.to_numpy(), notes)
    np.testing.assert_array_equal(shown_code.to_numpy(), code)
    assert "*dL/dW1 = dL/dz1 × dz1/dW1 = dz1.T @ X*" in text and "dW1 **transposed**" in text
    assert f"they still differ by up to {bt.num(float(np.max(np.abs(notes - code))))}" in text
    # Step 2's "Full gradient" drops the / N: N times dW2
    full = checks["dW2_full"]
    assert f"That is a1ᵀ @ dz2 = {bt._flat(full.notes_value)}, N = 4 times dW2 = {bt._flat(full.code_value)}" in text
    # the notes' shape comments are right, and said so
    assert "(2, 4) @ (4, 1) = (2, 1) for dW2" in text and "are all right" in text
    # the diagram computes gradients; no box says it updates anything
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "Compute dW2" in dot and "Compute dW1" in dot and "Update" not in dot
    assert "Xᵀ @ dz1 / N" in dot and "(dz2 @ W2ᵀ) ⊙ σ'(z1)" in dot
    assert "those lines only **compute** gradients" in text
    # section 6: the old weights, and what the classic bug would change, from core
    o = na.update_order(NOTES, X, y, 0.5)
    digits = bt._digits_for(o.gap)
    assert f"dW1 would come out as {bt._flat(o.dW1_w2_first, digits)} instead of {bt._flat(o.dW1, digits)}" in text
    assert bt._flat(o.dW1_w2_first, digits) != bt._flat(o.dW1, digits)
    at.number_input(key="bp_lr").set_value(5.0).run()
    o5 = na.update_order(NOTES, X, y, 5.0)
    assert f"lr = 5, dW1 would come out as {bt._flat(o5.dW1_w2_first, bt._digits_for(o5.gap))}" in texts(at)


def test_predicted_half_is_read_both_ways_with_numbers_from_core():
    from app.backprop import text as bt
    from core import notes_audit as na

    at = open_page(PAGE)
    text = texts(at)
    small = na.check_start(na.small_random_network(NOTES), X, y, **na.START_TRAINING)
    twin = na.check_start(na.twin_network(NOTES), X, y, **na.START_TRAINING)
    a2 = float(small.a2[2, 0])
    assert abs(a2 - 0.5) < 0.1  # ≈ 0.5, not exactly
    assert f"a2 = {bt.fmt(a2, 4)} for [1 0], so dz2 = {bt.fmt(a2 - 1, 4)}" in text
    assert f"take the loss from {bt.fmt(small.loss_before, 4)} to {bt.fmt(small.loss_after, 4)}" in text
    assert f"{round(small.accuracy_after * 4)} of 4 right" in text
    assert "**Every weight and bias 0** gives exactly σ(0) = 0.5" in text and "**every gradient is exactly 0**" in text
    assert "dz_2 &= 0.5000 - 1 = -0.5000" in text
    assert twin.twin_gap_after < 1e-9
    assert bt._still_twins(twin.twin_gap_after) in text
    assert (
        f"the loss is {bt.fmt(twin.loss_after, 4)} and {round(twin.accuracy_after * 4)} of 4 inputs are right" in text
    )
    assert "**break the symmetry**" in text


def test_gradient_check_leads_with_the_central_difference():
    from app.backprop import run as bd
    from core.gradcheck import gradient_check

    at = open_page(PAGE)
    latex = [el.value for el in at.latex]
    central = next(
        i for i, t in enumerate(latex) if r"\frac{L(\theta+\varepsilon) - L(\theta-\varepsilon)}{2\varepsilon}" in t
    )
    five = next(i for i, t in enumerate(latex) if r"8L(\theta+\varepsilon)" in t)
    assert central < five
    assert "The table's numbers: the 5-point rule" in [e.label for e in at.expander]
    g3, g5 = gradient_check(NOTES, X, y, points=3), gradient_check(NOTES, X, y)
    assert f"{g3.max_rel_error:.1e} with the formula above, {g5.max_rel_error:.1e} with the 5-point rule" in texts(at)
    assert bd.gradcheck_central(NOTES.key(), "bce").max_rel_error == g3.max_rel_error
    assert g5.max_rel_error < g3.max_rel_error


def test_no_code_names_in_the_text():
    at = open_page(PAGE)
    for step in ("dz2", "dW1"):
        at.segmented_control(key="bp_step").set_value(step).run()
        assert "`" not in texts(at)


@pytest.mark.browser
def test_in_a_browser_every_formula_is_shape_valid_and_fits_a_phone(tmp_path):
    """What a phone really renders: every matrix formula's TeX (KaTeX keeps it beside the drawing), read
    back and run by NumPy, is shape-valid as grouped and computes its gradient; and no formula is wider
    than the screen, normally or in presenter mode. The page's old dW1 chain, whose underbrace grouped
    W2ᵀ ⊙ f'(z1), fails the first check: dz2 @ (…) is (4×1) @ (4×2)."""
    from browser import CHROMIUM, CHROMIUM_ARGS, DONE, free_port, require_browser, start_server

    require_browser()
    from playwright.sync_api import sync_playwright

    annotations = "() => [...document.querySelectorAll('.katex-display annotation')].map(a => a.textContent)"
    too_wide = """() => [...document.querySelectorAll('.katex-display')].filter(k => {
        const box = k.closest('[data-testid="stElementContainer"]');
        return box && k.scrollWidth > box.clientWidth + 3; }).map(k => k.querySelector('annotation').textContent)"""
    port = free_port()
    proc = start_server(port, tmp_path / "server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            for query in ("bp_step=dW1", "bp_step=dW1&presenter=true"):
                page.goto(f"http://127.0.0.1:{port}/backprop?{query}")
                page.wait_for_selector(DONE, timeout=120_000)
                page.wait_for_timeout(1000)
                page.wait_for_selector(DONE, timeout=120_000)
                tex = page.evaluate(annotations)
                assert len(tex) > 10
                names = check_displayed_formulas(None, NOTES, tex=tex)
                assert names.count("dW1") >= 2 and "dz1" in names
                assert page.evaluate(too_wide) == [], query
                assert page.locator('[data-testid="stException"]').count() == 0
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
