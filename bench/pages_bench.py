"""Section 2: how long a page takes, through a real server's agent API.

- warm: a session has the page open; a typical control is moved to values this session has not
  used yet ("new value"), then through the same values again ("revisit", everything cached).
  Each request's wall time is what a client waits for the rerun; the server's CPU time per
  rerun is read from /proc around it.
- cold: a fresh server; the home page is opened first (so the libraries every page uses are
  imported), then the page's first render is timed — empty caches, as for the first student
  after a deploy. "fresh process" is the same without the home page first.

The typical control of each page is listed in MOVES; a page not listed (or whose control has
gone) gets its first slider-like control in the main area, or a plain rerun if it has none.
"""

from __future__ import annotations

from bench.server import Server
from bench.timing import summary

# url path -> (widget key, values to move it through or None = spread over the widget's own range,
# and optionally the query parameters to open the page with, e.g. a link that opens a tab)
MOVES: dict[str, tuple | None] = {
    "": None,  # home: no controls, a plain rerun
    "architecture": ("ar_u1", [1.5, 2.0, 0.5, -1.0, 3.0, 1.2]),
    "forward-pass": ("fp_row", ["[0 0]", "[0 1]", "[1 1]"]),
    "hidden-features": ("w1_00", [5.0, 5.4, 4.6, 6.0, 3.0, 5.3]),
    "backprop": ("bp_step", ["dW2", "db2", "dz1", "dW1", "db1"]),
    "training": ("tr_epoch", None),
    "two-runs": ("cmp_epoch", None),
    "beyond-xor": ("bx_epoch", None),
    "one-epoch": ("oe_phase", ["Loss", "Backward", "Update", "Forward"]),
    "vanishing-gradient": ("vg_layer", [2, 5, 8, 12, 16, 19]),
    "digits": ("dg_digit", [1, 2, 3, 10, 50, 100], {"dg_tab": ["One digit, forward"]}),  # a link to its tab
}
# ``python -m bench --sections pages --probe``: the probe's move instead (issue 19 §1): x1 of the probed
# point, typed or clicked, on every page that has one (Forward pass shows it for "any point"). In a browser
# it reruns only the page's probed fragment; the agent API scopes its rerun to that fragment too.
PROBE_X1 = [0.1, 0.45, 0.8, 1.2, -0.3, 0.6]
PROBE_MOVES: dict[str, tuple | None] = {
    "forward-pass": ("fp_x1", PROBE_X1, {"fp_row": ["any point"]}),
    "hidden-features": ("hf_x1", PROBE_X1),
    "training": ("tr_x1", PROBE_X1),
    "architecture": ("ar_x1", PROBE_X1),
    "loss-landscape": ("ll_x1", PROBE_X1),
    "two-runs": ("cmp_x1", PROBE_X1),
}
SLIDERS = ("slider", "select_slider", "radio", "segmented_control", "selectbox", "number_input", "pills")


def controls(snap: dict) -> dict[str, dict]:
    """key -> node for every widget in the snapshot, with "area" = main or sidebar."""
    found: dict[str, dict] = {}

    def walk(node: dict, area: str) -> None:
        if node.get("type") in ("main", "sidebar"):
            area = node["type"]
        if "key" in node and "value_schema" in node:
            found[node["key"]] = {**node, "area": area}
        for child in node.get("children", []):
            walk(child, area)

    walk(snap.get("tree", {}), "main")
    return found


def spread(node: dict, k: int = 6) -> list:
    """k values across a widget's range (options or min..max), skipping its current value."""
    props, current = node.get("props", {}), node.get("value")
    if props.get("options"):
        opts = [o for o in props["options"] if o != current and str(o) != str(current)]
        if len(opts) <= k:
            return opts
        return [opts[round(i * (len(opts) - 1) / (k - 1))] for i in range(k)]
    lo, hi = props.get("min_value"), props.get("max_value")
    if lo is None or hi is None:
        return []
    integer = node.get("value_schema", {}).get("type") == "integer"
    values = [lo + (hi - lo) * (i + 1) / (k + 1) for i in range(k)]
    values = [int(round(v)) for v in values] if integer else [round(v, 2) for v in values]
    return [v for v in dict.fromkeys(values) if v != current]


def opening(url_path: str, moves: dict = MOVES) -> dict:
    """The request that opens the page for its typical move (``moves``: MOVES or PROBE_MOVES)."""
    move = moves.get(url_path)
    if move and len(move) > 2:
        return {"page": url_path, "query_params": move[2]}
    return {"page": url_path}


