"""Shared test fixtures: open any page of the app through AppTest, with fresh caches."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# app.warmup fills caches from a background thread; AppTest tests clear the caches per test and
# must not race with it (tests of the warm-up itself call it directly). Servers the tests start
# inherit this too, unless a test says otherwise.
os.environ.setdefault("XORLAB_NO_WARMUP", "1")


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """st.cache_data survives across AppTest instances in one process: clear it for every test. Only
    once something has imported streamlit (no cache exists before), so core's tests run with NumPy
    and pytest alone."""
    st = sys.modules.get("streamlit")
    if st is not None:
        st.cache_data.clear()
        st.cache_resource.clear()
    yield


def open_page(page_file: str | None = None, timeout: float = 60, query: dict | None = None):
    """Run app/main.py in AppTest and switch to pages/<page_file> (e.g. "forward_pass.py").

    query: initial query parameters, as a teacher's prepared URL would carry them.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app" / "main.py"), default_timeout=timeout)
    if query and not page_file:
        for k, v in query.items():
            at.query_params[k] = v
    at.run()
    if page_file:
        # set the link's parameters just before switching, or the switch from home drops them
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.switch_page(f"../pages/{page_file}")
        at.run()
    return at


def give_trained_run(at, hist, label: str = "test run") -> None:
    """Put a published training run into an AppTest session, as the Training page's button does."""
    from app.state import _RUN, Run

    at.session_state[_RUN] = Run(label, hist)


def chart_specs(at) -> list[dict]:
    """Every Vega-Lite spec on the page, as dicts, with its text alternative (sent beside the spec as
    ``alt``; the browser shows it as the chart's description) under "description"."""
    import json

    return [{**json.loads(el.proto.spec), "description": el.proto.alt} for el in at.get("vega_lite_chart")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live `streamlit run app/main.py` for one test module (the browser tests')."""
    from browser import free_port, require_browser, start_server

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
    """Debian's Chromium through Playwright, for one test module."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter):
    shots = ROOT / "test-artifacts" / "screenshots"
    if shots.exists() and any(shots.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {shots} ({len(list(shots.glob('*.png')))} PNG files)")


@pytest.fixture
def page(browser):
    """A fresh 1280×720 browser tab on the module's server."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    p = ctx.new_page()
    yield p
    ctx.close()


def hold_the_only_heavy_slot(monkeypatch):
    """A gate of one slot, taken by another student's run; the waiting words the page shows, recorded."""
    from app import heavy, heavy_ui

    gate = heavy.Gate(1)
    monkeypatch.setattr(heavy, "_shared", gate)
    said: list[str] = []
    real = heavy_ui.waiting
    monkeypatch.setattr(heavy_ui, "waiting", lambda ahead: (said.append(real(ahead)), said[-1])[1])
    other = gate.enter()
    assert gate.start(other, 0)
    return gate, other, said


def release_when_queued(gate, other):
    """Give ``other``'s place back once a run is queued behind it (or after 60 s at most), in a thread;
    the returned event is set when a run was seen waiting."""
    import threading
    import time

    queued = threading.Event()

    def other_run_ends() -> None:
        deadline = time.monotonic() + 60
        while gate.waiting() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if gate.waiting():
            queued.set()
            time.sleep(1.0)  # the box is updated every 0.25 s meanwhile
        gate.leave(other)

    threading.Thread(target=other_run_ends, daemon=True).start()
    return queued


def interrupt_while_queued(at, gate) -> None:
    """Run ``at`` while its run waits at ``gate``: AppTest's timeout interrupts the waiting script, as
    the Stop click's rerun does in a browser; then wait (30 s at most) until it has left the queue."""
    import time

    import pytest

    with pytest.raises(RuntimeError, match="timed out"):
        at.run(timeout=10)  # still waiting: the place is never given back
    deadline = time.monotonic() + 30
    while gate.waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
