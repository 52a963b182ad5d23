"""Plain words for ``core.gates``' readings of hidden neurons: the same sentences on every page that
names them (Hidden features, Training's replay, Architecture)."""

from __future__ import annotations

from app.names import ACTIVATION_NAMES
from app.ui import fmt
from core.activations import get_activation
from core.data import ROW_LABELS
from core.gates import BARELY, GAP, UnitReading


def num(v: float) -> str:
    """A value for these sentences: 3 decimals, or 2 significant digits when it would show as 0.000."""
    if v == 0 or abs(v) >= 0.0005:
        return fmt(v, 3)
    return f"{v:.1e}".replace("-", "−")


def label(hidden: str) -> str:
    """The activation's name inside a sentence: "sigmoid", "tanh", "ReLU", "leaky ReLU", "linear"."""
    text = ACTIVATION_NAMES[hidden]
    return text.replace("Leaky", "leaky") if "ReLU" in text else text.lower()


def level(hidden: str) -> str:
    """The activation at z = 0, where "on" begins: 0.5 for sigmoid, 0 for the others."""
    return fmt(float(get_activation(hidden).f(0.0)), 1 if hidden == "sigmoid" else 0)


def rule(hidden: str) -> str:
    """The one rule, in words, for this hidden activation."""
    return (
        f"a hidden neuron is **on** for an input when its pre-activation z1 > 0 (for {label(hidden)} units: "
        f"a1 > {level(hidden)}), off otherwise"
    )


def criteria() -> str:
    """When a name is only a rough summary (core.gates' criterion), in one sentence."""
    return (
        "A name is only a rough summary when the neuron is *barely decided* (an input lies within "
        f"{BARELY:g} of its line z1 = 0, so a small change of weights flips the name) or *graded* (its on and off "
        f"values are less than {GAP:.0%} of its range apart, so it says more than on or off: it may, for example, "
        "count the 1s in the input)."
    )


def _values(r: UnitReading) -> str:
    return ", ".join(num(v) for v in r.a)


def _scale(r: UnitReading, hidden: str) -> str:
    act = get_activation(hidden)
    if act.bounds is not None:
        return f"the {label(hidden)}'s range {fmt(r.low, 0)} to {fmt(r.high, 0)}"
    return "its own range on the four inputs"


def caveat(r: UnitReading, hidden: str) -> str:
    """Why this neuron is not a clean gate, in plain words; "" when it is one."""
    parts = []
    if r.graded:
        if r.counts:
            parts.append(f"**graded**, not on/off: it counts the 1s in the input (a1 = {_values(r)} for [0 0] … [1 1])")
        elif all(r.table) or not any(r.table):
            side = "on" if all(r.table) else "off"
            parts.append(
                f"**graded**: {side} for every input, but its a1 = {_values(r)} spread over more than "
                f"{1 - GAP:.0%} of {_scale(r, hidden)}"
            )
        else:
            parts.append(
                f"**graded**, not on/off: a1 = {_values(r)} for [0 0] … [1 1]; its on and off values are only "
                f"{max(r.separation, 0):.0%} of {_scale(r, hidden)} apart (a clean gate: at least {GAP:.0%})"
            )
    if r.barely:
        row = ROW_LABELS[r.nearest]
        if r.margin == 0:
            parts.append(f"**undecided** for {row}: it lies exactly on the neuron's line z1 = 0, which counts as off")
        else:
            parts.append(
                f"**barely decided**: {row} lies only {num(r.margin)} from its line z1 = 0 "
                f"(z1 = {num(r.z[r.nearest])}), so a small change of its weights flips it and the name"
            )
    return "; ".join(parts)


def summary(r: UnitReading, hidden: str) -> str:
    """One line about how gate-like the neuron is: the caveat, or why it counts as a clean gate."""
    if not r.gate_like:
        return "Not a clean gate: " + caveat(r, hidden) + "."
    near = (
        "it has no line (w1 = w2 = 0)"
        if r.margin == float("inf")
        else f"its nearest input is {num(r.margin)} from its line"
    )
    if all(r.table) or not any(r.table):
        spread = f"its values spread over only {1 - r.separation:.0%} of {_scale(r, hidden)}"
    else:
        spread = f"its on and off values are {r.separation:.0%} of {_scale(r, hidden)} apart"
    return f"A clean gate: {near}, and {spread}."


def tags(r: UnitReading) -> str:
    """Why the neuron is not a clean gate in a few words, without commas ("" for a clean gate)."""
    parts = []
    if r.graded:
        parts.append("graded — it counts the 1s" if r.counts else "graded")
    if r.barely:
        row = ROW_LABELS[r.nearest]
        parts.append(f"undecided for {row}" if r.margin == 0 else f"barely decided for {row}")
    return "; ".join(parts)


def names_line(readings: list[UnitReading], prefix: str = "h") -> str:
    """ "h1 ≈ OR, h2 ≈ AND (not a clean gate: graded)." — the names, with a short note on each neuron
    that is not a clean gate (Hidden features explains each note in full)."""
    items = [
        f"{prefix}{k + 1} ≈ {r.name}" + ("" if r.gate_like else f" (not a clean gate: {tags(r)})")
        for k, r in enumerate(readings)
    ]
    return ", ".join(items) + "."


# The answers a "which gate will this hidden neuron be?" checkpoint offers (app.predict): the gates
# the notes name, their opposites, and everything else together.
GATE_CHOICES = ("OR", "AND", "NAND", "NOR", "another gate")


def gate_choice(name: str) -> str:
    """A gate name (core.gates) as one of GATE_CHOICES."""
    return name if name in GATE_CHOICES else GATE_CHOICES[-1]
