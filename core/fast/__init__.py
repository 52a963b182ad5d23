"""Speed paths: the readable trainers' numbers, computed with far fewer NumPy calls.

The readable code is the reference: ``core.train.readable_loop`` (``MLP.forward``, ``MLP.loss``,
``MLP.accuracy``, ``MLP.backward``, ``MLP.step``, epoch after epoch) and
``core.multiseed.seed_by_seed`` (the same loop for one seed after another). Nothing here has maths
of its own; each module's docstring names the readable lines it reproduces and how, and
tests/test_core_fast.py compares every path with the readable code in the same run, bit for bit
where the order of operations is the same (which, so far, is everywhere).

- ``workspace``: ``readable_loop`` for any network (any depth, activation, loss, output) on flat
  buffers written in place;
- ``notes_loop``: ``readable_loop`` for the notes' 2-h-1 sigmoid network with BCE, in chunks of
  epochs on negated weights; it hands over to ``workspace`` for the end and for anything that goes wrong;
- ``seeds``: ``seed_by_seed`` for many seeds at once, one NumPy call serving every seed.

``core.train.train`` and ``core.multiseed.train_many`` use them unless called with ``fast=False``.
"""

from __future__ import annotations

import numpy as np

from core.fast import notes_loop
from core.fast.workspace import Workspace, epochs_from
from core.mlp import MLP


def full_batch(
    net: MLP, X: np.ndarray, y: np.ndarray, loss: str, rates: list, snap_at: set, diverge_factor: float
) -> tuple:
    """``core.train.readable_loop(net, X, y, loss, rates, snap_at, diverge_factor)``, fast: the same
    (losses, accuracies, snapshots, stop, final network), bit for bit."""
    ws = Workspace(net, X, y, loss)
    losses, accs, snaps = [], [], []
    with np.errstate(all="ignore"):
        t = 0
        if rates and notes_loop.applies(ws):
            t = notes_loop.run_chunks(ws, rates, snap_at, losses, accs, snaps, diverge_factor)
        return epochs_from(ws, t, rates, snap_at, losses, accs, snaps, diverge_factor)
