"""Real-browser tests: `streamlit run app/main.py` driven by Playwright in Debian's Chromium.

Screenshots of every page (1280×720, normal and presenter mode) are written to
test-artifacts/screenshots/; the path is printed at the end of the pytest run.
"""

from __future__ import annotations

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, free_port, require_browser, start_server, wait_done

from app.nav import available

pytestmark = pytest.mark.browser
PAGES = [p[3] for p in available()]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    proc = start_server(port, log)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:
        proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    p = ctx.new_page()
    yield p
    ctx.close()


def open_url(page, server, path: str):
    page.goto(f"{server}/{path}", timeout=60_000)
    wait_done(page)
    return page


def root_font_px(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_without_exception_and_is_screenshotted(page, server, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = path or "home"
    open_url(page, server, path)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").count() >= 1  # a real page, not a blank space
    page.screenshot(path=str(SHOTS / f"{name}-1280x720.png"))
    open_url(page, server, f"{path}?presenter=true")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / f"{name}-presenter-1280x720.png"))


def test_presenter_mode_changes_the_rendered_font_size(page, server):
    open_url(page, server, "")
    normal = root_font_px(page)
    page.get_by_text("Presenter mode").click()
    wait_done(page)
    bigger = root_font_px(page)
    assert bigger > normal * 1.2, (normal, bigger)
    assert "presenter=true" in page.url  # the toggle is part of the shareable link
    h1 = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)"))
    open_url(page, server, "")
    assert h1 > float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)"))


def test_a_malformed_link_shows_a_notice_not_an_exception(page, server):
    open_url(page, server, "?presenter=%F0%9F%92%A5&nonsense=1e999&%3Cscript%3E=x")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("could not be used").count() == 1


def test_screenshots_folder_is_reported():
    assert str(SHOTS).startswith(str(ROOT))
