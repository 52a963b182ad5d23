"""Timing helpers: a run is timed on the wall clock and on the process's CPU clock; a figure is
the median of several runs after a warm-up, with min and max."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def summary(values: list[float]) -> dict:
    """{"median", "min", "max", "runs"} of a list of numbers (empty → zeros)."""
    if not values:
        return {"median": 0.0, "min": 0.0, "max": 0.0, "runs": []}
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": list(values)}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks, as numpy.percentile does."""
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def time_runs(fns: dict[str, Callable[[], object]], repeat: int, warmup: int = 1) -> dict[str, dict]:
    """Run every function ``warmup`` times, then ``repeat`` rounds of all of them in turn.

    Interleaving the candidates (A, B, C, A, B, C, …) spreads a noisy neighbour's load evenly over
    them, so their ratio means more than their absolute times. Returns, per name, the wall-clock
    ``summary`` in seconds plus ``"cpu"``: the same for process CPU time.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    wall: dict[str, list] = {k: [] for k in fns}
    cpu: dict[str, list] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    return {k: {**summary(wall[k]), "cpu": summary(cpu[k])} for k in fns}


def machine() -> dict:
    """What the figures were measured on, and how busy it was."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": _cpu_model(),
    }
    try:
        info["load_average"] = list(os.getloadavg())
    except OSError:
        pass
    try:
        import numpy

        info["numpy"] = numpy.__version__
        import streamlit

        info["streamlit"] = streamlit.__version__
    except ImportError:
        pass
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
