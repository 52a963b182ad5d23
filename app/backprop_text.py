"""The Backpropagation page's formulas and live sentences: LaTeX for each backward-pass step, and
the explanations that quote the current network's numbers (all from core.backprop_ledger).

Strings only, no Streamlit calls, so they are cheap and testable; the page decides where they go.
"""

from __future__ import annotations

import numpy as np

from app.ui import fmt, tex
from core import backprop_ledger as bl
from core.activations import get_activation
from core.data import ROW_LABELS
from core.losses import LOSSES

F_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "linear": "id"}
F_PRIME_TEX = {  # f'(z1) written with the notes' names
    "sigmoid": r"a_1 \odot (1 - a_1)",
    "tanh": r"1 - a_1^{2}",
    "relu": r"\mathbb{1}[z_1 > 0]",
    "leaky_relu": r"\begin{cases}1 & z_1 > 0\\ 0.01 & z_1 \le 0\end{cases}",
    "linear": r"1",
}
STEP_TITLES = {  # the notes' captions of the six lines
    "dz2": "Compute error",
    "dW2": "Update W2",
    "db2": "Update b2",
    "dz1": "Pass error back (chain rule!)",
    "dW1": "Update W1",
    "db1": "Update b1",
}
# Alerts carry an explicit icon: without one Streamlit looks for a leading emoji in the text, and the
# first such look-up in a server process compiles its emoji table (~0.15 s of a cold render).
ICONS = {"success": ":material/check_circle:", "warning": ":material/warning:", "error": ":material/error:"}
LOSS_CHOICES = {"bce": "Binary cross-entropy (BCE)", "mse": "Mean squared error (MSE)"}


def num(v: float) -> str:
    """A number for prose: 4 decimals, or 3 significant digits in e-notation below 0.001."""
    if not np.isfinite(v):
        return "—"
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.3e}".replace("-", "−")
    return f"{v:.4f}".replace("-", "−")


def f_prime_words(hidden: str) -> str:
    """f'(z1) in words: the notes' σ′ = a1·(1 − a1) for sigmoid, else the activation's name with ′."""
    return "a1·(1 − a1)" if hidden == "sigmoid" else get_activation(hidden).label + "′"


def dz1_caption(led: bl.Ledger) -> str:
    w2 = ", ".join(fmt(v, 3) for v in led.W2[:, 0])
    return f"f' is the derivative of the hidden activation, {get_activation(led.hidden).label}. W2ᵀ = {w2}"


def dz2_tex(loss: str) -> str:
    return r"a_2 - y" if loss == "bce" else r"(a_2 - y) \odot \sigma'(z_2)"


def loss_caption(led: bl.Ledger) -> str:
    """The line under the loss control: the loss value and which f' the backward pass uses."""
    act = get_activation(led.hidden)
    fp = "a1·(1 − a1), the notes’ σ′" if led.hidden == "sigmoid" else act.label + "′"
    h = led.width
    width = "" if h == 2 else f" This network has {h} hidden neurons, so h = {h} in every shape below."
    return (
        f"Loss: {LOSSES[led.loss_name]} = {fmt(led.loss, 4)}. Hidden activation: {act.label}, "
        f"so the backward pass uses f'(z1) = {fp}.{width}"
    )


