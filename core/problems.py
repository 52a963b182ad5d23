"""Problems beyond XOR's four points: two-class data sets in the plane, the student's own points,
a CSV reader that refuses bad files with the row and the reason, and the train/test split.

Every generator is seeded (the same size, noise and seed give the same points) and returns
X (n, 2) and y (n, 1) with labels 0/1, both classes present. With noise 0 each draws its clean
shape. Inputs are scaled to lie in about [−0.5, 1.5]², the square the notes plot XOR in.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

PROBLEMS = ("xor", "noisy_xor", "circles", "moons", "spiral", "blobs")
MIN_POINTS, MAX_POINTS = 20, 1000  # generated sets
MAX_ROWS = 5000  # an uploaded or clicked set
MAX_BYTES = 1_000_000  # an uploaded file
LO, HI = -0.5, 1.5


def _to_square(X: np.ndarray, lo: float = -0.3, hi: float = 1.3) -> np.ndarray:
    """Shapes drawn around the origin in [−1, 1]² → the plotted square (a fixed map, not data-driven)."""
    return lo + (X + 1.0) / 2.0 * (hi - lo)


def generate(problem: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """X (n, 2), y (n, 1) for one of PROBLEMS. n is clipped to [MIN_POINTS, MAX_POINTS] (XOR: 4)."""
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError("noise must be a number ≥ 0")
    rng = np.random.default_rng(seed)
    if problem == "xor":
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return X + rng.normal(0, noise, X.shape), np.array([[0.0], [1.0], [1.0], [0.0]])
    n = int(min(max(n, MIN_POINTS), MAX_POINTS))
    half = n // 2
    labels = np.r_[np.zeros(half), np.ones(n - half)]
    if problem == "noisy_xor":  # four clouds around XOR's corners
        corner = rng.integers(0, 4, n)
        corner[:4] = [0, 1, 2, 3]  # every corner (so both classes) present
        C = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])[corner]
        X = C + rng.normal(0, noise, (n, 2))
        labels = (corner == 1) | (corner == 2)
    elif problem == "circles":  # class 1 inside, class 0 on a ring around it
        t = rng.uniform(0, 2 * np.pi, n)
        r = np.where(labels == 1, 0.4, 1.0)
        X = _to_square(np.c_[r * np.cos(t), r * np.sin(t)] * 0.9) + rng.normal(0, noise, (n, 2))
    elif problem == "moons":  # two interleaving half circles (as scikit-learn's make_moons)
        t = rng.uniform(0, np.pi, n)
        outer = np.c_[np.cos(t), np.sin(t)]
        inner = np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
        X = np.where(labels[:, None] == 0, outer, inner)
        X = (X - [0.5, 0.25]) / 1.6  # about [−1, 1]²
        X = _to_square(X) + rng.normal(0, noise, (n, 2))
    elif problem == "spiral":  # two arms winding 1.5 turns round the centre
        t = rng.uniform(0.25, 1.0, n) * 3 * np.pi
        phase = np.where(labels == 1, np.pi, 0.0)
        X = np.c_[t * np.cos(t + phase), t * np.sin(t + phase)] / (3 * np.pi)
        X = _to_square(X) + rng.normal(0, noise, (n, 2))
    else:  # blobs: two Gaussian clouds — a problem one straight line already solves
        centres = np.array([[0.1, 0.1], [0.9, 0.9]])
        X = centres[labels.astype(int)] + rng.normal(0, 0.15 + noise, (n, 2))
    return X.astype(float), np.asarray(labels, dtype=float).reshape(-1, 1)


def split(n: int, test_fraction: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices) of a seeded shuffle; both non-empty when n ≥ 2."""
    order = np.random.default_rng(seed).permutation(n)
    k = int(round(n * test_fraction))
    k = min(max(k, 1 if n >= 2 else 0), n - 1) if n >= 2 else 0
    return np.sort(order[k:]), np.sort(order[:k])


class DataError(ValueError):
    """A data set that cannot be used, with the reason in plain words (and the row, when one is at fault)."""


@dataclass
class Points:
    """A student's own points: X (n, 2), y (n, 1)."""

    X: np.ndarray
    y: np.ndarray


