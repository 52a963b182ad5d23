"""core.landscape: the loss as a function of one or two of the network's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import X, notes_network, y
from core.landscape import batched_loss, gradient, loss_slice, loss_surface, projected_path, with_params
from core.mlp import MLP
from core.train import train

NETS = {
    "notes": notes_network(),
    "random tanh": MLP.create([2, 3, 1], hidden="tanh", seed=4),
    # biases away from 0, so no unit sits at ReLU's kink z = 0 (there the slope is one-sided)
    "random relu": MLP(
        MLP.create([2, 4, 1], hidden="relu", init="he_normal", seed=2).W, [[[0.3, -0.2, 0.25, 0.1]], [[0.1]]], "relu"
    ),
}


@pytest.mark.parametrize("name", list(NETS))
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_the_batched_loss_is_the_networks_own_loss(name, loss):
    net = NETS[name]
    rng = np.random.default_rng(0)
    thetas = net.flat() + rng.normal(0, 2, (7, net.n_params))
    got = batched_loss(net, thetas, X, y, loss)
    for t, value in zip(thetas, got):
        other = net.copy()
        other.set_flat(t)
        assert value == pytest.approx(other.loss(X, y, loss), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", list(NETS))
@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_the_tangent_slope_is_the_finite_difference_and_the_curve_passes_the_point(name, loss):
    net = NETS[name]
    for index in range(net.n_params):
        s = loss_slice(net, X, y, index, lr=0.5, loss=loss)
        assert s.slope == pytest.approx(s.central, rel=1e-5, abs=1e-8)
        assert s.tangent(s.theta0) == s.loss0
        k = int(np.argmin(np.abs(s.theta - s.theta0)))  # the curve near the point follows the tangent
        assert s.loss[k] == pytest.approx(s.tangent(s.theta[k]), abs=abs(s.theta[k] - s.theta0) * 10 + 1e-9)
        assert s.step_theta == s.theta0 - 0.5 * s.slope and s.theta[0] <= s.step_theta <= s.theta[-1]


def test_a_large_rate_jumps_past_the_valley_and_a_small_one_goes_down():
    net = notes_network()
    index = net.param_names().index("b2[0]")
    small, big = loss_slice(net, X, y, index, lr=0.1), loss_slice(net, X, y, index, lr=200.0)
    assert small.step_loss < small.loss0 < big.step_loss


def test_the_surface_at_the_current_point_is_the_networks_loss_and_its_arrow_the_negative_gradient():
    net = notes_network()
    s = loss_surface(net, X, y, 0, 7, n=61)  # W1[0,0] and W2[1]
    c = 30
    assert (s.u[c], s.v[c]) == pytest.approx(s.point)
    assert s.loss[c, c] == pytest.approx(net.loss(X, y), rel=1e-12)
    g = gradient(net, X, y)
    assert s.descent == (-g[0], -g[7]) and s.names == ("W1[0,0]", "W2[1,0]")
    moved = with_params(net, {0: s.u[40], 7: s.v[10]})
    assert s.loss[10, 40] == pytest.approx(moved.loss(X, y), rel=1e-12)
    with pytest.raises(ValueError):
        loss_surface(net, X, y, 3, 3)


def test_the_projected_path_starts_at_the_runs_initial_weights():
    start = MLP.create([2, 2, 1], init="normal", seed=3)
    hist = train(start, X, y, lr=1.0, epochs=300, snapshots=11)
    path = projected_path(hist.snapshots, hist.snapshot_epochs, start, 2, 6)
    assert path["epoch"][0] == 0 and (path["u"][0], path["v"][0]) == (start.flat()[2], start.flat()[6])
    assert (path["u"][-1], path["v"][-1]) == (hist.final.flat()[2], hist.final.flat()[6]) or hist.diverged


def test_an_overflowing_grid_gives_non_finite_values_not_warnings():
    net = with_params(notes_network(), {0: 1e300})
    s = loss_surface(net, X, y, 0, 1, half_width=1e300, n=5)
    assert s.loss.shape == (5, 5)  # inf/NaN are possible; the page filters them


@pytest.mark.parametrize("loss", ["bce", "mse"])
def test_the_slice_at_the_current_point_is_the_networks_loss(loss):
    for name, net in NETS.items():
        for index in range(net.n_params):
            s = loss_slice(net, X, y, index, lr=1.0, loss=loss, n=41)
            k = int(np.argmin(np.abs(s.theta - s.theta0)))
            assert s.theta[k] == pytest.approx(s.theta0)  # the grid is centred on θ0 when the step stays near
            assert s.loss[k] == pytest.approx(net.loss(X, y, loss), rel=1e-12), (name, index)
            assert s.loss0 == net.loss(X, y, loss)


def test_a_step_beyond_reach_keeps_the_view_near_the_point_but_still_says_where_it_lands():
    net = notes_network()
    index = net.param_names().index("b2[0]")
    near, far = loss_slice(net, X, y, index, lr=1e4), loss_slice(net, X, y, index, lr=1e4, reach=30.0)
    assert near.step_shown and near.theta[-1] - near.theta[0] > 60  # without reach: stretched to the step
    assert not far.step_shown and far.theta[-1] - far.theta[0] == pytest.approx(12.0)
    assert far.step_theta == near.step_theta and far.step_loss == near.step_loss
    assert abs(far.step_theta - far.theta0) > 30
