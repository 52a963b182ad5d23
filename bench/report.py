"""The benchmark's targets, and the results as a plain-text table."""

from __future__ import annotations

# target -> (comparison, limit): met when the value is below (<) or at least (>=) the limit
TARGETS = {
    "single seed: PyTorch time / core.train time": (">=", 3.0),
    "single seed: per-sample NumPy loop time / core.train time": (">=", 5.0),
    "multi-seed throughput / seed-after-seed throughput": (">=", 20.0),
    "page warm rerun, median (s)": ("<", 0.150),
    "page cold first render (s)": ("<", 1.5),
    "largest chart per rerun (bytes)": ("<", 100_000),
    "classroom p95 / Streamlit floor p95": ("<", 1.25),
    "classroom server CPU per rerun / floor's": ("<", 1.25),
    "classroom server peak memory (MB)": ("<", 600),
    "replay in Chromium: frames per second while playing": (">=", 30),
    "replay in Chromium: server reruns during play": ("<", 1),
    "replay: animated chart payload (bytes)": ("<", 300_001),
    "hall: p95 with 1 replica / p95 with 2 replicas": (">=", 1.4),
    "hall: light p95 during 3 largest digits runs / without": ("<", 1.25),
}


def _met(name: str, value: float | None) -> bool | None:
    if value is None:
        return None
    op, limit = TARGETS[name]
    return value >= limit if op == ">=" else value < limit


def verdicts(r: dict) -> list[dict]:
    """One row per target and subject (each page for the page targets)."""
    rows = []

    def add(name: str, subject: str, value: float | None) -> None:
        op, limit = TARGETS[name]
        rows.append(
            {"target": name, "subject": subject, "value": value, "limit": f"{op} {limit:g}", "met": _met(name, value)}
        )

    core = r.get("core")
    if core:
        ratios = core["ratios"]
        if ratios.get("pytorch_over_core") is not None:
            add("single seed: PyTorch time / core.train time", "core", ratios["pytorch_over_core"])
        add("single seed: per-sample NumPy loop time / core.train time", "core", ratios["per_sample_numpy_over_core"])
        add("multi-seed throughput / seed-after-seed throughput", "core", ratios["multi_over_serial_throughput"])
    for path, page in (r.get("pages") or {}).items():
        if path.startswith("_"):
            continue
        label = path or "home"
        new = page.get("warm", {}).get("new value")
        add("page warm rerun, median (s)", label, new["median"] if new else None)
        cold = page.get("cold") or page.get("cold_fresh_process") or {}
        add("page cold first render (s)", label, cold.get("median"))
    for path, page in (r.get("payload") or {}).items():
        add("largest chart per rerun (bytes)", path or "home", page.get("largest_chart_bytes"))
    room = r.get("classroom")
    if room:
        add("classroom p95 / Streamlit floor p95", "server", room.get("p95_over_floor"))
        add("classroom server CPU per rerun / floor's", "server", room.get("cpu_over_floor"))
        add("classroom server peak memory (MB)", "server", room["memory_after_mb"]["peak_mb"])
    rep = r.get("replay")
    if rep:
        for page in ("training", "hidden-features"):
            if page in rep:
                add("replay in Chromium: frames per second while playing", page, rep[page]["fps"])
                runs = rep[page]["script_runs_during_play"] + rep[page]["websocket_messages_during_play"]
                add("replay in Chromium: server reruns during play", page, runs)
        add("replay: animated chart payload (bytes)", "training", rep.get("payload_bytes"))
    h = r.get("hall")
    if h and not h.get("skipped"):
        if "p95_one_over_two" in h:
            add("hall: p95 with 1 replica / p95 with 2 replicas", "HAProxy", h["p95_one_over_two"])
        if "heavy_p95_over_plain" in h:
            add("hall: light p95 during 3 largest digits runs / without", "HAProxy", h["heavy_p95_over_plain"])
    return rows


def fmt_s(v: float | None) -> str:
    if v is None:
        return "—"
    if v < 1e-3:
        return f"{v * 1e6:.0f} µs"
    if v < 1:
        return f"{v * 1e3:.0f} ms"
    return f"{v:.2f} s"


def _mmm(d: dict | None) -> list[str]:
    if not d or "median" not in d:
        return ["—", "—", "—"]
    return [fmt_s(d["median"]), fmt_s(d["min"]), fmt_s(d["max"])]


