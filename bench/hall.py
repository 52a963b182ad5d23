"""Section 5: a lecture hall — one class through HAProxy, with 1 replica and with 2 (deploy/), in one run.

For each replica count: ``python -m deploy``'s Deployment starts the replicas (agent API on) and
HAProxy on loopback ports; each replica is opened once and its warm-up waited for (a class meets a
server that has been up a while). Then the class of bench/classroom.py: every session opens its page
(the pages in turn) through HAProxy — which pins it to a replica with its cookie, as a browser's
cookie does — and then all sessions make ``moves`` moves of their page's control at once. Recorded:
p50/p95/max of the moves' response times, throughput (moves answered per second of the burst), the
replicas' CPU time per rerun and each replica's share of the sessions.

Then, on the 2-replica deployment, the same class four more times: without, with, with and without
``heavy`` more sessions that each start the largest digits run (3 × 256 ReLU, mini-batches of 8, 60
epochs, a different seed each so no two share a run); the light moves' p95 over the two rounds with
them, pooled, beside the p95 over the two rounds without (the order cancels a drift over time, the
pooling halves the noise of one burst's p95). The heavy runs go through app/heavy.py's
gate (XORLAB_HEAVY_SLOTS per replica, set by the launcher) and train in each replica's low-priority
worker process (app/worker.py), so this is what those two are measured by. The replicas' CPU time is
the server processes' own: a worker's training is not in it.

Everything stays on 127.0.0.1; every request has a timeout, every loop a fixed length. Needs HAProxy
(Debian's ``haproxy``): without it the section records why it was skipped.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.pages_bench import opening, typical_move
from bench.server import CLK_TCK, ROOT
from bench.timing import percentile
from deploy.agent import Visitor, texts
from deploy.launcher import Deployment, find_haproxy, free_port

# Agent sessions are not closed by a client (they end when idle): a replica holds every session of every
# burst (2 replicas: ~330 of them after six bursts), so the cap is raised from its default of 100.
AGENT = ("--server.enableAgentApi=true", "--server.agentWaitTimeout=120", "--server.agentMaxSessions=400")
# The largest run the digits page offers (its sliders' ends): 10–15 s of CPU on an idle core.
# ReLU is the page's default activation, so the link leaves it out.
LARGEST = {"dg_layers": "3", "dg_width": "256", "dg_batch": "8", "dg_epochs": "60"}
ROUNDS = (False, True, True, False)  # the heavy-run ratio's bursts: without, with, with, without
QUICK_HEAVY = {"dg_layers": "2", "dg_width": "64", "dg_batch": "8", "dg_epochs": "1"}  # --quick: seconds, not a minute


def run(
    pages: list[str],
    sessions: int = 60,
    moves: int = 5,
    heavy: int = 3,
    replica_counts: tuple[int, ...] = (1, 2),
    quick: bool = False,
    flags: tuple = (),
    log=print,
) -> dict:
    if find_haproxy() is None:
        log("hall: skipped — HAProxy is not installed (Debian: apt-get install haproxy)")
        return {"skipped": "HAProxy is not installed (Debian: apt-get install haproxy)"}
    out: dict = {"sessions": sessions, "moves_per_session": moves, "cores": os.cpu_count(), "runs": {}}
    for n in replica_counts:
        with Deployment(n, free_port(), "127.0.0.1", AGENT + tuple(flags), env={"PYTHONPATH": str(ROOT)}) as d:
            log(f"hall: {n} replica(s) up; warming each …")
            out["runs"][f"{n} replica(s)"] = {"warm-up": warm(d, log)}
            log(f"hall: {n} replica(s): {sessions} sessions × {moves} moves …")
            out["runs"][f"{n} replica(s)"].update(stored(burst(d, pages, sessions, moves, log=log)))
            if n == max(replica_counts) and heavy:
                # The heavy-run ratio: the class four more times on the same replicas, alternately without
                # and with the heavy runs (without, with, with, without, a new seed for each heavy round),
                # both sides pooled. One burst's p95 varies by ±15 % from one burst to the next, and a later
                # burst meets more sessions left open on the replicas: the order cancels that drift, and
                # pooling two bursts halves the noise. The first burst filled the caches for these moves,
                # so every round meets the same caches.
                q = QUICK_HEAVY if quick else LARGEST
                rounds = []
                for i, h in enumerate(ROUNDS):
                    what = f"while {heavy} sessions start the largest digits run" if h else "without heavy runs"
                    log(f"hall: {n} replica(s), round {i + 1} of {len(ROUNDS)}: the class {what} …")
                    seed = 7000 + 100 * i
                    b = burst(d, pages, sessions, moves, heavy=heavy if h else 0, heavy_query=q, seed=seed, log=log)
                    rounds.append((h, b))
                without, with_ = pooled([b for h, b in rounds if not h]), pooled([b for h, b in rounds if h])
                out["again"] = {"replicas": n, **without}
                out["with_heavy"] = {"replicas": n, "heavy_sessions": heavy, "heavy_settings": q, **with_}
                out["heavy_rounds"] = [{"heavy": h, "p95_s": b["p95_s"]} for h, b in rounds]
    runs = out["runs"]
    one, two = runs.get("1 replica(s)"), runs.get("2 replica(s)")
    if one and two:
        out["p95_one_over_two"] = one["p95_s"] / two["p95_s"] if two["p95_s"] else None
        out["throughput_two_over_one"] = two["moves_per_s"] / one["moves_per_s"] if one["moves_per_s"] else None
    base = out.get("again")
    if base and out.get("with_heavy"):
        out["heavy_p95_over_plain"] = out["with_heavy"]["p95_s"] / base["p95_s"] if base["p95_s"] else None
    return out


def warm(d: Deployment, log=print, timeout: float = 300.0) -> list[str]:
    """Open one session on each replica (which starts its warm-up) and wait for each warm-up's log line."""
    lines = []
    for rep in d.replicas:
        Visitor(d.url).pin(rep.name).interact({})
    for rep in d.replicas:
        deadline, line = time.monotonic() + timeout, None
        while time.monotonic() < deadline and line is None:
            text = Path(rep.log).read_text(errors="replace") if Path(rep.log).exists() else ""
            line = next((ln.strip() for ln in text.splitlines() if "XOR Lab warm-up:" in ln), None)
            if line is None and os.environ.get("XORLAB_NO_WARMUP"):
                line = "(warm-up switched off by XORLAB_NO_WARMUP)"
            if line is None:
                time.sleep(0.5)
        lines.append(f"{rep.name}: {line or '(no warm-up line within the timeout)'}")
        log(f"hall: {lines[-1]}")
    return lines


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except OSError:
            pass
    return total


