"""The Loss landscape page (issue 19 §3): every control, the numbers shown against core.landscape, the
clicked cell and "Use this network", a network whose loss overflows, and the speed and size budgets."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pyarrow as pa
import pytest
from conftest import chart_specs, give_trained_run, open_page

from app.loss_landscape import charts, text
from app.loss_landscape.run import GRID_N, HALF_WIDTH, LAB_SEEDS, RECIPE
from app.ui import fmt, sci
from core.data import X, notes_network, y
from core.landscape import Surface, gradient, loss_slice, loss_surface, with_params
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train

PAGE = "loss_landscape.py"
NAMES = notes_network().param_names()


def specs_by_title(at) -> dict:
    """{title: spec} with each spec's datasets as Arrow tables ({name: pa.Table}), as the page sent them."""
    out = {}
    for el, spec in zip(at.get("vega_lite_chart"), chart_specs(at)):
        spec["datasets"] = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in el.proto.datasets}
        out[spec["title"]] = spec
    return out


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def no_nan(spec: dict) -> None:
    txt = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    assert "NaN" not in txt and "Infinity" not in txt
    for table in spec.get("datasets", {}).values():
        for col in table.columns:
            v = col.to_numpy(zero_copy_only=False)
            if v.dtype.kind == "f":
                assert np.all(np.isfinite(v))


@pytest.fixture(scope="module")
def seeds():
    r = train_many(list(RECIPE["sizes"]), range(LAB_SEEDS), X, y, init=RECIPE["init"], lr=RECIPE["lr"],
                   epochs=RECIPE["epochs"], sigma=RECIPE["sigma"])  # fmt: skip
    solved = [int(s) for s, ok in zip(r.seeds, r.solved) if ok]
    stuck = [int(s) for s, ok, bad in zip(r.seeds, r.solved, r.diverged) if not ok and not bad]
    return solved, stuck


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_the_default_page_shows_the_notes_network_on_its_map_with_the_downhill_arrow():
    at = open_page(PAGE, timeout=120)
    assert not at.exception
    net = notes_network()
    i, j = NAMES.index(at.selectbox(key="ll_u").value), NAMES.index(at.selectbox(key="ll_v").value)
    assert i != j
    g = gradient(net, X, y)
    cap = captions(at)
    assert f"L = {fmt(net.loss(X, y), 4)}" in cap
    assert all(f"−dL/d{NAMES[k]} = {sci(-g[k]).replace('-', '−')}" in cap for k in (i, j))
    spec = specs_by_title(at)[f"L over {NAMES[i]} and {NAMES[j]}"]
    no_nan(spec)
    point = spec["datasets"]["point"].to_pydict()
    assert point["what"] == ["now"] and point["loss"][0] == pytest.approx(net.loss(X, y), rel=1e-12)
    assert (point["u"][0], point["v"][0]) == (net.flat()[i], net.flat()[j])
    arrow = spec["datasets"]["arrow"].to_pydict()  # the arrow points along the negative gradient
    d = np.array([arrow["u2"][0] - arrow["u"][0], arrow["v2"][0] - arrow["v"][0]])
    assert np.allclose(d / np.hypot(*d), -g[[i, j]] / np.hypot(*g[[i, j]]))
    assert any(s.get("params") for s in [spec] + spec.get("layer", []))  # the clickable layer's selection


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_choosing_the_two_numbers_redraws_the_map_for_them():
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="ll_u").set_value("b1[1]").run()
    at.selectbox(key="ll_v").set_value("W1[1,0]").run()
    assert not at.exception
    spec = specs_by_title(at)["L over b1[1] and W1[1,0]"]
    i, j = NAMES.index("b1[1]"), NAMES.index("W1[1,0]")
    surf = loss_surface(notes_network(), X, y, i, j, half_width=HALF_WIDTH, n=GRID_N)
    heat, top, dropped = charts.heat_columns(surf)
    assert dropped == 0 and spec["datasets"]["heat"].num_rows == GRID_N * GRID_N
    assert np.array_equal(spec["datasets"]["heat"].column("q").to_numpy(), heat["q"])
    assert "The loss over b1[1] (across) and W1[1,0] (up)" in captions(at)
    # the paths are seen on the same two numbers
    assert all(s["layer"][0]["encoding"]["x"]["title"] == "b1[1]" for s in chart_specs(at) if "Seed" in str(s["title"]))


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_the_same_number_twice_asks_for_two():
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="ll_v").set_value(at.selectbox(key="ll_u").value).run()
    assert not at.exception
    assert any(text.SAME_PAIR in i.value for i in at.info)
    assert not any("L over" in str(s["title"]) for s in chart_specs(at))


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
@pytest.mark.parametrize("name, lr", [("b2[0]", 1.0), ("W2[0,0]", 50.0)])
def test_one_number_its_tangent_finite_difference_and_one_step(name, lr):
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="ll_theta").set_value(name).run()
    at.select_slider(key="ll_lr").set_value(lr).run()
    assert not at.exception
    sl = loss_slice(notes_network(), X, y, NAMES.index(name), lr=lr)
    cap = captions(at)
    assert f"dL/d{name} = {fmt(sl.slope, 6)}" in cap and f"gives {fmt(sl.central, 6)}" in cap
    words = markdown(at)
    assert f"{name} ← {fmt(sl.theta0, 3)} − {lr:g} × {fmt(sl.slope, 4)} = {fmt(sl.step_theta, 3)}" in words
    assert ("went downhill" in words) == (sl.step_loss < sl.loss0)
    spec = specs_by_title(at)[f"L along {name}, the other eight fixed"]
    no_nan(spec)
    marks = spec["datasets"]["marks"].to_pydict()
    assert marks["theta"] == [sl.theta0, sl.step_theta] and marks["loss"] == [sl.loss0, sl.step_loss]


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_a_large_rate_jumps_past_the_valley_in_words():
    at = open_page(PAGE, timeout=120)
    at.selectbox(key="ll_theta").set_value("b2[0]").run()
    at.select_slider(key="ll_lr").set_value(50.0).run()
    sl = loss_slice(notes_network(), X, y, NAMES.index("b2[0]"), lr=50.0)
    assert sl.step_loss > sl.loss0  # the premise, from core
    assert "jumped past the valley" in markdown(at)