def _grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def table(r: dict) -> str:
    parts = []
    m = r.get("machine_before", {})
    parts.append(
        f"XOR Lab benchmark{' (--quick: tiny settings, not comparable)' if r.get('quick') else ''} — "
        f"{m.get('processor', '?')}, {m.get('cpus', '?')} CPUs, Python {m.get('python', '?')}, "
        f"load average {', '.join(f'{x:.1f}' for x in m.get('load_average', []))} before / "
        f"{', '.join(f'{x:.1f}' for x in r.get('machine_after', {}).get('load_average', []))} after"
    )
    core = r.get("core")
    if core:
        s = core["settings"]
        rows = [
            [
                name,
                *_mmm(v),
                f"{v['us_per_epoch']:.1f}",
                f"{v['times_slower_than_core']:.2f}×",
                f"{v['cpu']['median']:.3f}",
            ]
            for name, v in core["single_seed"].items()
        ]
        parts.append(
            f"\n1. Core: one seed, {s['epochs']:,} full-batch epochs of {s['network']}, lr {s['lr']:g}\n"
            + _grid(["implementation", "median", "min", "max", "µs/epoch", "time / core", "CPU s"], rows)
        )
        rows = [
            [
                name,
                f"{v['seeds']} × {v['epochs']:,}",
                *_mmm(v),
                f"{v['seed_epochs_per_s']:,.0f}",
            ]
            for name, v in core["multi_seed"].items()
        ]
        parts.append(
            "\n   Many seeds\n"
            + _grid(["implementation", "seeds × epochs", "median", "min", "max", "seed-epochs/s"], rows)
        )
    pages = r.get("pages")
    if pages:
        rows = []
        for path, p in pages.items():
            if path.startswith("_"):
                continue
            w = p.get("warm", {})
            new, rev = w.get("new value"), w.get("revisit")
            if "error" in w:
                rows.append([path or "home", "error: " + w["error"][:60]] + [""] * 8)
                continue
            rows.append(
                [
                    path or "home",
                    w.get("control", ""),
                    *_mmm(new),
                    fmt_s(rev["median"]) if rev else "—",
                    fmt_s(new["server_cpu_per_rerun"]) if new else "—",
                    fmt_s((p.get("cold") or {}).get("median")),
                    fmt_s((p.get("cold_fresh_process") or {}).get("median")),
                    "; ".join(([w["note"]] if "note" in w else []) + (new or {}).get("problems", []))[:60],
                ]
            )
        parts.append(
            "\n2. Page reruns through the agent API (warm: a control moved to a new value; revisit: to one already"
            " seen; cold: first render, empty caches; fresh process: also the server's first request)\n"
            + _grid(
                [
                    "page",
                    "control",
                    "warm median",
                    "min",
                    "max",
                    "revisit",
                    "server CPU",
                    "cold",
                    "fresh process",
                    "problems",
                ],
                rows,
            )
        )
    pay = r.get("payload")
    if pay:
        rows = []
        for path, p in pay.items():
            if "error" in p:
                rows.append([path or "home", "error: " + p["error"][:80], "", "", "", ""])
                continue
            rows.append(
                [
                    path or "home",
                    f"{p['total_bytes'] / 1000:.1f} KB",
                    f"{p['charts']} / {p['chart_bytes'] / 1000:.1f} KB",
                    f"{p['largest_chart_bytes'] / 1000:.1f} KB",
                    f"{p['tables']} / {p['table_bytes'] / 1000:.1f} KB",
                    f"{p['other_bytes'] / 1000:.1f} KB",
                ]
            )
        parts.append(
            "\n3. Payload per rerun (protobuf bytes of every element, before compression)\n"
            + _grid(["page", "total", "charts (n / bytes)", "largest chart", "tables (n / bytes)", "other"], rows)
        )
    room = r.get("classroom")
    if room:
        rows = [
            ["sessions × moves", f"{room['sessions']} × {room['moves_per_session']} ({room['reruns']} reruns)"],
            ["response p50 / p95 / max", f"{fmt_s(room['p50_s'])} / {fmt_s(room['p95_s'])} / {fmt_s(room['max_s'])}"],
            ["server CPU per rerun (mean)", fmt_s(room["server_cpu_per_rerun_s"])],
            ["server CPU busy during the burst", f"{room['server_cpu_utilisation']:.2f} cores"],
            [
                "server memory idle / after / peak",
                f"{room['memory_idle_mb']['rss_mb']:.0f} / {room['memory_after_mb']['rss_mb']:.0f} / "
                f"{room['memory_after_mb']['peak_mb']:.0f} MB",
            ],
            ["failures", str(len(room["failures"]))],
        ]
        if room.get("floor"):
            f = room["floor"]
            rows += [
                ["Streamlit's floor (one slider): p50 / p95", f"{fmt_s(f['p50_s'])} / {fmt_s(f['p95_s'])}"],
                ["floor: server CPU per rerun", fmt_s(f["server_cpu_per_rerun_s"])],
                [
                    "XOR Lab ÷ floor: p95 / CPU per rerun",
                    f"{room['p95_over_floor']:.2f}× / {room['cpu_over_floor']:.2f}×"
                    if room.get("p95_over_floor") and room.get("cpu_over_floor")
                    else "—",
                ],
            ]
        if room.get("server_flags"):
            rows.append(["server flags", " ".join(room["server_flags"])])
        parts.append("\n4. Classroom: one server, every session on its page, all at once\n" + _grid(["", ""], rows))
    rep = r.get("replay")
    if rep:
        rows = [
            [
                page,
                f"{v['fps']:.1f}",
                f"{v['snapshots_per_second']:.1f}",
                f"{v['draw_ms_per_frame']:.1f} ms",
                f"{v['epoch_before']} → {v['epoch_after']}",
                str(v["script_runs_during_play"]),
                str(v["websocket_messages_during_play"]),
            ]
            for page, v in rep.items()
            if isinstance(v, dict)
        ]
        parts.append(
            f"\n5. Replay in Chromium, Play for {rep['seconds']:g} s (animated chart: {rep['payload_bytes']:,} bytes; "
            f"an empty animation loop in the same browser: {rep.get('raf_floor_fps', '?')} frames/s)\n"
            + _grid(["page", "frames/s", "snapshots/s", "redraw", "epoch", "script runs", "websocket messages"], rows)
        )
    h = r.get("hall")
    if h:
        parts.append("\n6. Lecture hall: one class through HAProxy\n" + _grid(["", ""], hall_rows(h)))
    rows = []
    for v in r.get("targets", []):
        value = v["value"]
        if value is None:
            shown = "—"
        elif "(s)" in v["target"]:
            shown = fmt_s(value)
        elif "bytes" in v["target"]:
            shown = f"{value / 1000:.1f} KB"
        elif "MB" in v["target"]:
            shown = f"{value:.0f} MB"
        else:
            shown = f"{value:.1f}×"
        rows.append(
            [v["target"], v["subject"], shown, v["limit"], {True: "met", False: "NOT MET", None: "—"}[v["met"]]]
        )
    if rows:
        parts.append("\nTargets\n" + _grid(["target", "subject", "value", "target", ""], rows))
    return "\n".join(parts)


