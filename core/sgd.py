"""Mini-batch stochastic gradient descent for the core's MLP, recording a per-epoch history.

Each epoch shuffles the training rows with a seeded Generator, cuts them into mini-batches of
``batch_size`` (the last one may be smaller) and takes one step per batch with the very same
``MLP.forward`` / ``MLP.backward`` / ``MLP.step`` the XOR pages use. With a softmax output and
categorical cross-entropy the output delta is ``dz = a − y`` with one-hot y: the notes'
``dz2 = a2 − y``, now in ten dimensions.

The learning rate follows ``core.schedules`` with one rate per epoch (PyTorch's schedulers are
stepped once per epoch too); :func:`schedule_params_for` scales each schedule to the run's length.

Like ``core.train``, a run never raises on bad numbers: if a mini-batch loss or a weight stops
being finite, training stops, the weights roll back to the start of that epoch, and the history
says so; if the training loss after an epoch is above ``DIVERGE_FACTOR`` (4) times where it
started, that epoch is kept and training stops as "blew up".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.losses import loss_value
from core.mlp import MLP
from core.schedules import lr_schedule
from core.train import DIVERGE_FACTOR


@dataclass
class SGDHistory:
    """Per-epoch record. Index e = 0..epochs_run: after e epochs (e = 0 is before any update).

    train_loss, test_loss, train_acc, test_acc: (epochs_run + 1,).
    running_loss: (epochs_run,) mean mini-batch loss during each epoch (what a progress bar shows).
    lr: (epochs_run,) rate used in each epoch. grad_norms: (epochs_run, L) mean ‖dW_l‖ over the
    epoch's mini-batches, column l − 1 for layer l (W1 first).
    """

    train_loss: np.ndarray
    test_loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    running_loss: np.ndarray
    lr: np.ndarray
    grad_norms: np.ndarray
    final: MLP
    epochs_planned: int
    batch_size: int
    steps: int  # mini-batch updates taken
    seconds: float
    stopped: str | None = None  # why training ended before epochs_planned, if it did
    diverged: bool = False
    meta: dict = field(default_factory=dict)

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss) - 1

    @property
    def complete(self) -> bool:
        return self.epochs_run == self.epochs_planned and self.stopped is None


def schedule_params_for(name: str, epochs: int) -> dict:
    """Schedule settings scaled to a run of ``epochs`` epochs (the defaults in core.schedules suit
    thousands of full-batch XOR epochs, not a few dozen passes over the digits).

    step: halve the rate every third of the run; exponential: end at a tenth of the rate;
    cosine: one half-period over the run; warm-up: rise from 10 % over the first fifth.
    """
    epochs = max(int(epochs), 1)
    if name == "step":
        return {"step_size": max(epochs // 3, 1), "gamma": 0.5}
    if name == "exponential":
        return {"gamma": 0.1 ** (1.0 / epochs)}
    if name == "cosine":
        return {"T_max": epochs, "eta_min": 0.0}
    if name == "warmup":
        return {"start_factor": 0.1, "end_factor": 1.0, "total_iters": max(epochs // 5, 1)}
    return {}


def evaluate(net: MLP, X: np.ndarray, Y: np.ndarray, loss: str = "cce", chunk: int = 4096) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on X (N, d), one-hot Y (N, k), in chunks to bound memory."""
    N = X.shape[0]
    if N == 0:
        return float("nan"), float("nan")
    total, correct = 0.0, 0
    for s in range(0, N, chunk):
        fwd = net._forward(X[s : s + chunk])
        y = Y[s : s + chunk]
        total += loss_value(loss, fwd.z[-1], fwd.a[-1], y) * y.shape[0]
        correct += int(np.sum(np.argmax(fwd.a[-1], axis=1) == np.argmax(y, axis=1)))
    return total / N, correct / N