@pytest.mark.slow
def test_a_solved_seed_and_a_stuck_seed_side_by_side(seeds):
    solved, stuck = seeds
    at = open_page(PAGE, timeout=120)
    assert at.selectbox(key="ll_solved").options == [str(s) for s in solved]
    assert at.selectbox(key="ll_stuck").options == [str(s) for s in stuck]
    at.selectbox(key="ll_solved").set_value(solved[1]).run()
    at.selectbox(key="ll_stuck").set_value(stuck[-1]).run()
    assert not at.exception
    by = specs_by_title(at)
    good, bad = by[f"Seed {solved[1]}: solves XOR"], by[f"Seed {stuck[-1]}: gets stuck"]
    for spec, seed in ((good, solved[1]), (bad, stuck[-1])):
        no_nan(spec)
        path = spec["datasets"]["path"].to_pydict()
        start = MLP.create([2, 2, 1], "sigmoid", "sigmoid", RECIPE["init"], seed, RECIPE["sigma"]).flat()
        assert path["epoch"][0] == 0 and (path["u"][0], path["v"][0]) == (start[0], start[7])
        assert path["loss"][0] == pytest.approx(MLP.create([2, 2, 1], init="normal", seed=seed).loss(X, y))
    stuck_loss = bad["datasets"]["path"].to_pydict()["loss"][-1]
    assert "rolls down into the valley" in captions(at)
    if abs(stuck_loss - math.log(2) / 2) < 0.05 * math.log(2) / 2:
        assert f"on the plateau at ln 2 / 2 = {fmt(math.log(2) / 2, 4)}" in captions(at)
        end = train(MLP.create([2, 2, 1], init="normal", seed=stuck[-1]), X, y, RECIPE["lr"], RECIPE["epochs"]).final
        assert f"the gradient there has length {sci(float(np.linalg.norm(gradient(end, X, y))))}" in captions(at)


def pick(at, u: float, v: float, i: int = 0, j: int = 7) -> None:
    """What a click on the map's cell (u, v) leaves in the session (the browser test clicks for real)."""
    at.session_state["_ll_picked"] = (notes_network().key(), i, j, u, v)
    at.run()


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_a_picked_cell_shows_the_moved_network_its_loss_and_boundary():
    at = open_page(PAGE, timeout=120)
    net = notes_network()
    u, v = float(net.flat()[0] + 2.0), float(net.flat()[7] - 3.0)
    pick(at, u, v)
    assert not at.exception
    moved = with_params(net, {0: u, 7: v})
    assert f"Its loss is **L = {fmt(moved.loss(X, y), 4)}**" in markdown(at)
    by = specs_by_title(at)
    assert (
        "Its decision boundary" in by
        and "The output a2 of the moved network" in by["Its decision boundary"]["description"]
    )
    point = by[f"L over {NAMES[0]} and {NAMES[7]}"]["datasets"]["point"].to_pydict()
    assert point["what"] == ["now", "picked"] and point["u"][1] == u and point["v"][1] == v
    at.button(key="ll_back").click().run()
    assert "The output a2 of the current network" in specs_by_title(at)["Its decision boundary"]["description"]


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_use_this_network_makes_it_the_shared_network():
    at = open_page(PAGE, timeout=120)
    net = notes_network()
    u, v = float(net.flat()[0] - 1.5), float(net.flat()[7] + 2.5)
    pick(at, u, v)
    at.button(key="ll_use").click().run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "manual"
    assert at.session_state["w1_00"] == pytest.approx(u) and at.session_state["w2_1"] == pytest.approx(v)
    assert any(text.USED in s.value for s in at.success)
    # the map is now centred on the new shared network
    point = specs_by_title(at)[f"L over {NAMES[0]} and {NAMES[7]}"]["datasets"]["point"].to_pydict()
    assert point["what"] == ["now"] and (point["u"][0], point["v"][0]) == pytest.approx((u, v))


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_use_this_network_refuses_a_number_beyond_the_editors_limit():
    at = open_page(PAGE, timeout=120)
    pick(at, 25.0, 1.0)
    at.button(key="ll_use").click().run()
    assert not at.exception
    assert at.selectbox(key="net_source").value == "notes"
    assert any("cannot become the shared network" in w.value for w in at.warning)


