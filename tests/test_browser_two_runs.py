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


def test_a_link_with_two_settings_shows_both_curves_and_both_boundaries(page, server):
    open_url(page, server, "two-runs?" + urlencode(QUERY, quote_via=quote))
    assert exceptions(page) == 0
    text = main_text(page)
    assert "could not be used" not in text
    for words in ("learning rate 1 ", "learning rate 10 ", "Mean squared error"):
        assert words in text, words
    labels = tx.short_labels(A, B, run.differing(A, B))
    assert drawn_runs(page) == set(labels)
    titles = chart_titles(page)
    assert "A at epoch 400" in titles and "B at epoch 400" in titles
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "two-runs-link.png"), full_page=True)
    epochs = run.pair("seed", 0, 800, A, B).epochs
    handle = slider(page, "Epoch (moves both runs)")
    handle.focus()
    handle.press("ArrowLeft")
    wait_done(page)
    before = epochs[epochs.index(400) - 1]
    titles = chart_titles(page)
    assert f"A at epoch {before}" in titles and f"B at epoch {before}" in titles, titles
    assert exceptions(page) == 0 and drawn_runs(page) == set(labels)
    assert f"cmp_epoch={before}" in page.url
