"""Forward pass's "Before you look" checkpoints (app.predict): truths from the live network through core."""

from __future__ import annotations

from app import predict, state
from app.predict import Checkpoint, Truth
from app.ui import fmt
from core.data import ROW_LABELS, X
from core.decision import predicts_one
from core.mlp import MLP

RETRY = ("Try again with a new random network", state.try_new_network)
ROW_11 = 3  # the row [1 1] of X


def a2_above_half(key: tuple) -> Truth:
    net = MLP.from_key(key)
    fwd = net.forward(X)
    a2, z2 = float(fwd.a[2][ROW_11, 0]), float(fwd.z[2][ROW_11, 0])
    said = predict.YES_NO[0] if predicts_one(a2) else predict.YES_NO[1]
    return Truth(
        said,
        f"{said} (a2 = {fmt(a2)})",
        f"For {ROW_LABELS[ROW_11]}, z2 = a1 @ W2 + b2 = {fmt(z2)}, and a2 = σ(z2) = {fmt(a2)}: the network says "
        f"{int(predicts_one(a2))}.  \nSee it in Step 2 with the input {ROW_LABELS[ROW_11]} chosen, or in the a2 column "
        "of “All four inputs at once”.",
    )


def unit(net: MLP) -> int:
    """The hidden neuron the z question asks about: the second (h2), or the only one."""
    return min(1, net.W[0].shape[1] - 1)


def hidden_z(key: tuple) -> Truth:
    net = MLP.from_key(key)
    j = unit(net)
    z = float(net.forward(X).z[1][ROW_11, j])
    w1, w2, b = (float(v) for v in (net.W[0][0, j], net.W[0][1, j], net.b[0][0, j]))
    return Truth(
        z,
        fmt(z, 2),
        f"For {ROW_LABELS[ROW_11]} both inputs count: z1[{j}] = W1[0,{j}]·1 + W1[1,{j}]·1 + b1[{j}] = {fmt(w1, 2)} + "
        f"{fmt(w2, 2)} + ({fmt(b, 2)}) = {fmt(z, 2)}.  \nSee Step 1 with the input {ROW_LABELS[ROW_11]} chosen "
        f"(neuron h{j + 1}), or the z1 table of “All four inputs at once”.",
    )


def build(net: MLP) -> dict[str, Checkpoint]:
    key = net.key()
    return {
        "a2": Checkpoint(
            "fp_a2_11",
            f"will the output a2 for the input {ROW_LABELS[ROW_11]} be above 0.5, so the network says 1?",
            predict.CHOICE,
            a2_above_half,
            key,
            key,
            options=predict.YES_NO,
            retry=RETRY,
        ),
        "z1": Checkpoint(
            "fp_z1_11",
            f"what will hidden neuron h{unit(net) + 1}'s pre-activation z1[{unit(net)}] be for the input "
            f"{ROW_LABELS[ROW_11]}?",
            predict.NUMBER,
            hidden_z,
            key,
            key,
            tolerance=0.1,
            retry=RETRY,
        ),
    }
