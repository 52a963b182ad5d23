"""Heavy work shared fairly (issue 24 §2): a server-wide limit on computations that take seconds of CPU.

Every session of a Streamlit server runs in one process, so one module-level ``Gate`` is shared by
all of them. A heavy computation (a digits training run, …) asks for a turn: at most ``slots`` run at
once, the others wait first come, first served, and can see how many runs are ahead of theirs. A
result that is already cached never asks (the caller looks in its cache first), so it never waits.

``slots()``: ``XORLAB_HEAVY_SLOTS`` when it is a whole number ≥ 1, else max(1, cores − 1) — one core
stays free for the light reruns of everyone else. ``python -m deploy`` sets it per replica so that the
replicas together keep to that.

Usage (a Streamlit page; ``on_wait`` may update the page, and a Streamlit interruption raised there —
the student pressed Stop — takes the ticket out of the queue)::

    with heavy.turn(on_wait=lambda ahead: bar.progress(0.0, text=f"{ahead} runs ahead of yours")):
        hist = train(...)

No Streamlit import here: the gate is plain threading, tested with threads (tests/test_heavy.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

ENV = "XORLAB_HEAVY_SLOTS"


def slots(env: dict | None = None, cores: int | None = None) -> int:
    """How many heavy computations may run at once in this server process."""
    raw = (env if env is not None else os.environ).get(ENV, "").strip()
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    cores = cores or os.cpu_count() or 1
    return max(1, cores - 1)


class Ticket:
    """One request for a turn; ``started`` once it holds a slot."""

    __slots__ = ("started",)

    def __init__(self) -> None:
        self.started = False


class Gate:
    """At most ``n`` holders at once; waiting tickets are served in the order they arrived."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("a gate needs at least one slot")
        self.n = n
        self._cv = threading.Condition()
        self._queue: list[Ticket] = []
        self.running = 0

    def enter(self) -> Ticket:
        """Join the end of the queue."""
        t = Ticket()
        with self._cv:
            self._queue.append(t)
            self._cv.notify_all()
        return t

    def ahead(self, t: Ticket) -> int:
        """Runs that will start before this ticket: those waiting in front of it, plus those running
        (a ticket that has started has none)."""
        with self._cv:
            if t.started or t not in self._queue:
                return 0
            return self._queue.index(t) + self.running

    def waiting(self) -> int:
        with self._cv:
            return len(self._queue)

    def start(self, t: Ticket, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for this ticket's turn; True once it holds a slot."""
        with self._cv:
            ok = self._cv.wait_for(lambda: t in self._queue and self._queue[0] is t and self.running < self.n, timeout)
            if ok:
                self._queue.pop(0)
                self.running += 1
                t.started = True
                self._cv.notify_all()
            return ok

    def leave(self, t: Ticket) -> None:
        """Give the slot back, or leave the queue (cancelled before its turn). Idempotent."""
        with self._cv:
            if t.started:
                t.started = False
                self.running -= 1
            elif t in self._queue:
                self._queue.remove(t)
            self._cv.notify_all()

    @contextmanager
    def turn(self, on_wait: Callable[[int], None] | None = None, poll: float = 0.25) -> Iterator[Ticket]:
        """Hold a slot for the body. While waiting, ``on_wait(runs ahead)`` is called every ``poll``
        seconds; whatever it (or the body) raises gives the place back."""
        t = self.enter()
        try:
            while not self.start(t, poll):
                if on_wait is not None:
                    on_wait(self.ahead(t))
            yield t
        finally:
            self.leave(t)


_shared: Gate | None = None
_shared_guard = threading.Lock()


def gate() -> Gate:
    """This server process's one gate (created on first use, with ``slots()``)."""
    global _shared
    with _shared_guard:
        if _shared is None:
            _shared = Gate(slots())
        return _shared


def turn(on_wait: Callable[[int], None] | None = None, poll: float = 0.25):
    """``with heavy.turn(...)``: a slot of the server's gate (see ``Gate.turn``)."""
    return gate().turn(on_wait, poll)


class NotCached(Exception):
    """Raised by a cached function asked only to look (see ``Look``); an exception is never cached."""


class Look:
    """Ask a cached function (``st.cache_data``) for a result it already holds, without computing one,
    so that a result someone has computed never queues at the gate: the function calls ``check()``
    first; ``only(fn, *args)`` returns its cached result, or None when it would have to compute."""

    def __init__(self) -> None:
        self._local = threading.local()  # each session's script runs in its own thread

    def check(self) -> None:
        if getattr(self._local, "only", False):
            raise NotCached

    def only(self, fn: Callable, *args):
        self._local.only = True
        try:
            return fn(*args)
        except NotCached:
            return None
        finally:
            self._local.only = False
