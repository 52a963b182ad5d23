"""The Loss landscape chapter's computations (cached per network and pair; nothing here draws).

Every surface comes from ``core.landscape`` (the grid is one batch, never a Python loop per cell).
Networks are keyed by ``MLP.key()``. The two runs shown side by side share one recipe (``RECIPE``):
the notes' 2-2-1 sigmoid network from a normal initialisation, trained with binary cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.data import X, grid, notes_network, y
from core.landscape import Slice, Surface, batched_loss, gradient, loss_slice, loss_surface, projected_path, with_params
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train

GRID_N = 61  # cells per side of a landscape (61 × 61 = 3,721 networks)
HALF_WIDTH = 6.0  # the current network's landscape: its two numbers ± this
PLANE_N = 60  # the input plane of a moved network
RECIPE = {"sizes": (2, 2, 1), "init": "normal", "sigma": 1.0, "lr": 1.0, "epochs": 5000}
LAB_SEEDS = 40  # seeds 0..39 of the recipe, sorted into solved and stuck
PATH_POINTS = 201  # snapshots of a run's path
RATES = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 50.0]  # the one-step control's learning rates


@st.cache_data(max_entries=256, show_spinner=False)
def surface(key: tuple, i: int, j: int, around: tuple | None = None, half_width: float = HALF_WIDTH) -> Surface:
    """L over a GRID_N × GRID_N grid of parameters i and j of the network ``key``, the rest fixed."""
    return loss_surface(MLP.from_key(key), X, y, i, j, half_width=half_width, n=GRID_N, around=around)


@st.cache_data(max_entries=256, show_spinner=False)
def one_slice(key: tuple, index: int, lr: float) -> Slice:
    """L along parameter ``index`` alone, its tangent, central difference and one step of size lr."""
    return loss_slice(MLP.from_key(key), X, y, index, lr=lr)


@st.cache_data(max_entries=256, show_spinner=False)
def boundary(key: tuple) -> np.ndarray:
    """The output a2 of the network ``key`` over the input plane, (PLANE_N, PLANE_N) indexed [x2, x1]."""
    return MLP.from_key(key).predict(grid(PLANE_N)[2])[:, 0].reshape(PLANE_N, PLANE_N)


def moved(net: MLP, i: int, j: int, u: float, v: float) -> MLP:
    """The network with parameters i and j set to u and v (the other numbers unchanged)."""
    return with_params(net, {i: u, j: v})


def loss_of(net: MLP) -> float:
    return float(net.loss(X, y))


def start(seed: int) -> MLP:
    """The recipe's starting network for this seed."""
    return MLP.create(list(RECIPE["sizes"]), "sigmoid", "sigmoid", RECIPE["init"], seed, RECIPE["sigma"])


@st.cache_data(max_entries=2, show_spinner=False)
def sorted_seeds() -> tuple[list[int], list[int]]:
    """Seeds 0..LAB_SEEDS−1 of the recipe: (solved, stuck) — trained all at once (core.multiseed)."""
    r = train_many(
        list(RECIPE["sizes"]), range(LAB_SEEDS), X, y, init=RECIPE["init"], lr=RECIPE["lr"], epochs=RECIPE["epochs"],
        sigma=RECIPE["sigma"],
    )  # fmt: skip
    seeds = [int(s) for s in r.seeds]
    solved = [s for s, ok in zip(seeds, r.solved) if ok]
    stuck = [s for s, ok, bad in zip(seeds, r.solved, r.diverged) if not ok and not bad]
    return solved, stuck


@dataclass
class Path:
    """A run of the recipe seen on two of its numbers: the slice through its final network that covers
    the whole path, and the path (epoch, u, v, loss of the run's own network at that epoch)."""

    seed: int
    surface: Surface
    path: dict
    final_loss: float
    final_gradient: float  # the length of dL/dθ (all nine numbers) at the run's end


@st.cache_data(max_entries=16, show_spinner=False)
def history(seed: int):
    """The recipe's run for this seed (core.train.train; PATH_POINTS snapshots): trained once per seed,
    whichever two numbers are shown."""
    return train(start(seed), X, y, RECIPE["lr"], RECIPE["epochs"], snapshots=PATH_POINTS)


@st.cache_data(max_entries=64, show_spinner=False)
def run_path(seed: int, i: int, j: int) -> Path:
    net = start(seed)
    hist = history(seed)
    path = projected_path(hist.snapshots, hist.snapshot_epochs, net, i, j)
    flats = np.array([MLP.from_dict(s, net.hidden, net.output).flat() for s in hist.snapshots])
    path["loss"] = batched_loss(net, flats, X, y)
    lo = np.array([path["u"].min(), path["v"].min()])
    hi = np.array([path["u"].max(), path["v"].max()])
    centre = (lo + hi) / 2
    half = float(max(np.max(hi - lo) / 2 * 1.15, 1.0))  # a tight frame round the whole path
    surf = loss_surface(hist.final, X, y, i, j, half_width=half, n=GRID_N, around=(centre[0], centre[1]))
    g = float(np.linalg.norm(gradient(hist.final, X, y)))
    return Path(seed, surf, path, loss_of(hist.final), g)


def path_to(hist, net: MLP, i: int, j: int) -> dict | None:
    """A published training run's path on parameters i, j, from its start to the snapshot that is ``net``
    (the shared network at the chosen epoch): epoch, u, v, loss. None if no snapshot is ``net``."""
    keys = [MLP.from_dict(snap, net.hidden, net.output).key() for snap in hist.snapshots]
    if net.key() not in keys:
        return None
    k = keys.index(net.key()) + 1
    path = projected_path(hist.snapshots[:k], hist.snapshot_epochs[:k], net, i, j)
    flats = np.array([MLP.from_dict(s, net.hidden, net.output).flat() for s in hist.snapshots[:k]])
    path["loss"] = batched_loss(net, flats, X, y)
    return path


def covering(path: dict, point: tuple[float, float]) -> tuple[tuple[float, float], float]:
    """(centre, half width) of a square grid that holds the whole path and the point (at least HALF_WIDTH)."""
    u = np.r_[path["u"], point[0]]
    v = np.r_[path["v"], point[1]]
    lo, hi = np.array([u.min(), v.min()]), np.array([u.max(), v.max()])
    centre = (lo + hi) / 2
    return (float(centre[0]), float(centre[1])), float(max(np.max(hi - lo) / 2 * 1.15, HALF_WIDTH))


def warm() -> None:
    """The default render's caches: the seeds' sort and the two default paths. A generator: app.warmup
    may step aside at each ``yield`` while another chapter's script runs."""
    solved, stuck = sorted_seeds()
    yield
    surface(notes_network().key(), 0, 7)
    one_slice(notes_network().key(), 8, 1.0)
    if solved and stuck:
        yield
        run_path(solved[0], 0, 7)
        yield
        run_path(stuck[0], 0, 7)
