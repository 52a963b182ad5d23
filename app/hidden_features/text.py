"""The Hidden features page's sentences built from numbers: the table's verdict, the gate names, the
output's combination, the notes' table check, the boundary, the hidden space, and each chart's text
alternative."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from app import gate_text as gt
from app import ui
from core import features as F
from core.data import ROW_LABELS
from core.decision import predicts_one
from core.gates import GATES


def number_columns(t: pa.Table, digits: int = 3) -> dict:
    """A table's column formats: every float column with ``digits`` decimals, the first (the input)
    pinned like an index."""
    config = {
        f.name: st.column_config.NumberColumn(f.name, format=f"%.{digits}f")
        for f in t.schema
        if pa.types.is_floating(f.type)
    }
    config[t.column_names[0]] = st.column_config.TextColumn(t.column_names[0], pinned=True)
    return config


def table_caption(n_wrong: int, compact: bool) -> str:
    right = (
        "All four predictions are right (output > 0.5 means 1)."
        if n_wrong == 0
        else f"{n_wrong} of 4 predictions wrong (marked ✗): output > 0.5 means 1."
    )
    return ("✓ = XOR's answer. " if compact else "") + right


def notes_note(table: F.FeatureTable) -> str:
    """Why the notes' printed table differs from the exact values of their example weights."""
    diff, r, c = F.notes_difference(table.a1, table.out)
    col = ["Hidden1", "Hidden2", "Output"][c]
    ours = table.a1[r, c] if c < 2 else table.out[r]
    return (
        "These are the exact values for the notes' example weights. The notes' own table (0.076, 0.942, …) "
        f"differs from them by up to {diff:.3f} ({col} for {ROW_LABELS[r]}: {ours:.3f} here, "
        f"{F.NOTES_TABLE[r, c]:.3f} in the notes), and no network at all can produce its hidden columns: see "
        "*Could any network produce the notes' table?* below."
    )


def gate_line(k: int, g, hidden: str, compact: bool) -> str:
    """Hidden neuron k's gate, where it is on, and how clean a gate it is (compact: a few words)."""
    on = [ROW_LABELS[r] for r in range(4) if g.table[r]]
    how = ("A clean gate" if g.gate_like else f"Not a clean gate: {gt.tags(g)}") if compact else gt.summary(g, hidden)
    return f"**Hidden{k + 1} = {g.name}** — on for {', '.join(on) if on else 'no input'}  \n{how}"


def details(gates: list, hidden: str) -> str:
    return "\n".join(f"- Hidden{k + 1}: {gt.summary(g, hidden)}" for k, g in enumerate(gates))


def combination(comb: F.Combination, gates: list, W2: np.ndarray, table: F.FeatureTable) -> tuple[str, str | None]:
    """How the output combines the hidden gates, judged by the network's real outputs; and, when the
    idealised reading is not what the network does, why (else None)."""
    pushes = [f"Hidden{k + 1} ({gates[k].name}) pushes it towards 1 (W2[{k}] = {ui.fmt(W2[k, 0])})" for k in comb.up]
    pushes += [f"Hidden{k + 1} ({gates[k].name}) towards 0 (W2[{k}] = {ui.fmt(W2[k, 0])})" for k in comb.down]
    gloss = " — at least one input is 1, but not both" if comb.expr == "OR AND NOT AND" else ""
    lead = f"**Output ≈ {comb.expr}**{gloss}. " if comb.expr else "**How the output combines them.** "
    bits = ", ".join(map(str, comb.table))
    real = tuple(int(p) for p in table.pred)
    if real == comb.table:
        verdict = (
            "exactly **XOR**." if comb.name == "XOR" else f"**{comb.name}**, not XOR: this network does not solve XOR."
        )
    else:  # the idealised reading is not what the network does: judge it by its real outputs
        does = "solves XOR" if not table.wrong.any() else f"gives {GATES[real]}, not XOR"
        verdict = (
            f"**{comb.name}**. But that is not what this network does: its real outputs give "
            f"{', '.join(map(str, real))}, so it {does}."
        )
    text = (
        f"{lead}{'; '.join(pushes) or 'No hidden neuron reaches the output (W2 = 0)'}. Reading each hidden neuron "
        f"as exactly off or on and passing that through W2 and b2 gives {bits} on the four inputs: {verdict}"
    )
    if real == comb.table:
        return text, None
    loose = [f"Hidden{k + 1}" for k, g in enumerate(gates) if not g.gate_like]
    why = "a hidden neuron is not fully off or on."
    if loose:
        why = f"{', '.join(loose)} {'is not a clean gate' if len(loose) == 1 else 'are not clean gates'} (see above)."
    return text, f"The real outputs differ from this idealised reading: {why}"


