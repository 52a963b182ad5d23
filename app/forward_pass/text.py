"""The Forward pass page's words and formulas built from the live numbers: the arithmetic written
out as LaTeX, the activation's definition, broadcasting, the X @ W convention and the parameters as
matrices.

Numbers in the written-out arithmetic are rounded for reading (weights as typed, up to 3
decimals; z to 2 decimals and activations to 3, as in "z1[0] = … = 2.70 → σ(2.70) = 0.937");
every result is computed from the exact values by core.
"""

from __future__ import annotations

import numpy as np

from app.ui import fmt, paren, tval
from core import formulas as F
from core.activations import LEAKY_SLOPE
from core.decision import predicts_one
from core.forward_steps import ForwardRow, NotesComparison
from core.mlp import MLP

TEX_ACT = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "leaky_relu": r"\mathrm{LReLU}"}
TEX_ACT["linear"] = r"\mathrm{id}"


# ----- numbers as TeX ----------------------------------------------------------------------------------
def tnum(v: float, digits: int = 3) -> str:
    """A parameter as typed: up to ``digits`` decimals, trailing zeros dropped (5.2, −7.1, 0.335)."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{NaN}")
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def hidden_lines(net: MLP, step: ForwardRow) -> list[list[str]]:
    """Per hidden neuron j, two TeX lines (narrow enough for a phone):
    z1[j] = W1[0,j]·x1 + W1[1,j]·x2 + b1[j]  /  = z → act(z) = a1[j]."""
    act = TEX_ACT.get(net.hidden, net.hidden)
    W1, b1 = net.W[0], net.b[0]
    out = []
    for j in range(W1.shape[1]):
        prods = [f"{paren(tnum(W1[i, j]))}\\cdot {tnum(step.x[i], 0)}" for i in range(W1.shape[0])]
        rhs = " + ".join(prods + [paren(tnum(b1[0, j]))])
        z, a = step.z1[j], step.a1[j]
        out.append(
            [
                rf"z_1[{j}] &= {rhs}",
                rf"&= {tval(z, 2)} \rightarrow {act}({tval(z, 2)}) = \mathbf{{{tval(a)}}}",
            ]
        )
    return out


def output_lines(net: MLP, step: ForwardRow, per_line: int = 2) -> list[str]:
    """z2 = a1[0]·W2[0] + a1[1]·W2[1] + … + b2, wrapped after ``per_line`` terms, then = z2 → σ(z2) = a2."""
    W2, b2 = net.W[1], net.b[1]
    prods = [f"{tval(step.a1[j])}\\cdot {paren(tnum(W2[j, 0]))}" for j in range(W2.shape[0])]
    prods.append(paren(tnum(b2[0, 0])))
    chunks = [" + ".join(prods[i : i + per_line]) for i in range(0, len(prods), per_line)]
    lines = [f"z_2 &= {chunks[0]}"] + [f"&\\quad + {c}" for c in chunks[1:]]
    z2 = tval(step.z2, 2)
    lines.append(rf"&= {z2} \rightarrow \sigma({z2}) = \mathbf{{{tval(step.a2)}}}")
    return lines


def aligned(lines: list[str], size: str = r"\large") -> str:
    return size + r"\begin{aligned}" + r"\\[4pt]".join(lines) + r"\end{aligned}"


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
