"""The Forward pass page's cached computations: the activation curve(s) with one input's z values
marked, as plain columns ({name: array}) for ``charts.py`` and a table for the page.

Networks come in as ``MLP.key()``, so the caches key on the exact weights.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from app.forward_pass import charts
from core.activations import get_activation
from core.data import X as XOR_X
from core.data import notes_weights
from core.features import plane_values
from core.forward_steps import ForwardRow
from core.mlp import MLP
from core.probe import forward_point

DEFAULT_ROW = 2  # the page opens on input [1 0], the one the notes work through
ANY = 4  # the input choice after the four rows: any point of the plane (typed or clicked)
PLANE_N = 60  # the clickable plane's grid: 60×60 cells
CURVE_LIMIT = 60.0  # the curve's z axis never goes beyond ±60 (σ is 0 or 1 to 26 digits there)


def marks_columns(net: MLP, step: ForwardRow) -> dict:
    """Every z of this input (z1[j] on the hidden activation, z2 on σ) with its activation, as columns
    (name, layer, curve, z, a, finite, sign, label); ``finite`` says which can be drawn."""
    h = len(step.z1)
    names = [f"z1[{j}]" for j in range(h)] + ["z2"]
    z = np.append(np.asarray(step.z1, dtype=float), step.z2)
    a = np.append(np.asarray(step.a1, dtype=float), step.a2)
    return {
        "name": names,
        "layer": ["hidden"] * h + ["output"],
        "curve": [net.hidden] * h + ["sigmoid"],
        "z": z,
        "a": a,
        "finite": np.isfinite(z) & np.isfinite(a),
        "sign": np.where(z > 0, "z > 0", "z ≤ 0").tolist(),
        "label": [f"{n} = {v:.3f}".replace("-", "−") for n, v in zip(names, z)],
    }


def curve_range(z: np.ndarray) -> float:
    """Half-width of the z axis: at least 8, wide enough for every marked z (up to CURVE_LIMIT)."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    biggest = float(np.max(np.abs(z))) if z.size else 0.0
    return float(min(CURVE_LIMIT, max(8.0, np.ceil(biggest + 1.0))))


@st.cache_data(max_entries=64, show_spinner=False)
def curves(activations: tuple, half: float, n: int = 241) -> dict:
    """Each activation over z in [−half, half] as columns z, a, curve."""
    zs = np.linspace(-half, half, n)
    return {
        "z": np.tile(zs, len(activations)),
        "a": np.concatenate([get_activation(name).f(zs) for name in activations]),
        "curve": [name for name in activations for _ in zs],
    }


@st.cache_data(max_entries=256, show_spinner=False)
def curve(key: tuple, x: tuple) -> dict:
    """For the input x = (x1, x2) (a row of XOR's X, or any point): the "curves" (σ, and the hidden
    activation if it is not σ), the "marks" (``marks_columns`` with a drop line's "base" and a label
    height "ly" that alternates above and below the points in order of z, so neighbours do not overlap),
    the axes' "zdom" and "adom", the marked values as a "table" (value, z, activation, through) and
    whether "all_finite"."""
    net = MLP.from_key(key)
    marks = marks_columns(net, forward_point(net, *x))
    z, a, finite = marks["z"], marks["a"], marks["finite"]
    half = curve_range(z)
    lines = curves(("sigmoid",) if net.hidden == "sigmoid" else (net.hidden, "sigmoid"), half)
    a_min = min(float(lines["a"].min()), float(a[finite].min())) if finite.any() else float(lines["a"].min())
    a_max = max(float(lines["a"].max()), float(a[finite].max())) if finite.any() else float(lines["a"].max())
    lo_a = float(min(-0.05, np.floor(a_min * 10) / 10 - 0.05))
    hi_a = float(max(1.05, np.ceil(a_max * 10) / 10 + 0.05))
    order = np.argsort(z, kind="stable")
    offset = np.empty(len(z))
    offset[order] = np.where(np.arange(len(z)) % 2 == 0, 0.08, -0.08) * (hi_a - lo_a)
    marks["base"] = np.full(len(z), round(lo_a, 2))  # drop lines from each point down to the axis
    marks["ly"] = np.clip(np.where(np.isnan(a), 0.0, a) + offset, lo_a, hi_a)
    table = pa.table({"value": marks["name"], "z": z, "activation": a, "through": marks["curve"]})
    return {
        "curves": lines,
        "marks": marks,
        "zdom": [-half, half],
        "adom": [round(lo_a, 2), round(hi_a, 2)],
        "table": table,
        "all_finite": bool(finite.all()),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def plane(key: tuple) -> np.ndarray:
    """The output a2 over the input plane (PLANE_N × PLANE_N, indexed [x2, x1]): the clickable map."""
    return plane_values(MLP.from_key(key), PLANE_N)[1]


def row_point(row: int) -> tuple:
    """Row ``row`` of XOR's X as the point (x1, x2) ``curve`` takes."""
    return tuple(float(v) for v in XOR_X[row])


def warm() -> None:
    """Fill the caches the page's default view uses (the notes' network, input [1 0], normal mode)
    through the same cached functions; draws nothing, touches no session. Other inputs follow when a
    student first picks them."""
    try:
        data = curve(MLP.from_dict(notes_weights()).key(), row_point(DEFAULT_ROW))
        charts.curve_spec(data, False)
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page computes what is missing
        pass
