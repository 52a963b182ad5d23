"""Handwritten digits: the XOR network's own class, scaled up to real handwritten digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import initialisers, nav, predict, ui
from app.chart import draw
from app.digits import charts, checkpoints, controls, run, text
from core.digits import DigitsDataError

ss = st.session_state
present = ui.presenter()
if present:
    # On a projector the audience reads the results: the settings (for the presenter) open from a
    # button beside the title, so the network, its key numbers and its curves fill the first screen.
    top = st.columns([3, 1], vertical_alignment="center")
    with top[0]:
        ui.page_header("Handwritten digits")
    box = top[1].popover("Settings", icon=":material/tune:", width="stretch")
else:
    ui.page_header("Handwritten digits", text.INTRO)
    box = st.container()

with box:
    chosen = controls.settings_controls(present)
    if present:
        st.markdown(text.INTRO)

# ----- data -------------------------------------------------------------------------------------
source = chosen.pop("source")
if source == "mnist":
    data = controls.mnist_loader()
    if data is None:
        more = ", or make the MNIST files available" if run.mnist_enabled() else ""
        st.info(f"Choose “8×8 digits” above to use the bundled set{more}.")
        st.stop()
else:
    try:
        data = run.digits_data()
    except DigitsDataError as e:
        st.error(f"The bundled digits could not be loaded: {e}")
        st.stop()

settings = run.Settings(data.key, **chosen)
sizes = settings.sizes(data.d)
h, w = data.shape
width, act = settings.width, settings.act
st.markdown(text.network_line(sizes, act, settings.lr, settings.sched, settings.batch, settings.epochs, present, data))

hist, how, why = controls.get_history(settings, data)
res = run.results(settings, hist, data)
cps = checkpoints.build(settings, hist, res)
predict.progress(list(cps.values()))

# ----- summary ------------------------------------------------------------------------------------
if hist.diverged:
    st.error(
        f"Training ended early: {text.ended(hist)}. Everything below shows the network at that point. "
        "Lower the learning rate."
    )
elif how == "stopped":
    st.warning(f"Training {why}. Everything below shows the network as it was then.")
    st.button(
        f"Continue training: epochs {hist.epochs_run + 1}–{hist.epochs_planned}",
        key="dg_resume",
        on_click=controls.resume,
        icon=":material/play_arrow:",
        help="Carries on from where training stopped, with the same weights and batch order.",
    )
if settings.init == "zeros":
    kind, reason = initialisers.zero_init_effect(act)
    evidence = text.zero_init_evidence(hist, kind, width)
    st.info(f"**Zero initial weights.** {reason} {evidence}. Choose a random initialiser.", icon=":material/info:")
elif not hist.diverged and hist.epochs_run and res.accuracy < 0.3:
    st.warning(
        f"The network does little better than guessing ({res.accuracy:.1%}; chance is 10 %). Try a smaller "
        "learning rate (with ReLU, a large one can silence neurons for good), more epochs, or another activation."
    )
m = st.columns(4)
right = f"{int(res.confusion.trace())} of {len(res.pred):,} test images (never used for a gradient step)"
m[0].metric("Test accuracy", f"{res.accuracy:.1%}", help=right)
m[1].metric("Training accuracy", f"{hist.train_acc[-1]:.1%}")
m[2].metric("Test loss (cross-entropy)", ui.fmt(hist.test_loss[-1], 4))
m[3].metric(
    "Epochs",
    f"{hist.epochs_run} of {hist.epochs_planned}",
    help=f"{hist.steps:,} mini-batch steps in {hist.seconds:.1f} s" + (" (remembered run)" if how == "cache" else ""),
)
if not present:  # projected, it goes below the tabs: the first screen is for the results
    st.caption(text.trained_caption(hist, how == "cache"))

L = hist.final.n_layers  # weight layers: the output is aL = softmax(zL)


def curves_tab() -> None:
    for col, which in zip(st.columns(2), charts.CURVES):
        with col:
            draw(charts.curves(hist, which, present), text.curves_description(hist, which))
    st.markdown(text.curves_words(hist, data.n_train, run.EVAL_MAX))
    with st.expander("The numbers, epoch by epoch"):
        dash = ["—"]  # epoch 0 is before any step: no learning rate, no running loss (never NaN)
        numbers = {
            "epoch": np.arange(hist.epochs_run + 1),
            "train loss": [f"{v:.4f}" for v in hist.train_loss],
            "test loss": [f"{v:.4f}" for v in hist.test_loss],
            "train accuracy": [f"{v:.2%}" for v in hist.train_acc],
            "test accuracy": [f"{v:.2%}" for v in hist.test_acc],
            "learning rate": dash + [f"{v:.4g}" for v in hist.lr],
            "running loss": dash + [f"{v:.4f}" for v in hist.running_loss],
        }
        ui.table(pd.DataFrame(numbers), hide_index=True)
        st.caption("Running loss: the mean mini-batch loss during that epoch (the number the progress bar shows).")


def mistakes_tab() -> None:
    c1, c2 = st.columns([3, 2])
    C = res.confusion
    with c1:
        draw(charts.confusion(C, present), text.confusion_description(C))
    with c2:
        about, most = text.confusion_words(C)
        st.markdown(about)
        if most:
            st.markdown(most)
    with st.expander("The matrix as a table"):  # the page's width: eleven columns do not fit beside the chart
        frame = ui.matrix_frame(C, [f"true {k}" for k in range(10)], [f"→ {k}" for k in range(10)])
        ui.table(frame.astype(int))
    st.subheader(f"Misclassified test images ({len(res.mistakes)})")
    shown = res.mistakes[:24]
    if len(shown):
        st.caption(
            "Most confident mistakes first. Each caption: test image number · true digit → predicted "
            "(its probability). Type a number into “Test image” on the next tab to look inside."
        )
        st.image(
            run.ink_pngs(data.key, tuple(int(i) for i in shown), data.test_images, data.max_value),
            caption=[f"#{i}: {data.test_labels[i]} → {res.pred[i]} ({res.probs[i, res.pred[i]]:.2f})" for i in shown],
            width=84,
        )
        if len(res.mistakes) > len(shown):
            st.caption(f"… and {len(res.mistakes) - len(shown)} more.")
    else:
        st.success("No test image is misclassified.")


@st.fragment  # stepping through test images reruns only this tab, not the training and the other tabs
def digit_tab() -> None:
    n_test = len(data.test_labels)
    if not 0 <= int(ss.get("dg_digit", 0) or 0) < n_test:
        ss["dg_digit"] = 0
    if present:  # projected: the choice, the picture and the ten probabilities side by side on one screen
        left, picture, right = st.columns([5, 4, 9])
        ask, pick = left, left
    else:
        ask, pick = st.columns([1, 1], vertical_alignment="bottom")
    i = int(ui.linked(ask.number_input, f"Test image (0–{n_test - 1})", 0, n_test - 1, 0, key="dg_digit"))
    if len(res.mistakes):
        label = "Most confident mistake" if present else "Show the most confident mistake"  # fits a narrow column
        pick.button(label, key="dg_worst", on_click=controls.pick_digit, args=(int(res.mistakes[0]),))
    fwd = hist.final.forward(data.inputs(slice(i, i + 1)))
    a2 = fwd.output[0]
    true, pred = int(data.test_labels[i]), int(np.argmax(a2))
    if not present:
        left, right = st.columns([2, 3])
        picture = left
    left.markdown(f"**Test image #{i}** — a handwritten **{true}**")
    with picture:
        draw(
            charts.digit(data.test_images[i], data.max_value, present), text.digit_description(i, true), width="content"
        )
    verdict = "right" if pred == true else "wrong"
    left.markdown(f"The network says **{pred}** with probability {a2[pred]:.3f} — **{verdict}**.")
    with right:
        draw(charts.probabilities(a2, true, f"a{L}", present), text.probabilities_description(a2, true))
        st.caption(
            f"The ten probabilities add up to {a2.sum():.6f}: softmax turns the output layer's ten numbers z{L} "
            "into shares of 1."
        )
    acts = [fwd.a[l][0] for l in range(1, L)]
    st.markdown(
        f"**Hidden activations for this image** — {' and '.join(f'a{l}' for l in range(1, L))}, one cell per "
        "hidden neuron: red = positive, blue = negative, white = 0 (hover for the value)."
    )
    draw(charts.activations(acts, present), text.activations_description(acts))
    with st.expander("The activations as numbers"):
        ui.table(
            pd.DataFrame({"neuron": np.arange(width)} | {f"a{l}": a for l, a in enumerate(acts, start=1)}),
            {f"a{l}": st.column_config.NumberColumn(format="%.4f") for l in range(1, L)},
            hide_index=True,
        )
    st.markdown(text.forward_at_scale(sizes, act, data.max_value))
    y = np.zeros(10)
    y[true] = 1.0
    st.markdown(text.output_error(L))
    delta = pd.DataFrame({"digit": np.arange(10), f"a{L}": a2, "y": y.astype(int), f"dz{L} = a{L} − y": a2 - y})
    ui.table(
        delta,
        {
            f"a{L}": st.column_config.NumberColumn(format="%.4f"),
            f"dz{L} = a{L} − y": st.column_config.NumberColumn(format="%+.4f"),
        },
        hide_index=True,
    )


def weights_tab() -> None:
    W1 = hist.final.W[0]
    count = charts.neurons_shown(h, width)
    # side by side on a laptop; stacked in presenter mode, where the pictures are twice as large
    c1, c2 = ui.columns([1, 1], present)
    with c1:
        draw(charts.weights(W1, data.shape, present), text.weights_description(W1, count, h, w), width="content")
        if count < width:
            st.caption(f"The first {count} of {width} hidden neurons.")
    with c2:
        st.markdown(text.weights_words(data.d, h, w))
        st.caption(text.weights_caption(W1, count, w))


def gradients_tab() -> None:
    G = hist.grad_norms
    if not G.size:
        st.info("No epoch has finished yet, so there are no gradients to show.")
        return
    draw(charts.grad_flow(G, present), text.grad_flow_description(G))
    if hidden := text.grad_flow_hidden(G):
        st.caption(hidden)
    st.markdown(text.grad_flow_words(G))
    vg = next((p for p in nav.available() if p[3] == "vanishing-gradient"), None)
    if vg:
        st.page_link(f"../pages/{vg[0]}", label="Why: the Vanishing gradient page", icon=":material/blur_on:")
    with st.expander("The numbers"):
        ui.table(ui.matrix_frame(G, [str(e) for e in range(1, G.shape[0] + 1)], [f"‖dW{l}‖" for l in range(1, L + 1)]))


# Tabs run lazily: only the open one computes and sends its charts, so a rerun stays quick. The open
# tab is part of the shared link (a teacher can link straight to "Gradient flow").
TABS = {
    "Learning curves": curves_tab,
    "Confusion and mistakes": mistakes_tab,
    "One digit, forward": digit_tab,
    "What the neurons look for": weights_tab,
    "Gradient flow": gradients_tab,
}
predict.place_row(list(cps.values()), present)
link_digit = st.query_params.get("dg_digit")  # a link that picks a digit opens that digit's tab
ui.name_setting("dg_tab", "Tab")  # tabs have no label of their own (ui.linked names the other controls)
tabs = st.tabs(
    list(TABS),
    key="dg_tab",
    on_change="rerun",
    bind="query-params",
    default="One digit, forward" if link_digit is not None else None,
)
for tab, show in zip(tabs, TABS.values()):
    if tab.open:
        with tab:
            show()
if not tabs[2].open and link_digit is not None and "dg_digit" not in ss:
    # the link also named another tab: remember its digit for when that tab opens
    if link_digit.isdigit() and int(link_digit) < len(data.test_labels):
        ss["dg_digit"] = int(link_digit)
if present:
    st.caption(text.trained_caption(hist, how == "cache"))
