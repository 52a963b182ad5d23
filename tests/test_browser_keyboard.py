"""Keyboard alone (issue 25 §3, WCAG 2.1.1): on every page, Tab reaches every control on screen, and the
page's main control works from the keyboard; presenter mode's shortcuts step One epoch in slow motion."""

from __future__ import annotations

import pytest
from browser import open_url, settle, wait_done

from app.nav import available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PATHS = [p[3] for p in available()]

# Every control a user could operate, in the page and the side panel, that is on screen and enabled.
CONTROLS_JS = """() => {
  const sel = 'input:not([type=hidden]), button, select, textarea, a[href], summary, [role="slider"], [role="tab"],'
    + ' [role="radio"], [role="checkbox"], [role="switch"], [role="combobox"], [tabindex="0"]';
  const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const out = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]'))
    for (const e of root.querySelectorAll(sel)) {
      if (e.disabled || e.getAttribute('aria-disabled') === 'true' || e.tabIndex < 0 && !e.matches('input')) continue;
      if (e.closest('[aria-hidden="true"], [inert]') || !shown(e)) continue;
      // a visually hidden native input inside a styled control (checkbox, radio, toggle) counts with its label
      out.push(e);
    }
  return out;
}"""

MARK_REACHED_JS = """() => { window.kbReached = new Set();
  document.addEventListener('focusin', e => window.kbReached.add(e.target), true); }"""

UNREACHED_JS = (
    "() => ("
    + CONTROLS_JS
    + """)().filter(e => !window.kbReached.has(e) && ![...window.kbReached].some(f => f.contains(e) || e.contains(f)))
      .map(e => (e.getAttribute('aria-label') || e.innerText || e.value || e.outerHTML).trim().slice(0, 60))"""
)


def tab_through(page, limit: int) -> int:
    """Press Tab from the top of the page until focus has been round (or ``limit`` presses)."""
    page.evaluate(MARK_REACHED_JS)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    n = 0
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if n > 3 and page.evaluate("() => document.activeElement === document.body"):
            break
    return n


@pytest.mark.parametrize("path", PATHS, ids=[p or "home" for p in PATHS])
def test_tab_reaches_every_control(server, page, path):
    open_url(page, server, path)
    settle(page)
    n = page.evaluate(f"() => ({CONTROLS_JS})().length")
    tab_through(page, 2 * n + 60)
    unreached = page.evaluate(UNREACHED_JS)
    assert not unreached, f"{path or 'home'}: Tab never reaches {unreached}"


def focus_by_tab(page, selector: str, text: str = "", limit: int = 200) -> bool:
    """Press Tab until the focused element matches ``selector`` (and shows ``text``)."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    is_it = "([s, t]) => { const e = document.activeElement; return !!e && e.matches(s) && e.innerText.includes(t); }"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(is_it, [selector, text]):
            return True
    return False


@pytest.mark.parametrize("path", ["architecture", "training", "vanishing-gradient"])
def test_a_slider_moves_by_keyboard(server, page, path):
    """The page's first slider in the main area, reached with Tab, moved with the arrow keys."""
    open_url(page, server, path)
    slider = '[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]'  # react-aria's focusable input
    assert focus_by_tab(page, slider), f"{path}: Tab never reaches a slider"
    before, top = page.evaluate("() => [document.activeElement.value, document.activeElement.max]")
    page.keyboard.press("ArrowLeft" if before == top else "ArrowRight")
    wait_done(page)
    after = page.evaluate("(s) => document.querySelector(s).value", slider)
    assert after != before, f"{path}: the arrow keys left the slider at {before}"
    assert page.locator('[data-testid="stException"]').count() == 0


PHASE_JS = """() => {
  const group = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stButtonGroup"]')]
    .find(g => (g.querySelector('[data-testid="stWidgetLabel"] p') || {}).textContent === 'Phase');
  if (!group) return null;
  const on = [...group.querySelectorAll('button')].find(b => b.getAttribute('aria-pressed') === 'true'
    || b.getAttribute('aria-checked') === 'true' || (b.dataset.testid || '').endsWith('Active'));
  return on ? on.innerText.trim() : null;
}"""


def phase(page) -> str:
    """The phase the One epoch page's Phase control shows as chosen."""
    page.wait_for_function(PHASE_JS, timeout=30_000)
    shown = page.evaluate(PHASE_JS)
    assert shown, "no phase is shown as chosen"
    return shown


def test_one_epoch_by_keyboard(server, page):
    """Normal mode: Tab to Next, Enter steps to the loss phase. Presenter mode: N steps on, B steps back
    — no mouse."""
    open_url(page, server, "one-epoch")
    first = phase(page)
    assert focus_by_tab(page, '[data-testid="stMain"] button', "Next")
    page.keyboard.press("Enter")
    wait_done(page)
    second = phase(page)
    assert second != first

    open_url(page, server, "one-epoch?presenter=true")
    start = phase(page)
    page.keyboard.press("N")
    wait_done(page)
    assert phase(page) != start
    page.keyboard.press("B")
    wait_done(page)
    assert phase(page) == start


def test_presenter_help_lists_the_keys():
    """The keys the presenter help names are the ones One epoch binds."""
    from app.one_epoch.controls import KEYS
    from app.ui import PRESENTER_HELP

    for key in KEYS.values():
        assert f"**{key}**" in PRESENTER_HELP
