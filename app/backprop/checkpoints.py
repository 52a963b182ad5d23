"""Backpropagation's "Before you look" checkpoints (app.predict): truths from the live network through core."""

from __future__ import annotations

import numpy as np

from app import predict, state
from app.names import LOSS_NAMES
from app.predict import Checkpoint, Truth
from app.ui import fmt, sci
from core.data import ROW_LABELS, X, y
from core.mlp import MLP

RETRY = ("Try again with a new random network", state.try_new_network)


def unit(net: MLP) -> int:
    """The W2 entry the sign question asks about: the second (h2 → output), or the only one."""
    return min(1, net.W[1].shape[0] - 1)


def dw2_sign(state_: tuple) -> Truth:
    key, loss = state_
    net = MLP.from_key(key)
    k = unit(net)
    g = net.gradients(X, y, loss)
    v = float(g.dW[2][k, 0])
    dz2 = "dz2 = a2 − y" if loss == "bce" else "dz2"
    never = " (never negative for sigmoid units)" if net.hidden == "sigmoid" else ""
    return Truth(
        predict.sign_of(v),
        f"{predict.sign_of(v)} ({sci(v)})",
        f"dW2[{k}] = Σ a1[:, {k}] · dz2 / N: h{k + 1}'s activations{never} times {dz2}, "
        f"averaged over the four inputs, = {sci(v)}.  \n"
        "See the line dW2 in section 3, “The backward pass, line by line”.",
    )


def b2_push(state_: tuple) -> Truth:
    key, loss = state_
    net = MLP.from_key(key)
    dz2 = net.gradients(X, y, loss).dz[2][:, 0]
    size = np.abs(dz2)
    top = [ROW_LABELS[i] for i in np.flatnonzero(size == size.max())]
    terms = ", ".join(f"{ROW_LABELS[i]}: {fmt(v)}" for i, v in enumerate(dz2))
    return Truth(
        top[0],
        " and ".join(top),
        f"db2 = Σ dz2 / N: each input adds its dz2 / N, and the largest in size wins. dz2 = {terms}.  \n"
        "See “Which input pushed which gradient” in section 3, or its dz2 line.",
        also=tuple(top[1:]),
    )


def build(net: MLP, loss: str) -> dict[str, Checkpoint]:
    state_ = (net.key(), loss)
    k = unit(net)
    return {
        "sign": Checkpoint(
            "bp_dw2_sign",
            f"with the {LOSS_NAMES[loss]} loss, which sign will dW2[{k}] (h{k + 1} → output) have?",
            predict.SIGN,
            dw2_sign,
            state_,
            state_,
            retry=RETRY,
        ),
        "b2": Checkpoint(
            "bp_b2_push",
            "which input pushes b2 hardest (adds the largest share, in size, to db2)?",
            predict.CHOICE,
            b2_push,
            state_,
            state_,
            options=tuple(ROW_LABELS),
            retry=RETRY,
        ),
    }