def hall_rows(h: dict) -> list[list[str]]:
    if h.get("skipped"):
        return [["skipped", h["skipped"]]]
    rows = [["sessions × moves", f"{h['sessions']} × {h['moves_per_session']} (machine: {h['cores']} cores)"]]
    runs = dict(h["runs"])
    if h.get("again"):
        a = h["again"]
        runs[f"{a['replicas']} replica(s), the class again (baseline, {a.get('bursts', 1)} bursts pooled)"] = a
    if h.get("with_heavy"):
        w = h["with_heavy"]
        pool = f"{w.get('bursts', 1)} bursts pooled"
        runs[f"{w['replicas']} replica(s) + {w['heavy_sessions']} largest digits runs ({pool})"] = w
    for name, x in runs.items():
        share = ", ".join(f"{k}: {v}" for k, v in sorted(x["sessions_per_replica"].items(), key=str))
        rows.append(
            [
                name,
                f"p50 {fmt_s(x['p50_s'])} · p95 {fmt_s(x['p95_s'])} · max {fmt_s(x['max_s'])} · "
                f"{x['moves_per_s']:.1f} moves/s · CPU/rerun {fmt_s(x['servers_cpu_per_rerun_s'])} · "
                f"sessions {share} · failures {len(x['failures'])}",
            ]
        )
    if h.get("p95_one_over_two"):
        rows.append(
            [
                "1 ÷ 2 replicas: p95 / 2 ÷ 1: throughput",
                f"{h['p95_one_over_two']:.2f}× / {h['throughput_two_over_one']:.2f}×",
            ]
        )
    if h.get("heavy_rounds"):
        order = ", ".join(("with " if r["heavy"] else "without ") + fmt_s(r["p95_s"]) for r in h["heavy_rounds"])
        rows.append(["p95 of each burst, in order", order])
    if h.get("heavy_p95_over_plain"):
        rows.append(["light p95 with the digits runs ÷ without", f"{h['heavy_p95_over_plain']:.2f}×"])
    return rows
