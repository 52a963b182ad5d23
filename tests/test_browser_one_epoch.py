"""One epoch in slow motion in a real browser: Next and Back step through the four phases, Play steps
by itself and stops at the update, whose two losses are core's."""

from __future__ import annotations

import pytest
from browser import SHOTS, exceptions, metric_value, open_url, wait_done, wait_for_text

from app.ui import fmt
from core.data import X, notes_network, y

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TITLES = ["1 · Forward", "2 · Loss", "3 · Backward", "4 · Update"]


def heading(page) -> str:
    """The phase heading the page shows now."""
    return next(t for t in page.locator("h3").all_inner_texts() if t.strip() in TITLES).strip()


def press(page, label: str) -> None:
    page.locator('[data-testid="stButton"] button').filter(has_text=label).first.click()
    wait_done(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"one-epoch-{name}.png"), full_page=True)


def test_next_back_and_play_step_through_the_phases(page, server):
    open_url(page, server, "one-epoch")
    assert exceptions(page) == 0 and heading(page) == TITLES[0]
    shot(page, "forward")
    for title in TITLES[1:]:
        press(page, "Next")
        wait_for_text(page, title)
        assert heading(page) == title and exceptions(page) == 0
    shot(page, "update")
    net = notes_network()
    after = net.copy()
    after.step(net.backward(net.forward(X), y), 0.5)
    assert metric_value(page, "Loss this epoch") == fmt(net.loss(X, y), 4)
    assert metric_value(page, "Loss next epoch") == fmt(after.loss(X, y), 4)
    assert "oe_phase=Update" in page.url
    press(page, "Back")
    wait_for_text(page, TITLES[2])
    assert heading(page) == TITLES[2]

    press(page, "Play")  # from Backward: one phase on after the interval, then it stops by itself
    page.locator('[data-testid="stButton"] button').filter(has_text="Pause").first.wait_for(timeout=10_000)
    wait_for_text(page, "Loss next epoch", timeout=15_000)
    page.locator('[data-testid="stButton"] button').filter(has_text="Play").first.wait_for(timeout=15_000)
    assert heading(page) == TITLES[3]

    press(page, "Play")  # at the end: from the start, every phase in turn
    seen = []
    for _ in range(80):
        page.wait_for_timeout(250)
        try:
            h = heading(page)
        except StopIteration:  # between two draws
            continue
        if not seen or seen[-1] != h:
            seen.append(h)
        if h == TITLES[3] and page.locator('[data-testid="stButton"] button').filter(has_text="Pause").count() == 0:
            break
    assert seen == TITLES, seen
    assert exceptions(page) == 0
