"""app.warmup: the default settings' caches are filled once per server process, in the background,
and nothing it does can break a page."""

from __future__ import annotations

import importlib
import json
import sys
import time
import types
import urllib.request

import pytest
from browser import free_port, start_server
from test_isolation import exceptions

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


def _interact(base: str, body: dict) -> dict:
    req = urllib.request.Request(
        base + "/_stcore/agent/interact", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def test_a_real_server_warms_up_and_every_page_then_renders(tmp_path, monkeypatch):
    from app import nav

    monkeypatch.delenv("XORLAB_NO_WARMUP")
    port = free_port()
    log = tmp_path / "server.log"
    proc = start_server(port, log, ["--server.enableAgentApi=true"])
    try:
        base = f"http://127.0.0.1:{port}"
        _interact(base, {})  # the first session starts the warm-up
        deadline = time.time() + 300
        while "XOR Lab warm-up:" not in log.read_text() and time.time() < deadline:
            time.sleep(0.5)
        text = log.read_text()
        line = next((ln for ln in text.splitlines() if "XOR Lab warm-up:" in ln), None)
        assert line is not None, f"no warm-up line in the log:\n{text[-3000:]}"
        assert "failed" not in line, line
        assert f"{len(warmup.WARMERS)} page caches filled" in line, line
        for _file, _title, _icon, url_path, _summary in nav.available():
            snap = _interact(base, {"page": url_path} if url_path else {})
            assert not exceptions(snap), (url_path, exceptions(snap))
        assert "ScriptRunContext" not in log.read_text(), "the warm-up thread's expected warning should be filtered"
        assert "Traceback" not in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
