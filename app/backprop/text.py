"""The Backpropagation page's formulas and live sentences: LaTeX for each backward-pass step, and
the explanations that quote the current network's numbers (all from core.backprop_ledger).

Strings only, no Streamlit calls, so they are cheap and testable; the page decides where they go.
"""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES, LOSS_NAMES
from app.ui import fmt, tex
from core import backprop_ledger as bl
from core import formulas as F
from core import notes_audit as na
from core.activations import get_activation
from core.data import ROW_LABELS
from core.losses import single_example_losses

F_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU", "linear": "id"}
F_PRIME_TEX = {  # f'(z1) written with the notes' names
    "sigmoid": r"a_1 \odot (1 - a_1)",
    "tanh": r"1 - a_1^{2}",
    "relu": r"\mathbb{1}[z_1 > 0]",
    "leaky_relu": r"\begin{cases}1 & z_1 > 0\\ 0.01 & z_1 \le 0\end{cases}",
    "linear": r"1",
}
STEP_TITLES = na.STEP_NAMES  # what each of the six lines computes (none of them updates anything)
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


def amount(v: float) -> str:
    """|v| for prose: two decimals, or two significant digits when smaller than 0.01."""
    v = abs(float(v))
    return f"{v:.2f}" if v >= 0.01 else f"{v:.2g}"


def dz2_words(a2: float, y: float) -> str:
    """The notes' sentence for one example, from the sign and size of a2 − y.

    a2 = 0.5, y = 1 → "output is too low by 0.50, need to increase it!"
    """
    e = float(a2) - float(y)
    if e == 0:
        return "output is exactly on target, nothing to change"
    if e < 0:
        return f"output is too low by {amount(e)}, need to increase it!"
    return f"output is too high by {amount(e)}, need to decrease it!"


def f_prime_words(hidden: str) -> str:
    """f'(z1) in words: the notes' σ′ = a1·(1 − a1) for sigmoid, else the activation's name with ′."""
    return "a1·(1 − a1)" if hidden == "sigmoid" else ACTIVATION_NAMES[hidden] + "′"


def dz1_caption(led: bl.Ledger) -> str:
    w2 = ", ".join(fmt(v, 3) for v in led.W2[:, 0])
    return f"f' is the derivative of the hidden activation, {ACTIVATION_NAMES[led.hidden]}. W2ᵀ = {w2}"


def dz2_expr(loss: str) -> str:
    """dz2's formula (core.formulas) under ``loss``."""
    return F.BACKWARD["dz2"] if loss == "bce" else F.DZ2_MSE


def loss_caption(led: bl.Ledger) -> str:
    """The line under the loss control: the loss value and which f' the backward pass uses."""
    name = ACTIVATION_NAMES[led.hidden]
    fp = "a1·(1 − a1), the notes’ σ′" if led.hidden == "sigmoid" else name + "′"
    h = led.width
    width = "" if h == 2 else f" This network has {h} hidden neurons, so h = {h} in every shape below."
    return (
        f"Loss: {LOSS_NAMES[led.loss_name]} = {fmt(led.loss, 4)}. Hidden activation: {name}, "
        f"so the backward pass uses f'(z1) = {fp}.{width}"
    )


# ----- the loss ------------------------------------------------------------------------------------
_MEAN_L = r"L &= \tfrac{1}{N}\textstyle\sum_n \ell_n \\ "
LOSS_TEX = {  # L, the mean of one loss ℓ per example (three short lines: they fit a phone)
    "bce": r"\begin{aligned}"
    + _MEAN_L
    + r"\ell_n &= -\,y_n \ln a_{2,n} \\ &\quad - (1 - y_n) \ln(1 - a_{2,n})\end{aligned}",
    "mse": r"\begin{aligned}" + _MEAN_L + r"\ell_n &= \tfrac{1}{2}\,(a_{2,n} - y_n)^2\end{aligned}",
}
CONFIDENCES = (0.99, 0.5, 0.01)  # a2 for a y = 1 example: confidently right, unsure, confidently wrong


