"""Beyond XOR in a real browser: three clicks on the plane put three points in the data table."""

from __future__ import annotations

import pytest
from browser import FIND_VIEW, exceptions, open_url, wait_done

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The plane's plot position of (x1, x2), in page pixels, from its Vega view's own scales.
PLOT_XY = (
    "([x1, x2]) => {"
    + FIND_VIEW
    + """
  const el = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[0];
  const view = findView(el);
  const canvas = el.querySelector('canvas, svg').getBoundingClientRect();
  const [ox, oy] = view.origin();
  return [canvas.left + ox + view.scale('x')(x1), canvas.top + oy + view.scale('y')(x2)];
}"""
)


def table_rows(page) -> list[list[str]]:
    """The data grid's rows as its accessible table gives them (cells as the grid writes them)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"] table tbody tr')]
              .map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))"""
    )


def test_three_clicks_on_the_plane_appear_in_the_data_table(page, server):
    open_url(page, server, "beyond-xor?bx_src=Your+own+points")
    assert exceptions(page) == 0
    clicks = [(0.0, 0.0, "Add class 0 (blue ●)"), (1.0, 1.0, "Add class 0 (blue ●)"), (0.0, 1.0, "Add class 1 (red ■)")]
    for k, (x1, x2, mode) in enumerate(clicks, start=1):
        page.get_by_text(mode, exact=True).click()
        wait_done(page)
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(state="visible")
        page.wait_for_timeout(500)
        x, y = page.evaluate(PLOT_XY, [x1, x2])
        page.mouse.click(x, y)
        wait_done(page)
        page.get_by_text(f"{k} point", exact=False).first.wait_for(state="visible", timeout=30_000)
    assert exceptions(page) == 0
    rows = table_rows(page)
    print(rows)
    got = [(float(r[1]), float(r[2]), int(r[3])) for r in rows if len(r) >= 4]
    assert len(got) == 3
    for (x1, x2, label), (g1, g2, glab) in zip([(0, 0, 0), (1, 1, 0), (0, 1, 1)], got):
        assert abs(g1 - x1) < 0.05 and abs(g2 - x2) < 0.05 and glab == label
