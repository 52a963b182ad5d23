"""Losses and the output-layer delta dL/dz for each.

Every loss is a mean over the batch of N examples. The delta returned is per example (it is *not*
divided by N); the backward pass divides by N when it forms dW and db, exactly as the notes do:
``dW2 = (a1.T @ dz2) / len(X)``.

Which loss goes with which output:
- sigmoid output + binary cross-entropy ("bce"): dz2 = a2 − y, the notes' formula. The loss is
  computed from the logits z2, so it stays finite even when σ(z2) rounds to exactly 0 or 1.
- sigmoid output + mean squared error ("mse"): L = mean over the batch of ½ Σ (a2 − y)²; the ½
  makes the delta exactly (a2 − y) · a2 · (1 − a2) — the notes' error times σ'(z2).
- softmax output + categorical cross-entropy ("cce"): dz = a − y with one-hot y, the notes'
  dz2 = a2 − y in ten dimensions.
"""

from __future__ import annotations

import numpy as np


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow."""
    return np.logaddexp(0.0, z)


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy of σ(z) against y, from the logits. z, y: (N, k)."""
    # −[y log σ(z) + (1−y) log(1−σ(z))] = softplus(z) − y z
    with np.errstate(over="ignore"):  # logits near ±1.8e308: a sum past the float range is inf, quietly
        per_example = np.sum(softplus(z) - y * z, axis=1)
        m = np.mean(per_example)
        if np.isinf(m) and np.all(np.isfinite(per_example)):
            m = np.sum(per_example / per_example.size)  # huge but finite losses: their mean without overflowing
    return float(m)


def bce(a: np.ndarray, y: np.ndarray, eps: float = 1e-12) -> float:
    """Binary cross-entropy from probabilities (clipped), for when only a is known."""
    a = np.clip(a, eps, 1.0 - eps)
    return float(np.mean(np.sum(-(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)), axis=1)))


def mse(a: np.ndarray, y: np.ndarray) -> float:
    """½ Σ (a − y)² per example, averaged over the batch. a, y: (N, k)."""
    return float(np.mean(0.5 * np.sum((a - y) ** 2, axis=1)))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax along the last axis, shifted by the max so exp never overflows. z: (N, k)."""
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):  # logits ±1e308 apart: the smaller log-probability is −inf, quietly
        s = z - z.max(axis=-1, keepdims=True)  # ndarray methods: np.max/np.sum's numbers, less overhead
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


def cce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Categorical cross-entropy of softmax(z) against one-hot y. z, y: (N, k)."""
    # only the classes with y ≠ 0 count: a −inf log-probability times y = 0 must add 0, not NaN
    with np.errstate(over="ignore", invalid="ignore"):
        return float(-np.mean(np.sum(y * log_softmax(z), axis=1, where=np.asarray(y) != 0)))


LOSSES = ("bce", "mse", "cce")  # binary cross-entropy, mean squared error, categorical cross-entropy


def loss_value(name: str, z_out: np.ndarray, a_out: np.ndarray, y: np.ndarray) -> float:
    if name == "bce":
        return bce_from_logits(z_out, y)
    if name == "mse":
        return mse(a_out, y)
    if name == "cce":
        return cce_from_logits(z_out, y)
    raise ValueError(f"unknown loss {name!r}")


def output_delta(name: str, a_out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dz of the output layer, per example. Shapes (N, k)."""
    if name in ("bce", "cce"):
        return a_out - y
    if name == "mse":
        return (a_out - y) * a_out * (1.0 - a_out)
    raise ValueError(f"unknown loss {name!r}")


def single_example_losses(a: np.ndarray, y: float = 1.0) -> dict[str, np.ndarray]:
    """The loss of one example with label ``y`` for each prediction in ``a`` (k,), under BCE
    (−log a when y = 1: unbounded as a confident answer goes wrong) and MSE (½(a − y)², at most ½)."""
    a = np.asarray(a, dtype=float).reshape(-1, 1)
    t = np.full_like(a, float(y))
    return {
        "bce": np.array([bce(a[i : i + 1], t[i : i + 1]) for i in range(len(a))]),
        "mse": np.array([mse(a[i : i + 1], t[i : i + 1]) for i in range(len(a))]),
    }
