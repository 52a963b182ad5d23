"""app.warmup: the default settings' caches are filled once per server process, in the background,
and nothing it does can break a page."""

from __future__ import annotations

import importlib
import sys
import time
import types

import numpy as np
import pytest
from test_isolation import AgentServer, exceptions

from app import warmup


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


def test_a_failing_or_missing_warmer_is_recorded_not_raised(monkeypatch, capsys):
    bad = types.ModuleType("xorlab_bad_warmer")

    def warm():
        raise RuntimeError("boom")

    bad.warm = warm
    monkeypatch.setitem(sys.modules, "xorlab_bad_warmer", bad)
    monkeypatch.setitem(sys.modules, "xorlab_no_warmer", types.ModuleType("xorlab_no_warmer"))
    monkeypatch.setattr(warmup, "WARMERS", ("xorlab_bad_warmer", "xorlab_no_warmer", "xorlab_not_a_module"))
    monkeypatch.setattr(warmup, "timings", {})
    warmup._run()
    assert warmup.timings["xorlab_bad_warmer"] == "RuntimeError: boom"
    assert "xorlab_no_warmer" not in warmup.timings
    assert warmup.timings["xorlab_not_a_module"].startswith("ModuleNotFoundError")
    assert "failed" in capsys.readouterr().err


@pytest.mark.parametrize("name", warmup.WARMERS)
def test_every_page_module_has_a_warm_that_runs_without_a_session(name):
    """Each warm() runs outside any script run (as in the thread) and raises nothing."""
    module = importlib.import_module(name)
    assert callable(getattr(module, "warm", None)), f"{name} has no warm()"
    module.warm()


def test_a_real_server_warms_up_and_every_page_then_renders(tmp_path, monkeypatch):
    from app import nav

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
        assert f"{len(warmup.WARMERS)} page caches filled" in line, line
        for _file, _title, _icon, url_path, _summary in nav.available():
            snap = srv.interact({"page": url_path} if url_path else {})
            assert not exceptions(snap), (url_path, exceptions(snap))
        assert "ScriptRunContext" not in log.read_text(), "the warm-up thread's expected warning should be filtered"
        assert "Traceback" not in log.read_text()
    finally:
        srv.stop()


def _fake_warmers(monkeypatch, names, ran, delay=0.0):
    for n in names:
        mod = types.ModuleType(n)
        mod.warm = lambda n=n: (ran.append(n), time.sleep(delay))
        monkeypatch.setitem(sys.modules, n, mod)
    monkeypatch.setattr(warmup, "PAGE_WARMERS", {n.removeprefix("xorlab_w_"): n for n in names})
    monkeypatch.setattr(warmup, "WARMERS", tuple(names))
    monkeypatch.setattr(warmup, "timings", {})
    monkeypatch.setattr(warmup, "_queue", [])
    monkeypatch.setattr(warmup, "_wanted", set())
    monkeypatch.setattr(warmup, "_pages", warmup.collections.Counter())
    monkeypatch.setattr(warmup, "_current", None)


def test_a_page_opened_during_the_warm_up_is_warmed_next(monkeypatch):
    """prefer() moves the opened page's warmer to the front; while that page's script runs, the other
    pages' warmers wait for it to end (they would share the interpreter with it)."""
    import threading

    names = ["xorlab_w_a", "xorlab_w_b", "xorlab_w_c", "xorlab_w_d"]
    ran: list[str] = []
    _fake_warmers(monkeypatch, names, ran, delay=0.05)
    monkeypatch.setattr(warmup, "HOLD_BACK_S", 5.0)
    gate = threading.Event()
    sys.modules["xorlab_w_a"].warm = lambda: (ran.append("xorlab_w_a"), gate.wait(5))
    thread = threading.Thread(target=warmup._run)
    thread.start()
    while not ran:  # the warm-up is busy with the first page's warmer
        time.sleep(0.005)
    with warmup.page_running():
        warmup.prefer("d")  # a student opens page d
        warmup.prefer("nowhere")  # an unknown page changes nothing
        gate.set()
        time.sleep(0.3)
        assert ran == ["xorlab_w_a", "xorlab_w_d"], "only the open page's warmer may run during its script"
    thread.join(10)
    assert ran == ["xorlab_w_a", "xorlab_w_d", "xorlab_w_b", "xorlab_w_c"]
    assert set(warmup.timings) == set(names)


