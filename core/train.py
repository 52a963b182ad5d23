"""Full-batch gradient descent with learning-rate schedules, recording a replayable history.

A run never raises on bad numbers: when the loss or a weight stops being finite, or the loss
climbs past ``DIVERGE_FACTOR`` times where it started, training stops and the history says at
which epoch and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.losses import loss_value
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
    return bool(np.all((out > 0.5) == (y > 0.5)) and loss < tol)


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
) -> History:
    """Train a copy of ``net`` for ``epochs`` full-batch updates. X (N, d), y (N, k)."""
    net = net.copy()
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {}))
    snap_set = set(snapshot_schedule(epochs, snapshots).tolist())
    losses = np.empty(epochs + 1)
    accs = np.empty(epochs + 1)
    snaps = []  # (epoch, params, [‖dW_l‖]) — only finite ones are kept
    divergence = None
    L = net.n_layers
    last_good = None
    t = 0
    with np.errstate(all="ignore"):
        while True:
            fwd = net._forward(X)
            cur = loss_value(loss, fwd.z[-1], fwd.a[-1], y)
            losses[t] = cur
            accs[t] = net.accuracy(X, y, fwd)
            # an inf or NaN weight always reaches the loss, so checking the loss is enough
            if not np.isfinite(cur):
                last = float(losses[t - 1]) if t else float("nan")
                divergence = Divergence(
                    t, "non-finite", last, f"at epoch {t} the numbers overflowed (a weight or the loss became inf/NaN)"
                )
                t -= 1  # keep the inf/NaN epoch out of the curves
                break
            grads = net._backward(fwd, y, loss)
            if t > 0 and cur > diverge_factor * losses[0]:
                divergence = Divergence(
                    t,
                    "loss blew up",
                    float(cur),
                    f"at epoch {t} the loss reached {cur:.3g}, more than {diverge_factor:g}× "
                    f"its starting value {losses[0]:.3g}",
                )
            if t in snap_set or divergence is not None:
                gn = [float(np.linalg.norm(grads.dW[l])) for l in range(1, L + 1)]
                if all(np.isfinite(gn)):
                    snaps.append((t, net.to_dict(), gn))
            if divergence is not None or t == epochs:
                break
            last_good = ([w.copy() for w in net.W], [v.copy() for v in net.b], grads)
            net._step(grads, rates[t])
            t += 1
    if divergence is not None and divergence.reason == "non-finite":
        if last_good is not None:  # roll back to the newest weights that were still finite
            net.W, net.b, g = last_good
            if not snaps or snaps[-1][0] != t:
                snaps.append((t, net.to_dict(), [float(np.linalg.norm(g.dW[l])) for l in range(1, L + 1)]))
    n = t + 1
    return History(
        loss=losses[:n].copy(),
        acc=accs[:n].copy(),
        lr=rates,
        snapshot_epochs=[e for e, _, _ in snaps],
        snapshots=[p for _, p, _ in snaps],
        grad_norms=[g for _, _, g in snaps],
        final=net,
        loss_name=loss,
        divergence=divergence,
    )