# ----- 1 · the chain rule, one step highlighted ---------------------------------------------------
_SHADE = r"\colorbox{#fde9c8}{$\displaystyle "
_SHADED = {"dz2": 1, "dW2": 1, "db2": 1, "dz1": 2, "db1": 2, "dW1": 3}  # how many factors each step computes
_FACTORS = (
    r"\underbrace{\frac{\partial L}{\partial y}}_{\substack{\text{output}\\\text{gradient}}}",
    r"\underbrace{\frac{\partial y}{\partial h}}_{\substack{\text{hidden}\\\text{gradient}}}",
    r"\underbrace{\frac{\partial h}{\partial W_1}}_{\substack{\text{local}\\\text{gradient}}}",
)
DW1_CHAIN = (
    r"dW_1 = \underbrace{X^{\top}}_{\text{local}} @ \big(\underbrace{dz_2}_{\text{output}} @ "
    r"\underbrace{W_2^{\top} \odot f'(z_1)}_{\text{hidden}}\big) / N"
)
_WHAT = {
    "dz2": "It computes the **output gradient** (shaded).",
    "dW2": "It takes the **output gradient** (shaded) times its own local gradient a1ᵀ: the update for W2.",
    "db2": "It takes the **output gradient** (shaded) times its own local gradient 1: the update for b2.",
    "dz1": "It computes the output gradient times the **hidden gradient** (shaded).",
    "dW1": "It is the whole product: **all three factors** (shaded).",
    "db1": "It takes the output and hidden gradients (shaded) times the local gradient 1: the update for b1.",
}


def chain_tex(step: str) -> str:
    """dL/dW1 as the product of three factors, those that ``step`` computes shaded."""
    on = _SHADED[step]
    parts = [(_SHADE + f + "$}") if i < on else f for i, f in enumerate(_FACTORS)]
    return r"\frac{\partial L}{\partial W_1} = " + r"\times".join(parts)


def step_heading(step: str) -> str:
    return f"**Step {bl.STEPS.index(step) + 1} of 6 — {step}: {STEP_TITLES[step]}.** {_WHAT[step]}"


def _d(a: str, b: str) -> str:
    return rf"\frac{{\partial {a}}}{{\partial {b}}}"


def step_tex(step: str, loss: str) -> str:
    """Two lines: the chain rule for ``step``, then what its local factor works out to."""
    first = {
        "dz2": (_d("L", "z_2"), _d("L", "a_2") + r"\cdot" + _d("a_2", "z_2")),
        "dW2": (_d("L", "W_2"), _d("L", "z_2") + r"\cdot" + _d("z_2", "W_2")),
        "db2": (_d("L", "b_2"), _d("L", "z_2") + r"\cdot" + _d("z_2", "b_2")),
        "dz1": (_d("L", "z_1"), _d("L", "z_2") + r"\cdot" + _d("z_2", "a_1") + r"\cdot" + _d("a_1", "z_1")),
        "dW1": (_d("L", "W_1"), _d("L", "z_1") + r"\cdot" + _d("z_1", "W_1")),
        "db1": (_d("L", "b_1"), _d("L", "z_1") + r"\cdot" + _d("z_1", "b_1")),
    }[step]
    second = {
        "dz2": r"\frac{a_2 - y}{a_2(1-a_2)}\cdot a_2(1-a_2) = a_2 - y"
        if loss == "bce"
        else r"(a_2 - y)\cdot a_2(1 - a_2)",
        "dW2": r"a_1^{\top}\, dz_2 / N \quad\text{since } z_2 = a_1 W_2 + b_2",
        "db2": r"\textstyle\sum_n dz_2[n] \cdot 1 / N",
        "dz1": r"(dz_2\, W_2^{\top}) \odot f'(z_1)",
        "dW1": r"X^{\top} dz_1 / N \quad\text{since } z_1 = X W_1 + b_1",
        "db1": r"\textstyle\sum_n dz_1[n] \cdot 1 / N",
    }[step]
    return r"\begin{aligned}" + first[0] + " &= " + first[1] + r" \\ &= " + second + r"\end{aligned}"


MARK_EDGE = "#d95f02"  # the diagram's highlight edge colour


# Streamlit keeps a segmented control inside a column on one line: on a phone in presenter mode the
# loss and step choices then run off the screen. Let their buttons wrap, as they do outside columns.
WRAP_CSS = (
    '.st-key-bp_loss [data-testid="stButtonGroup"] div:has(> button), '
    '.st-key-bp_step [data-testid="stButtonGroup"] div:has(> button) { flex-wrap: wrap; }'
)