def loss_words(led: bl.Ledger) -> str:
    """What L is, why BCE punishes confident mistakes and where ln 2 comes from, with core's numbers."""
    per = single_example_losses(np.array(CONFIDENCES), 1.0)
    bce, mse = per["bce"], per["mse"]
    right, unsure, wrong = (num(v) for v in bce)
    ln2 = num(float(np.log(2)))
    intro = (
        "The number backpropagation lowers is the loss **L**: the mean, over the N = "
        f"{led.N} inputs, of each input's own loss ℓₙ (ℓ for one example, L for the batch). "
    )
    if led.loss_name == "bce":
        body = (
            "With binary cross-entropy (the notes' loss), ℓ is −ln of the probability the network gave the right "
            f"answer. For an input whose answer is 1: a2 = {CONFIDENCES[0]} costs {right}, a2 = {CONFIDENCES[1]} costs "
            f"{unsure}, and the **confident mistake** a2 = {CONFIDENCES[2]} costs {wrong} — growing without limit as "
            f"a2 → 0 (mean squared error would charge that mistake {num(mse[2])}, never more than 0.5). "
        )
    else:
        body = (
            "With mean squared error, ℓ = ½(a2 − y)² is at most ½: for an input whose answer is 1, the confident "
            f"mistake a2 = {CONFIDENCES[2]} costs only {num(mse[2])} (binary cross-entropy, −ln a2, would charge "
            f"{wrong}). "
        )
    return (
        intro
        + body
        + f"**ln 2 = {ln2}** is the cross-entropy of answering 0.5 for every input (−ln 0.5 = ln 2): what a "
        f"network that has learned nothing scores. This network: {LOSS_NAMES[led.loss_name]} L = {fmt(led.loss, 4)}."
    )


# ----- 1 · the chain rule, one step highlighted ---------------------------------------------------
INTRO = (
    "How the network finds out which way to move each of its numbers: the **chain rule**, applied "
    "layer by layer, **backwards**. Every number below is computed live for the current network on "
    "the four XOR inputs (the full batch, N = 4)."
)
CHAIN = (
    "**The chain rule.** If F(t) = f(g(t)), then dF/dt = f′(g(t)) · g′(t): multiply the slopes along the way. "
    "The notes draw the network as *Input (x) → Hidden (h) → Output (y) → Loss (L)*. Written with the network's "
    "own variables, every arrow is one step:"
)
NAMES = (
    "The notes' **h** is the hidden layer: its pre-activation z1 = X @ W1 + b1, then a1 = f(z1). Their **y** is "
    "the output: z2 = a1 @ W2 + b2, then a2 = σ(z2). On this page **y** always means the true label (0 or 1), "
    "ℓ is one input's loss and L their mean. **To update the hidden layer's weights we need ∂L/∂W1**; for one "
    "input, the chain rule multiplies one slope per arrow from ℓ back to W1:"
)
CHAIN_VARS = r"X \;\to\; z_1 \;\to\; a_1 \;\to\; z_2 \;\to\; a_2 \;\to\; \ell"
_SHADE = r"\colorbox{#fde9c8}{$\displaystyle "
_SHADED = {"dz2": 1, "dW2": 1, "db2": 1, "dz1": 2, "db1": 2, "dW1": 3}  # how many factors each step computes
_FACTORS = (
    r"\underbrace{\frac{\partial \ell}{\partial z_2}}_{\substack{\text{output}\\\text{gradient}}}",
    r"\underbrace{\frac{\partial z_2}{\partial a_1}\,\frac{\partial a_1}{\partial z_1}}"
    r"_{\substack{\text{hidden}\\\text{gradient}}}",
    r"\underbrace{\frac{\partial z_1}{\partial W_1}}_{\substack{\text{local}\\\text{gradient}}}",
)
DW1_CHAIN = (  # core.formulas.DW1_CHAIN in two lines (narrow enough for a phone): dW1 from dz1, dz1 from the factors
    r"\begin{aligned} dW_1 &= "
    + F.render(F.DW1_FROM_DZ1, tex=True)
    + r" \\ dz_1 &= "
    + F.render(F.DZ1_CHAIN, tex=True)
    + r"\end{aligned}"
)
_WHAT = {
    "dz2": "It computes the **output gradient** (shaded), one number per input.",
    "dW2": "It multiplies the **output gradient** (shaded) by W2's own local gradient, a1: the gradient dW2.",
    "db2": "It multiplies the **output gradient** (shaded) by b2's own local gradient, 1: the gradient db2.",
    "dz1": "It multiplies the output gradient by the **hidden gradient** (shaded): the error at each hidden z1.",
    "dW1": "It is the whole product, **all three factors** (shaded): the gradient dW1.",
    "db1": "It multiplies the output and hidden gradients (shaded) by b1's local gradient, 1: the gradient db1.",
}


def chain_tex(step: str) -> str:
    """∂ℓ/∂W1 for one example as the product of the notes' three factors, those that ``step`` computes
    shaded. Every factor is a slope between two named variables of the network."""
    on = _SHADED[step]
    parts = [(_SHADE + f + "$}") if i < on else f for i, f in enumerate(_FACTORS)]
    return r"\frac{\partial \ell}{\partial W_1} = " + r"\cdot".join(parts)


