"""The Handwritten digits page's words: sentences and captions built from a run's numbers (no maths
beyond formatting; every number comes from core through app/digits/run.py)."""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES, SCHEDULE_NAMES
from app.run_words import ended
from app.ui import fmt
from core.activations import ACTIVATIONS
from core.diagnose import symmetry_gap
from core.sgd import SGDHistory

GAP_POINT = 0.01  # train − test accuracy below one percentage point: "about the same"

INTRO = (
    "The notes' next step, *“build a proper class-based network for MNIST”*: the **very same network "
    "class** that solves XOR on the other pages, with an image's pixels as inputs and **ten outputs**, one per digit."
)
MNIST_ABOUT = (
    "**Real MNIST** — 60,000 training and 10,000 test images of 28×28 pixels, from the four "
    "standard IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, "
    "`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, gzipped or not). MNIST is by Yann LeCun, "
    "Corinna Cortes and Christopher J.C. Burges (licence CC BY-SA 3.0)."
)


# ----- how a run ended ----------------------------------------------------------------------------
def stopped(hist: SGDHistory, why: str, limit: float) -> str:
    """What happened to a run kept part-way: the Stop button ("click") or the time limit ("limit")."""
    if why == "click":
        return f"was stopped after {hist.epochs_run} of {hist.epochs_planned} epochs"
    return f"reached the time limit of {limit:.0f} s and {ended(hist)}"


