"""The Vanishing-gradient page in a real browser: its four activations are one chart (a panel each)
that fits the screen whole, on a projector and on a phone, in both modes."""

from __future__ import annotations

import pytest
from browser import CHARTS_JS, wait_done

from app.names import ACTIVATION_NAMES
from core.flow import FLOW_ACTIVATIONS

pytestmark = pytest.mark.browser
TITLES = [f"{ACTIVATION_NAMES[name]} and its derivative" for name in FLOW_ACTIVATIONS]

# each chart's place on the page, the drawing's own box (canvas or svg) and the screen's width
BOXES_JS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(el => {
  const b = el.getBoundingClientRect(), d = el.querySelector('canvas, svg').getBoundingClientRect();
  return {el: [b.left, b.right], drawing: [d.left, d.right], screen: document.documentElement.clientWidth};
})"""


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["1280x720", "390x844"])
def test_the_four_activations_are_one_chart_that_fits_the_screen(browser, server, size, presenter):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        page = ctx.new_page()
        page.goto(f"{server}/vanishing-gradient" + ("?presenter=true" if presenter else ""), timeout=60_000)
        wait_done(page)
        for _ in range(40):  # charts finish drawing
            page.wait_for_timeout(500)
            charts = page.evaluate(CHARTS_JS)
            ours = [c for c in charts if any(t in TITLES for t in c.get("titles", []))]
            if ours:
                break
        assert len(ours) == 1, [c.get("titles") for c in charts]  # one chart holds all four panels
        assert ours[0]["titles"] == TITLES
        box = page.evaluate(BOXES_JS)[ours[0]["i"]]
        (left, right), (d_left, d_right) = box["el"], box["drawing"]
        # the drawing is no wider than its place, and its place is on the screen: nothing cut off
        assert d_left >= left - 1 and d_right <= right + 1, box
        assert left >= 0 and right <= box["screen"] + 1, box
        # and it uses that place: the panels take the content's width (a fixed grid would not)
        assert d_right - d_left >= 0.95 * (right - left), box
    finally:
        ctx.close()
