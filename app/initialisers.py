"""The one explanation of the weight initialisers, shown beside every initialiser control.

Four places offer an initialiser (the sidebar's random network, Training, Vanishing gradient and
Handwritten digits); each calls :func:`explain` under its control. The words live here (``INIT_INFO``,
``FANS``, ``sigmoid_ceiling``, ``zero_init_effect``); the code that draws the weights is ``core.init``,
and tests/test_initialisers.py checks every stated variance against it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app.names import ACTIVATION_NAMES, INITIALISER_NAMES
from core.activations import ACTIVATIONS
from core.init import INITIALISERS, zero_init_starves

TITLE = "What the initialisers do"


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
_ZERO_AT_0 = [ACTIVATION_NAMES[k] for k in ACTIVATIONS if zero_init_starves(k)]  # ReLU, tanh, ...

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
    """What zero weights do with this hidden activation: ("starved" or "symmetric", why in words);
    the rule is ``core.init.zero_init_starves``."""
    name = ACTIVATION_NAMES[hidden]
    f0 = float(ACTIVATIONS[hidden].f(np.zeros(1))[0])
    if zero_init_starves(hidden):
        return "starved", (
            f"{name}(0) = 0, so with every weight 0 each hidden neuron outputs 0. Then every weight gradient "
            "is 0: a layer after the first has dW = aᵀ·dz = 0 because its input a is 0, and the error passed back "
            "to a hidden layer, dz @ Wᵀ, is 0 because W is 0 (so the first layer's dW1 = Xᵀ·dz1 is 0 too). No "
            "weight ever moves; only the output biases learn."
        )
    return "symmetric", (
        f"{name}(0) = {f0:g}, so with every weight 0 each hidden neuron outputs {f0:g}: the gradients are "
        "not all 0 and the weights do move, but every neuron of a layer receives exactly the same update, so they "
        "stay identical forever (symmetry) and each layer acts like a single neuron."
    )


def guide(names: list[str] | None = None, chosen: str | None = None) -> str:
    """The explanation as markdown: one bullet per initialiser in ``names`` (default: all, in the
    order of ``core.init.INITIALISERS``), the ``chosen`` one marked."""
    names = list(INITIALISERS) if names is None else [n for n in INITIALISERS if n in set(names)]
    lines = [FANS, ""]
    for name in names:
        info = INIT_INFO[name]
        mark = " (chosen)" if name == chosen else ""
        source = f" *Source:* {info.source}" if info.source else ""
        lines.append(
            f"- **{INITIALISER_NAMES[name]}**{mark}: {info.draw}; Var(W) = {info.variance}. *Aim:* {info.aim}{source}"
        )
    lines += ["", sigmoid_ceiling()]
    return "\n".join(lines)


def explain(chosen: str | None = None, names: list[str] | None = None) -> None:
    """A closed expander holding :func:`guide`, placed under an initialiser control."""
    with st.expander(TITLE, icon=":material/help:"):
        st.markdown(guide(names, chosen))
