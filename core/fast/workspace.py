"""``core.train``'s readable loop for any network, with the same numbers and far fewer NumPy calls.

Reproduces ``readable_loop`` in core/train.py line by line: ``net.forward(X)`` (``MLP._forward``),
``net.loss`` (``loss_value``), ``net.accuracy``, ``net.backward`` (``MLP._backward``) and
``net.step`` (``MLP._step``), operation for operation, so every number is bit for bit the readable
loop's (tests/test_core_fast.py checks it, for every activation, loss, schedule, depth and failure).
What is cut is the bookkeeping around the maths, because for a 2-2-1 network on 4 examples each
NumPy call costs far more than its arithmetic:

- all weights and biases live in one flat vector θ (views W[l], b[l] into it) and all gradients in
  one flat vector g, so "divide by N" and "θ ← θ − lr·g" are 1 call each, not 4;
- two θ buffers take turns, so the weights before the last step are still there for the roll-back
  after an overflow (the readable loop's ``previous = net.copy()``) without copying them every epoch;
- no Forward/Grads objects, no np.sum/np.mean wrappers (``np.add.reduce`` is what they call);
- every layer's z, a, dz and back-propagated product has its own buffer, written in place each epoch
  (a 10-layer network makes ~12 NumPy calls per layer per epoch, and allocating their results cost as
  much as their arithmetic); the sigmoid, tanh and ReLU and their derivatives are written "into"
  those buffers (``INTO``), the same operations as core.activations;
- ``np.dot`` where it makes the same BLAS call as ``np.matmul`` (``product``).
"""

from __future__ import annotations

import math

import numpy as np

from core.activations import get_activation
from core.decision import is_one, predicts_one
from core.losses import loss_value, output_delta, softmax
from core.mlp import MLP

# The stop reasons, as core.train's Divergence names them.
NON_FINITE, BLEW_UP = "non-finite", "loss blew up"

# The hidden activations as "write into this buffer" functions, the same operations as
# core.activations (so the same numbers): f(z, out, mask) and df(z, a, back, out, mask) = back · f'(z).
# ``mask`` is a boolean buffer of z's shape for ReLU's z > 0; ``out`` also serves as scratch.
_ZERO, _ONE = np.array(0.0), np.array(1.0)  # NumPy takes 0-d arrays faster than Python floats


def sigmoid_into(z, out, mask):
    """σ(z) = exp(−logaddexp(0, −z)), as core.activations.sigmoid."""
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


INTO = {
    "sigmoid": (sigmoid_into, _sigmoid_back),
    "tanh": (lambda z, out, mask: np.tanh(z, out), _tanh_back),
    "relu": (_relu_into, _relu_back),
}


def product(a_shape: tuple, b_shape: tuple):
    """``np.dot`` where it makes the very BLAS call ``np.matmul`` makes — a full matrix times a
    matrix (gemm) or times a column (gemv), operands C- or F-contiguous — else ``np.matmul``.
    Same call, same numbers; ``np.dot`` skips the ufunc machinery (~0.8 µs a call instead of ~1.4)."""
    return np.dot if a_shape[0] > 1 and a_shape[1] > 1 else np.matmul


def split(flat: np.ndarray, shapes: list) -> tuple[list, list]:
    """Views into ``flat`` with the given (W1, b1, W2, b2, …) shapes → ([W1, W2, …], [b1, b2, …])."""
    views, i = [], 0
    for shape in shapes:
        n = shape[0] * shape[1]
        views.append(flat[i : i + n].reshape(shape))
        i += n
    return views[0::2], views[1::2]


