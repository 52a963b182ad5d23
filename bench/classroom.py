"""Section 4: a classroom — many students on one server at once, through the agent API.

Every session opens its own page (the pages taken in turn), then all sessions start together and
each makes ``moves`` moves of its page's typical control (bench.pages_bench.MOVES), one after
another as fast as the server answers. Recorded: every move's response time (p50, p95), the
server's CPU time per rerun (its /proc CPU time over the whole burst ÷ the number of reruns) and
its memory (resident now and peak, VmHWM). Everything stays on 127.0.0.1, every loop is bounded
and every request has a timeout.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.pages_bench import opening, typical_move
from bench.server import ROOT, Server
from bench.timing import percentile, summary

FLOOR = ROOT / "bench" / "floor_app.py"


def run(pages: list[str], sessions: int = 30, moves: int = 5, flags: tuple = (), log=print) -> dict:
    """XOR Lab's class, then the same class on Streamlit's floor (bench/floor_app.py), in one run."""
    lab = burst(pages, sessions, moves, flags, log)
    log("classroom: the same class on Streamlit's own floor (one slider) …")
    floor = burst([""], sessions, moves, flags, log, script=FLOOR)
    lab["floor"] = {k: floor[k] for k in ("p50_s", "p95_s", "server_cpu_per_rerun_s", "reruns", "failures")}
    lab["p95_over_floor"] = lab["p95_s"] / floor["p95_s"] if floor["p95_s"] else None
    cpu_floor = floor["server_cpu_per_rerun_s"]
    lab["cpu_over_floor"] = lab["server_cpu_per_rerun_s"] / cpu_floor if cpu_floor else None
    return lab


def burst(
    pages: list[str], sessions: int, moves: int, flags: tuple = (), log=print, script: Path | None = None
) -> dict:
    kw = {"script": script} if script else {}
    floor = script is not None
    with Server(flags=flags, request_timeout=180, **kw) as srv:
        warm_line = "(floor app)" if floor else srv.wait_warm()  # a class meets a server that has been up a while
        log(f"classroom: {warm_line}")
        mem_idle = srv.memory_mb()
        plan = []  # (page, session id, key, values)
        log(f"classroom: opening {sessions} sessions on {len(pages)} pages …")
        open_times = []
        for i in range(sessions):
            page = pages[i % len(pages)]
            code, snap, dt, _ = srv.settle(*srv.interact(opening(page)))
            open_times.append(dt)
            if code != 200:
                raise RuntimeError(f"could not open {page or 'home'}: HTTP {code} {snap.get('error')}")
            key, values = ("x", [10, 90, 30, 70, 50]) if floor else typical_move(page, snap)
            values = (values * moves)[:moves] if values else [None] * moves
            plan.append((page, snap["session_id"], key, values))
        start = threading.Barrier(sessions)
        times: list[list[float]] = [[] for _ in plan]
        failures: list[str] = []

        def student(i: int) -> None:
            page, sid, key, values = plan[i]
            start.wait(timeout=300)
            for v in values:
                body = {"session_id": sid} if key is None else {"session_id": sid, "widget_state": {key: v}}
                code, snap, dt, _ = srv.settle(*srv.interact(body))
                times[i].append(dt)
                if code != 200 or snap.get("status") == "error":
                    failures.append(
                        f"{page or 'home'} {key}={v!r}: HTTP {code} {snap.get('status', snap.get('error'))}"
                    )

        log(f"classroom: {sessions} sessions × {moves} moves at once …")
        c0, t0 = srv.cpu_seconds(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=sessions) as pool:
            for f in [pool.submit(student, i) for i in range(sessions)]:
                f.result(timeout=1800)
        elapsed, cpu = time.perf_counter() - t0, srv.cpu_seconds() - c0
        every = [t for ts in times for t in ts]
        per_page: dict[str, list] = {}
        for (page, *_), ts in zip(plan, times):
            per_page.setdefault(page, []).extend(ts)
        return {
            "sessions": sessions,
            "moves_per_session": moves,
            "server_flags": list(flags),
            "reruns": len(every),
            "p50_s": percentile(every, 50),
            "p95_s": percentile(every, 95),
            "max_s": max(every, default=0.0),
            "burst_seconds": elapsed,
            "server_cpu_per_rerun_s": cpu / max(len(every), 1),
            "server_cpu_utilisation": cpu / elapsed if elapsed else 0.0,
            "memory_idle_mb": mem_idle,
            "warmup": warm_line,
            "memory_after_mb": srv.memory_mb(),
            "open_session": summary(open_times),
            "per_page_p95_s": {p or "home": percentile(ts, 95) for p, ts in per_page.items()},
            "failures": failures[:20],
        }
