"""core/fast reproduces the readable trainers, computed in the same run.

The readable code is the reference: ``core.train.readable_loop`` (``train(..., fast=False)``: MLP's
forward, loss, accuracy, backward and step, epoch after epoch), ``core.multiseed.seed_by_seed``
(``train_many(..., fast=False)``) and, for mini-batches, MLP's public methods called step by step.
Every fast path must give the same numbers bit for bit: each one makes the readable code's
operations in the readable code's order. Where a run diverges, the epoch depends on the CPU's
rounding, so no test types it in; both paths run here and must agree.
"""

from __future__ import annotations

import dataclasses
import itertools
from functools import partial

import numpy as np
import pytest

from core.data import X, y
from core.fast import notes_loop
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train


def assert_same_run(h, e) -> None:
    """Two Histories agree to the last bit: curves, snapshots, gradient norms, final weights, divergence."""
    np.testing.assert_array_equal(h.loss, e.loss)
    np.testing.assert_array_equal(h.acc, e.acc)
    np.testing.assert_array_equal(h.lr, e.lr)
    assert h.snapshot_epochs == e.snapshot_epochs and h.grad_norms == e.grad_norms
    for p, q in zip(h.snapshots, e.snapshots, strict=True):
        assert list(p) == list(q)
        for k in p:
            np.testing.assert_array_equal(p[k], q[k])
            assert p[k].shape == q[k].shape
    assert (h.final.hidden, h.final.output, h.final.meta) == (e.final.hidden, e.final.output, e.final.meta)
    for w, v in zip(h.final.W + h.final.b, e.final.W + e.final.b, strict=True):
        np.testing.assert_array_equal(w, v)
        assert w.shape == v.shape
    assert (h.divergence is None) == (e.divergence is None)
    if h.divergence:  # reason, epoch, last loss (NaN at epoch 0) and the wording
        np.testing.assert_equal(dataclasses.astuple(h.divergence), dataclasses.astuple(e.divergence))


def assert_fast_is_readable(net, Xd, yd, **kw):
    """train() through core.fast equals the readable loop; returns the history."""
    h = train(net, Xd, yd, **kw)
    assert_same_run(h, train(net, Xd, yd, fast=False, **kw))
    return h


# ----- one seed: the workspace (any network) and the notes' chunked loop ---------------------------
TRAIN_CASES = list(
    itertools.product(["sigmoid", "tanh", "relu", "leaky_relu"], ["bce", "mse"], [0.5, 4.0, 60.0], ["normal"])
) + [("sigmoid", "bce", 1.0, "xavier_uniform"), ("linear", "mse", 0.3, "he_uniform")]


@pytest.mark.parametrize("hidden, loss, lr, init", TRAIN_CASES)
def test_train_is_the_readable_loop(hidden, loss, lr, init):
    for seed in range(3):
        net = MLP.create([2, 2, 1], hidden, "sigmoid", init, seed)
        schedule = "cosine" if seed == 2 else "constant"
        assert_fast_is_readable(net, X, y, lr=lr, epochs=400, loss=loss, schedule=schedule, snapshots=41)