def notes_check(notes: list, fit: F.OutputFit) -> tuple[str, str]:
    """The pair-sum argument applied to the notes' hidden columns (markdown), and the Output column
    (caption)."""
    h1, h2 = notes
    out = ", ".join(f"{v:.3f}" for v in fit.out)
    w = ", ".join(ui.fmt(v, 2) for v in fit.W2)
    text = (
        f"The notes' hidden columns break it: the two sums differ by {ui.fmt(abs(h1.difference), 2)} (Hidden1) and "
        f"{ui.fmt(abs(h2.difference), 2)} (Hidden2). The values are printed to 3 decimals, but no rounding explains "
        f"that: with every value anywhere within ±{F.ROUNDING:g} of the printed one, the sums still differ by at "
        f"least {ui.fmt(h1.smallest_gap, 2)} and {ui.fmt(h2.smallest_gap, 2)}. **So no weights — trained or not — "
        "give these hidden columns, and no 2-2-1 sigmoid network produced this table**: "
        "the table is an illustration, not a network's output. Given the other three values of "
        f"a column, the [1 1] value is forced: {h1.needed_11:.4f} for Hidden1 (the notes print "
        f"{F.NOTES_TABLE[3, 0]:.3f}) and {h2.needed_11:.3f} for Hidden2 (the notes print {F.NOTES_TABLE[3, 1]:.3f}; "
        "a neuron this low for [0 1] and [1 0] reaches that only if it is far lower for [0 0]: "
        f"{ui.fmt(h2.needed_00, 6)} instead of {F.NOTES_TABLE[0, 1]:.3f})."
    )
    verdict = "the table's Output column to 3 decimals" if fit.matches else "not the table's Output column"
    caption = (
        "The Output column is not tied to the inputs this way (the output neuron sees the hidden values, not x1 "
        f"and x2), and on its own it is possible: an output neuron with W2 = [{w}] and b2 = {ui.fmt(fit.b2, 2)} "
        f"turns the table's own Hidden1 and Hidden2 into {out}, {verdict}. The gate reading survives too: the "
        "notes' example weights give an OR and an AND whose columns pass the check. This network's own sums "
        "agree, as they must (up to rounding in the last digits)."
    )
    return text, caption


def sides(pred: np.ndarray) -> tuple[str, str]:
    """The inputs the network puts on the red (predict 1) and blue sides, as words."""
    red = [ROW_LABELS[r] for r in range(4) if pred[r]]
    blue = [ROW_LABELS[r] for r in range(4) if not pred[r]]
    return ", ".join(red) or "none of the four inputs", ", ".join(blue) or "none of the four inputs"


def boundary(red: float, pred: np.ndarray) -> str:
    on_red, on_blue = sides(pred)
    share = (
        f"Red (predict 1) covers {red:.0%} of the square, blue (predict 0) the rest.\n\n"
        if 0 < red < 1
        else f"Here the output never crosses 0.5, so there is no black line: it predicts {int(red)} everywhere.\n\n"
    )
    return (
        "The colour is the network's output over the square [−0.5, 1.5]²; the **thick black line** is where it "
        f"equals 0.5. {share}On the red side: {on_red}. On the blue side: {on_blue}."
    )


def boundary_description(red: float, pred: np.ndarray) -> str:
    on_red, on_blue = sides(pred)
    return (
        f"Decision boundary: the network's output over the input plane; it predicts 1 on {red:.0%} of the square. "
        f"Red side: {on_red}; blue side: {on_blue}."
    )


def neuron_caption(g, hidden: str) -> str:
    off = [ROW_LABELS[r] for r in range(4) if not g.table[r]]
    level = gt.level(hidden)
    return f"Red = on (z1 > 0, a1 above {level}); black: its line z1 = 0. Off for {', '.join(off) or 'no input'}."


def neuron_description(k: int, g, crosses: bool) -> str:
    on = [ROW_LABELS[r] for r in range(4) if g.table[r]]
    line = "its line z1 = 0 crosses the plot" if crosses else "its line z1 = 0 lies outside the plot"
    return f"Hidden neuron {k + 1} ({g.name}) over the input plane: on for {', '.join(on) or 'no input'}; {line}."


def signed(v: float) -> str:
    return f"{'+' if v >= 0 else '−'} {ui.fmt(abs(v))}"


def space_line(w: np.ndarray, b2: float, i: int, j: int, h: int) -> str:
    """The output neuron's line z2 = 0 in the plane of hidden neurons i and j."""
    return (
        f"Each input is drawn at its hidden coordinates (Hidden{i + 1}, Hidden{j + 1}). The black line is the output "
        f"neuron's own line z2 = 0: {ui.fmt(w[i])}·h{i + 1} {signed(w[j])}·h{j + 1} {signed(b2)}"
        + (" + (the other hidden neurons, at their mean)" if h > 2 else "")
        + " = 0."
    )


