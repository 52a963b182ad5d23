"""Why a run failed: saturated hidden neurons, tiny gradients, a rate that was too big, symmetry.

Used by the Training page on runs from ``core.train.train`` and ``core.multiseed.train_many``
(``MultiResult.network(i)`` gives any seed as an ``MLP``). A unit is saturated where its slope is
below ``core.activations.SATURATED`` of the peak (the one saturation rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.activations import SATURATED, get_activation
from core.decision import wrong
from core.mlp import MLP

MIN_RATE = 1e-3  # the smallest learning rate the Training page offers


@dataclass
class RunDiagnosis:
    """What one network does on X (N, d), y (N, 1), for a one-hidden-layer net with h hidden units."""

    output: np.ndarray  # (N,) a2
    a1: np.ndarray  # (N, h) hidden activations
    slope: np.ndarray  # (N, h) act'(z1) / its peak: 1 = steepest, 0 = flat (saturated or off)
    saturated: np.ndarray  # (N, h) bool: slope below SATURATED
    wrong: np.ndarray  # (N,) bool: the prediction (core.decision: a2 > 0.5 means 1) differs from y
    grad_norms: list  # [‖dW1‖, ‖dW2‖, ...] Frobenius norms at these weights
    grad_norm: float  # ‖(dW1, db1, dW2, db2, …)‖, every parameter's gradient together
    loss: float

    @property
    def fraction_saturated(self) -> float:
        return float(np.mean(self.saturated)) if self.saturated.size else 0.0


def diagnose_run(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> RunDiagnosis:
    """Forward and backward pass of ``net`` on (X, y), summarised for a "why is it stuck?" table."""
    fwd = net.forward(X)
    grads = net.backward(fwd, y, loss)
    act = get_activation(net.hidden)
    with np.errstate(over="ignore", invalid="ignore"):
        slope = act.df(fwd.z[1], fwd.a[1]) / act.peak
    slope = np.nan_to_num(slope, nan=0.0, posinf=1.0, neginf=0.0)
    L = net.n_layers
    parts = [grads.dW[l] for l in range(1, L + 1)] + [grads.db[l] for l in range(1, L + 1)]
    out = fwd.output[:, 0]
    return RunDiagnosis(
        output=out,
        a1=fwd.a[1],
        slope=slope,
        saturated=slope < SATURATED,
        wrong=wrong(out, y[:, 0]),
        grad_norms=[float(np.linalg.norm(grads.dW[l])) for l in range(1, L + 1)],
        grad_norm=float(np.sqrt(sum(float(np.sum(p * p)) for p in parts))),
        loss=net.loss(X, y, loss, fwd),
    )


def smaller_rates(lr: float, factor: float = 10.0, floor: float = MIN_RATE, tries: int = 4) -> list[float]:
    """lr/10, lr/100, … (at most ``tries`` of them), none below ``floor``."""
    rates = []
    r = float(lr)
    for _ in range(tries):
        r /= factor
        if r < floor * (1 - 1e-9):
            break
        rates.append(r)
    return rates


def suggest_rate(lr: float, run: Callable[[float], object], factor: float = 10.0, floor: float = MIN_RATE):
    """The first of lr/10, lr/100, … at which ``run(rate)`` does not diverge.

    ``run`` trains with the given rate and returns a ``core.train.History``. Returns
    ``(rate, history)``, or ``(None, None)`` when every smaller rate down to ``floor`` diverged too.
    """
    for rate in smaller_rates(lr, factor, floor):
        hist = run(rate)
        if not hist.diverged:
            return rate, hist
    return None, None


def symmetry_gap(net: MLP) -> float:
    """Largest difference between any hidden unit and hidden unit 0 of the first hidden layer.

    Compares each unit's incoming weights (a column of W1), its bias (b1) and its outgoing weights
    (a row of W2). 0.0 means every hidden unit computes exactly the same thing as unit 0.
    """
    W1, b1, W2 = net.W[0], net.b[0], net.W[1]
    gaps = [np.abs(W1 - W1[:, :1]), np.abs(b1 - b1[:, :1]), np.abs(W2 - W2[:1, :])]
    return float(max(np.max(g) for g in gaps))


def first_solved_epoch(loss: np.ndarray, acc: np.ndarray, solved_loss: float) -> int | None:
    """First epoch t with every output on the right side of 0.5 (acc = 1) and loss[t] < solved_loss.

    Same rule as ``core.train.is_solved`` and ``MultiResult.epochs_to_solve``. loss, acc: (T,).
    """
    ok = np.flatnonzero((np.asarray(acc) >= 1.0) & (np.asarray(loss) < solved_loss))
    return int(ok[0]) if ok.size else None


def loss_band(loss: np.ndarray, tail: float = 0.5) -> tuple[float, float, float]:
    """5th percentile, median and 95th percentile of the finite losses in the last ``tail`` of a run."""
    v = np.asarray(loss, dtype=float)
    v = v[int(len(v) * (1 - tail)) :]
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    p5, p50, p95 = np.percentile(v, [5, 50, 95])
    return float(p5), float(p50), float(p95)


def outputs_near_half(output: np.ndarray, tol: float = 0.05) -> np.ndarray:
    """How many of each run's outputs sit within ``tol`` of 0.5. output: (S, N, 1) → (S,) ints."""
    return np.sum(np.abs(np.asarray(output)[..., 0] - 0.5) < tol, axis=1)


def equal_start(width: int, hidden: str = "sigmoid", value: float = 0.5) -> MLP:
    """A 2-width-1 network whose weights all start at ``value`` (biases 0): every hidden unit equal.

    Like zero initialisation it is symmetric, but the weights do move, which shows that symmetry,
    not the zeros, is what keeps the hidden units identical.
    """
    return MLP(
        [np.full((2, width), float(value)), np.full((width, 1), float(value))],
        [np.zeros((1, width)), np.zeros((1, 1))],
        hidden,
    )


def largest_symmetry_gap(hist) -> float:
    """``symmetry_gap`` at every snapshot of a ``core.train.History``, the largest one."""
    return max(symmetry_gap(hist.network_at(e)) for e in hist.snapshot_epochs)
