"""Full-batch gradient descent with learning-rate schedules, recording a replayable history.

A run never raises on bad numbers: when the loss or a weight stops being finite, or the loss
climbs past ``DIVERGE_FACTOR`` times where it started, training stops and the history says at
which epoch and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.activations import get_activation, sigmoid
from core.losses import loss_value, output_delta, softmax
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


def _sigmoid_fresh(z: np.ndarray) -> np.ndarray:
    """``activations.sigmoid`` of a float array: the same four operations, written into one new
    array instead of four."""
    t = np.negative(z)
    np.logaddexp(0.0, t, out=t)
    np.negative(t, out=t)
    return np.exp(t, out=t)


class _Workspace:
    """The training loop's working memory: the maths of ``MLP._forward``, ``loss_value``,
    ``MLP.accuracy``, ``MLP._backward`` and ``MLP._step``, operation for operation, so every number
    is bit-for-bit what those readable methods give (tests/test_bench.py checks it against the
    original loop). Only the bookkeeping around the maths is cut, because for a 2-2-1 network on
    4 examples each NumPy call costs far more than its arithmetic:

    - all weights and biases live in one flat vector θ (views W[l], b[l] into it) and all
      gradients in one flat vector g, so "divide by N" and "θ ← θ − lr·g" are 1 call each, not 4;
    - two θ buffers take turns, so the weights before the last step are still there for the
      roll-back after an overflow without copying them every epoch;
    - no Forward/Grads objects, no np.sum/np.mean wrappers (``np.add.reduce`` is what they call).
    """

    def __init__(self, net: MLP, X: np.ndarray, y: np.ndarray, loss: str) -> None:
        self.X = np.asarray(X, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.y_pos = self.y > 0.5
        self.N = self.X.shape[0]
        self.loss = loss
        self.L = net.n_layers
        shapes = [t.shape for pair in zip(net.W, net.b) for t in pair]
        self.theta = np.empty((2, net.n_params))  # two buffers, self.cur is the live one
        self.theta[0] = net.flat()
        self.views = [self._split(self.theta[k], shapes) for k in (0, 1)]  # [k] -> (W list, b list)
        self.g = np.zeros(net.n_params)
        self.dW, self.db = self._split(self.g, shapes)
        self.dW, self.db = [None, *self.dW], [None, *self.db]  # 1-based like Grads: dW[l] is dWl
        self.tmp = np.empty(net.n_params)
        self.cur = 0
        act = get_activation(net.hidden)
        self.f, self.df = (_sigmoid_fresh if act.f is sigmoid else act.f), act.df
        self.out = _sigmoid_fresh if net.output == "sigmoid" else softmax
        self.sigmoid_out = net.output == "sigmoid"

    @staticmethod
    def _split(flat: np.ndarray, shapes: list) -> tuple[list, list]:
        views, i = [], 0
        for shape in shapes:
            n = shape[0] * shape[1]
            views.append(flat[i : i + n].reshape(shape))
            i += n
        return views[0::2], views[1::2]

    def params(self, k: int | None = None) -> tuple[list, list]:
        return self.views[self.cur if k is None else k]

    def forward(self) -> tuple[list, list, float, float]:
        """z, a (as in Forward), the loss and the accuracy at the live weights."""
        W, b = self.views[self.cur]
        L = self.L
        z, a = [None], [self.X]
        for l in range(1, L + 1):
            zl = a[l - 1] @ W[l - 1]
            zl += b[l - 1]
            z.append(zl)
            a.append(self.f(zl) if l < L else self.out(zl))
        zL, aL, y = z[L], a[L], self.y
        if self.loss == "bce" and self.sigmoid_out:  # = losses.bce_from_logits
            v = np.logaddexp(0.0, zL)
            v -= y * zL
            if v.shape[1] > 1:
                v = np.add.reduce(v, axis=1)
            cur = float(np.add.reduce(v, axis=None)) / self.N
            if not math.isfinite(cur):  # let bce_from_logits decide what a huge loss is
                cur = loss_value(self.loss, zL, aL, y)
        else:
            cur = loss_value(self.loss, zL, aL, y)
        if self.sigmoid_out:  # = MLP.accuracy: a mean of booleans is (count of True) / size
            acc = np.count_nonzero(np.equal(aL > 0.5, self.y_pos)) / aL.size
        else:
            acc = float(np.mean(np.argmax(aL, axis=1) == np.argmax(y, axis=1)))
        return z, a, cur, acc

    def backward(self, z: list, a: list) -> None:
        """Fill g with (dW1, db1, dW2, ...) at the live weights."""
        W = self.views[self.cur][0]
        dz = a[-1] - self.y if self.loss in ("bce", "cce") else output_delta(self.loss, a[-1], self.y)
        for l in range(self.L, 0, -1):
            np.matmul(a[l - 1].T, dz, out=self.dW[l])
            np.add.reduce(dz, axis=0, keepdims=True, out=self.db[l])
            if l > 1:
                # with one output unit dz @ W.T has a single product per entry, so the broadcast
                # product is the same number and skips a matmul call
                back = dz * W[l - 1].T if dz.shape[1] == 1 else dz @ W[l - 1].T
                dz = back * self.df(z[l - 1], a[l - 1])
        np.divide(self.g, self.N, out=self.g)  # every dW and db is a sum over the batch / N

    def step(self, rate: float) -> None:
        """θ ← θ − rate·g into the other buffer, which becomes the live one."""
        np.multiply(self.g, rate, out=self.tmp)
        np.subtract(self.theta[self.cur], self.tmp, out=self.theta[1 - self.cur])
        self.cur = 1 - self.cur

    def grad_norms(self) -> list:
        return [float(np.linalg.norm(self.dW[l])) for l in range(1, self.L + 1)]

    def to_dict(self, k: int | None = None) -> dict:
        W, b = self.params(k)
        out = {}
        for l in range(1, self.L + 1):
            out[f"W{l}"] = W[l - 1].copy()
            out[f"b{l}"] = b[l - 1].copy()
        return out


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
    rate_list = rates.tolist()  # Python floats: indexing a list is cheaper than indexing an array
    snap_set = set(snapshot_schedule(epochs, snapshots).tolist())
    losses, accs = [], []
    snaps = []  # (epoch, params, [‖dW_l‖]) — only finite ones are kept
    divergence = None
    ws = _Workspace(net, X, y, loss)  # the maths of net._forward/_backward/_step, bit for bit
    blow_up = None  # diverge_factor × the starting loss, known after epoch 0
    t = 0
    with np.errstate(all="ignore"):
        while True:
            z, a, cur, acc = ws.forward()
            losses.append(cur)
            accs.append(acc)
            # a saturated output can keep the loss finite while a weight is ±inf, so check the
            # weights too (one sum: any inf/NaN, or a sum past 1e308, makes it non-finite)
            if not (math.isfinite(cur) and math.isfinite(float(ws.theta[ws.cur].sum()))):
                last = losses[t - 1] if t else float("nan")
                divergence = Divergence(
                    t, "non-finite", last, f"at epoch {t} the numbers overflowed (a weight or the loss became inf/NaN)"
                )
                t -= 1  # keep the inf/NaN epoch out of the curves
                break
            ws.backward(z, a)
            if blow_up is None:
                blow_up = diverge_factor * losses[0]
            elif cur > blow_up:
                divergence = Divergence(
                    t,
                    "loss blew up",
                    float(cur),
                    f"at epoch {t} the loss reached {cur:.3g}, more than {diverge_factor:g}× "
                    f"its starting value {losses[0]:.3g}",
                )
            if t in snap_set or divergence is not None:
                gn = ws.grad_norms()
                if all(np.isfinite(gn)):
                    snaps.append((t, ws.to_dict(), gn))
            if divergence is not None or t == epochs:
                break
            ws.step(rate_list[t])
            t += 1
    live = ws.cur
    if divergence is not None and divergence.reason == "non-finite" and t >= 0:
        live = 1 - ws.cur  # roll back to the newest weights that were still finite (g is still theirs)
        gn = ws.grad_norms()
        if (not snaps or snaps[-1][0] != t) and all(np.isfinite(gn)):
            snaps.append((t, ws.to_dict(live), gn))
    W, b = ws.params(live)
    net.W, net.b = [w.copy() for w in W], [v.copy() for v in b]
    n = t + 1
    return History(
        loss=np.array(losses[:n]),
        acc=np.array(accs[:n]),
        lr=rates,
        snapshot_epochs=[e for e, _, _ in snaps],
        snapshots=[p for _, p, _ in snaps],
        grad_norms=[g for _, _, g in snaps],
        final=net,
        loss_name=loss,
        divergence=divergence,
    )
