"""Hidden features' "Before you look" checkpoints (app.predict): truths from the live network through core."""

from __future__ import annotations

from app import predict, state
from app.gate_text import GATE_CHOICES, gate_choice
from app.predict import Checkpoint, Truth
from app.ui import fmt
from core.data import ROW_LABELS, X, y
from core.decision import predicts_one, wrong
from core.gates import read_hidden
from core.mlp import MLP

RETRY = ("Try again with a new random network", state.try_new_network)


def hidden1_gate(key: tuple) -> Truth:
    r = read_hidden(MLP.from_key(key))[0]
    on = ", ".join(ROW_LABELS[i] for i, bit in enumerate(r.table) if bit) or "no input"
    shown = r.name + ("" if r.gate_like else " (not a clean gate)")
    return Truth(
        gate_choice(r.name),
        shown,
        f"Hidden1 is on where its z1 > 0: for {on}. That on/off pattern is {r.name}.  \n"
        "See “What did the hidden neurons learn?”: the gate names under the table, and Hidden1's line below.",
    )


def inputs_right(key: tuple) -> Truth:
    a2 = MLP.from_key(key).forward(X).a[2][:, 0]
    n = int(len(a2) - wrong(a2, y[:, 0]).sum())
    says = " ".join(str(int(v)) for v in predicts_one(a2))
    return Truth(
        n,
        f"{n} of {len(a2)}",
        f"A prediction is 1 when a2 > 0.5: a2 = {', '.join(fmt(v) for v in a2)} says {says}; XOR is 0 1 1 0.  \n"
        "See the Output and Expected columns of the table, and which side of the 0.5 line each point lies on.",
    )


def build(net: MLP) -> dict[str, Checkpoint]:
    key = net.key()
    return {
        "gate": Checkpoint(
            "hf_gate1",
            "which gate will Hidden1 be? (It is on for an input when its pre-activation z1 is above 0.)",
            predict.CHOICE,
            hidden1_gate,
            key,
            key,
            options=GATE_CHOICES,
            retry=RETRY,
        ),
        "right": Checkpoint(
            "hf_right",
            f"on how many of the {len(X)} inputs will this network's prediction be right?",
            predict.NUMBER,
            inputs_right,
            key,
            key,
            lo=0,
            hi=len(X),
            retry=RETRY,
        ),
    }
