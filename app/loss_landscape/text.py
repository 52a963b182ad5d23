"""The Loss landscape chapter's words, built from numbers (no number typed in)."""

from __future__ import annotations

import math

import numpy as np

from app.parameter import STEP_TEX, slice_caption, step_tex, step_words  # noqa: F401 - one number's words, shared
from app.ui import fmt, sci
from core.decision import predicts_one

INTRO = (
    "Training moves the network's nine numbers downhill on the loss L. Nine numbers make a nine-dimensional "
    "landscape, which no screen can show; but hold seven of them still and L over the other two is a map. "
    "Pick two numbers, see where the current network sits on their map, which way is downhill, how a real "
    "training run rolls down — or stops on a plateau — and click anywhere to move the network there."
)
LN2 = math.log(2)
CLICK_HELP = "Click a cell of the map to move the network there: those two numbers change, the other seven stay."
SAME_PAIR = "Pick two different numbers: one for each axis of the map."
NOT_SIGMOID = (
    "The landscape is drawn for networks with a sigmoid output (the notes' binary cross-entropy); "
    "the current network has a {output} output."
)

SLICE_LIMITS = """
The map is exact for what it shows: every cell is the loss of a
real network, the current network plus a change in two numbers. So it shows the valleys, ridges and
plateaus *along those two directions*, and the arrow is the true downhill direction *within* the slice
(the two matching parts of the gradient).

What it cannot show: the other seven directions. A point that looks like a valley floor here may still
slope downwards along a number that is held still; a wall here may have a way round it through the other
seven. A training run moves all nine numbers at once, so its path (drawn on its own map, sliced through
the run's final network) lies on this map only at its end; earlier points had other values of the seven
hidden numbers, and the path may cross a contour line it never actually climbed. Different pairs of
numbers give different maps of one and the same surface.
"""


def loss_name() -> str:
    return "binary cross-entropy"


def pair_caption(names: tuple[str, str], loss0: float, descent: tuple[float, float], top: float) -> str:
    du, dv = (sci(d).replace("-", "−") for d in descent)  # 3 significant digits: tiny slopes stay readable
    return (
        f"The loss over {names[0]} (across) and {names[1]} (up), the other seven numbers fixed. "
        f"White circle: the current network, L = {fmt(loss0, 4)}. Red arrow: downhill, −dL/d{names[0]} = "
        f"{du} and −dL/d{names[1]} = {dv} (its length is not to scale). "
        f"Colours stop at L = {fmt(top, 2)}; white lines are contours of equal loss."
    )


def description(names: tuple[str, str], lo: float, hi: float, loss0: float) -> str:
    return (
        f"Loss map over {names[0]} and {names[1]}: L ranges from {fmt(lo, 3)} to {fmt(hi, 3)} on the grid; "
        f"the current network's loss is {fmt(loss0, 4)}."
    )


def trained_path_caption(epoch: int, first: float) -> str:
    return (
        f"White line: the Training page's run in use, from its start (square, L = {fmt(first, 4)}) to epoch "
        f"{epoch:,}, where the map is sliced; only there is the map's colour the run's own loss."
    )


def dropped_note(dropped: int, total: int) -> str:
    return (
        f"{dropped:,} of {total:,} cells are left blank: their loss is too large for a computer's numbers "
        "(it overflows). The map shows the rest."
    )


def picked_words(names: tuple[str, str], u: float, v: float, loss: float, loss0: float) -> str:
    change = "lower" if loss < loss0 else "higher" if loss > loss0 else "the same as"
    return (
        f"**Moved network:** {names[0]} = {fmt(u, 3)}, {names[1]} = {fmt(v, 3)}, the other seven unchanged. "
        f"Its loss is **L = {fmt(loss, 4)}**, {change} {'' if change == 'the same as' else 'than '}"
        f"the current network's {fmt(loss0, 4)}."
    )


def use_refused(why: str) -> str:
    return f"This network cannot become the shared network: {why}."


NOT_FINITE = (
    "This network's loss is too large for a computer's numbers (it overflows), so its own point and arrow "
    "cannot be drawn; the map shows only the cells whose loss is a finite number. Pick another network in "
    "the side panel."
)
USED = "The moved network is now the shared network (the side panel shows its nine numbers)."


def recipe_words(recipe: dict, n_seeds: int, n_solved: int) -> str:
    sizes = "-".join(map(str, recipe["sizes"]))
    return (
        f"Two runs of one recipe — a {sizes} sigmoid network from a normal initialisation (σ = {recipe['sigma']:g}), "
        f"learning rate {recipe['lr']:g}, {recipe['epochs']:,} epochs — that differ only in the random seed. "
        f"Of seeds 0 to {n_seeds - 1}, {n_solved} solve XOR and {n_seeds - n_solved} do not."
    )


def plateau_words(final_loss: float, grad: float, lr: float) -> str:
    """Which of the two plateaus of a stuck XOR network the loss sits on, if either (within 5 %)."""
    for value, what in ((LN2 / 2, "ln 2 / 2"), (LN2, "ln 2")):
        if abs(final_loss - value) <= 0.05 * value:
            half = (
                "the loss when two of the four inputs get the answer 0.5 and the other two are right with certainty"
                if what == "ln 2 / 2"
                else "the loss of answering 0.5 for every input"
            )
            return (
                f"It stops at L = {fmt(final_loss, 4)}, on the plateau at {what} = {fmt(value, 4)} ({half}): "
                f"the gradient there has length {sci(grad)}, so a step of {lr:g} × gradient barely moves the "
                "numbers, and the loss stays put instead of falling towards 0."
            )
    return f"It ends at L = {fmt(final_loss, 4)}."


def path_caption(seed: int, final_loss: float, solved: bool, grad: float, lr: float) -> str:
    start = (
        "Square: the start; the white line: the path of gradient descent, one dot per snapshot; cross: the end. "
        "The map is sliced through the run's final network, so only at the cross is its colour the run's own "
        "loss (a dot's tooltip gives the run's loss at that epoch)"
    )
    end = "it rolls down into the valley" if solved else "it stalls"
    return f"Seed {seed}. {start}; {end}. " + plateau_words(final_loss, grad, lr)


def path_description(seed: int, n: int, first: float, last: float) -> str:
    return f"Seed {seed}: {n} points of the run's path; its loss goes from {fmt(first, 3)} to {fmt(last, 3)}."


NO_PAIR_OF_RUNS = "Among the seeds tried, the recipe did not give both a solved run and a stuck one."


PROBE_HELP = (
    "**Probe any point.** Click the decision boundary (or type x1 and x2): the point is marked and goes through "
    "the network shown, with every number written in below."
)


def probe_verdict(name: str, who: str, a2: float) -> str:
    """What the network shown (``who``: the current or the moved network) says at the probed point."""
    if not np.isfinite(a2):
        return f"At {name} the output of {who} is not a finite number."
    pred = int(predicts_one(a2))
    side = "above" if pred else "not above"
    return f"At {name} the output a2 = {fmt(a2)} of {who} is {side} 0.5, so it predicts **{pred}** there."


def probe_heading(name: str) -> str:
    return f"The probed point {name}, step by step"
