"""Vanishing gradient: why deep sigmoid networks stop learning, and what fixes it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import predict, ui
from app.chart import draw
from app.vanishing_gradient import charts, checkpoints, controls, run, text
from core.flow import FLOW_ACTIVATIONS, derivative_powers

BOX = {"vanishing": st.error, "exploding": st.error, "dead": st.error, "saturated": st.warning, "healthy": st.success}
ICON = {"vanishing": ":material/trending_down:", "exploding": ":material/trending_up:", "dead": ":material/block:"}

ui.page_header("Vanishing gradient", text.INTRO)
present = ui.presenter()


def table(df, key: str, formats: dict | None = None) -> None:
    """One of this page's tables, every number in its column's format (app.ui.table)."""
    ui.table(df, text.column_config(df, formats), hide_index=True, key=key)


# The derivatives, the training comparison and the "look inside a layer" part are st.fragments: their
# controls rerun only their own part (the three parts share no settings). The explorer's controls rerun
# the page: as a fragment it would hold "look inside" as a nested fragment, and Streamlit 1.67 then leaves
# the layer out of the link when fewer layers move the slider (checked in a browser).


# ----- 1. activation derivatives ---------------------------------------------------------------
@st.fragment
def derivatives(present: bool) -> None:
    st.header("Activation derivatives")
    st.markdown(text.DERIVATIVES_INTRO)
    z, n = controls.derivative()
    zones = {name: run.saturation_zones(name) for name in FLOW_ACTIVATIONS}
    draw(charts.activations_spec(z, zones, present), text.activations_description(z, zones))
    st.caption(text.saturation_caption(zones))

    rows = derivative_powers(z, n)
    st.markdown(text.at_z(z, n, rows[0]))
    st.latex(text.power_latex(z, n, rows[0]))
    st.caption(text.best_case(n, derivative_powers(0.0, n)[0]))
    df, formats = text.derivative_table(rows, n)
    table(df, "vg_deriv_table", formats)
    draw(charts.powers_spec(z, n, present), text.powers_description(z, n, rows))
    zero = charts.zero_powers(z, n)
    if zero:
        st.caption(text.zero_caption(zero, z))


# ----- 2. deep network explorer ----------------------------------------------------------------
def explorer(present: bool):
    """Controls, key numbers, verdict and the gradient-flow chart; returns (settings, FlowReport).

    Presenter mode puts the chart beside the two key numbers and the verdict, with the preset and
    the controls below them, so a 1280×720 projector shows the page's main picture on its first screen."""
    st.header("Deep network explorer")
    if present:
        left, right = st.columns([2, 3], gap="medium")
        numbers_box, chart_box, more_box = left.container(), right.container(), right.container()
        preset_box, controls_box = st.container(), st.container()
        ask_box = numbers_box
    else:
        st.markdown(text.EXPLORER_INTRO)
        preset_box, controls_box, ask_box, numbers_box, chart_box = (st.container() for _ in range(5))
        more_box = numbers_box
    cfg = controls.explorer(controls_box, preset_box)
    CPS["first"] = checkpoints.explorer_checkpoint(cfg)
    with ask_box:
        predict.place(CPS["first"], present)
    try:
        r = run.flow_report(*cfg)
    except Exception as exc:  # a failed computation explains itself instead of showing a traceback
        st.error(f"The gradient-flow computation failed for these settings: {exc}")
        st.stop()

    with numbers_box:
        # presenter mode: the two key numbers one above the other (full labels), the other two under the chart
        m = [st.container(), st.container(), *more_box.columns(2)] if present else st.columns(4)
        m[0].metric("Average per-layer factor", f"×{ui.sci(r.factor)}", help=text.FACTOR_HELP)
        m[1].metric(
            "‖∂L/∂z‖ layer 1 ÷ output", ui.sci(r.ratio_dz), help="first-to-last ratio of the back-propagated gradient"
        )
        m[2].metric("‖∂L/∂W‖ layer 1 ÷ output", ui.sci(r.ratio_dW), help="first-to-last ratio of the weight gradients")
        m[3].metric("Largest ‖∂L/∂W‖", ui.sci(float(np.max(r.dW_norm))), help="the absolute size matters too")
        kind = r.diagnosis.kind
        BOX[kind](text.verdict(r), icon=ICON.get(kind))
        if r.overflow:
            st.warning(text.overflow_warning(r.overflow), icon=":material/warning:")

    with chart_box:
        draw(charts.flow_spec(r, present), text.flow_description(r))
    if present:
        st.markdown(text.EXPLORER_INTRO)
    st.caption(text.flow_caption(charts.dropped_norms(r)))
    with st.expander("The numbers per layer"):
        weights, hidden = text.weight_layer_table(r), text.hidden_layer_table(r)
        L = r.n_layers
        st.markdown(f"**Every weight layer**, 1 … {L} (layer {L} is the output layer)")
        table(weights, "vg_layer_table")
        st.markdown(f"**Hidden layers**, 1 … {L - 1}")
        table(hidden, "vg_hidden_table")
        words = [c for df in (weights, hidden) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        st.caption(text.tables_caption(L, cfg[2], words))
    return cfg, r


@st.fragment
def look_inside(cfg: tuple, r, present: bool) -> None:
    """The layer slider and what it shows: in a fragment, so moving it reruns only this section
    (with the explorer's FlowReport ``r`` for settings ``cfg``, kept from the page's last full run)."""
    layer = controls.layer(cfg[0])
    i = layer - 1
    specs = charts.layer_specs(r, layer, present)
    hists = (("Activations", r.act_hist[i]), ("Weights", r.weight_hist[i]), ("Derivative", r.dact_hist[i]))
    for col, spec, (what, h) in zip(st.columns(3), specs, hists):
        with col:
            draw(spec, text.histogram_description(f"{what} of hidden layer {layer}", h))
    with st.expander("The histograms as a table"):
        ui.table(
            text.hist_table(r, layer),
            {"from": st.column_config.NumberColumn(format="%.4g"), "to": st.column_config.NumberColumn(format="%.4g")},
            hide_index=True,
            height=240,
            key="vg_hist_table",
        )
        st.caption("Empty bins are left out.")
    st.caption(text.layer_caption(r, layer))


def inside(cfg: tuple, r, present: bool) -> None:
    st.subheader("Inside the layers")
    draw(charts.shares_spec(r, present), text.shares_description(charts.share_series(r), r.n_layers - 1))
    st.caption(text.inside_caption(cfg[2], cfg[4], r.n_examples))
    look_inside(cfg, r, present)
    with st.expander("How the verdict is decided"):
        st.markdown(text.verdict_rules(r.n_examples))


def expected_vs_measured(data: str, seed: int) -> None:
    st.subheader("What to expect, and what we measure")
    st.markdown(text.EXPECT_INTRO)
    st.latex(text.MEAN_FIELD)
    st.markdown(text.expect_method(data, seed))
    rows = run.expectations(data, seed)
    table(text.expected_table(rows), "vg_expected_table")
    st.caption(text.expect_notes(rows, run.off_estimate(data, seed)))
    st.markdown("**What the sources say**")
    st.markdown(text.SOURCES)


def explorer_section(present: bool) -> None:
    """The explorer, the layers inside it and the expected-vs-measured table (they share settings)."""
    cfg, r = explorer(present)
    inside(cfg, r, present)
    expected_vs_measured(cfg[4], cfg[5])


# ----- 3. does it train? -----------------------------------------------------------------------
@st.fragment
def does_it_train(present: bool) -> None:
    st.header("Does it train?")
    st.markdown(text.TRAIN_INTRO)
    configs = controls.training()
    labels = text.run_labels(configs["a"], configs["b"])
    kind, words = text.contrast(run.differences(configs["a"], configs["b"]))
    if kind == "same":
        st.info(words, icon=":material/info:")
    elif kind == "one":
        st.markdown(words)
    else:
        st.warning(words, icon=":material/call_split:")
    try:
        with st.spinner("Training both networks…"):  # shown only if it takes a while (not on a cache hit)
            results = {side: run.train_result(*configs[side]) for side in "ab"}
    except Exception as exc:
        st.error(f"Training failed for these settings: {exc}")
        st.stop()
    runs = {labels[side]: results[side] for side in "ab"}
    # presenter mode: the loss curves beside their verdicts
    chart_col, verdict_col = st.columns([3, 2], gap="medium") if present else (st.container(), None)
    with chart_col:
        draw(charts.loss_spec(runs, configs["a"][5], present), text.loss_description(runs))
        dropped = charts.dropped_losses(runs)
        if dropped:
            st.caption(f"{dropped} loss value(s) of exactly 0 are not drawn on the log axis.")
    verdict_cols = [verdict_col, verdict_col] if present else st.columns(2)

    show = {"diverged": (st.error, ":material/error:"), "solved": (st.success, ":material/check_circle:")}
    for side, col in zip("ab", verdict_cols):
        res = results[side]
        with col:
            st.markdown(f"**{labels[side]}**")
            st.markdown(text.start_words(res))
            kind, words = text.outcome(res)
            box, icon = show.get(kind, (st.warning, ":material/warning:"))
            box(words, icon=icon)
    st.caption(text.ONE_SEED)


# ----- the page: in presenter mode the explorer (the main picture) comes first -----------------
CPS = checkpoints.build()
if not present:
    predict.place(CPS["peak"], present)
    derivatives(present)
explorer_section(present)
if present:
    predict.place(CPS["peak"], present)
    derivatives(present)
predict.progress(list(CPS.values()))
does_it_train(present)
