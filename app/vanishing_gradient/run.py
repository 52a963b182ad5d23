"""What the Vanishing-gradient page computes: core.flow's gradient flow, the two training runs and the
presets' mean-field estimates, cached per setting (``st.cache_data``), returned as plain data.

``warm()`` calls the very same cached functions with the page's default settings (normal mode), so
the first student after a deploy finds the two deep training runs ready (app.warmup calls it)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import streamlit as st

from app.vanishing_gradient import charts, text  # for warm() only (neither imports this module)
from core.flow import (
    FLOW_ACTIVATIONS,
    PRESETS,
    FlowReport,
    MeanField,
    TrainResult,
    batch,
    deep_network,
    gradient_flow,
    mean_field,
    saturation_intervals,
    train_deep,
    weight_scale,
    zero_input_factor,
)

# ----- the page's default settings (its controls and warm() both read them) ---------------------
DERIV_DEFAULT = {"z": 0.0, "n": 10}
EXPLORER_DEFAULT = {"depth": 20, "width": 64, "act": "sigmoid", "init": "xavier_uniform", "data": "xor", "seed": 0}
TRAIN_DEFAULT = {"width": 8, "epochs": 2000, "seed": 0}
# network -> (hidden layers, activation, initialiser, learning rate). A contrast changes one thing: A and B
# differ only in the activation. Xavier uniform for both: over seeds 0–19 (width 8, 2,000 epochs) the
# sigmoid network solved XOR in 0 runs, the ReLU one in 18 (tests/test_page_vanishing_gradient.py checks a few).
NETWORK_DEFAULT = {"a": (10, "sigmoid", "xavier_uniform", 0.1), "b": (10, "relu", "xavier_uniform", 0.1)}
# the per-network settings in train_cfg's order, named as the page's controls are
NETWORK_KNOBS = {0: "hidden layers", 2: "activation", 3: "initialiser", 4: "learning rate"}


def explorer_cfg(depth: int, width: int, act: str, init: str, data: str, seed: int) -> tuple:
    """The explorer's settings as the key every cached function of this chapter takes."""
    return int(depth), int(width), str(act), str(init), str(data), int(seed)


def train_cfg(depth: int, width: int, act: str, init: str, lr: float, epochs: int, seed: int) -> tuple:
    """One "does it train?" network's settings, in train_result's argument order."""
    return int(depth), int(width), str(act), str(init), float(lr), int(epochs), int(seed)


def default_train_cfgs() -> dict[str, tuple]:
    t = TRAIN_DEFAULT
    return {
        side: train_cfg(depth, t["width"], act, init, lr, t["epochs"], t["seed"])
        for side, (depth, act, init, lr) in NETWORK_DEFAULT.items()
    }


def differences(cfg_a: tuple, cfg_b: tuple) -> list[str]:
    """The settings in which two train_cfg tuples differ, named as the page's controls are."""
    return [name for i, name in NETWORK_KNOBS.items() if cfg_a[i] != cfg_b[i]]


# ----- cached computations --------------------------------------------------------------------
@cache
def saturation_zones(name: str) -> tuple[tuple[float, float], ...]:
    """Where activation ``name``'s derivative is below 1 % of its peak, z in [−8, 8] (core.flow's
    saturation_intervals): the same for every rerun, so computed once per process."""
    return tuple(saturation_intervals(name))


@st.cache_data(max_entries=64, show_spinner=False)
def flow_report(depth: int, width: int, act: str, init: str, data: str, seed: int) -> FlowReport:
    """core.flow.gradient_flow for one explorer setting."""
    return gradient_flow(deep_network(depth, width, act, init, seed), *batch(data, seed))


# No spinner here: warm() calls it from a thread without a page; the page shows its own spinner.
@st.cache_data(max_entries=32, show_spinner=False)
def train_result(depth: int, width: int, act: str, init: str, lr: float, epochs: int, seed: int) -> TrainResult:
    """core.flow.train_deep for one "does it train?" network."""
    return train_deep(depth, width, act, init, lr, epochs, seed)


@dataclass
class Expectation:
    """One preset: the mean-field estimate beside the measurement (core.flow.mean_field, flow_report)."""

    key: str
    estimate: MeanField
    report: FlowReport
    zero_input: float | None  # per-layer factor of an all-zero input (XOR's (0, 0)); None if f(0) ≠ 0


@st.cache_data(max_entries=64, show_spinner=False)
def expectations(data: str, seed: int) -> list[Expectation]:
    """Every preset's estimate and measurement with this data and seed (via the cached flow_report)."""
    out = []
    for key, p in PRESETS.items():
        s2 = weight_scale(p["init"], p["width"])
        r = flow_report(p["depth"], p["width"], p["act"], p["init"], data, seed)
        out.append(Expectation(key, mean_field(p["act"], s2), r, zero_input_factor(p["act"], s2)))
    return out


def off_estimate(data: str, seed: int, tolerance: float = 1.5) -> list[Expectation]:
    """Presets whose measured factor is more than ``tolerance``× off the estimate because of an all-zero
    input: on the XOR batch, (0, 0) keeps z = 0 in every layer when f(0) = 0 (its factor is zero_input)."""
    out = []
    for e in expectations(data, seed):
        m, est, z0 = e.report.factor, e.estimate.factor, e.zero_input
        if data == "xor" and z0 and np.isfinite(m) and m > 0 and abs(math.log(m / est)) > math.log(tolerance):
            if abs(math.log(m / z0)) < abs(math.log(m / est)):  # the zero input explains it better
                out.append(e)
    return out


# ----- cold start -----------------------------------------------------------------------------
def warm() -> None:
    """Fill the caches of the page's default view (normal mode): the two training runs first (over
    half of the page's computing), then the explorer's gradient flow and the presets' estimates, then
    each chart's layout (one Altair build each). No st.* elements, no session; any failure is
    swallowed (the page then computes itself). A generator: app.warmup may step aside at each
    ``yield`` while a student's script for another chapter runs."""
    try:
        cfgs = default_train_cfgs()
        runs = {}
        for side, cfg in cfgs.items():
            runs[side] = train_result(*cfg)
            yield
        e, d = EXPLORER_DEFAULT, DERIV_DEFAULT
        r = flow_report(*explorer_cfg(**e))
        yield
        expectations(e["data"], e["seed"])
        yield
        charts.activations_spec(d["z"], {name: saturation_zones(name) for name in FLOW_ACTIVATIONS}, False)
        charts.powers_spec(d["z"], d["n"], False)
        charts.flow_spec(r, False)
        charts.shares_spec(r, False)
        charts.layer_specs(r, 1, False)
        labels = text.run_labels(cfgs["a"], cfgs["b"])
        charts.loss_spec({labels[s]: runs[s] for s in "ab"}, TRAIN_DEFAULT["epochs"], False)
    except Exception:  # noqa: BLE001 - an optimisation must never take the server down
        return