def burst(
    d: Deployment,
    pages: list[str],
    sessions: int,
    moves: int,
    heavy: int = 0,
    heavy_query: dict | None = None,
    seed: int = 7000,
    log=print,
) -> dict:
    """The class through HAProxy (optionally with ``heavy`` sessions starting a digits run at the same time)."""
    plan = []  # (page, visitor, key, values)
    for i in range(sessions):
        page = pages[i % len(pages)]
        v = Visitor(d.url)
        code, snap, _ = v.interact(opening(page))
        if code != 200:
            raise RuntimeError(f"could not open {page or 'home'} through HAProxy: HTTP {code} {snap.get('error')}")
        key, values = typical_move(page, snap)
        values = (values * moves)[:moves] if values else [None] * moves
        plan.append((page, v, key, values))
    share = {}
    for _, v, _, _ in plan:
        share[v.replica] = share.get(v.replica, 0) + 1
    start = threading.Barrier(sessions + heavy)
    times: list[list[float]] = [[] for _ in plan]
    failures: list[str] = []
    heavy_done: list[float] = []

    def student(i: int) -> None:
        page, v, key, values = plan[i]
        start.wait(timeout=600)
        for val in values:
            body = {} if key is None else {"widget_state": {key: val}}
            code, snap, dt = v.interact(body)
            times[i].append(dt)
            if code != 200 or snap.get("status") == "error":
                failures.append(f"{page or 'home'} {key}={val!r}: HTTP {code} {snap.get('status', snap.get('error'))}")

    def heavy_student(j: int) -> None:
        v = Visitor(d.url, timeout=600)
        start.wait(timeout=600)
        query = {k: [str(x)] for k, x in {**(heavy_query or LARGEST), "dg_seed": str(seed + j)}.items()}
        code, snap, dt = v.interact({"page": "digits", "query_params": query}, limit=10)
        heavy_done.append(dt)
        if code != 200 or snap.get("status") == "error":
            failures.append(f"digits (largest run): HTTP {code} {snap.get('status', snap.get('error'))}")
        elif any("could not be used" in t for t in texts(snap)):
            failures.append("digits (largest run): the page refused a setting of the link")

    pids = [r.proc.pid for r in d.replicas if r.proc.poll() is None]
    c0, t0 = cpu_seconds(pids), time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions + heavy) as pool:
        futures = [pool.submit(student, i) for i in range(sessions)]
        futures += [pool.submit(heavy_student, j) for j in range(heavy)]
        for f in futures[:sessions]:
            f.result(timeout=1800)
        elapsed = time.perf_counter() - t0  # the class's burst (the heavy runs may go on after it)
        cpu = cpu_seconds(pids) - c0
        for f in futures[sessions:]:
            f.result(timeout=1800)
    every = [t for ts in times for t in ts]
    return {
        **figures(every, elapsed, cpu, share, heavy_done, failures),
        "times_s": every,
    }


def figures(every: list, seconds: float, cpu: float, share: dict, heavy_done: list, failures: list) -> dict:
    """A class's figures from its moves' response times, the burst's seconds and the replicas' CPU
    seconds over it."""
    return {
        "reruns": len(every),
        "p50_s": percentile(every, 50),
        "p95_s": percentile(every, 95),
        "max_s": max(every, default=0.0),
        "burst_seconds": seconds,
        "moves_per_s": len(every) / seconds if seconds else 0.0,
        "servers_cpu_per_rerun_s": cpu / max(len(every), 1),
        "sessions_per_replica": share,
        "heavy_first_answer_s": sorted(heavy_done),
        "failures": failures[:20],
    }


def stored(b: dict) -> dict:
    """A burst's figures without its every response time (kept for pooling only)."""
    return {k: v for k, v in b.items() if k != "times_s"}


def pooled(bursts: list[dict]) -> dict:
    """Several bursts of the same class as one: percentiles over all their moves, throughput over
    their summed time, the replicas' CPU per rerun over all their reruns."""
    return {
        "bursts": len(bursts),
        **figures(
            [t for b in bursts for t in b["times_s"]],
            sum(b["burst_seconds"] for b in bursts),
            sum(b["servers_cpu_per_rerun_s"] * b["reruns"] for b in bursts),
            bursts[0]["sessions_per_replica"],
            [t for b in bursts for t in b["heavy_first_answer_s"]],
            [f for b in bursts for f in b["failures"]],
        ),
    }
