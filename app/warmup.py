"""Fill the default settings' caches once per server process, in a background thread.

The first student after a deploy would otherwise wait for every page's first computation (the
digits page trains its default network, the vanishing-gradient page two deep ones). Each page's
app module offers ``warm()``: it calls the very same ``st.cache_data`` functions its page calls,
with the default settings, and draws nothing. Streamlit's cache lets a page that asks for a value
the warm-up is still computing wait for it rather than compute it twice, so warming never costs a
page more than it would have paid anyway.

The most expensive pages go first (their default runs take longest, and the first request's own
render leaves the thread time to start on them); the vanishing page's two deep networks train in a
child process when there is a second core (``elsewhere``). A page a student opens jumps the queue;
while a page's script runs, a warmer for any other page pauses at its next ``checkpoint()``
(between its steps, and every epoch of the digits training), so the page being looked at gets the
interpreter to itself.

Set ``XORLAB_NO_WARMUP=1`` to switch it off (the test suite does: AppTest clears the caches
between tests).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import importlib
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

# Each page's module whose warm() fills its default caches (url path -> module): the two pages that
# train deep or digit networks first (~1 s of computing each), then the rest in the order a class
# usually opens them. A page a student opens while the warm-up runs jumps the queue (prefer).
PAGE_WARMERS = {
    "vanishing-gradient": "app.vanishing_charts",
    "digits": "app.digits_run",
    "architecture": "app.architecture_charts",
    "forward-pass": "app.forward_charts",
    "hidden-features": "app.hidden_charts",
    "backprop": "app.backprop_charts",
    "training": "app.training_charts",
}
WARMERS = tuple(PAGE_WARMERS.values())
# While a page's script runs, the warm-up holds back warmers of other pages (each would share the
# one interpreter lock with that page and slow it down) for at most this long per step, so a busy
# classroom cannot starve it.
HOLD_BACK_S = 2.0
THREAD_NAME = "xorlab-warmup"

_lock = threading.Lock()
_started = False
_turn = threading.Condition()  # guards _queue, _wanted, _pages and _current
_queue: list[str] = []  # warmers not started yet, next first
_wanted: set[str] = set()  # warmers of pages someone has opened: run at once, never pause
_pages: collections.Counter = collections.Counter()  # url path -> page scripts running it now
_current: str | None = None  # the warmer at work
timings: dict[str, float | str] = {}  # module -> seconds taken, or the error it raised (for the benchmark)


class _QuietWarmup(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the warm-up thread only: it is
    expected there (no session owns the thread) and would only alarm whoever reads the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (threading.current_thread().name == THREAD_NAME and "ScriptRunContext" in record.getMessage())


def prefer(url_path: str) -> None:
    """A session is opening ``url_path``: warm its page next, before the others still waiting."""
    name = PAGE_WARMERS.get(url_path)
    with _turn:
        if name in _queue:
            _queue.remove(name)
            _queue.insert(0, name)
        if name in _queue or (name is not None and name == _current):
            _wanted.add(name)
            _turn.notify_all()


@contextlib.contextmanager
def page_running(url_path: str = ""):
    """Around a page's script run: other pages' warmers pause (at most HOLD_BACK_S a step) until it ends."""
    with _turn:
        _pages[url_path] += 1
    try:
        yield
    finally:
        with _turn:
            _pages[url_path] -= 1
            if _pages[url_path] <= 0:
                del _pages[url_path]
            _turn.notify_all()


def _may_run(name: str | None) -> bool:
    """Warmer ``name`` may work now: someone opened its page, or no other page's script is running."""
    return name in _wanted or all(PAGE_WARMERS.get(p) == name for p in _pages)


def checkpoint() -> None:
    """A warmer's pause point, called between its steps (and inside long ones). In the warm-up
    thread it waits, at most HOLD_BACK_S, while another page's script runs; anywhere else (a page
    computing the same default, say) it returns at once."""
    if threading.current_thread().name != THREAD_NAME:
        return
    with _turn:
        _turn.wait_for(lambda: _may_run(_current), timeout=HOLD_BACK_S)