# ----- the network --------------------------------------------------------------------------------
def network_line(
    sizes: list[int], act: str, lr: float, sched: str, batch: int, epochs: int, present: bool, data
) -> str:
    """The network in one line (projected) or its sentence (normal), with its parameter count."""
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    arrow = " → ".join(map(str, sizes))
    if present:  # one line the back row can read; the details are in the Settings popover
        return (
            f"**{arrow}** · {ACTIVATION_NAMES[act]} · {n_params:,} parameters · "
            f"learning rate {lr:g} ({SCHEDULE_NAMES[sched].lower()}) · mini-batches of {batch} · {epochs} epochs"
        )
    h, w = data.shape
    layers, width = len(sizes) - 2, sizes[1]
    steps_per_epoch = -(-data.n_train // batch)
    return (
        f"**{arrow}**: {h}×{w} = {data.d} pixel inputs, "
        f"{layers} hidden layer{'s' if layers > 1 else ''} of {width} {ACTIVATION_NAMES[act]} neurons, "
        f"10 softmax outputs — **{n_params:,} parameters** (the XOR network has 9). Each epoch shuffles the "
        f"{data.n_train:,} training images into {steps_per_epoch} mini-batches of {batch} and takes one "
        f"gradient-descent step per batch."
    )


def zero_init_evidence(hist: SGDHistory, kind: str, width: int) -> str:
    """This run's evidence for what zero initial weights do (kind: initialisers.zero_init_effect's)."""
    largest = max(float(np.max(np.abs(W))) for W in hist.final.W)
    evidence = f"This run, after {hist.epochs_run} epochs: the largest |weight| is {largest:.3g}"
    if kind == "symmetric":
        gap = symmetry_gap(hist.final)
        evidence += f", and the {width} neurons of the first hidden layer still differ by at most {gap:.3g}"
    return evidence


def trained_caption(hist: SGDHistory, remembered: bool) -> str:
    went_on = hist.meta.get("resumed_after", [])
    return (
        f"Trained in {hist.seconds:.1f} s ({hist.steps:,} steps"
        + (f", continued after epoch {' and '.join(map(str, went_on))}" if went_on else "")
        + ")"
        + (" — remembered from an earlier run with these settings." if remembered else ".")
        + " The test images are never used for a gradient step, but the page scores them after every epoch: if you "
        "choose the number of epochs or any setting by the test accuracy, the test set is acting as a validation "
        "set, and its accuracy is no longer a clean estimate of how well the network reads new handwriting (for "
        "that, make the choices on a separate validation set and look at the test set once, at the end)."
    )


# ----- learning curves ----------------------------------------------------------------------------
def curves_words(hist: SGDHistory, n_train: int, eval_max: int) -> str:
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
    return (
        f"Epoch 0 is the untrained network (accuracy near 10 %: a guess among ten digits). After "
        f"{hist.epochs_run} epochs it gets **{hist.test_acc[-1]:.1%}** of the test images right and "
        f"{hist.train_acc[-1]:.1%} of the training images.{gap_text}"
        + (f" (Training curves use a fixed sample of {eval_max:,} images.)" if n_train > eval_max else "")
    )


def curves_description(hist: SGDHistory, which: str) -> str:
    """The learning-curve chart in one sentence, from its numbers."""
    if which == "loss":
        tr, te, f = hist.train_loss, hist.test_loss, "{:.3f}"
    else:
        tr, te, f = hist.train_acc, hist.test_acc, "{:.1%}"
    return (
        f"{'Loss' if which == 'loss' else 'Accuracy'} per epoch over {hist.epochs_run} epochs: training from "
        f"{f.format(tr[0])} to {f.format(tr[-1])}, test from {f.format(te[0])} to {f.format(te[-1])}."
    )


# ----- confusion matrix ---------------------------------------------------------------------------
def confusion_words(C: np.ndarray) -> tuple[str, str | None]:
    """The matrix explained, and its most common mistakes (None when there is none)."""
    off = C.copy()
    np.fill_diagonal(off, 0)
    about = (
        f"Row = the true digit, column = the network's answer. The outlined diagonal counts the "
        f"{int(C.trace())} right answers; every shaded cell off it is a kind of mistake "
        f"({int(off.sum())} in all). The darker a cell's purple, the larger its share of that row's test images."
    )
    if not off.sum():
        return about, None
    top = np.argwhere(off == off.max())[:3]
    pairs = ", ".join(f"a **{t}** read as a **{p}**" for t, p in top)
    each = " each" if len(top) > 1 else ""
    return about, f"Most common mistake{'s' if len(top) > 1 else ''}: {pairs} ({int(off.max())}×{each})."


def confusion_description(C: np.ndarray) -> str:
    return (
        f"Confusion matrix of {int(C.sum()):,} test images: {int(C.trace()):,} on the diagonal (right), "
        f"{int(C.sum() - C.trace()):,} off it (mistakes)."
    )


# ----- one digit ----------------------------------------------------------------------------------
def forward_at_scale(sizes: list[int], act: str, max_value: int) -> str:
    return (
        "**The forward pass at scale** — the notes' two steps, with bigger matrices:"
        + "".join(
            f"\n- `z{l} = a{l - 1} @ W{l} + b{l}`: (1×{sizes[l - 1]}) @ ({sizes[l - 1]}×{sizes[l]}) + (1×{sizes[l]}), "
            + f"then `a{l} = {ACTIVATION_NAMES[act] if l < len(sizes) - 1 else 'softmax'}(z{l})`"
            for l in range(1, len(sizes))
        )
        + "\n\n(`a0` is the image's pixels as one row, each divided by "
        + f"{max_value} so they lie in [0, 1].)"
    )


def output_error(L: int) -> str:
    return (
        f"**The output error is still `dz{L} = a{L} − y`.** With a softmax output and categorical cross-entropy "
        f"L = −Σ y·log a{L}, the derivative with respect to z{L} works out to a{L} − y — the notes' "
        f"`dz2 = a2 − y`, now in ten dimensions, with y one-hot (1 for the true digit, 0 for the nine others)."
    )


def digit_description(i: int, true: int) -> str:
    return f"Test image #{i}, a handwritten {true}, as a grey picture."


def probabilities_description(a: np.ndarray, true: int) -> str:
    pred = int(np.argmax(a))
    return (
        f"The ten output probabilities: the largest, {a[pred]:.3f}, for digit {pred}; the true digit {true} "
        f"has {a[true]:.3f}."
    )


def activations_description(acts: list[np.ndarray]) -> str:
    parts = [f"a{l}: {int(np.sum(a > 0))} of {a.size} neurons positive" for l, a in enumerate(acts, start=1)]
    return "Hidden activations for this image, " + "; ".join(parts) + "."


# ----- first-layer weights ------------------------------------------------------------------------
def weights_words(d: int, h: int, w: int) -> str:
    return (
        f"Column j of W1 holds the {d} weights from every pixel to hidden neuron j, so it can be "
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


def weights_caption(W1: np.ndarray, count: int, w: int) -> str:
    mag = np.abs(W1[:, :count])
    return (
        f"Text version: W1 is {W1.shape[0]}×{W1.shape[1]}; the largest |weight| is "
        f"{fmt(float(mag.max()), 3)}. "
        + "; ".join(
            f"neuron {j} weighs pixel (row {p // w}, column {p % w}) most"
            for j, p in enumerate(np.argmax(mag, axis=0)[:4])
        )
        + "."
    )


def weights_description(W1: np.ndarray, count: int, h: int, w: int) -> str:
    return f"The first-layer weights of {count} hidden neurons, each drawn as a {h}×{w} picture."


# ----- gradient flow ------------------------------------------------------------------------------
def grad_flow_words(G: np.ndarray) -> str:
    first, last, L = G[-1, 0], G[-1, -1], G.shape[1]
    ratio = first / last if last > 0 else float("nan")
    return (
        "Each line is one layer's gradient size ‖dW‖ (Frobenius norm), averaged over the mini-batch steps "
        "of each epoch. It is the gradient, not the step: a step changes W by lr·dW, and every layer uses the "
        "same learning rate, so the lines compare the layers' steps too. "
        f"In the last epoch ‖dW1‖ was {fmt(first, 4)} and ‖dW{L}‖ {fmt(last, 4)} "
        f"(ratio {fmt(ratio, 2)}). Backpropagation multiplies by the activation's slope at every hidden "
        f"layer on the way back; sigmoid's slope is at most {ACTIVATIONS['sigmoid'].peak:g}, so try "
        "**3 hidden layers of Sigmoid**: the first layer's line starts far below the last one's and the "
        "test accuracy drops. With ReLU the lines stay close."
    )


def grad_flow_hidden(G: np.ndarray) -> str | None:
    hidden_points = int(np.sum(~(np.isfinite(G) & (G > 0))))
    if not hidden_points:
        return None
    return (
        f"{hidden_points} of the {G.size} values are exactly 0 (that layer did not learn in that epoch) "
        "and cannot be drawn on the log axis; they are in the table below."
    )


def grad_flow_description(G: np.ndarray) -> str:
    L = G.shape[1]
    return (
        f"Mean gradient size per layer over {G.shape[0]} epochs on a log axis; in the last epoch "
        f"‖dW1‖ = {fmt(G[-1, 0], 4)} and ‖dW{L}‖ = {fmt(G[-1, -1], 4)}."
    )
