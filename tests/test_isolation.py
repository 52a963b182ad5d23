"""Many students at once: 20 concurrent sessions on the real server never see each other's state.

Starts the real app (`streamlit run app/main.py`, loopback only, agent API on) and drives it over
HTTP with Streamlit's agent API (POST /_stcore/agent/interact; schema at
/_stcore/agent/openapi.json), which goes through the same session and rerun path as a browser.

Twenty sessions run at the same time, each on its own page. Each sets its own nine weights
(the shared network control's keys w1_00 … b2 from app/state.py) and its own presenter-mode
switch (half of them open a ?presenter=true link), waits until every other session has set
theirs, then reads everything back — on its own page and after moving to the Forward pass
page — and checks that it sees exactly its own values,
and that the forward pass it is shown (a2 for the four inputs) is computed from its own weights
and from no other session's.

``AgentServer`` is also used by tests/test_runtime_safety.py (memory ceiling, read-only folder).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 20
WEIGHT_KEYS = ["w1_00", "w1_01", "w1_10", "w1_11", "b1_0", "b1_1", "w2_0", "w2_1", "b2"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AgentServer:
    """A real `streamlit run app/main.py` on 127.0.0.1 with the agent API, and a tiny client.

    root: the folder to run from (the repo, or a copy of it). env: extra environment variables.
    """

    def __init__(self, root: Path = ROOT, log: Path | None = None, env: dict | None = None, extra: list | None = None):
        self.root = Path(root)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"xorlab-server-{self.port}.log"
        streamlit = Path(sys.executable).parent / "streamlit"
        cmd = [
            str(streamlit) if streamlit.exists() else shutil.which("streamlit") or "streamlit",
            "run",
            "app/main.py",
            "--server.headless=true",
            f"--server.port={self.port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
            "--server.enableAgentApi=true",
            "--server.agentWaitTimeout=180",
            *(extra or []),
        ]
        full_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        full_env.update(env or {})
        self._log_file = self.log.open("w")
        self.proc = subprocess.Popen(cmd, cwd=self.root, stdout=self._log_file, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not become healthy in 90 s")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> dict:
        """VmRSS and VmHWM (peak RSS) of the server process, in MB."""
        out = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0]) / 1024
        return out

    def log_problems(self) -> list[str]:
        """Lines of the server's log that show a warning or an error escaping from a page
        (NumPy RuntimeWarnings included: they must be handled where they happen)."""
        bad = ("RuntimeWarning", "Traceback", "Uncaught", "Error", "Exception", "Warning")
        self._log_file.flush()
        return [line for line in self.log.read_text().splitlines() if any(b in line for b in bad)]

    def interact(self, body: dict, timeout: float = 240) -> dict:
        """POST /_stcore/agent/interact; waits out `wait_timed_out` (bounded); raises on refusals."""
        deadline = time.time() + timeout
        while True:
            status, data = self._post(body, timeout)
            if status == 202 and data.get("error", {}).get("code") == "wait_timed_out" and time.time() < deadline:
                body = {"session_id": data["session_id"]}  # collect the same run
                continue
            if status != 200:
                raise AssertionError(f"agent API refused {json.dumps(body)[:300]}: {status} {json.dumps(data)[:600]}")
            return data

    def _post(self, body: dict, timeout: float):
        req = urllib.request.Request(
            self.base + "/_stcore/agent/interact",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log_file.close()


# ----- reading a snapshot ---------------------------------------------------------------------
def nodes(tree: dict):
    yield tree
    for child in tree.get("children") or []:
        yield from nodes(child)


def values(snapshot: dict) -> dict:
    """{key: value} of every widget in the snapshot."""
    return {n["key"]: n.get("value") for n in nodes(snapshot["tree"]) if "key" in n and "value" in n}


def numbers(obj) -> list[float]:
    """Every number anywhere in a JSON value (table previews included)."""
    if isinstance(obj, bool):
        return []
    if isinstance(obj, (int, float)):
        return [float(obj)]
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in numbers(v)]
    return []


def exceptions(snapshot: dict) -> list[str]:
    return [json.dumps(n)[:800] for n in nodes(snapshot["tree"]) if n.get("type") == "exception"]


# ----- the test ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = AgentServer(log=tmp_path_factory.mktemp("server") / "server.log")
    yield srv
    srv.stop()


def own_weights(i: int) -> dict:
    """Session i's nine numbers: distinct for every session and every key, within ±20."""
    return {k: round(-9.0 + 0.83 * i + 0.07 * j + 0.001 * i * j, 3) for j, k in enumerate(WEIGHT_KEYS)}


