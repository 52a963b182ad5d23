"""Several `streamlit run app/main.py` replicas on loopback ports, HAProxy in front, one address.

``Deployment`` starts them and stops them; ``python -m deploy`` (deploy/__main__.py) is the command.
Every child runs in its own process group (its own session), so stopping a replica stops whatever
it started too (the warm-up's child process), and a Ctrl-C in the terminal reaches only the
launcher, which then stops the children in order: HAProxy first (no new requests), then each
replica's whole group (SIGTERM, then SIGKILL for anything left after a grace period). Each child
also asks the kernel for SIGTERM should the launcher itself die without cleaning up (Linux's
PR_SET_PDEATHSIG), so not even a `kill -9` of the launcher leaves a replica running on its own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
COOKIE = "XORLAB_REPLICA"
INSTALL_HINT = (
    "HAProxy is not installed. Install Debian's package (as root): apt-get install haproxy — "
    "or pass its path with --haproxy."
)
# The flags every replica gets: those the browser tests start their server with (tests/browser.py).
STREAMLIT_FLAGS = (
    "--server.headless",
    "true",
    "--server.address",
    "127.0.0.1",
    "--server.fileWatcherType",
    "none",
    "--browser.gatherUsageStats",
    "false",
)


class DeployError(RuntimeError):
    """Something the operator must fix (HAProxy missing, port taken, a replica that does not start)."""


def find_haproxy(explicit: str | None = None, path: str | None = None) -> str | None:
    """The HAProxy executable: ``explicit`` if it exists, else ``haproxy`` on PATH or in the sbin folders
    (Debian puts it in /usr/sbin, which an ordinary user's PATH may lack)."""
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    search = path if path is not None else os.environ.get("PATH", "")
    if path is None:
        search = os.pathsep.join([search, "/usr/sbin", "/usr/local/sbin", "/sbin"])
    return shutil.which("haproxy", path=search)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(address: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def streamlit_command(port: int, flags: tuple[str, ...] = ()) -> list[str]:
    """Plain ``streamlit run app/main.py`` on 127.0.0.1:port (run from the repository root)."""
    exe = Path(sys.executable).with_name("streamlit")
    head = [str(exe)] if exe.exists() else [shutil.which("streamlit") or "streamlit"]
    return [*head, "run", "app/main.py", *STREAMLIT_FLAGS, "--server.port", str(port), *flags]


def render_config(
    port: int,
    backends: list[tuple[str, int]],
    socket_path: str | Path,
    address: str = "0.0.0.0",
    inter: str = "2s",
    fall: int = 3,
    maxconn: int = 4096,
) -> str:
    """deploy/haproxy.cfg.in with its fields filled: one ``server`` line per (name, loopback port)."""
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} cookie {name}" for name, p in backends)
    return Template(TEMPLATE.read_text()).substitute(
        port=port,
        address=address,
        servers=servers,
        socket=socket_path,
        inter=inter,
        fall=fall,
        maxconn=maxconn,
        cookie=COOKIE,
    )


def heavy_slots_per_replica(replicas: int, cores: int | None = None) -> int:
    """Heavy runs each replica may run at once, so that the machine as a whole keeps one core for light
    work where it can: max(1, (cores − 1) // replicas). app/heavy.py reads it from XORLAB_HEAVY_SLOTS."""
    cores = cores or os.cpu_count() or 1
    return max(1, (cores - 1) // max(replicas, 1))


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies (Linux; elsewhere nothing)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _spawn(cmd: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, deaf to the terminal's Ctrl-C
            preexec_fn=_die_with_parent,
        )


def stop_group(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Stop a child and everything in its process group: SIGTERM, up to ``grace`` seconds, then SIGKILL.

    The group gets its SIGKILL while the leader is still an unreaped zombie (waitid with WNOWAIT), so
    its process-group id cannot have been reused by an unrelated process."""
    if proc is None or proc.returncode is not None:
        return
    pgid = proc.pid  # start_new_session: the child leads its own group
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            break
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)  # stragglers (or a leader that ignored SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError):
        return False


@dataclass
class Replica:
    name: str  # r1, r2, …: the HAProxy server name, and the value of its cookie
    port: int
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Deployment:
    """``with Deployment(replicas=2, port=8501) as d: ...`` — N replicas and HAProxy, started and stopped.

    flags: extra ``streamlit run`` options for every replica (the benchmark turns the agent API on).
    env: extra environment variables for every replica (e.g. XORLAB_DATABASE_URL for class mode).
    inter, fall: HAProxy's health-check interval and how many failed checks mark a replica down.
    """

    def __init__(
        self,
        replicas: int = 2,
        port: int = 8501,
        address: str = "0.0.0.0",
        flags: tuple[str, ...] = (),
        haproxy: str | None = None,
        inter: str = "2s",
        fall: int = 3,
        startup_timeout: float = 120.0,
        log=print,
        env: dict | None = None,
    ) -> None:
        if replicas < 1:
            raise DeployError("at least one replica is needed")
        self.n = replicas
        self.port = port
        self.address = address
        self.flags = tuple(flags)
        self.haproxy_exe = find_haproxy(haproxy)
        self.inter, self.fall = inter, fall
        self.startup_timeout = startup_timeout
        self.log = log
        self.env = dict(env or {})
        self.dir: Path | None = None
        self.replicas: list[Replica] = []
        self.haproxy: subprocess.Popen | None = None
        self.config: Path | None = None

    # ----- addresses ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "::", "") else self.address
        return f"http://{host}:{self.port}"

    @property
    def socket_path(self) -> Path:
        return self.dir / "haproxy.sock"

    # ----- start and stop ----------------------------------------------------------------------
    def __enter__(self) -> Deployment:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if self.haproxy_exe is None:
            raise DeployError(INSTALL_HINT)
        if not port_is_free(self.address, self.port):
            raise DeployError(f"port {self.port} is already in use on {self.address}: choose another with --port")
        self.dir = Path(tempfile.mkdtemp(prefix="xorlab-deploy-"))
        try:
            self._start_replicas()
            self._start_haproxy()
        except BaseException:  # a failed start (or a Ctrl-C during it) leaves nothing running
            self.stop()
            raise

    def _start_replicas(self) -> None:
        env = {**os.environ, **self.env}
        # One cookie secret for all replicas: whatever Streamlit signs, any replica can read.
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        env.setdefault("XORLAB_HEAVY_SLOTS", str(heavy_slots_per_replica(self.n)))
        ports: set[int] = set()
        for i in range(1, self.n + 1):
            port = free_port()
            while port in ports or port == self.port:
                port = free_port()
            ports.add(port)
            rep = Replica(f"r{i}", port, self.dir / f"replica-{i}.log")
            rep.proc = _spawn(streamlit_command(port, self.flags), rep.log, env)
            self.replicas.append(rep)
        deadline = time.monotonic() + self.startup_timeout
        waiting = list(self.replicas)
        while waiting:
            for rep in list(waiting):
                if rep.proc.poll() is not None:
                    raise DeployError(f"replica {rep.name} exited at start:\n{rep.log.read_text()[-2000:]}")
                if healthy(rep.url + "/_stcore/health"):
                    waiting.remove(rep)
            if waiting and time.monotonic() > deadline:
                raise DeployError(f"replica(s) {[r.name for r in waiting]} not healthy in {self.startup_timeout:.0f} s")
            if waiting:
                time.sleep(0.3)

    def _start_haproxy(self) -> None:
        self.config = self.dir / "haproxy.cfg"
        self.config.write_text(
            render_config(
                self.port,
                [(r.name, r.port) for r in self.replicas],
                self.socket_path,
                self.address,
                self.inter,
                self.fall,
            )
        )
        check = subprocess.run([self.haproxy_exe, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise DeployError(f"HAProxy refused the configuration {self.config}:\n{check.stderr or check.stdout}")
        self.haproxy = _spawn([self.haproxy_exe, "-db", "-f", str(self.config)], self.dir / "haproxy.log")
        deadline = time.monotonic() + 30
        while not (healthy(self.url + "/_stcore/health") and self.socket_path.exists()):
            if self.haproxy.poll() is not None:
                raise DeployError(f"HAProxy exited at start:\n{(self.dir / 'haproxy.log').read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise DeployError("HAProxy did not answer within 30 s")
            time.sleep(0.2)

    def stop(self) -> None:
        """HAProxy first, then every replica's process group; then the temporary folder. Idempotent."""
        main = threading.current_thread() is threading.main_thread()
        blocked = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        if main:  # a second Ctrl-C must not cut the clean-up short
            old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            stop_group(self.haproxy, grace=5)
            for rep in self.replicas:
                stop_group(rep.proc)
        finally:
            if main:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # ----- looking inside ----------------------------------------------------------------------
    def pids(self) -> list[int]:
        """Every process the deployment started (HAProxy and the replicas, not their children)."""
        procs = [self.haproxy, *(r.proc for r in self.replicas)]
        return [p.pid for p in procs if p is not None]

    def kill_replica(self, name: str) -> None:
        """Kill a replica's whole group at once, as a crash would (for tests and fault drills)."""
        rep = next(r for r in self.replicas if r.name == name)
        os.killpg(rep.proc.pid, signal.SIGKILL)
        rep.proc.wait(timeout=30)

    def stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's view of each replica (``show stat`` on its socket): name -> its CSV row as a dict
        (``status`` is UP, DOWN, …; ``stot`` the sessions it has served; ``chkdown`` its UP→DOWN transitions)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.socket_path))
            s.sendall(b"show stat\n")
            raw = b""
            while chunk := s.recv(65536):
                raw += chunk
        lines = raw.decode().strip().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        names = {r.name for r in self.replicas}
        return {row["svname"]: row for row in rows if row.get("pxname") == "replicas" and row["svname"] in names}

    def status(self) -> dict[str, str]:
        """name -> UP / DOWN (HAProxy's word, e.g. "UP 1/3" while a check is failing)."""
        return {name: row["status"] for name, row in self.stats().items()}


def lan_address() -> str | None:
    """This machine's address on its network, for the students' link (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip
