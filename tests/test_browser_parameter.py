"""Click any of the nine numbers (issue 19 §2) in a real browser: a click on a weight's line and on a
bias of the network diagram selects that number, and the page shows its gradient, the finite
difference and one step as core computes them; the choice is part of the page's link."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from browser import FIND_VIEW, exceptions, main_text, metric_value, open_url, wait_done

from app.parameter import REACH
from app.ui import fmt
from core import backprop_ledger as bl
from core.data import X, notes_network, y
from core.landscape import loss_slice

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# (x, y) of the diagram (the chart whose key starts with <prefix>_dg_) → page pixels, from its Vega view
DIAGRAM_XY = (
    "([prefix, x, y]) => {"
    + FIND_VIEW
    + """
  const el = document.querySelector(`[class*="st-key-${prefix}_dg_"] [data-testid="stVegaLiteChart"]`);
  el.scrollIntoView({block: 'center'});
  const view = findView(el);
  const canvas = el.querySelector('canvas, svg').getBoundingClientRect();
  const [ox, oy] = view.origin();
  return [canvas.left + ox + view.scale('x')(x), canvas.top + oy + view.scale('y')(y)];
}"""
)


def click_diagram(page, prefix: str, x: float, y_: float) -> None:
    page.locator(f'[class*="st-key-{prefix}_dg_"] [data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
    page.wait_for_timeout(800)
    px, py = page.evaluate(DIAGRAM_XY, [prefix, x, y_])
    page.mouse.click(px, py)
    wait_done(page)


def expected(name: str, lr: float, loss: str = "bce"):
    net = notes_network()
    index = net.param_names().index(name)
    chain = bl.parameter_chain(bl.ledger(net, X, y, loss), index)
    return chain, loss_slice(net, X, y, index, lr=lr, loss=loss, reach=REACH)


@pytest.mark.parametrize("path, prefix", [("architecture", "ar"), ("backprop", "bp")])
def test_a_click_on_a_weight_and_on_a_bias_of_the_diagram_shows_its_numbers(page, server, path, prefix):
    open_url(page, server, path)
    assert exceptions(page) == 0
    # the line from h2 to the output (W2[1,0]), two thirds of the way along (away from its label)
    click_diagram(page, prefix, 1 + 2 / 3, -0.5 + 0.5 * 2 / 3)
    page.get_by_text("W2[1,0] now", exact=False).first.wait_for(state="visible", timeout=30_000)
    assert exceptions(page) == 0
    chain, sl = expected("W2[1,0]", 1.0)
    assert metric_value(page, "W2[1,0] now") == fmt(sl.theta0, 4)
    assert metric_value(page, "dL/dW2[1,0]") == fmt(chain.mean, 6)
    words = main_text(page)
    assert f"Backpropagation gave {fmt(sl.slope, 6)}; nudging W2[1,0] by ε = {sl.eps:g} each way gives " in words
    assert f"{fmt(sl.central, 6)} — they differ by" in words
    step = re.search(r"One step with learning rate 1: W2\[1,0\] ← (\S+) − 1 × (\S+) = (\S+), where L = (\S+) —", words)
    assert step, words[-3000:]
    assert step.groups() == (fmt(sl.theta0, 3), fmt(sl.slope, 4), fmt(sl.step_theta, 3), fmt(sl.step_loss, 4))
    assert "ar_theta=W2[1,0]" in unquote(page.url) or "bp_theta=W2[1,0]" in unquote(page.url)

    # the output neuron's bias, written under it
    click_diagram(page, prefix, 2.0, -0.3)
    page.get_by_text("b2[0] now", exact=False).first.wait_for(state="visible", timeout=30_000)
    chain, sl = expected("b2[0]", 1.0)
    assert metric_value(page, "dL/db2[0]") == fmt(chain.mean, 6)
    assert f"{prefix}_theta=b2[0]" in unquote(page.url)
    assert exceptions(page) == 0
