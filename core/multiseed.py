"""Train many random seeds at once: every array carries a leading seed axis S.

One NumPy operation per step serves all seeds (batched matmul over (S, n_in, n_out) stacks), so
1,000 seeds cost little more than one. Seed s starts from exactly the weights that
``MLP.create(sizes, ..., seed=s)`` gives, so any run can be re-trained alone and compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid
from core.losses import output_delta, softplus
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


def _loss_per_seed(name: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    if name == "bce":
        return np.mean(np.sum(softplus(z) - y * z, axis=2), axis=1)
    return np.mean(0.5 * np.sum((a - y) ** 2, axis=2), axis=1)


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
) -> MultiResult:
    """Full-batch gradient descent for every seed at once; same maths as ``core.train.train``."""
    seeds = np.asarray(list(seeds), dtype=int)
    nets = [MLP.create(sizes, hidden, "sigmoid", init, int(s), sigma, limit) for s in seeds]
    L = len(sizes) - 1
    W = [np.stack([n.W[l] for n in nets]) for l in range(L)]
    b = [np.stack([n.b[l] for n in nets]) for l in range(L)]
    act = get_activation(hidden)
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {}))
    curve_epochs = np.unique(np.linspace(0, epochs, min(curve_points, epochs + 1)).round().astype(int))
    curve_pos = {int(e): i for i, e in enumerate(curve_epochs)}
    S, N = len(seeds), X.shape[0]
    curves = np.full((S, len(curve_epochs)), np.nan)
    to_solve = np.full(S, -1)
    X = np.asarray(X, dtype=float)
    with np.errstate(all="ignore"):
        for t in range(epochs + 1):
            a, z = [X], [None]
            for l in range(1, L + 1):
                zl = np.matmul(a[l - 1], W[l - 1]) + b[l - 1]
                z.append(zl)
                a.append(act.f(zl) if l < L else sigmoid(zl))
            cur = _loss_per_seed(loss, z[L], a[L], y)
            ok = np.all((a[L] > 0.5) == (y > 0.5), axis=(1, 2)) & (cur < solved_loss)
            to_solve[(to_solve < 0) & ok] = t
            if t in curve_pos:
                curves[:, curve_pos[t]] = cur
            if t == epochs:
                break
            dz = output_delta(loss, a[L], y)
            for l in range(L, 0, -1):
                aT = np.swapaxes(a[l - 1], -1, -2) if l > 1 else X.T
                dW = np.matmul(aT, dz) / N
                db = np.sum(dz, axis=1, keepdims=True) / N
                if l > 1:
                    dz = np.matmul(dz, np.swapaxes(W[l - 1], -1, -2)) * act.df(z[l - 1], a[l - 1])
                W[l - 1] -= rates[t] * dW
                b[l - 1] -= rates[t] * db
    finite = np.all([np.all(np.isfinite(w.reshape(S, -1)), axis=1) for w in W + b], axis=0) & np.isfinite(cur)
    out = np.where(np.isfinite(a[L]), a[L], 0.5)
    return MultiResult(
        seeds=seeds,
        W=W,
        b=b,
        loss=np.where(finite, cur, np.nan),
        loss_curves=np.where(np.isfinite(curves), curves, np.nan),
        curve_epochs=curve_epochs,
        output=out,
        solved=ok & finite,
        epochs_to_solve=np.where(finite, to_solve, -1),
        diverged=~finite,
        hidden=hidden,
    )
