"""core.problems: generated problems, the CSV reader, the split and the width × depth sweep."""

from __future__ import annotations

import numpy as np
import pytest

from core.mlp import MLP
from core.problems import (
    MAX_BYTES,
    MAX_ROWS,
    PROBLEMS,
    DataError,
    check_points,
    generate,
    nearest,
    read_csv,
    split,
    sweep,
    write_csv,
)
from core.train import train


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_generator_is_seeded_two_class_and_in_the_square(problem):
    X, y = generate(problem, n=200, noise=0.1, seed=3)
    n = 4 if problem == "xor" else 200
    assert X.shape == (n, 2) and y.shape == (n, 1) and set(np.unique(y)) == {0.0, 1.0}
    assert np.all(np.isfinite(X)) and X.min() > -1.0 and X.max() < 2.0
    X2, y2 = generate(problem, n=200, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, generate(problem, n=200, noise=0.1, seed=4)[0]) or problem == "xor"


def test_noise_zero_draws_the_clean_shapes():
    X, y = generate("xor", noise=0.0)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    X, y = generate("noisy_xor", n=100, noise=0.0)
    corners = {tuple(p) for p in X}
    assert corners == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    assert all(lab == float(a != b) for (a, b), lab in zip(X, y[:, 0]))
    X, y = generate("circles", n=100, noise=0.0)
    r = np.hypot(*(X - 0.5).T)  # the square's centre
    assert set(np.round(r, 6)) == {round(0.4 * 0.9 * 0.8, 6), round(0.9 * 0.8, 6)}
    assert np.all((r < 0.5) == (y[:, 0] == 1))


def test_sizes_are_clipped_and_bad_arguments_refused():
    assert len(generate("moons", n=5)[0]) == 20 and len(generate("moons", n=10**6)[0]) == 1000
    with pytest.raises(ValueError):
        generate("triangles")
    with pytest.raises(ValueError):
        generate("moons", noise=float("nan"))


def test_split_is_seeded_disjoint_and_complete():
    tr, te = split(100, 0.3, seed=1)
    assert len(te) == 30 and not set(tr) & set(te) and set(tr) | set(te) == set(range(100))
    np.testing.assert_array_equal(split(100, 0.3, 1)[1], te)
    assert len(split(2, 0.3)[1]) == 1


def test_csv_round_trip_keeps_every_bit():
    X, y = generate("spiral", n=50, noise=0.2, seed=9)
    p = read_csv(write_csv(X, y))
    np.testing.assert_array_equal(p.X, X)
    np.testing.assert_array_equal(p.y, y)


BAD = {
    "text": (b"x1,x2,label\n0.1,abc,1\n0,0,0\n", "line 2"),
    "nan": (b"x1,x2,label\n0.1,nan,1\n0,0,0\n", "line 2: x1 and x2 must be finite"),
    "inf": (b"x1,x2,label\n0,0,0\ninf,1,1\n", "line 3: x1 and x2 must be finite"),
    "third label": (b"x1,x2,label\n0,0,0\n1,1,2\n", "line 3: the label must be 0 or 1"),
    "one class": (b"x1,x2,label\n0,0,1\n1,1,1\n", "both classes"),
    "empty": (b"", "empty"),
    "header only": (b"x1,x2,label\n", "no points"),
    "no header": (b"0,0,0\n1,1,1\n", "header"),
    "binary": (bytes(range(256)) * 4, "not a text file"),
    "too big": (b"x1,x2,label\n" + b"0,0,0\n" * (MAX_BYTES // 6 + 10), "MB"),
    "too many rows": (b"x1,x2,label\n" + b"0,0,0\n1,1,1\n" * (MAX_ROWS // 2 + 1), f"more than {MAX_ROWS:,}"),
    "wrong width": (b"x1,x2,label\n0,0\n", "expected 3 values"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_csv_is_refused_with_its_row_and_reason(case):
    data, words = BAD[case]
    with pytest.raises(DataError, match=words):
        read_csv(data)


def test_check_points_refuses_what_read_csv_refuses():
    with pytest.raises(DataError, match="both classes"):
        check_points(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(DataError, match="at most"):
        check_points(np.zeros((MAX_ROWS + 1, 2)), np.r_[0, np.ones(MAX_ROWS)])
    assert nearest(np.array([[0, 0], [1, 1]]), (0.9, 0.8)) == 1 and nearest(np.empty((0, 2)), (0, 0)) is None


def test_the_sweep_matches_single_runs_seed_by_seed():
    X, y = generate("circles", n=60, noise=0.05, seed=0)
    tr, te = split(len(X), 0.3, seed=0)
    steps = []
    s = sweep(X[tr], y[tr], X[te], y[te], (1, 3), (1, 2), range(3), epochs=200, on_step=lambda: steps.append(1))
    assert s.test_acc.shape == (2, 2, 3) and len(steps) == 4 * 200  # every update of the four shapes
    for a, d in enumerate((1, 2)):
        for b, w in enumerate((1, 3)):
            for k in range(3):
                net = MLP.create([2] + [w] * d + [1], "tanh", "sigmoid", "xavier_uniform", k)
                h = train(net, X[tr], y[tr], lr=0.5, epochs=200)
                assert s.train_acc[a, b, k] == h.final.accuracy(X[tr], y[tr])
                assert s.test_acc[a, b, k] == h.final.accuracy(X[te], y[te])
