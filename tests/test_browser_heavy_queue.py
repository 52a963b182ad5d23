"""In Chromium: while another student's digits run holds the server's one place for heavy work, the
convergence lab waits in the queue, says how many runs are ahead of it, and its Stop button takes it
out of the queue (a real click during the wait, which AppTest cannot make)."""

from __future__ import annotations

import pytest
from browser import SHOTS, main_text, wait_done, wait_for_text

from app.heavy_ui import waiting
from app.training.text import LAB_STOPPED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# the largest run the digits page offers: tens of seconds in the worker, so it surely holds the place
LARGEST = "digits?dg_layers=3&dg_width=256&dg_batch=8&dg_epochs=60&dg_seed=11"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live server with one place for heavy work, whatever the machine's cores."""
    from browser import free_port, require_browser, start_server

    require_browser()
    port = free_port()
    with pytest.MonkeyPatch.context() as m:
        m.setenv("XORLAB_HEAVY_SLOTS", "1")
        proc = start_server(port, tmp_path_factory.mktemp("server") / "streamlit.log")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except Exception:  # noqa: BLE001
        proc.kill()


def test_the_lab_waits_behind_a_digits_run_says_its_place_and_stop_leaves_the_queue(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    page.goto(f"{server}/training?tr_lab_seeds=100")
    wait_done(page)
    page.get_by_role("tab", name="Convergence lab").click()
    other = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    other.goto(f"{server}/{LARGEST}")
    stop_other = other.get_by_role("button", name="Stop")  # its progress box is up: the one place is taken
    stop_other.wait_for(state="visible", timeout=60_000)
    page.get_by_role("button", name="Run the lab").click()
    wait_for_text(page, waiting(1), timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_text(waiting(1)).first.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SHOTS / "training-lab-waiting-1280x720.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_text(waiting(1)).first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "training-lab-waiting-390x844.png"))
    page.get_by_role("button", name="Stop").click()
    wait_for_text(page, LAB_STOPPED.split("*")[0].strip(), timeout=30_000)
    wait_done(page)
    page.screenshot(path=str(SHOTS / "training-lab-stopped-390x844.png"))
    said = main_text(page)
    assert waiting(1) not in said and "Solved XOR" not in said
    if stop_other.is_visible():  # still training (a quiet machine trains it in ~15 s): its progress box
        for w, h in ((1280, 720), (390, 844)):
            other.set_viewport_size({"width": w, "height": h})
            other.wait_for_timeout(1000)  # the side panel folds away on a phone-sized window
            stop_other.evaluate("e => e.scrollIntoView({block: 'center'})")
            other.screenshot(path=str(SHOTS / f"digits-training-{w}x{h}.png"))
        stop_other.click()  # free the server for the next tests
    ctx.close()
    other.context.close()