def forward_a2(w: dict) -> np.ndarray:
    from app.state import keys_to_params
    from core.data import X
    from core.mlp import MLP

    return MLP.from_dict(keys_to_params(w)).forward(X).output[:, 0]


@pytest.mark.slow
def test_twenty_concurrent_sessions_see_only_their_own_state(server):
    first = server.interact({})
    pages_with_control = [p["url_path"] for p in first["pages"]]
    wanted = ["forward-pass", "architecture", "backprop", "hidden-features"]
    pages = [p for p in wanted if p in pages_with_control]
    if "forward-pass" not in pages:
        pytest.skip("the Forward pass page is not there yet")
    weights = [own_weights(i) for i in range(SESSIONS)]
    a2 = [forward_a2(w) for w in weights]
    barrier = threading.Barrier(SESSIONS, timeout=600)

    def check(i: int, snap: dict, where: str) -> list[str]:
        errs = []
        if snap["status"] != "ready" or exceptions(snap):
            errs.append(f"session {i} {where}: status {snap['status']} {exceptions(snap)[:1]}")
        v = values(snap)
        mine = {k: v.get(k) for k in WEIGHT_KEYS}
        if mine != weights[i]:
            errs.append(f"session {i} {where}: weights {mine} != its own {weights[i]}")
        if v.get("presenter") is not (i % 2 == 0):
            errs.append(f"session {i} {where}: presenter {v.get('presenter')} != {i % 2 == 0}")
        if i % 2 and "presenter" in snap["query_params"]:
            errs.append(f"session {i} {where}: another session's ?presenter reached its URL")
        return errs

    def student(i: int) -> list[str]:
        try:
            return _student(i)
        except threading.BrokenBarrierError:
            return [f"session {i}: stopped because another session failed"]
        except Exception as e:  # noqa: BLE001 — report it, and release the sessions waiting at the barrier
            barrier.abort()
            return [f"session {i}: {type(e).__name__}: {e}"]

    def _student(i: int) -> list[str]:
        page = pages[i % len(pages)]
        # even sessions open a teacher's link with ?presenter=true; odd ones open the plain page
        snap = server.interact({"page": page, "query_params": {"presenter": ["true"]} if i % 2 == 0 else {}})
        sid = snap["session_id"]
        if snap["status"] != "ready" or values(snap).get("presenter") is not (i % 2 == 0):
            raise AssertionError(f"opening {page}: presenter={values(snap).get('presenter')} {exceptions(snap)[:1]}")
        snap = server.interact({"session_id": sid, "widget_state": weights[i]})
        errs = check(i, snap, f"after setting on {page}")
        barrier.wait()  # every session has set its own numbers before anyone reads back
        errs += check(i, server.interact({"session_id": sid}), f"rerun on {page}")
        snap = server.interact({"session_id": sid, "page": "forward-pass"})
        errs += check(i, snap, "after moving to forward-pass")
        shown = np.array(numbers(snap["tree"]))
        for r, target in enumerate(a2[i]):
            if not np.any(np.isclose(shown, target, rtol=1e-9, atol=0)):
                errs.append(f"session {i}: its a2[{r}] = {target!r} is not on its Forward pass page")
        for j in range(SESSIONS):
            if j != i and any(np.any(np.isclose(shown, t, rtol=1e-12, atol=0)) for t in a2[j]):
                errs.append(f"session {i}: its page shows session {j}'s a2")
        barrier.wait()
        errs += check(i, server.interact({"session_id": sid}), "final rerun")
        return errs

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        results = list(pool.map(student, range(SESSIONS)))
    took = time.monotonic() - start
    errors = [e for errs in results for e in errs]
    print(f"\n{SESSIONS} concurrent sessions on {pages}: 5 requests each, {took:.1f} s, memory {server.memory()}")
    assert not errors, "\n".join(errors[:40])
    assert server.proc.poll() is None, "the server died"
    assert not server.log_problems(), server.log_problems()[:20]
