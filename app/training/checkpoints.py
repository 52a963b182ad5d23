"""Training's "Before you look" checkpoints (app.predict): truths from the page's own run (core.train)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import predict
from app.gate_text import GATE_CHOICES, gate_choice
from app.predict import Checkpoint, Truth
from app.training.run import solved_at
from app.training.text import describe
from app.ui import fmt
from core.data import ROW_LABELS
from core.gates import read_hidden
from core.train import SOLVED_LOSS


def next_seed() -> None:
    """ "Try again": the same settings from the next random seed (this chapter's own seed control)."""
    st.session_state["tr_seed"] = int(st.session_state.get("tr_seed", 0)) + 1


RETRY = ("Try again with the next seed", next_seed)


def solves(hist) -> Truth:
    at = solved_at(hist)
    said = predict.YES_NO[0] if at is not None else predict.YES_NO[1]
    shown = f"{said}: solved at epoch {at:,}" if at is not None else f"{said}: final loss {fmt(hist.loss[-1], 4)}"
    return Truth(
        said,
        shown,
        f"Solved means all four outputs on the right side of 0.5 and the loss below {SOLVED_LOSS:g}; "
        f"after {hist.epochs_run:,} epochs the loss is {fmt(hist.loss[-1], 4)}.  \n"
        "See the loss and accuracy curves below, and the numbers above them.",
    )


def hidden2_gate(hist) -> Truth:
    net = hist.final
    if not net.is_finite():
        why = "The weights stopped being finite numbers.  \nSee the message about the blow-up above the curves."
        return Truth(GATE_CHOICES[-1], "no gate: the run overflowed", why)
    r = read_hidden(net)[1]
    on = ", ".join(ROW_LABELS[i] for i, bit in enumerate(r.table) if bit) or "no input"
    return Truth(
        gate_choice(r.name),
        r.name + ("" if r.gate_like else " (not a clean gate)"),
        f"After training, Hidden2 is on (z1 > 0) for {on}: {r.name}. Which split of XOR a run finds depends on "
        "its random start.  \nSee “Replay the run” at the last epoch: the hidden neurons' table and gate names.",
    )


def build(cfg: dict, lr: float, hist) -> dict[str, Checkpoint]:
    key = (describe(cfg, lr), repr(sorted(cfg.items())), float(lr))
    cps = {
        "solves": Checkpoint(
            "tr_solves",
            f"will this run solve XOR within {cfg['epochs']:,} epochs?",
            predict.CHOICE,
            solves,
            hist,
            key,
            options=predict.YES_NO,
            retry=RETRY,
        )
    }
    if np.shape(hist.final.W[0])[1] >= 2:
        cps["gate"] = Checkpoint(
            "tr_gate2",
            "which gate will Hidden2 be after training? (On for an input when its z1 is above 0.)",
            predict.CHOICE,
            hidden2_gate,
            hist,
            key,
            options=GATE_CHOICES,
            retry=RETRY,
        )
    return cps
