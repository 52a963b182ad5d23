"""Train many random seeds of one network: the convergence lab's question, "how often does it solve XOR?".

Seed s starts from exactly the weights that ``MLP.create(sizes, ..., seed=s)`` gives. ``seed_by_seed``
trains them one after another with the readable loop (``net.forward``, ``net.loss``,
``net.accuracy``, ``net.backward``, ``net.step``), recording what the lab shows: the loss at a few
epochs, the first epoch each seed counted as solved, and how it ended. Unlike ``core.train.train`` it
never stops a seed early: a seed whose numbers overflow carries on with inf/NaN and counts as diverged.
``train_many`` gives the same result, by default through ``core.fast.seeds`` (all seeds at once, the
same numbers to the last bit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.fast.seeds import train_seeds
from core.mlp import MLP
from core.schedules import lr_schedule
from core.train import SOLVED_LOSS


@dataclass
class MultiResult:
    seeds: np.ndarray  # (S,)
    W: list  # W[l]: (S, n_in, n_out)
    b: list  # b[l]: (S, 1, n_out)
    loss: np.ndarray  # (S,) final loss; NaN for seeds that diverged
    loss_curves: np.ndarray  # (S, K) loss at curve_epochs; NaN where it was not finite
    curve_epochs: np.ndarray  # (K,)
    output: np.ndarray  # (S, N, k) final predictions
    solved: np.ndarray  # (S,) bool
    epochs_to_solve: np.ndarray  # (S,) first epoch counted as solved, −1 if never
    diverged: np.ndarray  # (S,) bool: weights or loss stopped being finite
    hidden: str
    output_kind: str = "sigmoid"

    @property
    def fraction_solved(self) -> float:
        return float(np.mean(self.solved)) if self.solved.size else 0.0

    def network(self, i: int) -> MLP:
        """Seed number i (an index into ``seeds``) as an ordinary MLP."""
        return MLP([w[i] for w in self.W], [v[i] for v in self.b], self.hidden, self.output_kind)


def train_many(
    sizes: list[int],
    seeds,
    X: np.ndarray,
    y: np.ndarray,
    hidden: str = "sigmoid",
    init: str = "normal",
    lr: float = 1.0,
    epochs: int = 5000,
    loss: str = "bce",
    schedule: str = "constant",
    schedule_params: dict | None = None,
    sigma: float = 1.0,
    limit: float = 1.0,
    curve_points: int = 101,
    solved_loss: float = SOLVED_LOSS,
    fast: bool = True,
    on_step=None,
) -> MultiResult:
    """Full-batch gradient descent for every seed: ``seed_by_seed`` (fast=False), or the same numbers
    from ``core.fast.seeds.train_seeds`` (fast=True, the default). on_step(): after every update
    (app/worker.py lets other work have the CPU there); the numbers are the same with or without."""
    seeds = np.asarray(list(seeds), dtype=int)
    nets = [MLP.create(sizes, hidden, "sigmoid", init, int(s), sigma, limit) for s in seeds]
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {})).tolist()
    curve_epochs = np.unique(np.linspace(0, epochs, min(curve_points, epochs + 1)).round().astype(int))
    run = train_seeds if fast else seed_by_seed
    return MultiResult(seeds=seeds, **run(nets, X, y, loss, rates, curve_epochs, solved_loss, on_step), hidden=hidden)


def seed_by_seed(
    nets: list[MLP],
    X: np.ndarray,
    y: np.ndarray,
    loss: str,
    rates: list,
    curve_epochs: np.ndarray,
    solved_loss: float,
    on_step=None,
) -> dict:
    """Train each network for len(rates) updates, one after another; the fields of a MultiResult.
    on_step(): after every update (of every seed's network)."""
    S, curve_at = len(nets), {int(e): i for i, e in enumerate(curve_epochs)}
    curves = np.full((S, len(curve_epochs)), np.nan)
    final = np.full(S, np.nan)
    to_solve = np.full(S, -1)
    solved = np.zeros(S, dtype=bool)
    trained, outputs = [], []
    with np.errstate(all="ignore"):  # a seed that overflows carries on with inf/NaN, and counts as diverged
        for i, net in enumerate(nets):
            net = net.copy()
            for t in range(len(rates) + 1):
                fwd = net.forward(X)
                cur = net.loss(X, y, loss, fwd)
                ok = net.accuracy(X, y, fwd) == 1.0 and cur < solved_loss  # as core.train.is_solved
                if ok and to_solve[i] < 0:
                    to_solve[i] = t
                if t in curve_at and np.isfinite(cur):
                    curves[i, curve_at[t]] = cur
                if t == len(rates):
                    break
                net.step(net.backward(fwd, y, loss), rates[t])
                if on_step is not None:
                    on_step()
            finite = net.is_finite() and np.isfinite(cur)
            final[i] = cur if finite else np.nan
            solved[i] = ok and finite
            to_solve[i] = to_solve[i] if finite else -1
            out = fwd.output
            outputs.append(np.where(np.isfinite(out), out, 0.5))
            trained.append(net)
    L = nets[0].n_layers
    return dict(
        W=[np.stack([n.W[l] for n in trained]) for l in range(L)],
        b=[np.stack([n.b[l] for n in trained]) for l in range(L)],
        loss=final,
        loss_curves=curves,
        curve_epochs=curve_epochs,
        output=np.stack(outputs),
        solved=solved,
        epochs_to_solve=to_solve,
        diverged=~np.isfinite(final),
    )
