"""The lecture hall (issue 24): several replicas behind HAProxy (deploy/), sticky sessions, a replica
that dies mid-class, and class mode across replicas on one PostgreSQL.

Real processes: `python -m deploy` / deploy.launcher.Deployment start `streamlit run app/main.py`
replicas and Debian's HAProxy; students are Streamlit's agent API with a cookie jar (deploy/agent.py),
which goes through the same session and rerun path as a browser. Without HAProxy (or PostgreSQL)
these tests skip with a one-line reason, and fail under CI=true (.ci/run installs both).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy import __main__ as deploy_main
from deploy.agent import Visitor, texts
from deploy.launcher import COOKIE, Deployment, find_haproxy, free_port, port_is_free, render_config
from tests.services import Postgres, missing

ROOT = Path(__file__).resolve().parent.parent
AGENT = ("--server.enableAgentApi=true", "--server.agentWaitTimeout=120")
QUIET = {"XORLAB_NO_WARMUP": "1"}  # the warm-up's CPU is not what these tests are about


@pytest.fixture(scope="module")
def haproxy() -> str:
    exe = find_haproxy()
    if exe is None:
        missing("haproxy")
    return exe


def descendants(pid: int) -> set[int]:
    """Every living process below pid (by parent id, read from /proc)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in found]
        found.update(kids)
        todo.extend(kids)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate, timeout: float, step: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(step)
    return predicate()


