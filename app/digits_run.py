"""Data, training and caching for the Handwritten digits page (Streamlit glue; the maths is in core).

Caching a run that shows a progress bar
---------------------------------------
``st.cache_data`` replays the Streamlit calls a cached function made, and refuses (at replay time)
calls on containers created outside it, so the progress bar cannot live inside a cached function.
Instead the page asks the cache first (:func:`cached_history`); on a miss it trains *outside* the
cache with the progress bar, then hands the finished history to the same cached function
(:func:`store_history`), which returns it and so stores it. The hand-over goes through a
thread-local, because every Streamlit session runs its script in its own thread. Only complete
runs are cached (bounded by ``max_entries``), keyed on every setting and the data's identity.

Stopping
--------
Streamlit cannot deliver a click while the script is busy: clicking *Stop* asks for a rerun, and
Streamlit interrupts the running script at its next Streamlit call (the next progress-bar update,
once per epoch or every few dozen mini-batches) and starts the script again, in which the Stop
button reads True. So after every epoch the training loop saves what it has into
``st.session_state["dg_partial"]``; the rerun that sees Stop pressed adopts that partial run as
``st.session_state["dg_stopped"]`` and shows it (“stopped after 7 of 20 epochs”) on every later
rerun with the same settings, until the user presses *Continue training* or changes a setting.
Training also stops by itself after ``TIME_LIMIT`` seconds (60 s on the 8×8 digits, 300 s on MNIST:
a shared server must stay responsive); that partial run is kept the same way. *Continue training*
carries on from the stopped run's last finished epoch (``core.sgd.train_minibatch(resume=...)``):
the finished run equals one trained straight through, so it is cached like one.

Warming
-------
:func:`warm` trains the page's default network once per server process, in a background thread,
through these very caches (and builds the default learning-curve charts), so the first visitor
gets a remembered run. Training is single-flight per settings: whoever trains a network (a session
or warm()) holds its lock, and a visitor who asks for the same settings meanwhile (a class opening
the page together, or arriving while warm() trains) waits for that run instead of training it again.

Memory
------
Images stay one byte per pixel (uint8) in :class:`Data`; mini-batches are scaled to [0, 1] as they
are used, so MNIST's 70,000 images take 55 MB instead of 440 MB as float64.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from core.digits import (
    DigitsDataError,
    check_folder,
    confusion_matrix,
    download_mnist,
    find_mnist_files,
    load_bundled,
    load_mnist,
    one_hot,
    stratified_split,
)
from core.mlp import MLP
from core.sgd import EVAL_CHUNK, SGDHistory, train_minibatch

ss = st.session_state
# seconds: longer runs stop by themselves and keep what they learned (a shared server must stay
# responsive). The default 8×8 run takes a few seconds; MNIST's suggested run about a minute when idle.
TIME_LIMIT = {"digits8": 60.0, "mnist": 300.0}
EVAL_MAX = 10_000  # training-set loss/accuracy measured on at most this many fixed images
TEST_FRACTION = 0.25
SPLIT_SEED = 0


# ----- data -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Data:
    """A train/test pair ready for the network, stored compactly (read-only, shared by sessions).

    X_train (N, h·w), X_test (N_test, h·w): pixel counts 0..max_value as uint8, one flattened image
    per row; the network's input is X / max_value (:meth:`inputs`, or ``x_max`` in core.sgd).
    Y_train (N, 10), Y_test (N_test, 10): one-hot as uint8.
    """

    key: str  # identity for cache keys
    name: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    test_labels: np.ndarray  # (N_test,)
    test_images: np.ndarray  # (N_test, h, w) integers 0..max_value (the same bytes as X_test)
    test_ids: np.ndarray  # (N_test,) row numbers in the source file (for "image #")
    shape: tuple
    max_value: int
    n_train: int

    @property
    def d(self) -> int:
        return int(self.X_train.shape[1])

    def inputs(self, rows) -> np.ndarray:
        """Test rows as the network's float64 inputs in [0, 1]: X_test[rows] / max_value."""
        return self.X_test[rows] / self.max_value

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (views of the same buffer counted once)."""
        seen, total = set(), 0
        for a in (self.X_train, self.Y_train, self.X_test, self.Y_test, self.test_labels, self.test_images):
            while isinstance(a, np.ndarray) and a.base is not None:  # the object that owns the memory
                a = a.base
            if id(a) not in seen:
                seen.add(id(a))
                total += a.nbytes if isinstance(a, np.ndarray) else memoryview(a).nbytes
        return total


def _read_only(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


@st.cache_resource(max_entries=2, show_spinner=False)
def digits_data(test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED) -> Data:
    """The bundled 8×8 set split (stratified, seeded) into train and held-out test images.

    cache_resource: one read-only copy shared by every session (no per-rerun copy).
    """
    ds = load_bundled()
    tr, te = stratified_split(ds.labels, test_fraction, seed)
    Y = one_hot(ds.labels).astype(np.uint8)
    test_images = ds.images[te]
    data = Data(
        key=f"digits8/{test_fraction}/{seed}",
        name=f"UCI 8×8 digits: {len(tr):,} training and {len(te):,} held-out test images",
        X_train=ds.images[tr].reshape(len(tr), -1),
        Y_train=Y[tr],
        X_test=test_images.reshape(len(te), -1),
        Y_test=Y[te],
        test_labels=ds.labels[te],
        test_images=test_images,
        test_ids=te,
        shape=ds.shape,
        max_value=ds.max_value,
        n_train=len(tr),
    )
    _read_only(data.X_train, data.Y_train, data.X_test, data.Y_test, data.test_labels, data.test_images, data.test_ids)
    return data


def mnist_fingerprint(folder: str) -> str | None:
    """name:size:mtime of the four files (None when any is missing); a changed file reloads."""
    from pathlib import Path

    found = find_mnist_files(Path(folder))
    if any(p is None for p in found.values()):
        return None
    parts = []
    for p in found.values():
        st_ = p.stat()
        parts.append(f"{p.name}:{st_.st_size}:{st_.st_mtime_ns}")
    return "|".join(parts)


@st.cache_resource(max_entries=1, show_spinner=False)
def _mnist(folder: str, fingerprint: str) -> Data:
    """MNIST as it is stored, one byte per pixel (55 MB for 70,000 images; 440 MB as float64), shared
    read-only by every session: cache_resource, not a copy."""
    train, test = load_mnist(folder)
    Xtr, Xte = train.images.reshape(len(train), -1), test.images.reshape(len(test), -1)  # views, no copy
    Ytr, Yte = one_hot(train.labels).astype(np.uint8), one_hot(test.labels).astype(np.uint8)
    _read_only(Xtr, Xte, Ytr, Yte, test.images, test.labels)
    return Data(
        key=f"mnist/{fingerprint}",
        name=f"MNIST {train.shape[0]}×{train.shape[1]}: {len(train):,} training and {len(test):,} test images",
        X_train=Xtr,
        Y_train=Ytr,
        X_test=Xte,
        Y_test=Yte,
        test_labels=test.labels,
        test_images=test.images,
        test_ids=np.arange(len(test)),
        shape=train.shape,
        max_value=train.max_value,
        n_train=len(train),
    )


def mnist_data(folder: str) -> Data:
    """MNIST from ``folder``, which is only read (validated by core); raises DigitsDataError with a
    plain message."""
    path = str(check_folder(folder))
    fp = mnist_fingerprint(path)
    if fp is None:
        load_mnist(path)  # raises the precise "missing files" message
    return _mnist(path, fp)


_download_lock = threading.Lock()  # one download at a time per server: 30 students, one 55 MB copy


def download(progress) -> str:
    """Download MNIST into the app's temporary folder (the only place the app writes); returns that
    folder. Another session's download in progress raises DigitsDataError instead of starting a
    second one."""
    if not _download_lock.acquire(blocking=False):
        raise DigitsDataError("Another visitor is downloading MNIST right now; try again in a minute.")
    try:
        return str(download_mnist(progress))
    finally:
        _download_lock.release()


# ----- settings and runs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    data: str  # Data.key
    layers: int
    width: int
    act: str
    init: str
    lr: float
    sched: str
    batch: int
    epochs: int
    seed: int

    def sizes(self, d: int) -> list[int]:
        return [d] + [self.width] * self.layers + [10]


# The page's default settings (its widgets' defaults, and what warm() trains).
DEFAULTS = {
    "layers": 1,
    "width": 32,
    "act": "relu",
    "init": "he_normal",
    "lr": 0.1,
    "sched": "cosine",
    "batch": 16,
    "epochs": 30,
    "seed": 0,
}
# What the page's "Use settings suited to MNIST" button changes; the rest stays as it is.
# tests/test_mnist_target.py trains exactly this on real MNIST (97.33 % test accuracy).
MNIST_SUGGESTED = {"width": 128, "lr": 0.1, "batch": 64, "epochs": 10}


def default_settings(data: Data) -> Settings:
    return Settings(data.key, **DEFAULTS)


class _NotCached(Exception):
    pass


_handoff = threading.local()


@st.cache_data(max_entries=16, show_spinner=False)
def _history(settings: Settings) -> SGDHistory:
    hist = getattr(_handoff, "hist", None)
    _handoff.hist = None
    if hist is None:
        raise _NotCached
    return hist


def cached_history(settings: Settings) -> SGDHistory | None:
    """The finished run for these settings if any session has trained it (else None)."""
    try:
        return _history(settings)
    except _NotCached:
        return None


def store_history(settings: Settings, hist: SGDHistory) -> None:
    _handoff.hist = hist
    try:
        _history(settings)
    finally:
        _handoff.hist = None


def train(
    settings: Settings, data: Data, on_epoch=None, on_batch=None, should_stop=None, resume: SGDHistory | None = None
) -> SGDHistory:
    """One run of core.sgd.train_minibatch on a fresh core MLP with a softmax output (or the
    continuation of a stopped run of the same settings)."""
    net = MLP.create(settings.sizes(data.d), settings.act, "softmax", settings.init, settings.seed)
    return train_minibatch(
        net,
        data.X_train,
        data.Y_train,
        data.X_test,
        data.Y_test,
        lr=settings.lr,
        epochs=settings.epochs,
        batch_size=settings.batch,
        schedule=settings.sched,
        seed=settings.seed,
        on_epoch=on_epoch,
        on_batch=on_batch,
        # within-epoch progress only where an epoch is long (MNIST: ~940 batches); a bundled-digits epoch
        # takes ~25 ms, and each bar update is a message to the browser (8 % of a default run's time)
        batch_every=100,
        should_stop=should_stop,
        eval_max=EVAL_MAX,
        x_max=data.max_value,
        resume=resume,
    )


def get_history(settings: Settings, data: Data) -> tuple[SGDHistory, str]:
    """The run for these settings: from the cache, a stopped partial run, or trained now with a
    progress bar and a Stop button. Returns (history, how) with how in {"cache", "stopped", "trained"}.
    """
    hist = cached_history(settings)
    if hist is not None:
        return hist, "cache"
    stopped = ss.get("dg_stopped")
    if stopped and stopped["key"] == settings:
        return stopped["hist"], "stopped"
    going_on = ss.get("dg_continue")
    going_on = going_on["hist"] if going_on and going_on["key"] == settings else None

    slot = st.empty()  # one placeholder, so the whole progress box disappears when training ends
    box = slot.container(border=True)
    left, right = box.columns([5, 1], vertical_alignment="bottom")
    first = going_on.epochs_run if going_on else 0
    bar = left.progress(
        first / max(settings.epochs, 1),
        text=f"Training epochs {first + 1}–{settings.epochs} …" if first else f"Training {settings.epochs} epochs …",
    )
    stop = right.button("Stop", key="dg_stop", icon=":material/stop:", help="Keep what has been learned so far.")
    if stop:  # this rerun was caused by the click: keep what the interrupted run saved
        partial = ss.get("dg_partial")
        if not (partial and partial["key"] == settings):  # stopped before the first epoch (of this part) ended
            partial = {"key": settings, "hist": going_on or train(settings, data, should_stop=lambda: True)}
        h = partial["hist"]
        h = replace(h, stopped=f"was stopped after {h.epochs_run} of {h.epochs_planned} epochs")
        partial = {"key": settings, "hist": h}
        ss["dg_stopped"] = partial
        ss.pop("dg_partial", None)
        ss.pop("dg_continue", None)
        slot.empty()
        return partial["hist"], "stopped"

    E = max(settings.epochs, 1)
    limit = TIME_LIMIT["mnist" if settings.data.startswith("mnist") else "digits8"]
    flight = _flight(settings) if going_on is None else None
    if flight is not None and not flight.acquire(blocking=False):
        # another session (or warm()) is training these very settings: wait for its run, not train twice
        t0 = time.perf_counter()
        while not flight.acquire(timeout=0.25):
            if time.perf_counter() - t0 > limit:
                flight = None  # it is taking too long: train here as well
                break
            bar.progress(0.0, text=f"Training {E} epochs … (this network is already being trained for another visitor)")
        hist = cached_history(settings)
        if hist is not None:
            _land(settings, flight)
            slot.empty()
            return hist, "cache"
    try:
        return _train_here(settings, data, going_on, slot, bar, E, limit)
    finally:
        _land(settings, flight)


def _flight(settings: Settings) -> threading.Lock:
    """The lock held by whoever is training these settings now (a session or warm())."""
    with _flights_guard:
        return _flights.setdefault(settings, threading.Lock())


def _land(settings: Settings, flight: threading.Lock | None) -> None:
    if flight is not None:
        with _flights_guard:
            if _flights.get(settings) is flight:
                del _flights[settings]  # bounded: only runs in progress are listed
        flight.release()


_flights: dict[Settings, threading.Lock] = {}
_flights_guard = threading.Lock()


def _train_here(settings: Settings, data: Data, going_on, slot, bar, E: int, limit: float) -> tuple[SGDHistory, str]:
    t0 = time.perf_counter()

    def on_epoch(e: int, h: SGDHistory) -> None:
        ss["dg_partial"] = {"key": settings, "hist": h}
        bar.progress(
            min(e / E, 1.0),
            text=f"Epoch {e} of {E} · running loss {h.running_loss[-1]:.4f} · test accuracy {h.test_acc[-1]:.1%}",
        )

    def on_batch(e: int, b: int, n: int, running: float) -> None:
        text = f"Epoch {e} of {E} · batch {b} of {n} · running loss {running:.4f}"
        bar.progress(min((e - 1 + b / n) / E, 1.0), text=text)

    def should_stop() -> bool:
        return time.perf_counter() - t0 > limit

    hist = train(settings, data, on_epoch, on_batch, should_stop, resume=going_on)
    slot.empty()
    ss.pop("dg_partial", None)
    ss.pop("dg_continue", None)
    if hist.complete or hist.diverged:  # both are what these settings always give: cache them
        store_history(settings, hist)
        return hist, "trained"
    hist.stopped = f"reached the time limit of {limit:.0f} s and {hist.stopped}"
    ss["dg_stopped"] = {"key": settings, "hist": hist}
    return hist, "stopped"


def resume() -> None:
    """Continue the stopped run: the next rerun trains its remaining epochs (not from epoch 0)."""
    stopped = ss.pop("dg_stopped", None)
    ss.pop("dg_partial", None)
    if stopped and not stopped["hist"].diverged:
        ss["dg_continue"] = stopped


# ----- warming ------------------------------------------------------------------------------------
_warm_started = threading.Lock()  # taken once per process, never released: warm() runs once
_warm_done = threading.Event()


def warm() -> None:
    """Compute what the page's default render needs (default network, its results, the learning
    curves in normal mode) through the page's own caches, once per server process. No st.* element
    and no session state: it runs in a background thread. Any failure is ignored (an optimisation)."""
    from app.warmup import checkpoint

    if not _warm_started.acquire(blocking=False):
        return
    try:
        data = digits_data()
        settings = default_settings(data)
        flight = _flight(settings)
        flight.acquire()  # a session training the defaults already: wait for it (its run gets cached)
        try:
            hist = cached_history(settings)
            if hist is None:  # paused while another page's script runs (app.warmup.checkpoint)
                hist = train(settings, data, on_epoch=lambda *_: checkpoint())
                if hist.complete or hist.diverged:
                    store_history(settings, hist)
        finally:
            _land(settings, flight)
        checkpoint()
        results(settings, hist, data)
        checkpoint()
        from app import digits_charts  # Altair: its import is a large part of a cold render

        for which in digits_charts.CURVES:
            checkpoint()
            digits_charts.curves_spec(hist, which, False)
    except Exception:  # noqa: BLE001 — warming is an optimisation; the page computes what is missing
        pass
    finally:
        _warm_done.set()


# ----- what the page shows about a run --------------------------------------------------------------
@dataclass(frozen=True)
class Results:
    probs: np.ndarray  # (N_test, 10) a2 for every test image
    pred: np.ndarray  # (N_test,)
    confusion: np.ndarray  # (10, 10) [true, predicted]
    mistakes: np.ndarray  # test indices, most confident mistakes first
    accuracy: float


@st.cache_data(max_entries=16, show_spinner=False)
def _results(settings: Settings, epochs_run: int, _net: MLP, _data: Data) -> Results:
    return compute_results(_net, _data)


def compute_results(net: MLP, data: Data) -> Results:
    n, k = data.X_test.shape[0], EVAL_CHUNK  # small chunks: see core.sgd.EVAL_CHUNK
    probs = np.vstack([net.forward(data.inputs(slice(s, s + k))).output for s in range(0, n, k)])
    probs = np.nan_to_num(probs, nan=0.0)
    pred = np.argmax(probs, axis=1)
    wrong = np.flatnonzero(pred != data.test_labels)
    order = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")]
    return Results(
        probs=probs,
        pred=pred,
        confusion=confusion_matrix(data.test_labels, pred),
        mistakes=order,
        accuracy=float(np.mean(pred == data.test_labels)),
    )


def results(settings: Settings, hist: SGDHistory, data: Data) -> Results:
    """Test-set predictions of the run's final network (cached per settings and epochs run)."""
    return _results(settings, hist.epochs_run, hist.final, data)


__all__ = [
    "DEFAULTS",
    "Data",
    "DigitsDataError",
    "Settings",
    "digits_data",
    "download",
    "get_history",
    "mnist_data",
    "results",
    "resume",
    "warm",
]
