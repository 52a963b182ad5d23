"""The Training chapter's computations: the cached runs (one seed, an equal start, many seeds), the
numbers and tables derived from them, and the replay's view of one epoch. Nothing here draws.

A run is described by ``cfg`` (width, act, init, sigma, limit, seed, loss, sched, params, epochs;
``params`` a sorted tuple of (name, value)) and the learning rate ``lr``, as the page's sidebar
builds them. ``DEFAULT_CFG`` / ``DEFAULT_LR`` are the sidebar's defaults (app/training/controls.py
reads its widget defaults from them), so ``warm()`` fills exactly the caches the default render
asks for.

Tables are built with ``app.chart.rows_table`` (Arrow straight from NumPy, as Streamlit would send
the equivalent DataFrame), which matters on every replay step.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app import heavy, probe, worker
from app.chart import rows_table
from app.training import charts
from app.training.text import describe, short_label
from core.data import ROW_LABELS, X, grid, y
from core.diagnose import (
    diagnose_run,
    equal_start,
    first_solved_epoch,
    loss_band,
    outputs_near_half,
    suggest_rate,
)
from core.gates import UnitReading, gate_combinations, read_units
from core.mlp import MLP
from core.multiseed import train_many
from core.train import DIVERGE_FACTOR, SOLVED_LOSS, train

ACTS = ["sigmoid", "tanh", "relu", "leaky_relu"]
RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
LAB_SEEDS = [100, 200, 500, 1000]
KNOBS = {"width": "Hidden neurons", "init": "Initialiser", "lr": "Learning rate", "act": "Hidden activation"}
GRID_N = 60
DEFAULT_CFG = {
    "width": 2,
    "act": "sigmoid",
    "init": "normal",
    "sigma": 1.0,
    "limit": 1.0,
    "seed": 0,
    "loss": "bce",
    "sched": "constant",
    "params": (),
    "epochs": 5000,
}
DEFAULT_LR = 1.0


# ----- runs ------------------------------------------------------------------------------------
def network(cfg: dict, seed: int | None = None) -> MLP:
    """The run's starting network (another seed for the lab's stuck runs)."""
    s = cfg["seed"] if seed is None else seed
    return MLP.create([2, cfg["width"], 1], cfg["act"], "sigmoid", cfg["init"], s, cfg["sigma"], cfg["limit"])


@st.cache_data(max_entries=64, show_spinner=False)
def run_training(cfg: dict, lr: float, diverge_factor: float = DIVERGE_FACTOR):
    """One run of core.train.train for these settings (a History; seconds in meta)."""
    t0 = perf_counter()
    hist = train(
        network(cfg), X, y, lr, cfg["epochs"], cfg["loss"], cfg["sched"], dict(cfg["params"]), 201, diverge_factor
    )
    hist.meta["seconds"] = perf_counter() - t0
    return hist


_look = heavy.Look()


@st.cache_data(max_entries=12, show_spinner=False)
def run_lab(cfg: dict, lr: float, n_seeds: int):
    """core.multiseed.train_many over seeds 0..n_seeds−1 for these settings, and how long it took,
    computed in the server's worker process (app/worker.py). A long run: the caller holds a place at
    the server's gate (app/training/controls.py's lab_results, which shows the queue)."""
    _look.check()
    t0 = perf_counter()
    res = worker.call(
        train_many, [2, cfg["width"], 1], range(n_seeds), X, y, hidden=cfg["act"], init=cfg["init"], lr=lr,
        epochs=cfg["epochs"], loss=cfg["loss"], schedule=cfg["sched"], schedule_params=dict(cfg["params"]),
        sigma=cfg["sigma"], limit=cfg["limit"], polite="on_step",
    )  # fmt: skip
    return res, perf_counter() - t0


def cached_lab(cfg: dict, lr: float, n_seeds: int):
    """run_lab's result if it is cached, else None (nothing is computed)."""
    return _look.only(run_lab, cfg, lr, n_seeds)


@st.cache_data(max_entries=8, show_spinner=False)
def run_equal(cfg: dict, lr: float):
    """The sidebar's settings from a symmetric, non-zero start (core.diagnose.equal_start)."""
    net = equal_start(cfg["width"], cfg["act"])
    return train(net, X, y, lr, cfg["epochs"], cfg["loss"], cfg["sched"], dict(cfg["params"]))


def all_zero(net: MLP) -> bool:
    """Every weight and bias exactly 0 (zero initialisation on XOR never moves them)."""
    return all(np.all(w == 0) for w in net.W + net.b)


def solved_at(hist) -> int | None:
    """First epoch with all four outputs right and loss below SOLVED_LOSS, or None."""
    return first_solved_epoch(hist.loss, hist.acc, SOLVED_LOSS)


