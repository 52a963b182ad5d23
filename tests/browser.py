"""Helpers for the real-browser tests: a live `streamlit run app/main.py` and Debian's Chromium."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SHOTS = ROOT / "test-artifacts" / "screenshots"


def require_browser() -> None:
    """Skip with one line when Chromium or Playwright is missing — but fail under CI=true."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        msg = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — CI must run them")
        pytest.skip(msg)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path, extra: list[str] | None = None) -> subprocess.Popen:
    """Plain `streamlit run app/main.py` from the repo root, as the README says."""
    streamlit = Path(sys.executable).parent / "streamlit"
    cmd = [
        str(streamlit) if streamlit.exists() else shutil.which("streamlit") or "streamlit",
        "run",
        "app/main.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *(extra or []),
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # prove app/main.py finds core itself
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 60 s")


def wait_done(page, timeout: float = 60_000) -> None:
    """Wait until the script run finished (and give the frontend a moment to paint)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=timeout)


def wait_for_text(page, text: str, timeout: float = 60_000) -> None:
    """Wait until ``text`` is visible on the page (a rerun after a widget moved has drawn it)."""
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout)


def main_text(page) -> str:
    """Everything the main area says, as the browser renders it."""
    return page.locator('[data-testid="stMain"]').inner_text()


def slider(page, label: str):
    """The keyboard-focusable range input of the slider with this label (Streamlit 1.67: react-aria)."""
    box = page.locator('[data-testid="stSlider"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('input[type="range"]').first


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


# Values a hostile or mistyped link may carry: empty, blank, overflowing, not numbers, unicode,
# markup, path tricks. Each falls back to the control's default; none may crash a page.
HOSTILE = [
    "",
    " ",
    "1e999",
    "-1e999",
    "inf",
    "nan",
    "9" * 40,
    "-99999999999",
    "abc",
    "💥",
    "ünï©ødé ☃",
    "<script>alert(1)</script>",
    "0x1F",
    "1,5",
    "null",
    "[]",
    "%",
    "../../etc/passwd",
]


def hostile_links(path: str, keys: list[str], n: int = 3, seed: int = 8) -> list[str]:
    """n malformed links to ``path`` (generated, reproducible): hostile values for real link keys,
    an unknown key, and one key given twice. Every link carries an unknown key, so the page must
    show its "could not be used" notice."""
    rng = random.Random(f"{path}/{seed}")
    links = []
    for i in range(n):
        params = [(k, rng.choice(HOSTILE)) for k in rng.sample(keys, min(len(keys), 3))]
        params.append((f"{rng.choice(['zz_unknown', 'ünknown', 'x' * 60])}{i}", rng.choice(HOSTILE) or "1"))
        twice = rng.choice(keys)
        params += [(twice, rng.choice(HOSTILE)), (twice, rng.choice(HOSTILE))]
        links.append(f"{path}?{urlencode(params)}")
    return links


# ----- layout checks: tables, charts, toolbars (tests/test_browser_layout.py) -------------------------
# Vega-Lite draws on a canvas; the chart's Vega View (its signals and scene graph) hangs off the React
# component Streamlit renders it with. Reading it gives the plot's real size and every text's box.
FIND_VIEW = """
  const isView = v => v && typeof v === 'object' && typeof v.signal === 'function'
    && typeof v.scenegraph === 'function';
  const findView = el => {
    const key = Object.keys(el).find(k => k.startsWith('__reactFiber'));
    for (let f = key && el[key], i = 0; f && i < 60; f = f.return, i++)
      for (let s = f.memoizedState; s; s = s.next) {
        const m = s.memoizedState;
        if (m && typeof m === 'object' && isView(m.current)) return m.current;
      }
    return null;
  };
"""

CHARTS_JS = (
    "() => {"
    + FIND_VIEW
    + """
  const out = [];
  document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach((el, i) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;  // in a closed tab or expander
    const view = findView(el);
    if (!view) { out.push({i, problems: ['no Vega view found']}); return; }
    const canvas = el.querySelector('canvas, svg').getBoundingClientRect();
    const [ox, oy] = view.origin();
    const sized = Object.entries(view.getState({signals: n => /(^|_)height$|^childHeight$/.test(n), data: () => false})
      .signals).filter(([, v]) => typeof v === 'number');
    // a chart of panels (a concatenation): its own "height" is 0, its panels' heights are the plots'
    const panels = sized.filter(([n]) => n === 'childHeight' || /^concat_[0-9]+_height$/.test(n));
    const heights = (panels.length ? panels : sized).map(([, v]) => v);
    const texts = [];  // every text the chart draws, in page coordinates
    (function walk(mark, x, y) {
      for (const item of mark.items || []) {
        const drawn = item.text != null && String(item.text) !== '' && item.bounds && isFinite(item.bounds.x1);
        if (mark.marktype === 'text' && drawn) {
          const b = item.bounds;
          texts.push({role: mark.role || '', parent: mark, text: String(item.text), opacity: item.opacity ?? 1,
                      limit: item.limit || 0, x1: canvas.left + ox + x + b.x1, y1: canvas.top + oy + y + b.y1,
                      x2: canvas.left + ox + x + b.x2, y2: canvas.top + oy + y + b.y2});
        }
        if (mark.marktype === 'group') for (const m of item.items || []) walk(m, x + (item.x || 0), y + (item.y || 0));
      }
    })(view.scenegraph().root, 0, 0);
    const shown = texts.filter(t => t.opacity !== 0);
    const problems = [];
    const titles = shown.filter(t => t.role === 'title-text').map(t => t.text);
    const plot = heights.length ? Math.min(...heights) : null;
    if (plot !== null && plot < 120) problems.push(`plot only ${Math.round(plot)} px tall`);
    for (const t of shown) {
      if (t.x1 < canvas.left - 1 || t.x2 > canvas.right + 1 || t.y1 < canvas.top - 1 || t.y2 > canvas.bottom + 1)
        problems.push(`${t.role || 'text'} “${t.text.slice(0, 40)}” is cut by the chart's edge`);
      const limited = ['legend-label', 'axis-label', 'title-text'].includes(t.role) && t.limit > 0;
      if (limited && t.x2 - t.x1 >= t.limit - 0.5)
        problems.push(`${t.role} “${t.text.slice(0, 40)}” is shortened to fit`);
    }
    const labels = shown.filter(t => t.role === 'axis-label' || t.role === 'legend-label');
    for (let a = 0; a < labels.length; a++) for (let b = a + 1; b < labels.length; b++) {
      const p = labels[a], q = labels[b];
      if (p.x1 < q.x2 - 1 && q.x1 < p.x2 - 1 && p.y1 < q.y2 - 1 && q.y1 < p.y2 - 1)
        problems.push(`labels “${p.text.slice(0, 20)}” and “${q.text.slice(0, 20)}” overlap`);
    }
    out.push({i, titles, plot, problems,
              titleBoxes: shown.filter(t => t.role === 'title-text').map(t => [t.x1, t.y1, t.x2, t.y2])});
  });
  return out;
}"""
)

# After a chart is scrolled into view: is the middle of each of its titles really the chart (not a
# caption, table or another element drawn over it)?
TITLE_HIT_JS = """([i, boxes]) => {
  const el = document.querySelectorAll('[data-testid="stVegaLiteChart"]')[i];
  const r0 = el.getBoundingClientRect();
  return boxes.map(([x1, y1, x2, y2]) => {
    const hit = document.elementFromPoint((x1 + x2) / 2, (y1 + y2) / 2);
    return !!hit && el.contains(hit);
  });
}"""

ON_SCREEN_JS = "([x1, y1, x2, y2]) => y1 >= 0 && y2 <= innerHeight && x1 >= 0 && x2 <= innerWidth"
SCROLL_BY_JS = "(dy) => document.querySelector('[data-testid=\"stMain\"]').scrollBy(0, dy)"


def chart_problems(page) -> list[str]:
    """What is wrong with the charts on screen: a plot under 120 px tall, a text cut by the chart's
    edge or shortened with an ellipsis, axis or legend labels overlapping, a title covered."""
    found = []
    charts = page.evaluate(CHARTS_JS)
    for c in charts:
        name = " / ".join(c.get("titles") or []) or f"chart #{c['i']}"
        found += [f"{name}: {p}" for p in c["problems"]]
        if c.get("titleBoxes"):
            page.locator('[data-testid="stVegaLiteChart"]').nth(c["i"]).scroll_into_view_if_needed()
            page.wait_for_timeout(150)
            again = next(x for x in page.evaluate(CHARTS_JS) if x["i"] == c["i"])
            scrolled = False  # the boxes are read again only once the page has moved
            for k in range(len(again["titleBoxes"])):
                if scrolled:
                    again = next(x for x in page.evaluate(CHARTS_JS) if x["i"] == c["i"])
                box = again["titleBoxes"][k]
                ok = page.evaluate(TITLE_HIT_JS, [c["i"], [box]])[0]
                if not ok and not (page.evaluate(ON_SCREEN_JS, box) and box[1] > 100):
                    scrolled = True
                    # a chart taller than the screen (panels under one another): scroll this title into
                    # view, below the page's fixed header (its buttons would cover a title at the very top)
                    page.evaluate(SCROLL_BY_JS, box[1] - 100)
                    page.wait_for_timeout(150)
                    box = next(x for x in page.evaluate(CHARTS_JS) if x["i"] == c["i"])["titleBoxes"][k]
                    ok = page.evaluate(TITLE_HIT_JS, [c["i"], [box]])[0]
                if not ok:
                    found.append(f"{name}: its title is covered by another element")
    return found


# Tables whose content is wider than the part of them on screen (a grid's canvas scrolls, an HTML
# table's wrapper clips): their right-hand columns are cut off.
CUT_TABLES_JS = """() => {
  const out = [];
  document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').forEach((el, i) => {
    if (el.getBoundingClientRect().width === 0) return;
    for (const e of [el, ...el.querySelectorAll('*')]) {
      const o = getComputedStyle(e).overflowX;
      if (['auto', 'scroll', 'hidden', 'clip'].includes(o) && e.scrollWidth > e.clientWidth + 1) {
        const head = el.innerText.trim().split('\\n')[0].slice(0, 40);
        out.push(`${el.dataset.testid} #${i} (“${head}”): ${e.scrollWidth} px of content in ${e.clientWidth} px`);
        break;
      }
    }
  });
  return out;
}"""


def cut_tables(page) -> list[str]:
    return page.evaluate(CUT_TABLES_JS)


# A visible element toolbar (on touch screens Streamlit keeps the data grid's one shown) over another
# element: the formula, caption or table above it.
TOOLBARS_JS = """() => {
  const out = [];
  document.querySelectorAll('[data-testid="stElementToolbar"]').forEach(tb => {
    const r = tb.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(tb).opacity === '0' || getComputedStyle(tb).visibility === 'hidden') return;
    const own = tb.closest('[data-testid="stElementContainer"]');
    document.querySelectorAll('[data-testid="stElementContainer"]').forEach(c => {
      if (c === own || c.contains(own) || own.contains(c)) return;
      const q = c.getBoundingClientRect();
      const meet = q.left < r.right - 1 && q.right > r.left + 1 && q.top < r.bottom - 1 && q.bottom > r.top + 1;
      if (q.width && q.height && meet)
        out.push(`a toolbar covers “${c.innerText.trim().slice(0, 40).replace(/\\s+/g, ' ')}”`);
    });
  });
  return out;
}"""


def covered_by_toolbars(page) -> list[str]:
    return page.evaluate(TOOLBARS_JS)


def settle(page, timeout_ms: int = 10_000) -> None:
    """Wait until the page stops moving (expanders finish opening, charts finish drawing): the
    main area's height and every element's place unchanged over 400 ms."""
    js = """() => [document.querySelector('[data-testid="stMain"]').scrollHeight,
      ...[...document.querySelectorAll('[data-testid="stElementContainer"]')]
        .map(e => Math.round(e.getBoundingClientRect().top))].join()"""
    last, waited = None, 0
    while waited < timeout_ms:
        page.wait_for_timeout(400)
        waited += 400
        now = page.evaluate(js)
        if now == last:
            return
        last = now


def views(page, run_lab: bool = True):
    """Every view of the open page, one after the other, for checks: as opened, then each tab
    selected in turn (the convergence lab run), every expander open. Yields a name for each."""

    def open_expanders():  # the ones shown (not in a hidden tab); a click as a user's, from script
        page.evaluate(
            """() => document.querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary')
                 .forEach(s => { if (s.offsetParent !== null) s.click(); })"""
        )
        settle(page)

    def shown():  # a view with an exception has nothing to check: it is a failure of its own
        errors = page.locator('[data-testid="stException"]')
        assert errors.count() == 0, errors.first.inner_text()[:300]

    open_expanders()
    shown()
    yield "as opened"
    tabs, i = page.locator('[role="tab"]'), -1
    while (i := i + 1) < tabs.count():  # counted again each time: running the lab adds tabs
        tab = tabs.nth(i)
        if tab.get_attribute("aria-selected") == "true" or not tab.is_visible():
            continue
        name = tab.inner_text().strip()
        tab.click()
        wait_done(page)
        if run_lab and page.get_by_role("button", name="Run the lab").is_visible():
            page.get_by_role("button", name="Run the lab").click()
            wait_done(page, 240_000)
        open_expanders()
        shown()
        yield f"tab “{name}”"


CHART_MARKS_JS = (
    "(title) => {"
    + FIND_VIEW
    + """
  for (const el of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const view = findView(el);
    if (!view) continue;
    const marks = [];
    let found = false;
    (function walk(mark) {
      for (const item of mark.items || []) {
        if (mark.role === 'title-text' && String(item.text) === title) found = true;
        if (mark.role === 'mark')
          marks.push({type: mark.marktype, name: mark.name || '', fill: item.fill ?? null, stroke: item.stroke ?? null,
                      dash: item.strokeDash ?? null, datum: item.datum || {}});
        if (mark.marktype === 'group') for (const m of item.items || []) walk(m);
      }
    })(view.scenegraph().root);
    if (found) return marks;
  }
  return null;
}"""
)


def chart_marks(page, title: str) -> list[dict] | None:
    """The drawn items of the chart titled ``title`` (type, layer name, fill, stroke, dash, datum), or
    None when no such chart is on the page."""
    return page.evaluate(CHART_MARKS_JS, title)


def chart_titles(page) -> list[str]:
    """The titles of the charts on screen (they are drawn on a canvas: read from each chart's scene)."""
    return [t for c in page.evaluate(CHARTS_JS) for t in c.get("titles", [])]


def open_url(page, server, path: str):
    page.goto(f"{server}/{path}", timeout=60_000)
    wait_done(page)
    return page


def exceptions(page) -> int:
    return page.locator('[data-testid="stException"]').count()
