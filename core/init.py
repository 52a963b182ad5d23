"""Weight initialisers, with the formulas and fan conventions of PyTorch's ``torch.nn.init``.

Our weight matrices are (n_in, n_out) because the notes write ``z = X @ W + b``; PyTorch stores
(out, in). Either way fan_in = n_in and fan_out = n_out, so the standard deviations agree.
Biases start at zero. (LeCun normal is not in ``torch.nn.init``: it is N(0, 1/fan_in), as in
JAX and Keras, drawn here from a plain normal where Keras truncates it.)

What each initialiser is called and what it is for, in words, is ``app.names`` and ``app.initialisers``.
"""

from __future__ import annotations

import math

import numpy as np

from core.activations import get_activation

INITIALISERS = (
    "zeros",
    "normal",  # N(0, σ²), σ set by hand
    "uniform",  # U(−limit, +limit), limit set by hand
    "xavier_uniform",
    "xavier_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
)

RELU_GAIN = math.sqrt(2.0)  # torch.nn.init.calculate_gain("relu"), kaiming's default


def init_std(name: str, fan_in: int, fan_out: int, sigma: float = 1.0, limit: float = 1.0, gain: float = 1.0) -> float:
    """The standard deviation the initialiser draws with (a uniform(±b) has std b/√3)."""
    if name == "zeros":
        return 0.0
    if name == "normal":
        return float(sigma)
    if name == "uniform":
        return float(limit) / math.sqrt(3.0)
    if name == "xavier_uniform" or name == "xavier_normal":
        return gain * math.sqrt(2.0 / (fan_in + fan_out))
    if name == "he_normal" or name == "he_uniform":
        return RELU_GAIN / math.sqrt(fan_in)
    if name == "lecun_normal":
        return 1.0 / math.sqrt(fan_in)
    raise ValueError(f"unknown initialiser {name!r}; choose from {sorted(INITIALISERS)}")


def init_weight(
    name: str,
    n_in: int,
    n_out: int,
    rng: np.random.Generator,
    sigma: float = 1.0,
    limit: float = 1.0,
    gain: float = 1.0,
) -> np.ndarray:
    """One weight matrix, shape (n_in, n_out)."""
    std = init_std(name, n_in, n_out, sigma=sigma, limit=limit, gain=gain)
    if name == "zeros":
        return np.zeros((n_in, n_out))
    if name in ("uniform", "xavier_uniform", "he_uniform"):
        bound = math.sqrt(3.0) * std  # torch: xavier a = gain·√(6/(fan_in+fan_out)); kaiming √3·std
        return rng.uniform(-bound, bound, size=(n_in, n_out))
    return rng.normal(0.0, std, size=(n_in, n_out))


def init_params(
    sizes: list[int],
    name: str = "xavier_uniform",
    seed: int | np.random.Generator = 0,
    sigma: float = 1.0,
    limit: float = 1.0,
    gain: float = 1.0,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights W[l] (sizes[l], sizes[l+1]) drawn layer by layer from one Generator; biases (1, n) zeros."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Ws = [init_weight(name, n_in, n_out, rng, sigma, limit, gain) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros((1, n_out)) for n_out in sizes[1:]]
    return Ws, bs


def zero_init_starves(hidden: str) -> bool:
    """With every weight 0, does no weight ever move? True when f(0) = 0 (ReLU, tanh, …): every hidden
    output is 0, so every weight gradient is 0 (dW = aᵀ dz with a = 0; the error passed back, dz @ Wᵀ,
    is 0 with W = 0, which zeroes dW1 = Xᵀ dz1). False when f(0) ≠ 0 (the sigmoid's 0.5): the weights
    move, but every unit of a layer gets the same update, so the units stay identical (symmetry)."""
    return float(get_activation(hidden).f(np.zeros(1))[0]) == 0.0
