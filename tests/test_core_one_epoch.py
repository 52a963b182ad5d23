"""core.one_epoch: the slow-motion epoch's numbers are the network's own."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import X, notes_network, y
from core.mlp import MLP
from core.one_epoch import one_epoch
from core.train import train


@pytest.mark.parametrize("loss", ["bce", "mse"])
@pytest.mark.parametrize("net", [notes_network(), MLP.create([2, 3, 1], hidden="tanh", seed=2)], ids=["notes", "tanh"])
def test_each_phase_equals_the_networks_forward_backward_and_step(net, loss):
    start = net.flat()
    e = one_epoch(net, X, y, lr=0.5, loss=loss)
    fwd = net.forward(X)
    for k in ("z1", "a1", "z2", "a2"):
        np.testing.assert_array_equal(e.forward[k], getattr(fwd, k[0])[int(k[1])])
    assert e.loss == net.loss(X, y, loss)
    g = net.backward(fwd, y, loss)
    assert list(e.backward) == ["dz2", "dW2", "db2", "dz1", "dW1", "db1"]
    for k, v in e.backward.items():
        np.testing.assert_array_equal(v, getattr(g, k[:2])[int(k[2])])
    stepped = net.copy()
    stepped.step(g, 0.5)
    for k, v in stepped.to_dict().items():
        np.testing.assert_array_equal(e.after[k], v)
        np.testing.assert_array_equal(e.moves()[k], v - net.to_dict()[k])
    assert e.loss_after == stepped.loss(X, y, loss)
    np.testing.assert_array_equal(net.flat(), start)  # the network itself is not changed


def test_one_epoch_is_one_step_of_training():
    net = MLP.create([2, 2, 1], init="normal", seed=5)
    e = one_epoch(net, X, y, lr=1.0)
    h = train(net, X, y, lr=1.0, epochs=1, fast=False)
    assert h.loss[0] == e.loss and h.loss[1] == e.loss_after
    for k, v in h.final.to_dict().items():
        np.testing.assert_array_equal(e.after[k], v)
