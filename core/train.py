"""Full-batch gradient descent with learning-rate schedules, recording a replayable history.

A run never raises on bad numbers: when the loss or a weight stops being finite, or the loss
climbs past ``DIVERGE_FACTOR`` times where it started, training stops and the history says at
which epoch and why.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.activations import get_activation
from core.decision import is_one, predicts_one
from core.losses import loss_value, output_delta, softmax
from core.mlp import MLP
from core.schedules import lr_schedule

DIVERGE_FACTOR = 4.0  # loss above 4× its starting value counts as diverged (cf. fastai's lr finder)
SOLVED_LOSS = 0.1  # "solved" = every prediction on the right side of 0.5 and loss below this
PAUSE_EVERY = 128  # epochs between calls of train()'s pause hook (~20 ms for a 10-layer network)


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


# The hidden activations as "write into this buffer" functions, the same operations as
# core.activations (so the same numbers): f(z, out, mask) and df(z, a, back, out, mask) = back · f'(z).
# ``mask`` is a boolean buffer of z's shape for ReLU's z > 0; ``out`` also serves as scratch.
_ZERO, _ONE = np.array(0.0), np.array(1.0)  # NumPy takes 0-d arrays faster than Python floats


def _sigmoid_into(z, out, mask):
    np.negative(z, out)
    np.logaddexp(0.0, out, out)
    np.negative(out, out)
    return np.exp(out, out)


def _sigmoid_back(z, a, back, out, mask):
    np.subtract(_ONE, a, out)
    np.multiply(a, out, out)
    return np.multiply(back, out, out)


def _tanh_back(z, a, back, out, mask):
    np.multiply(a, a, out)
    np.subtract(_ONE, out, out)
    return np.multiply(back, out, out)


def _relu_into(z, out, mask):
    return np.maximum(z, _ZERO, out=out)


def _relu_back(z, a, back, out, mask):
    np.greater(z, _ZERO, mask)
    return np.multiply(back, mask, out)  # back · 1.0 or back · 0.0, as relu_prime's float mask gives


_INTO = {
    "sigmoid": (_sigmoid_into, _sigmoid_back),
    "tanh": (lambda z, out, mask: np.tanh(z, out), _tanh_back),
    "relu": (_relu_into, _relu_back),
}


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
    - no Forward/Grads objects, no np.sum/np.mean wrappers (``np.add.reduce`` is what they call);
    - every layer's z, a, dz and back-propagated product has its own buffer, written in place
      each epoch (a 10-layer network makes ~12 NumPy calls per layer per epoch, and allocating
      their results cost as much as their arithmetic).
    """

    def __init__(self, net: MLP, X: np.ndarray, y: np.ndarray, loss: str) -> None:
        self.X = np.asarray(X, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.y_pos = is_one(self.y)
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
        self.f, self.df = act.f, act.df
        self.f_into, self.df_into = _INTO.get(net.hidden, (None, None))  # None: leaky ReLU, linear
        self.sigmoid_out = net.output == "sigmoid"
        sizes, N = net.sizes, self.N
        self.z = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.a = [self.X] + [np.empty((N, n)) for n in sizes[1:]]
        self.dz = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.back = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.mask = [None] + [np.empty((N, n), dtype=bool) for n in sizes[1:]]  # relu's z > 0
        # np.dot where it makes the same BLAS call as np.matmul (see _product), for a @ W, a.T @ dz, dz @ W.T
        layers = range(1, len(sizes))
        self.dots = [None] + [_product((N, sizes[l - 1]), (sizes[l - 1], sizes[l])) for l in layers]
        self.dots_T = [None] + [_product((sizes[l - 1], N), (N, sizes[l])) for l in layers]
        self.dots_back = [None] + [_product((N, sizes[l]), (sizes[l], sizes[l - 1])) for l in layers]

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
        L, z, a = self.L, self.z, self.a
        for l in range(1, L + 1):
            zl = z[l]
            self.dots[l](a[l - 1], W[l - 1], zl)
            np.add(zl, b[l - 1], zl)
            if l < L and self.f_into is not None:
                self.f_into(zl, a[l], self.mask[l])
            elif l < L:
                a[l] = self.f(zl)
            elif self.sigmoid_out:
                _sigmoid_into(zl, a[l], None)
            else:
                a[l] = softmax(zl)
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
            acc = np.count_nonzero(np.equal(predicts_one(aL), self.y_pos)) / aL.size
        else:
            acc = float(np.mean(np.argmax(aL, axis=1) == np.argmax(y, axis=1)))
        return z, a, cur, acc

    def backward(self, z: list, a: list) -> None:
        """Fill g with (dW1, db1, dW2, ...) at the live weights."""
        W, L = self.views[self.cur][0], self.L
        if self.loss in ("bce", "cce"):
            dz = np.subtract(a[L], self.y, self.dz[L])
        else:
            dz = output_delta(self.loss, a[L], self.y)
        for l in range(L, 0, -1):
            self.dots_T[l](a[l - 1].T, dz, self.dW[l])
            np.add.reduce(dz, 0, None, self.db[l], True)
            if l > 1:
                # with one output unit dz @ W.T has a single product per entry, so the broadcast
                # product is the same number and skips a matmul call
                back = self.back[l - 1]
                if dz.shape[1] == 1:
                    np.multiply(dz, W[l - 1].T, back)
                else:
                    self.dots_back[l](dz, W[l - 1].T, back)
                if self.df_into is not None:
                    dz = self.df_into(z[l - 1], a[l - 1], back, self.dz[l - 1], self.mask[l - 1])
                else:
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


# Epochs per chunk of the fast loop (below): its deferred checks run once per chunk, and a chunk is
# what gets recomputed by the exact loop when one of its epochs diverged. A chunk keeps every
# epoch's outputs, so a big batch gets fewer epochs per chunk (_CHUNK_VALUES numbers at most).
_CHUNK = 256
_CHUNK_VALUES = 1 << 16


def _product(a_shape: tuple, b_shape: tuple):
    """``np.dot`` where it makes the very BLAS call ``np.matmul`` makes — a full matrix times a
    matrix (gemm) or times a column (gemv), operands C- or F-contiguous — else ``np.matmul``.
    Same call, same numbers; ``np.dot`` skips the ufunc machinery (~0.8 µs a call instead of ~1.4)."""
    return np.dot if a_shape[0] > 1 and a_shape[1] > 1 else np.matmul


def _fast_applies(ws: _Workspace, hidden: str, output: str) -> bool:
    """The fast loop covers the notes' network: one hidden layer of sigmoids, a sigmoid output,
    binary cross-entropy, a contiguous (N, d) X and a (N, k) y."""
    return (
        ws.L == 2
        and hidden == "sigmoid"
        and output == "sigmoid"
        and ws.loss == "bce"
        and ws.X.ndim == 2
        and ws.X.flags.c_contiguous
        and ws.y.shape == (ws.N, ws.views[0][0][1].shape[1])
    )


def _fast_epochs(
    ws: _Workspace,
    epochs: int,
    rate_list: list,
    snap_set: set,
    losses: list,
    accs: list,
    snaps: list,
    diverge_factor: float,
) -> int:
    """Epochs 0, 1, … of ``train`` for the notes' network, fast; returns an epoch t with θ_t live in
    ``ws`` and the curves filled up to t − 1, so that the exact loop (``_exact_epochs``) carries
    on from there: the last epoch or two, and every chunk in which something went wrong.

    The numbers are ``_Workspace``'s, operation for operation (tests/test_bench.py compares them with
    the original loop bit for bit, tests/test_core_train.py with the exact loop); what is cut is
    the number of NumPy calls per epoch, because for a 2-2-1 network each call costs ~0.5–1 µs and
    does a few nanoseconds of arithmetic:

    - the loss, the accuracy and the "are the weights finite" check are not computed epoch by
      epoch: every epoch's z2, a2 and θ are kept (a chunk of ``_CHUNK`` epochs), and the chunk's
      losses, accuracies and weight sums are computed at once, along rows, so each is the same
      number the per-epoch sum gives. If any epoch of the chunk diverged (or might have: the
      check is on the safe side), the chunk is thrown away and the exact loop redoes it from its
      first epoch — same start, same arithmetic, so the same numbers, and it decides what
      happened exactly as before;
    - the weights are kept negated (−W, −b): σ(z) = exp(−softplus(−z)), and X @ (−W1) + (−b1) is
      exactly −z1 (negation is exact and rounding is symmetric), so each sigmoid needs one
      negation fewer; the gradients are negated with them (y − a2 for a2 − y, a1 (a1 − 1) for
      a1 (1 − a1)), so the update θ ← θ − lr·g is the same subtraction;
    - every array has its buffer, every call writes with ``out``; constants are 0-d arrays,
      which NumPy takes faster than Python floats; ``np.dot`` where it is the same BLAS call.
    """
    X, y, N = ws.X, ws.y, ws.N
    (W1, W2), (b1, b2) = ws.params()
    h, k = W2.shape
    P = ws.theta.shape[1]
    C = max(1, min(_CHUNK, epochs, _CHUNK_VALUES // (N * k)))
    # −θ_{t0−1+j} in row j, for the chunk of epochs t0, t0 + 1, …: epoch t0 + s reads row s + 1
    # and its update writes row s + 2
    ring = np.empty((C + 2, P))
    np.negative(ws.theta[ws.cur], out=ring[1])
    Zout = np.empty((C, N, k))  # −z2 of each epoch of the chunk
    Aout = np.empty((C, N, k))  # a2 of each epoch of the chunk
    shapes = [W1.shape, b1.shape, W2.shape, b2.shape]
    slots = []
    for s in range(C):
        (nW1, nW2), (nb1, nb2) = ws._split(ring[s + 1], shapes)
        # one output: b2 as a 0-d view, the same additions without NumPy's slower broadcasting
        nb2_add = nb2.reshape(()) if k == 1 else nb2
        slots.append((nW1, nb1, nW2, nb2, nb2_add, nW2.T, ring[s + 1], ring[s + 2], Zout[s], Aout[s]))
    nz1, a1, back, ndf, ndz1 = (np.empty((N, h)) for _ in range(5))
    a1T, XT = a1.T, X.T
    ndz2 = np.empty((N, k))
    g = np.empty(P)  # −(dW1, db1, dW2, db2)
    (ndW1, ndW2), (ndb1, ndb2) = ws._split(g, shapes)
    tmp = np.empty(P)
    zero, one, n_ex = np.array(0.0), np.array(1.0), np.array(float(N))
    constant = len(set(rate_list)) <= 1
    rate0 = np.array(rate_list[0]) if constant and rate_list else None
    dot1, dot2 = _product(X.shape, W1.shape), _product(a1.shape, W2.shape)
    dot3, dot4 = _product(a1T.shape, ndz2.shape), _product(XT.shape, ndz1.shape)
    back_product = np.multiply if k == 1 else _product(ndz2.shape, (k, h))  # as in _Workspace.backward
    add, sub, mul, div, neg, exp, lae = (np.add, np.subtract, np.multiply, np.divide, np.negative, np.exp, np.logaddexp)
    red = np.add.reduce
    y_pos = ws.y_pos
    norm = np.linalg.norm
    t0 = 0
    while t0 < epochs:
        n = min(C, epochs - t0)
        for s in range(n):
            nW1, nb1, nW2, nb2, nb2_add, nW2T, th, th_next, nz2, a2 = slots[s]
            t = t0 + s
            # forward: −z1, a1 = σ(z1), −z2, a2 = σ(z2)
            dot1(X, nW1, nz1)
            add(nz1, nb1, nz1)
            lae(zero, nz1, a1)
            neg(a1, a1)
            exp(a1, a1)
            dot2(a1, nW2, nz2)
            add(nz2, nb2_add, nz2)
            lae(zero, nz2, a2)
            neg(a2, a2)
            exp(a2, a2)
            # backward, negated: −dz2 = y − a2, −dz1 = (dz2 W2ᵀ) · a1 (a1 − 1)
            sub(y, a2, ndz2)
            dot3(a1T, ndz2, ndW2)
            red(ndz2, 0, None, ndb2, True)
            back_product(ndz2, nW2T, back)
            sub(a1, one, ndf)
            mul(a1, ndf, ndf)
            mul(back, ndf, ndz1)
            dot4(XT, ndz1, ndW1)
            red(ndz1, 0, None, ndb1, True)
            div(g, n_ex, g)
            if t in snap_set:
                gn = [float(norm(ndW1)), float(norm(ndW2))]
                if all(np.isfinite(gn)):
                    snaps.append((t, {"W1": -nW1, "b1": -nb1, "W2": -nW2, "b2": -nb2}, gn))
            mul(g, rate0 if constant else np.array(rate_list[t]), tmp)
            sub(th, tmp, th_next)
        # the chunk's losses (bce_from_logits' sums), accuracies and weight sums: NumPy reduces each
        # contiguous row with the loop it uses for a lone array of that length, so in the same order
        z2 = np.negative(Zout[:n])
        v = lae(0.0, z2)
        v -= y * z2
        v = red(v, axis=2) if k > 1 else v.reshape(n, N)
        cur = red(v, axis=1) / N
        acc = np.count_nonzero(np.equal(predicts_one(Aout[:n]), y_pos), axis=(1, 2)) / (N * k)
        sums = red(ring[1 : n + 1], axis=1)
        if t0 == 0:
            blow_up = diverge_factor * float(cur[0])
        bad = ~(np.isfinite(cur) & np.isfinite(sums))
        if t0 == 0:
            bad[1:] |= cur[1:] > blow_up
        else:
            bad |= cur > blow_up
        if bad.any():  # let the exact loop redo this chunk and decide
            break
        losses += cur.tolist()
        accs += acc.tolist()
        ring[0:2] = ring[n : n + 2]
        t0 += n
    # Hand over at t0 − 1, the last epoch checked, rather than t0: the exact loop then makes that
    # epoch's gradient and update itself, so a roll-back at t0 finds both where it expects them.
    if t0 == 0:
        np.negative(ring[1], out=ws.theta[ws.cur])
        snaps.clear()
        return 0
    np.negative(ring[0], out=ws.theta[ws.cur])
    del losses[t0 - 1 :], accs[t0 - 1 :]
    snaps[:] = [snap for snap in snaps if snap[0] < t0 - 1]
    return t0 - 1


def _exact_epochs(
    ws: _Workspace,
    t: int,
    epochs: int,
    rate_list: list,
    snap_set: set,
    losses: list,
    accs: list,
    snaps: list,
    diverge_factor: float,
    pause: Callable[[], None] | None = None,
) -> tuple[int, Divergence | None]:
    """Epochs t, t + 1, … up to ``epochs`` or the first sign of divergence, from θ_t live in ``ws``;
    returns the last epoch kept and the divergence, if any."""
    divergence = None
    blow_up = diverge_factor * losses[0] if losses else None  # diverge_factor × the starting loss
    while True:
        if pause is not None and t % PAUSE_EVERY == 0:
            pause()
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
    return t, divergence


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
    pause: Callable[[], None] | None = None,
) -> History:
    """Train a copy of ``net`` for ``epochs`` full-batch updates. X (N, d), y (N, k).

    pause: called every PAUSE_EVERY epochs (of the general loop), so a background caller can let
    more urgent work go first; it changes no number."""
    net = net.copy()
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {}))
    rate_list = rates.tolist()  # Python floats: indexing a list is cheaper than indexing an array
    snap_set = set(snapshot_schedule(epochs, snapshots).tolist())
    losses, accs = [], []
    snaps = []  # (epoch, params, [‖dW_l‖]) — only finite ones are kept
    ws = _Workspace(net, X, y, loss)  # the maths of net._forward/_backward/_step, bit for bit
    with np.errstate(all="ignore"):
        t = 0
        if epochs > 0 and _fast_applies(ws, net.hidden, net.output):
            t = _fast_epochs(ws, epochs, rate_list, snap_set, losses, accs, snaps, diverge_factor)
        t, divergence = _exact_epochs(ws, t, epochs, rate_list, snap_set, losses, accs, snaps, diverge_factor, pause)
        live = ws.cur
        if divergence is not None and divergence.reason == "non-finite" and t >= 0:
            live = 1 - ws.cur  # roll back to the newest weights that were still finite (g is still theirs)
            gn = ws.grad_norms()  # may overflow (‖dW‖ past 1e308): inside errstate, so quietly
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
