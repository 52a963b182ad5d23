"""The Vanishing-gradient page's words, formulas and tables, built from core's numbers (never typed in)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from app.names import ACTIVATION_NAMES, DATASET_NAMES, FLOW_INIT_NAMES, PRESET_NAMES
from app.ui import sci, sup, tex_sci
from core.activations import ACTIVATIONS, LEAKY_SLOPE, SATURATED
from core.flow import (
    DEAD_SHARE,
    DERIVATIVE,
    EXPLODE_RATIO,
    FLOW_ACTIVATIONS,
    HUGE_GRAD,
    PRESETS,
    SATURATED_SHARE,
    TINY_GRAD,
    VANISH_RATIO,
    FlowReport,
    Overflow,
)
from core.train import DIVERGE_FACTOR

ONE_PCT = f"{SATURATED * 100:g} %"  # "1 %" (of the peak): below it a unit counts as saturated


def dead_words(n_examples: int) -> str:
    """What "dead" means on a batch of ``n_examples``: the words every dead-unit label uses."""
    return f"0 for all {n_examples} examples" if n_examples != 1 else "0 for its one example"


def overflow_words(o: Overflow) -> str:
    """Where the numbers first stopped being finite, e.g. "the backward pass overflowed at layer 3 (∂L/∂W3 …)"."""
    name = {"z": f"z{o.layer}", "dz": f"∂L/∂z{o.layer}", "dW": f"∂L/∂W{o.layer}"}[o.quantity]
    return f"the {o.direction} pass overflowed at layer {o.layer} ({name} holds inf/NaN)"


def verdict(r: FlowReport) -> str:
    """One line: core.flow's verdict for ``r`` and why, from its numbers (core decides, this words it)."""
    g = r.diagnosis
    d = DERIVATIVE[r.hidden]
    peak = ACTIVATIONS[r.hidden].peak
    per_layer = f"‖∂L/∂z‖ changes ×{sci(r.factor)} per layer on average"
    through = f"so layer 1 gets {sci(r.ratio_dz)}× the output layer's gradient"
    parts = (
        f"each layer multiplies it by the weights' gain √n·std(W) ≈ {sci(g.gain)} and by {d} (rms {sci(g.dact_rms)})"
    )
    why_sat = (
        f"{g.saturated:.0%} of the hidden-unit values are saturated ({d} below {SATURATED:.0%} of its peak {peak:g})"
    )
    zero_on = dead_words(r.n_examples)
    head = f"Healthy gradient flow: {per_layer} ({through}), largest ‖∂L/∂W‖ {sci(g.max_dW)}"
    match g.reason:
        case "overflow":
            return f"Exploding: {overflow_words(r.overflow)}; the gradient is too large to represent."
        case "grows" | "grows_saturated":
            extra = f", even though {why_sat}" if g.reason == "grows_saturated" else ""
            return f"Exploding: {per_layer}, {through} (largest ‖∂L/∂W‖ {sci(g.max_dW)}): {parts}{extra}."
        case "dead_layer" | "dead_share":
            where = (
                f"every unit of layer {g.dead_layer} is dead"
                if g.reason == "dead_layer"
                else f"{g.dead:.0%} of the hidden units are dead"
            )
            return (
                f"Dead: {where} on this batch ({zero_on}, so {d} = 0 there and no gradient passes back through "
                f"them for these inputs); ‖∂L/∂z1‖ = {sci(r.dz_norm[0])}."
            )
        case "tiny":
            return (
                f"Vanishing: the ratios look fine ({per_layer}) but every ‖∂L/∂W‖ is below {TINY_GRAD:g} "
                f"(largest {sci(g.max_dW)}), so no weight moves."
            )
        case "saturated" if g.kind == "vanishing":
            return f"Vanishing: {per_layer}, {through}: {why_sat}."
        case "shrinks":
            return f"Vanishing: {per_layer}, {through}: {parts}."
        case "saturated":
            return f"Saturated: {why_sat}; {per_layer}, {through}."
        case "some_dead":  # a large dead share under DEAD_SHARE: say what it is and why it passes
            return (
                f"{head}. {g.dead:.0%} of the hidden units are dead on this batch ({zero_on}: they pass no gradient "
                f"back for these inputs), fewer than the {DEAD_SHARE:.0%} that makes the verdict “dead”; the other "
                "units carry the gradient."
            )
    state = (
        "no dead units on this batch"
        if r.hidden == "relu"
        else f"{g.saturated:.0%} of the hidden-unit values saturated"
        if r.hidden in ("sigmoid", "tanh")
        else "no saturation"
    )
    return f"{head}, {state}."


