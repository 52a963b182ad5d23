"""Real-browser tests: `streamlit run app/main.py` driven by Playwright in Debian's Chromium.

One server and one browser for the whole module. Screenshots of every page (1280×720, normal and
presenter mode) are written to test-artifacts/screenshots/; the path is printed at the end of the
pytest run.

Links: a control bound to the URL writes its *formatted label* there (Streamlit 1.67), so a
selectbox or segmented control reads e.g. ``?tr_act=Tanh`` or ``?bp_row=[0 0]`` — the prepared
links below are written the way the app itself writes them.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import numpy as np
import pytest
from browser import (
    ROOT,
    SHOTS,
    hostile_links,
    main_text,
    metric_value,
    slider,
    wait_done,
    wait_for_text,
)

from app.nav import available

pytestmark = pytest.mark.browser
PAGES = [p[3] for p in available()]
NOTICE = "could not be used"
# The keys each page puts in its links (a renamed key only makes the malformed links less hostile).
LINK_KEYS = {
    "": [],
    "architecture": ["ar_width", "ar_w1", "ar_w2", "ar_b", "net"],
    "forward-pass": ["fp_row", "net"],
    "hidden-features": ["net"],
    "backprop": ["bp_loss", "bp_step", "bp_row", "bp_lr", "net"],
    "training": ["tr_width", "tr_act", "tr_init", "tr_seed", "tr_loss", "tr_lr", "tr_sched", "tr_epochs", "tr_epoch"],
    "vanishing-gradient": ["vg_z", "vg_n", "vg_depth", "vg_width", "vg_seed", "vg_act", "vg_init", "vg_layer"],
    "digits": ["dg_data", "dg_layers", "dg_width", "dg_act", "dg_lr", "dg_batch", "dg_epochs", "dg_seed", "dg_digit"],
}


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    p = ctx.new_page()
    yield p
    ctx.close()


def open_url(page, server, path: str):
    page.goto(f"{server}/{path}", timeout=60_000)
    wait_done(page)
    return page


def exceptions(page) -> int:
    return page.locator('[data-testid="stException"]').count()


def wait_presenter_font(page, minimum: float = 20, timeout_ms: int = 15_000) -> float:
    """The presenter CSS arrives with the rerun; poll for it instead of reading once."""
    waited = 0
    while root_font_px(page) <= minimum and waited < timeout_ms:
        page.wait_for_timeout(250)
        waited += 250
    return root_font_px(page)


def root_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


OVERFLOW_JS = """() => {
  const mc = document.querySelector('[data-testid="stMainBlockContainer"]');
  const edge = mc.getBoundingClientRect().right - parseFloat(getComputedStyle(mc).paddingRight);
  const out = [];
  for (const sel of ['[data-testid="stDataFrame"]', '[data-testid="stTable"]', '[data-testid="stVegaLiteChart"]',
                     '[data-testid="stGraphVizChart"]', '[data-testid="stMetric"]']) {
    document.querySelectorAll(sel).forEach((e, i) => {
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.right > edge + 2)
        out.push(`${sel} #${i} ends at ${Math.round(r.right)} px, the page at ${Math.round(edge)}`);
    });
  }
  return out;
}"""


def overflowing(page) -> list[str]:
    """Tables, charts, diagrams and metrics whose box runs past the page's right edge (cut off)."""
    return page.evaluate(OVERFLOW_JS)


def notes_net():
    from core.data import notes_weights
    from core.mlp import MLP

    return MLP.from_dict(notes_weights())


# ----- every page loads, in both modes, and is screenshotted ----------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_without_exception_and_is_screenshotted(page, server, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = path or "home"
    open_url(page, server, path)
    assert exceptions(page) == 0
    assert page.locator("h1").count() >= 1  # a real page, not a blank space
    assert page.get_by_text(NOTICE).count() == 0  # a clean address is not reported as a bad link
    page.wait_for_timeout(700)  # let the charts finish drawing
    page.screenshot(path=str(SHOTS / f"{name}-1280x720.png"))
    assert not overflowing(page)
    open_url(page, server, f"{path}?presenter=true")
    assert exceptions(page) == 0
    assert wait_presenter_font(page) > 20
    page.wait_for_timeout(700)
    page.screenshot(path=str(SHOTS / f"{name}-presenter-1280x720.png"))
    assert not overflowing(page), "presenter mode pushes content past the right edge"


