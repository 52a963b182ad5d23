"""The Backpropagation page's own controls (keys bp_…, each also the setting's URL parameter) and
section 6's walk of gradient-descent steps, kept per session under ``bp_walk``."""

from __future__ import annotations

import streamlit as st

from app import ui
from app.backprop import text as bt
from core import backprop_ledger as bl
from core.data import ROW_LABELS, X, y
from core.mlp import MLP


def loss(where) -> str:
    """The loss the page explains, "bce" or "mse" (drawn in ``where``)."""
    chosen = ui.linked(
        where.segmented_control,
        "Loss",
        list(bt.LOSS_CHOICES),
        default="bce",
        required=True,
        format_func=bt.LOSS_CHOICES.get,
        key="bp_loss",
        help="BCE is the loss the notes use: with it, dz2 = a2 − y. MSE adds the factor σ'(z2).",
    )
    return chosen


def step(where) -> str:
    """The backward-pass line explained, one of core.backprop_ledger.STEPS (drawn in ``where``)."""
    chosen = ui.linked(
        where.segmented_control,
        "Step explained",
        list(bl.STEPS),
        default="dz2",
        required=True,
        key="bp_step",
        help="Highlights this step in the diagram and in the ledger below.",
    )
    return chosen


def row(n: int) -> int:
    """The input of sections 2–4, an index into the ``n`` XOR inputs."""
    chosen = ui.linked(
        st.segmented_control,
        "Input",
        list(range(n)),
        default=2,
        required=True,
        format_func=ROW_LABELS.__getitem__,
        key="bp_row",
        help="One of the four XOR inputs; its row is highlighted in every table below.",
    )
    return chosen


# ----- 6 · one gradient-descent step at a time (per session) ---------------------------------------
def walk(net: MLP) -> dict:
    """This session's walk from ``net``: {"start", "params", "steps", "last"}; a new network starts over."""
    start = net.key()
    w = st.session_state.get("bp_walk")
    if w is None or w.get("start") != start:
        w = {"start": start, "params": net.to_dict(), "steps": 0, "last": None}
        st.session_state["bp_walk"] = w
    return w


def take_step(w: dict, hidden: str, lr: float, loss: str) -> None:
    """One step from where the walk is; a step that overflows is recorded but not applied."""
    rec, new = bl.gd_step(MLP.from_dict(w["params"], hidden), X, y, lr, loss)
    w["last"] = rec
    if rec.finite:
        w["params"], w["steps"] = new.to_dict(), w["steps"] + 1


def reset(w: dict, net: MLP) -> None:
    w.update(params=net.to_dict(), steps=0, last=None)


def descent(net: MLP, led: bl.Ledger) -> tuple[dict, float]:
    """The learning rate and the two step buttons in one row; (this session's walk after any
    press, the learning rate)."""
    w = walk(net)
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    lr = ui.linked(
        c1.number_input,
        "Learning rate lr",
        min_value=0.001,
        max_value=1000.0,
        value=0.5,
        step=0.5,
        format="%.3f",
        key="bp_lr",
        help="Small steps lower the loss a little; very large ones overshoot.",
    )
    if c2.button("Take one step", key="bp_go", type="primary", icon=":material/arrow_downward:", width="stretch"):
        take_step(w, led.hidden, lr, led.loss_name)
    if c3.button("Reset", key="bp_reset", icon=":material/restart_alt:", width="stretch"):
        reset(w, net)
    return w, float(lr)