INTRO = (
    f"The notes end on a warning: σ'(z) is at most **{ACTIVATIONS['sigmoid'].peak:g}**, a saturated neuron "
    "passes back almost nothing, so *deep* sigmoid networks struggle — “this is why ReLU became popular”. "
    "Here is that argument with live numbers: the derivatives themselves, a deep network's gradients layer by "
    "layer, and what happens when you try to train one."
)

# ----- 1. activation derivatives ---------------------------------------------------------------
DERIVATIVES_INTRO = (
    "Back-propagation multiplies the gradient by the activation's derivative at every layer "
    f"(the notes' `dz1 = (dz2 @ W2.T) * a1 * (1 − a1)`). Shaded: where the derivative is below {ONE_PCT} of its "
    "peak — the unit is **saturated** and passes back almost nothing."
)


def saturation_caption(zones: dict) -> str:
    """zones: activation -> where its derivative is below 1 % of its peak (run.saturation_zones)."""
    parts = []
    for name in FLOW_ACTIVATIONS:
        runs = zones[name]
        d = DERIVATIVE[name]
        if not runs:
            parts.append(
                f"{d} never drops below {ONE_PCT} of its peak (for z < 0 it is {LEAKY_SLOPE:g}: exactly {ONE_PCT})"
            )
        elif len(runs) == 2:
            parts.append(f"{d} < {ONE_PCT} of its peak {ACTIVATIONS[name].peak:g} where |z| > {runs[1][0]:.2f}")
        else:
            parts.append(f"{d} < {ONE_PCT} of its peak where z ≤ {runs[0][1]:.2f} (it is exactly 0 there)")
    return "Computed saturation zones: " + "; ".join(parts) + "."


def at_z(z: float, n: int, sig) -> str:
    """The sigmoid at z, and what n such layers multiply a gradient by (sig: core.flow.DerivativeAt)."""
    return (
        f"**At z = {z:g}** a sigmoid unit outputs σ(z) = {sig.value:.4f} and passes back σ'(z) = {sig.slope:.4g}. "
        f"A gradient that crosses **{n} such layers** is multiplied by σ'(z){sup(n)}:"
    )


def power_latex(z: float, n: int, sig) -> str:
    base = tex_sci(sig.slope)
    base = rf"\left({base}\right)" if "times" in base else base
    return rf"\sigma'({z:g})^{{{n}}} = {base}^{{{n}}} = {tex_sci(sig.through_n)}"


def best_case(n: int, best) -> str:
    return (
        f"Even in the best case, z = 0, that is {best.slope:g}{sup(n)} = {sci(best.through_n)}: the weights would "
        f"have to multiply the gradient back up by {sci(1 / best.through_n)} to make up for it."
    )


def zero_caption(zero: list[str], z: float) -> str:
    kink = (
        " (at exactly z = 0, ReLU'(0) = 0 and leaky ReLU'(0) = 0.01: PyTorch's convention at the kink)"
        if z == 0
        else ""
    )
    return (
        f"Not drawn (a log axis has no 0): {', '.join(zero)}{kink} — the product is exactly 0 at this z "
        "(or below 1e−308, the smallest float)."
    )


def derivative_table(rows: list, n: int) -> tuple[pd.DataFrame, dict]:
    """One row per activation at the chosen z: f, f', its peak, f'/peak, saturated?, f'ⁿ; and its formats."""
    power = f"f'(z){sup(n)}"
    df = pd.DataFrame(
        {
            "activation": [ACTIVATION_NAMES[r.name] for r in rows],
            "f(z)": [r.value for r in rows],
            "f'(z)": [r.slope for r in rows],
            "peak": [r.peak for r in rows],
            "f'(z) ÷ peak": [r.slope / r.peak for r in rows],
            "saturated": ["yes" if r.saturated else "no" for r in rows],
            power: [r.through_n for r in rows],
        }
    )
    return df, {"f(z)": "%.4f", "f'(z)": "%.4g", "peak": "%g", "f'(z) ÷ peak": "percent", power: "%.3e"}


