"""Probe any point in a real browser (issue 19 §1): a click on an input plane in Chromium moves the
probe to the clicked cell (the number inputs and the link follow), and the numbers shown are core's
forward pass of that point. AppTest cannot click a chart, so this is the click's only end-to-end test."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
from browser import FIND_VIEW, SHOTS, exceptions, main_text, metric_value, open_url, wait_done

from app.forward_pass.run import PLANE_N
from app.hidden_features.run import SMALL_N
from app.ui import fmt
from core.data import notes_network
from core.probe import HI, LO, forward_point

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The page position of the plot point (x1, x2) of the index-th chart, from its Vega view's own scales.
PLOT_XY = (
    "([index, u, v]) => {"
    + FIND_VIEW
    + """
  const el = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[index];
  el.scrollIntoView({block: 'center'});
  const view = findView(el);
  const canvas = el.querySelector('canvas, svg').getBoundingClientRect();
  const [ox, oy] = view.origin();
  return [canvas.left + ox + view.scale('x')(u), canvas.top + oy + view.scale('y')(v)];
}"""
)


def cell(n: int, j: int, i: int) -> tuple[float, float]:
    """The centre of cell (column j, row i) of an n×n plane, rounded as the probe keeps it."""
    step = (HI - LO) / (n - 1)
    return round(LO + j * step, 3), round(LO + i * step, 3)


def click_plot(page, index: int, x1: float, x2: float) -> float:
    """Click the index-th chart at (x1, x2); the seconds until the rerun it starts has finished."""
    page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]').length > {index}")
    page.wait_for_timeout(800)
    x, yy = page.evaluate(PLOT_XY, [index, x1, x2])
    start = time.monotonic()
    page.mouse.click(x, yy)
    wait_done(page)
    return time.monotonic() - start


def typed(page, label: str) -> float:
    box = page.locator('[data-testid="stNumberInput"]').filter(has_text=label).first
    return float(box.locator("input").first.input_value())


def test_a_click_on_forward_pass_plane_sends_that_point_through(page, server):
    open_url(page, server, "forward-pass?fp_row=any%20point")
    assert exceptions(page) == 0
    net = notes_network()
    for j, i in ((50, 17), (8, 44)):
        x1, x2 = cell(PLANE_N, j, i)
        click_plot(page, 0, x1, x2)
        for _ in range(40):  # the inputs follow the click once the rerun has drawn them
            if (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2):
                break
            page.wait_for_timeout(250)
        assert (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2)
        assert exceptions(page) == 0
        step = forward_point(net, x1, x2)
        assert metric_value(page, "Output a2") == fmt(step.a2, 3)
        assert metric_value(page, "Prediction") == str(int(step.a2 > 0.5))
        label = "[" + " ".join(f"{v:.3f}".rstrip("0").rstrip(".").replace("-", "−") for v in (x1, x2)) + "]"
        assert metric_value(page, "Input x") == label
        assert f"Step 1: input {label} → hidden layer" in main_text(page)
        assert f"fp_x1={x1}" in page.url and f"fp_x2={x2}" in page.url  # the link keeps the point
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "forward-pass-probe-clicked.png"))


def test_a_click_on_a_hidden_neuron_map_probes_the_point_everywhere(page, server):
    open_url(page, server, "hidden-features")
    assert exceptions(page) == 0
    net = notes_network()
    x1, x2 = cell(SMALL_N, 45, 10)
    click_plot(page, 1, x1, x2)  # Hidden1's map
    for _ in range(40):
        if (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2):
            break
        page.wait_for_timeout(250)
    assert (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2)
    assert exceptions(page) == 0
    step = forward_point(net, x1, x2)
    words = main_text(page)
    m = re.search(r"to \(Hidden1, Hidden2\) = \((\S+), (\S+)\); the output neuron gives a2 = (\S+), so", words)
    assert m, words[-3000:]
    assert m.groups() == (fmt(step.a1[0]), fmt(step.a1[1]), fmt(step.a2))
    # warm: a second click on the boundary reruns quickly
    x1, x2 = cell(100, 20, 70)
    seconds = click_plot(page, 0, x1, x2)
    for _ in range(40):
        if typed(page, "x1 (input 1)") == x1:
            break
        page.wait_for_timeout(250)
    step = forward_point(net, x1, x2)
    assert f"a2 = {fmt(step.a2)}, so" in main_text(page)
    assert np.isfinite(seconds)
    print(f"hidden features: a probe click reran in {seconds:.2f} s (including the test's waits)")


# ----- Training's boundary and Architecture's single neuron (the planes the probe reached last) -------
KEYED_CHART = """(key) => {
  const all = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return all.indexOf(document.querySelector(`.st-key-${key} [data-testid="stVegaLiteChart"]`));
}"""


def keyed_chart(page, key: str) -> int:
    """The index (among the page's charts) of the chart drawn with ``key`` (Streamlit's st-key-<key> class)."""
    page.wait_for_selector(f'.st-key-{key} [data-testid="stVegaLiteChart"]', timeout=60_000)
    return page.evaluate(KEYED_CHART, key)


def wait_typed(page, x1: float, x2: float) -> None:
    """Until the two number inputs show the clicked cell (the rerun the click started has drawn them)."""
    for _ in range(60):
        if (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2):
            return
        page.wait_for_timeout(250)
    assert (typed(page, "x1 (input 1)"), typed(page, "x2 (input 2)")) == (x1, x2)


def name(x1: float, x2: float) -> str:
    return "[" + " ".join(f"{v:.3f}".rstrip("0").rstrip(".").replace("-", "−") for v in (x1, x2)) + "]"


def test_a_click_on_trainings_boundary_probes_the_network_at_the_slider_epoch(page, server):
    from app.training.run import GRID_N
    from core.data import X, y
    from core.mlp import MLP
    from core.train import train

    hist = train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", 0), X, y, 1.0, 1000)  # the page's defaults
    open_url(page, server, "training?tr_epochs=1000&tr_epoch=500")
    assert exceptions(page) == 0
    net = hist.network_at(500)
    for j, i in ((45, 8), (12, 50)):
        x1, x2 = cell(GRID_N, j, i)
        click_plot(page, keyed_chart(page, "tr_boundary"), x1, x2)
        wait_typed(page, x1, x2)
        assert exceptions(page) == 0
        step = forward_point(net, x1, x2)
        words = main_text(page)
        assert f"The probed point {name(x1, x2)} at epoch 500, step by step" in words
        assert f"At {name(x1, x2)} the output a2 = {fmt(step.a2)} is" in words, words[-2000:]
        assert f"predicts {int(step.a2 > 0.5)} there" in words
        assert f"tr_x1={x1}" in page.url and f"tr_x2={x2}" in page.url and "tr_epoch=500" in page.url
    # the browser replay is still there, and the server-side epoch did not move
    assert page.locator(".st-key-tr_replay").count() == 1
    assert "Epoch 500:" in main_text(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "training-probe-clicked.png"))


def test_a_click_on_architectures_single_neuron_probes_the_neuron_and_the_network(page, server):
    from app.architecture.run import GRID_N, NEURON_DEFAULTS
    from core.activations import sigmoid
    from core.linear_sep import neuron_z

    open_url(page, server, "architecture")
    assert exceptions(page) == 0
    net = notes_network()
    for j, i in ((30, 8), (5, 36)):
        x1, x2 = cell(GRID_N, j, i)
        click_plot(page, keyed_chart(page, "ar_neuron"), x1, x2)
        wait_typed(page, x1, x2)
        assert exceptions(page) == 0
        z = float(neuron_z(*NEURON_DEFAULTS, np.array([[x1, x2]]))[0])
        words = main_text(page)
        assert f"At {name(x1, x2)} this neuron's output σ(z) = {fmt(float(sigmoid(np.array(z))))} is" in words
        assert f"says {int(z > 0)} there" in words
        step = forward_point(net, x1, x2)
        assert f"(a1[0], a1[1]) = ({fmt(step.a1[0])}, {fmt(step.a1[1])})" in words, words[-2000:]
        assert f"its output a2 = {fmt(step.a2)}, so it predicts {int(step.a2 > 0.5)}" in words
        assert f"The probed point {name(x1, x2)} through the whole network" in words
        assert f"ar_x1={x1}" in page.url and f"ar_x2={x2}" in page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "architecture-probe-clicked.png"))


# ----- Loss landscape's boundary and Two runs' two boundaries -------------------------------------------
def test_a_click_on_loss_landscapes_boundary_probes_the_network_shown(page, server):
    """The boundary's clicks move the probe, never the network: the landscape map keeps its key (its own
    click counter is not the probe's) and the page still shows the current network."""
    from app.loss_landscape.run import PLANE_N

    open_url(page, server, "loss-landscape")
    assert exceptions(page) == 0
    net = notes_network()
    for j, i in ((48, 10), (9, 47)):
        x1, x2 = cell(PLANE_N, j, i)
        click_plot(page, keyed_chart(page, "ll_plane"), x1, x2)
        wait_typed(page, x1, x2)
        assert exceptions(page) == 0
        step = forward_point(net, x1, x2)
        words = main_text(page)
        assert f"At {name(x1, x2)} the output a2 = {fmt(step.a2)} of the current network is" in words, words[:3000]
        assert f"so it predicts {int(step.a2 > 0.5)} there" in words
        assert f"The probed point {name(x1, x2)}, step by step" in words
        assert f"ll_x1={x1}" in page.url and f"ll_x2={x2}" in page.url
        assert "Current network:" in words and "Moved network:" not in words
    # after the probe's clicks, the first click on the landscape still moves the network (the two planes
    # count their clicks apart: a shared counter gave the map a fresh key, and that click was lost)
    from app.loss_landscape.run import GRID_N, HALF_WIDTH
    from core.data import X, y
    from core.landscape import loss_surface, with_params

    surf = loss_surface(net, X, y, 0, 7, half_width=HALF_WIDTH, n=GRID_N)
    u, v = float(surf.u[44]), float(surf.v[15])
    click_plot(page, keyed_chart(page, "ll_map_0"), u, v)
    moved = with_params(net, {0: u, 7: v})
    step = forward_point(moved, x1, x2)
    want = f"At {name(x1, x2)} the output a2 = {fmt(step.a2)} of the moved network is"
    for _ in range(60):
        if want in main_text(page):
            break
        page.wait_for_timeout(250)
    words = main_text(page)
    assert "Moved network:" in words and want in words, words[:3000]
    assert exceptions(page) == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "loss-landscape-probe-clicked.png"))


