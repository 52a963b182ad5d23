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
    SHOTS,
    exceptions,
    hostile_links,
    main_text,
    metric_value,
    open_url,
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
    "architecture": ["ar_width", "ar_u1", "ar_u2", "ar_c", "ar_x1", "ar_x2", "ar_theta", "ar_tlr", "ar_tloss", "net"],
    "forward-pass": ["fp_row", "fp_x1", "fp_x2", "net"],
    "hidden-features": ["hf_x1", "hf_x2", "net"],
    "backprop": ["bp_loss", "bp_step", "bp_row", "bp_lr", "bp_theta", "bp_tlr", "net"],
    "one-epoch": ["oe_row", "oe_lr", "oe_phase", "net"],
    "loss-landscape": ["ll_u", "ll_v", "ll_theta", "ll_lr", "ll_solved", "ll_stuck", "ll_x1", "ll_x2", "net"],
    "training": [
        *("tr_width", "tr_act", "tr_init", "tr_seed", "tr_loss", "tr_lr", "tr_sched", "tr_epochs", "tr_epoch"),
        *("tr_x1", "tr_x2"),
    ],
    "two-runs": [
        *("cmp_start", "cmp_seed", "cmp_epochs", "cmp_lr_a", "cmp_lr_b", "cmp_loss_b", "cmp_act_b", "cmp_epoch"),
        *("cmp_x1", "cmp_x2"),
    ],
    "vanishing-gradient": ["vg_z", "vg_n", "vg_depth", "vg_width", "vg_seed", "vg_act", "vg_init", "vg_layer"],
    "beyond-xor": ["bx_src", "bx_n", "bx_noise", "bx_seed", "bx_test", "bx_width", "bx_depth", "bx_epochs", "bx_pts"],
    "digits": ["dg_data", "dg_layers", "dg_width", "dg_act", "dg_lr", "dg_batch", "dg_epochs", "dg_seed", "dg_digit"],
    "challenges": ["ch_rate", "ch_st_w", "ch_st_init", "ch_st_lr", "ch_st_why", "ch_fw_w", "ch_dg_w", "net"],
}


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

    # the single neuron: its bias c from −0.5 to its maximum 10 by keyboard; core says how many points are right
    assert metric_value(page, "Points classified correctly") == f"{count_correct(1.0, 1.0, -0.5)} of 4"
    bias = slider(page, "c (bias)")
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

    path = "architecture?ar_width=4&ar_u1=-2.5&ar_c=1&net=random-7-he_normal&presenter=true"
    open_url(page, server, path)
    assert exceptions(page) == 0 and page.get_by_text(NOTICE).count() == 0
    assert slider(page, "Hidden neurons (width of the hidden layer)").get_attribute("aria-valuetext") == "4"
    assert slider(page, "u1 (weight of x1)").get_attribute("aria-valuetext") == "-2.50"
    assert slider(page, "c (bias)").get_attribute("aria-valuetext") == "1.00"
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


# ----- a linked network stays in use while moving between pages --------------------------------------
def go_to(page, title: str) -> None:
    """Click a chapter in the sidebar's page list (opening the sidebar first on a narrow screen)."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    if not nav.is_visible():
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    nav.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    wait_done(page)


def net_in_address(page) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(page.url).query).get("net", [None])[0]


def forward_a2(net) -> str:
    """The Forward pass page's "Output a2" for its opening input, computed by core."""
    from app.forward_pass.run import DEFAULT_ROW
    from app.ui import fmt
    from core.data import X

    return fmt(net.forward(X).a[2][DEFAULT_ROW, 0], 3)


def test_a_linked_hand_edited_network_stays_in_use_on_every_page(page, server):
    """A ``net=w:...`` link: the nine numbers it carries, not the notes', on every page clicked to,
    and back; the address keeps describing them."""
    from app.state import WEIGHT_KEYS, keys_to_params
    from core.mlp import MLP

    link = "w:5,5,5,5,-2.5,-7.5,7,-7,-3"
    linked = MLP.from_dict(keys_to_params(dict(zip(WEIGHT_KEYS, map(float, link[2:].split(","))))))
    assert forward_a2(linked) != forward_a2(notes_net())  # the test can tell the two apart
    open_url(page, server, f"forward-pass?net={quote(link)}")
    assert metric_value(page, "Output a2") == forward_a2(linked)
    for title in ["Hidden features", "Forward pass", "Backpropagation", "Training", "Architecture", "Forward pass"]:
        go_to(page, title)
        assert exceptions(page) == 0, title
        if title == "Training":  # no shared network here: the next page must still have it
            continue
        assert "Network: Edit the 9 numbers by hand" in main_text(page), title
        assert net_in_address(page) == link, (title, page.url)
        if title == "Forward pass":
            assert metric_value(page, "Output a2") == forward_a2(linked), title


