"""Fill the default settings' caches once per server process, in a background thread.

The first student after a deploy would otherwise wait for every page's first computation (the
digits page trains its default network, the vanishing-gradient page two deep ones). Each page's
app module offers ``warm()``: it calls the very same ``st.cache_data`` functions its page calls,
with the default settings, and draws nothing. Streamlit's cache lets a page that asks for a value
the warm-up is still computing wait for it rather than compute it twice, so warming never costs a
page more than it would have paid anyway.

Set ``XORLAB_NO_WARMUP=1`` to switch it off (the test suite does: AppTest clears the caches
between tests).
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import threading
import time

# Modules whose warm() fills their page's default caches, in the order a class usually opens them.
WARMERS = (
    "app.architecture_charts",
    "app.forward_charts",
    "app.hidden_charts",
    "app.backprop_charts",
    "app.training_charts",
    "app.vanishing_charts",
    "app.digits_run",
)
THREAD_NAME = "xorlab-warmup"

_lock = threading.Lock()
_started = False
timings: dict[str, float | str] = {}  # module -> seconds taken, or the error it raised (for the benchmark)


class _QuietWarmup(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the warm-up thread only: it is
    expected there (no session owns the thread) and would only alarm whoever reads the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (threading.current_thread().name == THREAD_NAME and "ScriptRunContext" in record.getMessage())


def _run() -> None:
    start = time.perf_counter()
    for name in WARMERS:
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
