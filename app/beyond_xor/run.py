"""Beyond XOR computations: the data set, one training run with its replay, the network's map over
the plane and its hidden neurons' lines, and the width × depth sweep. Plain data out, nothing drawn.

``DEFAULTS`` are the page's widget defaults, so ``warm()`` fills exactly the caches the default
page asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd
import streamlit as st

from app import heavy, worker
from app.run_words import ended
from core.data import grid
from core.linear_sep import line_segment
from core.mlp import MLP
from core.problems import HI, LO, Sweep, generate, split, sweep
from core.sgd import train_minibatch
from core.train import snapshot_schedule, train

GRID_N = 60
INIT = "xavier_uniform"  # every run starts from Xavier/Glorot uniform weights (a seed picks which)
SWEEP_WIDTHS = tuple(range(1, 9))
SWEEP_DEPTHS = (1, 2, 3)
SWEEP_SEEDS = 10
SWEEP_EPOCHS = 1000  # each network of the sweep trains this long (full batch), whatever the page's epochs
SOLVES = 0.95  # "solves the problem": test accuracy at least this
MIN_SPLIT = 10  # fewer points than this: no test set (accuracy on the training points only)
ACTS = ("tanh", "sigmoid", "relu", "leaky_relu")
RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
BATCHES = (0, 8, 16, 32, 64)  # 0: every training point in each step (full batch)
DEFAULTS = {
    "problem": "circles",
    "n": 200,
    "noise": 0.1,
    "seed": 0,
    "test": 0.3,
    "split_seed": 0,
    "width": 4,
    "depth": 1,
    "act": "tanh",
    "lr": 0.5,
    "epochs": 2000,
    "batch": 0,
    "net_seed": 0,
}


@st.cache_data(max_entries=64, show_spinner=False)
def problem_data(problem: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A generated problem: X (n, 2), y (n, 1) (core.problems.generate)."""
    return generate(problem, int(n), float(noise), int(seed))


