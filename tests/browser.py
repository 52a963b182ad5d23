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