def test_an_overflowing_landscape_is_filtered_with_a_message_never_nan():
    # the loss of a grid cell can overflow (core.landscape gives inf or NaN there): some cells of a real map
    surf = loss_surface(notes_network(), X, y, 0, 7, n=GRID_N)
    surf.loss[:5, :] = np.inf
    surf.loss[10, 10:20] = np.nan
    bad = int((~np.isfinite(surf.loss)).sum())
    assert bad > 0  # the premise: some cells overflow
    spec, dropped, top = charts.landscape_spec(
        surf, False, "t", charts.point_columns([("now", *surf.point, surf.loss0)])
    )
    assert dropped == bad and np.isfinite(top)
    no_nan(spec)
    assert spec["datasets"]["heat"].num_rows == surf.loss.size - bad
    assert f"{bad:,} of {surf.loss.size:,} cells are left blank" in text.dropped_note(dropped, surf.loss.size)
    every = Surface(
        0, 7, ("a", "b"), surf.u, surf.v, np.full_like(surf.loss, np.nan), (0.0, 0.0), np.nan, (np.nan, 0.0)
    )
    spec, dropped, _ = charts.landscape_spec(every, True, "t", charts.point_columns([("now", 0.0, 0.0, np.nan)]))
    no_nan(spec)
    assert dropped == every.loss.size and spec["datasets"]["point"].num_rows == 0


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_a_60_by_60_landscape_computes_in_under_100_ms_and_its_chart_is_under_100_kb():
    net = notes_network()
    loss_surface(net, X, y, 0, 7, n=GRID_N)
    best = min(_timed(lambda: loss_surface(net, X, y, 2, 5, n=GRID_N)) for _ in range(5))
    assert GRID_N >= 60 and best < 0.1, best
    at = open_page(PAGE, timeout=120)
    for el in at.get("vega_lite_chart"):
        assert el.proto.ByteSize() < 100_000, (json.loads(el.proto.spec).get("title"), el.proto.ByteSize())


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_presenter_mode_shows_the_same_numbers():
    at = open_page(PAGE, timeout=120, query={"presenter": "true"})
    assert not at.exception
    net = notes_network()
    assert f"L = {fmt(net.loss(X, y), 4)}" in captions(at)
    assert len(chart_specs(at)) == 5


@pytest.mark.slow  # a cold page: trains the two runs and the 40 seeds (2–4 s here)
def test_the_training_pages_run_in_use_is_drawn_on_the_map_from_its_start_to_its_epoch():
    start = MLP.create([2, 2, 1], init="normal", seed=3)
    hist = train(start, X, y, lr=2.0, epochs=400, snapshots=21)
    at = open_page(PAGE, timeout=120)
    give_trained_run(at, hist)
    at.run()
    at.selectbox(key="net_source").set_value("trained").run()
    assert not at.exception
    net = hist.network_at(hist.snapshot_epochs[-1])
    spec = specs_by_title(at)[f"L over {NAMES[0]} and {NAMES[7]}"]
    no_nan(spec)
    path = spec["datasets"]["path"].to_pydict()
    assert path["epoch"][0] == 0 and (path["u"][0], path["v"][0]) == (start.flat()[0], start.flat()[7])
    assert path["epoch"][-1] == hist.snapshot_epochs[-1]
    assert (path["u"][-1], path["v"][-1]) == (net.flat()[0], net.flat()[7])
    assert path["loss"][0] == pytest.approx(start.loss(X, y), rel=1e-12)
    lo, hi = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]  # the map holds the whole path
    assert lo <= min(path["u"]) and max(path["u"]) <= hi
    assert f"to epoch {hist.snapshot_epochs[-1]:,}" in captions(at)
    point = spec["datasets"]["point"].to_pydict()
    assert point["loss"][0] == pytest.approx(net.loss(X, y), rel=1e-12)