def ledger_mark_css(step: str) -> str:
    """Static CSS marking the ledger entry of ``step`` (section 3, keyed ``bp_entry_<step>``): an
    orange border and an "explained above" badge after its heading. CSS, so the step's fragment can
    mark the entry without rerunning the ledger; only the fixed names in STEPS ever reach it."""
    if step not in bl.STEPS:
        return ""
    box = f".st-key-bp_entry_{step}"
    return (
        f"<style>{WRAP_CSS} {box} {{ border: 2px solid {MARK_EDGE} !important; }} "
        f'{box} > [data-testid="stElementContainer"]:first-child p::after {{ content: "explained above"; '
        "margin-left: 0.6rem; padding: 0.05rem 0.45rem; border-radius: 0.5rem; font-size: 0.85em; "
        "font-weight: 400; color: #b54a00; background: rgba(255, 164, 33, 0.16); }</style>"
    )


def diagram_tips(led: bl.Ledger) -> dict:
    """Hover text for the summary diagram's nodes: the live values."""
    f = fmt
    return {
        "dz2": "dz2 = " + ", ".join(f(v, 3) for v in led.dz2[:, 0]),
        "dW2": "dW2 = " + ", ".join(f(v, 4) for v in led.dW2[:, 0]),
        "db2": "db2 = " + f(led.db2[0, 0], 4),
        "dW1": "dW1 = " + ", ".join(f(v, 4) for v in led.dW1.ravel()),
        "db1": "db1 = " + ", ".join(f(v, 4) for v in led.db1.ravel()),
        "L": f"{LOSSES[led.loss_name]} = {f(led.loss, 4)}",
        "a2": "a2 = " + ", ".join(f(v, 3) for v in led.a2[:, 0]),
    }


def what_it_means(led: bl.Ledger, step: str) -> str:
    """The notes' intuition for ``step``, with the current network's numbers."""
    f, N, act = fmt, led.N, get_activation(led.hidden)
    if step == "dz2":
        n = bl.biggest_push(led)
        intro = (
            "For binary cross-entropy with a sigmoid output the maths works out beautifully: **dz2 = a2 − y**, "
            "the derivative of the loss with respect to the output's pre-activation z2. "
            if led.loss_name == "bce"
            else "With mean squared error the sigmoid's slope does not cancel: **dz2 = (a2 − y)·σ'(z2)**. "
        )
        return (
            intro + "If predicted 0.9 but true is 1 → −0.1 (should increase); if predicted 0.1 but true is 0 "
            f"→ +0.1 (should decrease). Live: the biggest push comes from **{ROW_LABELS[n]}**: a2 = "
            f"{f(led.a2[n, 0], 4)}, y = {int(led.y[n, 0])}, dz2 = {f(led.dz2[n, 0], 4)} — "
            f"“{bl.dz2_words(led.a2[n, 0], led.y[n, 0])}”"
        )
    if step == "dW2":
        o = bl.off_neuron_example(led)
        text = (
            "dz2/dW2 = a1ᵀ — this is why a1.T appears. *How much did each hidden neuron contribute to the "
            "error?* High activation and high error → big gradient; a neuron that was **off** (low "
            "activation) → small gradient: it wasn't involved. "
        )
        if o is None:
            return text + (
                "Live: no input has one hidden neuron clearly on (a1 ≥ 0.5) and another off (a1 < 0.1) here, "
                "so the hidden neurons share the errors more evenly — see the a1 columns in the dW2 table."
            )
        return text + (
            f"Live: for **{ROW_LABELS[o.n]}** (dz2 = {f(o.dz2, 4)}), h{o.on + 1} was on (a1 = {f(o.a_on, 3)}) and "
            f"adds a1·dz2/N = {num(o.share_on)} to dW2[{o.on}]; h{o.off + 1} was off (a1 = {f(o.a_off, 4)}) "
            f"and adds only {num(o.share_off)}."
        )
    if step == "db2":
        db2 = led.db2[0, 0]
        return (
            "A bias is a weight on an input that is always 1, so db2 is just the average of dz2: "
            f"({' + '.join(f(v, 4) for v in led.dz2[:, 0])}) / {N} = {f(db2, 4)}. "
            + (
                "Positive: gradient descent lowers b2, pulling every output down."
                if db2 > 0
                else "Negative: gradient descent raises b2, pushing every output up."
            )
        )
    if step == "dz1":
        sat = bl.saturated_hidden(led)
        live = (
            "Live: "
            + "; ".join(f"h{j + 1} for {ROW_LABELS[m]} has f'(z1) = {num(v)}" for m, j, v in sat)
            + f" — below 1 % of its peak {act.peak:g}: whatever error arrives there is multiplied by almost "
            "nothing (the vanishing gradient)."
            if sat
            else "Live: no hidden neuron is saturated (f'(z1) below 1 % of its peak) for any input."
        )
        slope = "σ′ = a1·(1 − a1), at most 0.25" if led.hidden == "sigmoid" else act.label + "′"
        return (
            "Pass the error back. Each hidden neuron j receives dz2 · W2[j] — its share of the blame, in "
            f"proportion to its outgoing weight — multiplied by f'(z1), the slope of its activation ({slope}). "
            "When a neuron is saturated (output near 0 or 1), its gradient is tiny. " + live + " "
            "This is backprop's genius: hidden layers get error signals from the output."
        )
    if step == "dW1":
        silent = [ROW_LABELS[m] for m in bl.silent_inputs(led)]
        return (
            "Exact same logic as dW2, but one layer earlier: *how much did each input contribute to the hidden "
            "layer errors?* An input that is 0 contributes nothing to its row of dW1. "
            + (f"Live: {', '.join(silent)} adds exactly 0 to every entry of dW1. " if silent else "")
            + f"The largest entry is dW1 = {f(bl.largest_entry(led.dW1), 4)}."
        )
    return (
        "The average of dz1 over the four inputs, one number per hidden neuron: "
        + ", ".join(f"db1[{j}] = {f(led.db1[0, j], 4)}" for j in range(led.width))
        + "."
    )


