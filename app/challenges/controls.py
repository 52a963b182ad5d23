"""The Challenges chapter's widgets: keys prefixed ch_, bound to the address (a solved challenge's link)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from app import ui
from app.challenges.run import WHY
from app.names import ACTIVATION_NAMES, INITIALISER_NAMES

STUCK_INITS = ("xavier_uniform", "zeros", "normal")
SIGMAS = (1.0, 5.0, 10.0)
XOR_RATES = (0.1, 0.5, 1.0, 2.0, 5.0)
DIGIT_ACTS = ("relu", "tanh", "sigmoid")
DIGIT_RATES = (0.05, 0.1, 0.2, 0.5)


SHOWN = {"ch_st_init": INITIALISER_NAMES, "ch_dg_act": ACTIVATION_NAMES}  # a choice travels as the text it shows


LABELS = {  # every setting a challenge's link carries: the label its control shows
    "net": "the network's 9 numbers",
    "ch_rate": "Learning rate",
    "ch_st_w": "Hidden neurons",
    "ch_st_init": "Start",
    "ch_st_sigma": "σ of the normal start",
    "ch_st_lr": "Learning rate",
    "ch_st_seed": "Seed",
    "ch_st_why": "Why",
    "ch_fw_w": "Hidden neurons",
    "ch_fw_lr": "Learning rate",
    "ch_fw_seed": "Seed",
    "ch_dg_w": "Hidden neurons h",
    "ch_dg_act": "Hidden activation",
    "ch_dg_lr": "Learning rate",
    "ch_dg_ep": "Epochs",
    "ch_dg_seed": "Seed",
}


def _shown(values: dict) -> dict:
    return {k: SHOWN[k][v] if k in SHOWN else v for k, v in values.items() if v is not None}


def link(values: dict) -> str:
    """The address that reopens this page with these settings."""
    return "/challenges?" + urlencode(_shown(values))


def link_label(values: dict) -> str:
    """The settings in words, for the link's text."""
    return " · ".join(LABELS[k] if k == "net" else f"{LABELS[k]}: {v}" for k, v in _shown(values).items())


def rate() -> dict:
    r = ui.linked(st.number_input, LABELS["ch_rate"], 0.01, 1000.0, 10.0, 1.0, format="%.2f", key="ch_rate")
    return {"ch_rate": float(r)}


def seed(key: str) -> int:
    return int(ui.linked(st.number_input, "Seed", 0, 10_000, 0, 1, key=key))


def stuck() -> dict:
    c1, c2 = st.columns(2)
    with c1:
        width = ui.linked(st.slider, LABELS["ch_st_w"], 1, 4, 2, key="ch_st_w")
        init = ui.linked(
            st.selectbox, LABELS["ch_st_init"], STUCK_INITS, format_func=INITIALISER_NAMES.get, key="ch_st_init"
        )
        sigma = (
            ui.linked(st.select_slider, LABELS["ch_st_sigma"], SIGMAS, 1.0, key="ch_st_sigma")
            if init == "normal"
            else 1.0
        )
    with c2:
        lr = ui.linked(st.select_slider, LABELS["ch_st_lr"], XOR_RATES, 1.0, key="ch_st_lr")
        s = seed("ch_st_seed")
    why = ui.linked(st.radio, "Why does it get stuck?", WHY, key="ch_st_why")
    return {"ch_st_w": width, "ch_st_init": init, "ch_st_sigma": sigma if init == "normal" else None,
            "ch_st_lr": lr, "ch_st_seed": s, "ch_st_why": why}  # fmt: skip


def fewest() -> dict:
    c1, c2, c3 = st.columns(3)
    with c1:
        width = ui.linked(st.slider, LABELS["ch_fw_w"], 1, 8, 4, key="ch_fw_w")
    with c2:
        lr = ui.linked(st.select_slider, LABELS["ch_fw_lr"], XOR_RATES, 1.0, key="ch_fw_lr")
    with c3:
        s = seed("ch_fw_seed")
    return {"ch_fw_w": width, "ch_fw_lr": lr, "ch_fw_seed": s}


def digits() -> dict:
    c1, c2 = st.columns(2)
    with c1:
        width = ui.linked(st.slider, LABELS["ch_dg_w"], 1, 32, 32, key="ch_dg_w")
        act = ui.linked(
            st.selectbox, LABELS["ch_dg_act"], DIGIT_ACTS, format_func=ACTIVATION_NAMES.get, key="ch_dg_act"
        )
    with c2:
        lr = ui.linked(st.select_slider, LABELS["ch_dg_lr"], DIGIT_RATES, 0.1, key="ch_dg_lr")
        epochs = ui.linked(st.slider, LABELS["ch_dg_ep"], 5, 40, 20, key="ch_dg_ep")
    s = seed("ch_dg_seed")
    return {"ch_dg_w": width, "ch_dg_act": act, "ch_dg_lr": lr, "ch_dg_ep": epochs, "ch_dg_seed": s}
