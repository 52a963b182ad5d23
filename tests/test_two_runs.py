"""Two runs, one start (app/two_runs): both runs begin from the same weights, each run is exactly
core.train.train with its settings, and bad numbers (a diverging rate, NaN in a history) reach no chart
and no sentence."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from app.run_words import diverged
from app.two_runs import charts, run
from app.two_runs import text as tx
from core.data import X, notes_weights, y
from core.diagnose import first_solved_epoch
from core.mlp import MLP
from core.train import SOLVED_LOSS, train

A, B = run.DEFAULTS["a"], run.DEFAULTS["b"]
EPOCHS = 600


def first_snapshot(hist) -> MLP:
    return MLP.from_dict(hist.snapshots[0], hist.final.hidden, hist.final.output)


def same_numbers(n1: MLP, n2: MLP) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(n1.W + n1.b, n2.W + n2.b))


SHARED = MLP.create([2, 3, 1], "tanh", "sigmoid", "he_normal", 7)
CASES = {
    "seed, rates differ": ("seed", 3, {**A, "lr": 0.5}, {**A, "lr": 5.0}, None),
    "seed, activations and losses differ": ("seed", 4, A, {**A, "act": "tanh", "loss": "mse"}, None),
    "notes, schedules differ": ("notes", 0, A, {**A, "sched": "step", "lr": 2.0}, None),
    "shared 2-3-1, activations differ": ("shared", 0, A, {**A, "act": "relu"}, SHARED.key()),
}


@pytest.mark.parametrize("case", CASES)
def test_both_runs_start_from_the_same_weights(case):
    start, seed, a, b, shared = CASES[case]
    p = run.pair(start, seed, EPOCHS, a, b, shared)
    first_a, first_b = first_snapshot(p.a), first_snapshot(p.b)
    assert p.a.snapshot_epochs[0] == p.b.snapshot_epochs[0] == 0
    assert same_numbers(first_a, first_b) and p.same_start
    want = {
        "seed": MLP.create([2, 2, 1], "sigmoid", "sigmoid", a["init"], seed),
        "notes": MLP.from_dict(notes_weights()),
        "shared": SHARED,
    }[start]
    assert same_numbers(first_a, want)
    assert (p.start_a.hidden, p.start_b.hidden) == (a["act"], b["act"])  # the same numbers, each run's activation


@pytest.mark.parametrize("case", CASES)
def test_each_run_is_core_train_with_its_settings(case):
    start, seed, a, b, shared = CASES[case]
    p = run.pair(start, seed, EPOCHS, a, b, shared)
    for s, hist, net in ((a, p.a, p.start_a), (b, p.b, p.start_b)):
        params = run.schedule_params(s["sched"], EPOCHS)
        want = train(net, X, y, s["lr"], EPOCHS, s["loss"], s["sched"], params, run.SNAPSHOTS)
        np.testing.assert_array_equal(hist.loss, want.loss)
        np.testing.assert_array_equal(hist.acc, want.acc)
        np.testing.assert_array_equal(hist.lr, want.lr)
        assert hist.snapshot_epochs == want.snapshot_epochs and hist.loss_name == s["loss"]
        assert same_numbers(hist.final, want.final) and hist.final.hidden == s["act"]


def test_different_initialisers_are_said_to_start_differently():
    p = run.pair("seed", 0, EPOCHS, A, {**A, "init": "he_normal"})
    assert not p.same_start
    assert not same_numbers(first_snapshot(p.a), first_snapshot(p.b))
    assert run.differing(A, {**A, "init": "he_normal"}) == ["init"]


def test_the_words_are_the_runs_numbers():
    p = run.pair("seed", 0, 5000, A, B)
    oa, ob = run.outcome(p.a, 5000), run.outcome(p.b, 5000)
    sa, sb = (first_solved_epoch(h.loss, h.acc, SOLVED_LOSS) for h in (p.a, p.b))
    assert (oa.solved, ob.solved) == (sa, sb) and sa is not None and sb is not None and sa != sb
    words = tx.comparison(oa, ob, True)
    fast, slow = sorted((sa, sb))
    assert f"{tx.times_text(slow / fast)}× sooner" in words and f"epoch {fast:,} against {slow:,}" in words
    t = oa.early_epoch
    assert t == 500 and f"{(p.a.loss[0] - p.a.loss[t]) / p.a.loss[0]:.0%}" in words
    assert f"solved XOR at epoch **{sa:,}**" in tx.outcome_line("A", p.a, oa, 5000)


def test_a_diverging_rate_is_told_in_the_shared_words_and_charts_stay_finite():
    p = run.pair("seed", 0, 5000, {**A, "lr": 200.0}, B)
    assert p.a.diverged and not p.b.diverged
    o = run.outcome(p.a, 5000)
    line = tx.outcome_line("A", p.a, o, 5000)
    assert "diverged" in line and diverged(p.a) in line
    last = p.epochs[-1]
    nets = [run.at_epoch(h, last) for h in (p.a, p.b)]
    assert nets[0][1] == p.a.snapshot_epochs[-1] < last  # the stopped run shows its last epoch
    assert "stopped" in tx.plane_title("A", p.a, nets[0][1], last)
    specs = [charts.loss_chart(p, last, False)[0]]
    specs += [
        s
        for s, _ in charts.boundaries(
            p, [run.boundary_values(n.key()) for n, _ in nets], [k for _, k in nets], last, False
        )
    ]
    for spec in specs:
        assert_finite(spec)


def assert_finite(spec: dict) -> None:
    for name, t in spec["datasets"].items():
        for col in t.columns:
            v = col.to_numpy(zero_copy_only=False)
            if v.dtype.kind == "f":
                assert np.isfinite(v).all(), name
    json.dumps({k: v for k, v in spec.items() if k != "datasets"}, allow_nan=False)


def test_nan_in_a_history_reaches_no_chart_and_no_sentence():
    p = run.pair("seed", 0, EPOCHS, A, B)
    loss = p.a.loss.copy()
    loss[[3, 100, len(loss) - 1]] = np.nan
    bad = dataclasses.replace(p, a=dataclasses.replace(p.a, loss=loss))
    o = run.outcome(bad.a, EPOCHS)
    assert np.isfinite(o.final_loss) and o.final_loss == loss[-2]
    spec, description = charts.loss_chart(bad, EPOCHS, False)
    assert_finite(spec)
    curves = spec["datasets"]["curves"].to_pandas()
    assert len(curves[curves.run == "A"]) == len(charts.curve_columns({"A": p.a})["epoch"]) - 3
    texts = [description, tx.comparison(o, run.outcome(bad.b, EPOCHS), True), tx.outcome_line("A", bad.a, o, EPOCHS)]
    texts.append(tx.epoch_line(bad, EPOCHS, [EPOCHS, EPOCHS]))
    for words in texts:
        assert "nan" not in words.lower() and "inf" not in words.lower(), words


def test_charts_are_small():
    p = run.pair("seed", 0, 20000, A, B)
    last = p.epochs[-1]
    nets = [run.at_epoch(h, last) for h in (p.a, p.b)]
    values = [run.boundary_values(n.key()) for n, _ in nets]
    specs = [charts.loss_chart(p, last, True)[0]]
    specs += [s for s, _ in charts.boundaries(p, values, [k for _, k in nets], last, True)]
    for spec in specs:
        size = len(json.dumps({k: v for k, v in spec.items() if k != "datasets"}))
        size += sum(t.nbytes for t in spec["datasets"].values())
        assert size < 100_000, size


def test_a_run_solved_early_but_not_at_the_end_is_not_called_solved():
    p = run.pair("seed", 0, EPOCHS, A, B)
    o = run.outcome(p.a, EPOCHS)
    late = dataclasses.replace(o, solved=10, right=3, final_loss=0.4)
    words = tx.outcome_line("A", p.a, late, EPOCHS)
    assert "solved XOR at epoch **10** but did not stay solved" in words and "3 of 4" in words
