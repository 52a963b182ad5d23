"""``core.multiseed.seed_by_seed`` for many seeds at once: every array carries a seed axis S, and
one NumPy operation per step serves all seeds, so 1,000 seeds cost far less than 1,000 runs.

Reproduces ``seed_by_seed``'s loop (core/multiseed.py) — ``net.forward``, ``net.loss``,
``net.accuracy``, ``net.backward``, ``net.step`` per seed — operation for operation, so every seed's
numbers are the ones that seed gives alone, to the last bit (tests/test_core_fast.py).

Inside the loop the arrays are laid out for speed rather than for reading: examples first,
(N, S, n), so element-wise work (the sigmoids, most of the cost) runs along long contiguous rows
instead of rows of 2. The matrix products stay one BLAS call per seed on contiguous (S, N, n)
copies, because BLAS may round a product differently when it is computed as part of a bigger one.
The losses are summed in the single-seed order (``_loss_per_seed``, ``_sum_over_examples``), and a
loss is only computed where it is recorded or can decide "first solved".
"""

from __future__ import annotations

import numpy as np

from core.activations import get_activation, sigmoid
from core.decision import is_one, predicts_one
from core.losses import output_delta, softplus
from core.mlp import MLP


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


def train_seeds(
    nets: list[MLP],
    X: np.ndarray,
    y: np.ndarray,
    loss: str,
    rates: list,
    curve_epochs: np.ndarray,
    solved_loss: float,
    on_step=None,
) -> dict:
    """``seed_by_seed`` for every network in ``nets`` at once (same sizes and hidden activation, sigmoid
    output); returns the fields of a ``MultiResult`` but the seeds, as seed_by_seed does. on_step():
    after every update, as in seed_by_seed."""
    L = nets[0].n_layers
    hidden = nets[0].hidden
    epochs = len(rates)
    S, N = len(nets), X.shape[0]
    X = np.asarray(X, dtype=float)
    y3 = np.asarray(y, dtype=float)[:, None, :]  # (N, 1, k): broadcasts over the seed axis
    y_pos = is_one(y3)
    # Layout (module docstring): z, a and dz are (N, S, n) for the element-wise work; the matrix
    # products run per seed on (S, N, n) copies, exactly the calls the single-seed trainer makes.
    W = [np.stack([n.W[l] for n in nets]) for l in range(L)]  # (S, n_l, n_l+1)
    b = [np.stack([n.b[l][0] for n in nets]) for l in range(L)]  # (S, n_l+1)
    act = get_activation(hidden)
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
            if on_step is not None:
                on_step()
    b = [v[:, None, :] for v in b]  # (S, 1, n), as MLP keeps biases
    out = _seeds_first(a[L])  # (S, N, k)
    finite = np.all([np.all(np.isfinite(w.reshape(S, -1)), axis=1) for w in W + b], axis=0) & np.isfinite(cur)
    out = np.where(np.isfinite(out), out, 0.5)
    return dict(
        W=W,
        b=b,
        loss=np.where(finite, cur, np.nan),
        loss_curves=np.where(np.isfinite(curves), curves, np.nan),
        curve_epochs=curve_epochs,
        output=out,
        solved=ok & finite,
        epochs_to_solve=np.where(finite, to_solve, -1),
        diverged=~finite,
    )