@dataclass
class Divergence:
    """What the page says about a diverged run: how it would have gone on, and a rate that works."""

    continued: object | None  # the History without the blow-up check (only for "loss blew up")
    band: tuple | None  # (lo, median, hi) of its loss over the second half
    rate: float | None  # the suggested smaller rate, or None when even 0.001 diverges
    good: object | None  # its History
    good_solved: int | None

    def curves(self) -> dict:
        """{legend label: loss curve} to draw beside the diverged run."""
        out = {}
        if self.continued is not None:
            out["if training had gone on"] = self.continued.loss
        if self.rate is not None:
            out[f"suggested rate {self.rate:g}"] = self.good.loss
        return out


def divergence(cfg: dict, lr: float, hist) -> Divergence:
    cont = band = None
    if hist.divergence.reason == "loss blew up":
        cont = run_training(cfg, lr, float("inf"))
        band = loss_band(cont.loss)
    rate, good = suggest_rate(lr, lambda r: run_training(cfg, r))
    return Divergence(cont, band, rate, good, solved_at(good) if good is not None else None)


# ----- tables ------------------------------------------------------------------------------------
def matrix_table(a: np.ndarray, rows: list[str], cols: list[str]) -> pa.Table:
    """A (len(rows), len(cols)) matrix as a table."""
    a = np.asarray(a, dtype=float)
    return rows_table({c: a[:, j] for j, c in enumerate(cols)}, rows)


def hidden_cols(net: MLP) -> list[str]:
    return [f"h{j + 1}" for j in range(net.sizes[1])]


def neuron_columns(net: MLP) -> pa.Table:
    """Each hidden neuron's incoming weights, bias and outgoing weight as one column."""
    p = net.to_dict()
    rows = ["W1 from x1", "W1 from x2", "b1", "W2 to output"]
    return matrix_table(np.vstack([p["W1"], p["b1"], p["W2"].T]), rows, hidden_cols(net))


def curves_table(hist) -> pa.Table:
    """Loss, accuracy and the rate used next, at the replay's snapshot epochs."""
    idx = np.array(hist.snapshot_epochs)
    return pa.table(
        {
            "epoch": idx,
            "loss": hist.loss[idx],
            "accuracy": hist.acc[idx],
            "learning rate": hist.lr[np.minimum(idx, len(hist.lr) - 1)],
        }
    )


# ----- the replay ----------------------------------------------------------------------------------
def replay_epoch(epochs: list[int], current: int | None, linked: str, last_end: int | None = None) -> int:
    """The epoch the replay shows on this run of the page.

    current: the slider's value so far (None on the first visit, when a link's ?tr_epoch= counts);
    an epoch this run has no snapshot for (the settings changed) becomes the last one, and so does
    a slider left at the end of the run shown before (last_end: that run's last epoch), so raising
    Epochs from 5,000 to 20,000 replays epoch 20,000, not 5,000. (Playing happens in the browser:
    app.replay.)
    """
    if current is None:
        ok = linked.isascii() and linked.isdigit() and int(linked) in epochs  # "²".isdigit() is True too
        current = int(linked) if ok else epochs[-1]
    elif current not in epochs or current == last_end:
        current = epochs[-1]
    return current


@st.cache_data(max_entries=1000, show_spinner=False)
def boundary_values(key: tuple) -> np.ndarray:
    """The output a2 of the network ``MLP.key()`` describes over the input plane: (GRID_N, GRID_N),
    indexed [x2, x1]. The key's bytes keep Streamlit's cache lookup cheap on every replay step."""
    net = MLP.from_key(key)
    return net.predict(grid(GRID_N)[2])[:, 0].reshape(GRID_N, GRID_N)


@dataclass
class ReplayTables:
    """The replay's tables at one epoch (built live: ~0.1 ms each)."""

    hidden: pa.Table  # a1 for each input, output a2, expected
    gates: list[UnitReading]  # each hidden neuron read as a logic gate (core.gates' one rule)
    w1: pa.Table  # W1 and b1, one column per hidden neuron
    w2: pa.Table  # W2 and b2


def replay_tables(net: MLP) -> ReplayTables:
    fwd = net.forward(X)
    cols = hidden_cols(net)
    a1 = fwd.a[1]
    a1_cols = {c: a1[:, j] for j, c in enumerate(cols)}
    table = rows_table({**a1_cols, "output a2": fwd.output[:, 0], "expected": y[:, 0].astype(int)}, ROW_LABELS)
    gates = read_units(fwd.z[1], a1, net.hidden)
    p = net.to_dict()
    w1 = matrix_table(np.vstack([p["W1"], p["b1"]]), ["W1 from x1", "W1 from x2", "b1"], cols)
    w2 = matrix_table(np.vstack([p["W2"], p["b2"]]), [f"W2 from {c}" for c in cols] + ["b2"], ["output"])
    return ReplayTables(table, gates, w1, w2)