# ----- 2 · one example ----------------------------------------------------------------------------
def example_dz2_tex(led: bl.Ledger, row: int) -> str:
    a2, y, dz2 = float(led.a2[row, 0]), int(led.y[row, 0]), float(led.dz2[row, 0])
    if led.loss_name == "bce":
        return rf"dz_2 = a_2 - y = {tex(a2, 4)} - {y} = {tex(dz2, 4)}"
    return (
        rf"dz_2 = (a_2 - y)\,\sigma'(z_2) = ({tex(a2, 4)} - {y}) \times {tex(float(led.sp2[row, 0]), 4)}"
        rf" = {tex(dz2, 4)}"
    )


def example_dz1_tex(led: bl.Ledger, row: int, shown: int = 4) -> str:
    """dz1 for one input, neuron by neuron: dz2 × W2[j] × f'(z1) (the first ``shown`` neurons)."""
    dz2 = float(led.dz2[row, 0])
    lines = [
        rf"h_{j + 1}\!:\ {tex(dz2, 4)} \times {tex(led.W2[j, 0], 2)} \times {tex(led.fp1[row, j], 4)}"
        rf" = {tex(led.dz1[row, j], 4)}"
        for j in range(min(led.width, shown))
    ]
    return r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}"


def zero_network_tex(zled: bl.Ledger, row: int) -> str:
    return (
        rf"\begin{{aligned}} a_2 &= \sigma(0) = {tex(zled.a2[row, 0], 4)} \\ "
        rf"dz_2 &= {tex(zled.a2[row, 0], 4)} - 1 = {tex(zled.dz2[row, 0], 4)} \end{{aligned}}"
    )