def train_minibatch(
    net: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    X_test: np.ndarray,
    Y_test: np.ndarray,
    lr: float = 0.1,
    epochs: int = 20,
    batch_size: int = 32,
    schedule: str = "constant",
    schedule_params: dict | None = None,
    seed: int = 0,
    loss: str = "cce",
    on_epoch: Callable[[int, SGDHistory], None] | None = None,
    on_batch: Callable[[int, int, int, float], None] | None = None,
    batch_every: int = 50,
    should_stop: Callable[[], bool] | None = None,
    eval_max: int | None = None,
) -> SGDHistory:
    """Train a copy of ``net`` by mini-batch SGD. X (N, d), Y (N, k) one-hot; the test set likewise.

    on_epoch(e, history_so_far): after each epoch e = 1..epochs (history_so_far is a complete,
    usable SGDHistory of the first e epochs, so a caller can keep it as a partial result).
    on_batch(e, b, n_batches, running_loss): every ``batch_every`` mini-batches within epoch e.
    should_stop(): asked before each epoch and every ``batch_every`` batches; True ends training
    after the last completed epoch (the history records ``stopped``).
    eval_max: measure the training loss/accuracy on at most this many fixed rows (large sets).
    """
    t0 = time.perf_counter()
    net = net.copy()
    X = np.asarray(X)
    Y = np.asarray(Y, dtype=float)
    X_test = np.asarray(X_test)
    Y_test = np.asarray(Y_test, dtype=float)
    N = X.shape[0]
    if N == 0 or X.shape[0] != Y.shape[0]:
        raise ValueError("X and Y need the same, non-zero number of rows")
    batch_size = int(min(max(int(batch_size), 1), N))
    epochs = max(int(epochs), 0)
    params = schedule_params_for(schedule, epochs) if schedule_params is None else schedule_params
    rates = lr_schedule(schedule, lr, max(epochs, 1), **params)[:epochs]
    rng = np.random.default_rng(seed)
    if eval_max is not None and N > eval_max:
        ev = np.sort(np.random.default_rng(seed + 1).choice(N, size=eval_max, replace=False))
        X_ev, Y_ev = X[ev], Y[ev]
    else:
        X_ev, Y_ev = X, Y
    L = net.n_layers
    n_batches = -(-N // batch_size)

    tr_loss, tr_acc, te_loss, te_acc = [], [], [], []
    running, gnorms = [], []
    stopped = None
    diverged = False
    steps = 0

    def record() -> None:
        a, b = evaluate(net, X_ev, Y_ev, loss)
        c, d = evaluate(net, X_test, Y_test, loss) if X_test.shape[0] else (float("nan"), float("nan"))
        tr_loss.append(a)
        tr_acc.append(b)
        te_loss.append(c)
        te_acc.append(d)

    def history() -> SGDHistory:
        e = len(running)
        return SGDHistory(
            train_loss=np.array(tr_loss),
            test_loss=np.array(te_loss),
            train_acc=np.array(tr_acc),
            test_acc=np.array(te_acc),
            running_loss=np.array(running),
            lr=np.asarray(rates[:e], dtype=float),
            grad_norms=np.array(gnorms, dtype=float).reshape(e, L),
            final=net.copy(),
            epochs_planned=epochs,
            batch_size=batch_size,
            steps=steps,
            seconds=time.perf_counter() - t0,
            stopped=stopped,
            diverged=diverged,
        )

    with np.errstate(all="ignore"):
        record()
        for e in range(1, epochs + 1):
            if should_stop is not None and should_stop():
                stopped = f"stopped after {e - 1} of {epochs} epochs"
                break
            start = ([w.copy() for w in net.W], [v.copy() for v in net.b])
            order = rng.permutation(N)
            rate = float(rates[e - 1])
            loss_sum, seen = 0.0, 0
            norm_sum = np.zeros(L)
            interrupted = False
            for b in range(n_batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                xb, yb = X[idx], Y[idx]
                fwd = net._forward(xb)
                cur = loss_value(loss, fwd.z[-1], fwd.a[-1], yb)
                if not np.isfinite(cur):
                    diverged = True
                    break
                grads = net._backward(fwd, yb, loss)
                norm_sum += [np.linalg.norm(grads.dW[l]) for l in range(1, L + 1)]
                net._step(grads, rate)
                steps += 1
                loss_sum += cur * len(idx)
                seen += len(idx)
                if (b + 1) % batch_every == 0 and b + 1 < n_batches:
                    if on_batch is not None:
                        on_batch(e, b + 1, n_batches, loss_sum / seen)
                    if should_stop is not None and should_stop():
                        interrupted = True
                        break
            if diverged or interrupted or not net.is_finite():
                net.W, net.b = start  # back to the last weights that finished an epoch
                if diverged or not net.is_finite():
                    diverged = True
                    stopped = f"the loss became inf/NaN in epoch {e} (learning rate too large?)"
                else:
                    stopped = f"stopped during epoch {e} of {epochs}; kept the {e - 1} finished epochs"
                break
            running.append(loss_sum / seen)
            gnorms.append(norm_sum / n_batches)
            record()
            if tr_loss[-1] > DIVERGE_FACTOR * tr_loss[0]:
                diverged = True
                stopped = (
                    f"the training loss blew up in epoch {e}: {tr_loss[-1]:.3g}, more than "
                    f"{DIVERGE_FACTOR:g}× its starting {tr_loss[0]:.3g} (learning rate too large?)"
                )
            if on_epoch is not None:
                on_epoch(e, history())
            if diverged:
                break
    return history()