def chain_words(hidden: str, lead_in: bool = True) -> str:
    """The three factors of chain_tex with what each is on this network; ``lead_in``: end by
    introducing the matrix form that follows (presenter mode shows these words after it)."""
    fp = "a1 ⊙ (1 − a1)" if hidden == "sigmoid" else f"{ACTIVATION_NAMES[hidden]}′(z1)"
    words = (
        "**Output gradient** ∂ℓ/∂z2 = dz2 (a2 − y with cross-entropy). **Hidden gradient**: ∂z2/∂a1 = W2ᵀ "
        f"(because z2 = a1 @ W2 + b2) times ∂a1/∂z1 = f′(z1) = {fp}. **Local gradient**: ∂z1/∂W1 brings in X "
        "(because z1 = X @ W1 + b1). "
    )
    symbols = "⊙ multiplies entry by entry (the notes' \\*), @ is the matrix product, and the 1/N is the mean in L"
    if lead_in:
        return words + f"For all N inputs at once, as matrices — {symbols}:"
    return words + f"The matrix form above does all N inputs at once: {symbols}."


def chain_shapes(env: dict) -> tuple[str, str]:
    """(the dW1 chain's shapes as grouped, and why the other grouping is undefined), from NumPy."""
    wrong = F.shape_steps(F.DW1_MISGROUPED, env)[-1]
    return (
        "Shapes, as grouped: " + F.shapes_line(F.DW1_CHAIN, env) + ".",
        f"Grouped the other way, {wrong.text} would be ({F.shape_text(wrong.left)}) @ ({F.shape_text(wrong.right)}): "
        "undefined. Per example the three factors are plain numbers and any order works; as matrices, "
        "dz2 @ W2ᵀ comes first.",
    )


SIGMA_PRIME_WORDS = (
    "σ(z) = 1/(1 + e^(−z)) squashes any number into (0, 1). Its slope follows from the chain rule; the last line "
    "uses e^(−z)/(1 + e^(−z)) = 1 − σ(z). So for sigmoid neurons f′(z1) = a1 ⊙ (1 − a1), the notes' "
    "a1 \\* (1 - a1), computed from the activations the forward pass already stored; it is largest, 0.25, at "
    "z = 0. **⊙** multiplies two matrices of the same shape entry by entry (the notes write \\* in their code); "
    "**@** is the matrix product."
)
SIGMA_PRIME_TEX = (
    r"\begin{aligned}\sigma(z) &= \frac{1}{1 + e^{-z}} \\ \sigma'(z) &= \frac{e^{-z}}{(1 + e^{-z})^{2}}"
    r" \\ &= \frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}} \\ &= \sigma(z)\,\big(1 - \sigma(z)\big)\end{aligned}"
)
BIAS_SUM_WORDS = {  # the backward twin of broadcasting a bias row over every input
    "db2": "b2 is one number added to every input's z2, so its gradient collects the error of every row: "
    "the sum of dz2 over the rows, / N.",
    "db1": "b1 is one row added to every row of X @ W1 (broadcasting, see Forward pass), so every input "
    "sends its error to the same b1: db1 sums dz1 over the rows, / N.",
}


def step_heading(step: str) -> str:
    return f"**Step {bl.STEPS.index(step) + 1} of 6 — {step}: {STEP_TITLES[step]}.** {_WHAT[step]}"


def _d(a: str, b: str) -> str:
    return rf"\frac{{\partial {a}}}{{\partial {b}}}"


_MEAN = r"\tfrac{1}{N}\textstyle\sum_n "


def step_tex(step: str, loss: str) -> str:
    """Two lines: the chain rule for ``step`` (per example ℓ; a parameter's gradient is the mean over
    the examples), then what it works out to, as the page's matrix formula."""
    first = {
        "dz2": (_d(r"\ell", "z_2"), _d(r"\ell", "a_2") + r"\cdot" + _d("a_2", "z_2")),
        "dW2": (_d("L", "W_2"), _MEAN + _d(r"\ell_n", "z_2") + r"\cdot" + _d("z_2", "W_2")),
        "db2": (_d("L", "b_2"), _MEAN + _d(r"\ell_n", "z_2") + r"\cdot" + _d("z_2", "b_2")),
        "dz1": (_d(r"\ell", "z_1"), _d(r"\ell", "z_2") + r"\cdot" + _d("z_2", "a_1") + r"\cdot" + _d("a_1", "z_1")),
        "dW1": (_d("L", "W_1"), _MEAN + _d(r"\ell_n", "z_1") + r"\cdot" + _d("z_1", "W_1")),
        "db1": (_d("L", "b_1"), _MEAN + _d(r"\ell_n", "z_1") + r"\cdot" + _d("z_1", "b_1")),
    }[step]
    if step == "dz2":
        second = (
            r"\frac{a_2 - y}{a_2(1-a_2)}\cdot a_2(1-a_2) = a_2 - y" if loss == "bce" else r"(a_2 - y)\cdot a_2(1 - a_2)"
        )
    else:
        second = F.render(F.BACKWARD[step], tex=True)
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
        "L": f"{LOSS_NAMES[led.loss_name]} = {f(led.loss, 4)}",
        "a2": "a2 = " + ", ".join(f(v, 3) for v in led.a2[:, 0]),
    }