def _next() -> str | None:
    global _current
    with _turn:
        _turn.wait_for(lambda: not _queue or _may_run(_queue[0]), timeout=HOLD_BACK_S)
        _current = _queue.pop(0) if _queue else None
        return _current


def _run() -> None:
    start = time.perf_counter()
    with _turn:
        _queue[:] = [n for n in WARMERS if n not in timings]
    while (name := _next()) is not None:
        t0 = time.perf_counter()
        try:
            warm = getattr(importlib.import_module(name), "warm", None)
            if warm is None:
                continue
            warm()
            timings[name] = round(time.perf_counter() - t0, 3)
        except Exception as e:  # noqa: BLE001 - warming is an optimisation: never break the server for it
            timings[name] = f"{type(e).__name__}: {e}"
    # What the warm-up built (imports, caches, chart templates) lives as long as the server. Moving it
    # out of the collector's view once means later full collections do not walk it again: ~90 ms of
    # CPU per full collection before, the first-move outlier the training page measured.
    gc.collect()
    gc.freeze()
    # one line in the server log, so an operator (and tests/test_warmup.py) can see it happened
    failed = {k: v for k, v in timings.items() if isinstance(v, str)}
    print(
        f"XOR Lab warm-up: {len(timings) - len(failed)} page caches filled in {time.perf_counter() - start:.1f} s"
        + (f"; failed: {failed}" if failed else ""),
        file=sys.stderr,
        flush=True,
    )


def start() -> bool:
    """Start the warm-up once per process; True when this call started it."""
    global _started
    if os.environ.get("XORLAB_NO_WARMUP"):
        return False
    with _lock:
        if _started:
            return False
        _started = True
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_QuietWarmup())
    threading.Thread(target=_run, name=THREAD_NAME, daemon=True).start()
    return True


# ----- a second core ------------------------------------------------------------------------------
# The warm-up thread shares one interpreter lock with every page, so on its own it can only take
# turns with them. The longest default computations (the vanishing page's two deep networks, ~0.6 s)
# can instead run in a child Python process, on a second core when there is one, while the thread
# and the pages go on. The child runs the very same core function with the very same arguments.
CHILD_TIMEOUT_S = 120.0
_CHILD_CODE = """
import importlib, pickle, sys
sys.path.insert(0, sys.argv[1])
module, function, calls = pickle.load(sys.stdin.buffer)
f = getattr(importlib.import_module(module), function)
for args in calls:
    pickle.dump(f(*args), sys.stdout.buffer)
    sys.stdout.flush()
"""


class Elsewhere:
    """``module.function(*args)`` for each args in ``calls``, computed in a child process started at
    once; ``next()`` gives the results in order (waiting for each), or None when the child failed
    (the caller then computes the value itself)."""

    def __init__(self, module: str, function: str, calls: list[tuple]) -> None:
        self._left = len(calls)
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD_CODE, str(Path(__file__).resolve().parent.parent)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._proc.stdin.write(pickle.dumps((module, function, calls)))
        self._proc.stdin.close()
        self._timer = threading.Timer(CHILD_TIMEOUT_S, self._proc.kill)  # a stuck child never lingers
        self._timer.daemon = True
        self._timer.start()

    def next(self):
        if self._left <= 0:
            return None
        self._left -= 1
        try:
            out = pickle.load(self._proc.stdout)  # our own child's output: trusted
        except Exception:  # noqa: BLE001 - a failed child only means computing it here
            self._left = 0
            out = None
        if self._left <= 0 or out is None:
            self.close()
        return out

    def close(self) -> None:
        self._timer.cancel()
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._proc.stdout.close()


def elsewhere(module: str, function: str, calls: list[tuple]) -> Elsewhere | None:
    """An Elsewhere when this machine has a second core and a child can be started, else None."""
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return Elsewhere(module, function, calls) if cores > 1 else None
    except Exception:  # noqa: BLE001 - no child process here: the warm-up computes it itself
        return None