def health(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
            return r.status
    except OSError:
        return None


# ----- fast: the configuration and the missing-HAProxy message ----------------------------------------------
def test_without_haproxy_the_launcher_says_how_to_install_it_and_exits_non_zero(capsys):
    assert deploy_main.main(["--haproxy", "/nonexistent/haproxy"]) != 0
    err = capsys.readouterr().err
    assert "apt-get install haproxy" in err


def test_the_configuration_is_one_haproxy_accepts(haproxy, tmp_path):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(render_config(free_port(), [("r1", 20001), ("r2", 20002)], tmp_path / "s.sock", "127.0.0.1"))
    text = cfg.read_text()
    assert f"cookie {COOKIE} insert" in text and "option httpchk GET /_stcore/health" in text
    assert "server r1 127.0.0.1:20001 cookie r1" in text and "server r2 127.0.0.1:20002 cookie r2" in text
    check = subprocess.run([haproxy, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


# ----- slow: real replicas -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_launcher_prints_one_address_and_ctrl_c_leaves_no_process_behind(haproxy):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy", "--replicas", "2", "--port", str(port), "--address", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, **QUIET},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "XOR Lab is ready. Open" in line:
                break
        assert any(f"Open http://127.0.0.1:{port}" in ln for ln in lines), "".join(lines)
        assert health(f"http://127.0.0.1:{port}") == 200
        children = wait_for(lambda: descendants(proc.pid) if len(descendants(proc.pid)) >= 3 else None, 30)
        assert children and len(children) >= 3, "HAProxy and two replicas"
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == 0, "".join(lines) + out
    assert "Stopped" in out
    left = wait_for(lambda: not [p for p in children if alive(p)], 10)
    assert left, f"orphans: {[p for p in children if alive(p)]}"
    assert port_is_free("127.0.0.1", port)


@pytest.fixture(scope="module")
def hall(haproxy):
    """Two replicas on one PostgreSQL, agent API on, HAProxy in front (health checks every second)."""
    pg = Postgres()
    try:
        d = Deployment(
            2, free_port(), "127.0.0.1", AGENT, inter="1s", fall=2, env={**QUIET, "XORLAB_DATABASE_URL": pg.url}
        )
        with d:
            wait_for(lambda: all(s.startswith("UP") for s in d.status().values()), 30)
            yield d, pg
    finally:
        pg.stop()


@pytest.mark.slow
def test_the_cookie_keeps_each_student_on_the_replica_that_holds_its_session(hall):
    d, _ = hall
    students = [Visitor(d.url) for _ in range(4)]
    for s in students:
        code, snap, _ = s.interact({"page": "training"})
        assert code == 200, snap
        assert s.replica in ("r1", "r2")
    assert {s.replica for s in students} == {"r1", "r2"}, "new students are spread over both replicas"
    for epoch in (100, 400, 900):
        for s in students:
            code, snap, _ = s.interact({"widget_state": {"tr_epoch": epoch}})
            assert code == 200 and snap["status"] != "error", snap
    # The session really lives on the replica the cookie names, and only there: asked directly, the
    # other replica does not know it — without the cookie a student would lose their session.
    by_name = {r.name: r for r in d.replicas}
    for s in students:
        other = "r2" if s.replica == "r1" else "r1"
        own_code, _, _ = Visitor(by_name[s.replica].url).post({"session_id": s.session_id})
        other_code, _, _ = Visitor(by_name[other].url).post({"session_id": s.session_id})
        assert own_code == 200 and other_code != 200


@pytest.mark.slow
def test_a_teacher_on_one_replica_sees_the_runs_of_students_on_the_other(hall):
    from app.class_store import ClassStore

    d, pg = hall
    code, token = ClassStore(pg.url).open_class()
    teacher = Visitor(d.url).pin("r1")
    status, snap, _ = teacher.interact({"page": "class", "query_params": {"class": [code], "teacher": [token]}})
    assert status == 200 and teacher.replica == "r1"
    assert any("No runs yet" in t for t in texts(snap)), texts(snap)
    students = [Visitor(d.url).pin("r2") for _ in range(3)]
    for s in students:
        status, snap, _ = s.interact({"page": "class", "query_params": {"class": [code]}})
        assert status == 200 and s.replica == "r2", snap
        status, snap, _ = s.interact({"trigger": {"key": "cl_train"}})
        assert status == 200 and snap["status"] != "error", snap
    assert ClassStore(pg.url).status(code).members == 3

    def teacher_sees() -> str | None:
        _, snap, _ = teacher.interact({})
        return next((t for t in texts(snap) if "3 runs so far" in t), None)

    assert wait_for(teacher_sees, 30, step=1), texts(teacher.interact({})[1])
    assert teacher.replica == "r1"


@pytest.mark.slow
@pytest.mark.browser
def test_a_real_browser_works_through_haproxy_websocket_and_cookie_included(hall):
    """The page's WebSocket passes through HAProxy (the script's output arrives over it), HAProxy's cookie
    reaches the browser, and the next visit (a link with a setting) goes to the same replica."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, exceptions, main_text, require_browser, wait_done

    require_browser()
    from playwright.sync_api import sync_playwright

    d, _ = hall
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = b.new_context(viewport={"width": 1280, "height": 720})
            page = ctx.new_page()
            page.goto(d.url + "/forward-pass", timeout=120_000)
            wait_done(page, timeout=120_000)
            assert exceptions(page) == 0
            assert "Forward pass" in main_text(page)
            cookies = {c["name"]: c["value"] for c in ctx.cookies()}
            assert cookies.get(COOKIE) in ("r1", "r2")
            page.goto(d.url + "/forward-pass?fp_row=%5B1%201%5D", timeout=120_000)
            wait_done(page, timeout=120_000)
            assert exceptions(page) == 0 and "Forward pass" in main_text(page)
            assert {c["name"]: c["value"] for c in ctx.cookies()}[COOKIE] == cookies[COOKIE]
        finally:
            b.close()


@pytest.mark.slow
def test_a_replica_killed_mid_class_its_neighbours_keep_answering_and_newcomers_go_to_the_survivor(haproxy):
    with Deployment(2, free_port(), "127.0.0.1", AGENT, inter="1s", fall=2, env=QUIET) as d:
        wait_for(lambda: all(s.startswith("UP") for s in d.status().values()), 30)
        on = {"r1": Visitor(d.url).pin("r1"), "r2": Visitor(d.url).pin("r2")}
        for v in on.values():
            code, snap, _ = v.interact({"page": "forward-pass"})
            assert code == 200, snap
        d.kill_replica("r2")
        code, snap, _ = on["r1"].interact({"widget_state": {"fp_row": "[1 1]"}})
        assert code == 200 and snap["status"] != "error", snap
        assert wait_for(lambda: d.status()["r2"].startswith("DOWN"), 15), d.status()
        for row in ("[0 1]", "[1 0]"):
            code, snap, _ = on["r1"].interact({"widget_state": {"fp_row": row}})
            assert code == 200 and snap["status"] != "error", snap
        newcomer = Visitor(d.url)
        code, snap, _ = newcomer.interact({"page": "forward-pass"})
        assert code == 200 and newcomer.replica == "r1"
        # r2's student: its cookie names a dead replica; HAProxy sends it to r1, where it starts afresh
        # (a browser's reconnect does this itself).
        lost = on["r2"]
        lost.session_id = None
        code, snap, _ = lost.interact({"page": "forward-pass"})
        assert code == 200 and snap["status"] != "error"
        assert lost.replica == "r1"