def what_it_means(led: bl.Ledger, step: str) -> str:
    """The notes' intuition for ``step``, with the current network's numbers."""
    f, N, act = fmt, led.N, get_activation(led.hidden)
    if step == "dz2":
        n = bl.biggest_push(led)
        intro = (
            "For binary cross-entropy with a sigmoid output the maths works out beautifully: **dz2 = a2 − y**, "
            "the derivative of **one input's** loss ℓ with respect to the output's pre-activation z2 "
            "(dz2[n] = ∂ℓₙ/∂z2, not divided by N: the 1/N of the mean L comes in when the inputs are added up, "
            "in dW2, db2, dW1 and db1). "
            if led.loss_name == "bce"
            else "With mean squared error the sigmoid's slope does not cancel: **dz2 = (a2 − y)·σ'(z2)**. "
        )
        return (
            intro + "If predicted 0.9 but true is 1 → −0.1 (should increase); if predicted 0.1 but true is 0 "
            f"→ +0.1 (should decrease). Live: the biggest push comes from **{ROW_LABELS[n]}**: a2 = "
            f"{f(led.a2[n, 0], 4)}, y = {int(led.y[n, 0])}, dz2 = {f(led.dz2[n, 0], 4)} — "
            f"“{dz2_words(led.a2[n, 0], led.y[n, 0])}”"
        )
    if step == "dW2":
        o = bl.off_neuron_example(led)
        text = (
            "z2 = a1 @ W2 + b2, so the slope of z2 with respect to W2[j] is a1[j], hidden neuron j's activation "
            "(the notes: dz2/dW2 = a1.T); added up over the inputs, that is the matrix product a1ᵀ @ dz2. *How much "
            "did each hidden neuron contribute to the error?* High activation and high error → big gradient; a "
            "neuron that was **off** (low activation) → small gradient: it wasn't involved. "
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
            "A bias is a weight on an input that is always 1 (∂z2/∂b2 = 1), so db2 is just the average of dz2: "
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
        slope = "σ′ = a1·(1 − a1), at most 0.25" if led.hidden == "sigmoid" else ACTIVATION_NAMES[led.hidden] + "′"
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
            + f"The largest entry is dW1 = {f(bl.largest_entry(led.dW1), 4)}. The notes' Step 4 writes this line "
            "as dz1ᵀ @ X: that is dW1 **transposed** (entry 5 of the ledger below shows both)."
        )
    return (
        "b1 was added to every row of X @ W1 (every input), so its gradient collects every row: the average of "
        "dz1 over the four inputs, one number per hidden neuron: "
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


def _bracketed(t: str) -> str:
    """A negative factor in brackets, as in "· (−7.10)"."""
    return f"({t})" if t.startswith("-") else t


def example_dz1_tex(led: bl.Ledger, row: int, shown: int = 4, narrow: bool = False) -> str:
    """dz1 for one input, neuron by neuron: dz2 · W2[j] · f'(z1) (the first ``shown`` neurons);
    ``narrow`` (presenter mode's larger maths): each result on a line of its own, so it fits a phone."""
    dz2 = float(led.dz2[row, 0])
    lines = []
    for j in range(min(led.width, shown)):
        product = rf"{tex(dz2, 4)} \cdot {_bracketed(tex(led.W2[j, 0], 2))} \cdot {tex(led.fp1[row, j], 4)}"
        result = tex(led.dz1[row, j], 4)
        lines.append(rf"h_{j + 1}\!: &\ {product} \\ &= {result}" if narrow else rf"h_{j + 1}\!:\ {product} = {result}")
    return r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}"


def zero_network_tex(zled: bl.Ledger, row: int) -> str:
    return (
        rf"\begin{{aligned}} a_2 &= \sigma(0) = {tex(zled.a2[row, 0], 4)} \\ "
        rf"dz_2 &= {tex(zled.a2[row, 0], 4)} - 1 = {tex(zled.dz2[row, 0], 4)} \end{{aligned}}"
    )