def typical_move(url_path: str, snap: dict, moves: dict = MOVES) -> tuple[str | None, list]:
    """(key, values) of the control to move on this page; (None, []) for a plain rerun."""
    found = controls(snap)
    move = moves.get(url_path, "auto")
    if move is None:
        return None, []
    if move != "auto" and move[0] in found:
        key, values = move[0], move[1]
        return key, (values if values is not None else spread(found[key]))
    for key, node in found.items():  # not listed, or its control is gone: the first one in main
        if node["area"] == "main" and node.get("type") in SLIDERS and spread(node):
            return key, spread(node)
    return None, []


def _problem(code: int, snap: dict) -> str | None:
    if code != 200:
        return f"HTTP {code}: {snap.get('error', {}).get('code', '?')} {snap.get('error', {}).get('message', '')[:120]}"
    if snap.get("status") == "error":
        return "the page raised an exception"
    return None


def warm(srv: Server, url_path: str, passes: int = 2, moves: dict = MOVES) -> dict:
    """Open the page in a new session, then move its typical control (see module docstring)."""
    code, snap, dt, n = srv.settle(*srv.interact(opening(url_path, moves)))
    problem = _problem(code, snap)
    if problem:
        return {"error": problem}
    sid = snap["session_id"]
    key, values = typical_move(url_path, snap, moves)
    results = {"open_s": dt}
    listed = moves.get(url_path)
    if listed and key != listed[0]:
        results["note"] = f"{listed[0]} is not on the page; moved {key or 'nothing (plain rerun)'} instead"
    for label in ("new value", "revisit")[:passes]:
        wall, cpu, size, problems = [], [], [], []
        for v in values or [None] * 5:
            body = {"session_id": sid} if key is None else {"session_id": sid, "widget_state": {key: v}}
            c0 = srv.cpu_seconds()
            code, snap, dt, n = srv.settle(*srv.interact(body))
            cpu.append(srv.cpu_seconds() - c0)
            wall.append(dt)
            size.append(n)
            if _problem(code, snap):
                problems.append(f"{key}={v!r}: {_problem(code, snap)}")
        results[label] = {
            **summary(wall),
            "server_cpu_per_rerun": sum(cpu) / len(cpu),  # /proc ticks are 10 ms: average, not median
            "agent_response_bytes": summary(size)["median"],
            "problems": problems,
        }
    return {"control": key or "(plain rerun)", "values": values, **results}


def cold(url_path: str, home_first: bool, flags: tuple = ()) -> float:
    with Server(flags=flags) as srv:
        if home_first:
            srv.settle(*srv.interact({}))
        code, snap, dt, n = srv.settle(*srv.interact({"page": url_path}))
        if _problem(code, snap):
            raise RuntimeError(f"{url_path or 'home'}: {_problem(code, snap)}")
        return dt


def run(pages: list[str], quick: bool = False, flags: tuple = (), log=print, moves: dict = MOVES) -> dict:
    """quick: one server for everything; the first page's opening is its only cold figure. moves: each
    page's move (MOVES; PROBE_MOVES for the probe)."""
    cold_repeat, fresh_repeat = (3, 2)
    out: dict[str, dict] = {}
    with Server(flags=flags) as srv:
        out["_warmup"] = srv.wait_warm()
        log(f"pages: {out['_warmup']}")
        for path in pages:
            log(f"pages: warm reruns of {path or 'home'} …")
            try:
                out[path] = {"warm": warm(srv, path, passes=1 if quick else 2, moves=moves)}
            except Exception as e:  # noqa: BLE001 — a broken page is a result, not a crash of the benchmark
                out[path] = {"warm": {"error": f"{type(e).__name__}: {e}"}}
        out["_server_memory"] = srv.memory_mb()
    if quick:
        first = out[pages[0]]["warm"]
        if "open_s" in first:
            out[pages[0]]["cold_fresh_process"] = summary([first["open_s"]])
        return out
    for path in pages:
        log(f"pages: cold first render of {path or 'home'} ({cold_repeat}+{fresh_repeat} fresh servers) …")
        try:
            out[path]["cold"] = summary([cold(path, True, flags) for _ in range(cold_repeat)])
            out[path]["cold_fresh_process"] = summary([cold(path, False, flags) for _ in range(fresh_repeat)])
        except Exception as e:  # noqa: BLE001
            out[path]["cold"] = {"error": f"{type(e).__name__}: {e}"}
    return out
