"""The Two-runs page's controls: where both runs start, and each run's settings (in the side panel),
and the one epoch control that replays both runs. Every key starts with ``cmp_`` and is bound to the
link (``cmp_lr_a``, ``cmp_lr_b``, …), so a teacher shares a comparison by its address. The defaults
come from ``app.two_runs.run.DEFAULTS``, so the default render is the one ``warm()`` computes."""

from __future__ import annotations

import streamlit as st

from app import initialisers, ui
from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, LOSS_NAMES, SCHEDULE_NAMES
from app.two_runs.run import ACTS, DEFAULTS, RATES, STARTS
from app.two_runs.text import START_NAMES, rate_text
from core.init import INITIALISERS
from core.schedules import SCHEDULES

EPOCH = "cmp_epoch"
_END = "_cmp_epoch_end"  # the last epoch of the runs shown before (a slider left there follows the end)


def _choice(label: str, options: list, default, names: dict, key: str):
    return ui.linked(st.selectbox, label, options, options.index(default), format_func=names.get, key=key)


def run_setting(name: str, start: str) -> dict:
    """One run's settings (name "a" or "b"); the initialiser only when the start is a random seed."""
    d = DEFAULTS[name]
    s = {
        "lr": float(
            ui.linked(st.select_slider, "Learning rate", RATES, d["lr"], format_func=rate_text, key=f"cmp_lr_{name}")
        ),
        "sched": _choice("Schedule", list(SCHEDULES), d["sched"], SCHEDULE_NAMES, f"cmp_sched_{name}"),
        "loss": _choice("Loss", ["bce", "mse"], d["loss"], LOSS_NAMES, f"cmp_loss_{name}"),
        "act": _choice("Hidden activation", ACTS, d["act"], ACTIVATION_NAMES, f"cmp_act_{name}"),
        "init": d["init"],
    }
    if start == "seed":
        s["init"] = _choice("Initialiser", list(INITIALISERS), d["init"], INITIALISER_NAMES, f"cmp_init_{name}")
    return s


def settings() -> tuple[str, int, int, dict, dict]:
    """Draw the side panel's controls; return (start, seed, epochs, setting A, setting B)."""
    d = DEFAULTS
    with st.sidebar:
        st.subheader("Both runs")
        start = _choice("Start from", STARTS, d["start"], START_NAMES, "cmp_start")
        seed = d["seed"]
        if start == "seed":
            seed = int(ui.linked(st.number_input, "Seed", 0, 2**31 - 1, d["seed"], 1, key="cmp_seed"))
        elif start == "shared":
            st.caption("The network chosen on the other pages (Network, in the side panel there).")
        epochs = int(ui.linked(st.slider, "Epochs", 100, 20000, d["epochs"], 100, key="cmp_epochs"))
        settings = {}
        for name in ("a", "b"):
            st.subheader(f"Run {name.upper()}")
            settings[name] = run_setting(name, start)
        if start == "seed":
            initialisers.explain()  # once for both initialiser controls
    return start, seed, epochs, settings["a"], settings["b"]


def epoch(epochs: list[int]) -> int:
    """The one epoch control that replays both runs; its value on this run of the page. A link's
    ?cmp_epoch= counts on the first visit; an epoch these runs have no frame for, or a slider left at the
    end of the runs shown before, becomes the last epoch."""
    ss = st.session_state
    current = ss.get(EPOCH)
    if current is None:
        link = st.query_params.get(EPOCH, "")
        ok = link.isascii() and link.isdigit() and int(link) in epochs
        current = int(link) if ok else epochs[-1]
    elif current not in epochs or current == ss.get(_END):
        current = epochs[-1]
    ss[_END] = epochs[-1]
    if ss.get(EPOCH) != current:
        ss[EPOCH] = current
    return int(
        ui.linked(
            st.select_slider,
            "Epoch (moves both runs)",
            epochs,
            key=EPOCH,
            help="Both boundaries and both markers on the loss chart show this epoch.",
        )
    )
