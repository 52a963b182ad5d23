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


def chart_specs(at) -> list[dict]:
    """Every Vega-Lite spec on the page, as dicts."""
    import json

    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def pytest_terminal_summary(terminalreporter):
    shots = ROOT / "test-artifacts" / "screenshots"
    if shots.exists() and any(shots.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {shots} ({len(list(shots.glob('*.png')))} PNG files)")