def test_a_linked_random_network_stays_in_use_on_every_page_in_presenter_mode(page, server):
    """A ``net=random-3-xavier_uniform`` link, in presenter mode: the same random network on every
    click (it used to flip to the notes' weights and back on alternate clicks)."""
    from core.data import X
    from core.init import init_params
    from core.mlp import MLP

    link = "random-3-xavier_uniform"
    linked = MLP(*init_params([2, 2, 1], "xavier_uniform", 3))
    a1 = linked.forward(X).a[1]
    open_url(page, server, f"hidden-features?net={link}&presenter=true")
    for title in ["Backpropagation", "Hidden features", "Backpropagation", "Forward pass", "Hidden features"]:
        go_to(page, title)
        assert exceptions(page) == 0, title
        assert "Network: Random initialisation (seed 3, " in main_text(page), title
        assert net_in_address(page) == link, (title, page.url)
        if title == "Forward pass":
            assert metric_value(page, "Output a2") == forward_a2(linked)
        if title == "Hidden features":  # the hidden activations of the linked network, as the table shows them
            table = page.locator('[data-testid="stTable"]').first.inner_text()
            assert all(f"{v:.3f}" in table for v in a1.ravel()), table


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the dropdown with this label."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True))
    for attempt in range(3):  # a click on the text field only focuses it; the first "Open" can miss too
        box.get_by_role("button", name="Open").click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_done(page)


def test_the_page_own_controls_never_raise_the_bad_link_notice(page, server):
    """Hidden layers 20 → 21, then a preset that sets 20 again: the address loses vg_depth=21 because
    the page changed it, not because a link was bad."""
    from app.names import PRESET_NAMES
    from core.flow import PRESETS

    open_url(page, server, "vanishing-gradient")
    depth = slider(page, "Hidden layers")
    depth.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**vg_depth=21**", timeout=60_000)
    wait_done(page)
    choose(page, "Preset: classic pairs of activation and initialiser", PRESET_NAMES["sigmoid_xavier"])
    page.wait_for_function("() => !location.search.includes('vg_depth')", timeout=60_000)
    wait_done(page)
    assert depth.get_attribute("aria-valuetext") == str(PRESETS["sigmoid_xavier"]["depth"])
    assert page.get_by_text(NOTICE).count() == 0
    assert exceptions(page) == 0


def test_a_bad_link_notice_names_the_controls_by_their_labels(page, server):
    open_url(page, server, "training?tr_lr=abc&tr_width=99")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=NOTICE)
    assert notice.count() == 1
    text = notice.inner_text()
    assert "“Learning rate” = “abc”" in text and "“Hidden neurons” = “99”" in text, text
    assert "tr_lr" not in text and "tr_width" not in text, text


# ----- the sidebar's "Copy link to this view" ---------------------------------------------------------
def test_copy_link_holds_the_current_address_after_a_partial_update(browser, server):
    """The replay's epoch moves in a fragment rerun (only the address bar changes); the sidebar's
    link box and its copy button still give the address as it is now."""
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 720}, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = open_url(ctx.new_page(), server, "training?tr_epoch=1000")
        wait_for_text(page, "Epoch 1,000:")
        epoch = slider(page, "Epoch")
        epoch.focus()
        page.keyboard.press("ArrowRight")
        wait_for_text(page, "Epoch 1,025:")
        assert "tr_epoch=1025" in page.url
        page.get_by_role("button", name="Copy link to this view").click()
        body = page.locator('[data-testid="stPopoverBody"]')
        body.wait_for(state="visible", timeout=10_000)
        page.wait_for_timeout(700)
        shown = body.inner_text() + " ".join(body.locator("input").evaluate_all("els => els.map(e => e.value)"))
        assert page.url in shown, (page.url, shown)
        body.get_by_role("button", name="Copy").click()
        page.wait_for_timeout(300)
        assert page.evaluate("navigator.clipboard.readText()") == page.url
    finally:
        ctx.close()


# ----- on a phone ----------------------------------------------------------------------------------
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def sidebar_open(page) -> bool:
    return page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"


