"""Core tests for training: schedules, divergence, multi-seed vs single-seed, diagnostics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.data import X, y
from core.diagnose import (
    diagnose_run,
    equal_start,
    first_solved_epoch,
    largest_symmetry_gap,
    loss_band,
    outputs_near_half,
    smaller_rates,
    suggest_rate,
    symmetry_gap,
)
from core.mlp import MLP
from core.multiseed import train_many
from core.schedules import lr_schedule
from core.train import SOLVED_LOSS, is_solved, train


# ----- schedules: PyTorch's closed forms, written out epoch by epoch -------------------------------
def test_constant_schedule():
    assert np.array_equal(lr_schedule("constant", 0.3, 7), np.full(7, 0.3))


def test_step_schedule_matches_steplr():
    got = lr_schedule("step", 2.0, 25, step_size=10, gamma=0.5)
    want = [2.0 * 0.5 ** (t // 10) for t in range(25)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    assert got[9] == 2.0 and got[10] == 1.0 and got[20] == 0.5


def test_exponential_schedule_matches_exponentiallr():
    got = lr_schedule("exponential", 1.0, 50, gamma=0.9)
    np.testing.assert_allclose(got, [0.9**t for t in range(50)], rtol=1e-13)


def test_cosine_schedule_matches_cosineannealinglr():
    lr0, eta, T = 1.5, 0.1, 40
    got = lr_schedule("cosine", lr0, T, T_max=T, eta_min=eta)
    want = [eta + (lr0 - eta) * (1 + math.cos(math.pi * t / T)) / 2 for t in range(T)]
    np.testing.assert_allclose(got, want, rtol=1e-13)
    assert got[0] == lr0
    assert got[T // 2] == pytest.approx((lr0 + eta) / 2)


def test_warmup_schedule_matches_linearlr():
    got = lr_schedule("warmup", 2.0, 30, start_factor=0.25, end_factor=1.0, total_iters=8)
    want = [2.0 * (0.25 + 0.75 * min(t, 8) / 8) for t in range(30)]
    np.testing.assert_allclose(got, want, rtol=1e-13)
    assert got[0] == 0.5 and np.all(got[8:] == 2.0)


def test_train_uses_the_schedule_and_records_it():
    net = MLP.create([2, 2, 1], init="normal", seed=1)
    h = train(net, X, y, lr=1.0, epochs=300, schedule="step", schedule_params={"step_size": 100, "gamma": 0.1})
    np.testing.assert_allclose(h.lr, lr_schedule("step", 1.0, 300, step_size=100, gamma=0.1))
    # the update at epoch t really used lr[t]: redo 101 updates by hand, across the step at epoch 100
    k = 99
    manual = h.network_at(0).copy()
    for t in range(k + 2):
        manual.step(manual.gradients(X, y), h.lr[t])
    again = train(net, X, y, lr=1.0, epochs=k + 2, schedule="step", schedule_params={"step_size": 100, "gamma": 0.1})
    for a, b in zip(manual.W + manual.b, again.final.W + again.final.b):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# ----- a fixed seed solves XOR -------------------------------------------------------------------------
def test_fixed_seed_solves_xor():
    net = MLP.create([2, 2, 1], "sigmoid", init="normal", seed=0)
    h = train(net, X, y, lr=1.0, epochs=5000)
    out = h.final.predict(X)
    assert not h.diverged
    assert is_solved(out, y, h.loss[-1])
    assert h.loss[-1] < 0.01 and h.acc[-1] == 1.0
    np.testing.assert_array_equal(out[:, 0] > 0.5, [False, True, True, False])
    assert h.loss[-1] < h.loss[0]
    assert h.snapshot_epochs[0] == 0 and h.snapshot_epochs[-1] == 5000 and len(h.snapshots) == 201
    t = first_solved_epoch(h.loss, h.acc, SOLVED_LOSS)
    assert t is not None and 0 < t < 5000
    assert h.loss[t] < SOLVED_LOSS and h.acc[t] == 1.0
    assert not (h.loss[t - 1] < SOLVED_LOSS and h.acc[t - 1] == 1.0)


# ----- divergence -----------------------------------------------------------------------------------
@pytest.mark.parametrize("init", ["normal", "xavier_uniform"])
def test_lr_50_relu_is_flagged_as_loss_blew_up(init):
    net = MLP.create([2, 2, 1], "relu", init=init, seed=0)
    h = train(net, X, y, lr=50.0, epochs=5000)
    assert h.diverged and h.divergence.reason == "loss blew up"
    d = h.divergence
    assert d.epoch == h.epochs_run and np.isfinite(d.loss) and d.loss > 4 * h.loss[0]
    assert np.all(np.isfinite(h.loss)) and np.all(np.isfinite(h.acc))
    assert h.snapshot_epochs[-1] == d.epoch
    assert all(np.all(np.isfinite(v)) for s in h.snapshots for v in s.values())


def test_lr_50_relu_keeps_bouncing_when_not_stopped():
    """The issue's observation: finite, but the loss bounces around 5–7, ~10× its start."""
    net = MLP.create([2, 2, 1], "relu", init="normal", seed=0)
    h = train(net, X, y, lr=50.0, epochs=5000, diverge_factor=np.inf)
    assert not h.diverged and np.all(np.isfinite(h.loss))
    lo, mid, hi = loss_band(h.loss)
    assert 4 < lo < mid < hi < 8
    assert mid > 4 * h.loss[0]


