"""Activation functions and their derivatives.

Each activation is a pair ``f(z)`` and ``df(z, a)`` where ``a = f(z)``; passing ``a`` lets the
sigmoid use the notes' form ``a * (1 - a)`` without recomputing anything. All functions take and
return arrays of any shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01  # PyTorch's default negative_slope for LeakyReLU
# The one saturation rule (Training's stuck runs, Backpropagation, Vanishing gradient): a unit is
# saturated on an input when its derivative f'(z) is below 1 % of the activation's peak (σ' < 0.0025).
SATURATED = 0.01


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), stable for any finite z.

    Written as exp(−log(1 + e^(−z))) with ``logaddexp``, which never overflows: σ(±1000) is
    exactly 1.0 / 0.0, and tiny values such as σ(−40) ≈ 4.2e−18 keep full precision.
    """
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def sigmoid_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """σ'(z) = σ(z)(1 − σ(z)); peaks at 0.25 when z = 0."""
    a = sigmoid(z) if a is None else a
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def tanh_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """tanh'(z) = 1 − tanh²(z); peaks at 1 when z = 0."""
    a = np.tanh(z) if a is None else a
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def relu_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """1 where z > 0, else 0 (PyTorch also uses 0 at the kink)."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def linear(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=float)


def linear_prime(z: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=float))


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[..., np.ndarray]
    peak: float  # the largest value df takes, for "saturated = below SATURATED of the peak"
    bounds: tuple[float, float] | None = None  # the range f can take, when it is bounded (sigmoid, tanh)

    def saturated(self, d: np.ndarray) -> np.ndarray:
        """d: values of f'(z) (any shape) → True where they are below SATURATED of the peak."""
        return np.asarray(d) < SATURATED * self.peak


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, 0.25, (0.0, 1.0)),
    "tanh": Activation("tanh", tanh, tanh_prime, 1.0, (-1.0, 1.0)),
    "relu": Activation("relu", relu, relu_prime, 1.0),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime, 1.0),
    "linear": Activation("linear", linear, linear_prime, 1.0),
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose from {sorted(ACTIVATIONS)}") from None
