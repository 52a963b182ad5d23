"""The replay that plays in the browser (app/replay.py, issue 20), in a real Chromium: Play moves the
chart's epoch with no server rerun, "reduce motion" stops autoplay but not the slider, the browser's
forward pass is core's, and the Hidden features page plays a published run the same way."""

from __future__ import annotations

import numpy as np
import pytest
from browser import CHROMIUM, SHOTS, exceptions, main_text, slider, wait_done

from bench.replay_bench import Watch, replay, scrub_to, state
from core.data import X
from core.mlp import MLP

pytestmark = [pytest.mark.browser, pytest.mark.slow]
RUN = "training?tr_epochs=1000"


def open_replay(browser, server, path: str, **context):
    """A fresh 1280×720 tab (context options: e.g. reduced_motion) with its counters, on ``path``."""
    assert CHROMIUM
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, **context)
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(f"{server}/{path}", timeout=60_000)
    wait_done(page)
    watch.start()
    return ctx, page, watch


def test_play_advances_the_charts_epoch_without_a_rerun(browser, server):
    ctx, page, watch = open_replay(browser, server, f"{RUN}&tr_epoch=500")
    try:
        assert exceptions(page) == 0
        root = replay(page)
        page.wait_for_timeout(800)
        s0 = state(root)
        assert s0["epoch"] == 500 and not s0["playing"]  # a link's epoch: no autoplay
        sent = watch.sent
        root.locator("button.play").click()
        page.wait_for_timeout(1500)
        s1 = state(root)
        assert s1["playing"] and 500 < s1["epoch"] <= 1000 and s1["frames"] > 5
        page.wait_for_timeout(500)
        root.locator("button.play").click()  # Pause
        s2 = state(root)
        assert not s2["playing"] and s2["epoch"] > s1["epoch"]
        assert f"Epoch {s2['epoch']:,} of 1,000" in root.inner_text()
        assert watch.runs() == 0 and watch.sent == sent, "playing must not rerun the script"
        assert "Epoch 500: loss" in main_text(page)  # the server's slider and numbers stay at the link's epoch
        SHOTS.mkdir(parents=True, exist_ok=True)
        root.screenshot(path=str(SHOTS / "replay-training-paused.png"))
        # the counters do count: the server's own Epoch slider is a rerun, and the replay follows it
        box = slider(page, "Epoch")
        box.focus()
        box.press("ArrowLeft")
        wait_done(page)
        page.wait_for_timeout(500)
        assert watch.runs() >= 1 and watch.sent > sent
        assert state(replay(page))["epoch"] == 495
    finally:
        ctx.close()


def test_reduced_motion_means_no_autoplay_but_the_slider_works(browser, server):
    ctx, page, watch = open_replay(browser, server, RUN, reduced_motion="reduce")
    try:
        root = replay(page)
        page.wait_for_timeout(1500)
        s = state(root)
        assert s["reduce"] and not s["playing"] and s["epoch"] == 1000 and s["frames"] == 0
        scrub_to(root, 40)
        assert state(root)["epoch"] == 200 and "Epoch 200 of 1,000" in root.inner_text()
        assert watch.runs() == 0
    finally:
        ctx.close()
    # without the preference the same page plays the run by itself once it is in view
    ctx, page, watch = open_replay(browser, server, RUN)
    try:
        root = replay(page)
        page.wait_for_timeout(1500)
        s = state(root)
        assert not s["reduce"] and (s["playing"] or s["frames"] > 0) and s["epoch"] < 1000
        assert watch.runs() == 0
    finally:
        ctx.close()


@pytest.mark.parametrize("query", ["", "&tr_act=Tanh&tr_width=3", "&tr_act=Leaky ReLU&tr_lr=0.5"])
def test_the_browsers_forward_pass_is_cores(browser, server, query):
    """The numbers the browser draws (a1 and a2 of the four inputs) against MLP.forward for the
    same weights, at several snapshots."""
    ctx, page, _ = open_replay(browser, server, f"{RUN}&tr_epoch=0{query}")
    try:
        root = replay(page)
        for k in (0, 37, 120, 200):
            flat = np.array(root.evaluate("(e, k) => e.replay.weights(k)", k))
            h = (len(flat) - 1) // 4
            net = MLP.from_dict(
                {
                    "W1": flat[: 2 * h].reshape(2, h),
                    "b1": flat[2 * h : 3 * h].reshape(1, h),
                    "W2": flat[3 * h : 4 * h].reshape(h, 1),
                    "b2": flat[4 * h :].reshape(1, 1),
                },
                root.evaluate("e => e.replay.act"),
            )
            fwd = net.forward(X)
            for r, (x1, x2) in enumerate(X):
                got = root.evaluate("(e, a) => e.replay.forward(a[0], a[1], a[2])", [k, float(x1), float(x2)])
                np.testing.assert_allclose(got["a1"], fwd.a[1][r], rtol=1e-12, atol=1e-14)
                np.testing.assert_allclose(got["a2"], fwd.a[2][r, 0], rtol=1e-12, atol=1e-14)
    finally:
        ctx.close()


def test_hidden_features_plays_the_published_run_without_a_rerun(browser, server):
    ctx, page, watch = open_replay(browser, server, f"{RUN}&tr_epoch=0")
    try:
        page.locator('[data-testid="stButton"] button').filter(has_text="Use this network").first.click()
        wait_done(page)
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Hidden features").first.click()
        wait_done(page)
        assert exceptions(page) == 0 and "Watch the boundary form during training" in main_text(page)
        root = replay(page)
        scrub_to(root, 0)
        watch.start()
        sent = watch.sent
        root.locator("button.play").click()
        page.wait_for_timeout(1200)
        s = state(root)
        assert s["playing"] and s["epoch"] > 0
        assert watch.runs() == 0 and watch.sent == sent
    finally:
        ctx.close()
