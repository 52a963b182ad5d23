"""Numerical gradient check by central differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.mlp import MLP


@dataclass
class GradCheck:
    names: list  # "W1[0,0]", ... in MLP.flat() order
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray

    @property
    def max_rel_error(self) -> float:
        return float(np.max(self.rel_error)) if self.rel_error.size else 0.0


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-8) -> np.ndarray:
    """|a − n| / max(|a|, |n|, floor): the floor keeps two near-zero gradients from looking different."""
    return np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)


def flat_grads(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> np.ndarray:
    g = net.gradients(X, y, loss)
    return np.concatenate([t.ravel() for l in range(1, net.n_layers + 1) for t in (g.dW[l], g.db[l])])


def gradient_check(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce", eps: float = 1e-5) -> GradCheck:
    """(L(θ+ε) − L(θ−ε)) / 2ε for every parameter, beside the backward pass."""
    analytic = flat_grads(net, X, y, loss)
    probe = net.copy()
    theta = net.flat()
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        t = theta.copy()
        t[i] += eps
        probe.set_flat(t)
        plus = probe.loss(X, y, loss)
        t[i] -= 2 * eps
        probe.set_flat(t)
        minus = probe.loss(X, y, loss)
        numeric[i] = (plus - minus) / (2 * eps)
    return GradCheck(net.param_names(), analytic, numeric, relative_error(analytic, numeric))
