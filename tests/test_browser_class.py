"""Class mode in Chromium (issue 21 §3): a teacher and three students in four browser tabs on one
server; the students answer a checkpoint, the teacher's page counts them live, the teacher reveals
with the keyboard (the question's number key), and every page then shows the class's answers
beside the true value — the students their own verdict too. Also the presenter keys of Training
(N/B step an epoch, P plays the replay)."""

from __future__ import annotations

import os
import time

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser, start_server, wait_done

from app.class_store import ClassStore
from bench.replay_bench import replay, state
from core.data import X, notes_network

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("class")
    url = f"sqlite:///{folder / 'classes.sqlite'}"
    old = os.environ.get("XORLAB_DATABASE_URL")
    os.environ["XORLAB_DATABASE_URL"] = url  # the server inherits it
    port = free_port()
    proc = start_server(port, folder / "streamlit.log")
    if old is None:
        del os.environ["XORLAB_DATABASE_URL"]
    else:
        os.environ["XORLAB_DATABASE_URL"] = old
    yield f"http://127.0.0.1:{port}", ClassStore(url)
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def chromium(class_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _tab(chromium, url: str):
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(url)
    wait_done(page)
    return ctx, page


def _box(page, cp_id: str):
    return page.locator(f".st-key-{cp_id}_box")


def _eventually(check, timeout: float = 30.0):
    deadline = time.time() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.time() > deadline:
                raise
            time.sleep(0.5)


def test_a_teacher_and_three_students_answer_reveal_and_see_the_class(chromium, class_server):
    base, store = class_server
    code, token = store.open_class()
    right = "yes" if notes_network().forward(X).a[2][3, 0] > 0.5 else "no"
    wrong = "no" if right == "yes" else "yes"
    tabs = []
    try:
        students = []
        for answer in (right, right, wrong):
            ctx, page = _tab(chromium, f"{base}/forward-pass?class={code}")
            tabs.append(ctx)
            assert "class=" not in page.url  # the class link left the address once joined
            box = _box(page, "fp_a2_11")
            box.get_by_text(answer, exact=True).click()
            box.get_by_role("button", name="Commit my answer").click()
            wait_done(page)
            page.wait_for_function("() => document.body.innerText.includes('Your answer is in')", timeout=30_000)
            assert "the page's answer is" not in box.inner_text()  # the truth stays on the server
            students.append((page, answer))
        assert store.counts(code, "fp_a2_11") == {right: 2, wrong: 1}

        ctx, teacher = _tab(chromium, f"{base}/forward-pass?class={code}&teacher={token}&presenter=true")
        tabs.append(ctx)
        assert token not in teacher.url  # the teacher's token never stays in a projected address
        teacher.locator("summary").filter(has_text="Before you look").first.click()  # projected: folded
        _eventually(lambda: _assert_in(teacher, "3 of 3 students answered"))
        reveal = _box(teacher, "fp_a2_11").get_by_role("button", name="Reveal to the class")
        key = reveal.inner_text().split()[-1]  # Streamlit writes the button's key on it: 1, 2, …
        assert key.isdigit()
        teacher.keyboard.press(key)  # the teacher reveals this question with its key
        _eventually(lambda: _assert_in(teacher, "The class: 2 of 3 right"))
        assert "fp_a2_11" in store.status(code).revealed

        for page, answer in students:  # each student's page learns of the reveal within a few seconds
            verdict = "Right." if answer == right else "Not this time."
            _eventually(lambda page=page, verdict=verdict: _assert_in(page, verdict))
            _eventually(lambda page=page: _assert_in(page, "The class: 2 of 3 right"))
    finally:
        for ctx in tabs:
            ctx.close()


def _assert_in(page, text: str) -> None:
    assert text in page.locator("body").inner_text(), text


def test_training_presenter_keys_step_the_epoch_and_play_the_replay(chromium, class_server):
    base, _ = class_server
    ctx, page = _tab(chromium, f"{base}/training?presenter=true&tr_epoch=2500")
    try:
        root = replay(page)

        def epoch() -> str:  # the replay slider's epoch is in the address (tr_epoch)
            from urllib.parse import parse_qs, urlsplit

            return parse_qs(urlsplit(page.url).query).get("tr_epoch", [""])[0]

        before = epoch()
        page.keyboard.press("b")
        wait_done(page)
        _eventually(lambda: _assert_changed(epoch(), before))
        after_back = epoch()
        page.keyboard.press("n")
        wait_done(page)
        _eventually(lambda: _assert_equal(epoch(), before))
        assert int(after_back) < int(before)
        root = replay(page)  # (the step reran the replay's part of the page)
        assert state(root)["playing"] is False  # a link's epoch: no autoplay
        page.keyboard.press("p")
        _eventually(lambda: _assert_equal(state(replay(page))["playing"], True))
        page.keyboard.press("p")
        _eventually(lambda: _assert_equal(state(replay(page))["playing"], False))
    finally:
        ctx.close()


def _assert_changed(now, before) -> None:
    assert now != before, (now, before)


def _assert_equal(a, b) -> None:
    assert a == b, (a, b)
