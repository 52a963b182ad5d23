"""A student through HAProxy: Streamlit's agent API (``POST /_stcore/agent/interact``) with a cookie jar.

Like a browser, a ``Visitor`` keeps the cookie HAProxy sets on its first answer (``XORLAB_REPLICA``),
so every later request of its session reaches the replica that holds the session. ``replica`` says
which one it is pinned to; ``pin(name)`` pins a new visitor to a replica by setting that cookie itself
(as a browser whose cookie names that replica would). The tests and the benchmark's lecture-hall
section use it; the app does not.
"""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.request

from deploy.launcher import COOKIE


def agent_post(base: str, body: dict, timeout: float, opener=None, headers: dict | None = None):
    """``POST <base>/_stcore/agent/interact`` → (HTTP status, JSON body, seconds, response bytes); an
    answer that is not JSON becomes an error body. The benchmark's servers (bench/server.py) and the
    visitors here both send through this."""
    req = urllib.request.Request(
        base + "/_stcore/agent/interact",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    t0 = time.perf_counter()
    try:
        with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as r:
            raw, code = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, code = e.read(), e.code
    dt = time.perf_counter() - t0
    try:
        out = json.loads(raw)
    except ValueError:
        out = {"error": {"code": "not_json", "message": raw[:200].decode(errors="replace")}}
    return code, out, dt, len(raw)


class Visitor:
    def __init__(self, base: str, timeout: float = 180.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.session_id: str | None = None
        self._pinned: str | None = None

    @property
    def replica(self) -> str | None:
        """The replica HAProxy's cookie names (None before the first answer)."""
        for c in self.jar:
            if c.name == COOKIE:
                return c.value
        return self._pinned

    def pin(self, name: str) -> Visitor:
        """Send ``COOKIE=name`` from now on: HAProxy then routes this visitor to replica ``name``."""
        self._pinned = name
        return self

    def post(self, body: dict) -> tuple[int, dict, float]:
        """One POST → (HTTP status, JSON body, seconds)."""
        pin = (
            {"Cookie": f"{COOKIE}={self._pinned}"}
            if self._pinned and not any(c.name == COOKIE for c in self.jar)
            else {}
        )
        code, out, dt, _ = agent_post(self.base, body, self.timeout, self.opener, pin)
        return code, out, dt

    def interact(self, body: dict | None = None, limit: int = 20) -> tuple[int, dict, float]:
        """Open a session (``body`` without session_id) or act in this visitor's session; a run that
        outlasts the server's wait (202 wait_timed_out) is collected again, a bounded number of times."""
        body = dict(body or {})
        if self.session_id and "page" not in body:
            body.setdefault("session_id", self.session_id)
        code, snap, dt = self.post(body)
        for _ in range(limit):
            if code != 202 or "session_id" not in snap:
                break
            c2, snap, d2 = self.post({"session_id": snap["session_id"]})
            code, dt = c2, dt + d2
        if code == 200 and "session_id" in snap:
            self.session_id = snap["session_id"]
        return code, snap, dt


def texts(snap: dict) -> list[str]:
    """Every string shown in a page snapshot (values of its element nodes), depth first."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and k in ("body", "value", "label", "text", "markdown"):
                    out.append(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(snap.get("tree", snap))
    return out
