"""Click any of the nine numbers (issue 19 §2), on Architecture and Backpropagation: every control of the
section (the parameter, the step's learning rate, the loss) and what it shows, against core."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from conftest import chart_specs, open_page

from app import parameter
from app.ui import fmt, tex
from core import backprop_ledger as bl
from core.data import ROW_LABELS, X, notes_network, y
from core.landscape import loss_slice
from core.mlp import MLP

NOTES = notes_network()
NAMES = NOTES.param_names()
PAGES = [("architecture.py", "ar"), ("backprop.py", "bp")]


def words(at) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [m.value for m in at.latex]
    parts += [m.value for m in at.warning] + [m.value for m in at.info]
    return "\n".join(parts)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chain_frame(at, name: str):
    for d in at.dataframe:
        if str(d.value.columns[-1]).endswith(f"(this input's dL/d{name})"):
            return d.value
    raise AssertionError(f"no chain-rule table for {name}")


def specs(at) -> list[dict]:
    """Every chart's spec with its datasets as Arrow tables ({name: pa.Table}), as the page sent them."""
    out = []
    for el, spec in zip(at.get("vega_lite_chart"), chart_specs(at)):
        spec["datasets"] = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in el.proto.datasets}
        out.append(spec)
    return out


def slice_spec(at, name: str) -> dict:
    return next(s for s in specs(at) if str(s.get("title", "")).startswith(f"L along {name}, the other"))


def expected(net: MLP, name: str, lr: float, loss: str):
    index = net.param_names().index(name)
    chain = bl.parameter_chain(bl.ledger(net, X, y, loss), index)
    return chain, loss_slice(net, X, y, index, lr=lr, loss=loss, reach=parameter.REACH)


def check(at, net: MLP, name: str, lr: float, loss: str) -> None:
    """Everything the section shows for ``name``, against core."""
    assert not at.exception
    chain, sl = expected(net, name, lr, loss)
    g = net.gradients(X, y, loss)
    flat = np.concatenate([t.ravel() for l in (1, 2) for t in (g.dW[l], g.db[l])])
    assert chain.mean == pytest.approx(flat[net.param_names().index(name)], rel=1e-12, abs=1e-15)  # premise
    assert metric(at, f"{name} now") == fmt(sl.theta0, 4)
    assert metric(at, f"dL/d{name} ({parameter.LOSS_NAMES[loss].lower()})") == fmt(chain.mean, 6)
    df = chain_frame(at, name)
    assert [str(i) for i in df.index] == list(ROW_LABELS)
    product = df[df.columns[-1]].to_numpy()
    np.testing.assert_allclose(product, chain.product, rtol=1e-12)
    assert product.mean() == pytest.approx(chain.mean, rel=1e-12, abs=1e-15)  # the table's average is dL/dθ
    np.testing.assert_allclose(df["dz2"].to_numpy(), bl.ledger(net, X, y, loss).dz2[:, 0], rtol=1e-12)
    assert ("σ'(z2)" in df.columns) == (loss == "mse")
    text = words(at)
    assert parameter.chain_numbers_tex(chain, name) in text  # ¼ (the four products) = dL/dθ
    assert f"&= {tex(chain.mean, 6)}\\end{{aligned}}" in parameter.chain_numbers_tex(chain, name)
    assert f"Backpropagation gave {fmt(sl.slope, 6)}; nudging {name} by ε = {sl.eps:g} each way gives " in text
    assert f"{fmt(sl.central, 6)} — they differ by" in text
    assert f"{name} ← {fmt(sl.theta0, 3)} − {lr:g} × {fmt(sl.slope, 4)} = {fmt(sl.step_theta, 3)}" in text
    assert ("went downhill" in text) == (sl.step_loss < sl.loss0)
    spec = slice_spec(at, name)
    marks = spec["datasets"]["marks"].to_pydict()
    assert marks["theta"][0] == sl.theta0 and marks["loss"][0] == sl.loss0
    curve = spec["datasets"]["curve"].to_pydict()
    assert np.all(np.isfinite(curve["loss"])) and np.all(np.isfinite(curve["theta"]))


@pytest.mark.parametrize("page, prefix", PAGES)
def test_the_default_choice_and_every_parameter_from_the_select_box(page, prefix):
    at = open_page(page)
    assert at.selectbox(key=f"{prefix}_theta").value == NAMES[0]
    check(at, NOTES, NAMES[0], 1.0, "bce")
    for name in ("b1[1]", "W2[0,0]", "b2[0]"):  # a hidden bias, an output weight, the output bias
        at.selectbox(key=f"{prefix}_theta").set_value(name).run()
        check(at, NOTES, name, 1.0, "bce")
    # the diagram marks the choice: its halo is b2's
    diagram = next(s for s in specs(at) if "hits" in s["datasets"])
    assert diagram["datasets"]["halo"].to_pydict()["kind"] == ["bias"]
    assert set(diagram["datasets"]["hits"].to_pydict()["pname"]) == set(NAMES)