def _exact(v: float) -> str:
    """0 as "0" (it is exactly 0), anything else to 4 decimals."""
    return "0" if v == 0 else fmt(v, 4)


def _steps(start: na.StartCheck) -> str:
    return f"{start.epochs:,} steps of gradient descent at learning rate {start.lr:g}"


def small_start_words(start: na.StartCheck, row: int) -> str:
    """The notes' "0.5 (initially)" read as small random weights: near 0.5, and they learn."""
    a2 = float(start.a2[row, 0])
    right = round(start.accuracy_after * len(start.a2))
    return (
        f"**Small random weights** (each drawn from U(−{na.SMALL_START['limit']}, {na.SMALL_START['limit']}), "
        f"biases 0) give outputs near 0.5: a2 = {fmt(a2, 4)} for {ROW_LABELS[row]}, so dz2 = {fmt(a2 - 1, 4)} — "
        f"“{dz2_words(a2, 1.0)}”. Its hidden neurons start different, so they get different gradients "
        f"(they differ by up to {num(start.gradient_twin_gap)}) and can learn different features: "
        f"{_steps(start)} take the loss from {fmt(start.loss_before, 4)} to {fmt(start.loss_after, 4)}, "
        f"{right} of {len(start.a2)} right."
    )


def zero_start_words(zled: bl.Ledger, row: int) -> str:
    """The notes' numbers exactly: the all-zero network, and why it cannot learn."""
    biggest = bl.largest_gradient(zled)
    return (
        f"**Every weight and bias 0** gives exactly σ(0) = 0.5 for every input, and the notes' numbers exactly: "
        f"“{dz2_words(zled.a2[row, 0], zled.y[row, 0])}”. But W2 = 0 passes no error back (largest |dW1| = "
        f"{_exact(abs(bl.largest_entry(zled.dW1)))}), and "
        + (
            "**every gradient is exactly 0** here: the four errors "
            f"({', '.join(fmt(v, 1) for v in zled.dz2[:, 0])}) cancel in dW2 and db2, so gradient descent can never "
            "leave this point."
            if biggest == 0
            else f"the largest gradient is only {num(biggest)}."
        )
    )


def _still_twins(gap: float) -> str:
    return "are still exactly equal" if gap == 0 else f"still differ by only {num(gap)}"


