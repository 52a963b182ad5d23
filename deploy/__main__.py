"""``python -m deploy --replicas N --port 8501``: N XOR Lab replicas behind HAProxy, one address.

    python -m deploy --replicas 2                 # http://<this machine>:8501 for the whole room
    python -m deploy --replicas 2 --address 127.0.0.1 --port 8600

Ctrl-C (or SIGTERM) stops HAProxy and every replica. Without HAProxy it says how to install it and
exits with status 2. See README.md, "Serving a lecture hall".
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.launcher import INSTALL_HINT, DeployError, Deployment, find_haproxy, lan_address  # noqa: E402


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n")[0])
    p.add_argument("--replicas", type=int, default=2, help="streamlit processes (default 2; about one per core)")
    p.add_argument("--port", type=int, default=8501, help="the one port students open (default 8501)")
    p.add_argument(
        "--address", default="0.0.0.0", help="where HAProxy listens (default 0.0.0.0: every network of this machine)"
    )
    p.add_argument("--haproxy", default=None, help="path to the haproxy executable (default: found on PATH/sbin)")
    p.add_argument("--check-interval", default="2s", help="HAProxy's health-check interval (default 2s)")
    p.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="extra `streamlit run` option for every replica, e.g. --server-flag=--server.enableAgentApi=true",
    )
    args = p.parse_args(argv)
    if args.replicas < 1:
        p.error("--replicas must be at least 1")
    return args


def _stop_on(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM/SIGHUP end the launcher the way Ctrl-C does: through the clean-up


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if find_haproxy(args.haproxy) is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on)
    deployment = Deployment(
        args.replicas,
        args.port,
        args.address,
        tuple(args.server_flag),
        haproxy=args.haproxy,
        inter=args.check_interval,
    )
    try:
        print(f"Starting {args.replicas} XOR Lab replica(s) and HAProxy …", flush=True)
        with deployment:
            ports = ", ".join(f"{r.name} on 127.0.0.1:{r.port}" for r in deployment.replicas)
            print(f"Replicas: {ports}. Logs and HAProxy's configuration: {deployment.dir}", flush=True)
            print(f"XOR Lab is ready. Open {deployment.url}", flush=True)
            if args.address in ("0.0.0.0", "::") and (ip := lan_address()):
                print(f"Students on this network open http://{ip}:{args.port}", flush=True)
            print("Ctrl-C stops HAProxy and every replica.", flush=True)
            return watch(deployment)
    except DeployError as e:
        print(f"Could not start: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopped: HAProxy and every replica.", flush=True)
        return 0


def watch(d: Deployment) -> int:
    """Until Ctrl-C: report a replica that dies (HAProxy routes around it); stop if HAProxy or every replica is gone."""
    gone: set[str] = set()
    while True:
        time.sleep(1)
        if d.haproxy.poll() is not None:
            print(f"HAProxy stopped (exit status {d.haproxy.returncode}); stopping the replicas.", file=sys.stderr)
            return 1
        for rep in d.replicas:
            if rep.name not in gone and rep.proc.poll() is not None:
                gone.add(rep.name)
                print(
                    f"Replica {rep.name} stopped (exit status {rep.proc.returncode}); HAProxy sends its students "
                    f"to the others. Its log: {rep.log}",
                    file=sys.stderr,
                    flush=True,
                )
        if len(gone) == len(d.replicas):
            print("Every replica has stopped; stopping HAProxy.", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
