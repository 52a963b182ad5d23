"""The one rule for turning a2 into a class (core.decision): every counter in core agrees, at the
tie a2 = 0.5 too."""

from __future__ import annotations

import numpy as np
import pytest

from core import features as F
from core import multiseed
from core.backprop_ledger import misclassified, zero_network
from core.data import X, y
from core.decision import predicts_one, wrong
from core.diagnose import diagnose_run
from core.mlp import MLP
from core.train import is_solved, train

pytestmark = pytest.mark.filterwarnings("error")


def test_the_rule():
    a2 = np.array([0.0, 0.4999999, 0.5, 0.5000001, 1.0])
    assert predicts_one(a2).tolist() == [False, False, False, True, True]  # exactly 0.5 predicts 0
    assert wrong(0.5, 0).item() is False and wrong(0.5, 1).item() is True


def test_every_counter_treats_the_all_zero_network_alike():
    """Every weight 0: a2 = σ(0) = 0.5 on all four inputs, so each predicts 0: right for [0 0] and
    [1 1] (label 0), wrong for [0 1] and [1 0] (label 1). Accuracy 50 % everywhere."""
    net = zero_network()
    out = net.predict(X)[:, 0]
    assert (out == 0.5).all()
    expected_wrong = [False, True, True, False]
    assert net.accuracy(X, y) == 0.5
    assert [misclassified(a, t) for a, t in zip(out, y[:, 0])] == expected_wrong
    assert diagnose_run(net, X, y).wrong.tolist() == expected_wrong
    assert F.feature_table(net, X, y).wrong.tolist() == expected_wrong
    assert F.separates(net.forward(X).z[2], y) == 2
    assert not is_solved(out[:, None], y, 0.0)
    hist = train(net, X, y, lr=1.0, epochs=3)
    assert hist.acc.tolist() == [0.5] * 4  # zero weights on XOR never move
    res = multiseed.train_many([2, 2, 1], [0, 1], X, y, init="zeros", epochs=3)
    assert not res.solved.any()


def test_counters_agree_on_random_networks():
    for seed in range(20):
        net = MLP.create([2, 3, 1], seed=seed, init="normal", sigma=0.3)
        out = net.predict(X)[:, 0]
        w = [misclassified(a, t) for a, t in zip(out, y[:, 0])]
        assert diagnose_run(net, X, y).wrong.tolist() == w == F.feature_table(net, X, y).wrong.tolist()
        assert net.accuracy(X, y) == 1 - np.mean(w)