def activation_description(name: str, z: float, zones) -> str:
    act = ACTIVATIONS[name]
    where = f"; shaded where it is below {ONE_PCT} of that" if zones else ""
    return (
        f"{ACTIVATION_NAMES[name]} and its derivative {DERIVATIVE[name]} for z from −8 to 8: the derivative peaks "
        f"at {act.peak:g}{where}; a dashed line marks z = {z:g}."
    )


def activations_description(z: float, zones: dict) -> str:
    """The four-panel chart's text alternative: what each panel shows, in FLOW_ACTIVATIONS' order."""
    return " ".join(activation_description(name, z, zones[name]) for name in FLOW_ACTIVATIONS)


def powers_description(z: float, n: int, rows: list) -> str:
    ends = ", ".join(f"{ACTIVATION_NAMES[r.name]} {sci(r.through_n)}" for r in rows)
    return f"f'(z)ⁿ at z = {z:g} for n = 1 … {n} layers, on a log axis; after {n} layers: {ends}."


# ----- 2. deep network explorer ----------------------------------------------------------------
EXPLORER_INTRO = (
    "A network with many hidden layers of equal width: 2 inputs → *width* × *layers* → 1 sigmoid output, "
    "binary cross-entropy, one forward and one backward pass. Watch the back-propagated gradient "
    "‖∂L/∂z‖ as it travels from the output (right) back to layer 1 (left)."
)
FACTOR_HELP = (
    "Geometric mean of ‖∂L/∂z_l‖ ÷ ‖∂L/∂z_{l+1}‖ over all layers: what one layer multiplies the "
    "back-propagated gradient by, on average."
)


def overflow_warning(overflow: Overflow) -> str:
    return (
        f"Overflow: {overflow_words(overflow)}. Values that are not finite are left out of the charts and tables below."
    )


def flow_caption(dropped: int) -> str:
    note = f"{dropped} norm(s) not drawn: exactly 0 or not finite (a log axis shows neither)." if dropped else ""
    return (
        "The gradient flows right → left, from the output back to layer 1. "
        "Both are needed: ‖∂L/∂W_l‖ = ‖a_{l−1}.T @ dz_l‖ / N mixes the shrinking gradient with the activations "
        "coming forward, so its first-to-last ratio can stay near 1 while every gradient is tiny — read the "
        "absolute values on the axis too. " + note
    )


def flow_description(r: FlowReport) -> str:
    L = r.n_layers
    return (
        f"Gradient norms per layer on a log axis, layers 1 to {L}: ‖∂L/∂z‖ from {sci(r.dz_norm[-1])} at the output "
        f"to {sci(r.dz_norm[0])} at layer 1, about ×{sci(r.factor)} per layer; ‖∂L/∂W‖ from {sci(r.dW_norm[-1])} "
        f"to {sci(r.dW_norm[0])}."
    )


def tables_caption(L: int, act: str, words: list[str]) -> str:
    return (
        f"The output layer {L} is only in the first table: it has no layer after it (so no ratio), and its "
        f"activation is the sigmoid output, not the hidden {ACTIVATION_NAMES[act]}, so its mean derivative and "
        "shares would say nothing about the hidden units."
        + (f" Some values of {', '.join(words)} are not numbers; the cells say why in words." if words else "")
    )