def test_a_busy_server_holds_the_warm_up_back_only_for_a_while(monkeypatch):
    names = ["xorlab_w_a", "xorlab_w_b"]
    ran: list[str] = []
    _fake_warmers(monkeypatch, names, ran)
    monkeypatch.setattr(warmup, "HOLD_BACK_S", 0.2)
    with warmup.page_running():  # a script that never ends, as in a class that never pauses
        t0 = time.perf_counter()
        warmup._run()
        waited = time.perf_counter() - t0
    assert ran == names and 0.35 < waited < 2.0


def test_every_page_that_computes_has_a_warmer_under_its_url():
    """prefer() finds a page's warmer by the url path in app.nav; a renamed path would silently stop it."""
    from app import nav

    paths = {url for _file, _title, _icon, url, _summary in nav.available() if url}
    assert set(warmup.PAGE_WARMERS) == paths


def test_a_warmer_pauses_at_its_checkpoints_while_another_page_runs(monkeypatch):
    """checkpoint(): in the warm-up thread, a warmer waits while another page's script runs (at most
    HOLD_BACK_S), not while its own page runs; anywhere else it never waits."""
    import threading

    names = ["xorlab_w_a", "xorlab_w_b"]
    _fake_warmers(monkeypatch, names, [])
    monkeypatch.setattr(warmup, "HOLD_BACK_S", 5.0)
    steps: list[str] = []
    go = threading.Event()

    def warm_a():  # a warmer with three steps and a pause point before each
        for i in range(3):
            warmup.checkpoint()
            steps.append(f"a{i}")
            if i == 0:
                go.wait(5)

    sys.modules["xorlab_w_a"].warm = warm_a
    thread = threading.Thread(target=warmup._run, name=warmup.THREAD_NAME)
    thread.start()
    while not steps:
        time.sleep(0.005)
    with warmup.page_running("b"):  # a student is on page b: a's next step waits
        go.set()
        time.sleep(0.3)
        assert steps == ["a0"]
        t0 = time.perf_counter()
        warmup.checkpoint()  # a page's own thread never waits
        assert time.perf_counter() - t0 < 0.05
    thread.join(10)
    assert steps == ["a0", "a1", "a2"]

    steps.clear()
    go.clear()
    monkeypatch.setattr(warmup, "timings", {})
    thread = threading.Thread(target=warmup._run, name=warmup.THREAD_NAME)
    thread.start()
    while not steps:
        time.sleep(0.005)
    with warmup.page_running("a"):  # its own page: no pause
        go.set()
        thread.join(5)
        assert steps == ["a0", "a1", "a2"]


def test_a_child_process_gives_the_same_results_or_none():
    from app import vanishing_charts as vc
    from core.flow import train_deep

    cfgs = [(4, 6, "sigmoid", "normal_1", 0.1, 300, 0), (3, 5, "relu", "he_normal", 0.2, 300, 1)]
    child = warmup.Elsewhere("core.flow", "train_deep", cfgs)
    for cfg in cfgs:  # the same numbers as computing here, to the bit
        got, here = child.next(), train_deep(*cfg)
        np.testing.assert_array_equal(got.loss, here.loss)
        assert (got.final_loss, got.solved, got.epochs_run, got.start) == (
            here.final_loss,
            here.solved,
            here.epochs_run,
            here.start,
        )
    assert child.next() is None  # no more calls
    broken = warmup.Elsewhere("core.flow", "no_such_function", cfgs)
    assert broken.next() is None and broken.next() is None
    vc.train_result.clear()  # a failed child: the cached function computes the value itself
    got = vc.train_result(*cfgs[0], _elsewhere=warmup.Elsewhere("core.flow", "no_such_function", cfgs[:1]))
    np.testing.assert_array_equal(got.loss, train_deep(*cfgs[0]).loss)


def test_no_child_process_on_one_core(monkeypatch):
    monkeypatch.setattr(warmup.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(warmup.os, "cpu_count", lambda: 1)
    assert warmup.elsewhere("core.flow", "train_deep", [(1, 2, "relu", "he_normal", 0.1, 5, 0)]) is None