def twin_start_words(twin: na.StartCheck) -> str:
    """Symmetry: equal starting weights keep every hidden neuron identical, whatever the steps."""
    right = round(twin.accuracy_after * len(twin.a2))
    return (
        "**Symmetry.** Zero weights have a second trap, which any equal starting weights share: every hidden "
        "neuron computes the same a1, receives the same error and gets the same gradient, so every step keeps "
        f"them identical. Start every weight at {na.TWIN_WEIGHT:g} (biases 0): after {_steps(twin)} the hidden "
        f"neurons' weights {_still_twins(twin.twin_gap_after)}, the loss is {fmt(twin.loss_after, 4)} and "
        f"{right} of {len(twin.a2)} inputs are right — identical hidden neurons act as one neuron, and one neuron "
        "cannot do XOR (see Architecture). Random starting weights **break the symmetry**: that is why training "
        "starts from random weights."
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
def _expr(led: bl.Ledger, name: str) -> str:
    return dz2_expr(led.loss_name) if name == "dz2" else F.BACKWARD[name]


def ledger_heading(led: bl.Ledger, name: str, env: dict) -> str:
    """A ledger entry's first line: number, name, what it computes, its shape and the shapes of its
    products as NumPy meets them (``env``: core.formulas.environment of the same network)."""
    steps = [st for st in F.shape_steps(_expr(led, name), env) if st.op in ("@", "⊙")]
    how = " ".join(
        (f"({F.shape_text(st.left)}) " if i == 0 else "") + f"{st.op} ({F.shape_text(st.right)})"
        for i, st in enumerate(steps)
    )
    shape = F.shape_text(np.shape(F.evaluate(_expr(led, name), env)))
    how = f" — {how}" if how else ""
    return f"**{bl.STEPS.index(name) + 1} · {name}** — {STEP_TITLES[name]} · shape **{shape}**{how}"


def ledger_tex(led: bl.Ledger, name: str) -> str:
    """The backward-pass line for ``name`` as a formula (core.formulas, so its grouping is the one NumPy runs)."""
    line = F.render(_expr(led, name), tex=True)
    if name == "dz1":
        return rf"\begin{{aligned}} dz_1 &= {line} \\ f'(z_1) &= " + F_PRIME_TEX[led.hidden] + r"\end{aligned}"
    return F.render(name, tex=True) + " = " + line


def _digits_for(gap: float) -> int:
    """Enough decimals (4 to 8) for two numbers ``gap`` apart to look different."""
    return 4 if gap <= 0 else int(min(8, max(4, np.ceil(-np.log10(gap)) + 1)))


def _flat(a: np.ndarray, digits: int = 4) -> str:
    """A small matrix inline, row by row: [−0.0049, −0.0043; −0.0059, −0.0032]."""
    rows = np.atleast_2d(a)
    return "[" + "; ".join(", ".join(fmt(v, digits) for v in r) for r in rows) + "]"


def shape_comments_words(audit: dict, led: bl.Ledger) -> str:
    """The notes' shape comments in their code, checked against the shapes NumPy meets here."""
    claimed = [c for c in audit.values() if c.claimed_ok is not None]
    products = [c for c in claimed if "@" in c.formula.quote]
    quotes = ", ".join(f"{c.formula.quote.split('# ')[1]} for {c.formula.key}" for c in products)
    if all(c.claimed_ok for c in claimed):
        return (
            f"The shape comments in the notes' code ({quotes}) are all right: they are the shapes NumPy meets here, "
            "shown in each heading below."
        )
    return (
        f"The shape comments in the notes' code ({quotes}) are for their network with 2 hidden neurons; this one "
        f"has {led.width}, so each heading below shows {led.width} where the notes have 2."
    )


def full_gradient_words(check: na.FormulaCheck) -> str:
    """The notes' Step 2 "Full gradient: dW2 = a1.T @ dz2" (no 1/N), with the numbers."""
    quote = f"the notes' Step 2 writes the “Full gradient” as **{check.formula.quote}**, without the / N of their code"
    if check.zero:
        return f"Careful: {quote}; for this network both are 0, so the difference cannot show."
    return (
        f"Careful: {quote}. That is a1ᵀ @ dz2 = {_flat(check.notes_value)}, N = {check.N} times dW2 = "
        f"{_flat(check.code_value)}. Dividing by N is what makes dW2 the gradient of the mean loss L."
    )


def transpose_words(check: na.FormulaCheck, notes: np.ndarray, code: np.ndarray) -> str:
    """The notes' Step 4 "dL/dW1 = … = dz1.T @ X": dW1 transposed. ``notes``, ``code``: dz1ᵀ @ X / N
    and Xᵀ @ dz1 / N (core.notes_audit.transpose_slip)."""
    quote = f"The notes' Step 4: *{check.formula.quote}*."
    if check.shape_differs:
        shapes = f"dz1ᵀ @ X is {F.shape_text(notes.shape)} and dW1 is {F.shape_text(code.shape)}"
        return (
            f"{quote} With {code.shape[1]} hidden neurons {shapes}: even the shapes disagree, so W1 − lr·(dz1ᵀ @ X) "
            "would fail. It is dW1 **transposed** (and, as written, without the / N). Side by side, with their "
            "code's / N added:"
        )
    same = bool(np.allclose(notes, code, rtol=1e-9, atol=1e-15))
    tail = (
        "here dW1 happens to be symmetric, so the two agree: pick another network to see them differ."
        if same
        else f"for this network they still differ by up to {num(float(np.max(np.abs(notes - code))))}, and "
        "gradient descent would move each weight by another weight's gradient."
    )
    return (
        f"{quote} For a network with 2 hidden neurons dz1ᵀ @ X is 2×2, the same shape as dW1, so no shape check "
        "catches it — but it is dW1 **transposed**: entry [0, 1] (x1 → h2) gets the number that belongs to "
        f"[1, 0] (x2 → h1). (As written it also drops the / N.) With their code's / N added: {tail}"
    )


SUMMARY_WORDS = (
    "The notes' visual summary: the forward pass down the left, the backward pass back up the right. The notes "
    f"caption dW2 and dW1 “{na.SUMMARY_CAPTIONS['dW2']}” and “{na.SUMMARY_CAPTIONS['dW1']}”, but those lines only "
    "**compute** gradients: every update waits until all six lines are done (section 6). Their diagram also writes "
    "dW2 = a1ᵀ@dz2 and dW1 = Xᵀ@dz1 without the / N of their code."
)


OLD_WEIGHTS = (
    "**Every gradient of a step uses the old weights:** first compute all six lines of the backward pass (dz2, "
    "dW2, db2, dz1, dW1, db1) from the weights as they are, and only then update every number."
)


def order_words(o: na.OrderCheck) -> str:
    """What the classic bug (updating W2 before passing the error back) would change, live."""
    return (
        "The notes' diagram captions dW2 “Update W2” before “Pass error back”. Updating W2 that early is a classic "
        "bug, because dz1 = (dz2 @ W2ᵀ) ⊙ f'(z1) would then "
        f"read the new W2. For the current network (see the side panel) and lr = {o.lr:g}, dW1 would come out as "
        f"{_flat(o.dW1_w2_first, _digits_for(o.gap))} instead of {_flat(o.dW1, _digits_for(o.gap))} "
        f"(largest difference {num(o.gap)})."
    )


def dz1_titles(hidden: str) -> tuple[str, str, str]:
    """Titles over dz1's three tables: what is passed back, times f'(z1), gives dz1."""
    return "dz2 @ W2ᵀ (error passed back)", f"⊙ f'(z1) ({f_prime_words(hidden)})", "= dz1"


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


def step_verdict(rec: bl.GDStep) -> tuple[str, str]:
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
GRADCHECK_CENTRAL = (
    r"\frac{\partial L}{\partial \theta} \approx \frac{L(\theta+\varepsilon) - L(\theta-\varepsilon)}{2\varepsilon}"
)


def gradcheck_lead(n_params: int) -> str:
    return (
        f"Take one of the {n_params} parameters θ, nudge it up and down by a small ε = 0.001 and recompute the loss "
        "both times: the slope between the two points, the **central difference**, estimates ∂L/∂θ. Backprop's "
        "gradient should match it, parameter by parameter."
    )


def gradcheck_detail(gc2, gc5) -> str:
    """Why the table uses the 5-point rule: both checks' largest relative errors (core.gradcheck)."""
    return (
        "The table uses the **5-point** central difference, which also nudges by ±2ε: its error shrinks like ε⁴ "
        "instead of ε², so it stays far below backprop's rounding even where gradients are tiny. Largest "
        f"relative error here: {gc2.max_rel_error:.1e} with the formula above, {gc5.max_rel_error:.1e} with the "
        "5-point rule."
    )


GRADCHECK_TEX = (  # three short lines: they fit a phone
    r"\begin{aligned}\frac{\partial L}{\partial \theta} &\approx \tfrac{1}{12\,\varepsilon}\big[-L(\theta+2\varepsilon)"
    r" \\ &\quad + 8L(\theta+\varepsilon) - 8L(\theta-\varepsilon) \\ &\quad + L(\theta-2\varepsilon)\big]\end{aligned}"
)


def current_prediction(led: bl.Ledger, row: int) -> str:
    """What the current network predicts for one input, in the notes' words."""
    label = ROW_LABELS[row]
    return (
        f"The current network predicts **{fmt(led.a2[row, 0], 4)}** for {label} "
        f"(dz2 = {fmt(led.dz2[row, 0], 4)}: {dz2_words(led.a2[row, 0], led.y[row, 0])})."
    )


def summary_caption(step: str) -> str:
    """The caption under the diagram: what it is, and which step it highlights."""
    return (
        SUMMARY_WORDS + f" Highlighted: **{step}** ({STEP_TITLES[step]}); dashed arrows show what it reads "
        "from the forward pass."
    )


def summary_alt(step: str) -> str:
    """The summary diagram's text alternative (a screen reader's, in one sentence)."""
    return (
        "Diagram of the notes' summary: the forward pass X → z1 → a1 → z2 → a2 → loss down the left, the "
        "backward pass from the loss (dz2, then dW2 and db2; dz1, then dW1 and db1) back up the right; "
        f"highlighted: {step} ({STEP_TITLES[step]}), with dashed arrows from the forward values it reads."
    )


# ----- 2 · one example --------------------------------------------------------------------------------
def example_heading(led: bl.Ledger, row: int) -> str:
    return f"**Input {ROW_LABELS[row]}, true output {int(led.y[row, 0])}. Predicted: {fmt(float(led.a2[row, 0]), 4)}.**"


def example_meaning(led: bl.Ledger, row: int) -> str:
    return f"This means: “**{dz2_words(float(led.a2[row, 0]), float(led.y[row, 0]))}**”"


MISCLASSIFIED = "The output is on the wrong side of 0.5: this input is misclassified."
PASSED_BACK = "Passed back, each hidden neuron gets dz2 · W2[j] · f'(z1):"


def first_neurons_caption(width: int) -> str | None:
    """Under dz1's example: which hidden neurons it shows (None when it shows them all)."""
    return f"(first 4 of {width} hidden neurons; every one is in the dz1 table below)" if width > 4 else None


NOTES_EXAMPLE = (
    "The notes: *Input [1, 0], true output 1. Predicted: 0.5 (initially). dz2 = 0.5 − 1.0 = −0.5.* That is an "
    "untrained network — and two very different untrained networks print about 0.5. "
)


# ----- 3 · the ledger ----------------------------------------------------------------------------------
def ledger_lead(checks: dict, led: bl.Ledger) -> str:
    return (
        "The notes' code, in its order, with this network's numbers. Each gradient is a sum over the four inputs, "
        f"so every table shows **what each input adds** (already divided by N = {led.N}); the last row, **sum = …**, "
        "is the gradient itself. The row marked ▶ is the input picked in section 2. "
        + shape_comments_words(checks, led)
    )


NOTES_DW1 = "The notes' dz1ᵀ @ X / N"
CODE_DW1 = "dW1 = Xᵀ @ dz1 / N (the code)"
CONTRIBUTIONS_CAPTION = (
    "Each bar is one input's term (the rows of the tables above); the bars of a parameter add up to its "
    "gradient. Red = positive (gradient descent will lower that number), blue = negative (it will raise it)."
)


# ----- 4 · which loss --------------------------------------------------------------------------------
def which_loss_words(led: bl.Ledger) -> str:
    return (
        "With **binary cross-entropy**, dz2 = a2 − y holds exactly: the loss's 1/(a2(1 − a2)) cancels the sigmoid's "
        "slope. With **mean squared error** (½(a2 − y)² per input) nothing cancels, so dz2 gains the factor "
        "**σ'(z2) = a2·(1 − a2)**, which is at most 0.25 and close to 0 when the output saturates near 0 or 1. "
        f"The page currently uses **{LOSS_NAMES[led.loss_name]}** (choose at the top)."
    )


SATURATED_WRONG = (
    "Saturated outputs barely move under MSE — even when they are saturated at the *wrong* answer, "
    "where BCE still pushes with almost the full error."
)
SIGMOID_PRIME_CAPTION = (
    "σ'(z2) with each input's z2 marked (red = class 1, blue = class 0). The table above has the same numbers."
)


# ----- 5, 6 ----------------------------------------------------------------------------------------------
NETWORK_OUT_OF_SCOPE = "This page explains networks with one hidden layer and one sigmoid output: {problem}."
NOT_FINITE = "The backward pass produced an infinite or undefined number for this network, so nothing is shown."
GRADCHECK_NOT_FINITE = "Some nudged losses were infinite or undefined, so those rows are shown as “—”."
DESCENT = "Move every number a little against its gradient: **W ← W − lr · dW**, **b ← b − lr · db**."
ORDER_BUG = "The classic bug: updating W2 before passing the error back"
OUTPUTS_CAPTION = "The outputs for the four inputs before and after this step."


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


def walk_caption(steps: int, rec: bl.GDStep | None, led: bl.Ledger) -> str:
    """Where the walk of section 6 stands: not started, or step ``steps`` of it."""
    if rec is None:
        return (
            "No step taken yet. Start: the current network (the side panel's Network control), "
            f"{LOSS_NAMES[led.loss_name]} = {fmt(led.loss, 4)}. "
            "Press **Take one step**; each press steps again from where you are."
        )
    return (
        f"**Step {steps}** from the starting network (learning rate {rec.lr:g}, loss: {LOSS_NAMES[rec.loss_name]}). "
        "Press again to keep stepping, or Reset to return to the current network."
    )


def step_metrics(rec: bl.GDStep, steps: int) -> list[tuple[str, str, str | None]]:
    """(label, value, change) of the three numbers above a step's tables."""
    after = (f"{rec.loss_after:.6f}", f"{rec.loss_after - rec.loss_before:+.6f}") if rec.finite else ("undefined", None)
    return [
        ("Loss before this step", f"{rec.loss_before:.6f}", None),
        ("Loss after", *after),
        ("Steps taken", str(steps), None),
    ]


# ----- the charts' text alternatives (what each shows now) ------------------------------------------
def contributions_description(terms: dict) -> str:
    """The contributions chart in one sentence: its size and its longest bar, from its own data."""
    params = list(dict.fromkeys(terms["parameter"]))
    inputs = list(dict.fromkeys(terms["input"]))
    i = int(np.argmax(np.abs(terms["term"])))
    return (
        f"Bars: what each of the {len(inputs)} inputs adds to each of the {len(params)} gradients (red positive, "
        f"blue negative); the longest is input {terms['input'][i]}'s {num(float(terms['term'][i]))} to "
        f"{terms['parameter'][i].split()[0]}."
    )


def sigmoid_prime_description(points: dict) -> str:
    """The σ'(z2) chart in one sentence, with the four inputs' slopes from its own data."""
    marks = ", ".join(f"{r} {num(float(v))}" for r, v in zip(points["input"], points["slope"]))
    return f"The curve σ'(z2) = a2·(1 − a2), at most 0.25 at z2 = 0, with each input's slope marked: {marks}."