@pytest.mark.parametrize("agent", ["desktop browser", "phone browser"])
def test_on_a_phone_the_chapter_shows_after_a_tap_in_the_page_list(browser, server, agent):
    """390×844, touch: open the side panel, tap a chapter; the panel closes so the chapter is seen.
    Streamlit closes it itself only for a phone's user agent; a narrow screen with a desktop one
    (a tablet asking for the desktop site, a narrow window) kept it open over three quarters of it."""
    extra = {"user_agent": PIXEL_5_AGENT} if agent == "phone browser" else {}
    ctx = browser.new_context(**PHONE, **extra)
    try:
        page = open_url(ctx.new_page(), server, "")
        assert not sidebar_open(page)  # a narrow screen opens with the panel closed
        for title in ["Training", "Forward pass"]:
            page.locator('[data-testid="stExpandSidebarButton"]').tap()
            page.wait_for_timeout(500)
            assert sidebar_open(page)
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).tap()
            page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
            wait_done(page)
            page.wait_for_timeout(500)
            assert not sidebar_open(page), title
            heading = page.locator("h1").first
            assert heading.inner_text().startswith(title)
            box = heading.bounding_box()
            assert box["x"] >= 0 and box["y"] < 844, box  # the chapter's title is on screen, not under the panel
    finally:
        ctx.close()


PIXEL_5_AGENT = (
    "Mozilla/5.0 (Linux; Android 11; Pixel 5) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)


def test_on_a_phone_a_refused_network_link_is_said_on_the_page(browser, server):
    """A bad ?net= falls back to the notes' weights and says so in the page body, visible with the
    side panel closed (it used to be said only inside the panel)."""
    ctx = browser.new_context(**PHONE)
    try:
        page = open_url(ctx.new_page(), server, "forward-pass?net=w:1,2")
        assert not sidebar_open(page)
        notice = page.locator('[data-testid="stMain"] [data-testid="stAlert"]').filter(has_text=NOTICE)
        assert notice.count() == 1
        assert notice.is_visible() and "“Network” = “w:1,2”" in notice.inner_text()
        assert metric_value(page, "Output a2") == forward_a2(notes_net())
    finally:
        ctx.close()


def test_on_a_phone_the_training_page_says_how_to_reach_its_settings(browser, server):
    ctx = browser.new_context(**PHONE)
    try:
        page = open_url(ctx.new_page(), server, "training")
        text = main_text(page)
        assert "sidebar" not in text.lower(), "a phone shows no sidebar, only a » button"
        assert "Change any setting in the side panel (» at the top left opens it)" in text
    finally:
        ctx.close()


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
        assert page.get_by_text(NOTICE).count() >= 1, link  # the page notice (a refused ?net is one of its items)
        assert "unknown" not in page.url and "xxxxxxxxxx" not in page.url, (link, page.url)


def test_a_trained_relu_network_gets_the_same_gate_names_on_every_page(page, server):
    """Issue 16 §2.1: the 2-3-1 ReLU run (He init, seed 0, lr 0.5, 2,000 epochs) read "AND, constant 0,
    AND" on Hidden features and "OR, constant 0, OR" on Training and Architecture. One rule now (on
    when z1 > 0): the names core gives, on all three pages, as the browser shows them."""
    import re

    from core.data import X, y
    from core.gates import read_hidden
    from core.mlp import MLP
    from core.train import train

    hist = train(MLP.create([2, 3, 1], "relu", "sigmoid", "he_normal", 0), X, y, 0.5, 2000)
    want = [r.name for r in read_hidden(hist.final)]
    link = "training?" + urlencode(
        {"tr_width": 3, "tr_act": "ReLU", "tr_init": "He/Kaiming normal", "tr_lr": "0.5", "tr_epochs": 2000},
        quote_via=quote,
    )
    open_url(page, server, link)
    assert exceptions(page) == 0
    shown = re.search(r"Read as gates \(on when [az]1 > 0\): (.*)", main_text(page)).group(1)
    assert re.findall(r"h\d ≈ ([^,.(]+?)(?: \(|,|\.|$)", shown) == want
    page.get_by_role("button", name="Use this network on the other pages").click()
    wait_done(page)
    for title, pattern in (
        ("Hidden features", r"Hidden\d = (.+?) — on for"),
        ("Architecture", r"hidden neuron \d acts like (.+?)(?:,|\n|$)"),
    ):
        page.get_by_role("link", name=title).first.click()
        wait_done(page)
        wait_for_text(page, "Trained network")
        assert exceptions(page) == 0
        assert re.findall(pattern, main_text(page), flags=re.M) == want, title