class Workspace:
    """The training loop's working memory (see the module docstring)."""

    def __init__(self, net: MLP, X: np.ndarray, y: np.ndarray, loss: str) -> None:
        self.X = np.asarray(X, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.y_pos = is_one(self.y)
        self.N = self.X.shape[0]
        self.loss = loss
        self.L = net.n_layers
        self.hidden, self.output, self.meta = net.hidden, net.output, net.meta
        self.shapes = [t.shape for pair in zip(net.W, net.b) for t in pair]
        self.theta = np.empty((2, net.n_params))  # two buffers, self.cur is the live one
        self.theta[0] = net.flat()
        self.views = [split(self.theta[k], self.shapes) for k in (0, 1)]  # [k] -> (W list, b list)
        self.g = np.zeros(net.n_params)
        self.dW, self.db = split(self.g, self.shapes)
        self.dW, self.db = [None, *self.dW], [None, *self.db]  # 1-based like Grads: dW[l] is dWl
        self.tmp = np.empty(net.n_params)
        self.cur = 0
        act = get_activation(net.hidden)
        self.f, self.df = act.f, act.df
        self.f_into, self.df_into = INTO.get(net.hidden, (None, None))  # None: leaky ReLU, linear
        self.sigmoid_out = net.output == "sigmoid"
        sizes, N = net.sizes, self.N
        self.z = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.a = [self.X] + [np.empty((N, n)) for n in sizes[1:]]
        self.dz = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.back = [None] + [np.empty((N, n)) for n in sizes[1:]]
        self.mask = [None] + [np.empty((N, n), dtype=bool) for n in sizes[1:]]  # relu's z > 0
        # np.dot where it makes the same BLAS call as np.matmul, for a @ W, a.T @ dz, dz @ W.T
        layers = range(1, len(sizes))
        self.dots = [None] + [product((N, sizes[l - 1]), (sizes[l - 1], sizes[l])) for l in layers]
        self.dots_T = [None] + [product((sizes[l - 1], N), (N, sizes[l])) for l in layers]
        self.dots_back = [None] + [product((N, sizes[l]), (sizes[l], sizes[l - 1])) for l in layers]

    def params(self, k: int | None = None) -> tuple[list, list]:
        return self.views[self.cur if k is None else k]

    def finite(self, k: int | None = None) -> bool:
        """``net.is_finite()``: one sum decides almost always (any inf/NaN makes it non-finite);
        only a sum past 1e308 of finite weights needs the element-wise look."""
        theta = self.theta[self.cur if k is None else k]
        return math.isfinite(float(theta.sum())) or bool(np.all(np.isfinite(theta)))

    def forward(self) -> tuple[list, list, float, float]:
        """``net.forward(X)``, ``net.loss`` and ``net.accuracy`` at the live weights: z, a, loss, accuracy."""
        W, b = self.views[self.cur]
        L, z, a = self.L, self.z, self.a
        for l in range(1, L + 1):
            zl = z[l]
            self.dots[l](a[l - 1], W[l - 1], zl)  # z_l = a_{l−1} @ W_l + b_l
            np.add(zl, b[l - 1], zl)
            if l < L and self.f_into is not None:
                self.f_into(zl, a[l], self.mask[l])
            elif l < L:
                a[l] = self.f(zl)
            elif self.sigmoid_out:
                sigmoid_into(zl, a[l], None)
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
        """``net.backward(fwd, y, loss)`` at the live weights: fills g with (dW1, db1, dW2, ...)."""
        W, L = self.views[self.cur][0], self.L
        if self.loss in ("bce", "cce"):
            dz = np.subtract(a[L], self.y, self.dz[L])  # dz_L = a_L − y
        else:
            dz = output_delta(self.loss, a[L], self.y)
        for l in range(L, 0, -1):
            self.dots_T[l](a[l - 1].T, dz, self.dW[l])  # dW_l = a_{l−1}.T @ dz_l (/ N below)
            np.add.reduce(dz, 0, None, self.db[l], True)  # db_l = Σ dz_l (/ N below)
            if l > 1:
                # dz_{l−1} = (dz_l @ W_l.T) · f'(z_{l−1}). With one output unit dz @ W.T has a single
                # product per entry, so the broadcast product is the same number and skips a matmul call
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
        """``net.step(grads, rate)``: θ ← θ − rate·g into the other buffer, which becomes the live one."""
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

    def network(self, k: int | None = None) -> MLP:
        W, b = self.params(k)
        return MLP([w.copy() for w in W], [v.copy() for v in b], self.hidden, self.output, dict(self.meta))


def epochs_from(
    ws: Workspace,
    t: int,
    rates: list,
    snap_at: set,
    losses: list,
    accs: list,
    snaps: list,
    diverge_factor: float,
) -> tuple:
    """The readable loop from epoch t on, with θ_t live in ``ws`` and ``losses``/``accs`` filled up to
    t − 1 (a fast loop may have done those epochs). Returns what ``readable_loop`` returns."""
    epochs = len(rates)
    stop = None
    while True:
        z, a, cur, acc = ws.forward()
        losses.append(cur)
        accs.append(acc)
        # a saturated output can keep the loss finite while a weight is ±inf, so check the weights too
        if not (math.isfinite(cur) and ws.finite()):
            del losses[t], accs[t]  # keep the inf/NaN epoch out of the curves
            if t == 0:
                return losses, accs, snaps, (t, NON_FINITE), ws.network()
            # roll back to the newest weights that were still finite (g is still theirs)
            gn = ws.grad_norms()  # may overflow (‖dW‖ past 1e308): inside errstate, so quietly
            if (not snaps or snaps[-1][0] != t - 1) and all(np.isfinite(gn)):
                snaps.append((t - 1, ws.to_dict(1 - ws.cur), gn))
            return losses, accs, snaps, (t, NON_FINITE), ws.network(1 - ws.cur)
        ws.backward(z, a)
        if t > 0 and cur > diverge_factor * losses[0]:
            stop = (t, BLEW_UP)
        if t in snap_at or stop is not None:
            gn = ws.grad_norms()
            if all(np.isfinite(gn)):
                snaps.append((t, ws.to_dict(), gn))
        if stop is not None or t == epochs:
            return losses, accs, snaps, stop, ws.network()
        ws.step(rates[t])
        t += 1
