"""The One-epoch page's diagram: the shared network diagram (app.diagram) with one phase lit and
that phase's numbers written on it, for the input the page follows.

    forward   every neuron and weight lit; under each neuron its z and a (inputs: their value)
    loss      the output lit; under it a2, y and that input's loss
    backward  hidden and output lit, every edge labelled with its dW; under each neuron dz and db
    update    every weight labelled before → after, every bias likewise
"""

from __future__ import annotations

import numpy as np

from app.diagram import diagram_columns, diagram_spec
from app.one_epoch import text as tx
from core.data import X
from core.mlp import MLP
from core.one_epoch import Epoch


def phase_columns(net: MLP, ep: Epoch, phase: str, row: int, losses: np.ndarray) -> tuple[dict, dict]:
    """(nodes, edges) of ``net``'s diagram with ``phase`` lit for input ``row``."""
    nodes, edges = diagram_columns(net)
    n_in, h = net.W[0].shape
    f, b = ep.forward, ep.backward
    layer = nodes["layer"]
    hid = [k for k, lay in enumerate(layer) if lay == "hid"]
    out = layer.index("out")
    num, arrow = tx.num, tx.arrow
    texts = [f"x{i + 1} = {X[row, i]:g}" for i in range(n_in)] + [""] * (h + 1)
    lit_nodes = np.ones(len(layer), dtype=bool)
    lit_edges = np.ones(len(edges["param"]), dtype=bool)
    labels = list(edges["label"])
    if phase == "forward":
        for j, k in enumerate(hid):
            texts[k] = f"z1 = {num(f['z1'][row, j])}\na1 = {num(f['a1'][row, j])}"
        texts[out] = f"z2 = {num(f['z2'][row, 0])}\na2 = {num(f['a2'][row, 0])}"
    elif phase == "loss":
        lit_nodes[:] = False
        lit_nodes[out] = True
        lit_edges[:] = False
        for j, k in enumerate(hid):
            texts[k] = f"a1 = {num(f['a1'][row, j])}"
        texts[out] = f"a2 = {num(f['a2'][row, 0])}\ny = {tx.target(row)}\nloss = {num(losses[row])}"
    elif phase == "backward":
        lit_nodes[:n_in] = False
        for j, k in enumerate(hid):
            texts[k] = f"dz1 = {num(b['dz1'][row, j])}\ndb1 = {num(b['db1'][0, j])}"
        texts[out] = f"dz2 = {num(b['dz2'][row, 0])}\ndb2 = {num(b['db2'][0, 0])}"
        grads = np.r_[b["dW1"].ravel(), b["dW2"][:, 0]]
        labels = [tx.gradient(g) for g in grads]
    else:  # update
        lit_nodes[:n_in] = False
        before, after = ep.before, ep.after
        for j, k in enumerate(hid):
            texts[k] = f"b1[{j}] " + arrow(before["b1"][0, j], after["b1"][0, j])
        texts[out] = "b2 " + arrow(before["b2"][0, 0], after["b2"][0, 0])
        olds = np.r_[before["W1"].ravel(), before["W2"][:, 0]]
        news = np.r_[after["W1"].ravel(), after["W2"][:, 0]]
        labels = [arrow(o, n) for o, n in zip(olds, news)]
    # a level edge's label at its middle, clear of the input's own number (crossing edges keep theirs)
    level = np.isclose(edges["y"], edges["y2"]) & (edges["x"] == 0)
    lx = np.where(level, 0.5, edges["lx"])
    nodes = {**nodes, "bias_text": texts, "lit": lit_nodes}
    edges = {**edges, "label": labels, "lit": lit_edges, "lx": lx}
    return nodes, edges


def spec(nodes: dict, edges: dict, present: bool) -> dict:
    """The filled diagram (every edge label written: the phase decides which are lit)."""
    return diagram_spec(nodes, edges, present, edge_labels=True, lit=True)
