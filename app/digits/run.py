"""What the Handwritten digits page computes: the data, the trained runs and their results, cached
(the maths is in core).

A run shown with a progress bar
-------------------------------
``st.cache_data`` replays the Streamlit calls a cached function made, and refuses (at replay time)
calls on containers created outside it, so a progress bar cannot live inside a cached function.
So :func:`history` is asked in three ways, told apart by a thread-local hand-over (every Streamlit
session runs its script in its own thread):

- :func:`cached_history` only looks: the finished run if the cache has it, else None. A run being
  computed in the cache meanwhile (by ``warm()``) is waited for: Streamlit's cache computes a key
  once and lets every other caller of that key wait for it.
- :func:`store_history` hands a run the page trained outside the cache (with its progress bar, see
  app/digits/controls.py) to the cache, which returns it and so keeps it.
- a plain call (``warm()``) trains inside the cache, without a progress bar.

Only complete runs (or diverged ones: what these settings always give) are cached, bounded by
``max_entries``, keyed on every setting and the data's identity.

Memory
------
Images stay one byte per pixel (uint8) in :class:`Data`; mini-batches are scaled to [0, 1] as they
are used, so MNIST's 70,000 images take 55 MB instead of 440 MB as float64.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from app import worker
from app.digits import charts
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


# ----- MNIST is an operator's setting ----------------------------------------------------------------
MNIST_ENV = "XORLAB_MNIST"  # on/off; or `xorlab_mnist = true` in .streamlit/secrets.toml
LOOPBACK = ("localhost", "127.0.0.1", "::1")
MNIST_OFF = (
    "This server does not read or download MNIST: on a shared server a visitor must not make it read a "
    "folder or fetch files, so its operator switches MNIST on when it is wanted. The bundled 8×8 digits "
    "work as always."
)
MNIST_HOW = (
    "Operators: set the environment variable `XORLAB_MNIST=on` (or `xorlab_mnist = true` in "
    "`.streamlit/secrets.toml`); it is on by itself only when the server listens on localhost."
)


def _switch(value: object) -> bool | None:
    text = str(value).strip().lower()
    return True if text in ("1", "on", "true", "yes") else False if text in ("0", "off", "false", "no") else None


def mnist_enabled() -> bool:
    """May visitors name an MNIST folder and download MNIST? XORLAB_MNIST (on/off) wins, then the
    secret ``xorlab_mnist``; otherwise only a server listening on localhost (server.address) allows it."""
    if (env := _switch(os.environ.get(MNIST_ENV, ""))) is not None:
        return env
    try:
        secret = _switch(st.secrets.get("xorlab_mnist", ""))
    except Exception:  # no secrets file (or an unreadable one): no secret  # noqa: BLE001
        secret = None
    if secret is not None:
        return secret
    return str(st.get_option("server.address") or "").strip("[]") in LOOPBACK


def mnist_fingerprint(folder: str) -> str | None:
    """name:size:mtime of the four files (None when any is missing); a changed file reloads."""
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
    if not mnist_enabled():
        raise DigitsDataError(MNIST_OFF)
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
    if not mnist_enabled():
        raise DigitsDataError(MNIST_OFF)
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


_handoff = threading.local()  # what this thread hands history(): PROBE, a finished run, or nothing
PROBE = object()


@st.cache_data(max_entries=16, show_spinner=False)
def history(settings: Settings, _data: Data) -> SGDHistory:
    """The finished run for these settings (see the module docstring for the three ways to ask)."""
    given, _handoff.value = getattr(_handoff, "value", None), None
    if given is PROBE:
        raise _NotCached
    hist = given if given is not None else train(settings, _data)
    if not (hist.complete or hist.diverged):
        raise _NotCached
    return hist


def cached_history(settings: Settings, data: Data) -> SGDHistory | None:
    """The finished run for these settings if it has been trained (else None)."""
    _handoff.value = PROBE
    try:
        return history(settings, data)
    except _NotCached:
        return None
    finally:
        _handoff.value = None


def store_history(settings: Settings, data: Data, hist: SGDHistory) -> None:
    """Keep a run trained outside the cache (complete or diverged) for every session."""
    _handoff.value = hist
    try:
        history(settings, data)
    except _NotCached:
        pass
    finally:
        _handoff.value = None


_flights: dict[Settings, threading.Lock] = {}  # settings being trained outside the cache now -> its lock
_flights_guard = threading.Lock()


def flight(settings: Settings) -> threading.Lock:
    """The lock held by the session training these settings with a progress bar, so a second
    session asking for the same settings meanwhile (a class told to try the same thing) waits for
    that run instead of training it again."""
    with _flights_guard:
        return _flights.setdefault(settings, threading.Lock())


def land(settings: Settings, lock: threading.Lock) -> None:
    """Release a lock taken from :func:`flight`; only runs in progress stay listed."""
    with _flights_guard:
        if _flights.get(settings) is lock:
            del _flights[settings]
    lock.release()


def train(
    settings: Settings, data: Data, on_epoch=None, on_batch=None, should_stop=None, resume: SGDHistory | None = None
) -> SGDHistory:
    """One run of core.sgd.train_minibatch on a fresh core MLP with a softmax output (or the
    continuation of a stopped run of the same settings), in the server's worker process (app/worker.py:
    the callbacks are called here as it reports)."""
    net = MLP.create(settings.sizes(data.d), settings.act, "softmax", settings.init, settings.seed)
    return worker.call(
        train_minibatch,
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
        polite="on_step",  # in the worker: light work first, between mini-batches (app/worker.py)
        eval_max=EVAL_MAX,
        x_max=data.max_value,
        resume=resume,
    )


def time_limit(settings: Settings) -> float:
    """Seconds a run of these settings may train before it stops by itself (keeping what it learned)."""
    return TIME_LIMIT["mnist" if settings.data.startswith("mnist") else "digits8"]


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


# ----- pictures of test images (not charts) -------------------------------------------------------
def ink_picture(image: np.ndarray, max_value: int, target: int = 84) -> np.ndarray:
    """An image (h, w) as a uint8 picture, dark ink on white, enlarged by whole pixels to ≈ target px."""
    img = np.asarray(image, dtype=float)
    f = max(1, target // max(img.shape))
    grey = 255 - np.clip(np.rint(img / max_value * 255), 0, 255).astype(np.uint8)
    return np.kron(grey, np.ones((f, f), dtype=np.uint8))


@st.cache_data(max_entries=32, show_spinner=False)
def ink_pngs(data_key: str, indices: tuple, _images: np.ndarray, max_value: int) -> list[bytes]:
    """PNG files of the test images at ``indices`` (keyed on the data set and the indices), so a
    rerun does not encode the gallery again."""
    out = []
    for i in indices:
        buf = io.BytesIO()
        Image.fromarray(ink_picture(_images[i], max_value)).save(buf, format="PNG", optimize=True)
        out.append(buf.getvalue())
    return out


# ----- warming ------------------------------------------------------------------------------------
def warm() -> None:
    """The page's default render, computed through its own caches (app/warmup.py calls this in a
    background thread: no st.* element, no session): the default run, its results, and the layouts
    of the learning curves the page opens on (normal mode). Any failure is left for the page to meet.
    A generator: app.warmup may step aside at each ``yield`` while another chapter's script runs."""
    try:
        data = digits_data()
        settings = default_settings(data)
        yield
        hist = history(settings, data)
        yield
        results(settings, hist, data)
        for which in charts.CURVES:
            charts.curves(hist, which, False)
    except Exception:  # noqa: BLE001 — warming is an optimisation; the page computes what is missing
        pass