def zero_network_words(zled: bl.Ledger, row: int) -> str:
    """Why the notes' untrained example cannot learn: W2 = 0 passes nothing back, XOR's errors cancel."""
    biggest = bl.largest_gradient(zled)
    return (
        f"“{bl.dz2_words(zled.a2[row, 0], zled.y[row, 0])}” — the notes' sentence, computed. "
        f"But W2 = 0 passes no error back (largest |dW1| = {fmt(abs(bl.largest_entry(zled.dW1)), 4)}), and "
        + (
            "**every gradient is exactly 0** here: the four errors "
            f"({', '.join(fmt(v, 1) for v in zled.dz2[:, 0])}) cancel, so gradient descent could never leave this "
            "point — one more reason training starts from random weights."
            if biggest == 0
            else f"the largest gradient is only {num(biggest)}."
        )
    )


# ----- 4 · BCE against MSE ------------------------------------------------------------------------
def saturation_words(led: bl.Ledger, cmp_: bl.LossComparison) -> str:
    m = cmp_.most_saturated
    sp = float(cmp_.sp2[m, 0])
    if sp < 0.1:
        return (
            f"Most saturated output: **{ROW_LABELS[m]}** (a2 = {fmt(led.a2[m, 0], 4)}, σ'(z2) = {fmt(sp, 4)}): "
            f"MSE's dz2 there is only **{sp:.1%}** of BCE's."
        )
    return (
        f"No output is saturated here (every σ'(z2) ≥ 0.1), so MSE's dz2 is between "
        f"{sp:.0%} and {float(cmp_.sp2.max()):.0%} of BCE's."
    )


# ----- 3 · the ledger -----------------------------------------------------------------------------
def ledger_heading(led: bl.Ledger, name: str) -> str:
    """A ledger entry's first line: number, name, the notes' caption, shape and how it is made."""
    N, h, d = led.N, led.width, led.X.shape[1]
    shape, how = {
        "dz2": (f"{N}×1", ""),
        "dW2": (f"{h}×1", f"({h}×{N}) @ ({N}×1)"),
        "db2": ("1×1", ""),
        "dz1": (f"{N}×{h}", f"({N}×1) @ (1×{h}) ⊙ ({N}×{h})"),
        "dW1": (f"{d}×{h}", f"({d}×{N}) @ ({N}×{h})"),
        "db1": (f"1×{h}", ""),
    }[name]
    how = f" — {how}" if how else ""
    return f"**{bl.STEPS.index(name) + 1} · {name}** — {STEP_TITLES[name]} · shape **{shape}**{how}"


def ledger_tex(led: bl.Ledger, name: str) -> str:
    """The notes' line of code for ``name`` as a formula."""
    return {
        "dz2": r"dz_2 = " + dz2_tex(led.loss_name),
        "dW2": r"dW_2 = a_1^{\top} @ dz_2 / N",
        "db2": r"db_2 = \textstyle\sum_n dz_2[n] / N",
        "dz1": r"\begin{aligned} dz_1 &= (dz_2 @ W_2^{\top}) \odot f'(z_1) \\ f'(z_1) &= "
        + F_PRIME_TEX[led.hidden]
        + r"\end{aligned}",
        "dW1": r"dW_1 = X^{\top} @ dz_1 / N",
        "db1": r"db_1 = \textstyle\sum_n dz_1[n] / N",
    }[name]


def dz1_titles(hidden: str) -> tuple[str, str, str]:
    """Titles over dz1's three tables: what is passed back, times f'(z1), gives dz1."""
    return "dz2 @ W2ᵀ (error passed back)", f"× f'(z1) ({f_prime_words(hidden)})", "= dz1"


# ----- 5 · gradient check, 6 · one step: verdicts as (kind of message, text) -------------------------
def gradcheck_verdict(gc, hidden: str) -> tuple[str, str]:
    """("success" | "warning", text) for the largest relative error of a core.gradcheck.GradCheck."""
    worst = gc.max_rel_error
    if worst < 1e-6:
        return (
            "success",
            f"Largest relative error: {worst:.1e} — far below 10⁻⁶. The backward pass computes the true gradient.",
        )
    why = (
        "With a ReLU-like activation this happens when a hidden unit sits at (or within a few ε of) its kink "
        "at z = 0, where the slope jumps: the backward pass uses the slope on one side, the finite difference "
        "averages both sides. Look for a 0 in the z1 of some input."
        if hidden in ("relu", "leaky_relu")
        else "Numerical rounding dominates when gradients are this tiny; compare the |difference| column."
    )
    return (
        "warning",
        f"Largest relative error: {worst:.1e} (at {gc.names[int(np.argmax(gc.rel_error))]}), above 10⁻⁶. " + why,
    )