def inside_caption(act: str, data: str, n_examples: int) -> str:
    if act != "relu":
        return (
            f"Saturated: {DERIVATIVE[act]} below {ONE_PCT} of its peak {ACTIVATIONS[act].peak:g}. The mean "
            "derivative ÷ its peak says how much of the best case each layer keeps."
        )
    few = (
        f" With only {n_examples} examples a unit is easily 0 on all of them — and on XOR the input (0, 0) gives "
        "z = 0 in every layer (the biases start at 0), so 3 inputs decide. The same unit may be active on "
        "other inputs: try the Gaussian batch."
        if data == "xor"
        else ""
    )
    return (
        "Inactive: z ≤ 0 for that example, so ReLU' = 0 — normal, about half of them. "
        f"Dead, *on this batch*: the unit is {dead_words(n_examples)} of the batch, so no gradient passes back "
        f"through it for these inputs.{few}"
    )


def shares_description(series: dict, n_hidden: int) -> str:
    """series: what the shares chart draws, label -> share per hidden layer (charts.share_series)."""
    parts = [f"{label}: {np.mean(v):.0%} on average" for label, v in series.items()]
    return f"Shares per hidden layer, 1 to {n_hidden}. " + "; ".join(parts) + "."


def layer_caption(r: FlowReport, layer: int) -> str:
    """What hidden layer ``layer``'s histograms say in numbers."""
    i, act = layer - 1, r.hidden
    dropped = r.act_hist[i].dropped + r.dact_hist[i].dropped + r.weight_hist[i].dropped
    return (
        f"Layer {layer}: std(a) = {sci(r.act_std[i])}, std(W) = {sci(r.weight_std[i])}, "
        f"mean {DERIVATIVE[act]} = {r.mean_dact[i]:.4g}, {r.saturated[i]:.0%} "
        + ("inactive" if act == "relu" else "saturated")
        + (f", {r.dead[i]:.0%} of its units dead on this batch ({dead_words(r.n_examples)})" if act == "relu" else "")
        + (f"; {dropped} non-finite values left out" if dropped else "")
        + f". Dashed line on the derivative: {ONE_PCT} of the peak."
    )


def histogram_description(what: str, h) -> str:
    return f"{what}: {h.total:,} values in {len(h.counts)} bins from {h.edges[0]:.4g} to {h.edges[-1]:.4g}."


def verdict_rules(n_examples: int) -> str:
    return (
        f"- **exploding**: something overflowed, ‖∂L/∂z₁‖ ÷ ‖∂L/∂z_L‖ > {EXPLODE_RATIO:g}, "
        f"or some ‖∂L/∂W‖ > {HUGE_GRAD:g};\n"
        f"- **dead**: a whole ReLU layer is 0 for every example of the batch, or ≥ {DEAD_SHARE:.0%} of the "
        f"hidden units are ({dead_words(n_examples)} — dead on this batch, not necessarily on others);\n"
        f"- **vanishing**: that ratio < {VANISH_RATIO:g}, or every ‖∂L/∂W‖ < {TINY_GRAD:g};\n"
        f"- **saturated** (sigmoid, tanh): ≥ {SATURATED_SHARE:.0%} of the hidden-unit values (over the batch) "
        f"below {ONE_PCT} of the peak;\n"
        "- otherwise **healthy** (gradient flow; it names any dead units below that share). Each layer "
        "multiplies the gradient by roughly √n·std(W) (the weights) × the derivative, which is what the "
        "verdict's *why* reports."
    )


# ----- the per-layer tables (no empty or NaN cell, ever) ----------------------------------------
NUMBER_FORMATS = {
    "layer": "%d",
    "units": "%d",
    "‖∂L/∂W‖": "%.3e",
    "‖∂L/∂z‖": "%.3e",
    "std(W)": "%.4g",
    "‖dz_l‖ ÷ ‖dz_l+1‖": "%.4g",
    "saturated": "percent",
    "inactive": "percent",
    "dead units": "percent",
}  # st.column_config formats by column name; any other number: "%.4g"


def column_config(df: pd.DataFrame, formats: dict | None = None) -> dict:
    """st.column_config for one of this page's tables: number formats for numeric columns
    (NUMBER_FORMATS, overridden by ``formats``), plain text for a column that had to say in words
    why a value is not a number."""
    formats = {**NUMBER_FORMATS, **(formats or {})}
    config = {}
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]):
            config[col] = st.column_config.NumberColumn(format=formats.get(col, "%.4g"))
        else:
            config[col] = st.column_config.TextColumn()
    return config


