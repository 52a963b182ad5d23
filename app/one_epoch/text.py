"""The One-epoch page's words and formulas, built from the epoch's numbers (core.one_epoch)."""

from __future__ import annotations

import numpy as np

from app.diagram import ACT_SYMBOL
from app.ui import fmt, sci, tval
from core.data import ROW_LABELS, y
from core.one_epoch import PHASES, Epoch

INTRO = (
    "One epoch of gradient descent, one phase at a time: the four XOR inputs go **forward** through the "
    "network, the **loss** measures how wrong the outputs are, the error flows **backward** into a gradient "
    "for every weight and bias, and the **update** moves each of them a small step against its gradient. "
    "Step through the phases, or press Play."
)
TITLES = dict(zip(PHASES, ("1 · Forward", "2 · Loss", "3 · Backward", "4 · Update")))
COLOURS = (
    "Red solid edges are positive weights, blue dashed negative; thicker is larger. Faded parts take no part in "
    "this phase."
)
OUT_OF_SCOPE = "This page cannot step through this network: {problem}. Pick another network in the side panel."
NOT_FINITE = (
    "This learning rate makes the step overflow: some numbers of the update are not finite. "
    "Choose a smaller learning rate."
)


def num(v: float) -> str:
    """A number on the diagram: 3 decimals, or 3 significant digits when it is tiny (a gradient)."""
    v = float(v)
    if np.isfinite(v) and v != 0 and abs(v) < 0.01:
        return sci(v).replace("-", "−")
    return fmt(v, 3)


def arrow(before: float, after: float) -> str:
    """A parameter's move on the diagram, two short lines (a phone's diagram is narrow)."""
    return f"{fmt(before, 3)}\n→ {fmt(after, 3)}"


def gradient(v: float) -> str:
    """A weight's gradient on its edge."""
    return f"dW\n{num(v)}"


def target(row: int) -> str:
    return f"{y[row, 0]:g}"


def follow_caption(row: int) -> str:
    x = ROW_LABELS[row]
    return f"The diagram follows the input **x = {x}** (target y = {target(row)}); the tables show all four."


def formulas(phase: str, hidden: str, lr: float) -> str:
    """The phase's formulas (LaTeX), the notes' names; f is the hidden activation."""
    f = "\\sigma" if hidden == "sigmoid" else "f"
    return {
        "forward": (
            rf"\begin{{aligned}} z_1 &= X W_1 + b_1, & a_1 &= {f}(z_1) \\ z_2 &= a_1 W_2 + b_2, & a_2 &= \sigma(z_2)"
            r"\end{aligned}"
        ),
        "loss": (
            r"\begin{aligned} L &= \tfrac{1}{N}\textstyle\sum_n \ell_n \\ "
            r"\ell_n &= -\,y_n \log a_{2,n} \\ &\quad - (1 - y_n)\log(1 - a_{2,n}) \end{aligned}"
        ),
        "backward": (
            r"\begin{aligned} dz_2 &= a_2 - y \\ dW_2 &= \tfrac{1}{N} a_1^{\top} dz_2 \\ "
            r"db_2 &= \tfrac{1}{N}\textstyle\sum_n dz_2 \\ "
            rf"dz_1 &= (dz_2 W_2^{{\top}}) \odot {f}'(z_1) \\ "
            r"dW_1 &= \tfrac{1}{N} X^{\top} dz_1 \\ db_1 &= \tfrac{1}{N}\textstyle\sum_n dz_1 \end{aligned}"
        ),
        "update": (
            rf"\begin{{aligned}} W &\leftarrow W - {tval(lr, 3)}\cdot dW \\ b &\leftarrow b - {tval(lr, 3)}\cdot db"
            r"\end{aligned}"
        ),
    }[phase]


def activation_note(hidden: str) -> str:
    if hidden == "sigmoid":
        return ""
    return f"Here the hidden activation f is {ACT_SYMBOL.get(hidden, hidden)}."


def words(phase: str, ep: Epoch, row: int, losses: np.ndarray) -> str:
    """What this phase did, in plain words with its numbers for the followed input."""
    f, b = ep.forward, ep.backward
    x = ROW_LABELS[row]
    if phase == "forward":
        return (
            f"Input {x} enters on the left. Each hidden neuron adds up its weighted inputs and its bias (z1) and "
            f"squashes the sum (a1); the output neuron does the same with the hidden outputs: "
            f"z2 = {num(f['z2'][row, 0])}, so the network predicts **a2 = {num(f['a2'][row, 0])}** "
            f"where the answer is {target(row)}."
        )
    if phase == "loss":
        return (
            f"For input {x} the prediction {num(f['a2'][row, 0])} against the target {target(row)} costs "
            f"**{num(losses[row])}**. The epoch's loss L is the mean over the four inputs: **{fmt(ep.loss, 4)}**."
        )
    if phase == "backward":
        return (
            f"The error starts at the output: dz2 = a2 − y = **{num(b['dz2'][row, 0])}** for input {x}. It flows "
            "back along the edges: each weight's gradient dW says how much the loss would rise if that weight grew. "
            "dz is this input's; dW and db average all four inputs' shares (÷ N). Every gradient uses the old "
            "weights: nothing has moved yet."
        )
    return (
        f"Now every weight and bias moves at once, by −lr·gradient with lr = {fmt(ep.lr, 3)}. With the new "
        f"weights the loss goes from **{fmt(ep.loss, 4)}** to **{fmt(ep.loss_after, 4)}**."
    )


def description(phase: str, ep: Epoch, row: int, losses: np.ndarray) -> str:
    """The diagram's text alternative."""
    f, b = ep.forward, ep.backward
    x = ROW_LABELS[row]
    lead = f"Network diagram, phase {TITLES[phase]}, input {x}: "
    if phase == "forward":
        return lead + f"z2 = {num(f['z2'][row, 0])}, output a2 = {num(f['a2'][row, 0])}."
    if phase == "loss":
        return lead + f"output {num(f['a2'][row, 0])}, target {target(row)}, this input's loss {num(losses[row])}."
    if phase == "backward":
        return lead + f"dz2 = {num(b['dz2'][row, 0])}; every edge labelled with its gradient dW."
    return lead + f"every weight labelled old → new; loss {fmt(ep.loss, 4)} → {fmt(ep.loss_after, 4)}."


def loss_change(ep: Epoch) -> str:
    """The next epoch's loss beside the old one, as a metric's delta (an ASCII sign: Streamlit reads
    it to choose the arrow)."""
    return f"{ep.loss_after - ep.loss:+.4f}"
