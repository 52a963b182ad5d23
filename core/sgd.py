"""Mini-batch stochastic gradient descent for the core's MLP, recording a per-epoch history.

Each epoch shuffles the training rows with a seeded Generator, cuts them into mini-batches of
``batch_size`` (the last one may be smaller) and takes one step per batch with the very same
``MLP.forward`` / ``MLP.backward`` / ``MLP.step`` the XOR pages use. With a softmax output and
categorical cross-entropy the output delta is ``dz = a − y`` with one-hot y: the notes'
``dz2 = a2 − y``, now in ten dimensions.

This loop is the readable one: it has no maths of its own and no fast path. It calls the methods'
bodies (``_forward``, ``_backward``, ``_step``) inside one ``np.errstate`` for the whole run instead of
one per call; tests/test_core_fast.py replays a run with the public methods, batch by batch, and
gets the same weights to the last bit. Only the running loss is read off the softmax output
(−mean log p, ``_batch_loss``) rather than recomputed from the logits, which agrees to ~1e-15.

The learning rate follows ``core.schedules`` with one rate per epoch (PyTorch's schedulers are
stepped once per epoch too); :func:`schedule_params_for` scales each schedule to the run's length.

Big image sets are stored as they come, one byte per pixel: with ``x_max`` the rows of X are
integers 0..x_max (uint8) and each mini-batch (and each evaluation chunk) is divided by x_max as it
is used, which gives exactly the floats ``X / x_max`` would (MNIST's 60,000 images: 47 MB instead of
376 MB as float64). One-hot Y may likewise be stored as uint8.

A run that stopped early can be continued (``resume=``): the weights, the batch order and the
history carry on where they stopped, so stopping and continuing gives the very same run, bit for
bit, as training straight through.

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
    steps: int  # mini-batch updates in the finished epochs (a rolled-back epoch's do not count)
    seconds: float
    stop: str | None = None  # why training ended before epochs_planned, if it did: one of STOPS
    stop_epoch: int = 0  # the epoch in which it ended (not kept, except after "loss blew up")
    diverged: bool = False
    meta: dict = field(default_factory=dict)

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss) - 1

    @property
    def complete(self) -> bool:
        return self.epochs_run == self.epochs_planned and self.stop is None


# Why a run ended early (SGDHistory.stop): should_stop() said so before epoch stop_epoch began, or
# during it (that epoch rolled back); a loss or weight became inf/NaN in it (rolled back); or the
# training loss after it was above DIVERGE_FACTOR × its starting value (that epoch kept).
STOPS = ("asked", "asked in epoch", "non-finite", "loss blew up")


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


# Rows per evaluation chunk. Small products stay on one thread: OpenBLAS splits a matrix product of
# more than ~262,000 multiply-adds over all cores, and its worker threads then spin idle for a while
# after each one; on a shared 2-core server that doubled the CPU time of training the digits page's
# default network (1.5 s → 0.74 s with chunks of 128 rows of 64 pixels into 32 neurons).
EVAL_CHUNK = 128


def rows(X: np.ndarray, index, x_max: float | None = None) -> np.ndarray:
    """X[index] as float64 inputs: divided by x_max when X holds integer pixels 0..x_max."""
    part = X[index]
    return part / x_max if x_max is not None else np.asarray(part, dtype=float)


def evaluate(
    net: MLP, X: np.ndarray, Y: np.ndarray, loss: str = "cce", chunk: int = EVAL_CHUNK, x_max: float | None = None
) -> tuple[float, float]:
    """(mean loss, accuracy) of ``net`` on X (N, d), one-hot Y (N, k), in chunks to bound memory.

    x_max: X holds integers 0..x_max (see the module docstring); each chunk is scaled as it is used.
    """
    N = X.shape[0]
    if N == 0:
        return float("nan"), float("nan")
    total, correct = 0.0, 0
    for s in range(0, N, chunk):
        fwd = net._forward(rows(X, slice(s, s + chunk), x_max))
        y = np.asarray(Y[s : s + chunk], dtype=float)
        total += loss_value(loss, fwd.z[-1], fwd.a[-1], y) * y.shape[0]
        correct += int(np.sum(np.argmax(fwd.a[-1], axis=1) == np.argmax(y, axis=1)))
    return total / N, correct / N


def _one_hot_labels(Y: np.ndarray) -> np.ndarray | None:
    """labels (N,) when Y (N, k) is one-hot (one 1 per row, zeros elsewhere), else None."""
    if Y.ndim != 2 or Y.shape[0] == 0:
        return None
    labels = np.argmax(Y, axis=1)
    ones = Y[np.arange(Y.shape[0]), labels]
    if np.all(ones == 1) and np.count_nonzero(Y) == Y.shape[0]:
        return labels
    return None


def _batch_loss(loss: str, fwd, yb: np.ndarray, labels: np.ndarray | None) -> float:
    """The mini-batch's mean loss. For cross-entropy with one-hot y it is −mean log a[true class],
    read off the softmax output the forward pass already computed (a third of a step's time if
    recomputed from the logits); when a true-class probability underflowed to 0 it falls back to
    the logits, where the loss stays finite."""
    if loss == "cce" and labels is not None:
        p = fwd.a[-1][_ROWS[: labels.size] if labels.size <= _ROWS.size else np.arange(labels.size), labels]
        if p.size and p.min() > 0:  # = −mean(log p): the sum and division np.mean makes, without its wrapper
            return -float(np.add.reduce(np.log(p)) / p.size)
    return loss_value(loss, fwd.z[-1], fwd.a[-1], yb)


_ROWS = np.arange(4096)  # row indices for picking each row's true-class probability


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
    on_step: Callable[[], None] | None = None,
    eval_max: int | None = None,
    x_max: float | None = None,
    resume: SGDHistory | None = None,
    snapshot_at: set | None = None,
) -> SGDHistory:
    """Train a copy of ``net`` by mini-batch SGD. X (N, d), Y (N, k) one-hot; the test set likewise.

    on_epoch(e, history_so_far): after each epoch e = 1..epochs (history_so_far is a complete,
    usable SGDHistory of the first e epochs, so a caller can keep it as a partial result).
    on_batch(e, b, n_batches, running_loss): every ``batch_every`` mini-batches within epoch e.
    should_stop(): asked before each epoch and every ``batch_every`` batches; True ends training
    after the last completed epoch (the history records ``stop``).
    on_step(): after every mini-batch update, nothing passed, nothing returned (app/worker.py gives
    it a function that lets other work have the CPU first); the numbers are the same with or without.
    eval_max: measure the training loss/accuracy on at most this many fixed rows (large sets).
    x_max: X and X_test hold integers 0..x_max (e.g. uint8 pixels, x_max = 255); every mini-batch
    and evaluation chunk is divided by x_max as it is used (see the module docstring).
    snapshot_at: epochs (0 = the start) after which to keep the weights, as ``meta["snapshots"]``:
    a list of (epoch, ``net.to_dict()``) — a replay's frames without building a history every epoch
    as ``on_epoch`` does.
    resume: a history of this same run (same net, data and settings) that stopped early; training
    continues after its last finished epoch with its weights and the batch order the straight run
    would have used, so the result equals training straight through. ``meta["resumed_after"]``
    lists the epochs after which the run was continued.
    """
    t0 = time.perf_counter()
    net = net.copy()
    X = np.asarray(X)
    Y = np.asarray(Y)
    X_test = np.asarray(X_test)
    Y_test = np.asarray(Y_test)
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
    labels = _one_hot_labels(Y)
    L = net.n_layers
    n_batches = -(-N // batch_size)

    tr_loss, tr_acc, te_loss, te_acc = [], [], [], []
    running, gnorms = [], []
    stop, stop_epoch = None, 0
    diverged = False
    steps = 0
    seconds_before = 0.0
    meta: dict = {}
    if resume is not None:
        if resume.diverged or resume.epochs_planned != epochs or resume.final.sizes != net.sizes:
            raise ValueError("resume must be an early-stopped history of this same run")
        net = resume.final.copy()
        tr_loss, tr_acc = list(resume.train_loss), list(resume.train_acc)
        te_loss, te_acc = list(resume.test_loss), list(resume.test_acc)
        running, gnorms = list(resume.running_loss), [g for g in resume.grad_norms]
        steps, seconds_before = resume.steps, resume.seconds
        meta = {"resumed_after": list(resume.meta.get("resumed_after", [])) + [resume.epochs_run]}
        for _ in range(resume.epochs_run):  # the batch orders of the finished epochs, drawn again
            rng.permutation(N)

    def record() -> None:
        a, b = evaluate(net, X_ev, Y_ev, loss, x_max=x_max)
        c, d = evaluate(net, X_test, Y_test, loss, x_max=x_max) if X_test.shape[0] else (float("nan"), float("nan"))
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
            seconds=seconds_before + time.perf_counter() - t0,
            stop=stop,
            stop_epoch=stop_epoch,
            diverged=diverged,
            meta=dict(meta),
        )

    with np.errstate(all="ignore"):
        if not tr_loss:
            record()
            if snapshot_at is not None and 0 in snapshot_at:
                meta.setdefault("snapshots", []).append((0, net.to_dict()))
        for e in range(len(running) + 1, epochs + 1):
            if should_stop is not None and should_stop():
                stop, stop_epoch = "asked", e
                break
            start = ([w.copy() for w in net.W], [v.copy() for v in net.b], steps)
            order = rng.permutation(N)
            rate = float(rates[e - 1])
            loss_sum, seen = 0.0, 0
            norm_sum = np.zeros(L)
            interrupted = False
            for b in range(n_batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                xb, yb = rows(X, idx, x_max), np.asarray(Y[idx], dtype=float)
                fwd = net._forward(xb)
                cur = _batch_loss(loss, fwd, yb, None if labels is None else labels[idx])
                if not np.isfinite(cur):
                    diverged = True
                    break
                grads = net._backward(fwd, yb, loss)
                norm_sum += [np.sqrt(np.vdot(grads.dW[l], grads.dW[l])) for l in range(1, L + 1)]  # Frobenius
                net._step(grads, rate)
                steps += 1
                if on_step is not None:
                    on_step()
                loss_sum += cur * len(idx)
                seen += len(idx)
                if (b + 1) % batch_every == 0 and b + 1 < n_batches:
                    if on_batch is not None:
                        on_batch(e, b + 1, n_batches, loss_sum / seen)
                    if should_stop is not None and should_stop():
                        interrupted = True
                        break
            if diverged or interrupted or not net.is_finite():
                net.W, net.b, steps = start  # back to the last weights that finished an epoch (and their steps)
                diverged = diverged or not net.is_finite()
                stop, stop_epoch = ("non-finite" if diverged else "asked in epoch"), e
                break
            running.append(loss_sum / seen)
            gnorms.append(norm_sum / n_batches)
            record()
            if tr_loss[-1] > DIVERGE_FACTOR * tr_loss[0]:
                diverged = True
                stop, stop_epoch = "loss blew up", e
            if snapshot_at is not None and e in snapshot_at:
                meta.setdefault("snapshots", []).append((e, net.to_dict()))
            if on_epoch is not None:
                on_epoch(e, history())
            if diverged:
                break
    return history()
