"""Take it home in a real browser: a button press downloads a file built at that moment (Streamlit's
deferred download data), and the downloaded script prints core's numbers (issue 23)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser import open_url
from test_take_home import assert_same, expected, printed

from core.data import notes_network

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_downloaded_script_and_notebook_are_this_networks(page, server, tmp_path):
    open_url(page, server, "backprop")
    page.get_by_text("Take it home: this network").click()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="NumPy script (.py)").last.click()
    dl = info.value
    assert dl.suggested_filename == "xor_lab_backprop.py"
    path = tmp_path / dl.suggested_filename
    dl.save_as(path)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert_same(printed(run.stdout), expected(notes_network(), "bce", 0.5))
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Jupyter notebook (.ipynb)").last.click()
    nb = json.loads(info.value.path().read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4 and nb["cells"][-1]["cell_type"] == "code"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_rate_changed_in_its_fragment_reaches_the_download(page, server, tmp_path):
    """Backpropagation's learning rate lives in a fragment: changing it reruns only that part, not the
    buttons. The file built at the press must still use the new rate (it once kept the old one)."""
    from browser import wait_done

    open_url(page, server, "backprop")
    box = page.get_by_role("spinbutton", name="Learning rate lr")
    box.fill("2")
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_done(page)
    page.get_by_text("Take it home: this network").click()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="NumPy script (.py)").last.click()
    path = tmp_path / "x.py"
    info.value.save_as(path)
    assert "\nlr = 2.0" in path.read_text(encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert_same(printed(run.stdout), expected(notes_network(), "bce", 2.0))
