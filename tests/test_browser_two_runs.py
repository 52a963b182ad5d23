"""Two runs, one start in a real browser: a link with two settings opens both, draws both loss curves
on one chart and both boundaries at the link's epoch, and the one epoch control moves both."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from browser import SHOTS, chart_marks, chart_titles, exceptions, main_text, open_url, slider, wait_done

from app.two_runs import run
from app.two_runs import text as tx

pytestmark = [pytest.mark.browser, pytest.mark.slow]
QUERY = {"cmp_lr_a": "1", "cmp_lr_b": "10", "cmp_loss_b": "Mean squared error", "cmp_epochs": "800", "cmp_epoch": "400"}
A = {**run.DEFAULTS["a"], "lr": 1.0}
B = {**run.DEFAULTS["b"], "lr": 10.0, "loss": "mse"}


def drawn_runs(page) -> set:
    """The runs the loss chart draws a line for (read from its Vega scene)."""
    marks = chart_marks(page, "Loss (log scale)") or []
    return {m["datum"].get("run") for m in marks if m["type"] == "line"}


def settled(page, read, want, timeout_ms: int = 20_000):
    """``read(page)`` once it satisfies ``want`` (a chart's scene is drawn a moment after the run ends,
    later on a busy machine), or its last value after ``timeout_ms``."""
    waited, got = 0, read(page)
    while not want(got) and waited < timeout_ms:
        page.wait_for_timeout(250)
        waited += 250
        got = read(page)
    return got


def test_a_link_with_two_settings_shows_both_curves_and_both_boundaries(page, server):
    open_url(page, server, "two-runs?" + urlencode(QUERY, quote_via=quote))
    assert exceptions(page) == 0
    text = main_text(page)
    assert "could not be used" not in text
    for words in ("learning rate 1 ", "learning rate 10 ", "Mean squared error"):
        assert words in text, words
    labels = tx.short_labels(A, B, run.differing(A, B))
    assert settled(page, drawn_runs, bool) == set(labels)
    titles = settled(page, chart_titles, lambda t: "B at epoch 400" in t)
    assert "A at epoch 400" in titles and "B at epoch 400" in titles
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "two-runs-link.png"), full_page=True)
    epochs = run.pair("seed", 0, 800, A, B).epochs
    handle = slider(page, "Epoch (moves both runs)")
    handle.focus()
    handle.press("ArrowLeft")
    wait_done(page)
    before = epochs[epochs.index(400) - 1]
    titles = settled(page, chart_titles, lambda t: f"B at epoch {before}" in t)
    assert f"A at epoch {before}" in titles and f"B at epoch {before}" in titles, titles
    assert exceptions(page) == 0 and settled(page, drawn_runs, bool) == set(labels)
    assert f"cmp_epoch={before}" in page.url