def _numbers_or_words(values: np.ndarray, fmt: Callable[[float], str], why: Callable[[int], str]):
    """``values`` (n,) as floats when all are finite; otherwise a text column: each finite value as
    ``fmt`` writes it, each other one as ``why(i)`` says (never NaN, inf or an empty cell)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    if ok.all():
        return v
    return [fmt(x) if ok[i] else why(i) for i, x in enumerate(v)]


def _overflow(i: int) -> str:
    return "not finite (overflow)"


def weight_layer_table(r: FlowReport) -> pd.DataFrame:
    """One row per weight layer l = 1..L (L = output): units, ‖∂L/∂W_l‖, ‖∂L/∂z_l‖, std(W_l).

    Every cell is defined for every layer; a norm that overflowed is written out in words."""
    L = r.n_layers
    return pd.DataFrame(
        {
            "layer": np.arange(1, L + 1),
            "units": np.asarray(r.sizes[1:], dtype=int),
            "‖∂L/∂W‖": _numbers_or_words(r.dW_norm, lambda v: f"{v:.3e}", _overflow),
            "‖∂L/∂z‖": _numbers_or_words(r.dz_norm, lambda v: f"{v:.3e}", _overflow),
            "std(W)": _numbers_or_words(r.weight_std, lambda v: f"{v:.4g}", _overflow),
        }
    )


def hidden_layer_table(r: FlowReport) -> pd.DataFrame:
    """One row per hidden layer l = 1..L−1: the gradient's factor from layer l+1 to l, the mean
    derivative and the saturated (ReLU: inactive) and dead shares. The output layer has none of
    these: no layer after it, and its activation is the sigmoid output, not the hidden one.

    A ratio that is not a number says why in words (0 ÷ 0 where no gradient reaches either layer)."""
    dz = r.dz_norm

    def why(i: int) -> str:
        if dz[i] == 0 and dz[i + 1] == 0:
            return "undefined: 0 ÷ 0 (no gradient reaches either layer)"
        if np.isfinite(dz[i]) and dz[i + 1] == 0:
            return "∞ (÷ 0)"
        return "not finite (overflow)"

    share = "inactive" if r.hidden == "relu" else "saturated"
    return pd.DataFrame(
        {
            "layer": np.arange(1, r.n_layers),
            "‖dz_l‖ ÷ ‖dz_l+1‖": _numbers_or_words(r.dz_factors, lambda v: f"{v:.4g}", why),
            f"mean {DERIVATIVE[r.hidden]}": _numbers_or_words(r.mean_dact, lambda v: f"{v:.4g}", _overflow),
            share: _numbers_or_words(r.saturated, lambda v: f"{v:.0%}", _overflow),
            "dead units": _numbers_or_words(r.dead, lambda v: f"{v:.0%}", _overflow),
        }
    )


def hist_table(r: FlowReport, layer: int) -> pd.DataFrame:
    """The three histograms of hidden layer ``layer`` as rows (values, from, to, count); empty bins left out."""
    rows = []
    for what, h in (
        (f"a{layer}", r.act_hist[layer - 1]),
        (f"W{layer}", r.weight_hist[layer - 1]),
        (DERIVATIVE[r.hidden], r.dact_hist[layer - 1]),
    ):
        rows += [
            {"values": what, "from": float(lo), "to": float(hi), "count": int(c)}
            for lo, hi, c in zip(h.edges[:-1], h.edges[1:], h.counts)
            if c
        ]
    return pd.DataFrame(rows, columns=["values", "from", "to", "count"])


# ----- what to expect, and what we measure ------------------------------------------------------
# The expected-vs-measured table's columns: "expected" is derived on the page (mean-field, core.flow),
# the others are measured on the explorer's data and seed. No number in it comes from a paper.
EXPECTED = "expected ×/layer (√χ₁)"
MEASURED = "measured ×/layer"
EXPECT_INTRO = (
    "Going back one layer multiplies the gradient by about the weights' gain times the activation's typical "
    "slope. Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017) turns that into a number for a deep "
    "random network: let the variance q of each layer's z settle to q*, then"
)
MEAN_FIELD = (
    r"\begin{aligned} q^{*} &= \sigma_w^2\,\mathbb{E}\big[f(\sqrt{q^{*}}\,u)^2\big] \\ "
    r"\chi_1 &= \sigma_w^2\,\mathbb{E}\big[f'(\sqrt{q^{*}}\,u)^2\big] \\ "
    r"\sigma_w^2 &= n\,\mathrm{Var}(W), \quad u \sim \mathcal{N}(0, 1) \end{aligned}"
)


def expect_method(data: str, seed: int) -> str:
    return (
        "with n = fan_in, the layer width, and no bias term (biases start at 0). χ₁ multiplies the *squared* size "
        "of ∂L/∂z per layer, so the expected per-layer factor is **√χ₁**: below 1 the gradient vanishes with "
        "depth, above 1 it explodes. The *expected* column is this derivation, computed here from σ_w² — no number "
        "in the table is quoted from a paper. The measured factor, layer 1 ÷ output and verdict come from one "
        f"forward and backward pass with your data (**{DATASET_NAMES[data]}**) and seed {seed}."
    )


def expected_table(rows: list) -> pd.DataFrame:
    """run.expectations() as the page's table: σ_w², the derived factor, then the measured columns."""
    return pd.DataFrame(
        [
            {
                "network": PRESET_NAMES[e.key],
                "σ_w²": f"{e.estimate.sigma_w2:.4g}",
                EXPECTED: f"×{sci(e.estimate.factor)}",
                MEASURED: f"×{sci(e.report.factor)}",
                "layer 1 ÷ output": sci(e.report.ratio_dz),
                "verdict": e.report.diagnosis.kind,
            }
            for e in rows
        ]
    )