def test_train_is_the_readable_loop_for_other_shapes_and_softmax():
    for sizes in ([2, 3, 4, 1], [2, 8, 1], [2, 1]):
        assert_fast_is_readable(MLP.create(sizes, "sigmoid", "sigmoid", "normal", 1), X, y, lr=2.0, epochs=300)
    rng = np.random.default_rng(0)
    Xs, labels = rng.standard_normal((20, 3)), rng.integers(0, 4, 20)
    net = MLP.create([3, 5, 4], "tanh", "softmax", "normal", 2)
    assert_fast_is_readable(net, Xs, np.eye(4)[labels], lr=0.5, epochs=200, loss="cce")
    two = np.c_[labels % 2, labels // 2].astype(float)
    assert_fast_is_readable(MLP.create([3, 4, 2], "sigmoid", "sigmoid", "normal", 3), Xs, two, lr=3.0, epochs=200)


@pytest.mark.parametrize(
    "schedule, params",
    [("step", {"step_size": 150}), ("exponential", {}), ("warmup", {}), ("cosine", {"eta_min": 0.1})],
)
def test_train_is_the_readable_loop_under_every_schedule(schedule, params):
    for sizes in ([2, 2, 1], [2, 4, 3, 1]):
        net = MLP.create(sizes, "tanh" if len(sizes) > 3 else "sigmoid", init="normal", seed=7)
        kw = dict(lr=2.0, epochs=600, schedule=schedule, schedule_params=params, snapshots=13)
        h = assert_fast_is_readable(net, X, y, **kw)
        assert len(set(h.lr.tolist())) > 1


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_train_is_the_readable_loop_for_deep_networks(hidden):
    # the vanishing-gradient page's networks: every layer's buffers, activations written in place
    deep = (([2, *[8] * 10, 1], "normal", "bce", 0.1), ([2, 5, 3, 6, 1], "he_normal", "mse", 0.7))
    for sizes, init, loss, lr in deep:
        net = MLP.create(sizes, hidden, "sigmoid", init, 4)
        assert_fast_is_readable(net, X, y, lr=lr, epochs=300, loss=loss, snapshots=7)
    rng = np.random.default_rng(1)
    Xs, labels = rng.standard_normal((12, 3)), rng.integers(0, 3, 12)
    net = MLP.create([3, 6, 6, 6, 3], hidden, "softmax", "normal", 5)
    assert_fast_is_readable(net, Xs, np.eye(3)[labels], lr=0.5, epochs=200, loss="cce", schedule="cosine")


def test_train_is_the_readable_loop_when_it_overflows_or_blows_up():
    cases = [
        (MLP.create([2, 8, 1], "leaky_relu", init="normal", seed=0, sigma=10), dict(lr=1e6, diverge_factor=np.inf)),
        (MLP.create([2, 2, 1], "relu", "sigmoid", "normal", 0), dict(lr=50.0)),
        (MLP.create([2, *[16] * 8, 1], "relu", init="normal", seed=0, sigma=3.0), dict(lr=1e3, diverge_factor=np.inf)),
        (MLP.create([2, *[8] * 6, 1], "tanh", init="normal", seed=2, sigma=2.0), dict(lr=20.0)),
    ]
    reasons = []
    for net, kw in cases:
        h = assert_fast_is_readable(net, X, y, epochs=500, **kw)
        assert h.divergence is not None
        reasons.append(h.divergence.reason)
        if h.divergence.reason == "non-finite":  # rolled back: the final weights are finite, and the last snapshot's
            assert h.final.is_finite() and h.snapshot_epochs[-1] == h.epochs_run == h.divergence.epoch - 1
    assert reasons == ["non-finite", "loss blew up"] * 2


def test_a_weight_sum_past_the_float_range_is_no_overflow():
    # every weight finite, their sum inf: the notes loop's one-sum check is on the safe side and hands the
    # chunk to the workspace, which looks at each weight as net.is_finite() does
    net = MLP([[[1.0, 2.0], [3.0, 4.0]], [[0.0], [0.0]]], [[1.7e308, 1.7e308], [[0.5]]])
    h = assert_fast_is_readable(net, X, y, lr=1.0, epochs=300)
    assert h.divergence is None and h.epochs_run == 300


# The notes' chunked loop at its edges: name -> (sizes, seed or (seed, σ), data, train keywords, chunk, expected).
# expected: None (no divergence) or (reason, first, last): where a slow blow-up crosses the line depends on the
# CPU's SIMD and BLAS rounding, so those cases give a window (the chunk it falls in); overflows at epoch 1 or 2
# do not depend on rounding and keep their epoch. Either way the loops, run here, must agree bit for bit.
rng = np.random.default_rng(5)
XS = rng.standard_normal((20, 3))  # N ≥ 8: NumPy sums pairwise, the chunked sums must follow
YS = (rng.random((20, 2)) > 0.5).astype(float)
GROWING = dict(schedule="exponential", schedule_params={"gamma": 1.02})
NOTES_CASES = {
    "solves, 4 chunks": ([2, 2, 1], 0, "xor", dict(lr=1.0, epochs=1000), None, None),
    "epochs = chunk": ([2, 2, 1], 1, "xor", dict(lr=2.0, epochs=256, snapshots=257), None, None),
    "epochs = chunk + 1": ([2, 5, 1], 2, "xor", dict(lr=2.0, epochs=257, schedule="cosine"), None, None),
    "one epoch": ([2, 2, 1], 3, "xor", dict(lr=1.0, epochs=1), None, None),
    "two outputs, N = 20": ([3, 4, 2], 4, "xs", dict(lr=3.0, epochs=600, schedule="step"), 7, None),
    "one output, N = 20": ([3, 5, 1], 5, "xs", dict(lr=0.5, epochs=300, schedule="warmup"), 64, None),
    "blows up in chunk 2": (
        [2, 2, 1],
        0,
        "xor",
        dict(lr=0.1, epochs=3000, **GROWING),
        None,
        ("loss blew up", 257, 512),
    ),
    "blows up in chunk 9": (
        [2, 2, 1],
        1,
        "xor",
        dict(lr=0.1, epochs=3000, **GROWING),
        None,
        ("loss blew up", 2049, 2304),
    ),
    "rate overflows in chunk 3": (
        [2, 2, 1],
        0,
        "xor",
        dict(lr=0.1, epochs=700, schedule="exponential", schedule_params={"gamma": 3.0}, diverge_factor=np.inf),
        None,
        ("non-finite", 513, 700),
    ),
    **{
        f"overflow at epoch 2, chunks of {k}": (
            [2, 3, 1],
            5,
            "xor",
            dict(lr=1.7e308, epochs=20, diverge_factor=np.inf),
            k,
            ("non-finite", 2, 2),
        )
        for k in (1, 2, 3)
    },
    # W2 ~ N(0, 10²): a gradient entry of 1.25, so lr·g = 2.1e308 is past the float range at the first update
    "overflow at epoch 1": (
        [2, 3, 1],
        (7, 10.0),
        "xor",
        dict(lr=1.7e308, epochs=20, diverge_factor=np.inf),
        None,
        ("non-finite", 1, 1),
    ),
}


@pytest.mark.parametrize("case", list(NOTES_CASES))
def test_notes_loop_is_the_workspace_and_the_readable_loop(case, monkeypatch):
    sizes, seed, data, kw, chunk, expected = NOTES_CASES[case]
    Xd, yd = (X, y) if data == "xor" else (XS, YS if sizes[-1] == 2 else YS[:, :1].copy())
    seed, sigma = seed if isinstance(seed, tuple) else (seed, 1.0)
    net = MLP.create(sizes, "sigmoid", "sigmoid", "normal", seed, sigma)
    handed_over = []
    run_chunks = notes_loop.run_chunks
    monkeypatch.setattr(notes_loop, "run_chunks", lambda *a: handed_over.append(run_chunks(*a)) or handed_over[-1])
    if chunk:
        monkeypatch.setattr(notes_loop, "CHUNK", chunk)
    with np.errstate(over="ignore"):  # an exponential schedule may overflow to an infinite rate: allowed
        h = train(net, Xd, yd, **kw)
        readable = train(net, Xd, yd, fast=False, **kw)
        monkeypatch.setattr(notes_loop, "applies", lambda ws: False)
        workspace = train(net, Xd, yd, **kw)
    assert len(handed_over) == 1  # the notes loop ran (once), and handed over one epoch before where it got to
    assert handed_over[0] == (kw["epochs"] - 1 if expected is None else handed_over[0])
    assert_same_run(h, readable)
    assert_same_run(workspace, readable)
    if expected is None:
        assert h.divergence is None
    else:
        reason, first, last = expected
        assert h.divergence.reason == reason and first <= h.divergence.epoch <= last


def test_notes_loop_takes_fewer_epochs_per_chunk_for_a_big_batch(monkeypatch):
    monkeypatch.setattr(notes_loop, "CHUNK_VALUES", 100)  # 20 examples × 2 outputs: 2 epochs a chunk
    assert_fast_is_readable(MLP.create([3, 4, 2], "sigmoid", "sigmoid", "normal", 6), XS, YS, lr=2.0, epochs=51)


def test_notes_loop_applies_to_the_notes_network_only(monkeypatch):
    calls = []
    run_chunks = notes_loop.run_chunks
    monkeypatch.setattr(notes_loop, "run_chunks", lambda *a: calls.append(1) or run_chunks(*a))
    train(MLP.create([2, 3, 1], init="normal", seed=0), X, y, epochs=10)
    assert calls == [1]
    for net, loss in [
        (MLP.create([2, 3, 1], "tanh", init="normal", seed=0), "bce"),
        (MLP.create([2, 3, 1], init="normal", seed=0), "mse"),
        (MLP.create([2, 3, 3, 1], init="normal", seed=0), "bce"),
    ]:
        train(net, X, y, epochs=10, loss=loss)
    assert calls == [1]


# ----- many seeds at once ----------------------------------------------------------------------------
def assert_same_multi(r, q) -> None:
    for k in ("seeds", "loss", "loss_curves", "output", "curve_epochs", "solved", "epochs_to_solve", "diverged"):
        np.testing.assert_array_equal(getattr(r, k), getattr(q, k), err_msg=k)
    for w, v in zip(r.W + r.b, q.W + q.b, strict=True):
        np.testing.assert_array_equal(w, v)
        assert w.shape == v.shape


@pytest.mark.parametrize(
    "sizes, hidden, loss, lr",
    [
        ([2, 2, 1], "sigmoid", "bce", 1.0),
        ([2, 2, 1], "sigmoid", "bce", 30.0),
        ([2, 2, 1], "tanh", "mse", 3.0),
        ([2, 2, 1], "relu", "bce", 4.0),
        ([2, 3, 4, 1], "sigmoid", "bce", 2.0),
        ([2, 3, 2], "leaky_relu", "mse", 1.0),
    ],
)
def test_train_many_is_seed_by_seed(sizes, hidden, loss, lr):
    yy = y if sizes[-1] == 1 else np.c_[y, 1 - y]
    kw = dict(hidden=hidden, init="normal", lr=lr, epochs=300, loss=loss, schedule="cosine")
    r = train_many(sizes, range(25), X, yy, **kw)
    assert_same_multi(r, train_many(sizes, range(25), X, yy, fast=False, **kw))


def test_on_step_is_called_after_every_update_and_changes_no_number():
    """train_many's on_step (app/worker.py's pause for light work): once per update — per epoch for all
    seeds at once, per epoch of every seed one after another — and the same numbers as without."""
    for fast, calls in ((True, 300), (False, 25 * 300)):
        seen = []
        kw = dict(hidden="tanh", init="normal", lr=2.0, epochs=300, fast=fast)
        r = train_many([2, 3, 1], range(25), X, y, on_step=partial(seen.append, 1), **kw)
        assert len(seen) == calls
        assert_same_multi(r, train_many([2, 3, 1], range(25), X, y, **kw))


def test_train_many_is_seed_by_seed_with_more_examples():
    # N ≥ 8 changes NumPy's summation order for a single column; the seeds' sums must follow it
    rng = np.random.default_rng(0)
    Xs, ys = rng.standard_normal((20, 3)), (rng.random((20, 1)) > 0.5).astype(float)
    for sizes in ([3, 4, 1], [3, 5, 3, 1]):
        kw = dict(hidden="tanh", lr=1.0, epochs=200)
        assert_same_multi(
            train_many(sizes, range(20), Xs, ys, **kw), train_many(sizes, range(20), Xs, ys, fast=False, **kw)
        )


def test_train_many_is_seed_by_seed_when_seeds_diverge():
    kw = dict(hidden="relu", init="normal", lr=1e150, epochs=100)
    r = train_many([2, 6, 1], range(12), X, y, **kw)
    assert r.diverged.any()
    assert_same_multi(r, train_many([2, 6, 1], range(12), X, y, fast=False, **kw))
    assert np.all(np.isnan(r.loss[r.diverged])) and np.all(r.epochs_to_solve[r.diverged] == -1)
    assert np.all(np.isfinite(r.output))


@pytest.mark.parametrize(
    "hidden, loss, schedule, params, width",
    [
        ("sigmoid", "bce", "constant", {}, 2),
        ("tanh", "mse", "cosine", {"eta_min": 0.05}, 3),
        ("relu", "bce", "warmup", {"start_factor": 0.2, "total_iters": 50}, 2),
    ],
)
def test_seed_by_seed_is_the_readable_single_seed_loop(hidden, loss, schedule, params, width):
    seeds = list(range(8))
    r = train_many([2, width, 1], seeds, X, y, hidden, "normal", 1.0, 400, loss, schedule, params, fast=False)
    for i, s in enumerate(seeds):
        net = MLP.create([2, width, 1], hidden, init="normal", seed=s)
        h = train(net, X, y, 1.0, 400, loss, schedule, params, diverge_factor=np.inf, fast=False)
        for a, b in zip(r.network(i).W + r.network(i).b, h.final.W + h.final.b, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(r.loss_curves[i], h.loss[r.curve_epochs])
        assert r.loss[i] == h.loss[-1]
        solved = np.flatnonzero((h.acc == 1.0) & (h.loss < 0.1))
        assert r.epochs_to_solve[i] == (solved[0] if solved.size else -1)


def test_train_many_is_train_seed_after_seed_to_the_bit():
    r = train_many([2, 2, 1], range(30), X, y, lr=2.0, epochs=1500)
    assert 0 < r.fraction_solved < 1
    for i in range(30):
        h = train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", i), X, y, lr=2.0, epochs=1500, snapshots=2)
        assert not h.diverged
        assert h.loss[-1] == r.loss[i]
        for w, v in zip(h.final.W + h.final.b, r.network(i).W + r.network(i).b, strict=True):
            np.testing.assert_array_equal(w, v)


# ----- mini-batches: core.sgd is MLP's own forward, backward and step ---------------------------------
@pytest.mark.parametrize(
    "hidden, layers, batch, schedule, x_max",
    [("relu", 1, 16, "cosine", None), ("tanh", 2, 50, "step", None), ("sigmoid", 1, 7, "constant", 16.0)],
)
def test_minibatch_training_is_mlp_step_by_step(hidden, layers, batch, schedule, x_max):
    from core.digits import load_bundled, stratified_split
    from core.schedules import lr_schedule
    from core.sgd import schedule_params_for, train_minibatch

    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.2, seed=0)
    Xd = ds.images.reshape(len(ds), -1) if x_max else ds.X()  # 0..16 integers, scaled per batch
    Yd = np.eye(10)[ds.labels]
    net = MLP.create([Xd.shape[1], *[24] * layers, 10], hidden, "softmax", "he_normal", 3)
    epochs, lr, seed = 3, 0.1, 2
    h = train_minibatch(
        net,
        Xd[tr],
        Yd[tr],
        Xd[te],
        Yd[te],
        lr=lr,
        epochs=epochs,
        batch_size=batch,
        schedule=schedule,
        seed=seed,
        x_max=x_max,
    )
    assert h.complete

    # the same run with MLP's public methods, one mini-batch at a time
    Xtr = Xd[tr] / x_max if x_max else Xd[tr]
    rates = lr_schedule(schedule, lr, epochs, **schedule_params_for(schedule, epochs))
    order_rng = np.random.default_rng(seed)
    ref = net.copy()
    for e in range(epochs):
        order = order_rng.permutation(len(tr))
        running, norms = 0.0, np.zeros(ref.n_layers)
        for s in range(0, len(tr), batch):
            idx = order[s : s + batch]
            fwd = ref.forward(Xtr[idx])
            running += ref.loss(Xtr[idx], Yd[tr][idx], "cce", fwd) * idx.size
            grads = ref.backward(fwd, Yd[tr][idx], "cce")
            norms += [np.linalg.norm(grads.dW[l]) for l in range(1, ref.n_layers + 1)]
            ref.step(grads, float(rates[e]))
        assert h.running_loss[e] == pytest.approx(running / len(tr), rel=1e-12)  # −mean log p, read off a
        np.testing.assert_allclose(h.grad_norms[e], norms / -(-len(tr) // batch), rtol=1e-12)
    for w, v in zip(h.final.W + h.final.b, ref.W + ref.b, strict=True):
        np.testing.assert_array_equal(w, v)
    assert h.train_loss[-1] == pytest.approx(ref.loss(Xtr, Yd[tr], "cce"), rel=1e-12)  # evaluated in chunks
    assert h.train_acc[-1] == ref.accuracy(Xtr, Yd[tr])
