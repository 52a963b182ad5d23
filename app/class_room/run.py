"""The Class page's computations: each student's run in the class's convergence lab, and the class's
histogram of epochs to solve. Numbers from core.multiseed (the same trainer the Training page's
convergence lab uses); the recipe is the notes' network from a random start."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from core.data import X, y
from core.multiseed import train_many

# The lab's recipe: the notes' 2-2-1 sigmoid network, a normal(0, 1) start, binary cross-entropy, lr 1.
RECIPE = {"sizes": (2, 2, 1), "init": "normal", "sigma": 1.0, "lr": 1.0, "epochs": 5000}
BINS = 10  # bars of the class histogram


def seed_for(code: str, order: int) -> int:
    """A student's seed: from the class code (so two classes differ) and the join order (so two
    students of one class differ)."""
    base = int.from_bytes(hashlib.sha256(code.encode()).digest()[:3], "big") % 1_000_000
    return base + int(order)


@st.cache_data(max_entries=512, show_spinner=False)
def lab_run(seed: int) -> tuple[int | None, bool, bool]:
    """(epochs to solve or None, stuck, diverged) of the recipe's run from ``seed``."""
    r = train_many(
        list(RECIPE["sizes"]), [seed], X, y, init=RECIPE["init"], lr=RECIPE["lr"], epochs=RECIPE["epochs"],
        sigma=RECIPE["sigma"],
    )  # fmt: skip
    solved, diverged = bool(r.solved[0]), bool(r.diverged[0])
    return (int(r.epochs_to_solve[0]) if solved else None), (not solved and not diverged), diverged


def histogram(epochs: list[int]) -> dict:
    """Bars of the solved runs' epochs to solve: start, end, count (empty when none solved)."""
    if not epochs:
        return {"start": np.empty(0), "end": np.empty(0), "count": np.empty(0, np.int64)}
    e = np.asarray(epochs, dtype=float)
    hi = max(float(e.max()), float(e.min()) + 1.0)
    counts, edges = np.histogram(e, bins=BINS, range=(float(e.min()), hi))
    return {"start": edges[:-1], "end": edges[1:], "count": counts.astype(np.int64)}


def warm() -> None:
    """Nothing heavy to warm: a student's run is trained when the student asks for it (~0.1 s)."""
    from app.class_room import charts

    charts.histogram_spec(histogram([]), 0, False)
