"""The benchmark and the speed-ups it measures.

No timing is asserted (machines are noisy). What is checked:
- the optimised trainers give the same numbers as the plain loop they replaced
  (bench/reference.py, frozen from the first commit), to the last bit;
- the benchmark's comparison implementations (per-sample loop, PyTorch) do the same job;
- ``python -m bench --quick`` runs end to end and writes its JSON;
- cached page computations return what calling core directly returns.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bench import reference as ref
from core.data import X, y
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train

# ----- the optimised single-seed trainer is the original loop, bit for bit --------------------------


def assert_same_history(h, r) -> None:
    np.testing.assert_array_equal(h.loss, r["loss"])
    np.testing.assert_array_equal(h.acc, r["acc"])
    assert h.snapshot_epochs == r["snapshot_epochs"]
    for p, q in zip(h.snapshots, r["snapshots"], strict=True):
        assert p.keys() == q.keys()
        for k in p:
            np.testing.assert_array_equal(p[k], q[k])
    assert h.grad_norms == r["grad_norms"]
    for w, v in zip(h.final.W + h.final.b, r["final"].W + r["final"].b, strict=True):
        np.testing.assert_array_equal(w, v)
    assert (h.divergence.reason if h.divergence else None) == r["reason"]


TRAIN_CASES = list(
    itertools.product(["sigmoid", "tanh", "relu", "leaky_relu"], ["bce", "mse"], [0.5, 4.0, 60.0], ["normal"])
) + [("sigmoid", "bce", 1.0, "xavier_uniform"), ("linear", "mse", 0.3, "he_uniform")]


@pytest.mark.parametrize("hidden, loss, lr, init", TRAIN_CASES)
def test_train_equals_original_loop(hidden, loss, lr, init):
    for seed in range(3):
        net = MLP.create([2, 2, 1], hidden, "sigmoid", init, seed)
        kw = dict(lr=lr, epochs=400, loss=loss, schedule="cosine" if seed == 2 else "constant", snapshots=41)
        assert_same_history(train(net, X, y, **kw), ref.train(net, X, y, **kw))


def test_train_equals_original_loop_other_shapes():
    for sizes in ([2, 3, 4, 1], [2, 8, 1], [2, 1]):
        net = MLP.create(sizes, "sigmoid", "sigmoid", "normal", 1)
        assert_same_history(train(net, X, y, lr=2.0, epochs=300), ref.train(net, X, y, lr=2.0, epochs=300))
    rng = np.random.default_rng(0)
    Xs, labels = rng.standard_normal((20, 3)), rng.integers(0, 4, 20)
    net = MLP.create([3, 5, 4], "tanh", "softmax", "normal", 2)
    kw = dict(lr=0.5, epochs=200, loss="cce")
    assert_same_history(train(net, Xs, np.eye(4)[labels], **kw), ref.train(net, Xs, np.eye(4)[labels], **kw))
    net = MLP.create([3, 4, 2], "sigmoid", "sigmoid", "normal", 3)
    two = np.c_[labels % 2, labels // 2].astype(float)
    assert_same_history(train(net, Xs, two, lr=3.0, epochs=200), ref.train(net, Xs, two, lr=3.0, epochs=200))


def test_train_equals_original_loop_when_it_overflows():
    net = MLP.create([2, 8, 1], "leaky_relu", init="normal", seed=0, sigma=10)
    h = train(net, X, y, lr=1e6, epochs=2000, diverge_factor=np.inf)
    assert h.divergence is not None and h.divergence.reason == "non-finite"
    assert_same_history(h, ref.train(net, X, y, lr=1e6, epochs=2000, diverge_factor=np.inf))
    net = MLP.create([2, 2, 1], "relu", "sigmoid", "normal", 0)
    h = train(net, X, y, lr=50.0, epochs=500)
    assert h.divergence is not None and h.divergence.reason == "loss blew up"
    assert_same_history(h, ref.train(net, X, y, lr=50.0, epochs=500))


# ----- the optimised multi-seed trainer is the original loop, bit for bit --------------------------


def assert_same_multi(r, q) -> None:
    for k in ("loss", "loss_curves", "output", "curve_epochs", "solved", "epochs_to_solve", "diverged"):
        np.testing.assert_array_equal(getattr(r, k), q[k], err_msg=k)
    for w, v in zip(r.W + r.b, q["W"] + q["b"], strict=True):
        np.testing.assert_array_equal(w, v)


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
def test_train_many_equals_original_loop(sizes, hidden, loss, lr):
    yy = y if sizes[-1] == 1 else np.c_[y, 1 - y]
    kw = dict(hidden=hidden, init="normal", lr=lr, epochs=300, loss=loss, schedule="cosine")
    assert_same_multi(train_many(sizes, range(25), X, yy, **kw), ref.train_many(sizes, range(25), X, yy, **kw))


def test_train_many_equals_original_loop_with_more_examples():
    # N ≥ 8 changes NumPy's summation order for a single column; the trainer must follow it
    rng = np.random.default_rng(0)
    Xs, ys = rng.standard_normal((20, 3)), (rng.random((20, 1)) > 0.5).astype(float)
    for sizes in ([3, 4, 1], [3, 5, 3, 1]):
        kw = dict(hidden="tanh", lr=1.0, epochs=200)
        assert_same_multi(train_many(sizes, range(20), Xs, ys, **kw), ref.train_many(sizes, range(20), Xs, ys, **kw))


def test_train_many_equals_train_seed_by_seed_to_the_bit():
    r = train_many([2, 2, 1], range(30), X, y, lr=2.0, epochs=1500)
    for i in range(30):
        h = train(MLP.create([2, 2, 1], "sigmoid", "sigmoid", "normal", i), X, y, lr=2.0, epochs=1500, snapshots=2)
        assert not h.diverged
        assert h.loss[-1] == r.loss[i]
        for w, v in zip(h.final.W + h.final.b, r.network(i).W + r.network(i).b, strict=True):
            np.testing.assert_array_equal(w, v)