@pytest.mark.parametrize("path", PAGES)
def test_presenter_mode_on_a_phone_keeps_everything_inside_the_screen(browser, server, path):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = open_url(ctx.new_page(), server, f"{path}?presenter=true")
        assert exceptions(page) == 0
        assert wait_presenter_font(page) > 20
        page.wait_for_timeout(700)
        assert not overflowing(page)
    finally:
        ctx.close()


def test_presenter_mode_changes_the_rendered_font_size(page, server):
    open_url(page, server, "")
    normal = root_font_px(page)
    page.get_by_text("Presenter mode").click()
    wait_done(page)
    bigger = root_font_px(page)
    assert bigger > normal * 1.2, (normal, bigger)
    assert "presenter=true" in page.url  # the toggle is part of the shareable link
    h1 = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)"))
    open_url(page, server, "")
    assert h1 > float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)"))


def test_presenter_mode_keeps_a_way_back_to_a_collapsed_sidebar(page, server):
    """Presenter mode hides the header's chrome but not the button that reopens the sidebar."""
    open_url(page, server, "architecture?presenter=true")
    page.locator('[data-testid="stSidebar"]').hover()
    page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    expand.wait_for(state="visible", timeout=10_000)
    expand.click()
    page.get_by_text("Presenter mode").wait_for(state="visible", timeout=10_000)


# ----- keyboard ------------------------------------------------------------------------------------
def test_moving_a_slider_by_keyboard_changes_the_displayed_numbers(page, server):
    from core.hidden_width import param_count
    from core.linear_sep import count_correct

    open_url(page, server, "architecture")
    assert f"4·2 + 1 = {param_count(2)} parameters" in main_text(page)
    width = slider(page, "Hidden neurons (width of the hidden layer)")
    width.focus()
    page.keyboard.press("ArrowRight")
    wait_for_text(page, f"4·3 + 1 = {param_count(3)} parameters")
    assert width.get_attribute("aria-valuetext") == "3"
    assert "ar_width=3" in page.url  # the moved control is in the shareable link

    # the single neuron: b from −0.5 to its maximum 10 by keyboard; core says how many points are right
    assert metric_value(page, "Points classified correctly") == f"{count_correct(1.0, 1.0, -0.5)} of 4"
    bias = slider(page, "b (bias)")
    bias.focus()
    page.keyboard.press("End")
    wait_for_text(page, f"{count_correct(1.0, 1.0, 10.0)} of 4")
    assert bias.get_attribute("aria-valuetext") == "10.00"
    assert metric_value(page, "Points classified correctly") == f"{count_correct(1.0, 1.0, 10.0)} of 4"
    assert exceptions(page) == 0


def test_the_training_replay_moves_by_keyboard_inside_its_fragment(page, server):
    open_url(page, server, "training?tr_epoch=1000")
    wait_for_text(page, "Epoch 1,000:")
    epoch = slider(page, "Epoch")
    epoch.focus()
    page.keyboard.press("ArrowRight")
    wait_for_text(page, "Epoch 1,025:")
    assert "tr_epoch=1025" in page.url
    assert exceptions(page) == 0


# ----- prepared links restore the state they encode -------------------------------------------------
def test_a_prepared_architecture_link_restores_its_state(page, server):
    from core.hidden_width import param_count
    from core.linear_sep import count_correct

    path = "architecture?ar_width=4&ar_w1=-2.5&ar_b=1&net=random-7-he_normal&presenter=true"
    open_url(page, server, path)
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    assert slider(page, "Hidden neurons (width of the hidden layer)").get_attribute("aria-valuetext") == "4"
    assert slider(page, "w1 (weight of x1)").get_attribute("aria-valuetext") == "-2.50"
    assert slider(page, "b (bias)").get_attribute("aria-valuetext") == "1.00"
    text = main_text(page)
    assert f"4·4 + 1 = {param_count(4)} parameters" in text
    assert "Random initialisation" in text and "seed 7" in text
    assert metric_value(page, "Points classified correctly") == f"{count_correct(-2.5, 1.0, 1.0)} of 4"
    assert wait_presenter_font(page) > 20  # presenter mode came with the link
    assert page.url.endswith(path)  # and the address still describes the view


def test_a_prepared_forward_pass_link_restores_its_state(page, server):
    from app.state import WEIGHT_KEYS, keys_to_params
    from app.ui import fmt
    from core.data import X
    from core.mlp import MLP

    w = [1.5, -2.0, 3.0, 0.5, -1.0, 2.0, -3.0, 1.5, 0.25]
    path = "forward-pass?" + urlencode({"fp_row": "[1 1]", "net": "w:" + ",".join(map(str, w))}, quote_via=quote)
    open_url(page, server, path)
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    assert page.get_by_role("radio", name="[1 1]").is_checked()
    assert "Step 1: input [1 1] → hidden layer" in main_text(page)
    a2 = MLP.from_dict(keys_to_params(dict(zip(WEIGHT_KEYS, w)))).forward(X).a[2][3, 0]
    assert metric_value(page, "Output a2") == fmt(a2, 3)
    assert "Edit the 9 numbers by hand" in main_text(page)  # the network source the link chose


