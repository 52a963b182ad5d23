"""Fill every chapter's default caches once per server process, in a background thread.

The first student after a deploy would otherwise wait for a chapter's first computation (the
digits page trains its default network, the vanishing-gradient page two deep ones). Each chapter's
``app/<chapter>/run.py`` offers ``warm()``: it calls the very same ``st.cache_data`` functions its
page calls, with the default settings, and draws nothing. Streamlit's cache lets a page that asks
for a value the warm-up is still computing wait for it rather than compute it twice.

The most expensive chapter goes first; a chapter a student opens while the warm-up runs goes next
(``prefer``). A chapter's ``warm()`` may be a generator: each ``yield`` marks a point between two
expensive steps where the warm-up steps aside while a student's script for *another* chapter runs
(``page_running``, around every page run in app/main.py), so that student's first render does not
share the interpreter with the warm-up (measured in ``python -m bench``: the cold render of a page
opened while the warm-up trains another chapter's networks). A pause lasts at most ``MAX_PAUSE``
seconds, so a page that waits for something the warm-up holds can never wait forever. Chapters are
found through ``app.nav`` (a page ``pages/x.py`` has its chapter in ``app/x/``), so no chapter
imports this module.

Set ``XORLAB_NO_WARMUP=1`` to switch it off (the test suite does: AppTest clears the caches
between tests).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import logging
import os
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager

from app import nav

FIRST = ("vanishing-gradient", "digits")  # the two that train most (~2 s and ~0.3 s)
THREAD_NAME = "xorlab-warmup"

_lock = threading.Lock()
_started = False
_queue: list[str] = []  # url paths of chapters not warmed yet, next first
timings: dict[str, float | str] = {}  # url path -> seconds taken, or the error it raised
MAX_PAUSE = 3.0  # seconds the warm-up waits at one step for other chapters' scripts
_running: Counter = Counter()  # url path -> scripts of that page running now (all sessions)
_current: str | None = None  # the chapter being warmed


def chapters() -> list[tuple[str, str]]:
    """(url path, chapter module) of every page with a chapter package, the expensive ones first."""
    found = [(p[3], f"app.{p[0].removesuffix('.py')}.run") for p in nav.available()]
    found = [(path, mod) for path, mod in found if (nav.ROOT / mod.replace(".", "/")).with_suffix(".py").exists()]
    return sorted(found, key=lambda pm: (pm[0] not in FIRST, FIRST.index(pm[0]) if pm[0] in FIRST else 0))


class _QuietWarmup(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the warm-up thread only: it is
    expected there (no session owns the thread) and would only alarm whoever reads the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (threading.current_thread().name == THREAD_NAME and "ScriptRunContext" in record.getMessage())


def prefer(url_path: str) -> None:
    """A session is opening ``url_path``: warm its chapter next."""
    with _lock:
        if url_path in _queue:
            _queue.remove(url_path)
            _queue.insert(0, url_path)


@contextmanager
def page_running(url_path: str):
    """Around a page's script run (app/main.py): while it runs, the warm-up steps aside at its next
    step unless it is warming this very page (then the page waits for the warm-up's values instead
    of computing them twice)."""
    with _lock:
        _running[url_path] += 1
    try:
        yield
    finally:
        with _lock:
            _running[url_path] -= 1
            if _running[url_path] <= 0:
                del _running[url_path]


def _others_running(chapters: dict) -> bool:
    with _lock:
        return any(path != _current and path in chapters for path in _running)


def _step_aside(chapters: dict) -> None:
    """Between two steps of a warm(): wait while another chapter's script runs (MAX_PAUSE at most)."""
    deadline = time.perf_counter() + MAX_PAUSE
    while _others_running(chapters) and time.perf_counter() < deadline:
        time.sleep(0.005)


def complete(warming, between=lambda: None) -> None:
    """Run a chapter's ``warm()`` result to the end: nothing to do for a plain function's None; a
    generator's steps one by one, calling ``between`` at each of its ``yield``s."""
    if inspect.isgenerator(warming):
        for _ in warming:
            between()


def _next() -> str | None:
    with _lock:
        return _queue.pop(0) if _queue else None


def _run() -> None:
    start = time.perf_counter()
    modules = dict(chapters())
    with _lock:
        _queue[:] = [path for path in modules if path not in timings]
    global _current
    while (path := _next()) is not None:
        t0 = time.perf_counter()
        _current = path
        try:
            complete(importlib.import_module(modules[path]).warm(), between=lambda: _step_aside(modules))
            timings[path] = round(time.perf_counter() - t0, 3)
        except Exception as e:  # noqa: BLE001 - warming is an optimisation: never break the server for it
            timings[path] = f"{type(e).__name__}: {e}"
    _current = None
    # What the warm-up built lives as long as the server: moving it out of the garbage collector's
    # view once means later full collections do not walk it again.
    gc.collect()
    gc.freeze()
    failed = {k: v for k, v in timings.items() if isinstance(v, str)}
    print(  # one line in the server log, so an operator (and the tests) can see it happened
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
