"""Vanishing gradient's "Before you look" checkpoints (app.predict): truths from core.flow."""

from __future__ import annotations

import math

from app import predict
from app.names import ACTIVATION_NAMES
from app.predict import Checkpoint, Truth
from app.ui import sci
from app.vanishing_gradient import run
from core.flow import derivative_powers

RATIOS = (
    "larger than the output layer's",
    "about the same (within 10×)",
    "10 to 1,000 times smaller",
    "more than 1,000 times smaller",
)


def ratio_choice(ratio: float) -> str | None:
    """‖dz1‖ / ‖dzL‖ as one of RATIOS (None when it is not a finite number)."""
    if not math.isfinite(ratio):
        return None
    if ratio > 10:
        return RATIOS[0]
    if ratio >= 0.1:
        return RATIOS[1]
    return RATIOS[2] if ratio >= 1e-3 else RATIOS[3]


def sigmoid_peak(_: None) -> Truth:
    d = derivative_powers(0.0, 1, ("sigmoid",))[0]
    return Truth(
        d.slope,
        f"{d.slope:g}",
        f"σ'(z) = σ(z)·(1 − σ(z)) is largest where σ(z) = 0.5, at z = 0: 0.5 · 0.5 = {d.slope:g}. So each sigmoid "
        "layer at least quarters a gradient.  \nSee the sigmoid's derivative curve under “Activation derivatives”.",
    )


def first_layer(cfg: tuple) -> Truth:
    r = run.flow_report(*cfg)
    said = ratio_choice(r.ratio_dz)
    return Truth(
        said if said is not None else "not a number",
        f"{said} (ratio {sci(r.ratio_dz)})" if said else "not a number: the values overflowed",
        f"Backpropagation multiplies the gradient by each layer's weights and slopes on its way back: here "
        f"‖∂L/∂z‖ of layer 1 ÷ the output layer's = {sci(r.ratio_dz)}.  \nSee the explorer's numbers "
        "(“‖∂L/∂z‖ layer 1 ÷ output”) and the gradient-flow chart.",
    )


def build() -> dict[str, Checkpoint]:
    return {
        "peak": Checkpoint(
            "vg_peak",
            "what is the largest value the sigmoid's slope σ'(z) reaches, at any z?",
            predict.NUMBER,
            sigmoid_peak,
            tolerance=0.01,
            lo=-10,
            hi=10,
        )
    }


def explorer_checkpoint(cfg: tuple) -> Checkpoint:
    depth, act = cfg[0], cfg[2]
    return Checkpoint(
        "vg_first",
        f"in this network of {depth} hidden layers ({ACTIVATION_NAMES[act]}), how will layer 1's gradient "
        "‖∂L/∂z‖ compare with the output layer's?",
        predict.CHOICE,
        first_layer,
        tuple(cfg),
        tuple(cfg),
        options=RATIOS,
    )
