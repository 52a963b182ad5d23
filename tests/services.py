"""Real services the tests start themselves: a throw-away PostgreSQL server (Debian's `postgresql`).

Where the binaries are absent a test skips with a one-line reason — and fails under CI=true, where
`.ci/run` installs them, as it installs Chromium.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<version>/bin)."""
    base = Path("/usr/lib/postgresql")
    found = sorted(base.glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name)) if base.exists() else []
    return found[-1].parent if found else None


def missing(what: str) -> None:
    """Skip with a reason, or fail under CI=true (where .ci/run installs every service)."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed, and CI must run this test (.ci/run installs it)")
    pytest.skip(f"{what} is not installed here (Debian: apt-get install {what})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """initdb a cluster in a temporary folder and run it on a loopback port, as the `postgres` user
    when this process is root (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            missing("postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="xorlab-pg-"))
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            shutil.chown(self.dir, user="postgres")
        self._as(["initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "xorlab", "--no-sync"], check=True)
        self.proc = subprocess.Popen(
            self._cmd(
                [
                    "postgres",
                    "-D",
                    str(self.dir / "data"),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.dir),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=200",
                ]
            ),  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "server.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        self.url = f"postgresql+psycopg://xorlab@127.0.0.1:{self.port}/postgres"
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.dir / "server.log").read_text()[-2000:])
            r = self._as(["pg_isready", "-h", "127.0.0.1", "-p", str(self.port)])
            if r.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("PostgreSQL did not start in 30 s")

    def _cmd(self, argv: list[str]) -> list[str]:
        argv = [str(self.bin / argv[0]), *argv[1:]]
        return ["runuser", "-u", self.user, "--", *argv] if self.user else argv

    def _as(self, argv: list[str], check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(argv), capture_output=True, text=True, check=check, cwd=self.dir)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
