"""Heavy computations in a separate, lower-priority worker process (issue 24 §2).

Every session of a Streamlit server runs its script in a thread of one process, so a long NumPy
computation there shares the interpreter lock and the cores with every light rerun of everyone
else: measured, three of the largest digits runs made the other students' p95 2.6× slower. Here
the computation runs in a small process pool instead — ``heavy.slots()`` processes (the gate lets
no more than that many run at once anyway), started the first time they are needed, each at the
lowest scheduling priority (``os.nice(NICE)``), so a light rerun gets a core before them. The
session's thread waits for the result meanwhile (it holds no lock and uses no CPU) and calls the
run's callbacks — a progress bar — as the worker reports.

``call(fn, *args, **kwargs)`` returns ``fn(*args, **kwargs)``; ``fn`` is a core function (NumPy
only) and its arguments and result are pickled, so the result is the one ``fn`` gives in this
process, bit for bit (tests/test_worker.py). Callable keyword arguments (``on_epoch=…``) are the
run's callbacks: the worker passes ``fn`` stand-ins that send their arguments here, where the real
callback is called in the waiting thread. ``should_stop`` is asked here, after each report and at
least every ``POLL`` seconds; once it says True, or when the waiting thread is interrupted (an
exception from a callback: Streamlit's Stop), the worker's ``should_stop`` returns True and the run
ends at its next check.

If the pool cannot start (a platform without processes, …) the computation runs in this process,
as before, and a log line says so; so does one whose worker failed (a pool shut down meanwhile, a
broken pipe). The page shows the same numbers either way.

No Streamlit import here, and none in the worker: it imports only this module, NumPy and core.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing as mp
import os
import sys
import threading
import time
import types
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path

from app import heavy

NICE = 19  # the lowest priority: a worker runs on whatever CPU the light reruns leave
# One BLAS thread per worker: a heavy place is one core (the gate counts places, not threads), and idle
# BLAS threads that spin would take CPU from the light reruns.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
POLL = 0.1  # seconds between the waiting thread's looks at the worker's reports
# Light work first, between the steps of a run (``call(..., polite=…)``). The lowest priority is not
# enough where two virtual cores share one physical core (a VM's vCPUs are often hyper-threads): there
# a worker slows the light reruns on the *other* core however low its priority. Measured on this 2-core
# VM, a busy loop at SCHED_IDLE and nice 19 made a class's p95 1.4–1.5× slower; the same loop pausing
# while other tasks are runnable, 1.13–1.15× (bench/README.md, "The lecture hall"). So between two steps
# the worker looks (at most every CHECK seconds) at how many tasks the machine runs, and while the others
# would fill every core but one it naps in steps of NAP seconds. It waits at most PATIENCE seconds at a
# time and then computes for at least MIN_RUN seconds before it looks again, so a run still moves (at
# least MIN_RUN / (PATIENCE + MIN_RUN), about a tenth of the time) on a machine that is never idle, or
# one whose /proc/loadavg counts a whole shared host's tasks (a container's).
CHECK = 0.002
NAP = 0.002
PATIENCE = 0.25
MIN_RUN = 0.025
STOP = "stop"
log = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
_failed = False  # the pool could not start: run in this process from now on
_guard = threading.Lock()
_main_guard = threading.Lock()


def _lower_priority(nice: int) -> None:
    """The worker's initializer: lowest priority, where the platform has one.

    On Linux with autogroups (the default), a niceness counts only against processes of the same
    session: the worker would still take as much CPU as every other session (the other replicas,
    HAProxy, …). So it starts a session of its own and gives that session's group the niceness too; and
    as it has left the server's process group (which the launcher stops as a whole), it ends itself
    when the server goes."""
    try:
        os.nice(nice)
    except (AttributeError, OSError):  # no os.nice (Windows) or not allowed: run at normal priority
        return
    try:  # Linux: run only when a core would otherwise be idle (this thread computes; threads it starts inherit)
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    group = Path("/proc/self/autogroup")
    if not group.exists():
        return
    server = os.getppid()
    try:
        os.setsid()
        group.write_text(f"{nice}\n")
    except OSError:
        return
    threading.Thread(target=_end_with, args=(server,), daemon=True).start()


def _end_with(server: int) -> None:
    """In the worker: exit as soon as the server process is gone (the worker is then someone else's child)."""
    while os.getppid() == server:
        time.sleep(1.0)
    os._exit(0)


class _WorkerProcess(SpawnProcess):
    """A spawned worker that does not run a page script on starting. A new interpreter rebuilds the
    parent's ``__main__`` by running its file again, and in a Streamlit server ``__main__`` is the page
    script of the latest rerun (Streamlit sets it for every run): so the worker starts with a plain
    ``__main__`` without a file instead (it needs only this module, NumPy and core)."""

    def start(self) -> None:
        with _main_guard:
            main, sys.modules["__main__"] = sys.modules["__main__"], types.ModuleType("__main__")
            saved = {k: os.environ.get(k) for k in ONE_THREAD}
            os.environ.update(ONE_THREAD)  # the new interpreter reads these before it loads NumPy's BLAS
            try:
                super().start()
            finally:
                sys.modules["__main__"] = main
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v


class _Spawn(SpawnContext):
    Process = _WorkerProcess


def pool() -> ProcessPoolExecutor | None:
    """This server process's worker pool (started on first use), or None when it cannot start."""
    global _pool, _failed
    with _guard:
        if _pool is None and not _failed:
            try:
                _pool = ProcessPoolExecutor(
                    max_workers=heavy.slots(),
                    mp_context=_Spawn(),  # a fresh interpreter: no copy of the server's threads and locks
                    initializer=_lower_priority,
                    initargs=(NICE,),
                )
                atexit.register(shutdown)
            except (OSError, ValueError, NotImplementedError, ImportError) as e:
                _failed = True
                log.warning("XOR Lab: heavy computations run in the server process (no worker process: %s)", e)
        return _pool


def shutdown() -> None:
    """Stop the workers (at exit; tests)."""
    global _pool
    with _guard:
        p, _pool = _pool, None
    if p is not None:
        p.shutdown(wait=True, cancel_futures=True)


def running_tasks() -> int | None:
    """Tasks runnable on this machine right now, the caller included (Linux: /proc/loadavg's fourth
    field); None where that cannot be read."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return None


class Polite:
    """A run's per-step hook in the worker: lets other work have the CPU first (see PATIENCE above).
    ``read``, ``nap`` and ``clock`` are for tests."""

    def __init__(self, cores: int | None = None, read=running_tasks, nap=time.sleep, clock=time.perf_counter):
        self.room = max(1, (cores or os.cpu_count() or 1) - 1)  # others that leave this run a core
        self.read, self.nap, self.clock = read, nap, clock
        self.next_look = 0.0
        self.napped = 0.0  # seconds given to other work so far

    def busy(self) -> bool:
        n = self.read()
        return n is not None and n - 1 >= self.room

    def __call__(self) -> None:
        now = self.clock()
        if now < self.next_look:
            return
        start, gave_up = now, False
        while self.busy():
            if now - start >= PATIENCE:
                gave_up = True
                break
            self.nap(NAP)
            now = self.clock()
        self.napped += now - start
        self.next_look = now + (MIN_RUN if gave_up else CHECK)


def _forward(conn, name: str):
    def send(*args) -> None:
        conn.send((name, args))

    return send


def _job(fn, args: tuple, kwargs: dict, callbacks: tuple[str, ...], stoppable: bool, conn, polite: str | None = None):
    """In the worker: ``fn`` with stand-ins for its callbacks; ``should_stop`` is True once the
    waiting thread said stop or went away (its end of the pipe closed); ``polite``: the name of fn's
    per-step hook, given a ``Polite``."""
    try:
        kwargs = {**kwargs, **{name: _forward(conn, name) for name in callbacks}}
        if polite:
            kwargs[polite] = Polite()
        if stoppable:
            kwargs["should_stop"] = conn.poll
        return fn(*args, **kwargs)
    finally:
        conn.close()


def call(fn, /, *args, should_stop=None, polite: str | None = None, **kwargs):
    """``fn(*args, **kwargs)`` computed in a worker process (see the module docstring). ``polite``: the
    name of ``fn``'s keyword argument for a hook it calls after every step (core.sgd's ``on_step``): in
    the worker it gets a ``Polite``, so the run lets light work have the CPU first; in this process
    (no worker) nothing is passed."""
    callbacks = {k: v for k, v in kwargs.items() if callable(v)}
    plain = {k: v for k, v in kwargs.items() if k not in callbacks}
    p = pool()
    if p is not None:
        here, there = mp.Pipe()
        try:
            if should_stop is not None and should_stop():
                here.send(STOP)  # stopped before it started: the run's first check says so
            future = p.submit(_job, fn, args, plain, tuple(callbacks), should_stop is not None, there, polite)
            return _wait(future, here, callbacks, should_stop)
        except BrokenProcessPool as e:  # a worker could not start (or died): this process from now on
            _give_up(e)
        except (RuntimeError, EOFError, ConnectionError, mp.AuthenticationError) as e:
            # the pool was shut down meanwhile, or the pipe to the worker failed: this run here, this once
            log.warning("XOR Lab: a heavy computation runs in the server process (worker: %r)", e, exc_info=True)
        finally:
            here.close()  # an interrupted wait (Stop) ends the run at its next check
            there.close()  # (kept open until now: the pool pickles it for the worker in another thread)
    extra = {} if should_stop is None else {"should_stop": should_stop}
    return fn(*args, **kwargs, **extra)


def _wait(future, here, callbacks: dict, should_stop):
    """Call the run's callbacks as the worker reports, ask it to stop when told to, return its result."""
    asked = False
    while True:
        if here.poll(POLL):  # a report (those sent before the run returned are read before its result)
            name, args = here.recv()
            callbacks[name](*args)
        elif future.done():
            return future.result()
        if not asked and should_stop is not None and should_stop():
            here.send(STOP)
            asked = True


def _give_up(e: Exception) -> None:
    global _failed, _pool
    with _guard:
        _failed, p, _pool = True, _pool, None
    if p is not None:
        p.shutdown(wait=False, cancel_futures=True)
    log.warning("XOR Lab: heavy computations run in the server process (the worker process failed: %s)", e)
