"""Change the hidden width of a 2-h-1 network, keeping the neurons it already has.

The Architecture page lets a student pick 1–8 hidden neurons. Rather than inventing a new network,
it starts from the current one:

- fewer neurons: keep hidden neurons 1..width (their W1 columns, b1 entries and W2 rows);
- more neurons: keep all of them and append new ones whose W1 columns and W2 rows are drawn from a
  seeded initialisation of a 2-width-1 network (biases 0, as every initialiser here starts them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.init import init_params
from core.mlp import MLP

MIN_WIDTH, MAX_WIDTH = 1, 8


@dataclass
class Resized:
    net: MLP  # the 2-width-1 network
    kept: int  # hidden neurons copied from the original (the first ``kept``)
    added: int  # new hidden neurons drawn from the initialiser
    dropped: int  # original hidden neurons left out


def param_count(width: int, n_in: int = 2, n_out: int = 1) -> int:
    """W1 (n_in×h) + b1 (1×h) + W2 (h×n_out) + b2 (1×n_out); 4h + 1 for the notes' 2-h-1 shape."""
    return n_in * width + width + width * n_out + n_out


def resize_hidden(net: MLP, width: int, seed: int = 0, init: str = "xavier_uniform") -> Resized:
    """A 2-width-1 copy of the one-hidden-layer ``net`` (W1 (2, h), b1 (1, h), W2 (h, 1), b2 (1, 1)).

    New neurons' weights come from ``init_params([2, width, 1], init, seed)`` (the columns/rows past
    the kept ones), so the same seed always adds the same neurons.
    """
    if net.n_layers != 2:
        raise ValueError("resize_hidden needs a network with exactly one hidden layer")
    width = int(width)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"width must be between {MIN_WIDTH} and {MAX_WIDTH}")
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]
    h = W1.shape[1]
    kept = min(h, width)
    Ws, bs = init_params([W1.shape[0], width, W2.shape[1]], init, seed)
    new_W1 = np.concatenate([W1[:, :kept], Ws[0][:, kept:]], axis=1)
    new_b1 = np.concatenate([b1[:, :kept], bs[0][:, kept:]], axis=1)
    new_W2 = np.concatenate([W2[:kept, :], Ws[1][kept:, :]], axis=0)
    out = MLP([new_W1, new_W2], [new_b1, b2.copy()], hidden=net.hidden, output=net.output)
    return Resized(out, kept=kept, added=width - kept, dropped=h - kept)
