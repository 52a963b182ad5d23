"""One epoch's "Before you look" checkpoints (app.predict): truths from the live network and rate through
core.one_epoch, the same epoch the page plays."""

from __future__ import annotations

import numpy as np

from app import predict, state
from app.predict import Checkpoint, Truth
from app.ui import fmt, sci
from core.data import X, y
from core.mlp import MLP
from core.one_epoch import one_epoch

RETRY = ("Try again with a new random network", state.try_new_network)
MOST_NAMES = 9  # "which number moves most" is asked when the network has at most this many numbers


def loss_lower(state_: tuple) -> Truth:
    key, lr = state_
    ep = one_epoch(MLP.from_key(key), X, y, lr)
    lower = ep.loss_after < ep.loss
    said = predict.YES_NO[0] if lower else predict.YES_NO[1]
    return Truth(
        said,
        f"{said} (loss {fmt(ep.loss, 4)} → {fmt(ep.loss_after, 4)})",
        f"The update moves every number by −{lr:g} × its gradient: a small step goes downhill, a large one can "
        f"overshoot the valley. Here the loss goes from {fmt(ep.loss, 4)} to {fmt(ep.loss_after, 4)}.  \n"
        "See the update phase (Next until “update”): the loss this epoch beside the next epoch's.",
    )


def most_moved(state_: tuple) -> Truth:
    key, lr = state_
    net = MLP.from_key(key)
    ep = one_epoch(net, X, y, lr)
    after = MLP.from_dict(ep.after, net.hidden, net.output)
    move = np.abs(after.flat() - net.flat())
    names = net.param_names()
    top = [names[i] for i in np.flatnonzero(move == move.max())]
    return Truth(
        top[0],
        " and ".join(top),
        f"Each number moves by lr × its gradient; the largest gradient in size moves most: {top[0]} by "
        f"{sci(float(move.max()))}.  \nSee the update phase's table: each number before, its gradient and after.",
        also=tuple(top[1:]),
    )


def build(net: MLP, lr: float) -> dict[str, Checkpoint]:
    state_ = (net.key(), float(lr))
    cps = {
        "lower": Checkpoint(
            "oe_lower",
            f"with learning rate {lr:g}, will this one epoch lower the loss?",
            predict.CHOICE,
            loss_lower,
            state_,
            state_,
            options=predict.YES_NO,
            retry=RETRY,
        )
    }
    if net.n_params <= MOST_NAMES:
        cps["most"] = Checkpoint(
            "oe_most",
            "which of the numbers will this epoch's update move the most?",
            predict.CHOICE,
            most_moved,
            state_,
            state_,
            options=tuple(net.param_names()),
            retry=RETRY,
        )
    return cps
