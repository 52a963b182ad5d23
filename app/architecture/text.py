"""The Architecture page's words built from numbers: the width caption, the parameter table, the
single neuron's pair sums as LaTeX, and what each hidden neuron acts like."""

from __future__ import annotations

import pandas as pd

from app import gate_text as gt
from app.forward_text import tnum
from app.ui import fmt, paren, tval
from core.gates import read_hidden
from core.hidden_width import Resized, param_count
from core.linear_sep import neuron_z, pair_sums
from core.mlp import MLP

# What each tensor of the network does, for the parameter table.
WHAT = {
    "W1": "how strongly each input pushes each hidden neuron",
    "b1": "each hidden neuron's own offset (where its line sits)",
    "W2": "how much each hidden neuron counts towards the output",
    "b2": "the output neuron's offset",
}


def resize_caption(resized: Resized, width: int, h0: int | None) -> str:
    """Where the drawn network's hidden neurons come from."""
    if resized.added == 0 and resized.dropped == 0:
        return f"Drawn from the current network: its {width} hidden neuron{'s' * (width > 1)} as they are."
    if resized.added:
        return (
            f"Hidden neurons 1–{resized.kept} are the current network's; neurons {resized.kept + 1}–{width} are new, "
            "drawn from a Xavier-uniform initialisation (seed 0) with bias 0 — untrained, so their weights are small."
        )
    return (
        f"Hidden neurons 1–{width} of the current network's {h0}; "
        f"the other {resized.dropped} are left out (with their weights to the output)."
    )


def export_note(resized: Resized, width: int, h0: int | None) -> str:
    """Which network the Take-it-home files hold: the one drawn on this page, at the width slider's width."""
    drawn = f"These files hold the 2-{width}-1 network drawn on this page"
    if resized.added == 0 and resized.dropped == 0:
        return f"{drawn}, the current network as it is."
    if resized.added:
        new = f"neuron {width} is" if resized.added == 1 else f"neurons {resized.kept + 1}–{width} are"
        return (
            f"{drawn} (hidden-width slider at {width}): hidden neurons 1–{resized.kept} are the current network's, "
            f"{new} new and untrained. The current network itself has {h0}."
        )
    kept = "hidden neuron 1" if width == 1 else f"hidden neurons 1–{width}"
    return f"{drawn} (hidden-width slider at {width}): {kept} of the current network's {h0}."


def param_table(net: MLP, width: int) -> pd.DataFrame:
    """Tensor, shape, count and what it does, with the total 4h + 1."""
    rows = [(p.name, "×".join(map(str, p.shape)), p.count, WHAT.get(p.name, p.role)) for p in net.param_table()]
    table = pd.DataFrame(rows, columns=["Tensor", "Shape", "Count", "What it does"])
    table.loc[len(table)] = ["Total", "", net.n_params, f"4h + 1 with h = {width}"]
    return table


def count_line(width: int) -> str:
    return f"4·{width} + 1 = **{param_count(width)}** parameters"


def shapes_caption(width: int) -> str:
    return (
        f"W1 is 2×{width} = {2 * width}, b1 is 1×{width} = {width}, W2 is {width}×1 = {width}, b2 is 1×1 = 1. "
        "The notes' network (h = 2) has 9."
    )


def pair_sums_tex(u1: float, u2: float, c: float, present: bool) -> str:
    """z[0 1] + z[1 0] and z[0 0] + z[1 1], each written out with the neuron's own u1, u2, c and its
    numbers: the two sums are always equal (\\large normally; presenter mode already enlarges maths
    and must fit a phone)."""
    z = neuron_z(u1, u2, c)
    s_red, s_blue = pair_sums(u1, u2, c)
    t = [tval(v, 2) for v in (*z, s_red, s_blue)]
    return (
        ("" if present else r"\large") + r"\begin{aligned}"
        rf"z_{{[0\,1]}} + z_{{[1\,0]}} &= (u_2 + c) + (u_1 + c)\\ &= {t[1]} + {paren(t[2])} = {t[4]}\\[6pt]"
        rf"z_{{[0\,0]}} + z_{{[1\,1]}} &= c + (u_1 + u_2 + c)\\ &= {t[0]} + {paren(t[3])} = {t[5]}"
        r"\end{aligned}"
    )


def gate_lines(net: MLP) -> tuple[str, list[str]]:
    """(a Markdown list of what each hidden neuron acts like on the four inputs, their gate names)."""
    g = read_hidden(net)
    lines = [
        f"- hidden neuron {k + 1} acts like **{r.name}**"
        + ("" if r.gate_like else f", but is not a clean gate: {gt.caveat(r, net.hidden)}")
        for k, r in enumerate(g)
    ]
    text = f"With the current network, on the four inputs ({gt.rule(net.hidden)}):\n\n" + "\n".join(lines)
    return text, [r.name for r in g]


# ----- the probed point ------------------------------------------------------------------------------
PROBE_HELP = (
    "**Probe any point.** Click the plane (or type x1 and x2): the point is marked, and this neuron's "
    "arithmetic for it is written out below the plane."
)


def neuron_point_tex(u1: float, u2: float, c: float, x, z: float, a: float, present: bool) -> str:
    """z = u1·x1 + u2·x2 + c at the probed point x (2,), with the neuron's own numbers, then σ(z) = a
    (z and a computed by core)."""
    terms = [f"{paren(tnum(w))}\\cdot {paren(tnum(v))}" for w, v in zip((u1, u2), x)]
    rhs = " + ".join([*terms, paren(tnum(c))])
    zt = tval(z, 2)
    return (
        ("" if present else r"\large") + r"\begin{aligned}"
        rf"z &= u_1 \cdot x_1 + u_2 \cdot x_2 + c\\ &= {rhs}\\ "
        rf"&= {zt} \rightarrow \sigma({zt}) = \mathbf{{{tval(a)}}}"
        r"\end{aligned}"
    )


def neuron_point_words(name: str, a: float, pred: int) -> str:
    """What the single neuron says at the probed point."""
    side = "above" if pred else "not above"
    return f"At {name} this neuron's output σ(z) = {fmt(a)} is {side} 0.5, so it says **{pred}** there."


def network_probe_heading(name: str) -> str:
    return f"The probed point {name} through the whole network"


def network_probe_words(name: str, a1, inside: bool, pred: int, a2: float) -> str:
    """Where the current network's hidden layer sends the probed point, and what it predicts there."""
    off = "" if inside else " That is outside the plot's box, so it is not drawn there."
    return (
        f"The current network's hidden layer sends {name} to (a1[0], a1[1]) = ({fmt(a1[0])}, {fmt(a1[1])}), "
        f"marked ◆ on the hidden layer's plot;{off} its output a2 = {fmt(a2)}, so it predicts **{pred}** there."
    )
