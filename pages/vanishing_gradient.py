"""Vanishing gradient: why deep sigmoid networks stop learning, and what fixes it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import ui
from app import vanishing_charts as vc
from core.activations import ACTIVATIONS, LEAKY_SLOPE
from core.flow import (
    DATASET_HELP,
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
    derivative_powers,
    matching_preset,
    saturation_intervals,
)
from core.train import DIVERGE_FACTOR

ss = st.session_state
LINK = {"bind": "query-params", "persist_state": "session"}
RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
CUSTOM = "custom"
BOX = {"vanishing": st.error, "exploding": st.error, "dead": st.error, "saturated": st.warning, "healthy": st.success}
ICON = {"vanishing": ":material/trending_down:", "exploding": ":material/trending_up:", "dead": ":material/block:"}


def act_label(a: str) -> str:
    return ACTIVATIONS[a].label


def init_label(k: str) -> str:
    return INIT_CHOICES[k][0]


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


ui.page_header(
    "Vanishing gradient",
    f"The notes end on a warning: σ'(z) is at most **{ACTIVATIONS['sigmoid'].peak:g}**, a saturated neuron "
    "passes back almost nothing, so *deep* sigmoid networks struggle — “this is why ReLU became popular”. "
    "Here is that argument with live numbers: the derivatives themselves, a deep network's gradients layer by "
    "layer, and what happens when you try to train one.",
)

# ----- 1. activation derivatives ---------------------------------------------------------------
st.header("Activation derivatives")
st.markdown(
    "Back-propagation multiplies the gradient by the activation's derivative at every layer "
    "(the notes' `dz1 = (dz2 @ W2.T) * a1 * (1 − a1)`). Shaded: where the derivative is below 1 % of its peak "
    "— the unit is **saturated** and passes back almost nothing."
)
c1, c2 = st.columns(2)
z = c1.slider("z (a unit's pre-activation)", -8.0, 8.0, 0.0, 0.1, key="vg_z", **LINK)
n = c2.slider("layers n", 1, 30, 10, key="vg_n", **LINK)
for pair in (FLOW_ACTIVATIONS[:2], FLOW_ACTIVATIONS[2:]):
    for col, name in zip(st.columns(2), pair):
        with col:
            chart(vc.spec_activation(name, float(z), ui.presenter()))

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

rows = derivative_powers(float(z), int(n))
sig = rows[0]
st.markdown(
    f"**At z = {z:g}** a sigmoid unit outputs σ(z) = {sig.value:.4f} and passes back σ'(z) = {sig.slope:.4g}. "
    f"A gradient that crosses **{n} such layers** is multiplied by σ'(z){sup(n)}:"
)
base = tex_sci(sig.slope)
base = rf"\left({base}\right)" if "times" in base else base
st.latex(rf"\sigma'({z:g})^{{{n}}} = {base}^{{{n}}} = {tex_sci(sig.through_n)}")
best = derivative_powers(0.0, int(n))[0]
st.caption(
    f"Even in the best case, z = 0, that is {best.slope:g}{sup(n)} = {sci(best.through_n)}: the weights would "
    f"have to multiply the gradient back up by {sci(1 / best.through_n)} to make up for it."
)
st.dataframe(
    vc.derivative_table(rows, sup(n)),
    hide_index=True,
    width="stretch",
    column_config={
        "f(z)": st.column_config.NumberColumn(format="%.4f"),
        "f'(z)": st.column_config.NumberColumn(format="%.4g"),
        "peak": st.column_config.NumberColumn(format="%g"),
        "f'(z) ÷ peak": st.column_config.NumberColumn(format="percent"),
        f"f'(z){sup(n)}": st.column_config.NumberColumn(format="%.3e"),
    },
    key="vg_deriv_table",
)
chart(vc.spec_powers(float(z), int(n), ui.presenter()))
zero = vc.zero_powers(float(z), int(n))
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
st.header("Deep network explorer")
st.markdown(
    "A network with many hidden layers of equal width: 2 inputs → *width* × *layers* → 1 sigmoid output, "
    "binary cross-entropy, one forward and one backward pass. Watch the back-propagated gradient "
    "‖∂L/∂z‖ as it travels from the output (right) back to layer 1 (left)."
)


def _apply_preset() -> None:
    key = ss.get("vg_preset")
    if key in PRESETS:
        for k, v in PRESETS[key][1].items():
            ss[f"vg_{k}"] = v


preset_box = st.container()
c = st.columns(3)
depth = c[0].slider("Hidden layers", 1, 30, 20, key="vg_depth", **LINK)
width = c[1].slider("Width (units per hidden layer)", 2, 128, 64, key="vg_width", **LINK)
seed = c[2].number_input("Seed", 0, 10_000, 0, 1, key="vg_seed", **LINK)
c = st.columns(3)
act = c[0].selectbox("Activation", FLOW_ACTIVATIONS, format_func=act_label, key="vg_act", **LINK)
init = c[1].selectbox("Initialiser", list(INIT_CHOICES), index=2, format_func=init_label, key="vg_init", **LINK)
data = c[2].selectbox("Data", list(DATASETS), format_func=DATASETS.get, key="vg_data", help=DATASET_HELP, **LINK)
ss["vg_preset"] = matching_preset(depth, width, act, init) or CUSTOM
with preset_box:
    st.selectbox(
        "Preset: the configurations the literature talks about",
        [CUSTOM, *PRESETS],
        format_func=lambda k: "— your own settings —" if k == CUSTOM else PRESETS[k][0],
        key="vg_preset",
        on_change=_apply_preset,
        help="Sets layers, width, activation and initialiser; data and seed stay as they are.",
    )

cfg = (int(depth), int(width), act, init, data, int(seed))
try:
    r = vc.flow_report(*cfg)
except Exception as exc:  # a failed computation explains itself instead of showing a traceback
    st.error(f"The gradient-flow computation failed for these settings: {exc}")
    st.stop()

L = r.n_layers
m = st.columns(4)
m[0].metric(
    "Average per-layer factor",
    f"×{sci(r.factor)}",
    help="Geometric mean of ‖∂L/∂z_l‖ ÷ ‖∂L/∂z_{l+1}‖ over all layers: what one layer multiplies the "
    "back-propagated gradient by, on average.",
)
m[1].metric("‖∂L/∂z‖ layer 1 ÷ output", sci(r.ratio_dz), help="first-to-last ratio of the back-propagated gradient")
m[2].metric("‖∂L/∂W‖ layer 1 ÷ output", sci(r.ratio_dW), help="first-to-last ratio of the weight gradients")
m[3].metric("Largest ‖∂L/∂W‖", sci(float(np.max(r.dW_norm))), help="the absolute size matters too")
kind = r.diagnosis.kind
BOX[kind](r.diagnosis.text, icon=ICON.get(kind))
if r.overflow:
    st.warning(
        f"Overflow: {r.overflow}. Values that are not finite are left out of the charts and tables below.",
        icon=":material/warning:",
    )

chart(vc.spec_flow(cfg, ui.presenter()))
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
    st.dataframe(
        vc.layer_table(r),
        hide_index=True,
        width="stretch",
        column_config={
            "layer": st.column_config.NumberColumn(format="%d"),
            "units": st.column_config.NumberColumn(format="%d"),
            "‖∂L/∂W‖": st.column_config.NumberColumn(format="%.3e"),
            "‖∂L/∂z‖": st.column_config.NumberColumn(format="%.3e"),
            "‖dz_l‖ ÷ ‖dz_l+1‖": st.column_config.NumberColumn(format="%.4g"),
            "std(W)": st.column_config.NumberColumn(format="%.4g"),
            f"mean {DERIVATIVE[act]}": st.column_config.NumberColumn(format="%.4g"),
            "saturated": st.column_config.NumberColumn(format="percent"),
            "dead units": st.column_config.NumberColumn(format="percent"),
        },
        key="vg_layer_table",
    )
    st.caption(
        f"Layer {L} is the output layer (its ratio, mean derivative and shares are empty: it has no successor "
        "and a sigmoid output). Empty cells elsewhere are values that were not finite or not defined (0 ÷ 0)."
    )

st.subheader("Inside the layers")
chart(vc.spec_shares(cfg, ui.presenter()))
if act == "relu":
    st.caption(
        "Inactive: z ≤ 0 for that example, so ReLU' = 0 — normal, about half of them. "
        "Dead: the unit is 0 for *every* example in the batch, so no gradient ever passes through it."
    )
else:
    st.caption(
        f"Saturated: {DERIVATIVE[act]} below 1 % of its peak {ACTIVATIONS[act].peak:g}. The mean derivative "
        "÷ its peak says how much of the best case each layer keeps."
    )
if depth > 1:
    if ss.get("vg_layer", 1) > depth:
        ss["vg_layer"] = int(depth)
    layer = st.slider("Hidden layer to look inside", 1, int(depth), 1, key="vg_layer", **LINK)
else:
    layer = 1
for col, spec in zip(st.columns(3), vc.spec_layer_hists(cfg, int(layer), ui.presenter())):
    with col:
        chart(spec)
with st.expander("The histograms as a table"):
    st.dataframe(
        vc.hist_table(r, int(layer)),
        hide_index=True,
        width="stretch",
        height=240,
        column_config={
            "from": st.column_config.NumberColumn(format="%.4g"),
            "to": st.column_config.NumberColumn(format="%.4g"),
        },
        key="vg_hist_table",
    )
    st.caption("Empty bins are left out.")
i = layer - 1
dropped_h = r.act_hist[i].dropped + r.dact_hist[i].dropped + r.weight_hist[i].dropped
st.caption(
    f"Layer {layer}: std(a) = {sci(r.act_std[i])}, std(W) = {sci(r.weight_std[i])}, "
    f"mean {DERIVATIVE[act]} = {r.mean_dact[i]:.4g}, {r.saturated[i]:.0%} "
    + ("inactive" if act == "relu" else "saturated")
    + (f", {r.dead[i]:.0%} dead units" if act == "relu" else "")
    + (f"; {dropped_h} non-finite values left out" if dropped_h else "")
    + ". Dashed line on the derivative: 1 % of the peak."
)

with st.expander("How the verdict is decided"):
    st.markdown(
        f"- **exploding**: something overflowed, ‖∂L/∂z₁‖ ÷ ‖∂L/∂z_L‖ > {EXPLODE_RATIO:g}, "
        f"or some ‖∂L/∂W‖ > {HUGE_GRAD:g};\n"
        f"- **dead**: a whole ReLU layer is 0 for every example, or ≥ {DEAD_SHARE:.0%} of the hidden units are;\n"
        f"- **vanishing**: that ratio < {VANISH_RATIO:g}, or every ‖∂L/∂W‖ < {TINY_GRAD:g};\n"
        f"- **saturated** (sigmoid, tanh): ≥ {SATURATED_SHARE:.0%} of the hidden-unit values (over the batch) "
        "below 1 % of the peak;\n"
        "- otherwise **healthy**. Each layer multiplies the gradient by roughly "
        "√n·std(W) (the weights) × the derivative, which is what the verdict's *why* reports."
    )

st.subheader("The literature's numbers, recomputed")
st.markdown(
    "Commonly quoted results for 64-wide, 20-layer networks (after Glorot & Bengio 2010 on sigmoid and tanh "
    "initialisation, and He et al. 2015 on ReLU), recomputed here — nothing in the right-hand columns is typed in — "
    f"with your data (**{DATASETS[data]}**) and seed {seed}:"
)
st.dataframe(vc.literature_table(data, int(seed)), hide_index=True, width="stretch", key="vg_lit_table")

# ----- 3. does it train? -----------------------------------------------------------------------
st.header("Does it train?")
st.markdown(
    "Numbers at the first step are one thing; here two deep networks train on the four XOR examples with "
    "plain full-batch gradient descent (the Training page's loop, with its divergence checks)."
)
c = st.columns(3)
t_width = c[0].slider("Width (both)", 2, 32, 8, key="vg_tr_width", **LINK)
t_epochs = c[1].slider("Epochs (both)", 500, 5000, 2000, 500, key="vg_tr_epochs", **LINK)
t_seed = c[2].number_input("Seed (both)", 0, 10_000, 0, 1, key="vg_tr_seed", **LINK)

DEFAULTS = {"a": (10, "sigmoid", "normal_1", 0.1), "b": (10, "relu", "he_normal", 0.1)}
configs = {}
for side, col in zip("ab", st.columns(2)):
    d_depth, d_act, d_init, d_lr = DEFAULTS[side]
    with col, st.container(border=True):
        st.markdown(f"**Network {side.upper()}**")
        cc = st.columns(2)
        s_depth = cc[0].slider("Hidden layers", 1, 20, d_depth, key=f"vg_{side}_depth", **LINK)
        s_lr = cc[1].select_slider("Learning rate", RATES, d_lr, key=f"vg_{side}_lr", **LINK)
        cc = st.columns(2)
        acts = list(FLOW_ACTIVATIONS)
        s_act = cc[0].selectbox(
            "Activation", acts, acts.index(d_act), format_func=act_label, key=f"vg_{side}_act", **LINK
        )
        inits = list(INIT_CHOICES)
        s_init = cc[1].selectbox(
            "Initialiser", inits, inits.index(d_init), format_func=init_label, key=f"vg_{side}_init", **LINK
        )
    configs[side] = (int(s_depth), int(t_width), s_act, s_init, float(s_lr), int(t_epochs), int(t_seed))

labels = {
    side: f"{side.upper()}: {cfg_[0]} × {act_label(cfg_[2])}, {init_label(cfg_[3])}, lr {cfg_[4]:g}"
    for side, cfg_ in configs.items()
}
if labels["a"][3:] == labels["b"][3:]:
    labels["b"] += " (same as A)"
try:
    results = {side: vc.train_result(*configs[side]) for side in "ab"}
except Exception as exc:
    st.error(f"Training failed for these settings: {exc}")
    st.stop()
chart(vc.spec_loss(configs["a"], configs["b"], labels["a"], labels["b"], int(t_epochs), ui.presenter()))
dropped_loss = vc.dropped_losses(results)
if dropped_loss:
    st.caption(f"{dropped_loss} loss value(s) of exactly 0 are not drawn on the log axis.")

for side, col in zip("ab", st.columns(2)):
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
                f"Solved XOR: loss {res.final_loss:.4g} after {res.epochs_run:,} epochs, accuracy {res.accuracy:.0%}.",
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