def test_overflow_is_non_finite_and_curves_stay_finite():
    net = MLP.create([2, 8, 1], "leaky_relu", init="normal", seed=0, sigma=10)
    h = train(net, X, y, lr=1e6, epochs=2000, diverge_factor=np.inf)
    assert h.divergence.reason == "non-finite"
    assert np.all(np.isfinite(h.loss)) and h.final.is_finite()
    assert h.epochs_run == h.divergence.epoch - 1


def test_suggest_rate_checks_the_smaller_rate():
    calls = []

    def run(rate):
        calls.append(rate)
        return train(MLP.create([2, 2, 1], "relu", init="normal", seed=0), X, y, lr=rate, epochs=500)

    rate, hist = suggest_rate(50.0, run)
    assert calls[0] == pytest.approx(5.0)
    assert rate == calls[-1] and not hist.diverged
    assert smaller_rates(50.0) == pytest.approx([5.0, 0.5, 0.05, 0.005])
    assert smaller_rates(0.01) == pytest.approx([0.001])
    assert smaller_rates(0.001) == []


# ----- multi-seed training agrees with single-seed training ----------------------------------------
@pytest.mark.parametrize(
    "hidden,loss,schedule,params,width",
    [
        ("sigmoid", "bce", "constant", {}, 2),
        ("tanh", "mse", "cosine", {"eta_min": 0.05}, 3),
        ("relu", "bce", "warmup", {"start_factor": 0.2, "total_iters": 50}, 2),
    ],
)
def test_train_many_matches_train_seed_by_seed(hidden, loss, schedule, params, width):
    seeds = list(range(8))
    r = train_many([2, width, 1], seeds, X, y, hidden, "normal", 1.0, 400, loss, schedule, params)
    for i, s in enumerate(seeds):
        h = train(
            MLP.create([2, width, 1], hidden, init="normal", seed=s),
            X,
            y,
            1.0,
            400,
            loss,
            schedule,
            params,
            diverge_factor=np.inf,
        )
        one = r.network(i)
        for a, b in zip(one.W + one.b, h.final.W + h.final.b):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
        assert r.loss[i] == pytest.approx(h.loss[-1], abs=1e-10)
        t = first_solved_epoch(h.loss, h.acc, SOLVED_LOSS)
        assert r.epochs_to_solve[i] == (-1 if t is None else t)
        assert bool(r.solved[i]) == is_solved(h.final.predict(X), y, h.loss[-1])


