"""The One-epoch page's cached computation: the four phases of one epoch (core.one_epoch) of the
current network on the four XOR inputs, and each input's own loss; ``warm()`` for app.warmup.

Networks come in as ``MLP.key()``, so the cache keys on the exact weights. The loss is the notes'
binary cross-entropy."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data import X, notes_weights, y
from core.losses import bce_from_logits
from core.mlp import MLP
from core.one_epoch import Epoch, one_epoch

LR_DEFAULT = 0.5


@st.cache_data(max_entries=64, show_spinner=False)
def epoch(key: tuple, lr: float) -> Epoch:
    """One full-batch epoch of the network ``key`` at learning rate ``lr`` (its BCE loss)."""
    with np.errstate(all="ignore"):  # a huge step may overflow: the page says so instead of drawing it
        return one_epoch(MLP.from_key(key), X, y, lr)


def input_losses(ep: Epoch) -> np.ndarray:
    """Each input's own loss, core's BCE on that row alone (their mean is the epoch's loss)."""
    z2 = ep.forward["z2"]
    return np.array([bce_from_logits(z2[n : n + 1], y[n : n + 1]) for n in range(len(y))])


def finite(ep: Epoch) -> bool:
    """Is every number of the epoch finite (no overflow in the step or the next loss)?"""
    arrays = [*ep.forward.values(), *ep.backward.values(), *ep.after.values(), ep.loss, ep.loss_after]
    return all(np.all(np.isfinite(a)) for a in arrays)


def warm() -> None:
    """Fill the cache of the default render (the notes' network, the default learning rate). Never raises."""
    try:
        epoch(MLP.from_dict(notes_weights()).key(), LR_DEFAULT)
    except Exception:  # noqa: BLE001 - warming is an optimisation
        pass


def parameters(params: dict) -> tuple[list[str], np.ndarray]:
    """(names, values) of every weight and bias of {W1, b1, W2, b2} (or their gradients, as dW1, …),
    in the order W1[i,j], b1[j], W2[j], b2."""
    p = {
        k.removeprefix("d"): np.asarray(v) for k, v in params.items() if k.removeprefix("d") in ("W1", "b1", "W2", "b2")
    }
    d, h = p["W1"].shape
    names = [f"W1[{i},{j}]" for i in range(d) for j in range(h)] + [f"b1[{j}]" for j in range(h)]
    names += [f"W2[{j}]" for j in range(h)] + ["b2"]
    return names, np.r_[p["W1"].ravel(), p["b1"].ravel(), p["W2"].ravel(), p["b2"].ravel()]
