"""Full-batch gradient descent with learning-rate schedules, recording a replayable history.

``readable_loop`` below is the training loop of the notes, written with the network's own methods —
``net.forward``, ``net.loss``, ``net.accuracy``, ``net.backward``, ``net.step`` — once per epoch:
it is the reference every faster trainer is tested against (tests/test_core_fast.py). ``train``
runs it, or, by default, ``core.fast.full_batch``, which gives the very same numbers with far
fewer NumPy calls.

A run never raises on bad numbers: when the loss or a weight stops being finite, or the loss
climbs past ``DIVERGE_FACTOR`` times where it started, training stops and the history says at
which epoch and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.decision import is_one, predicts_one
from core.fast import full_batch
from core.mlp import MLP
from core.schedules import lr_schedule

DIVERGE_FACTOR = 4.0  # loss above 4× its starting value counts as diverged (cf. fastai's lr finder)
SOLVED_LOSS = 0.1  # "solved" = every prediction on the right side of 0.5 and loss below this


@dataclass
class Divergence:
    epoch: int
    reason: str  # "non-finite" or "loss blew up"
    loss: float  # last finite loss seen (the one that tripped the check when finite)
    detail: str


@dataclass
class History:
    """loss[t], acc[t]: after t updates, t = 0..epochs_run. lr[t]: rate used for update t."""

    loss: np.ndarray
    acc: np.ndarray
    lr: np.ndarray
    snapshot_epochs: list
    snapshots: list  # dicts {"W1":..., "b1":...} at snapshot_epochs
    grad_norms: list  # per snapshot: [‖dW1‖, ‖dW2‖, ...] at those weights
    final: MLP
    loss_name: str = "bce"
    divergence: Divergence | None = None
    meta: dict = field(default_factory=dict)

    @property
    def epochs_run(self) -> int:
        return len(self.loss) - 1

    @property
    def diverged(self) -> bool:
        return self.divergence is not None

    def network_at(self, epoch: int) -> MLP:
        """The network as it was at the snapshot nearest to ``epoch`` (at or before it)."""
        i = int(np.searchsorted(self.snapshot_epochs, epoch, side="right")) - 1
        i = max(0, min(i, len(self.snapshots) - 1))
        return MLP.from_dict(self.snapshots[i], self.final.hidden, self.final.output)


def snapshot_schedule(epochs: int, count: int = 201) -> np.ndarray:
    """Up to ``count`` evenly spaced epochs from 0 to ``epochs`` inclusive."""
    return np.unique(np.linspace(0, epochs, min(count, epochs + 1)).round().astype(int))


def is_solved(out: np.ndarray, y: np.ndarray, loss: float, tol: float = SOLVED_LOSS) -> bool:
    return bool(np.all(predicts_one(out) == is_one(y)) and loss < tol)


def train(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    lr: float = 1.0,
    epochs: int = 5000,
    loss: str = "bce",
    schedule: str = "constant",
    schedule_params: dict | None = None,
    snapshots: int = 201,
    diverge_factor: float = DIVERGE_FACTOR,
    fast: bool = True,
) -> History:
    """Train a copy of ``net`` for ``epochs`` full-batch updates. X (N, d), y (N, k).

    fast=False runs ``readable_loop``; fast=True (the default) runs ``core.fast.full_batch``, the same
    numbers to the last bit."""
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {}))
    snap_at = set(snapshot_schedule(epochs, snapshots).tolist())
    loop = full_batch if fast else readable_loop
    # Python floats: indexing a list is cheaper than indexing an array, and the numbers are the same
    losses, accs, snaps, stop, final = loop(net, X, y, loss, rates.tolist(), snap_at, diverge_factor)
    return History(
        loss=np.array(losses),
        acc=np.array(accs),
        lr=rates,
        snapshot_epochs=[e for e, _, _ in snaps],
        snapshots=[p for _, p, _ in snaps],
        grad_norms=[g for _, _, g in snaps],
        final=final,
        loss_name=loss,
        divergence=None if stop is None else _divergence(*stop, losses, diverge_factor),
    )


def readable_loop(
    net: MLP, X: np.ndarray, y: np.ndarray, loss: str, rates: list, snap_at: set, diverge_factor: float
) -> tuple:
    """Gradient descent on a copy of ``net``: one update per rate in ``rates``, stopping early when
    the numbers overflow or the loss blows up.

    Returns (losses, accuracies, snapshots, stop, final network): loss and accuracy after t updates
    for every epoch t kept; snapshots (t, weights, [‖dW1‖, ‖dW2‖, …]) at the epochs in ``snap_at``
    and at the one it stopped at (only finite ones); stop = (epoch, "non-finite" or "loss blew up"),
    or None. After an overflow the final network is the last one whose numbers were all finite.
    """
    net = net.copy()
    losses, accs, snaps = [], [], []
    previous = None  # the network and its gradients one epoch back, for the roll-back after an overflow
    with np.errstate(all="ignore"):  # an overflow is a result here: it stops the run, below
        for t in range(len(rates) + 1):
            fwd = net.forward(X)  # z1, a1, z2, a2, …
            losses.append(net.loss(X, y, loss, fwd))
            accs.append(net.accuracy(X, y, fwd))
            # a saturated output can keep the loss finite while a weight is ±inf, so check the weights too
            if not (math.isfinite(losses[t]) and net.is_finite()):
                del losses[t], accs[t]  # keep the inf/NaN epoch out of the curves
                if previous is not None:
                    net, grads = previous
                    if not snaps or snaps[-1][0] != t - 1:
                        _snapshot(snaps, t - 1, net, grads)
                return losses, accs, snaps, (t, "non-finite"), net
            grads = net.backward(fwd, y, loss)  # dz2, dW2, db2, dz1, dW1, db1, …
            blew_up = t > 0 and losses[t] > diverge_factor * losses[0]
            if t in snap_at or blew_up:
                _snapshot(snaps, t, net, grads)
            if blew_up:
                return losses, accs, snaps, (t, "loss blew up"), net
            if t == len(rates):
                break
            previous = net.copy(), grads
            net.step(grads, rates[t])  # W ← W − lr·dW, b ← b − lr·db
    return losses, accs, snaps, None, net


def _snapshot(snaps: list, t: int, net: MLP, grads) -> None:
    """Keep (t, the weights, [‖dW1‖, ‖dW2‖, …]) when every gradient norm is finite."""
    norms = [float(np.linalg.norm(grads.dW[l])) for l in range(1, net.n_layers + 1)]
    if all(np.isfinite(norms)):
        snaps.append((t, net.to_dict(), norms))


def _divergence(t: int, reason: str, losses: list, diverge_factor: float) -> Divergence:
    """Why the run stopped at epoch t, in words (``losses`` are the epochs kept)."""
    if reason == "non-finite":
        last = losses[t - 1] if t else float("nan")
        return Divergence(t, reason, last, f"at epoch {t} the numbers overflowed (a weight or the loss became inf/NaN)")
    cur = losses[t]
    return Divergence(
        t,
        reason,
        float(cur),
        f"at epoch {t} the loss reached {cur:.3g}, more than {diverge_factor:g}× its starting value {losses[0]:.3g}",
    )
