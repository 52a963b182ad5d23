"""app.warmup: every chapter's default caches are filled once per server process, in the background,
and nothing it does can break a page."""

from __future__ import annotations

import importlib
import sys
import threading
import time
import types

import pytest
from test_isolation import AgentServer, exceptions

from app import nav, warmup


def test_switched_off_in_tests_and_started_once(monkeypatch):
    assert warmup.start() is False  # conftest sets XORLAB_NO_WARMUP for AppTest runs
    monkeypatch.delenv("XORLAB_NO_WARMUP")
    started = []
    monkeypatch.setattr(warmup, "_started", False)
    monkeypatch.setattr(
        warmup.threading, "Thread", lambda **kw: types.SimpleNamespace(start=lambda: started.append(kw))
    )
    assert warmup.start() is True
    assert warmup.start() is False  # a second script run in the same process does not start it again
    assert len(started) == 1 and started[0]["daemon"] is True and started[0]["name"] == warmup.THREAD_NAME


def test_every_page_that_computes_has_a_chapter_warmer_the_expensive_ones_first():
    """A page pages/x.py has its chapter in app/x/; the warm-up finds its warm() there by the page list."""
    found = warmup.chapters()
    paths = [path for path, _ in found]
    computing = {p[3] for p in nav.available() if p[3]}
    assert set(paths) == computing, "a page without app/<page>/run.py would silently stay cold"
    assert paths[: len(warmup.FIRST)] == list(warmup.FIRST)


def _fake_chapters(monkeypatch, paths, ran, block=None):
    found = []
    for path in paths:
        name = f"xorlab_fake_{path}"
        mod = types.ModuleType(name)
        mod.warm = lambda path=path: (ran.append(path), block.wait(5) if block and path == paths[0] else None)
        monkeypatch.setitem(sys.modules, name, mod)
        found.append((path, name))
    monkeypatch.setattr(warmup, "chapters", lambda: found)
    monkeypatch.setattr(warmup, "timings", {})
    monkeypatch.setattr(warmup, "_queue", [])


def test_a_page_opened_during_the_warm_up_is_warmed_next(monkeypatch):
    ran: list[str] = []
    gate = threading.Event()
    _fake_chapters(monkeypatch, ["a", "b", "c", "d"], ran, block=gate)
    thread = threading.Thread(target=warmup._run)
    thread.start()
    while not ran:  # busy with the first chapter
        time.sleep(0.005)
    warmup.prefer("d")  # a student opens page d
    warmup.prefer("nowhere")  # an unknown page changes nothing
    gate.set()
    thread.join(10)
    assert ran == ["a", "d", "b", "c"] and set(warmup.timings) == {"a", "b", "c", "d"}


def test_a_failing_warmer_is_recorded_not_raised(monkeypatch, capsys):
    ran: list[str] = []
    _fake_chapters(monkeypatch, ["a", "b"], ran)
    sys.modules["xorlab_fake_a"].warm = lambda: 1 / 0
    warmup._run()
    assert warmup.timings["a"] == "ZeroDivisionError: division by zero" and isinstance(warmup.timings["b"], float)
    assert "failed" in capsys.readouterr().err


@pytest.mark.parametrize("path,module", warmup.chapters())
def test_every_chapter_warm_runs_without_a_session(path, module):
    """Each warm() runs outside any script run (as in the thread) and raises nothing."""
    warmup.complete(importlib.import_module(module).warm())


@pytest.mark.slow
def test_a_real_server_warms_up_and_every_page_then_renders(tmp_path, monkeypatch):
    monkeypatch.delenv("XORLAB_NO_WARMUP")
    log = tmp_path / "server.log"
    srv = AgentServer(log=log)
    try:
        srv.interact({})  # the first session starts the warm-up
        deadline = time.time() + 300
        while "XOR Lab warm-up:" not in log.read_text() and time.time() < deadline:
            time.sleep(0.5)
        text = log.read_text()
        line = next((ln for ln in text.splitlines() if "XOR Lab warm-up:" in ln), None)
        assert line is not None, f"no warm-up line in the log:\n{text[-3000:]}"
        assert "failed" not in line, line
        assert f"{len(warmup.chapters())} page caches filled" in line, line
        for _file, _title, _icon, url_path, _summary in nav.available():
            snap = srv.interact({"page": url_path} if url_path else {})
            assert not exceptions(snap), (url_path, exceptions(snap))
        assert "ScriptRunContext" not in log.read_text(), "the warm-up thread's expected warning should be filtered"
        assert "Traceback" not in log.read_text()
    finally:
        srv.stop()


def test_the_warm_up_steps_aside_for_another_chapters_script_and_not_for_its_own(monkeypatch):
    """A generator warm() yields between its expensive steps; there the warm-up waits while a student's
    script for another chapter runs (app/main.py wraps every page run in page_running), but not while
    a script of the chapter it is warming runs (that script waits for the warm-up's values)."""
    events: list[str] = []
    monkeypatch.setattr(warmup, "MAX_PAUSE", 5.0)

    def warm_a():
        events.append("a: step 1")
        yield
        events.append("a: step 2")

    mod = types.ModuleType("xorlab_fake_a")
    mod.warm = warm_a
    monkeypatch.setitem(sys.modules, "xorlab_fake_a", mod)
    monkeypatch.setattr(warmup, "chapters", lambda: [("a", "xorlab_fake_a"), ("b", "xorlab_fake_b")])
    monkeypatch.setitem(sys.modules, "xorlab_fake_b", types.SimpleNamespace(warm=lambda: events.append("b")))
    monkeypatch.setattr(warmup, "timings", {})
    monkeypatch.setattr(warmup, "_queue", [])

    with warmup.page_running("a"):  # its own chapter: no pause
        thread = threading.Thread(target=warmup._run)
        thread.start()
        thread.join(5)
    assert events == ["a: step 1", "a: step 2", "b"]

    events.clear()
    monkeypatch.setattr(warmup, "timings", {})
    with warmup.page_running("b"):  # another chapter's script runs: a's second step waits for it
        thread = threading.Thread(target=warmup._run)
        thread.start()
        time.sleep(0.3)
        assert events == ["a: step 1"]
    thread.join(5)
    assert events == ["a: step 1", "a: step 2", "b"]
    assert not warmup._running  # every page_running left its count behind it


def test_a_pause_never_outlasts_max_pause(monkeypatch):
    monkeypatch.setattr(warmup, "MAX_PAUSE", 0.2)
    with warmup.page_running("b"):
        warmup._current = "a"
        t0 = time.perf_counter()
        warmup._step_aside({"a": "m", "b": "m"})
        warmup._current = None
    assert 0.2 <= time.perf_counter() - t0 < 2