def step_verdict(rec: bl.Step) -> tuple[str, str]:
    """("error" | "success" | "warning", text) for one gradient-descent step."""
    if not rec.finite:
        return "error", (
            "This step made some numbers infinite or undefined, so it was not applied. Use a smaller learning rate."
        )
    if rec.improved:
        return "success", (
            f"The loss went down: {rec.loss_before:.6f} → {rec.loss_after:.6f} "
            f"({(rec.loss_before - rec.loss_after) / rec.loss_before:.2%} lower)."
        )
    return "warning", (
        f"This step made the loss **worse**: {rec.loss_before:.6f} → {rec.loss_after:.6f}. The gradient only "
        f"says which way is downhill *here*; a step of lr = {rec.lr:g} jumped past the valley. Try a smaller "
        "learning rate, or Reset."
    )


# ----- more live sentences ------------------------------------------------------------------------
GRADCHECK_TEX = (
    r"\begin{aligned}\frac{\partial L}{\partial \theta} \approx \tfrac{1}{12\,\varepsilon}\big[&-L(\theta+2\varepsilon)"
    r" + 8L(\theta+\varepsilon) \\ &- 8L(\theta-\varepsilon) + L(\theta-2\varepsilon)\big]\end{aligned}"
)


def current_prediction(led: bl.Ledger, row: int) -> str:
    """What the current network predicts for one input, in the notes' words."""
    label = ROW_LABELS[row]
    return (
        f"The current network predicts **{fmt(led.a2[row, 0], 4)}** for {label} "
        f"(dz2 = {fmt(led.dz2[row, 0], 4)}: {bl.dz2_words(led.a2[row, 0], led.y[row, 0])})"
    )


def dW2_caption(led: bl.Ledger) -> str:
    return f"Add each of the last {led.width} columns down and you get dW2 (left): a1ᵀ @ dz2 / N, one input at a time."


def exact_caption(cmp_: bl.LossComparison) -> str | None:
    """Why the ratio column shows σ'(z2) for inputs whose output is exactly y (None when there are none)."""
    if not cmp_.exact:
        return None
    return (
        f"For {', '.join(ROW_LABELS[n] for n in cmp_.exact)} the output equals y exactly (a2 − y = 0), so MSE ÷ BCE "
        "is 0 ÷ 0, which has no value: the table shows the factor σ'(z2) itself there."
    )


def walk_caption(steps: int, rec: bl.Step | None, led: bl.Ledger) -> str:
    """Where the walk of section 6 stands: not started, or step ``steps`` of it."""
    if rec is None:
        return (
            f"No step taken yet. Start: the network in the sidebar, {LOSSES[led.loss_name]} = {fmt(led.loss, 4)}. "
            "Press **Take one step**; each press steps again from where you are."
        )
    return (
        f"**Step {steps}** from the starting network (learning rate {rec.lr:g}, loss: {LOSSES[rec.loss_name]}). "
        "Press again to keep stepping, or Reset to return to the network in the sidebar."
    )


def step_metrics(rec: bl.Step, steps: int) -> list[tuple[str, str, str | None]]:
    """(label, value, change) of the three numbers above a step's tables."""
    after = (f"{rec.loss_after:.6f}", f"{rec.loss_after - rec.loss_before:+.6f}") if rec.finite else ("undefined", None)
    return [
        ("Loss before this step", f"{rec.loss_before:.6f}", None),
        ("Loss after", *after),
        ("Steps taken", str(steps), None),
    ]
