"""Weight initialisers, with the formulas and fan conventions of PyTorch's ``torch.nn.init``.

Our weight matrices are (n_in, n_out) because the notes write ``z = X @ W + b``; PyTorch stores
(out, in). Either way fan_in = n_in and fan_out = n_out, so the standard deviations agree.
Biases start at zero. (LeCun normal is not in ``torch.nn.init``: it is N(0, 1/fan_in), as in
JAX and Keras, drawn here from a plain normal where Keras truncates it.)

``INIT_INFO`` explains each initialiser in words (how it draws W, its variance, what it aims for,
where it comes from): the one explanation every page shows (``app.initialisers.explain``). Tests
check each stated variance against ``init_std``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.activations import ACTIVATIONS

# name -> label shown in the app
INITIALISERS: dict[str, str] = {
    "zeros": "Zeros",
    "normal": "Normal N(0, σ²)",
    "uniform": "Uniform(−limit, +limit)",
    "xavier_uniform": "Xavier/Glorot uniform",
    "xavier_normal": "Xavier/Glorot normal",
    "he_normal": "He/Kaiming normal",
    "he_uniform": "He/Kaiming uniform",
    "lecun_normal": "LeCun normal",
}

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


# ----- what each initialiser is for: the one explanation the pages show ----------------------------
@dataclass(frozen=True)
class InitInfo:
    draw: str  # how each weight is drawn
    variance: str  # Var(W), the formula init_std(...)² computes
    aim: str  # what the scale is chosen for
    source: str  # where it comes from (and PyTorch's equivalent); "" if nowhere in particular


_FIXED = (
    "A fixed scale, chosen by hand, that ignores the layer's size. Fine for a 2-2-1 network; in a deep "
    "one each layer multiplies the variance of z by about fan_in·Var(W), so it shrinks or grows with depth."
)
_SLOPE_1 = "activations with slope about 1 around 0 (tanh, linear)"
_GLOROT = (
    "Glorot & Bengio 2010, “Understanding the difficulty of training deep feedforward neural networks” "
    "(their “normalized initialization”)"
)
_HE = "He et al. 2015, “Delving deep into rectifiers”"
_ZERO_AT_0 = [a.label for a in ACTIVATIONS.values() if float(a.f(np.zeros(1))[0]) == 0.0]  # ReLU, tanh, ...

INIT_INFO: dict[str, InitInfo] = {
    "zeros": InitInfo(
        "every weight W = 0",
        "0",
        "None: it shows why weights start random. Every unit of a layer starts identical. Where f(0) = 0 "
        f"({', '.join(_ZERO_AT_0)}) every hidden output is 0, so every weight gradient is 0 and no weight ever "
        "moves; with the sigmoid (σ(0) = 0.5) the weights do move, but every unit of a layer gets the same update, "
        "so the units stay identical (symmetry).",
        "",
    ),
    "normal": InitInfo("W ~ N(0, σ²), σ set by hand", "σ²", _FIXED, ""),
    "uniform": InitInfo("W ~ U(−limit, +limit), limit set by hand", "limit²/3", _FIXED, ""),
    "xavier_uniform": InitInfo(
        "W ~ U(−a, a) with a = √(6/(fan_in + fan_out))",
        "2/(fan_in + fan_out)",
        f"Keep the variance of z (forward) and of the back-propagated gradient (backward) about the same from "
        f"layer to layer, for {_SLOPE_1}: the forward pass needs fan_in·Var(W) = 1, the backward pass "
        "fan_out·Var(W) = 1, and 2/(fan_in + fan_out) is the compromise.",
        f"{_GLOROT}; PyTorch's xavier_uniform_ with gain 1.",
    ),
    "xavier_normal": InitInfo(
        "W ~ N(0, 2/(fan_in + fan_out))",
        "2/(fan_in + fan_out)",
        "The same aim and variance as Xavier uniform, drawn from a normal distribution.",
        f"{_GLOROT}; PyTorch's xavier_normal_ with gain 1.",
    ),
    "he_normal": InitInfo(
        "W ~ N(0, 2/fan_in)",
        "2/fan_in",
        "Keep the variance of z steady across ReLU layers: ReLU sets about half of its inputs to 0, which halves "
        "the mean square of what it passes on, and the factor 2 makes up for it.",
        f"{_HE}; PyTorch's kaiming_normal_ with its defaults (fan_in mode, gain √2).",
    ),
    "he_uniform": InitInfo(
        "W ~ U(−b, b) with b = √(6/fan_in)",
        "2/fan_in",
        "The same aim and variance as He normal, drawn from a uniform distribution.",
        f"{_HE}; PyTorch's kaiming_uniform_ with its defaults (fan_in mode, gain √2).",
    ),
    "lecun_normal": InitInfo(
        "W ~ N(0, 1/fan_in)",
        "1/fan_in",
        f"fan_in·Var(W) = 1: z keeps the variance of the layer's inputs, for {_SLOPE_1} (forward pass only).",
        "LeCun et al. 1998, “Efficient BackProp”; not in PyTorch (JAX and Keras call it lecun_normal).",
    ),
}

FANS = (
    "For a layer z = a @ W + b, W has fan_in rows (the inputs each unit adds up) and fan_out columns (the "
    "layer's units). Biases start at 0 with every initialiser."
)


def sigmoid_ceiling() -> str:
    """Why no initialiser fixes the sigmoid: its derivative's ceiling does not depend on the weights."""
    peak = ACTIVATIONS["sigmoid"].peak
    return (
        f"No initialiser lifts the sigmoid's ceiling: σ'(z) ≤ {peak:g} for every z, whatever the weights. Each "
        "sigmoid layer multiplies the size of the back-propagated gradient by roughly the weights' gain "
        f"√(fan_in·Var(W)) times a slope of at most {peak:g} (the gain is about 1 for Xavier between layers of "
        f"equal width). To keep the gradient's size the gain would have to be {1 / peak:g} or more in every layer, "
        "and larger weights spread z away from 0, where σ' is smaller still."
    )


def zero_init_effect(hidden: str) -> tuple[str, str]:
    """What zero weights do with this hidden activation: ("starved" or "symmetric", why in words).

    starved: f(0) = 0, so every hidden output is 0 and every weight gradient is 0 (dW = aᵀ dz with a = 0;
    the error passed back, dz @ Wᵀ, is 0 with W = 0, which zeroes dW1 = Xᵀ dz1): no weight moves.
    symmetric: f(0) ≠ 0 (sigmoid, 0.5), the weights move but every unit of a layer gets the same update.
    """
    act = ACTIVATIONS[hidden]
    f0 = float(act.f(np.zeros(1))[0])
    if f0 == 0.0:
        return "starved", (
            f"{act.label}(0) = 0, so with every weight 0 each hidden neuron outputs 0. Then every weight gradient "
            "is 0: a layer after the first has dW = aᵀ·dz = 0 because its input a is 0, and the error passed back "
            "to a hidden layer, dz @ Wᵀ, is 0 because W is 0 (so the first layer's dW1 = Xᵀ·dz1 is 0 too). No "
            "weight ever moves; only the output biases learn."
        )
    return "symmetric", (
        f"{act.label}(0) = {f0:g}, so with every weight 0 each hidden neuron outputs {f0:g}: the gradients are "
        "not all 0 and the weights do move, but every neuron of a layer receives exactly the same update, so they "
        "stay identical forever (symmetry) and each layer acts like a single neuron."
    )