def check_points(X: np.ndarray, y: np.ndarray) -> Points:
    """The rules every data set obeys: finite numbers, labels 0 or 1, at most MAX_ROWS rows, both classes."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    if len(X) != len(y):
        raise DataError("every point needs one label")
    if len(X) > MAX_ROWS:
        raise DataError(f"{len(X):,} points: at most {MAX_ROWS:,}")
    if not np.all(np.isfinite(X)):
        row = int(np.argmax(~np.all(np.isfinite(X), axis=1)))
        raise DataError(f"row {row + 1}: x1 and x2 must be finite numbers")
    bad = ~np.isin(y[:, 0], (0.0, 1.0))
    if bad.any():
        raise DataError(f"row {int(np.argmax(bad)) + 1}: the label must be 0 or 1")
    if len(np.unique(y)) < 2:
        raise DataError("both classes (label 0 and label 1) must be present")
    return Points(X, y)


def read_csv(data: bytes) -> Points:
    """A CSV file with a header x1, x2, label → Points; DataError naming the row and the reason."""
    if len(data) > MAX_BYTES:
        raise DataError(f"the file is {len(data) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:g} MB")
    if not data.strip():
        raise DataError("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("this is not a text file (CSV with columns x1, x2, label)") from None
    if "\x00" in text:
        raise DataError("this is not a text file (CSV with columns x1, x2, label)")
    rows = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(rows, [])]
    if header[:3] != ["x1", "x2", "label"] or len(header) != 3:
        raise DataError("the first line must be the header x1,x2,label")
    X, y = [], []
    for k, row in enumerate(rows, start=2):  # line numbers as a spreadsheet shows them
        if not row or all(not c.strip() for c in row):
            continue
        if len(X) >= MAX_ROWS:
            raise DataError(f"more than {MAX_ROWS:,} rows")
        if len(row) != 3:
            raise DataError(f"line {k}: expected 3 values (x1, x2, label), found {len(row)}")
        try:
            x1, x2, lab = (float(c) for c in row)
        except ValueError:
            raise DataError(f"line {k}: “{','.join(row)[:40]}” is not three numbers") from None
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise DataError(f"line {k}: x1 and x2 must be finite numbers")
        if lab not in (0.0, 1.0):
            raise DataError(f"line {k}: the label must be 0 or 1, not {row[2].strip()[:20]}")
        X.append((x1, x2))
        y.append(lab)
    if not X:
        raise DataError("the file has a header but no points")
    return check_points(np.array(X), np.array(y))


def write_csv(X: np.ndarray, y: np.ndarray) -> bytes:
    """Points as the CSV ``read_csv`` reads (full precision: repr of each float)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["x1", "x2", "label"])
    for (a, b), lab in zip(np.asarray(X, dtype=float), np.asarray(y, dtype=float).ravel()):
        w.writerow([repr(float(a)), repr(float(b)), int(lab)])
    return out.getvalue().encode()


def nearest(X: np.ndarray, point: tuple[float, float]) -> int | None:
    """Index of the point of X nearest to ``point`` (None for an empty set)."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    if not len(X):
        return None
    return int(np.argmin(np.sum((X - np.asarray(point, dtype=float)) ** 2, axis=1)))


@dataclass
class Sweep:
    """Accuracy for every (depth, width, seed): train_acc, test_acc (len(depths), len(widths), S)."""

    depths: tuple
    widths: tuple
    seeds: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray

    def best_test(self) -> np.ndarray:
        """(depth, width): the best test accuracy over the seeds (a good start is part of a recipe)."""
        return self.test_acc.max(axis=2)


def sweep(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    widths=range(1, 9),
    depths=range(1, 4),
    seeds=range(10),
    hidden: str = "tanh",
    init: str = "xavier_uniform",
    lr: float = 0.5,
    epochs: int = 1000,
    progress=None,
    on_step=None,
) -> Sweep:
    """Train every depth × width from every seed (all seeds of one shape at once, core.multiseed) and
    score each final network on the training and the test points. ``progress(done, total)`` is called
    after each shape; ``on_step()`` after every update (core.multiseed.train_many's)."""
    from core.multiseed import train_many

    depths, widths, seeds = tuple(depths), tuple(widths), np.asarray(list(seeds))
    tr = np.zeros((len(depths), len(widths), len(seeds)))
    te = np.zeros_like(tr)
    total, done = len(depths) * len(widths), 0
    for a, d in enumerate(depths):
        for b, w in enumerate(widths):
            r = train_many([2] + [w] * d + [1], seeds, X_train, y_train, hidden, init, lr, epochs, on_step=on_step)
            for s in range(len(seeds)):
                net = r.network(s)
                tr[a, b, s] = net.accuracy(X_train, y_train) if net.is_finite() else 0.0
                te[a, b, s] = net.accuracy(X_test, y_test) if net.is_finite() else 0.0
            done += 1
            if progress is not None:
                progress(done, total)
    return Sweep(depths, widths, seeds, tr, te)
