"""Predict, then see, in a real browser: before the commit nothing of the checkpoint's answer crosses the
websocket; after it, the reveal shows core's verdict."""

from __future__ import annotations

import pytest
from browser import exceptions, open_url, wait_done

from app.forward_pass.checkpoints import a2_above_half
from core.data import X, notes_network

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REVEAL = "the page's answer is"


def test_the_answer_is_sent_only_after_the_commit(page, server):
    net = notes_network()
    truth = a2_above_half(net.key())  # what the reveal will say (its words are core's numbers)
    said = truth.why.split(":")[0]  # "For [1 1], z2 = a1 @ W2 + b2 = −2.512, and a2 = σ(z2) = 0.075"
    frames: list[bytes] = []

    def listen(ws) -> None:
        ws.on("framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode()))

    page.on("websocket", listen)
    open_url(page, server, "forward-pass")
    box = page.locator(".st-key-fp_a2_11_box")
    box.wait_for()
    before = b"".join(frames)
    assert before, "no websocket traffic was recorded"
    assert REVEAL.encode() not in before and said.encode() not in before
    assert REVEAL not in page.content()

    wrong = "no" if net.forward(X).a[2][3, 0] > 0.5 else "yes"
    box.get_by_text(wrong, exact=True).click()
    box.get_by_role("button", name="Commit my answer").click()
    wait_done(page)
    page.locator(".st-key-fp_a2_11_box").get_by_text("Not this time").wait_for()
    text = page.locator(".st-key-fp_a2_11_box").inner_text()
    assert REVEAL in text and f"You said {wrong}" in text and truth.shown in text
    assert said.encode() in b"".join(frames[len(frames) - 50 :]) or said in text
    assert exceptions(page) == 0
