"""The core trainers as they were before the performance work (commit f3f2043), frozen.

Kept for two reasons: tests/test_bench.py checks that the optimised ``core.train.train`` and
``core.multiseed.train_many`` still give the same numbers as this plain version, and the
benchmark can show the "before" speed beside the "after" one.

Only what the two trainers need is copied; the maths (activations, losses, schedules,
initialisers) is imported from core, which the speed-ups did not change.
"""

from __future__ import annotations

import numpy as np

from core.activations import get_activation, sigmoid
from core.losses import loss_value, output_delta, softmax, softplus
from core.mlp import MLP
from core.schedules import lr_schedule
from core.train import DIVERGE_FACTOR, SOLVED_LOSS, snapshot_schedule


def forward(net: MLP, X: np.ndarray) -> tuple[list, list]:
    act = get_activation(net.hidden).f
    out = sigmoid if net.output == "sigmoid" else softmax
    L = net.n_layers
    z, a = [None], [np.asarray(X, dtype=float)]
    for l in range(1, L + 1):
        zl = a[l - 1] @ net.W[l - 1] + net.b[l - 1]
        z.append(zl)
        a.append(act(zl) if l < L else out(zl))
    return z, a


def accuracy(net: MLP, out: np.ndarray, y: np.ndarray) -> float:
    if net.output == "softmax":
        return float(np.mean(np.argmax(out, axis=1) == np.argmax(y, axis=1)))
    return float(np.mean((out > 0.5) == (y > 0.5)))


def backward(net: MLP, z: list, a: list, y: np.ndarray, loss: str) -> list:
    d_act = get_activation(net.hidden).df
    L = net.n_layers
    N = a[0].shape[0]
    dz, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
    dz[L] = output_delta(loss, a[L], y)
    for l in range(L, 0, -1):
        dW[l] = a[l - 1].T @ dz[l] / N
        db[l] = np.sum(dz[l], axis=0, keepdims=True) / N
        if l > 1:
            dz[l - 1] = (dz[l] @ net.W[l - 1].T) * d_act(z[l - 1], a[l - 1])
    return dW, db


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
) -> dict:
    """The original ``core.train.train`` loop; returns the History's arrays as a dict."""
    net = net.copy()
    rates = lr_schedule(schedule, lr, epochs, **(schedule_params or {}))
    snap_set = set(snapshot_schedule(epochs, snapshots).tolist())
    losses = np.empty(epochs + 1)
    accs = np.empty(epochs + 1)
    snaps = []
    reason = None
    L = net.n_layers
    last_good = None
    t = 0
    with np.errstate(all="ignore"):
        while True:
            z, a = forward(net, X)
            cur = loss_value(loss, z[-1], a[-1], y)
            losses[t] = cur
            accs[t] = accuracy(net, a[-1], y)
            if not np.isfinite(cur):
                reason = "non-finite"
                t -= 1
                break
            dW, db = backward(net, z, a, y, loss)
            if t > 0 and cur > diverge_factor * losses[0]:
                reason = "loss blew up"
            if t in snap_set or reason is not None:
                gn = [float(np.linalg.norm(dW[l])) for l in range(1, L + 1)]
                if all(np.isfinite(gn)):
                    snaps.append((t, net.to_dict(), gn))
            if reason is not None or t == epochs:
                break
            last_good = ([w.copy() for w in net.W], [v.copy() for v in net.b], dW)
            for l in range(1, L + 1):
                net.W[l - 1] -= rates[t] * dW[l]
                net.b[l - 1] -= rates[t] * db[l]
            t += 1
    if reason == "non-finite" and last_good is not None:
        net.W, net.b, gW = last_good
        if not snaps or snaps[-1][0] != t:
            snaps.append((t, net.to_dict(), [float(np.linalg.norm(gW[l])) for l in range(1, L + 1)]))
    n = t + 1
    return {
        "loss": losses[:n].copy(),
        "acc": accs[:n].copy(),
        "snapshot_epochs": [e for e, _, _ in snaps],
        "snapshots": [p for _, p, _ in snaps],
        "grad_norms": [g for _, _, g in snaps],
        "final": net,
        "reason": reason,
    }


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
) -> dict:
    """The original ``core.multiseed.train_many`` loop; returns the MultiResult's fields as a dict."""
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
            if loss == "bce":
                cur = np.mean(np.sum(softplus(z[L]) - y * z[L], axis=2), axis=1)
            else:
                cur = np.mean(0.5 * np.sum((a[L] - y) ** 2, axis=2), axis=1)
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
    return {
        "W": W,
        "b": b,
        "loss": np.where(finite, cur, np.nan),
        "loss_curves": np.where(np.isfinite(curves), curves, np.nan),
        "curve_epochs": curve_epochs,
        "output": np.where(np.isfinite(a[L]), a[L], 0.5),
        "solved": ok & finite,
        "epochs_to_solve": np.where(finite, to_solve, -1),
        "diverged": ~finite,
    }


def train_minibatch(
    net: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    X_test: np.ndarray,
    Y_test: np.ndarray,
    lr: float,
    epochs: int,
    batch_size: int,
    schedule: str = "constant",
    seed: int = 0,
    x_max: float | None = None,
) -> dict:
    """``core.sgd.train_minibatch`` as it was before its speed-up (commit ba1c133), for runs that
    neither diverge nor stop early: the per-epoch curves, gradient norms and final weights."""
    from core.sgd import evaluate, schedule_params_for

    net = net.copy()
    N = X.shape[0]
    rates = lr_schedule(schedule, lr, max(epochs, 1), **schedule_params_for(schedule, epochs))[:epochs]
    rng = np.random.default_rng(seed)
    labels = np.argmax(Y, axis=1)
    L = net.n_layers
    curves = {k: [] for k in ("train_loss", "train_acc", "test_loss", "test_acc")}
    running, gnorms = [], []

    def record() -> None:
        for part, (Xs, Ys) in (("train", (X, Y)), ("test", (X_test, Y_test))):
            loss, acc = evaluate(net, Xs, Ys, "cce", x_max=x_max)
            curves[f"{part}_loss"].append(loss)
            curves[f"{part}_acc"].append(acc)

    with np.errstate(all="ignore"):
        record()
        for e in range(epochs):
            order = rng.permutation(N)
            loss_sum, norm_sum = 0.0, np.zeros(L)
            for s in range(0, N, batch_size):
                idx = order[s : s + batch_size]
                xb = X[idx] / x_max if x_max is not None else np.asarray(X[idx], dtype=float)
                yb = np.asarray(Y[idx], dtype=float)
                z, a = forward(net, xb)
                p = a[L][np.arange(idx.size), labels[idx]]
                cur = -float(np.mean(np.log(p))) if p.min() > 0 else loss_value("cce", z[L], a[L], yb)
                dW, db = backward(net, z, a, yb, "cce")
                norm_sum += [np.sqrt(np.vdot(dW[l], dW[l])) for l in range(1, L + 1)]
                for l in range(1, L + 1):
                    net.W[l - 1] -= rates[e] * dW[l]
                    net.b[l - 1] -= rates[e] * db[l]
                loss_sum += cur * idx.size
            running.append(loss_sum / N)
            gnorms.append(norm_sum / -(-N // batch_size))
            record()
    return {
        **{k: np.array(v) for k, v in curves.items()},
        "running": np.array(running),
        "grad_norms": np.array(gnorms),
        "final": net,
    }
