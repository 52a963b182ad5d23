"""``python -m bench``: measure XOR Lab and print a table; the same figures go to a JSON file.

    python -m bench                      # everything (~10 min on a 2-core machine)
    python -m bench --quick              # tiny settings, for the test suite (~15 s)
    python -m bench --sections core      # only some of: core, pages, payload, classroom, replay, hall
    python -m bench --sections hall      # the lecture hall: 60 sessions through HAProxy, 1 and 2 replicas
    python -m bench --server-flag=--runner.postScriptGC=false   # try a server setting
    python -m bench --sections pages --probe --quick   # the probe's move (x1 of the probed point), warm

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import classroom, core_bench, hall, pages_bench, payload, replay_bench  # noqa: E402
from bench.report import table, verdicts  # noqa: E402
from bench.timing import machine  # noqa: E402

SECTIONS = ("core", "pages", "payload", "classroom", "replay", "hall")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="tiny settings (seconds, not minutes); figures are not comparable"
    )
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json", help="JSON file to write")
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--pages", default=None, help="comma-separated url paths (home is 'home'); default: every page")
    p.add_argument(
        "--probe",
        action="store_true",
        help="pages: move the probed point (x1) instead of each page's typical control (default pages: those with one)",
    )
    p.add_argument("--sessions", type=int, default=None, help="classroom sessions (default 30; 2 with --quick)")
    p.add_argument("--moves", type=int, default=None, help="moves per classroom session (default 5; 2 with --quick)")
    p.add_argument("--hall-sessions", type=int, default=None, help="lecture-hall sessions (default 60; 4 with --quick)")
    p.add_argument(
        "--hall-heavy",
        type=int,
        default=None,
        help="lecture hall: sessions that start the largest digits run during the class (default 3; 1 with --quick)",
    )
    p.add_argument(
        "--server-flag",
        action="append",
        default=[],
        help="extra `streamlit run` option for the benchmark's servers, e.g. --server-flag=--runner.postScriptGC=false",
    )
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    return args


def page_list(args: argparse.Namespace) -> dict[str, str]:
    """url path -> page file, for the pages to measure."""
    from app import nav

    pages = {p[3]: p[0] for p in nav.available()}
    if args.pages:
        wanted = ["" if w.strip() == "home" else w.strip() for w in args.pages.split(",")]
        missing = [w for w in wanted if w not in pages]
        if missing:
            raise SystemExit(f"no such page(s): {missing}; available: {[p or 'home' for p in pages]}")
        pages = {w: pages[w] for w in wanted}
    elif args.probe:
        pages = {w: pages[w] for w in pages_bench.PROBE_MOVES if w in pages}
    elif args.quick:
        pages = {"": pages[""]}
    return pages


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    results: dict = {"quick": args.quick, "machine_before": machine(), "server_flags": args.server_flag}
    pages = page_list(args)
    flags = tuple(args.server_flag)
    if "core" in args.sections:
        results["core"] = core_bench.run(quick=args.quick, log=log)
    if "pages" in args.sections:
        moves = pages_bench.PROBE_MOVES if args.probe else pages_bench.MOVES
        results["pages"] = pages_bench.run(list(pages), quick=args.quick, flags=flags, log=log, moves=moves)
    if "payload" in args.sections:
        results["payload"] = payload.run(pages, log=log)
    if "classroom" in args.sections:
        sessions = args.sessions or (2 if args.quick else 30)
        moves = args.moves or (2 if args.quick else 5)
        results["classroom"] = classroom.run(list(pages), sessions, moves, flags=flags, log=log)
    if "replay" in args.sections:
        results["replay"] = replay_bench.run(seconds=1.0 if args.quick else 5.0, log=log)
    if "hall" in args.sections:
        results["hall"] = hall.run(
            list(pages),
            sessions=args.hall_sessions or (4 if args.quick else 60),
            moves=args.moves or (2 if args.quick else 5),
            heavy=args.hall_heavy if args.hall_heavy is not None else (1 if args.quick else 3),
            quick=args.quick,
            flags=flags,
            log=log,
        )
    results["machine_after"] = machine()
    results["targets"] = verdicts(results)
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str))
    log(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