def test_a_click_on_either_two_runs_boundary_probes_both_runs_at_the_epoch_shown(page, server):
    from test_page_two_runs import A, B, expected, seed_net

    from app.two_runs.run import GRID_N

    ha, hb = (expected(seed_net(0, s["init"]), s, 600) for s in (A, B))  # the page's defaults, 600 epochs
    open_url(page, server, "two-runs?cmp_epochs=600&cmp_epoch=300")
    assert exceptions(page) == 0
    for chart, (j, i) in (("cmp_plane_a", (40, 12)), ("cmp_plane_b", (10, 35))):
        x1, x2 = cell(GRID_N, j, i)
        click_plot(page, keyed_chart(page, chart), x1, x2)
        wait_typed(page, x1, x2)
        assert exceptions(page) == 0
        words = main_text(page)
        for run_name, h in zip("AB", (ha, hb)):
            step = forward_point(h.network_at(300), x1, x2)
            assert f"Run {run_name} at epoch 300: at {name(x1, x2)} the output a2 = {fmt(step.a2)} is" in words, words
            assert f"Run {run_name}: the probed point {name(x1, x2)} at epoch 300, step by step" in words
        assert f"cmp_x1={x1}" in page.url and f"cmp_x2={x2}" in page.url and "cmp_epoch=300" in page.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "two-runs-probe-clicked.png"))