def expect_notes(rows: list, off: list) -> str:
    """The sigmoid's simple ceiling, and why a preset measures off its estimate (off: run.off_estimate)."""
    sig = next(e for e in rows if e.key == "sigmoid_xavier")
    peak = ACTIVATIONS["sigmoid"].peak
    gain = float(np.sqrt(sig.estimate.sigma_w2))
    notes = [
        f"The sigmoid needs no theory for a ceiling: σ'(z) ≤ {peak:g}, and Xavier's weights between two layers of "
        f"{PRESETS['sigmoid_xavier']['width']} units have gain √σ_w² = {gain:.3g}, so each layer multiplies the "
        f"gradient by at most about {peak:g} × {gain:.3g} = {peak * gain:.3g}; the estimate, "
        f"×{sci(sig.estimate.factor)}, is a little lower because not every z sits at 0."
    ]
    for e in off:
        f0, slope = ACTIVATIONS[e.estimate.hidden], DERIVATIVE[e.estimate.hidden]
        at_0, slope_0 = slope.replace("'(z)", "(0)"), slope.replace("(z)", "(0)")  # tanh(0), tanh'(0)
        notes.append(
            f"{PRESET_NAMES[e.key].split(' ·')[0]} measures ×{sci(e.report.factor)}, not ×{sci(e.estimate.factor)}: "
            f"on the XOR batch the input (0, 0) gives z = 0 in every layer (biases start at 0 and {at_0} = 0), where "
            f"the slope is {slope_0} = {float(f0.df(np.zeros(1))[0]):g}, so "
            f"that example's gradient grows by √σ_w² × that slope = ×{sci(e.zero_input)} per layer. The estimate "
            "assumes inputs that spread out like random data: compare the Gaussian batch."
        )
    return " ".join(notes)


