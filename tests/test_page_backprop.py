"""Backpropagation page: what it displays equals what core computes."""

import json

import numpy as np
import pytest
from conftest import chart_specs, open_page

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


def test_ledger_example_and_diagram_equal_core_for_the_notes_weights():
    at = open_page(PAGE)
    assert not at.exception
    assert at.title[0].value == "Backpropagation"
    check_ledger(at, NOTES, "bce")
    # one example, in the notes' words
    led = bl.ledger(NOTES, X, y)
    all_text = texts(at)
    # default input [1 0]
    assert f"“**{bl.dz2_words(led.a2[2, 0], 1.0)}**”" in all_text
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
    assert "(a_2 - y) \\odot \\sigma'(z_2)" in texts(at)


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


def test_a_trained_relu_network_of_width_3():
    hist = train(MLP.create([2, 3, 1], hidden="relu", seed=2), X, y, lr=0.5, epochs=40, snapshots=5)
    at = open_page(PAGE)
    at.session_state["trained_run"] = {"label": "test run", "history": hist}
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
    from app import backprop_data as bd
    from core.gradcheck import gradient_check

    params = NOTES.to_dict()
    for loss in ("bce", "mse"):
        first = bd.tables(params, "sigmoid", loss)
        again = bd.tables(params, "sigmoid", loss)  # from the cache
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
    from app import backprop_data as bd

    df = bd.to_arrow(bd.pd.DataFrame({"a": [1.0, np.inf], "b": [np.nan, -np.inf]}, index=["p", "q"])).to_pandas()
    assert df.loc["p", "a"] == 1.0 and np.isnan(df.loc["q", "a"]) and df.isna().sum().sum() == 3


def test_warm_fills_every_cache_of_the_default_render_and_changes_no_number(monkeypatch):
    import streamlit as st

    from app import backprop_charts as bc
    from core import gradcheck

    cold = displayed(open_page(PAGE))
    st.cache_data.clear()
    bc.warm()  # as app.warmup's thread would, outside any script run

    def computed_again(*args, **kwargs):
        raise AssertionError("the default render recomputed something warm() should have cached")

    monkeypatch.setattr(bl, "ledger", computed_again)
    monkeypatch.setattr(gradcheck, "gradient_check", computed_again)
    monkeypatch.setattr("app.backprop_data.gradient_check", computed_again)
    monkeypatch.setattr(bc, "contributions_chart", computed_again)
    monkeypatch.setattr(bc, "sigmoid_prime_chart", computed_again)
    at = open_page(PAGE)
    assert not at.exception
    assert displayed(at) == cold


def test_moving_the_step_in_a_real_server_updates_its_fragment_with_cores_numbers(tmp_path):
    """A browser reruns only the step's fragment (AppTest cannot show that): every step-dependent
    element must be inside it, and the rest of the page must stay as it was."""
    from test_isolation import AgentServer
    from test_isolation import nodes as walk  # `nodes` is the test's own list below

    from app import backprop_text as bt

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


@pytest.mark.parametrize("big", [False, True])
def test_chart_specs_from_a_template_equal_a_fresh_build(big):
    """A new network reuses its layout's chart and swaps the data: the result must be the very
    spec a fresh Altair build gives (data, x range, everything)."""
    from app import backprop_charts as bc
    from app.charts import style

    nets = [NOTES, bl.zero_network(), MLP.create([2, 2, 1], seed=4), MLP.create([2, 3, 1], hidden="relu", seed=2)]
    for net in nets:
        for loss in ("bce", "mse"):
            params = net.to_dict()
            led = bl.ledger(net, X, y, loss)
            df = bc.contributions_frame(led, ROW_LABELS)
            fresh = bc.to_spec(style(bc.contributions_chart(df, big)))
            assert bc.contributions_spec(params, net.hidden, loss, big) == fresh
            style(bc.contributions_chart(df, big)).to_dict(validate=True)  # valid Vega-Lite (the page skips this)
        frames = bc.sigmoid_prime_frames(led.z2, led.a2, led.y, ROW_LABELS)
        assert bc.sigmoid_prime_spec(params, net.hidden, big) == bc.to_spec(style(bc.sigmoid_prime_chart(*frames, big)))
        style(bc.sigmoid_prime_chart(*frames, big)).to_dict(validate=True)
