"""The Architecture page's own controls (keys ar_…, each its URL parameter)."""

from __future__ import annotations

import streamlit as st

from app import ui
from core.hidden_width import MAX_WIDTH, MIN_WIDTH


def width_slider(where, h0: int | None) -> int:
    """The hidden-layer width (ar_width), drawn in ``where``. It starts at the current network's width
    ``h0`` and follows it when the network changes (a link's own ar_width wins at the start)."""
    ss = st.session_state
    if h0 is not None and MIN_WIDTH <= h0 <= MAX_WIDTH:
        if ss.get("ar_net_width") is None and h0 != 2 and "ar_width" not in st.query_params:
            ss["ar_width"] = h0
        elif ss.get("ar_net_width") not in (None, h0):
            ss["ar_width"] = h0
        ss["ar_net_width"] = h0
    return ui.linked(
        where.slider,
        "Hidden neurons (width of the hidden layer)",
        MIN_WIDTH,
        MAX_WIDTH,
        2,
        key="ar_width",
        help="The notes use 2. Try 1 (too few for XOR) or more (enough, with spare neurons).",
    )


def neuron_sliders(defaults: tuple[float, float, float]) -> tuple[float, float, float]:
    """The single neuron's own weights u1, u2 and bias c (ar_u1, ar_u2, ar_c)."""
    u1_0, u2_0, c_0 = defaults
    u1 = ui.linked(st.slider, "u1 (weight of x1)", -10.0, 10.0, u1_0, 0.1, key="ar_u1")
    u2 = ui.linked(st.slider, "u2 (weight of x2)", -10.0, 10.0, u2_0, 0.1, key="ar_u2")
    c = ui.linked(st.slider, "c (bias)", -10.0, 10.0, c_0, 0.1, key="ar_c")
    return u1, u2, c