@dataclass
class Data:
    """The points split in two: ``is_test`` (n,) marks the test points; with fewer than MIN_SPLIT
    points there is no test set and ``held_out`` is False (test = the training points)."""

    X: np.ndarray
    y: np.ndarray
    is_test: np.ndarray
    held_out: bool

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        return self.X[~self.is_test], self.y[~self.is_test]

    @property
    def test(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.held_out:
            return self.train
        return self.X[self.is_test], self.y[self.is_test]


def split_data(X: np.ndarray, y: np.ndarray, test: float, split_seed: int) -> Data:
    """The seeded train/test split (core.problems.split) of X, y."""
    is_test = np.zeros(len(X), dtype=bool)
    held_out = len(X) >= MIN_SPLIT
    if held_out:
        is_test[split(len(X), float(test), int(split_seed))[1]] = True
    return Data(np.asarray(X, dtype=float), np.asarray(y, dtype=float), is_test, held_out)


@dataclass
class Run:
    """One training run, replayable: the weights at ``epochs`` (snapshots), the training loss after
    every epoch, training and test accuracy at each snapshot, why it stopped early (or None)."""

    epochs: list
    snapshots: list
    loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    hidden: str
    stopped: str | None
    seconds: float
    batch: int

    def network_at(self, epoch: int) -> MLP:
        """The network at the snapshot at or before ``epoch``."""
        i = int(np.searchsorted(self.epochs, epoch, side="right")) - 1
        return MLP.from_dict(self.snapshots[max(0, min(i, len(self.snapshots) - 1))], self.hidden, "sigmoid")

    @property
    def final(self) -> MLP:
        return self.network_at(self.epochs[-1])


def start_network(width: int, depth: int, act: str, net_seed: int) -> MLP:
    return MLP.create([2] + [int(width)] * int(depth) + [1], act, "sigmoid", INIT, int(net_seed))


@st.cache_data(max_entries=32, show_spinner=False)
def train_run(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    width: int,
    depth: int,
    act: str,
    lr: float,
    epochs: int,
    batch: int,
    net_seed: int,
) -> Run:
    """Train on the training points: full-batch gradient descent (core.train.train) when ``batch`` is
    0, else mini-batch SGD (core.sgd.train_minibatch, shuffled by ``net_seed``)."""
    t0 = perf_counter()
    net = start_network(width, depth, act, net_seed)
    if batch == 0 or batch >= len(X_train):
        h = train(net, X_train, y_train, float(lr), int(epochs))
        at, snaps, loss = h.snapshot_epochs, h.snapshots, h.loss
        stopped = h.divergence.detail if h.divergence else None
    else:
        keep = set(snapshot_schedule(int(epochs)).tolist())
        empty = np.empty((0, 2)), np.empty((0, 1))
        h = train_minibatch(
            net,
            X_train,
            y_train,
            *empty,
            float(lr),
            int(epochs),
            int(batch),
            seed=int(net_seed),
            loss="bce",
            snapshot_at=keep,
        )
        at, snaps = [e for e, _ in h.meta["snapshots"]], [p for _, p in h.meta["snapshots"]]
        if at[-1] != h.epochs_run:  # stopped early: its last finished epoch
            at.append(h.epochs_run)
            snaps.append(h.final.to_dict())
        loss, stopped = h.train_loss, ended(h) if h.stop else None
    tr, te = [], []
    for p in snaps:
        m = MLP.from_dict(p, act, "sigmoid")
        tr.append(m.accuracy(X_train, y_train) if m.is_finite() else 0.0)
        te.append(m.accuracy(X_test, y_test) if m.is_finite() else 0.0)
    return Run(
        list(at),
        list(snaps),
        np.asarray(loss, dtype=float),
        np.array(tr),
        np.array(te),
        act,
        stopped,
        perf_counter() - t0,
        int(batch),
    )


@st.cache_data(max_entries=256, show_spinner=False)
def plane_values(net_key: tuple) -> np.ndarray:
    """The network's output a2 over the plane: (GRID_N, GRID_N) indexed [x2, x1]."""
    net = MLP.from_key(net_key)
    with np.errstate(all="ignore"):
        return net.predict(grid(GRID_N, LO, HI)[2]).reshape(GRID_N, GRID_N)


def hidden_lines(net: MLP) -> dict:
    """Where each first-layer hidden neuron's z = w1·x1 + w2·x2 + b is 0 inside the plane: columns x1,
    x2, neuron ("h1", "h2", …), order. A neuron whose line misses the plane has no rows."""
    W, b = net.W[0], net.b[0]
    x1, x2, name, order = [], [], [], []
    for j in range(W.shape[1]):
        seg = line_segment(float(W[0, j]), float(W[1, j]), float(b[0, j]), (LO, HI, LO, HI))
        for k, (u, v) in enumerate(seg):
            x1.append(u)
            x2.append(v)
            name.append(f"h{j + 1}")
            order.append(k)
    return {
        "x1": np.array(x1, float),
        "x2": np.array(x2, float),
        "neuron": np.array(name, dtype=object),
        "order": np.array(order, dtype=np.int64),
    }


_look = heavy.Look()


@st.cache_data(max_entries=512, show_spinner=False)
def sweep_cell(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    depth: int,
    width: int,
    act: str,
    lr: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test accuracy (SWEEP_SEEDS,) of one shape from every seed (core.problems.sweep),
    computed in the server's worker process (app/worker.py). The sweep is the page's heavy work: the
    caller holds a place at the server's gate (app/beyond_xor/controls.py's sweep shows the queue)."""
    _look.check()
    s = worker.call(
        sweep, X_train, y_train, X_test, y_test, (width,), (depth,), range(SWEEP_SEEDS), act, INIT, lr, SWEEP_EPOCHS,
        polite="on_step",
    )  # fmt: skip
    return s.train_acc[0, 0], s.test_acc[0, 0]


def sweep_todo(data: Data, act: str, lr: float) -> int:
    """How many shapes of the sweep are not computed yet (nothing is computed)."""
    (Xa, ya), (Xb, yb) = data.train, data.test
    return sum(
        _look.only(sweep_cell, Xa, ya, Xb, yb, d, w, act, float(lr)) is None for d in SWEEP_DEPTHS for w in SWEEP_WIDTHS
    )


def run_sweep(data: Data, act: str, lr: float, progress=None) -> Sweep:
    """Every depth × width of the sweep, one cached shape at a time; ``progress(done, total)`` after each."""
    (Xa, ya), (Xb, yb) = data.train, data.test
    tr = np.zeros((len(SWEEP_DEPTHS), len(SWEEP_WIDTHS), SWEEP_SEEDS))
    te = np.zeros_like(tr)
    total = tr.shape[0] * tr.shape[1]
    for a, d in enumerate(SWEEP_DEPTHS):
        for b, w in enumerate(SWEEP_WIDTHS):
            tr[a, b], te[a, b] = sweep_cell(Xa, ya, Xb, yb, d, w, act, float(lr))
            if progress is not None:
                progress(a * len(SWEEP_WIDTHS) + b + 1, total)
    return Sweep(SWEEP_DEPTHS, SWEEP_WIDTHS, np.arange(SWEEP_SEEDS), tr, te)


def default_data() -> Data:
    d = DEFAULTS
    X, y = problem_data(d["problem"], d["n"], d["noise"], d["seed"])
    return split_data(X, y, d["test"], d["split_seed"])


def default_run() -> Run:
    d = DEFAULTS
    data = default_data()
    keys = ("width", "depth", "act", "lr", "epochs", "batch", "net_seed")
    return train_run(*data.train, *data.test, *(d[k] for k in keys))


def warm() -> None:
    """The default page's caches: the default problem, its run, the map at the last epoch."""
    run = default_run()
    plane_values(run.final.key())


def data_id(X: np.ndarray, y: np.ndarray) -> int:
    """Which points these are (for "has the sweep been run on this data?")."""
    return hash((np.ascontiguousarray(X).tobytes(), np.ascontiguousarray(y).tobytes()))


def points_frame(X: np.ndarray, y: np.ndarray, is_test: np.ndarray | None) -> pd.DataFrame:
    """The points as a table: point, x1, x2, class (and set when split)."""
    cols = {"point": np.arange(1, len(X) + 1), "x1": X[:, 0], "x2": X[:, 1], "class": y[:, 0].astype(int)}
    if is_test is not None:
        cols["set"] = np.where(is_test, "test", "training")
    return pd.DataFrame(cols)
