"""Learning-rate schedules, as the closed forms of PyTorch's ``torch.optim.lr_scheduler``.

``t`` is the epoch (0-based) and ``lr0`` the base rate:
- constant:     lr0
- step:         lr0 · γ^⌊t / step_size⌋                                   (StepLR)
- exponential:  lr0 · γ^t                                                   (ExponentialLR)
- cosine:       η_min + (lr0 − η_min) · (1 + cos(π t / T_max)) / 2         (CosineAnnealingLR)
- warmup:       lr0 · (s + (e − s) · min(t, T) / T)                         (LinearLR)
"""

from __future__ import annotations

import numpy as np

SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup")

DEFAULTS = {
    "step": {"step_size": 1000, "gamma": 0.5},
    "exponential": {"gamma": 0.9995},
    "cosine": {"T_max": None, "eta_min": 0.0},
    "warmup": {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 500},
}


def lr_schedule(name: str, lr0: float, epochs: int, **params) -> np.ndarray:
    """Learning rate for each epoch t = 0..epochs−1, shape (epochs,)."""
    t = np.arange(epochs, dtype=float)
    p = {**DEFAULTS.get(name, {}), **params}
    if name == "constant":
        return np.full(epochs, float(lr0))
    if name == "step":
        return lr0 * p["gamma"] ** np.floor(t / max(int(p["step_size"]), 1))
    if name == "exponential":
        return lr0 * p["gamma"] ** t
    if name == "cosine":
        T_max = p["T_max"] or epochs
        # ((1 + cos) / 2) first: the same numbers, and a base rate near the float limit cannot overflow
        return p["eta_min"] + (lr0 - p["eta_min"]) * ((1 + np.cos(np.pi * t / max(T_max, 1))) / 2)
    if name == "warmup":
        T = max(int(p["total_iters"]), 1)
        return lr0 * (p["start_factor"] + (p["end_factor"] - p["start_factor"]) * np.minimum(t, T) / T)
    raise ValueError(f"unknown schedule {name!r}; choose from {sorted(SCHEDULES)}")