@pytest.mark.parametrize("page, prefix", PAGES)
def test_the_learning_rate_moves_the_step_and_a_large_one_jumps_past_the_valley(page, prefix):
    at = open_page(page)
    at.selectbox(key=f"{prefix}_theta").set_value("b2[0]").run()
    at.select_slider(key=f"{prefix}_tlr").set_value(0.1).run()
    check(at, NOTES, "b2[0]", 0.1, "bce")
    at.select_slider(key=f"{prefix}_tlr").set_value(200.0).run()
    check(at, NOTES, "b2[0]", 200.0, "bce")
    _, small = expected(NOTES, "b2[0]", 0.1, "bce")
    _, big = expected(NOTES, "b2[0]", 200.0, "bce")
    assert small.step_loss < small.loss0 < big.step_loss  # the premise, from core
    assert "jumped past the valley" in words(at)


def test_the_loss_control_on_architecture_and_the_pages_own_loss_on_backpropagation():
    at = open_page("architecture.py")
    at.selectbox(key="ar_theta").set_value("W1[1,0]").run()
    at.segmented_control(key="ar_tloss").set_value("mse").run()
    check(at, NOTES, "W1[1,0]", 1.0, "mse")
    bp = open_page("backprop.py")
    assert not bp.get("segmented_control") or "bp_tloss" not in [w.key for w in bp.get("segmented_control")]
    bp.segmented_control(key="bp_loss").set_value("mse").run()
    bp.selectbox(key="bp_theta").set_value("W1[1,0]").run()
    check(bp, NOTES, "W1[1,0]", 1.0, "mse")


@pytest.mark.parametrize("page, prefix", PAGES)
def test_the_link_carries_the_choice_and_a_bad_one_falls_back(page, prefix):
    at = open_page(page, query={f"{prefix}_theta": "W2[1,0]", f"{prefix}_tlr": "5.0"})
    assert at.selectbox(key=f"{prefix}_theta").value == "W2[1,0]"
    check(at, NOTES, "W2[1,0]", 5.0, "bce")
    bad = open_page(page, query={f"{prefix}_theta": "W9[9,9]", f"{prefix}_tlr": "1e309"})
    assert not bad.exception
    check(bad, NOTES, NAMES[0], 1.0, "bce")


def test_a_huge_rate_lands_off_the_curve_and_says_where():
    link = "w:1,-1,-1,1,0,0,1,1,0"  # W1, b1, W2, b2: an untrained network, steep along b2
    net = MLP.from_key(NOTES.key())
    net.set_flat(np.array([1, -1, -1, 1, 0, 0, 1, 1, 0], dtype=float))
    _, sl = expected(net, "b2[0]", 1000.0, "bce")
    assert abs(sl.step_theta - sl.theta0) > parameter.REACH and not sl.step_shown  # the premise
    at = open_page("architecture.py", query={"net": link, "ar_theta": "b2[0]", "ar_tlr": "1000.0"})
    check(at, net, "b2[0]", 1000.0, "bce")
    warned = " ".join(w.value for w in at.warning)
    assert f"The step lands at b2[0] = {fmt(sl.step_theta, 3)}" in warned and "far off this view" in warned
    spec = slice_spec(at, "b2[0]")
    lo, hi = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert hi - lo == pytest.approx(12.0)  # the view stays round the current point
    assert spec["datasets"]["marks"].to_pydict()["theta"] == [sl.theta0, sl.step_theta]  # drawn off the view


def _section(key: tuple) -> None:
    """A script that draws only the section, for a network no link can make (AppTest.from_function)."""
    from app import parameter
    from core.mlp import MLP

    parameter.section(MLP.from_key(key), False, "zz")


def test_an_overflowing_network_gets_a_message_not_a_traceback_or_nan():
    from streamlit.testing.v1 import AppTest

    big = notes_network()
    big.set_flat(np.r_[big.flat()[:6], 1e308, 1e308, 1e308])  # W2, b2 at 1e308: z2 overflows
    assert not np.isfinite(big.loss(X, y))  # the premise
    at = AppTest.from_function(_section, args=(big.key(),), default_timeout=30).run()
    assert not at.exception
    assert any("overflow" in w.value for w in at.warning)
    assert not at.dataframe  # no table of infinities
    for spec in specs(at):
        for table in spec.get("datasets", {}).values():
            for col, values in table.to_pydict().items():
                if values and isinstance(values[0], float):
                    assert np.all(np.isfinite(values)), col


def test_a_slice_that_overflows_away_from_the_point_is_drawn_without_the_overflowing_part():
    net = notes_network()
    net.set_flat(np.r_[net.flat()[:6], 8e307, 8e307, 0.0])  # z2 ≈ 1.5e308 at [1 1]: finite, just
    sl = loss_slice(net, X, y, 8, lr=1.0, half_width=5e307, n=21, reach=parameter.REACH)  # b2 up to 5e307
    assert not np.all(np.isfinite(sl.loss))  # the premise: part of the curve overflows
    spec = parameter.slice_spec(sl, False, "t")
    curve = spec["datasets"]["curve"].to_pydict()
    assert np.all(np.isfinite(curve["loss"]))
    assert "points of the curve are left out" in parameter.dropped_words(sl)
