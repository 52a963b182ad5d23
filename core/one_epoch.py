"""One epoch of gradient descent in slow motion: forward, loss, backward, update — the notes' four
steps, each with every number it makes, for a stepper that walks through them.

    forward    z1 = X @ W1 + b1, a1 = f(z1), z2 = a1 @ W2 + b2, a2 = σ(z2)
    loss       L = (1/N) Σ ℓ(a2ₙ, yₙ)
    backward   dz2, dW2, db2, dz1, dW1, db1 — every one from the OLD weights
    update     W ← W − lr·dW, b ← b − lr·db, all at once, after the whole backward pass

The numbers are ``MLP.forward``, ``MLP.loss``, ``MLP.backward`` and ``MLP.step``'s own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.mlp import MLP

PHASES = ("forward", "loss", "backward", "update")


@dataclass
class Epoch:
    """Everything one epoch computes. forward/backward: {name: array} in the order they are made;
    before/after: the parameters {W1, b1, …} around the update; loss_after: the next epoch's loss."""

    lr: float
    forward: dict
    loss: float
    backward: dict
    before: dict
    after: dict
    loss_after: float

    def moves(self) -> dict:
        """Each parameter's change, −lr·d(parameter): {name: after − before}."""
        return {k: self.after[k] - self.before[k] for k in self.before}


def one_epoch(net: MLP, X: np.ndarray, y: np.ndarray, lr: float, loss: str = "bce") -> Epoch:
    """The four phases of one full-batch epoch of ``net`` (unchanged: the update goes to a copy)."""
    fwd = net.forward(X)
    L = net.n_layers
    forward = {}
    for l in range(1, L + 1):
        forward[f"z{l}"] = fwd.z[l]
        forward[f"a{l}"] = fwd.a[l]
    value = net.loss(X, y, loss, fwd)
    g = net.backward(fwd, y, loss)
    backward = {}
    for l in range(L, 0, -1):  # the order the backward pass makes them
        backward[f"dz{l}"] = g.dz[l]
        backward[f"dW{l}"] = g.dW[l]
        backward[f"db{l}"] = g.db[l]
    after = net.copy()
    after.step(g, lr)
    return Epoch(
        lr=float(lr),
        forward=forward,
        loss=float(value),
        backward=backward,
        before=net.to_dict(),
        after=after.to_dict(),
        loss_after=float(after.loss(X, y, loss)),
    )