def test_fraction_solved_counts_solved_runs():
    r = train_many([2, 2, 1], range(40), X, y, "sigmoid", "normal", 1.0, 3000)
    assert 0 < r.fraction_solved < 1
    assert r.fraction_solved == pytest.approx(int(np.sum(r.solved)) / 40)
    solved = r.solved
    assert np.all((r.output[solved, :, 0] > 0.5) == (y[:, 0] > 0.5))
    assert np.all(r.loss[solved] < SOLVED_LOSS)


# ----- diagnostics of stuck runs --------------------------------------------------------------------
def test_stuck_runs_are_saturated_with_tiny_gradients():
    r = train_many([2, 2, 1], range(40), X, y, "sigmoid", "normal", 1.0, 5000)
    stuck = np.flatnonzero(~r.solved & ~r.diverged)
    assert stuck.size > 0
    near = outputs_near_half(r.output[stuck])
    assert np.all(near >= 1) and np.mean(near >= 2) > 0.5
    for i in stuck[:3]:
        d = diagnose_run(r.network(i), X, y)
        start = diagnose_run(MLP.create([2, 2, 1], init="normal", seed=int(r.seeds[i])), X, y)
        assert d.wrong.any() and d.saturated.any()
        assert d.grad_norm < start.grad_norm / 100
        assert d.loss == pytest.approx(r.loss[i], abs=1e-12)
        # a sigmoid's slope, relative to its peak 0.25, is 4·a·(1 − a)
        np.testing.assert_allclose(d.slope, 4 * d.a1 * (1 - d.a1), rtol=1e-12)


def test_zero_init_keeps_the_hidden_neurons_identical():
    for hidden in ("sigmoid", "tanh"):
        h = train(MLP.create([2, 3, 1], hidden, init="zeros"), X, y, lr=1.0, epochs=2000)
        assert all(symmetry_gap(h.network_at(e)) == 0.0 for e in h.snapshot_epochs)
        assert not is_solved(h.final.predict(X), y, h.loss[-1])
    assert symmetry_gap(MLP.create([2, 2, 1], init="normal", seed=0)) > 0


def test_any_symmetric_start_stays_symmetric_although_the_weights_move():
    for hidden in ("sigmoid", "tanh", "relu"):
        h = train(equal_start(3, hidden), X, y, lr=1.0, epochs=2000)
        assert largest_symmetry_gap(h) == 0.0
        assert np.max(np.abs(h.final.W[0] - 0.5)) > 0.1  # the weights did move
    # zero initialisation on XOR: the four errors cancel, so nothing moves at all
    z = train(MLP.create([2, 2, 1], init="zeros"), X, y, lr=1.0, epochs=100)
    assert all(np.all(w == 0) for w in z.final.W + z.final.b)


def test_first_solved_epoch_and_loss_band():
    loss = np.array([0.7, 0.5, 0.09, 0.05, 0.2])
    acc = np.array([0.5, 1.0, 0.75, 1.0, 1.0])
    assert first_solved_epoch(loss, acc, 0.1) == 3
    assert first_solved_epoch(loss, acc, 0.01) is None
    lo, mid, hi = loss_band(np.r_[np.zeros(10), np.arange(10.0)])
    assert mid == pytest.approx(4.5) and lo < mid < hi


# ----- overflow handling --------------------------------------------------------------------------
def test_rolled_back_gradient_norm_may_overflow_quietly():
    # ‖dW1‖ past 1e308 at the rolled-back weights: was a RuntimeWarning (NumPy's norm outside errstate)
    net = MLP.create([2, 4, 1], init="normal", seed=563, sigma=869.0061304034302)
    kw = dict(schedule="warmup", schedule_params={"start_factor": 1.0248491982669479e-293, "total_iters": 30})
    for fast in (True, False):  # the readable loop and core.fast, both quietly
        h = train(net, X, y, lr=6.210765259789198e226, epochs=229, diverge_factor=1e300, fast=fast, **kw)
        assert h.divergence.reason == "non-finite" and h.divergence.epoch == 3
        assert h.snapshot_epochs == [0, 1] and all(np.all(np.isfinite(g)) for g in h.grad_norms)
