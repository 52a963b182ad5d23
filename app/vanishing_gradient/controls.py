"""The Vanishing-gradient page's controls. Every key starts with ``vg_`` and is the control's URL parameter."""

from __future__ import annotations

import streamlit as st

from app import initialisers, ui
from app.names import ACTIVATION_NAMES, DATASET_HELP, DATASET_NAMES, FLOW_INIT_NAMES, PRESET_NAMES
from app.vanishing_gradient import run
from core.flow import DATASETS, FLOW_ACTIVATIONS, INIT_CHOICES, PRESETS, matching_preset

RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
CUSTOM = "custom"
ACTS = list(FLOW_ACTIVATIONS)
INITS = list(INIT_CHOICES)


def derivative() -> tuple[float, int]:
    """z and the number of layers n for the derivatives section."""
    c1, c2 = st.columns(2)
    z = ui.linked(c1.slider, "z (a unit's pre-activation)", -8.0, 8.0, run.DERIV_DEFAULT["z"], 0.1, key="vg_z")
    n = ui.linked(c2.slider, "layers n", 1, 30, run.DERIV_DEFAULT["n"], key="vg_n")
    return float(z), int(n)


def _apply_preset() -> None:
    ss = st.session_state
    key = ss.get("vg_preset")
    if key in PRESETS:
        for k, v in PRESETS[key].items():
            ss[f"vg_{k}"] = v


def explorer(controls_box, preset_box) -> tuple:
    """The explorer's settings (run.explorer_cfg), its controls drawn in ``controls_box`` and the preset
    box (which follows the controls: "custom" when they match no preset) in ``preset_box``."""
    E = run.EXPLORER_DEFAULT
    with controls_box:
        c = st.columns(3)
        depth = ui.linked(c[0].slider, "Hidden layers", 1, 30, E["depth"], key="vg_depth")
        width = ui.linked(c[1].slider, "Width (units per hidden layer)", 2, 128, E["width"], key="vg_width")
        seed = ui.linked(c[2].number_input, "Seed", 0, 10_000, E["seed"], 1, key="vg_seed")
        c = st.columns(3)
        act = ui.linked(
            c[0].selectbox, "Activation", ACTS, ACTS.index(E["act"]), format_func=ACTIVATION_NAMES.get, key="vg_act"
        )
        init = ui.linked(
            c[1].selectbox, "Initialiser", INITS, INITS.index(E["init"]), format_func=FLOW_INIT_NAMES.get, key="vg_init"
        )
        sets = list(DATASETS)
        data = ui.linked(
            c[2].selectbox,
            "Data",
            sets,
            sets.index(E["data"]),
            format_func=DATASET_NAMES.get,
            key="vg_data",
            help=DATASET_HELP,
        )
        initialisers.explain(INIT_CHOICES[init][0], sorted({name for name, _ in INIT_CHOICES.values()}))
    st.session_state["vg_preset"] = matching_preset(depth, width, act, init) or CUSTOM
    with preset_box:
        st.selectbox(
            "Preset: classic pairs of activation and initialiser",
            [CUSTOM, *PRESETS],
            format_func=lambda k: "— your own settings —" if k == CUSTOM else PRESET_NAMES[k],
            key="vg_preset",
            on_change=_apply_preset,
            help="Sets layers, width, activation and initialiser; data and seed stay as they are.",
        )
    return run.explorer_cfg(depth, width, act, init, data, seed)


def layer(depth: int) -> int:
    """The hidden layer to look inside (no slider when there is only one)."""
    if depth <= 1:
        return 1
    if st.session_state.get("vg_layer", 1) > depth:
        st.session_state["vg_layer"] = int(depth)
    return int(ui.linked(st.slider, "Hidden layer to look inside", 1, int(depth), 1, key="vg_layer"))


def training() -> dict[str, tuple]:
    """The two networks' settings (run.train_cfg): shared width, epochs and seed, then A and B side by side."""
    T = run.TRAIN_DEFAULT
    c = st.columns(3)
    width = ui.linked(c[0].slider, "Width (both)", 2, 32, T["width"], key="vg_tr_width")
    epochs = ui.linked(c[1].slider, "Epochs (both)", 500, 5000, T["epochs"], 500, key="vg_tr_epochs")
    seed = ui.linked(c[2].number_input, "Seed (both)", 0, 10_000, T["seed"], 1, key="vg_tr_seed")
    configs = {}
    for side, col in zip("ab", st.columns(2)):
        d_depth, d_act, d_init, d_lr = run.NETWORK_DEFAULT[side]
        with col, st.container(border=True):
            st.markdown(f"**Network {side.upper()}**")
            cc = st.columns(2)
            depth = ui.linked(cc[0].slider, "Hidden layers", 1, 20, d_depth, key=f"vg_{side}_depth")
            lr = ui.linked(cc[1].select_slider, "Learning rate", RATES, d_lr, key=f"vg_{side}_lr")
            cc = st.columns(2)
            act = ui.linked(
                cc[0].selectbox,
                "Activation",
                ACTS,
                ACTS.index(d_act),
                format_func=ACTIVATION_NAMES.get,
                key=f"vg_{side}_act",
            )
            init = ui.linked(
                cc[1].selectbox,
                "Initialiser",
                INITS,
                INITS.index(d_init),
                format_func=FLOW_INIT_NAMES.get,
                key=f"vg_{side}_init",
            )
        configs[side] = run.train_cfg(depth, width, act, init, lr, epochs, seed)
    return configs
