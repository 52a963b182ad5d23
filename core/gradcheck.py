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


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-7) -> np.ndarray:
    """|a − n| / max(|a|, |n|, floor).

    The floor (1e−7) stops a dead unit's exact 0 and the difference quotient's rounding noise
    (~1e−13) from reading as a 100 % error; above it this is the usual relative error.
    Like every finite-difference check, it is only meaningful where no ReLU unit sits within a few
    ε of its kink at z = 0.
    """
    return np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)


def flat_grads(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> np.ndarray:
    g = net.gradients(X, y, loss)
    return np.concatenate([t.ravel() for l in range(1, net.n_layers + 1) for t in (g.dW[l], g.db[l])])


def gradient_check(
    net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce", eps: float = 1e-3, points: int = 5
) -> GradCheck:
    """Central differences for every parameter, beside the backward pass.

    points=3: (L(θ+ε) − L(θ−ε)) / 2ε, error O(ε²).
    points=5: (−L(θ+2ε) + 8L(θ+ε) − 8L(θ−ε) + L(θ−2ε)) / 12ε, error O(ε⁴) — the default, because
    deep layers have gradients near 1e−6 where the 3-point rule's rounding error alone is ~1e−11.
    """
    offsets = {3: [(1, 0.5), (-1, -0.5)], 5: [(2, -1 / 12), (1, 8 / 12), (-1, -8 / 12), (-2, 1 / 12)]}[points]
    analytic = flat_grads(net, X, y, loss)
    probe = net.copy()
    theta = net.flat()
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        total = 0.0
        for k, weight in offsets:
            t = theta.copy()
            t[i] += k * eps
            probe.set_flat(t)
            total += weight * probe.loss(X, y, loss)
        numeric[i] = total / eps
    return GradCheck(net.param_names(), analytic, numeric, relative_error(analytic, numeric))