# ----- the convergence lab -------------------------------------------------------------------------
def lab_counts(r) -> dict:
    """Solved / stuck / overflowed counts of a MultiResult, the solved runs' epochs, and the hidden
    gates the solved runs end with (core.gates.gate_combinations: [(combination, count), …])."""
    return {
        "solved": int(r.solved.sum()),
        "stuck": int((~r.solved & ~r.diverged).sum()),
        "overflowed": int(r.diverged.sum()),
        "fraction": r.fraction_solved,
        "epochs": r.epochs_to_solve[r.solved],
        "gates": gate_combinations(r.W[0][r.solved], r.b[0][r.solved]),
    }


@dataclass
class LabSetting:
    """One column of the convergence lab: a setting trained from many seeds."""

    label: str  # "A: <the setting that differs>", for legends
    full: str  # every setting (describe)
    result: object  # core.multiseed.MultiResult
    seconds: float  # training time
    counts: dict  # lab_counts


def lab_results(a: tuple, b: tuple, knob: str, n: int) -> dict[str, LabSetting]:
    """Settings A and B, each (cfg, lr), trained over seeds 0..n−1 (cached) → {"A": ..., "B": ...}."""
    out = {}
    for name, (cfg, lr) in {"A": a, "B": b}.items():
        res, sec = run_lab(cfg, lr, n)
        full = describe(cfg, lr, seed=False)
        out[name] = LabSetting(f"{name}: {short_label(cfg, lr, knob)}", full, res, sec, lab_counts(res))
    return out


def gate_table(settings: dict[str, LabSetting]) -> pa.Table:
    """Hidden gates of the solved runs: one row per combination, how many solved runs of each setting
    (columns "A", "B") end with it, most common first."""
    counts: dict[str, dict[str, int]] = {}
    for name, s in settings.items():
        for combo, n in s.counts["gates"]:
            counts.setdefault(combo, {})[name] = n
    order = sorted(counts, key=lambda c: (-sum(counts[c].values()), c))
    cols = {name: [counts[c].get(name, 0) for c in order] for name in settings}  # "A", "B": narrow on a phone
    cols["hidden gates (solved runs)"] = order  # last: the counts stay in view on a phone
    return pa.table(cols)


def lab_table(settings: dict[str, LabSetting]) -> pa.Table:
    """One row per setting: counts and the fraction solved."""
    rows = settings.items()
    return pa.table(
        {
            "setting": [f"{k}: {s.full}" for k, s in rows],
            "solved": [s.counts["solved"] for _, s in rows],
            "stuck (finite, not solved)": [s.counts["stuck"] for _, s in rows],
            "overflowed": [s.counts["overflowed"] for _, s in rows],
            "fraction solved": [s.counts["fraction"] for _, s in rows],
        }
    )


@dataclass
class StuckRun:
    index: int  # into the MultiResult's seeds
    seed: int
    frame: pd.DataFrame  # a1 h1…, slope h1… (the activation's slope as a share of its peak), output a2, expected
    saturated: int  # hidden values with a slope below core.activations.SATURATED
    values: int
    loss: float
    grad_now: float  # ‖∇‖ after the last epoch
    grad_start: float  # ‖∇‖ at epoch 0


def stuck_runs(r, cfg: dict, n: int = 3) -> tuple[int, int, list[StuckRun]]:
    """(stuck runs, how many have ≥ 2 outputs within 0.05 of 0.5, the first n looked at closely)."""
    stuck = np.flatnonzero(~r.solved & ~r.diverged)
    if stuck.size == 0:
        return 0, 0, []
    near_half = int((outputs_near_half(r.output[stuck]) >= 2).sum())
    out = []
    for i in stuck[:n]:
        seed = int(r.seeds[i])
        now = diagnose_run(r.network(i), X, y, cfg["loss"])
        start = diagnose_run(network(cfg, seed), X, y, cfg["loss"])
        h = now.a1.shape[1]
        df = pd.DataFrame(now.a1, index=ROW_LABELS, columns=[f"a1 h{j + 1}" for j in range(h)])
        for j in range(h):
            df[f"slope h{j + 1}"] = now.slope[:, j]
        df["output a2"] = now.output
        df["expected"] = y[:, 0].astype(int)
        sat = now.saturated
        out.append(StuckRun(int(i), seed, df, int(sat.sum()), sat.size, now.loss, now.grad_norm, start.grad_norm))
    return int(stuck.size), near_half, out


# ----- warm-up -------------------------------------------------------------------------------------
def warm() -> None:
    """Fill the default render's caches (the default run, the replay's last epoch, the charts'
    layouts) through the page's own functions, normal mode; draws nothing, never raises."""
    try:
        hist = run_training(DEFAULT_CFG, DEFAULT_LR)
        charts.run_charts(hist, DEFAULT_LR, {}, False)
        last = hist.snapshot_epochs[-1]
        charts.boundary(boundary_values(hist.network_at(last).key()), last, False, probe.probe_columns(probe.DEFAULT))
    except Exception:  # noqa: BLE001 - warming is an optimisation: the page computes whatever is missing
        pass