def test_a_prepared_backprop_link_restores_its_state(page, server):
    from playwright.sync_api import expect

    from app.ui import fmt
    from core.backprop_ledger import ledger
    from core.data import X, y

    query = {"bp_loss": "Mean squared error (MSE)", "bp_step": "dW1", "bp_row": "[0 0]", "bp_lr": "2"}
    open_url(page, server, "backprop?" + urlencode(query, quote_via=quote))
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    text = main_text(page)
    assert f"Loss: Mean squared error = {fmt(ledger(notes_net(), X, y, 'mse').loss, 4)}" in text
    assert "Step 5 of 6 — dW1" in text
    assert "Input [0 0], true output 0" in text
    lr = page.locator('[data-testid="stNumberInput"]').filter(has_text="Learning rate lr").locator("input")
    expect(lr).to_have_value("2.000", timeout=10_000)  # the input's text can trail the rerun a little


def test_a_prepared_training_link_restores_its_state(page, server):
    from app.ui import fmt
    from core.data import X, y
    from core.mlp import MLP
    from core.train import train

    open_url(page, server, "training?tr_width=3&tr_act=Tanh&tr_lr=0.5&tr_epochs=1000&tr_epoch=500")
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    text = main_text(page)
    assert "2-3-1 Tanh, N(0, 1²) seed 0, BCE, lr 0.5 constant, 1,000 epochs" in text
    hist = train(MLP.create([2, 3, 1], "tanh", "sigmoid", "normal", 0), X, y, 0.5, 1000)  # the page's defaults
    assert f"Epoch 500: loss {fmt(hist.loss[500], 4)}" in text
    assert metric_value(page, "Final loss") == fmt(hist.loss[-1], 4)
    assert slider(page, "Epoch").get_attribute("aria-valuetext") == "500"


def test_a_prepared_hidden_features_link_restores_its_state(page, server):
    from core.data import X
    from core.init import init_params
    from core.mlp import MLP

    open_url(page, server, "hidden-features?net=random-3-xavier_uniform&presenter=true")
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    assert "seed 3" in main_text(page)
    Ws, bs = init_params([2, 2, 1], "xavier_uniform", 3)
    a1 = MLP(Ws, bs).forward(X).a[1]
    table = page.locator('[data-testid="stTable"]').first.inner_text()  # presenter mode: an HTML table
    for row in a1:
        assert all(f"{v:.3f}" in table for v in row), (row, table)


def test_a_prepared_vanishing_gradient_link_restores_its_state(page, server):
    from core.activations import sigmoid

    open_url(page, server, "vanishing-gradient?vg_z=2&vg_n=5")
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    assert slider(page, "z (a unit's pre-activation)").get_attribute("aria-valuetext") == "2.00"
    assert slider(page, "layers n").get_attribute("aria-valuetext") == "5"
    assert f"σ(z) = {float(sigmoid(np.float64(2.0))):.4f}" in main_text(page)


# ----- malformed links ------------------------------------------------------------------------------
def test_a_malformed_link_shows_a_notice_not_an_exception(page, server):
    open_url(page, server, "?presenter=%F0%9F%92%A5&nonsense=1e999&%3Cscript%3E=x")
    assert exceptions(page) == 0
    assert page.get_by_text(NOTICE).count() == 1


@pytest.mark.parametrize("path", PAGES)
def test_generated_malformed_links_fall_back_with_a_notice(page, server, path):
    """A few generated hostile links per page (the AppTest fuzzer tries many more): no exception,
    not a blank page, a visible notice, and the unknown setting is gone from the address."""
    for link in hostile_links(path, LINK_KEYS.get(path, []) + ["presenter"]):
        open_url(page, server, link)
        assert exceptions(page) == 0, link
        assert page.locator("h1").count() >= 1, link
        assert page.get_by_text(NOTICE).count() >= 1, link  # the page notice (and the sidebar one for ?net)
        assert "unknown" not in page.url and "xxxxxxxxxx" not in page.url, (link, page.url)


def test_screenshots_folder_is_reported():
    assert str(SHOTS).startswith(str(ROOT))
