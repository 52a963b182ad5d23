"""The notes' network (2-h-1 sigmoid, BCE) trained in chunks of epochs: the readable loop's numbers,
with about half the NumPy calls per epoch of ``core.fast.workspace``.

Reproduces the same lines of ``readable_loop`` (core/train.py) as the workspace does — forward,
loss, accuracy, backward, step, the divergence checks and the snapshots — for one hidden layer of
sigmoids, a sigmoid output, binary cross-entropy, a contiguous (N, d) X and a (N, k) y. It runs epochs
0, 1, … and hands over to ``workspace.epochs_from`` for the last epoch or two and for every chunk in
which something went wrong. tests/test_core_fast.py compares it with the readable loop bit for bit,
with chunks of 1, 2, 3 and 256 epochs, overflows and blow-ups included.

What is cut is the number of NumPy calls per epoch, because for a 2-2-1 network each call costs
~0.5–1 µs and does a few nanoseconds of arithmetic:

- the loss, the accuracy and the "are the weights finite" check are not computed epoch by epoch:
  every epoch's z2, a2 and θ are kept (a chunk of ``CHUNK`` epochs), and the chunk's losses,
  accuracies and weight sums are computed at once, along rows, so each is the same number the
  per-epoch sum gives. If any epoch of the chunk diverged (or might have: the check is on the safe
  side), the chunk is thrown away and the workspace loop redoes it from its first epoch — same start,
  same arithmetic, so the same numbers, and it decides what happened exactly as the readable loop;
- the weights are kept negated (−W, −b): σ(z) = exp(−softplus(−z)), and X @ (−W1) + (−b1) is exactly
  −z1 (negation is exact and rounding is symmetric), so each sigmoid needs one negation fewer; the
  gradients are negated with them (y − a2 for a2 − y, a1 (a1 − 1) for a1 (1 − a1)), so the update
  θ ← θ − lr·g is the same subtraction;
- every array has its buffer, every call writes with ``out``; constants are 0-d arrays, which NumPy
  takes faster than Python floats; ``np.dot`` where it is the same BLAS call.
"""

from __future__ import annotations

import numpy as np

from core.decision import predicts_one
from core.fast.workspace import Workspace, product, split

# Epochs per chunk: the deferred checks run once per chunk, and a chunk is what gets recomputed by the
# workspace loop when one of its epochs diverged. A chunk keeps every epoch's outputs, so a big batch
# gets fewer epochs per chunk (CHUNK_VALUES numbers at most).
CHUNK = 256
CHUNK_VALUES = 1 << 16


def applies(ws: Workspace) -> bool:
    """The notes' network: one hidden layer of sigmoids, a sigmoid output, binary cross-entropy,
    a contiguous (N, d) X and a (N, k) y."""
    return (
        ws.L == 2
        and ws.hidden == "sigmoid"
        and ws.output == "sigmoid"
        and ws.loss == "bce"
        and ws.X.ndim == 2
        and ws.X.flags.c_contiguous
        and ws.y.shape == (ws.N, ws.views[0][0][1].shape[1])
    )


def run_chunks(ws: Workspace, rates: list, snap_at: set, losses: list, accs: list, snaps: list, diverge_factor):
    """Epochs 0, 1, … fast; returns an epoch t with θ_t live in ``ws`` and the curves filled up to
    t − 1, for ``workspace.epochs_from`` to carry on from."""
    epochs = len(rates)
    X, y, N = ws.X, ws.y, ws.N
    (W1, W2), (b1, b2) = ws.params()
    h, k = W2.shape
    P = ws.theta.shape[1]
    C = max(1, min(CHUNK, epochs, CHUNK_VALUES // (N * k)))
    # −θ_{t0−1+j} in row j, for the chunk of epochs t0, t0 + 1, …: epoch t0 + s reads row s + 1
    # and its update writes row s + 2
    ring = np.empty((C + 2, P))
    np.negative(ws.theta[ws.cur], out=ring[1])
    Zout = np.empty((C, N, k))  # −z2 of each epoch of the chunk
    Aout = np.empty((C, N, k))  # a2 of each epoch of the chunk
    slots = []
    for s in range(C):
        (nW1, nW2), (nb1, nb2) = split(ring[s + 1], ws.shapes)
        # one output: b2 as a 0-d view, the same additions without NumPy's slower broadcasting
        nb2_add = nb2.reshape(()) if k == 1 else nb2
        slots.append((nW1, nb1, nW2, nb2, nb2_add, nW2.T, ring[s + 1], ring[s + 2], Zout[s], Aout[s]))
    nz1, a1, back, ndf, ndz1 = (np.empty((N, h)) for _ in range(5))
    a1T, XT = a1.T, X.T
    ndz2 = np.empty((N, k))
    g = np.empty(P)  # −(dW1, db1, dW2, db2)
    (ndW1, ndW2), (ndb1, ndb2) = split(g, ws.shapes)
    tmp = np.empty(P)
    zero, one, n_ex = np.array(0.0), np.array(1.0), np.array(float(N))
    constant = len(set(rates)) <= 1
    rate0 = np.array(rates[0]) if constant and rates else None
    dot1, dot2 = product(X.shape, W1.shape), product(a1.shape, W2.shape)
    dot3, dot4 = product(a1T.shape, ndz2.shape), product(XT.shape, ndz1.shape)
    back_product = np.multiply if k == 1 else product(ndz2.shape, (k, h))  # as in Workspace.backward
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
            if t in snap_at:
                gn = [float(norm(ndW1)), float(norm(ndW2))]
                if all(np.isfinite(gn)):
                    snaps.append((t, {"W1": -nW1, "b1": -nb1, "W2": -nW2, "b2": -nb2}, gn))
            mul(g, rate0 if constant else np.array(rates[t]), tmp)
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
        if bad.any():  # let the workspace loop redo this chunk and decide
            break
        losses += cur.tolist()
        accs += acc.tolist()
        ring[0:2] = ring[n : n + 2]
        t0 += n
    # Hand over at t0 − 1, the last epoch checked, rather than t0: the workspace loop then makes that
    # epoch's gradient and update itself, so a roll-back at t0 finds both where it expects them.
    if t0 == 0:
        np.negative(ring[1], out=ws.theta[ws.cur])
        snaps.clear()
        return 0
    np.negative(ring[0], out=ws.theta[ws.cur])
    del losses[t0 - 1 :], accs[t0 - 1 :]
    snaps[:] = [snap for snap in snaps if snap[0] < t0 - 1]
    return t0 - 1
