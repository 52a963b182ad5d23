"""Handwritten digits' "Before you look" checkpoints (app.predict): truths from the page's own run
(core.sgd) and its test results (core.digits through run.results)."""

from __future__ import annotations

import numpy as np

from app import predict
from app.predict import Checkpoint, Truth
from app.ui import sci


def worst_digit(confusion: np.ndarray) -> Truth:
    C = np.asarray(confusion, dtype=float)
    counts = C.sum(axis=1)
    seen = counts > 0
    errors = np.where(seen, 1.0 - np.diag(C) / np.where(seen, counts, 1.0), -1.0)
    top = [str(k) for k in np.flatnonzero(errors == errors.max())]
    k = int(top[0])
    return Truth(
        top[0],
        " and ".join(top),
        f"Of the {int(counts[k]):,} test images of a {k}, {int(counts[k] - C[k, k]):,} were called another digit "
        f"({errors[k]:.0%}), the largest share of any digit.  \nSee the confusion matrix: the row “true {k}”.",
        also=tuple(top[1:]),
    )


def larger_gradient(G: np.ndarray) -> Truth:
    G = np.asarray(G, dtype=float)
    first, last = float(G[-1, 0]), float(G[-1, -1])
    L = G.shape[1]
    options = layer_options(L)
    said = options[0] if first > last else options[1]
    return Truth(
        said,
        f"{said}: ‖dW1‖ = {sci(first)}, ‖dW{L}‖ = {sci(last)}",
        f"In the last epoch (averaged over its mini-batch steps), ‖dW1‖ = {sci(first)} and ‖dW{L}‖ = "
        f"{sci(last)}: the error signal reaches layer 1 only "
        "after passing back through every layer above it.  \nSee the gradient-flow chart: its last epoch.",
        also=tuple(options[i] for i in (0, 1) if first == last),
    )


def layer_options(L: int) -> tuple[str, str]:
    return ("the first layer's (W1)", f"the last layer's (W{L})")


def build(settings, hist, res) -> dict[str, Checkpoint]:
    key = (repr(settings), hist.epochs_run)
    cps = {
        "worst": Checkpoint(
            "dg_worst",
            "which digit will this network get wrong most often (as a share of that digit's test images)?",
            predict.CHOICE,
            worst_digit,
            res.confusion,
            key,
            options=tuple(str(k) for k in range(10)),
        )
    }
    G = np.asarray(hist.grad_norms)
    if G.ndim == 2 and G.shape[0] and G.shape[1] >= 2:
        cps["grad"] = Checkpoint(
            "dg_grad",
            "in the last epoch, which weights will get the larger gradient ‖dW‖?",
            predict.CHOICE,
            larger_gradient,
            G,
            key,
            options=layer_options(G.shape[1]),
        )
    return cps