def separability(wrong: int, h: int) -> tuple[str, str]:
    """(kind: "success" or "warning", text): whether the output's line separates the classes."""
    if wrong == 0 and h == 2:
        return "success", (
            "**XOR has become linearly separable.** In the input plane no straight line splits the 1s from the 0s; "
            "here, after the hidden layer, the output neuron's single straight line does."
        )
    if wrong == 0:
        return "success", (
            f"**XOR has become linearly separable.** In the {h}-dimensional hidden space the output neuron's flat "
            "boundary z2 = 0 puts all four inputs on the right side (see z2 below), which no straight line can do "
            "in the input plane."
        )
    return "warning", (
        f"The output neuron's line does not separate the classes here yet: {wrong} of 4 inputs are on the wrong "
        "side. A trained network moves the points (the hidden features) until one line does."
    )


def slice_caption(h: int, cut: int) -> str:
    view = (
        "In this view the line separates them too."
        if cut == 0
        else f"In this view {cut} of 4 inputs fall on the wrong side of the line: the other hidden neurons make "
        "the difference. Try another pair."
    )
    return (
        f"With {h} hidden neurons the plot is a 2-D view: the line holds the other neurons at their mean "
        f"contribution. {view}"
    )


def space_description(space) -> str:
    """The hidden-space plot in one sentence: where the four inputs sit, and what the plotted line does."""
    where = "; ".join(f"{r} at ({u:.2f}, {v:.2f})" for r, u, v in zip(ROW_LABELS, space.u, space.v))
    cut = space.cut
    verdict = "separates the classes" if cut == 0 else f"leaves {cut} of 4 inputs on the wrong side"
    return (
        f"The four inputs at their (Hidden{space.i + 1}, Hidden{space.j + 1}) coordinates: {where}. "
        f"The output neuron's line {verdict}."
    )


# ----- the probed point and the morph ------------------------------------------------------------------
def probe_help(boundary: bool) -> str:
    """How to probe a point (``boundary``: the decision boundary beside this is clickable)."""
    where = "the decision boundary or any hidden neuron's map" if boundary else "any hidden neuron's map below"
    return (
        f"**Probe any point.** Click {where} (or type x1 and x2): the point is marked on the maps and in the hidden "
        "space, and its forward pass is written out below."
    )


def probe_words(name: str, step, i: int, j: int, inside: bool) -> str:
    """Where the probed point goes: its hidden coordinates on the plotted pair, its output and prediction."""
    pred = int(predicts_one(step.a2))
    where = (
        f"(Hidden{i + 1}, Hidden{j + 1}) = ({ui.fmt(step.a1[i])}, {ui.fmt(step.a1[j])})"
        if len(step.a1) > 1
        else f"Hidden1 = {ui.fmt(step.a1[0])}"
    )
    off = "" if inside else " That is outside the hidden-space plot's box, so it is not drawn there."
    return (
        f"The hidden layer sends **{name}** to {where}; the output neuron gives a2 = {ui.fmt(step.a2)}, so the "
        f"network predicts **{pred}** there.{off}"
    )


def morph_caption(h: int, i: int, j: int, dropped: int) -> str:
    """How to read the morph, and which two hidden neurons it shows."""
    a, b = f"Hidden{i + 1}", f"Hidden{j + 1}"
    words = (
        "Drag **t** under the chart (it moves in your browser). At t = 0 every point of an 11 × 11 grid sits at its "
        f"input (x1, x2); as t grows it slides in a straight line to where the hidden layer sends it, ({a}, {b}), "
        "reached at t = 1. Each point is coloured by the network's prediction there (red = 1, blue = 0). At t = 1 "
        "the dashed line is the output neuron's z2 = 0: the hidden layer has moved the points so that one straight "
        "line is enough."
    )
    if h > 2:
        words += (
            f" This network has {h} hidden neurons; the plot shows {a} and {b} (the two chosen above). The others "
            "push the output too, so here the line is the output's view with them at their average over the four "
            "inputs, and a point's colour can disagree with its side."
        )
    if dropped:
        words += f" {dropped} grid point(s) whose hidden values are not finite numbers are left out."
    return words


def morph_description(view) -> str:
    """The morph chart in one sentence, from its numbers."""
    n = int(np.sum(view.points["kind"] == "grid"))
    red = int(np.sum((view.points["kind"] == "grid") & (view.points["cls"] == 1)))
    return (
        f"{n} grid points of the input square, {red} of them predicted 1, morphing as t goes from 0 to 1 into the "
        f"plane of Hidden{view.i + 1} and Hidden{view.j + 1}, with the output's line z2 = 0 fading in."
    )
