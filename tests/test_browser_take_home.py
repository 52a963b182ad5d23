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


def test_architecture_exports_the_network_it_draws(page, server, tmp_path):
    """The hidden-width slider redraws a resized network; the downloaded script is that network (it
    once held the side panel's 2-2-1 network while the page showed another width)."""
    from core.hidden_width import resize_hidden

    open_url(page, server, "architecture?ar_width=3")
    page.get_by_text("Take it home: this network").click()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="NumPy script (.py)").last.click()
    path = tmp_path / "arch.py"
    info.value.save_as(path)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = resize_hidden(notes_network(), 3, seed=0).net
    assert_same(printed(run.stdout), expected(shown, "bce", 0.5))
    assert "2 inputs, 3 hidden neurons, 1 output — 13 numbers" in path.read_text(encoding="utf-8")
    assert page.get_by_text("These files hold the 2-3-1 network drawn on this page").first.is_visible()


def test_a_chart_saves_as_png_and_the_pages_charts_as_svg(page, server, tmp_path):
    """Every chart's own toolbar downloads it as a PNG; Take it home gives the page's charts as SVG files
    (vega-embed's own PNG/SVG menu cannot be switched on in Streamlit 1.67: see app/chart.py)."""
    import zipfile
    from xml.etree import ElementTree

    open_url(page, server, "architecture")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.hover()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download as PNG").first.click()
    png = info.value.path().read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    page.get_by_text("Take it home: this network").click()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="This page's charts (SVG, .zip)").last.click()
    assert info.value.suggested_filename == "xor_lab_architecture_charts.zip"
    with zipfile.ZipFile(info.value.path()) as z:
        names = set(z.namelist())
        assert {"ar_diagram.svg", "ar_neuron.svg", "ar_hidden.svg", "README.txt"} <= names
        for name in names - {"README.txt"}:
            root = ElementTree.fromstring(z.read(name))
            assert root.tag == "{http://www.w3.org/2000/svg}svg", name
            assert float(root.get("width")) > 100, name
        readme = z.read("README.txt").decode()
    assert "ar_diagram.svg: " in readme and "nan" not in readme.lower()
    assert page.locator('[data-testid="stException"]').count() == 0
