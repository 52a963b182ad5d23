"""The Forward pass page's words and formulas built from the live numbers: the arithmetic written
out as LaTeX, the activation's definition, broadcasting, the X @ W convention and the parameters as
matrices.

Numbers in the written-out arithmetic are rounded for reading (weights as typed, up to 3
decimals; z to 2 decimals and activations to 3, as in "z1[0] = … = 2.70 → σ(2.70) = 0.937");
every result is computed from the exact values by core.
"""

from __future__ import annotations

import numpy as np

from app.forward_text import TEX_ACT, aligned, hidden_lines, output_lines, tnum  # noqa: F401 - used by the page
from app.ui import fmt
from core import formulas as F
from core.activations import LEAKY_SLOPE
from core.decision import predicts_one
from core.forward_steps import NotesComparison
from core.mlp import MLP

# ----- definitions the page gives where the forward pass starts ------------------------------------
ACTIVATION_WORDS = (
    "Each neuron adds up its weighted inputs and its bias: that sum **z** is its **pre-activation**. Then it "
    "squashes z with its activation function. The notes use the **sigmoid** σ, which turns any number into "
    "one between 0 and 1, σ(0) = 0.5:"
)
_ACT_DEFS = {
    "tanh": r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "relu": r"\mathrm{ReLU}(z) = \max(0, z)",
    "leaky_relu": rf"\mathrm{{LReLU}}(z) = \max({LEAKY_SLOPE:g}\,z,\ z)",
    "linear": r"\mathrm{id}(z) = z",
}


def activation_definition(hidden: str) -> str:
    """σ(z) = 1/(1 + e^(−z)), and the hidden activation's own formula when it is not σ."""
    sigma = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    other = _ACT_DEFS.get(hidden)
    return sigma if other is None else sigma + r",\qquad " + other + r"\ \text{(hidden)}"


def broadcast_words(env: dict) -> str:
    """X @ W1 (N×h) plus the single row b1 (1×h): broadcasting, and db1 as its backward twin."""
    n, h = np.shape(env["z1"])
    plus = [s for s in F.shape_steps(F.FORWARD["z1"], env) if s.op == "+"][0]
    return (
        f"X @ W1 is {n}×{h}, one row per input, but b1 is a single row, 1×{h}. NumPy **broadcasts** it: the same "
        f"b1 is added to every row ({F.shape_text(plus.left)} + {F.shape_text(plus.right)} → "
        f"{F.shape_text(plus.result)}), so every input gets the same biases. The backward pass has the twin of "
        "this: because the one b1 reached every row, its gradient db1 adds dz1 up over the rows (Backpropagation "
        "page)."
    )


CONVENTIONS_WORDS = (
    "**Here, as in the notes:** one input per **row**. X is N×2 (inputs × features), W1 is **in × out** "
    "(2 inputs × h hidden neurons), and z1 = X @ W1 + b1 handles all N inputs in one product; row n of z1 "
    "belongs to input n.\n\n"
    "**Many textbooks** write one input as a **column** x (2×1) and z = W x + b, with W **out × in** (h×2): "
    "the same numbers transposed, W = W1ᵀ, and z is one row of z1 stood up as a column.\n\n"
    "**PyTorch's** nn.Linear(2, h) stores its weight like the textbooks, (out, in) = h×2, and for a batch of "
    "rows computes X @ weightᵀ + bias: the notes' formula with weightᵀ = W1. To copy this network's W1 into "
    "PyTorch, transpose it: W1ᵀ, the second matrix below, is the weight nn.Linear would hold."
)


def conventions_tex(net: MLP) -> str:
    """The current W1 (in × out, as here) beside W1ᵀ (out × in, as z = Wx + b and PyTorch store it)."""
    W1 = net.W[0]
    n_in, n_out = W1.shape
    return (  # one above the other: they fit a phone
        rf"\begin{{gathered}}\underset{{{n_in} \times {n_out}}}{{W_1}} = {bmatrix(W1)}"
        rf"\\[6pt] \underset{{{n_out} \times {n_in}}}{{W_1^{{\top}}}} = {bmatrix(W1.T)}\end{{gathered}}"
    )


def bmatrix(m: np.ndarray) -> str:
    rows = [" & ".join(tnum(v) for v in r) for r in np.atleast_2d(m)]
    return r"\begin{bmatrix}" + r"\\".join(rows) + r"\end{bmatrix}"


def param_matrices(net: MLP, stacked: bool) -> str:
    """W1, b1 on one line and W2, b2 on the next, as TeX matrices with their shapes underneath;
    ``stacked`` (presenter mode, whose larger maths must still fit a phone): one per line."""
    tex = []
    for name, m in net.to_dict().items():
        shape = r" \times ".join(map(str, m.shape))
        tex.append(rf"\underset{{{shape}}}{{{name[0]}_{name[1:]}}} = {bmatrix(m)}")
    if stacked:
        return r"\begin{gathered}" + r"\\[8pt]".join(tex) + r"\end{gathered}"
    return r"\begin{gathered}" + r",\;\; ".join(tex[:2]) + r"\\[8pt]" + r",\;\; ".join(tex[2:]) + r"\end{gathered}"


def notes_comparison(c: NotesComparison) -> str:
    """The notes' hand-rounded [1 0] beside the exact values (``c``: core.forward_steps.compare_with_notes)."""
    a1r = ", ".join(fmt(v, 2) for v in c.rounded.a1)
    why = (
        f"so the notes' {c.claim_z2} is a slip in the sum, not rounding"
        if c.z2_slip
        else "so the difference is only rounding"
    )
    preds = {int(predicts_one(c.exact.a2)), int(predicts_one(c.rounded.a2)), int(predicts_one(c.claim_a2))}
    same = preds.pop() if len(preds) == 1 else "not"
    return (
        f"**Exact vs the notes:** for [1 0] the notes write z2 = {c.claim_z2} → {c.claim_a2}; exactly, "
        f"z2 = {fmt(c.exact.z2, 3)} → a2 = {fmt(c.exact.a2, 3)}, and even from the notes' rounded "
        f"activations ({a1r}) z2 = {fmt(c.rounded.z2, 3)} → {fmt(c.rounded.a2, 3)} — {why}; "
        f"the prediction is {same} either way."
    )
