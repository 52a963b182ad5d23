"""Handwritten digits: the XOR network's own class, scaled up to real handwritten digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import digits_charts as dc
from app import digits_run as dr
from app import initialisers, nav, ui
from app.digits_charts import ink_pngs, show, show_spec
from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, SCHEDULE_NAMES
from core.activations import ACTIVATIONS
from core.diagnose import symmetry_gap
from core.digits import IDX_MAX_FILE_BYTES, DigitsDataError, default_download_dir
from core.init import INITIALISERS
from core.schedules import SCHEDULES

ss = st.session_state
KEEP = {"persist_state": "session"}
DATA = {"digits": "8×8 digits", "mnist": "MNIST 28×28"}  # the labels are what a shared link carries
WIDTHS = [4, 8, 16, 32, 64, 128, 256]
RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
BATCHES = [8, 16, 32, 64, 128, 256, 512]
D = dr.DEFAULTS  # the defaults warm() pre-trains: one place for both
GAP_POINT = 0.01  # train − test accuracy below one percentage point: "about the same"


def use_mnist_settings() -> None:
    ss.update({f"dg_{k}": v for k, v in dr.MNIST_SUGGESTED.items()})


def pick_digit(i: int) -> None:
    ss["dg_digit"] = int(i)


def ask_download() -> None:
    # downloads only ever go to the app's temporary folder; read the files from there afterwards
    ss["dg_mnist_dir"] = str(default_download_dir())
    ss["dg_download_now"] = True


INTRO = (
    "The notes' next step, *“build a proper class-based network for MNIST”*: the **very same network "
    "class** that solves XOR on the other pages, with an image's pixels as inputs and **ten outputs**, one per digit."
)
PRESENTING = ui.presenter()
if PRESENTING:
    # On a projector the audience reads the results: the settings (for the presenter) open from a
    # button beside the title, so the network, its key numbers and its curves fill the first screen.
    top = st.columns([3, 1], vertical_alignment="center")
    with top[0]:
        ui.page_header("Handwritten digits")
    controls = top[1].popover("Settings", icon=":material/tune:", width="stretch")
else:
    ui.page_header("Handwritten digits", INTRO)
    controls = st.container()

# ----- controls ---------------------------------------------------------------------------------
with controls:
    source = ui.linked(
        st.segmented_control,
        "Data",
        list(DATA),
        format_func=DATA.get,
        default="digits",
        key="dg_data",
        help="8×8 digits: 1,797 images bundled with the app. MNIST: 70,000 images of 28×28 from a folder you name.",
    )
    source = source or "digits"
    with st.container(border=True):
        # nine controls: two rows on a laptop; three rows of three in the (narrower) presenter popover
        c = [col for n in ((3, 3, 3) if PRESENTING else (4, 5)) for col in st.columns(n)]
        layers = ui.linked(c[0].slider, "Hidden layers", 1, 3, D["layers"], key="dg_layers")
        width = ui.linked(c[1].select_slider, "Neurons per hidden layer", WIDTHS, D["width"], key="dg_width")
        act = ui.linked(
            c[2].selectbox,
            "Hidden activation",
            list(ACTIVATIONS),
            list(ACTIVATIONS).index(D["act"]),
            format_func=ACTIVATION_NAMES.get,
            key="dg_act",
        )
        init = ui.linked(
            c[3].selectbox,
            "Initialiser",
            list(INITIALISERS),
            list(INITIALISERS).index(D["init"]),
            format_func=INITIALISER_NAMES.get,
            key="dg_init",
        )
        lr = ui.linked(c[4].select_slider, "Learning rate", RATES, D["lr"], key="dg_lr")
        sched = ui.linked(
            c[5].selectbox,
            "Schedule",
            list(SCHEDULES),
            list(SCHEDULES).index(D["sched"]),
            format_func=SCHEDULE_NAMES.get,
            key="dg_sched",
        )
        batch = ui.linked(c[6].select_slider, "Mini-batch size", BATCHES, D["batch"], key="dg_batch")
        epochs = ui.linked(c[7].slider, "Epochs", 1, 60, D["epochs"], key="dg_epochs")
        seed = ui.linked(
            c[8].number_input, "Seed", 0, 9999, D["seed"], key="dg_seed", help="Initial weights and batch order."
        )
    initialisers.explain(init)

    if PRESENTING:
        st.markdown(INTRO)

# ----- data -------------------------------------------------------------------------------------
data = None
if source == "mnist":
    with st.container(border=True):
        st.markdown(
            "**Real MNIST** — 60,000 training and 10,000 test images of 28×28 pixels, from the four "
            "standard IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, "
            "`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, gzipped or not). MNIST is by Yann LeCun, "
            "Corinna Cortes and Christopher J.C. Burges (licence CC BY-SA 3.0)."
        )
        ss.setdefault("dg_mnist_dir", str(default_download_dir()))  # via state: the download button sets it too
        folder = st.text_input(
            "Folder to read the MNIST files from",
            max_chars=1000,
            key="dg_mnist_dir",
            help=(
                "A full path on the machine running this app. The app only reads the four MNIST files there "
                f"(at most {IDX_MAX_FILE_BYTES // 1_000_000} MB each) and never writes to it."
            ),
            **KEEP,
        )
        c1, c2 = st.columns([1, 1])
        c1.button(
            "Download MNIST into the app's temporary folder",
            key="dg_mnist_download",
            icon=":material/download:",
            on_click=ask_download,
            help=f"About 11 MB from a public mirror, always into {default_download_dir()} (never into a folder "
            "typed above); the folder above then points there.",
        )
        if ss.pop("dg_download_now", False):
            bar = st.progress(0.0, text="Connecting …")

            def progress(i: int, n: int, name: str, done: int, total: int) -> None:
                frac = (i + (done / total if total else 0.0)) / n
                size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
                bar.progress(min(frac, 1.0), text=f"File {i + 1} of {n}: {name} · {size}")

            try:
                where = dr.download(progress)
                bar.empty()
                st.success(f"Downloaded the four MNIST files into the app's temporary folder {where}.")
            except DigitsDataError as e:
                bar.empty()
                st.error(f"Download failed. {e}")
        c2.button(
            "Use settings suited to MNIST",
            key="dg_mnist_settings",
            on_click=use_mnist_settings,
            help="{width} neurons, learning rate {lr:g}, mini-batches of {batch}, {epochs} epochs.".format(
                **dr.MNIST_SUGGESTED
            ),
        )
        try:
            data = dr.mnist_data(folder)
            st.success(f"Loaded {data.name}.")
        except DigitsDataError as e:
            st.warning(f"MNIST is not available yet: {e}")
    if data is None:
        st.info("Choose “8×8 digits” above to use the bundled set, or make the MNIST files available.")
        st.stop()
else:
    try:
        data = dr.digits_data()
    except DigitsDataError as e:
        st.error(f"The bundled digits could not be loaded: {e}")
        st.stop()

settings = dr.Settings(data.key, layers, width, act, init, float(lr), sched, batch, epochs, int(seed))
sizes = settings.sizes(data.d)
h, w = data.shape
n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
steps_per_epoch = -(-data.n_train // batch)
if PRESENTING:  # one line the back row can read; the details are in the Settings popover
    st.markdown(
        f"**{' → '.join(map(str, sizes))}** · {ACTIVATION_NAMES[act]} · {n_params:,} parameters · "
        f"learning rate {lr:g} ({SCHEDULE_NAMES[sched].lower()}) · mini-batches of {batch} · {epochs} epochs"
    )
else:
    st.markdown(
        f"**{' → '.join(map(str, sizes))}**: {h}×{w} = {data.d} pixel inputs, "
        f"{layers} hidden layer{'s' if layers > 1 else ''} of {width} {ACTIVATION_NAMES[act]} neurons, "
        f"10 softmax outputs — **{n_params:,} parameters** (the XOR network has 9). Each epoch shuffles the "
        f"{data.n_train:,} training images into {steps_per_epoch} mini-batches of {batch} and takes one "
        f"gradient-descent step per batch."
    )

hist, how = dr.get_history(settings, data)
res = dr.results(settings, hist, data)

# ----- summary ------------------------------------------------------------------------------------
if hist.diverged:
    st.error(
        f"Training ended early: {hist.stopped}. Everything below shows the network at that point. "
        "Lower the learning rate."
    )
elif how == "stopped":
    st.warning(f"Training {hist.stopped}. Everything below shows the network as it was then.")
    st.button(
        f"Continue training: epochs {hist.epochs_run + 1}–{hist.epochs_planned}",
        key="dg_resume",
        on_click=dr.resume,
        icon=":material/play_arrow:",
        help="Carries on from where training stopped, with the same weights and batch order.",
    )
if init == "zeros":
    kind, why = initialisers.zero_init_effect(act)
    largest = max(float(np.max(np.abs(W))) for W in hist.final.W)
    evidence = f"This run, after {hist.epochs_run} epochs: the largest |weight| is {largest:.3g}"
    if kind == "symmetric":
        evidence += (
            f", and the {width} neurons of the first hidden layer still differ by at most "
            f"{symmetry_gap(hist.final):.3g}"
        )
    st.info(f"**Zero initial weights.** {why} {evidence}. Choose a random initialiser.", icon=":material/info:")
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


def trained_caption() -> None:
    went_on = hist.meta.get("resumed_after", [])
    st.caption(
        f"Trained in {hist.seconds:.1f} s ({hist.steps:,} steps"
        + (f", continued after epoch {' and '.join(map(str, went_on))}" if went_on else "")
        + ")"
        + (" — remembered from an earlier run with these settings." if how == "cache" else ".")
        + " The test images are never used for a gradient step, but the page scores them after every epoch: if you "
        "choose the number of epochs or any setting by the test accuracy, the test set is acting as a validation "
        "set, and its accuracy is no longer a clean estimate of how well the network reads new handwriting (for "
        "that, make the choices on a separate validation set and look at the test set once, at the end)."
    )


if not PRESENTING:  # projected, it goes below the tabs: the first screen is for the results
    trained_caption()

L = hist.final.n_layers  # weight layers: the output is aL = softmax(zL)

# ----- learning curves ----------------------------------------------------------------------------


def curves_tab() -> None:
    c1, c2 = st.columns(2)
    with c1:
        show_spec(dc.curves_spec(hist, "loss", ui.presenter()))
    with c2:
        show_spec(dc.curves_spec(hist, "accuracy", ui.presenter()))
    gap = hist.train_acc[-1] - hist.test_acc[-1]
    if abs(gap) < GAP_POINT:
        gap_text = f" The two differ by {gap:+.1%}: about the same, no generalisation gap to speak of."
    elif gap > 0:
        gap_text = (
            f" The difference, {gap:.1%}, is the *generalisation gap*: the network does better on the images it was "
            "trained on than on new ones. A gap that keeps growing while the test accuracy stalls or falls is the "
            "usual sign of *overfitting*; these curves show the gap, not its cause."
        )
    else:
        gap_text = f" The test accuracy is {-gap:.1%} above the training accuracy here: no generalisation gap."
    st.markdown(
        f"Epoch 0 is the untrained network (accuracy near 10 %: a guess among ten digits). After "
        f"{hist.epochs_run} epochs it gets **{hist.test_acc[-1]:.1%}** of the test images right and "
        f"{hist.train_acc[-1]:.1%} of the training images.{gap_text}"
        + (f" (Training curves use a fixed sample of {dr.EVAL_MAX:,} images.)" if data.n_train > dr.EVAL_MAX else "")
    )
    with st.expander("The numbers, epoch by epoch"):
        dash = ["—"]  # epoch 0 is before any step: no learning rate, no running loss (never NaN)
        table = pd.DataFrame(
            {
                "epoch": np.arange(hist.epochs_run + 1),
                "train loss": [f"{v:.4f}" for v in hist.train_loss],
                "test loss": [f"{v:.4f}" for v in hist.test_loss],
                "train accuracy": [f"{v:.2%}" for v in hist.train_acc],
                "test accuracy": [f"{v:.2%}" for v in hist.test_acc],
                "learning rate": dash + [f"{v:.4g}" for v in hist.lr],
                "running loss": dash + [f"{v:.4f}" for v in hist.running_loss],
            }
        )
        ui.table(table, hide_index=True)
        st.caption("Running loss: the mean mini-batch loss during that epoch (the number the progress bar shows).")


# ----- confusion and mistakes -----------------------------------------------------------------------


def mistakes_tab() -> None:
    c1, c2 = st.columns([3, 2])
    C = res.confusion
    with c1:
        show("confusion", C, height=280 if ui.presenter() else 380)  # projected: all ten rows on the first screen
    with c2:
        off = C.copy()
        np.fill_diagonal(off, 0)
        st.markdown(
            f"Row = the true digit, column = the network's answer. The outlined diagonal counts the "
            f"{int(C.trace())} right answers; every shaded cell off it is a kind of mistake "
            f"({int(off.sum())} in all). The darker a cell's purple, the larger its share of that row's test images."
        )
        if off.sum():
            top = np.argwhere(off == off.max())[:3]
            pairs = ", ".join(f"a **{t}** read as a **{p}**" for t, p in top)
            each = " each" if len(top) > 1 else ""
            st.markdown(f"Most common mistake{'s' if len(top) > 1 else ''}: {pairs} ({int(off.max())}×{each}).")
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
            ink_pngs(data.key, tuple(int(i) for i in shown), data.test_images, data.max_value),
            caption=[f"#{i}: {data.test_labels[i]} → {res.pred[i]} ({res.probs[i, res.pred[i]]:.2f})" for i in shown],
            width=84,
        )
        if len(res.mistakes) > len(shown):
            st.caption(f"… and {len(res.mistakes) - len(shown)} more.")
    else:
        st.success("No test image is misclassified.")


# ----- one digit ----------------------------------------------------------------------------------


@st.fragment  # stepping through test images reruns only this tab, not the training and the other tabs
def digit_tab() -> None:
    n_test = len(data.test_labels)
    if not 0 <= int(ss.get("dg_digit", 0) or 0) < n_test:
        ss["dg_digit"] = 0
    mode = ui.presenter()
    if mode:  # projected: the choice, the picture and the ten probabilities side by side on one screen
        left, picture, right = st.columns([5, 4, 9])
        ask, pick = left, left
    else:
        ask, pick = st.columns([1, 1], vertical_alignment="bottom")
    i = int(ui.linked(ask.number_input, f"Test image (0–{n_test - 1})", 0, n_test - 1, 0, key="dg_digit"))
    if len(res.mistakes):
        worst = int(res.mistakes[0])
        label = "Most confident mistake" if mode else "Show the most confident mistake"  # fits a narrow column
        pick.button(label, key="dg_worst", on_click=pick_digit, args=(worst,))
    fwd = hist.final.forward(data.inputs(slice(i, i + 1)))
    a2 = fwd.output[0]
    true, pred = int(data.test_labels[i]), int(np.argmax(a2))
    if not mode:
        left, right = st.columns([2, 3])
        picture = left
    left.markdown(f"**Test image #{i}** — a handwritten **{true}**")
    with picture:
        show_spec(dc.digit_spec(mode, data.test_images[i], data.max_value, 200 if mode else 220), width="content")
    verdict = "right" if pred == true else "wrong"
    left.markdown(f"The network says **{pred}** with probability {a2[pred]:.3f} — **{verdict}**.")
    with right:
        show_spec(dc.probability_spec(mode, a2, true, f"a{L}", 310 if mode else 320))  # legend: one row each
        st.caption(
            f"The ten probabilities add up to {a2.sum():.6f}: softmax turns the output layer's ten numbers z{L} "
            "into shares of 1."
        )
    acts = [fwd.a[l][0] for l in range(1, L)]
    st.markdown(
        f"**Hidden activations for this image** — {' and '.join(f'a{l}' for l in range(1, L))}, one cell per "
        "hidden neuron: red = positive, blue = negative, white = 0 (hover for the value)."
    )
    show_spec(dc.activations_spec(mode, acts))
    with st.expander("The activations as numbers"):
        ui.table(
            dc.table({"neuron": np.arange(width)} | {f"a{l}": a for l, a in enumerate(acts, start=1)}),
            {f"a{l}": st.column_config.NumberColumn(format="%.4f") for l in range(1, L)},
            hide_index=True,
        )
    st.markdown(
        "**The forward pass at scale** — the notes' two steps, with bigger matrices:"
        + "".join(
            f"\n- `z{l} = a{l - 1} @ W{l} + b{l}`: (1×{sizes[l - 1]}) @ ({sizes[l - 1]}×{sizes[l]}) + (1×{sizes[l]}), "
            + f"then `a{l} = {ACTIVATION_NAMES[act] if l < len(sizes) - 1 else 'softmax'}(z{l})`"
            for l in range(1, len(sizes))
        )
        + "\n\n(`a0` is the image's pixels as one row, each divided by "
        + f"{data.max_value} so they lie in [0, 1].)"
    )
    y = np.zeros(10)
    y[true] = 1.0
    st.markdown(
        f"**The output error is still `dz{L} = a{L} − y`.** With a softmax output and categorical cross-entropy "
        f"L = −Σ y·log a{L}, the derivative with respect to z{L} works out to a{L} − y — the notes' "
        f"`dz2 = a2 − y`, now in ten dimensions, with y one-hot (1 for the true digit, 0 for the nine others)."
    )
    delta = dc.table({"digit": np.arange(10), f"a{L}": a2, "y": y.astype(int), f"dz{L} = a{L} − y": a2 - y})
    ui.table(
        delta,
        {
            f"a{L}": st.column_config.NumberColumn(format="%.4f"),
            f"dz{L} = a{L} − y": st.column_config.NumberColumn(format="%+.4f"),
        },
        hide_index=True,
    )


# ----- first-layer weights --------------------------------------------------------------------------


def weights_tab() -> None:
    W1 = hist.final.W[0]
    count = min(width, 64 if h <= 8 else 24)
    cols = 8 if h <= 8 else 6
    px = (4.7 if h <= 8 else 1.9) * (2 if ui.presenter() else 1)
    # side by side on a laptop; stacked in presenter mode, where the pictures are twice as large
    c1, c2 = (st.container(), st.container()) if ui.presenter() else st.columns([1, 1])
    with c1:
        show("weights", W1, data.shape, count, cols, px, width="content")
        if count < width:
            st.caption(f"The first {count} of {width} hidden neurons.")
    with c2:
        st.markdown(
            f"Column j of W1 holds the {data.d} weights from every pixel to hidden neuron j, so it can be "
            f"drawn as a {h}×{w} picture: **red** pixels push the neuron's z1 up when there is ink there, "
            "**blue** pixels push it down, white ones do not matter. Each picture is scaled by its own largest "
            "|weight| (hover for the exact value). A neuron fires for images whose ink falls on its red pixels "
            "and avoids its blue ones — the digits' version of the OR and AND the XOR network's hidden "
            "neurons learned."
            + (
                " At 8×8 the pictures are coarse: each pixel counts the ink in a 4×4 block of the original 32×32 scan."
                if h <= 8
                else ""
            )
        )
        mag = np.abs(W1[:, :count])
        st.caption(
            f"Text version: W1 is {W1.shape[0]}×{W1.shape[1]}; the largest |weight| is "
            f"{ui.fmt(float(mag.max()), 3)}. "
            + "; ".join(
                f"neuron {j} weighs pixel (row {p // w}, column {p % w}) most"
                for j, p in enumerate(np.argmax(mag, axis=0)[:4])
            )
            + "."
        )


# ----- gradient flow ------------------------------------------------------------------------------


def gradients_tab() -> None:
    G = hist.grad_norms
    if G.size:
        show("grad_flow", G, height=290 if ui.presenter() else 330)
        first, last = G[-1, 0], G[-1, -1]
        ratio = first / last if last > 0 else float("nan")
        hidden_points = int(np.sum(~(np.isfinite(G) & (G > 0))))
        if hidden_points:
            st.caption(
                f"{hidden_points} of the {G.size} values are exactly 0 (that layer did not learn in that epoch) "
                "and cannot be drawn on the log axis; they are in the table below."
            )
        st.markdown(
            "Each line is one layer's gradient size ‖dW‖ (Frobenius norm), averaged over the mini-batch steps "
            "of each epoch. It is the gradient, not the step: a step changes W by lr·dW, and every layer uses the "
            "same learning rate, so the lines compare the layers' steps too. "
            f"In the last epoch ‖dW1‖ was {ui.fmt(first, 4)} and ‖dW{L}‖ {ui.fmt(last, 4)} "
            f"(ratio {ui.fmt(ratio, 2)}). Backpropagation multiplies by the activation's slope at every hidden "
            f"layer on the way back; sigmoid's slope is at most {ACTIVATIONS['sigmoid'].peak:g}, so try "
            "**3 hidden layers of Sigmoid**: the first layer's line starts far below the last one's and the "
            "test accuracy drops. With ReLU the lines stay close."
        )
        vg = next((p for p in nav.available() if p[3] == "vanishing-gradient"), None)
        if vg:
            st.page_link(f"../pages/{vg[0]}", label="Why: the Vanishing gradient page", icon=":material/blur_on:")
        with st.expander("The numbers"):
            ui.table(
                ui.matrix_frame(G, [str(e) for e in range(1, G.shape[0] + 1)], [f"‖dW{l}‖" for l in range(1, L + 1)]),
            )
    else:
        st.info("No epoch has finished yet, so there are no gradients to show.")


# Tabs run lazily: only the open one computes and sends its charts, so a rerun stays quick. The open
# tab is part of the shared link (a teacher can link straight to "Gradient flow").
TABS = {
    "Learning curves": curves_tab,
    "Confusion and mistakes": mistakes_tab,
    "One digit, forward": digit_tab,
    "What the neurons look for": weights_tab,
    "Gradient flow": gradients_tab,
}
link_digit = st.query_params.get("dg_digit")  # a link that picks a digit opens that digit's tab
ui.name_setting("dg_tab", "Tab")  # tabs have no label of their own (ui.linked names the other controls)
tabs = st.tabs(
    list(TABS),
    key="dg_tab",
    on_change="rerun",
    bind="query-params",
    default="One digit, forward" if link_digit is not None else None,
)
for tab, draw in zip(tabs, TABS.values()):
    if tab.open:
        with tab:
            draw()
if not tabs[2].open and link_digit is not None and "dg_digit" not in ss:
    # the link also named another tab: remember its digit for when that tab opens
    if link_digit.isdigit() and int(link_digit) < len(data.test_labels):
        ss["dg_digit"] = int(link_digit)
if PRESENTING:
    trained_caption()
