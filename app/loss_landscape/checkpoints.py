"""Loss landscape's "Before you look" checkpoints (app.predict): truths from the live network through core."""

from __future__ import annotations

from app import predict, state
from app.predict import Checkpoint, Truth
from app.ui import fmt, sci
from core.data import X, y
from core.mlp import MLP
from core.one_epoch import one_epoch

RETRY = ("Try again with a new random network", state.try_new_network)
BIG_LR = 8.0  # the rate of the "will one step lower the loss?" question
DIRECTIONS = ("increase", "decrease", "stay: it is flat here")


def big_step(key: tuple) -> Truth:
    ep = one_epoch(MLP.from_key(key), X, y, BIG_LR)
    said = predict.YES_NO[0] if ep.loss_after < ep.loss else predict.YES_NO[1]
    return Truth(
        said,
        f"{said} (L {fmt(ep.loss, 4)} → {fmt(ep.loss_after, 4)})",
        f"One step θ ← θ − {BIG_LR:g}·dL/dθ moves all nine numbers at once; downhill only while the step stays "
        f"inside the valley. Here L goes from {fmt(ep.loss, 4)} to {fmt(ep.loss_after, 4)}.  \n"
        f"See “One number at a time” with learning rate {BIG_LR:g}: the step along one number.",
    )


def bias_direction(key: tuple) -> Truth:
    net = MLP.from_key(key)
    g = float(net.gradients(X, y).db[net.n_layers][0, 0])
    said = DIRECTIONS[1] if g > 0 else DIRECTIONS[0] if g < 0 else DIRECTIONS[2]
    name = net.param_names()[-1]
    return Truth(
        said,
        f"{said} (dL/d{name} = {sci(g)})",
        f"Downhill is against the slope: dL/d{name} = {sci(g)}, so {name} should {said.split(':')[0]}.  \n"
        f"See “One number at a time” with {name} chosen: the tangent's slope at the current point.",
    )


def build(net: MLP) -> dict[str, Checkpoint]:
    key = net.key()
    name = net.param_names()[-1]
    return {
        "lr8": Checkpoint(
            "ll_lr8",
            f"will one gradient-descent step with learning rate {BIG_LR:g} lower the loss L?",
            predict.CHOICE,
            big_step,
            key,
            key,
            options=predict.YES_NO,
            retry=RETRY,
        ),
        "bias": Checkpoint(
            "ll_bias_way",
            f"to go downhill, should the output bias {name} increase or decrease?",
            predict.CHOICE,
            bias_direction,
            key,
            key,
            options=DIRECTIONS,
            retry=RETRY,
        ),
    }
