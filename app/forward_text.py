"""The forward pass of one input written out with every number substituted, as LaTeX: per hidden
neuron z1[j] = W1[0,j]·x1 + W1[1,j]·x2 + b1[j] → act(z1[j]) = a1[j], then z2 → σ(z2) = a2. Shared by
every page that shows one input's arithmetic (Forward pass for the four XOR rows and any point, Hidden
features for a probed point).

Numbers are rounded for reading (weights and inputs as typed, up to 3 decimals; z to 2 decimals and
activations to 3, as in "z1[0] = … = 2.70 → σ(2.70) = 0.937"); every result is computed from the exact
values by core.
"""

from __future__ import annotations

import numpy as np

from app.ui import paren, tval
from core.forward_steps import ForwardRow
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


def hidden_lines(net: MLP, step: ForwardRow, per_line: int | None = None) -> list[list[str]]:
    """Per hidden neuron j, two TeX lines (narrow enough for a phone):
    z1[j] = W1[0,j]·x1 + W1[1,j]·x2 + b1[j]  /  = z → act(z) = a1[j]. ``per_line``: the sum wrapped
    after that many terms (as ``output_lines`` does), for weights with three decimals on a phone."""
    act = TEX_ACT.get(net.hidden, net.hidden)
    W1, b1 = net.W[0], net.b[0]
    out = []
    for j in range(W1.shape[1]):
        prods = [f"{paren(tnum(W1[i, j]))}\\cdot {tnum(step.x[i])}" for i in range(W1.shape[0])]
        terms = prods + [paren(tnum(b1[0, j]))]
        n = per_line or len(terms)
        chunks = [" + ".join(terms[i : i + n]) for i in range(0, len(terms), n)]
        z, a = step.z1[j], step.a1[j]
        out.append(
            [rf"z_1[{j}] &= {chunks[0]}"]
            + [f"&\\quad + {c}" for c in chunks[1:]]
            + [rf"&= {tval(z, 2)} \rightarrow {act}({tval(z, 2)}) = \mathbf{{{tval(a)}}}"]
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
