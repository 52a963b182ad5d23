"""core.probe: the probe's forward pass is MLP.forward's, points are kept inside the plane, and the
morph runs from the grid (t = 0) to the hidden activations of MLP.forward (t = 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.data import grid, notes_network
from core.mlp import MLP
from core.probe import HI, LO, clamp_point, forward_point, morph, morph_grid

pytestmark = pytest.mark.filterwarnings("error")

NETS = [
    notes_network(),
    MLP.create([2, 3, 1], "tanh", "sigmoid", "xavier_uniform", 4),
    MLP.create([2, 4, 1], "relu", "sigmoid", "he_normal", 1),
]


@pytest.mark.parametrize("net", NETS)
@pytest.mark.parametrize("x", [(0.0, 0.0), (1.0, 0.0), (0.37, -0.21), (1.5, 1.5), (-0.5, 0.9)])
def test_forward_point_equals_mlp_forward(net, x):
    step = forward_point(net, *x)
    fwd = net.forward(np.array([x]))
    np.testing.assert_array_equal(step.x, np.array(x))
    np.testing.assert_array_equal(step.z1, fwd.z[1][0])
    np.testing.assert_array_equal(step.a1, fwd.a[1][0])
    assert step.z2 == fwd.z[2][0, 0] and step.a2 == fwd.a[2][0, 0]


def test_a_point_inside_the_plane_is_kept():
    p = clamp_point(0.25, 1.25)
    assert p.x.tolist() == [0.25, 1.25] and not p.changed


@pytest.mark.parametrize(
    "asked, used, clamped, missing",
    [
        ((1e6, -1e6), (HI, LO), (True, True), (False, False)),
        ((math.inf, 0.3), (HI, 0.3), (True, False), (False, False)),
        ((math.nan, 0.3), (0.5, 0.3), (False, False), (True, False)),
        (("abc", None), (0.5, 0.5), (False, False), (True, True)),
        ((HI, LO), (HI, LO), (False, False), (False, False)),
    ],
)
def test_bad_points_are_clamped_or_replaced(asked, used, clamped, missing):
    p = clamp_point(*asked)
    assert p.x.tolist() == list(used)
    assert p.clamped == clamped and p.missing == missing
    assert p.changed == (any(clamped) or any(missing))
    assert np.all(np.isfinite(p.x))


@pytest.mark.parametrize("net", NETS)
def test_morph_starts_at_the_grid_and_ends_at_the_hidden_activations(net):
    h = net.W[0].shape[1]
    i, j = (0, 1) if h == 2 else (h - 1, 0)
    G, H, a2 = morph_grid(net, 9, i, j)
    _, _, points = grid(9, LO, HI)
    fwd = net.forward(points)
    np.testing.assert_array_equal(G, points)
    np.testing.assert_array_equal(morph(G, H, 0.0), points)
    np.testing.assert_array_equal(morph(G, H, 1.0), fwd.a[1][:, [i, j]])
    np.testing.assert_array_equal(a2, fwd.a[2][:, 0])


def test_morph_moves_each_point_on_its_straight_line():
    G, H, _ = morph_grid(notes_network(), 7)
    for t in (0.25, 0.5, 0.8):
        P = morph(G, H, t)
        # on the segment: P − G is t times H − G, for every point at once
        np.testing.assert_allclose(P - G, t * (H - G), rtol=0, atol=1e-12)
    assert morph(G, H, 0.5).shape == G.shape
