"""Real-browser checks for issue 16's Vanishing-gradient and Digits fixes: what a student actually sees.

Uses test_browser's server, browser and page fixtures (one server for the module).
"""

from __future__ import annotations

import pytest
from browser import exceptions, main_text, open_url, wait_done, wait_for_text

from app.initialisers import INIT_INFO

pytestmark = pytest.mark.browser


def test_vanishing_gradient_says_what_a_and_b_differ_in_and_quotes_no_number(page, server):
    open_url(page, server, "vanishing-gradient?vg_tr_epochs=500")
    wait_for_text(page, "A and B differ only in: activation.", timeout=180_000)
    text = main_text(page)
    assert exceptions(page) == 0
    assert "Commonly quoted" not in text and "roughly ×0.23" not in text
    assert "What to expect, and what we measure" in text and "What the sources say" in text
    assert "no number in the table is quoted from a paper" in text


def test_the_initialiser_explanation_opens_inside_the_projected_digits_settings(page, server):
    """Presenter mode puts Digits' controls in a popover: the explanation must open there too."""
    open_url(page, server, "digits?presenter=true&dg_epochs=2")
    page.get_by_role("button", name="Settings").click()
    box = page.locator('[data-testid="stPopoverBody"]')
    box.get_by_text("What the initialisers do").click()
    wait_done(page)
    he = f"Var(W) = {INIT_INFO['he_normal'].variance}"
    box.get_by_text(he, exact=False).first.wait_for(state="visible", timeout=30_000)
    assert "(chosen)" in box.inner_text()
    assert exceptions(page) == 0
