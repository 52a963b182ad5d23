"""Loss landscape in a real browser: a click on a cell of the map moves the network there, and the
page shows that network's two numbers and its loss as core computes them."""

from __future__ import annotations

import re

import numpy as np
import pytest
from browser import FIND_VIEW, exceptions, main_text, open_url, wait_done

from app.loss_landscape.run import GRID_N, HALF_WIDTH
from app.ui import fmt
from core.data import X, notes_network, y
from core.landscape import loss_surface, with_params

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The map's plot position of (u, v), in page pixels, from its Vega view's own scales (the first chart).
PLOT_XY = (
    "([u, v]) => {"
    + FIND_VIEW
    + """
  const el = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[0];
  el.scrollIntoView({block: 'center'});
  const view = findView(el);
  const canvas = el.querySelector('canvas, svg').getBoundingClientRect();
  const [ox, oy] = view.origin();
  return [canvas.left + ox + view.scale('x')(u), canvas.top + oy + view.scale('y')(v)];
}"""
)


def test_a_click_on_the_map_moves_the_network_and_shows_its_loss(page, server):
    open_url(page, server, "loss-landscape?ll_u=b1%5B0%5D&ll_v=W2%5B0%2C0%5D")
    assert exceptions(page) == 0
    net = notes_network()
    names = net.param_names()
    i, j = names.index("b1[0]"), names.index("W2[0,0]")
    surf = loss_surface(net, X, y, i, j, half_width=HALF_WIDTH, n=GRID_N)
    c, r = 44, 12  # the cell to click: column (u) and row (v)
    u, v = float(surf.u[c]), float(surf.v[r])
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
    page.wait_for_timeout(800)
    x, yy = page.evaluate(PLOT_XY, [u, v])
    page.mouse.click(x, yy)
    wait_done(page)
    page.get_by_text("Moved network:", exact=False).first.wait_for(state="visible", timeout=30_000)
    assert exceptions(page) == 0
    words = main_text(page)
    m = re.search(r"b1\[0\] = (\S+), W2\[0,0\] = (\S+), the other seven unchanged\. Its loss is L = (\S+),", words)
    assert m, words[:2000]
    moved = with_params(net, {i: u, j: v})
    assert m.group(1) == fmt(u, 3) and m.group(2) == fmt(v, 3)
    assert m.group(3) == fmt(moved.loss(X, y), 4)
    assert moved.loss(X, y) != pytest.approx(net.loss(X, y))  # the click did move the network
    page.screenshot(path=str(_shot("loss-landscape-clicked.png")))
    # "Use this network" hands it to every page
    page.get_by_role("button", name="Use this network").click()
    wait_done(page)
    page.get_by_text("is now the shared network", exact=False).first.wait_for(state="visible", timeout=30_000)
    assert f"L = {fmt(moved.loss(X, y), 4)}" in main_text(page)
    assert np.isfinite(moved.loss(X, y))


def _shot(name: str):
    from browser import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / name