SOURCES = (
    "- **Glorot & Bengio (2010)**, *Understanding the difficulty of training deep feedforward neural networks*: "
    "with sigmoid hidden units and the then-standard initialisation the top hidden layer saturated near 0 early "
    "in training. For activations that are close to linear with slope 1 around 0 (such as tanh) they proposed the "
    "normalized initialisation, Var(W) = 2/(fan_in + fan_out), to keep the variances of the activations and of "
    "the back-propagated gradients about the same from layer to layer. They give no per-layer factor for a "
    "sigmoid network with it: the one in the table is derived here.\n"
    "- **He et al. (2015)**, *Delving deep into rectifiers*: for ReLU the same aim needs Var(W) = 2/fan_in, "
    "because ReLU zeroes about half of its inputs; with it they trained a 30-layer ReLU convolutional network "
    "that stalled with Xavier's initialisation.\n"
    "- **Poole et al. (2016)**, *Exponential expressivity in deep neural networks through transient chaos*, and "
    "**Schoenholz et al. (2017)**, *Deep information propagation*: the recursion above for random networks "
    "(shown for tanh) has an ordered phase, χ₁ < 1, and a chaotic phase, χ₁ > 1; Schoenholz et al. show that "
    "back-propagated gradients vanish in the ordered phase and explode in the chaotic one. Tanh with N(0, 1) "
    "weights on 64 units is deep in the chaotic phase."
)


# ----- 3. does it train? -----------------------------------------------------------------------
TRAIN_INTRO = (
    "Numbers at the first step are one thing; here two deep networks train on the four XOR examples with "
    "plain full-batch gradient descent (the Training page's loop, with its divergence checks)."
)
ONE_SEED = (
    "One seed is one run: a deep network can fail for an unlucky start even with a good recipe. Try a few seeds "
    "before you believe a difference."
)


def run_label(side: str, cfg: tuple) -> str:
    """'A: 10 × Sigmoid, N(0, 1), lr 0.1' for network ``side`` with run.train_cfg ``cfg``."""
    depth, _, act, init, lr = cfg[:5]
    return f"{side.upper()}: {depth} × {ACTIVATION_NAMES[act]}, {FLOW_INIT_NAMES[init]}, lr {lr:g}"


def run_labels(cfg_a: tuple, cfg_b: tuple) -> dict[str, str]:
    """Both legend labels; B says when it is the same network as A (the legend needs distinct labels)."""
    labels = {"a": run_label("a", cfg_a), "b": run_label("b", cfg_b)}
    if labels["a"][3:] == labels["b"][3:]:
        labels["b"] += " (same as A)"
    return labels


def contrast(diff: list[str]) -> tuple[str, str]:
    """(kind: "same", "one" or "many", the sentence) for what A and B differ in (run.differences)."""
    same_start = "hidden layers" not in diff and "initialiser" not in diff
    start = " Same layers, initialiser and seed: both start from exactly the same weights." if same_start else ""
    if not diff:
        return "same", "A and B are the same network: change one setting of B to compare."
    if len(diff) == 1:
        return "one", f"**A and B differ only in: {diff[0]}.**{start}"
    return "many", (
        f"A and B differ in {len(diff)} things: {', '.join(diff)}. A difference in how they train cannot be "
        "pinned on any one of them: change one at a time."
    )


def loss_description(runs: dict) -> str:
    parts = [f"{label.split(',')[0]} from {sci(r.loss[0])} to {sci(r.final_loss)}" for label, r in runs.items()]
    return "Loss on XOR per epoch, log axis, ln 2 marked: " + "; ".join(parts) + "."


def start_words(res) -> str:
    return f"At the start: *{res.start.diagnosis.kind}* — {verdict(res.start).split(': ', 1)[-1]}"


def outcome(res) -> tuple[str, str]:
    """(kind: "diverged", "solved" or "not solved", the sentence) for one core.flow.TrainResult."""
    if res.divergence:
        return "diverged", (
            f"Diverged: {res.divergence} (more than {DIVERGE_FACTOR:g}× the starting loss, or inf/NaN, "
            f"counts as diverged). The curve stops at epoch {res.epochs_run:,}. A smaller learning rate "
            "usually helps."
        )
    if res.solved:
        return "solved", (
            f"Solved XOR: loss {res.final_loss:.4g} after {res.epochs_run:,} epochs, accuracy {res.accuracy:.0%}."
        )
    ln2 = np.log(2)
    return "not solved", (
        f"Not solved after {res.epochs_run:,} epochs: loss {res.final_loss:.4g}, accuracy {res.accuracy:.0%}"
        + (
            f" — ln 2 = {ln2:.3f} is the loss of answering 0.5 for everything."
            if abs(res.final_loss - ln2) < 0.01
            else "."
        )
    )
