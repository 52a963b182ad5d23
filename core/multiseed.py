"""Train many random seeds at once: every array in the result carries a leading seed axis S.

One NumPy operation per step serves all seeds, so 1,000 seeds cost far less than 1,000 runs.
Seed s starts from exactly the weights that ``MLP.create(sizes, ..., seed=s)`` gives, so any run
can be re-trained alone and compared: the arithmetic is ``core.train.train``'s, operation for
operation, and the two agree to the last bit (tests/test_bench.py and tests/test_core_train.py).

Inside the loop the arrays are laid out for speed rather than for reading: examples first,
(N, S, n), so element-wise work (the sigmoids, most of the cost) runs along long contiguous rows
instead of rows of 2. The matrix products stay one BLAS call per seed on contiguous (S, N, n)
copies, because BLAS may round a product differently when it is computed as part of a bigger one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid
from core.decision import is_one, predicts_one
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
    """z, a: (N, S, k), y: (N, 1, k) → (S,), summed in the single-seed order: an example's k values
    are contiguous in either layout; the N examples are added one after another along axis 0, which
    is NumPy's order for a contiguous column of fewer than 8 values; from 8 on NumPy sums a column
    pairwise, so each seed's N values are made contiguous first (as in ``_sum_over_examples``)."""
    v = softplus(z) - y * z if name == "bce" else (a - y) ** 2
    v = np.add.reduce(v, axis=2)  # (N, S)
    if name != "bce":
        v *= 0.5
    if z.shape[0] < 8:
        return np.add.reduce(v, axis=0) / z.shape[0]
    return np.add.reduce(np.ascontiguousarray(v.T), axis=1) / z.shape[0]


def _seeds_first(v: np.ndarray) -> np.ndarray:
    """(N, S, n) → contiguous (S, N, n): each seed's matrix as the single-seed trainer has it."""
    return np.ascontiguousarray(v.transpose(1, 0, 2))


def _examples_first(v: np.ndarray) -> np.ndarray:
    """(S, N, n) → contiguous (N, S, n), the layout for element-wise work."""
    return np.ascontiguousarray(v.transpose(1, 0, 2))


def _back(dz: np.ndarray, dz_s: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Every seed's dz @ W.T as (N, S, n). dz: (N, S, m), dz_s: the same as (S, N, m), W (S, n, m)."""
    if dz.shape[2] == 1:  # one product per entry: the broadcast product is the same number
        out = np.empty((dz.shape[0], dz.shape[1], W.shape[1]))
        for j in range(W.shape[1]):  # a column at a time: rows of S numbers, not of n
            np.multiply(dz[:, :, 0], W[:, j, 0], out=out[:, :, j])
        return out
    return _examples_first(np.matmul(dz_s, np.swapaxes(W, -1, -2)))


def _sum_over_examples(dz: np.ndarray, dz_s: np.ndarray) -> np.ndarray:
    """Σ over the N examples → (S, m), in the single-seed order: NumPy adds a (N, m) array row
    after row, except that a single contiguous column (m = 1) is summed pairwise, which differs
    from row after row once N ≥ 8."""
    if dz.shape[2] == 1 and dz.shape[0] >= 8:
        return np.add.reduce(dz_s, axis=1)
    return np.add.reduce(dz, axis=0)


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
    S, N = len(seeds), X.shape[0]
    X = np.asarray(X, dtype=float)
    y3 = np.asarray(y, dtype=float)[:, None, :]  # (N, 1, k): broadcasts over the seed axis
    y_pos = is_one(y3)
    # Layout (module docstring): z, a and dz are (N, S, n) for the element-wise work; the matrix
    # products run per seed on (S, N, n) copies, exactly the calls the single-seed trainer makes.
    W = [np.stack([n.W[l] for n in nets]) for l in range(L)]  # (S, n_l, n_l+1)
    b = [np.stack([n.b[l][0] for n in nets]) for l in range(L)]  # (S, n_l+1)
    act = get_activation(hidden)
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {})).tolist()
    curve_epochs = np.unique(np.linspace(0, epochs, min(curve_points, epochs + 1)).round().astype(int))
    curve_pos = {int(e): i for i, e in enumerate(curve_epochs)}
    curves = np.full((S, len(curve_epochs)), np.nan)
    to_solve = np.full(S, -1)
    with np.errstate(all="ignore"):
        for t in range(epochs + 1):
            z, a, a_s = [None], [X], [X]  # a_s[l]: a[l] as (S, N, n), for the products
            for l in range(1, L + 1):
                zl = _examples_first(np.matmul(a_s[l - 1], W[l - 1]))
                zl += b[l - 1]
                z.append(zl)
                a.append(act.f(zl) if l < L else sigmoid(zl))
                a_s.append(_seeds_first(a[l]) if l < L else None)
            correct = np.all(np.equal(predicts_one(a[L]), y_pos), axis=(0, 2))
            if t in curve_pos or t == epochs:
                cur = _loss_per_seed(loss, z[L], a[L], y3)
                ok = correct & (cur < solved_loss)
                to_solve[(to_solve < 0) & ok] = t
                if t in curve_pos:
                    curves[:, curve_pos[t]] = cur
                if t == epochs:
                    break
            else:
                # in between, a loss only matters for "first solved": seeds not solved yet whose
                # every output is on the right side of 0.5 (a seed's loss is the same number alone)
                todo = np.flatnonzero(correct & (to_solve < 0))
                if todo.size:
                    cur = _loss_per_seed(loss, z[L][:, todo], a[L][:, todo], y3)
                    to_solve[todo[cur < solved_loss]] = t
            rate = rates[t]
            dz = output_delta(loss, a[L], y3)
            for l in range(L, 0, -1):
                dz_s = _seeds_first(dz)
                dW = np.matmul(X.T if l == 1 else np.swapaxes(a_s[l - 1], -1, -2), dz_s)
                dW /= N
                db = _sum_over_examples(dz, dz_s)
                db /= N
                if l > 1:
                    dz = _back(dz, dz_s, W[l - 1]) * act.df(z[l - 1], a[l - 1])
                W[l - 1] -= rate * dW
                b[l - 1] -= rate * db
    b = [v[:, None, :] for v in b]  # (S, 1, n), as MLP keeps biases
    out = _seeds_first(a[L])  # (S, N, k)
    finite = np.all([np.all(np.isfinite(w.reshape(S, -1)), axis=1) for w in W + b], axis=0) & np.isfinite(cur)
    out = np.where(np.isfinite(out), out, 0.5)
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
