"""Accessibility in a real browser (issue 25): axe-core's WCAG 2.0/2.1 A and AA rules on every page, in
normal and presenter mode, at 1280×720 and 390×844, after the page has finished running and its charts
are drawn — no violation of impact "serious" or "critical" beyond tests/a11y_allowlist.toml (Streamlit's
own, none today). On the same visit: every chart has its text alternative (the description app.chart.draw
sends) as the accessible name of an element with a graphics role, and every text a chart writes (axis and
legend labels, titles, numbers on the diagram) has WCAG AA contrast against the white page.

One browser, one server, one tab per screen size reused page after page. axe-core comes from
axe-playwright-python, which bundles it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from browser import FIND_VIEW, settle, wait_done

from app.nav import available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"1280x720": (1280, 720), "390x844": (390, 844)}
ALLOW = tomllib.loads((Path(__file__).parent / "a11y_allowlist.toml").read_text())["allow"]
VISITS = [(size, mode, p[3]) for size in SIZES for mode in ("normal", "presenter") for p in available()]


@pytest.fixture(scope="module")
def tabs(browser):
    """One tab per screen size, reused by every visit (a new page load each time)."""
    made = {}
    yield (
        lambda size: (
            made.get(size)
            or made.setdefault(
                size, browser.new_context(viewport=dict(zip(("width", "height"), SIZES[size]))).new_page()
            )
        )
    )
    for p in made.values():
        p.context.close()


def allowed(rule: str, target: str) -> bool:
    return any(a["rule"] == rule and re.search(a["selector"], target) for a in ALLOW)


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations of the WCAG A/AA rules on the page, less the allow-list."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(Axe().axe_script)
    res = page.evaluate("(o) => axe.run(document, o)", {"runOnly": {"type": "tag", "values": TAGS}})
    found = []
    for v in res["violations"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            if not allowed(v["id"], target):
                found.append(f"{v['id']} ({v['impact']}): {target[-120:]} — {node['html'][:120]}")
    return found


# Every chart: its accessible name (Streamlit sets the description it was sent as aria-label beside
# role="graphics-document"); and every text it draws, with colour, opacity and size from Vega's scene.
CHARTS_A11Y_JS = (
    "() => {"
    + FIND_VIEW
    + """
  const out = [];
  document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stGraphVizChart"]').forEach((el, i) => {
    if (el.getBoundingClientRect().width === 0) return;  // in a closed tab or expander
    const named = [el, ...el.querySelectorAll('[aria-label]')].find(e => (e.getAttribute('aria-label') || '').trim());
    const texts = [];
    const view = el.dataset.testid === 'stVegaLiteChart' ? findView(el) : null;
    if (view) (function walk(mark) {
      for (const item of mark.items || []) {
        if (mark.marktype === 'text' && item.text != null && String(item.text).trim() !== ''
            && (item.opacity ?? 1) > 0 && (item.fillOpacity ?? 1) > 0 && item.fill)
          texts.push({role: mark.role || '', fill: String(item.fill),
                      opacity: (item.opacity ?? 1) * (item.fillOpacity ?? 1), size: item.fontSize || 11,
                      bold: ['bold', 600, 700, 800, 900, '600', '700'].includes(item.fontWeight),
                      text: String(item.text).slice(0, 30)});
        if (mark.marktype === 'group') for (const m of item.items || []) walk(m);
      }
    })(view.scenegraph().root);
    out.push({i, kind: el.dataset.testid, name: named ? named.getAttribute('aria-label') : '',
              role: named ? named.getAttribute('role') : '', texts});
  });
  return out;
}"""
)


def _rgb(colour: str, page) -> tuple[float, float, float]:
    return tuple(page.evaluate(RGB_JS, colour))


RGB_JS = """(c) => { const e = document.createElement('canvas').getContext('2d'); e.fillStyle = c;
  const h = e.fillStyle; if (h.startsWith('#')) return [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));
  return h.match(/[\\d.]+/g).slice(0, 3).map(Number); }"""


def contrast(rgb, on=(255, 255, 255), opacity: float = 1.0) -> float:
    """WCAG 2.1 contrast ratio of a colour (blended with ``on`` at ``opacity``) against ``on``."""

    def lum(c):
        c = [x / 255 for x in c]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    mixed = [opacity * a + (1 - opacity) * b for a, b in zip(rgb, on)]
    hi, lo = sorted([lum(mixed), lum(on)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula():
    """The ratio as WCAG defines it: black on white 21:1, #767676 the lightest grey at 4.5:1."""
    assert contrast((0, 0, 0)) == pytest.approx(21.0)
    assert contrast((0x76,) * 3) >= 4.5 > contrast((0x77,) * 3)


def chart_problems(page) -> list[str]:
    """Charts without a text alternative, and chart texts under WCAG AA contrast on the white page
    (4.5:1; 3:1 for large text: 24 px, or 18.66 px bold). Texts drawn on a coloured mark (a number on
    a heatmap cell, white on dark) are not on the page's white and are left out: they are "mark" texts
    whose colour is lighter than the page's grey text could be."""
    found = []
    for c in page.evaluate(CHARTS_A11Y_JS):
        if len(c["name"].strip()) < 15 or c["role"] not in ("graphics-document", "img", "figure"):
            found.append(
                f"{c['kind']} #{c['i']} has no text alternative (aria-label {c['name']!r}, role {c['role']!r})"
            )
        for t in c["texts"]:
            rgb = _rgb(t["fill"], page)
            if t["role"] == "mark" and contrast(rgb) < 2:  # light ink: written on a dark cell, not the page
                continue
            large = t["size"] >= 24 or (t["bold"] and t["size"] >= 18.66)
            need = 3.0 if large else 4.5
            if (ratio := contrast(rgb, opacity=t["opacity"])) < need:
                found.append(f"chart #{c['i']} {t['role']} text “{t['text']}” in {t['fill']}: {ratio:.2f}:1 < {need}:1")
    return sorted(set(found))


FORMULAS_READY_JS = """() => [...document.querySelectorAll('.katex-display')]
  .every(e => e.scrollWidth <= e.clientWidth || e.hasAttribute('tabindex'))"""


@pytest.mark.parametrize(("size", "mode", "path"), VISITS, ids=[f"{s}-{m}-{p or 'home'}" for s, m, p in VISITS])
def test_page_is_accessible(server, tabs, size, mode, path):
    page = tabs(size)
    page.goto(f"{server}/{path}" + ("?presenter=true" if mode == "presenter" else ""), timeout=60_000)
    wait_done(page, 180_000)
    settle(page)
    try:  # app/ui.py's script marks formulas wider than their column (100 ms after the page changed)
        page.wait_for_function(FORMULAS_READY_JS, timeout=5_000)
    except Exception:
        pass  # axe reports what is still wrong
    assert page.locator('[data-testid="stException"]').count() == 0
    problems = axe_violations(page) + chart_problems(page)
    assert not problems, f"{path or 'home'} ({mode}, {size}):\n" + "\n".join(problems)
