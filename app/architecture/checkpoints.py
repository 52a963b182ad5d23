"""Architecture's "Before you look" checkpoints (app.predict): truths from core."""

from __future__ import annotations

import numpy as np

from app import predict
from app.architecture.run import NEURON_DEFAULTS
from app.predict import Checkpoint, Truth
from core.data import X, y
from core.linear_sep import count_correct, pair_sums
from core.mlp import MLP

OTHER_WIDTHS = (5, 3)  # the width the parameter question asks about: 5, or 3 when the network has 5
SEARCH = np.linspace(-10.0, 10.0, 11)  # the single neuron's weights and bias tried for the truth


def other_width(sizes: tuple) -> int:
    return OTHER_WIDTHS[1] if sizes[1:-1] == (OTHER_WIDTHS[0],) else OTHER_WIDTHS[0]


def params_at(sizes: tuple) -> Truth:
    h = other_width(sizes)
    net = MLP.create([sizes[0], h, sizes[-1]])
    n = net.n_params
    return Truth(
        n,
        f"{n}",
        f"Each hidden neuron brings 2 weights from the inputs, 1 bias and 1 weight to the output: "
        f"4·{h} + 1 = {n}.  \nSee the parameter table with the hidden-layer slider set to {h}.",
    )


def single_neuron(_: None) -> Truth:
    best = max(count_correct(u1, u2, c, X, y) for u1 in SEARCH for u2 in SEARCH for c in SEARCH)
    s1, s0 = pair_sums(*NEURON_DEFAULTS)
    said = predict.YES_NO[0] if best == len(X) else predict.YES_NO[1]
    return Truth(
        said,
        f"{said}: the best of {SEARCH.size**3:,} weight settings gets {best} of {len(X)}",
        f"For any weights, z[0 1] + z[1 0] = z[0 0] + z[1 1] (here {s1:g} = {s0:g}): both 1-inputs above 0 and both "
        "0-inputs at or below 0 cannot happen together.  \nSee “Why 4 of 4 is impossible” under the sliders.",
    )


def build(net: MLP) -> dict[str, Checkpoint]:
    sizes = tuple(net.sizes)
    return {
        "params": Checkpoint(
            "ar_params",
            f"how many numbers (weights and biases) would this network have with {other_width(sizes)} hidden neurons?",
            predict.NUMBER,
            params_at,
            sizes,
            sizes,
            lo=0,
            hi=1e6,
        ),
        "single": Checkpoint(
            "ar_single",
            "can one neuron on its own (two weights and a bias, no hidden layer) get all four XOR inputs right?",
            predict.CHOICE,
            single_neuron,
            options=predict.YES_NO,
        ),
    }
