"""The Two-runs chapter's computations: the shared start, the two cached runs (core.train.train),
and the numbers the page compares. Nothing here draws.

A setting is a dict ``{"lr", "sched", "loss", "act", "init"}`` (``Setting``); the start is described
by ``start`` ("seed", "notes" or "shared"), the seed and, for "shared", the shared network's
``MLP.key()``. Both runs begin from the same weights: the start network with each run's hidden
activation. Only when the start is a seed and the two initialisers differ do the weights differ
(the same seed drawn by two rules); the page says so.

``DEFAULTS`` are the controls' defaults (app/two_runs/controls.py reads them), so ``warm()`` fills the
very caches the default render asks for.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import numpy as np
import streamlit as st

from app import probe
from app.two_runs import charts
from core.data import X, grid, notes_weights, y
from core.diagnose import first_solved_epoch
from core.mlp import MLP
from core.schedules import DEFAULTS as SCHEDULE_DEFAULTS
from core.train import SOLVED_LOSS, snapshot_schedule, train

RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu"]
STARTS = ["seed", "notes", "shared"]
SNAPSHOTS = 201  # replay frames per run (core.train's default)
GRID_N = 60
EARLY = 0.1  # "the start of a run": its first tenth
DEFAULTS = {
    "start": "seed",
    "seed": 0,
    "epochs": 5000,
    "a": {"lr": 0.5, "sched": "constant", "loss": "bce", "act": "sigmoid", "init": "xavier_uniform"},
    "b": {"lr": 5.0, "sched": "constant", "loss": "bce", "act": "sigmoid", "init": "xavier_uniform"},
}
KNOBS = ("lr", "sched", "loss", "act", "init")  # the settings a run has, in the order the page lists them


def schedule_params(sched: str, epochs: int) -> dict:
    """core.schedules' defaults for ``sched`` (cosine anneals over the whole run)."""
    params = dict(SCHEDULE_DEFAULTS.get(sched, {}))
    if sched == "cosine":
        params["T_max"] = epochs
    return params


def start_network(start: str, seed: int, init: str, act: str, shared: tuple | None = None) -> MLP:
    """The start of one run: the seed's weights drawn by ``init`` (2-2-1), the notes' weights, or the
    shared network (``shared`` = its ``MLP.key()``), with ``act`` as the hidden activation."""
    if start == "shared" and shared is not None:
        base = MLP.from_key(shared)
    elif start == "notes":
        base = MLP.from_dict(notes_weights())
    else:
        base = MLP.create([2, 2, 1], "sigmoid", "sigmoid", init, int(seed))
    return MLP([w.copy() for w in base.W], [v.copy() for v in base.b], act, base.output)


@st.cache_data(max_entries=64, show_spinner=False)
def run(start_key: tuple, setting: dict, epochs: int):
    """core.train.train from the network ``start_key`` with this setting (a History; seconds in meta)."""
    t0 = perf_counter()
    s = setting
    hist = train(
        MLP.from_key(start_key), X, y, s["lr"], epochs, s["loss"], s["sched"], schedule_params(s["sched"], epochs),
        SNAPSHOTS,
    )  # fmt: skip
    hist.meta["seconds"] = perf_counter() - t0
    return hist


@dataclass
class Pair:
    """The two runs, what they started from, and the replay's epochs."""

    start_a: MLP
    start_b: MLP
    a: object  # core.train.History
    b: object
    epochs: list[int]  # the replay's epochs (both runs' snapshot schedule)

    @property
    def same_start(self) -> bool:
        """Do both runs start from exactly the same numbers?"""
        return all(
            np.array_equal(p, q) for p, q in zip(self.start_a.W + self.start_a.b, self.start_b.W + self.start_b.b)
        )


def pair(start: str, seed: int, epochs: int, a: dict, b: dict, shared: tuple | None = None) -> Pair:
    net_a = start_network(start, seed, a["init"], a["act"], shared)
    net_b = start_network(start, seed, b["init"], b["act"], shared)
    hist_a, hist_b = run(net_a.key(), a, epochs), run(net_b.key(), b, epochs)
    return Pair(net_a, net_b, hist_a, hist_b, snapshot_schedule(epochs, SNAPSHOTS).tolist())


def differing(a: dict, b: dict) -> list[str]:
    """The settings (keys of KNOBS) in which A and B differ."""
    return [k for k in KNOBS if a[k] != b[k]]


@dataclass
class Outcome:
    """One run's numbers for the page's words."""

    solved: int | None  # first solved epoch (core.diagnose.first_solved_epoch), or None
    final_loss: float  # the loss after the last epoch it ran (NaN when none is finite)
    start_loss: float
    right: int  # inputs on the right side of 0.5 at the end, out of 4
    early_drop: float  # share of the starting loss gone after the first EARLY of the planned epochs (NaN if unknown)
    early_epoch: int
    stopped: bool  # diverged
    epochs_run: int


def outcome(hist, epochs: int) -> Outcome:
    loss = np.asarray(hist.loss, dtype=float)
    finite = loss[np.isfinite(loss)]
    acc = np.asarray(hist.acc, dtype=float)
    solved = first_solved_epoch(np.where(np.isfinite(loss), loss, np.inf), acc, SOLVED_LOSS)
    t = max(1, round(EARLY * epochs))
    start = float(loss[0]) if loss.size and np.isfinite(loss[0]) else float("nan")
    early = float("nan")
    if t < loss.size and np.isfinite(loss[t]) and np.isfinite(start) and start > 0:
        early = (start - float(loss[t])) / start
    final = float(finite[-1]) if finite.size else float("nan")
    right = int(round(float(acc[-1]) * len(y))) if acc.size and np.isfinite(acc[-1]) else 0
    return Outcome(solved, final, start, right, early, t, hist.diverged, hist.epochs_run)


def at_epoch(hist, epoch: int) -> tuple[MLP, int]:
    """The run's network at ``epoch`` and the epoch it really shows (a run that stopped early shows
    its last snapshot)."""
    net = hist.network_at(epoch)
    i = int(np.searchsorted(hist.snapshot_epochs, epoch, side="right")) - 1
    return net, int(hist.snapshot_epochs[max(0, min(i, len(hist.snapshot_epochs) - 1))])


@st.cache_data(max_entries=1000, show_spinner=False)
def boundary_values(key: tuple) -> np.ndarray:
    """The output a2 of the network ``key`` over the input plane: (GRID_N, GRID_N), indexed [x2, x1]."""
    with np.errstate(all="ignore"):
        return MLP.from_key(key).predict(grid(GRID_N)[2])[:, 0].reshape(GRID_N, GRID_N)


def warm() -> None:
    """Fill the default render's caches (both default runs, their last boundaries, the charts' layouts)
    through the page's own functions, normal mode; draws nothing, never raises."""
    try:
        d = DEFAULTS
        p = pair(d["start"], d["seed"], d["epochs"], d["a"], d["b"])
        last = p.epochs[-1]
        nets = [at_epoch(h, last) for h in (p.a, p.b)]
        values = [boundary_values(net.key()) for net, _ in nets]
        charts.loss_chart(p, last, False)
        charts.boundaries(p, values, [k for _, k in nets], last, False, probe.probe_columns(probe.DEFAULT))
    except Exception:  # noqa: BLE001 - warming is an optimisation: the page computes whatever is missing
        pass
