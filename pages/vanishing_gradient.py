"""Vanishing gradient: why deep sigmoid networks stop learning, and what fixes it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import initialisers, ui
from app import vanishing_charts as vc
from app.names import ACTIVATION_NAMES, DATASET_HELP, DATASET_NAMES, FLOW_INIT_NAMES, PRESET_NAMES
from core.activations import ACTIVATIONS, LEAKY_SLOPE
from core.flow import (
    DATASETS,
    DEAD_SHARE,
    DERIVATIVE,
    EXPLODE_RATIO,
    FLOW_ACTIVATIONS,
    HUGE_GRAD,
    INIT_CHOICES,
    PRESETS,
    SATURATED_SHARE,
    TINY_GRAD,
    VANISH_RATIO,
    dead_words,
    derivative_powers,
    matching_preset,
    saturation_intervals,
)
from core.train import DIVERGE_FACTOR

ss = st.session_state
RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
CUSTOM = "custom"
BOX = {"vanishing": st.error, "exploding": st.error, "dead": st.error, "saturated": st.warning, "healthy": st.success}
ICON = {"vanishing": ":material/trending_down:", "exploding": ":material/trending_up:", "dead": ":material/block:"}


def act_label(a: str) -> str:
    return ACTIVATION_NAMES[a]


def init_label(k: str) -> str:
    return FLOW_INIT_NAMES[k]


def sci(v: float) -> str:
    """A norm or ratio for prose: 3 significant digits, scientific when far from 1, never 'nan'."""
    if not np.isfinite(v):
        return ui.fmt(v)
    return f"{v:.3g}" if v == 0 or 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


def sup(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def tex_sci(v: float) -> str:
    """sci() for st.latex: 9.54e-07 → 9.54 \\times 10^{-7}."""
    t = sci(v)
    if "e" not in t:
        return t
    mant, exp = t.split("e")
    return rf"{mant} \times 10^{{{int(exp)}}}"


def chart(spec: dict) -> None:
    st.vega_lite_chart(spec=spec, width="stretch")


def table(df, key: str, formats: dict | None = None) -> None:
    """One of this page's tables, every number in its column's format (app.ui.table)."""
    ui.table(df, vc.column_config(df, formats), hide_index=True, key=key)


ui.page_header(
    "Vanishing gradient",
    f"The notes end on a warning: σ'(z) is at most **{ACTIVATIONS['sigmoid'].peak:g}**, a saturated neuron "
    "passes back almost nothing, so *deep* sigmoid networks struggle — “this is why ReLU became popular”. "
    "Here is that argument with live numbers: the derivatives themselves, a deep network's gradients layer by "
    "layer, and what happens when you try to train one.",
)
PRESENTER = ui.presenter()


# The derivatives, the training comparison and the "look inside a layer" part are st.fragments: their
# controls rerun only their own part (the three parts share no settings). The explorer's controls rerun
# the page: as a fragment it would hold "look inside" as a nested fragment, and Streamlit 1.67 then leaves
# the layer out of the link when fewer layers move the slider (checked in a browser).


# ----- 1. activation derivatives ---------------------------------------------------------------
@st.fragment
def derivatives() -> None:
    st.header("Activation derivatives")
    st.markdown(
        "Back-propagation multiplies the gradient by the activation's derivative at every layer "
        "(the notes' `dz1 = (dz2 @ W2.T) * a1 * (1 − a1)`). Shaded: where the derivative is below 1 % of its peak "
        "— the unit is **saturated** and passes back almost nothing."
    )
    c1, c2 = st.columns(2)
    z = ui.linked(c1.slider, "z (a unit's pre-activation)", -8.0, 8.0, vc.DERIV_DEFAULT["z"], 0.1, key="vg_z")
    n = ui.linked(c2.slider, "layers n", 1, 30, vc.DERIV_DEFAULT["n"], key="vg_n")
    z, n = float(z), int(n)
    for pair in (FLOW_ACTIVATIONS[:2], FLOW_ACTIVATIONS[2:]):
        for col, name in zip(st.columns(2), pair):
            with col:
                chart(vc.spec_activation(name, z, PRESENTER))

    sat_txt = []
    for name in FLOW_ACTIVATIONS:
        runs = saturation_intervals(name)
        d = DERIVATIVE[name]
        if not runs:
            sat_txt.append(f"{d} never drops below 1 % of its peak (for z < 0 it is {LEAKY_SLOPE:g}: exactly 1 %)")
        elif len(runs) == 2:
            sat_txt.append(f"{d} < 1 % of its peak {ACTIVATIONS[name].peak:g} where |z| > {runs[1][0]:.2f}")
        else:
            sat_txt.append(f"{d} < 1 % of its peak where z ≤ {runs[0][1]:.2f} (it is exactly 0 there)")
    st.caption("Computed saturation zones: " + "; ".join(sat_txt) + ".")

    rows = derivative_powers(z, n)
    sig = rows[0]
    st.markdown(
        f"**At z = {z:g}** a sigmoid unit outputs σ(z) = {sig.value:.4f} and passes back σ'(z) = {sig.slope:.4g}. "
        f"A gradient that crosses **{n} such layers** is multiplied by σ'(z){sup(n)}:"
    )
    base = tex_sci(sig.slope)
    base = rf"\left({base}\right)" if "times" in base else base
    st.latex(rf"\sigma'({z:g})^{{{n}}} = {base}^{{{n}}} = {tex_sci(sig.through_n)}")
    best = derivative_powers(0.0, n)[0]
    st.caption(
        f"Even in the best case, z = 0, that is {best.slope:g}{sup(n)} = {sci(best.through_n)}: the weights would "
        f"have to multiply the gradient back up by {sci(1 / best.through_n)} to make up for it."
    )
    table(vc.derivative_table(rows, sup(n)), "vg_deriv_table", {**vc.DERIV_FORMATS, f"f'(z){sup(n)}": "%.3e"})
    chart(vc.spec_powers(z, n, PRESENTER))
    zero = vc.zero_powers(z, n)
    if zero:
        kink = (
            " (at exactly z = 0, ReLU'(0) = 0 and leaky ReLU'(0) = 0.01: PyTorch's convention at the kink)"
            if z == 0
            else ""
        )
        st.caption(
            f"Not drawn (a log axis has no 0): {', '.join(zero)}{kink} — the product is exactly 0 at this z "
            "(or below 1e−308, the smallest float)."
        )


# ----- 2. deep network explorer ----------------------------------------------------------------
EXPLORER_INTRO = (
    "A network with many hidden layers of equal width: 2 inputs → *width* × *layers* → 1 sigmoid output, "
    "binary cross-entropy, one forward and one backward pass. Watch the back-propagated gradient "
    "‖∂L/∂z‖ as it travels from the output (right) back to layer 1 (left)."
)


def _apply_preset() -> None:
    key = ss.get("vg_preset")
    if key in PRESETS:
        for k, v in PRESETS[key].items():
            ss[f"vg_{k}"] = v


def explorer() -> tuple[tuple, object]:
    """Controls, key numbers, verdict and the gradient-flow chart; returns (settings, FlowReport).

    Presenter mode puts the chart beside the two key numbers and the verdict, with the preset and
    the controls below them, so a 1280×720 projector shows the page's main picture on its first screen."""
    st.header("Deep network explorer")
    if PRESENTER:
        left, right = st.columns([2, 3], gap="medium")
        numbers_box, chart_box, more_box = left.container(), right.container(), right.container()
        preset_box, controls_box = st.container(), st.container()
    else:
        st.markdown(EXPLORER_INTRO)
        preset_box, controls_box, numbers_box, chart_box = (st.container() for _ in range(4))
        more_box = numbers_box

    E = vc.EXPLORER_DEFAULT
    with controls_box:
        c = st.columns(3)
        depth = ui.linked(c[0].slider, "Hidden layers", 1, 30, E["depth"], key="vg_depth")
        width = ui.linked(c[1].slider, "Width (units per hidden layer)", 2, 128, E["width"], key="vg_width")
        seed = ui.linked(c[2].number_input, "Seed", 0, 10_000, E["seed"], 1, key="vg_seed")
        c = st.columns(3)
        act = ui.linked(
            c[0].selectbox, "Activation", FLOW_ACTIVATIONS, FLOW_ACTIVATIONS.index(E["act"]), format_func=act_label,
            key="vg_act",
        )  # fmt: skip
        inits = list(INIT_CHOICES)
        init = ui.linked(
            c[1].selectbox, "Initialiser", inits, inits.index(E["init"]), format_func=init_label, key="vg_init"
        )
        sets = list(DATASETS)
        data = ui.linked(
            c[2].selectbox,
            "Data",
            sets,
            sets.index(E["data"]),
            format_func=DATASET_NAMES.get,
            key="vg_data",
            help=DATASET_HELP,
        )
        initialisers.explain(INIT_CHOICES[init][0], sorted({name for name, _ in INIT_CHOICES.values()}))
    ss["vg_preset"] = matching_preset(depth, width, act, init) or CUSTOM
    with preset_box:
        st.selectbox(
            "Preset: classic pairs of activation and initialiser",
            [CUSTOM, *PRESETS],
            format_func=lambda k: "— your own settings —" if k == CUSTOM else PRESET_NAMES[k],
            key="vg_preset",
            on_change=_apply_preset,
            help="Sets layers, width, activation and initialiser; data and seed stay as they are.",
        )

    cfg = vc.explorer_cfg(depth, width, act, init, data, seed)
    try:
        r = vc.flow_report(*cfg)
    except Exception as exc:  # a failed computation explains itself instead of showing a traceback
        st.error(f"The gradient-flow computation failed for these settings: {exc}")
        st.stop()

    with numbers_box:
        # presenter mode: the two key numbers one above the other (full labels), the other two under the chart
        m = [st.container(), st.container(), *more_box.columns(2)] if PRESENTER else st.columns(4)
        m[0].metric(
            "Average per-layer factor",
            f"×{sci(r.factor)}",
            help="Geometric mean of ‖∂L/∂z_l‖ ÷ ‖∂L/∂z_{l+1}‖ over all layers: what one layer multiplies the "
            "back-propagated gradient by, on average.",
        )
        m[1].metric(
            "‖∂L/∂z‖ layer 1 ÷ output", sci(r.ratio_dz), help="first-to-last ratio of the back-propagated gradient"
        )
        m[2].metric("‖∂L/∂W‖ layer 1 ÷ output", sci(r.ratio_dW), help="first-to-last ratio of the weight gradients")
        m[3].metric("Largest ‖∂L/∂W‖", sci(float(np.max(r.dW_norm))), help="the absolute size matters too")
        kind = r.diagnosis.kind
        BOX[kind](r.diagnosis.text, icon=ICON.get(kind))
        if r.overflow:
            st.warning(
                f"Overflow: {r.overflow}. Values that are not finite are left out of the charts and tables below.",
                icon=":material/warning:",
            )

    with chart_box:
        chart(vc.spec_flow(cfg, PRESENTER))
    if PRESENTER:
        st.markdown(EXPLORER_INTRO)
    dropped = vc.dropped_norms(r)
    notes = []
    if dropped:
        notes.append(f"{dropped} norm(s) not drawn: exactly 0 or not finite (a log axis shows neither)")
    st.caption(
        "The gradient flows right → left, from the output back to layer 1. "
        "Both are needed: ‖∂L/∂W_l‖ = ‖a_{l−1}.T @ dz_l‖ / N mixes the shrinking gradient with the activations "
        "coming forward, so its first-to-last ratio can stay near 1 while every gradient is tiny — read the "
        "absolute values on the axis too. " + ("; ".join(notes) + "." if notes else "")
    )
    with st.expander("The numbers per layer"):
        weights, hidden = vc.layer_tables(cfg)
        L = r.n_layers
        st.markdown(f"**Every weight layer**, 1 … {L} (layer {L} is the output layer)")
        table(weights, "vg_layer_table")
        st.markdown(f"**Hidden layers**, 1 … {L - 1}")
        table(hidden, "vg_hidden_table")
        words = [c for df in (weights, hidden) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        st.caption(
            f"The output layer {L} is only in the first table: it has no layer after it (so no ratio), and its "
            f"activation is the sigmoid output, not the hidden {act_label(act)}, so its mean derivative and "
            "shares would say nothing about the hidden units."
            + (f" Some values of {', '.join(words)} are not numbers; the cells say why in words." if words else "")
        )
    return cfg, r


@st.fragment
def look_inside(cfg: tuple, depth: int, act: str) -> None:
    """The layer slider and what it shows: in a fragment, so moving it reruns only this section."""
    if depth > 1:
        if ss.get("vg_layer", 1) > depth:
            ss["vg_layer"] = int(depth)
        layer = ui.linked(st.slider, "Hidden layer to look inside", 1, int(depth), 1, key="vg_layer")
    else:
        layer = 1
    view = vc.layer_view(cfg, int(layer), ui.presenter())
    for col, spec in zip(st.columns(3), view.specs):
        with col:
            chart(spec)
    with st.expander("The histograms as a table"):
        ui.table(
            view.table,
            {"from": st.column_config.NumberColumn(format="%.4g"), "to": st.column_config.NumberColumn(format="%.4g")},
            hide_index=True,
            height=240,
            key="vg_hist_table",
        )
        st.caption("Empty bins are left out.")
    st.caption(
        f"Layer {layer}: std(a) = {sci(view.act_std)}, std(W) = {sci(view.weight_std)}, "
        f"mean {DERIVATIVE[act]} = {view.mean_dact:.4g}, {view.saturated:.0%} "
        + ("inactive" if act == "relu" else "saturated")
        + (
            f", {view.dead:.0%} of its units dead on this batch ({dead_words(view.n_examples)})"
            if act == "relu"
            else ""
        )
        + (f"; {view.dropped} non-finite values left out" if view.dropped else "")
        + ". Dashed line on the derivative: 1 % of the peak."
    )


def inside(cfg: tuple, act: str, n_examples: int) -> None:
    depth, data = cfg[0], cfg[4]
    st.subheader("Inside the layers")
    chart(vc.spec_shares(cfg, PRESENTER))
    if act == "relu":
        few = (
            f" With only {n_examples} examples a unit is easily 0 on all of them — and on XOR the input (0, 0) gives "
            "z = 0 in every layer (the biases start at 0), so 3 inputs decide. The same unit may be active on "
            "other inputs: try the Gaussian batch."
            if data == "xor"
            else ""
        )
        st.caption(
            "Inactive: z ≤ 0 for that example, so ReLU' = 0 — normal, about half of them. "
            f"Dead, *on this batch*: the unit is {dead_words(n_examples)} of the batch, so no gradient passes back "
            f"through it for these inputs.{few}"
        )
    else:
        st.caption(
            f"Saturated: {DERIVATIVE[act]} below 1 % of its peak {ACTIVATIONS[act].peak:g}. The mean derivative "
            "÷ its peak says how much of the best case each layer keeps."
        )
    look_inside(cfg, depth, act)

    with st.expander("How the verdict is decided"):
        st.markdown(
            f"- **exploding**: something overflowed, ‖∂L/∂z₁‖ ÷ ‖∂L/∂z_L‖ > {EXPLODE_RATIO:g}, "
            f"or some ‖∂L/∂W‖ > {HUGE_GRAD:g};\n"
            f"- **dead**: a whole ReLU layer is 0 for every example of the batch, or ≥ {DEAD_SHARE:.0%} of the "
            f"hidden units are ({dead_words(n_examples)} — dead on this batch, not necessarily on others);\n"
            f"- **vanishing**: that ratio < {VANISH_RATIO:g}, or every ‖∂L/∂W‖ < {TINY_GRAD:g};\n"
            f"- **saturated** (sigmoid, tanh): ≥ {SATURATED_SHARE:.0%} of the hidden-unit values (over the batch) "
            "below 1 % of the peak;\n"
            "- otherwise **healthy** (gradient flow; it names any dead units below that share). Each layer "
            "multiplies the gradient by roughly √n·std(W) (the weights) × the derivative, which is what the "
            "verdict's *why* reports."
        )


MEAN_FIELD = (
    r"\begin{aligned} q^{*} &= \sigma_w^2\,\mathbb{E}\big[f(\sqrt{q^{*}}\,u)^2\big] \\ "
    r"\chi_1 &= \sigma_w^2\,\mathbb{E}\big[f'(\sqrt{q^{*}}\,u)^2\big] \\ "
    r"\sigma_w^2 &= n\,\mathrm{Var}(W), \quad u \sim \mathcal{N}(0, 1) \end{aligned}"
)
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


def expected_vs_measured(data: str, seed: int) -> None:
    st.subheader("What to expect, and what we measure")
    st.markdown(
        "Going back one layer multiplies the gradient by about the weights' gain times the activation's typical "
        "slope. Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017) turns that into a number for a deep "
        "random network: let the variance q of each layer's z settle to q*, then"
    )
    st.latex(MEAN_FIELD)
    st.markdown(
        "with n = fan_in, the layer width, and no bias term (biases start at 0). χ₁ multiplies the *squared* size "
        "of ∂L/∂z per layer, so the expected per-layer factor is **√χ₁**: below 1 the gradient vanishes with "
        "depth, above 1 it explodes. The *expected* column is this derivation, computed here from σ_w² — no number "
        "in the table is quoted from a paper. The measured factor, layer 1 ÷ output and verdict come from one "
        f"forward and backward pass with your data (**{DATASET_NAMES[data]}**) and seed {seed}."
    )
    table(vc.expected_table(data, int(seed)), "vg_expected_table")
    rows = vc.expectations(data, int(seed))
    sig = next(e for e in rows if e.key == "sigmoid_xavier")
    peak = ACTIVATIONS["sigmoid"].peak
    gain = float(np.sqrt(sig.estimate.sigma_w2))
    notes = [
        f"The sigmoid needs no theory for a ceiling: σ'(z) ≤ {peak:g}, and Xavier's weights between two layers of "
        f"{PRESETS['sigmoid_xavier']['width']} units have gain √σ_w² = {gain:.3g}, so each layer multiplies the "
        f"gradient by at most about {peak:g} × {gain:.3g} = {peak * gain:.3g}; the estimate, "
        f"×{sci(sig.estimate.factor)}, is a little lower because not every z sits at 0."
    ]
    for e in vc.off_estimate(data, int(seed)):
        f0, slope = ACTIVATIONS[e.estimate.hidden], DERIVATIVE[e.estimate.hidden]
        at_0, slope_0 = slope.replace("'(z)", "(0)"), slope.replace("(z)", "(0)")  # tanh(0), tanh'(0)
        notes.append(
            f"{e.label.split(' ·')[0]} measures ×{sci(e.report.factor)}, not ×{sci(e.estimate.factor)}: on the XOR "
            f"batch the input (0, 0) gives z = 0 in every layer (biases start at 0 and {at_0} = 0), where the "
            f"slope is {slope_0} = {float(f0.df(np.zeros(1))[0]):g}, so "
            f"that example's gradient grows by √σ_w² × that slope = ×{sci(e.zero_input)} per layer. The estimate "
            "assumes inputs that spread out like random data: compare the Gaussian batch."
        )
    st.caption(" ".join(notes))
    st.markdown("**What the sources say**")
    st.markdown(SOURCES)


def explorer_section() -> None:
    """The explorer, the layers inside it and the expected-vs-measured table (they share settings)."""
    cfg, r = explorer()
    inside(cfg, cfg[2], r.n_examples)
    expected_vs_measured(cfg[4], cfg[5])


# ----- 3. does it train? -----------------------------------------------------------------------
def contrast(cfg_a: tuple, cfg_b: tuple) -> None:
    """Say what A and B differ in, from their settings: a fair contrast changes one thing."""
    diff = vc.differences(cfg_a, cfg_b)
    same_start = "hidden layers" not in diff and "initialiser" not in diff
    start = " Same layers, initialiser and seed: both start from exactly the same weights." if same_start else ""
    if not diff:
        st.info("A and B are the same network: change one setting of B to compare.", icon=":material/info:")
    elif len(diff) == 1:
        st.markdown(f"**A and B differ only in: {diff[0]}.**{start}")
    else:
        st.warning(
            f"A and B differ in {len(diff)} things: {', '.join(diff)}. A difference in how they train cannot be "
            "pinned on any one of them: change one at a time.",
            icon=":material/call_split:",
        )


@st.fragment
def does_it_train() -> None:
    st.header("Does it train?")
    st.markdown(
        "Numbers at the first step are one thing; here two deep networks train on the four XOR examples with "
        "plain full-batch gradient descent (the Training page's loop, with its divergence checks)."
    )
    T = vc.TRAIN_DEFAULT
    c = st.columns(3)
    t_width = ui.linked(c[0].slider, "Width (both)", 2, 32, T["width"], key="vg_tr_width")
    t_epochs = ui.linked(c[1].slider, "Epochs (both)", 500, 5000, T["epochs"], 500, key="vg_tr_epochs")
    t_seed = ui.linked(c[2].number_input, "Seed (both)", 0, 10_000, T["seed"], 1, key="vg_tr_seed")

    configs = {}
    for side, col in zip("ab", st.columns(2)):
        d_depth, d_act, d_init, d_lr = vc.NETWORK_DEFAULT[side]
        with col, st.container(border=True):
            st.markdown(f"**Network {side.upper()}**")
            cc = st.columns(2)
            s_depth = ui.linked(cc[0].slider, "Hidden layers", 1, 20, d_depth, key=f"vg_{side}_depth")
            s_lr = ui.linked(cc[1].select_slider, "Learning rate", RATES, d_lr, key=f"vg_{side}_lr")
            cc = st.columns(2)
            acts = list(FLOW_ACTIVATIONS)
            s_act = ui.linked(
                cc[0].selectbox, "Activation", acts, acts.index(d_act), format_func=act_label, key=f"vg_{side}_act"
            )
            inits = list(INIT_CHOICES)
            s_init = ui.linked(
                cc[1].selectbox,
                "Initialiser",
                inits,
                inits.index(d_init),
                format_func=init_label,
                key=f"vg_{side}_init",
            )
        configs[side] = vc.train_cfg(s_depth, t_width, s_act, s_init, s_lr, t_epochs, t_seed)

    labels = vc.run_labels(configs["a"], configs["b"])
    contrast(configs["a"], configs["b"])
    try:
        with st.spinner("Training both networks…"):  # shown only if it takes a while (not on a cache hit)
            results = {side: vc.train_result(*configs[side]) for side in "ab"}
    except Exception as exc:
        st.error(f"Training failed for these settings: {exc}")
        st.stop()
    if PRESENTER:  # the loss curves beside their verdicts
        chart_col, verdict_col = st.columns([3, 2], gap="medium")
        verdict_cols = [verdict_col, verdict_col]
    else:
        chart_col = st.container()
    with chart_col:
        chart(vc.spec_loss(configs["a"], configs["b"], int(t_epochs), PRESENTER))
        dropped_loss = vc.dropped_losses(results)
        if dropped_loss:
            st.caption(f"{dropped_loss} loss value(s) of exactly 0 are not drawn on the log axis.")
    if not PRESENTER:
        verdict_cols = st.columns(2)

    for side, col in zip("ab", verdict_cols):
        res = results[side]
        with col:
            st.markdown(f"**{labels[side]}**")
            st.markdown(f"At the start: *{res.start.kind}* — {res.start.text.split(': ', 1)[-1]}")
            if res.divergence:
                st.error(
                    f"Diverged: {res.divergence} (more than {DIVERGE_FACTOR:g}× the starting loss, or inf/NaN, "
                    f"counts as diverged). The curve stops at epoch {res.epochs_run:,}. A smaller learning rate "
                    "usually helps.",
                    icon=":material/error:",
                )
            elif res.solved:
                st.success(
                    f"Solved XOR: loss {res.final_loss:.4g} after {res.epochs_run:,} epochs, "
                    f"accuracy {res.accuracy:.0%}.",
                    icon=":material/check_circle:",
                )
            else:
                st.warning(
                    f"Not solved after {res.epochs_run:,} epochs: loss {res.final_loss:.4g}, accuracy "
                    f"{res.accuracy:.0%}"
                    + (
                        f" — ln 2 = {np.log(2):.3f} is the loss of answering 0.5 for everything."
                        if abs(res.final_loss - np.log(2)) < 0.01
                        else "."
                    ),
                    icon=":material/warning:",
                )
    st.caption(
        "One seed is one run: a deep network can fail for an unlucky start even with a good recipe. Try a few seeds "
        "before you believe a difference."
    )


# ----- the page: in presenter mode the explorer (the main picture) comes first -----------------
if not PRESENTER:
    derivatives()
explorer_section()
if PRESENTER:
    derivatives()
does_it_train()
