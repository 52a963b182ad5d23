"""A Streamlit server for the benchmark, and a small client for its agent API.

The server is ``streamlit run app/main.py`` with the agent API on, bound to 127.0.0.1 on a free
port. Its CPU time and memory are read from /proc (Linux), so psutil is not needed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from deploy.agent import agent_post

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``with Server() as srv: srv.interact({...})`` — started, health-checked, and stopped."""

    def __init__(
        self,
        startup_timeout: float = 60.0,
        request_timeout: float = 120.0,
        flags: tuple = (),
        script: Path = ROOT / "app" / "main.py",
    ) -> None:
        self.script = Path(script)  # app/main.py, or bench/floor_app.py for Streamlit's own floor
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self.request_timeout = request_timeout
        self.flags = tuple(flags)  # extra ``--section.option=value`` settings, to try a configuration
        self.proc: subprocess.Popen | None = None
        self.log_lines: list[str] = []  # the server's stderr, read by a thread so the pipe never fills
        self.warmed = threading.Event()  # set when app/warmup.py logs that it finished

    def __enter__(self) -> Server:
        streamlit = Path(sys.executable).with_name("streamlit")
        cmd = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
        cmd += [
            "run",
            str(self.script),
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--server.fileWatcherType=none",
            "--server.runOnSave=false",
            "--browser.gatherUsageStats=false",
            "--server.enableAgentApi=true",
            "--server.agentWaitTimeout=120",
            *self.flags,
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        threading.Thread(target=self._read_log, daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)
                err = "".join(self.log_lines)
                raise RuntimeError(f"streamlit exited with code {self.proc.returncode}: {err[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {self.startup_timeout:.0f} s")

    def _read_log(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode(errors="replace")
            self.log_lines.append(line)
            if "XOR Lab warm-up:" in line:
                self.warmed.set()

    def wait_warm(self, timeout: float = 300.0) -> str:
        """Open a session (which starts app/warmup.py) and wait for its log line; returns that line.

        Warm reruns are timed after this, so the warm-up thread's CPU is not counted against a page.
        """
        self.settle(*self.interact({}))
        if os.environ.get("XORLAB_NO_WARMUP"):
            return "(warm-up switched off by XORLAB_NO_WARMUP)"
        if not self.warmed.wait(timeout):
            return "(no warm-up line within the timeout)"
        return next(ln.strip() for ln in self.log_lines if "XOR Lab warm-up:" in ln)

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    # ----- the agent API ------------------------------------------------------------------
    def interact(self, body: dict) -> tuple[int, dict, float, int]:
        """POST /_stcore/agent/interact → (HTTP status, JSON body, seconds, response bytes)."""
        return agent_post(self.base, body, self.request_timeout)

    def settle(self, code: int, snap: dict, dt: float, n: int, limit: int = 20) -> tuple[int, dict, float, int]:
        """Collect a run that outlasted the server's wait (202 wait_timed_out), a bounded number of times."""
        for _ in range(limit):
            if code != 202 or "session_id" not in snap:
                break
            c2, snap, d2, n = self.interact({"session_id": snap["session_id"]})
            code, dt = c2, dt + d2
        return code, snap, dt, n

    # ----- /proc ----------------------------------------------------------------------------
    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (all its threads)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)

    def memory_mb(self) -> dict:
        """Resident memory now (VmRSS) and its peak so far (VmHWM), in MB."""
        out = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0]) / 1024
        return {"rss_mb": out.get("VmRSS", 0.0), "peak_mb": out.get("VmHWM", 0.0)}
