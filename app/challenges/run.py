"""Challenges: the runs each check needs (cached, from core) and the checkers, which turn a state into a
``Verdict``. A checker takes the state (a network, a run's history, a test accuracy), never widgets, so
tests can hand it a solved and an unsolved state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import MLP, X, notes_network, y
from core.diagnose import diagnose_run, first_solved_epoch, symmetry_gap
from core.digits import load_bundled, one_hot, stratified_split
from core.gates import read_hidden
from core.mlp import check_network
from core.sgd import train_minibatch
from core.train import SOLVED_LOSS, train

DIVERGE_EPOCHS = 1000  # the notes' network trains this long in the divergence challenge
BELOW = 0.9  # "smallest": 10 % less must not diverge
RUN_EPOCHS = 3000  # the XOR runs of the stuck and fewest-neurons challenges
FEWEST = 2  # one hidden neuron draws one line, and XOR needs two
FLAT = 1e-3  # a gradient this small (‖all nine gradients‖) counts as flat
SATURATED_SHARE = 0.5  # "saturated": at least this share of (input, hidden neuron) pairs sit on σ's flat part
DIGITS_TARGET, DIGITS_BUDGET = 0.95, 1000  # test accuracy to reach, with at most this many numbers
WHY = ("both hidden neurons started the same", "its hidden neurons saturated")


@dataclass(frozen=True)
class Verdict:
    solved: bool
    words: str  # plain words: what the check found, with the numbers


def solved_epoch(hist) -> int | None:
    return first_solved_epoch(hist.loss, hist.acc, SOLVED_LOSS)


# ----- 1. a NAND gate that still solves XOR (the shared network) ------------------------------------------
def gate_verdict(net: MLP) -> Verdict:
    if problem := check_network(net):
        return Verdict(False, f"This challenge needs the notes' 2-2-1 network: {problem}.")
    r = read_hidden(net)[0]
    right = int(round(net.accuracy(X, y) * len(X)))
    if r.name != "NAND":
        return Verdict(False, f"Hidden1 is {r.name} now, not NAND. The network gets {right} of 4 right.")
    if not r.gate_like:
        return Verdict(False, "Hidden1 is NAND, but not a clean gate: an input sits too close to its line, or its "
                       "on and off values are too close together.")  # fmt: skip
    if right < len(X):
        return Verdict(False, f"Hidden1 is a clean NAND, but the network gets only {right} of 4 XOR inputs right.")
    return Verdict(True, "Hidden1 is a clean NAND gate, and the network gets all 4 XOR inputs right.")


# ----- 2. the smallest learning rate at which the notes' network diverges -------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def notes_run(rate: float):
    return train(notes_network(), X, y, float(rate), DIVERGE_EPOCHS, snapshots=2)


def diverge_verdict(rate: float, at, below) -> Verdict:
    """at, below: the notes' network trained at ``rate`` and at BELOW × rate."""
    if not at.diverged:
        return Verdict(False, f"At {rate:g} the notes' network trains for {DIVERGE_EPOCHS:,} epochs without diverging.")
    if below.diverged:
        return Verdict(
            False, f"It diverges at {rate:g}, but also at {BELOW * rate:g}: a smaller rate already diverges."
        )
    return Verdict(
        True,
        f"At {rate:g} it diverges ({at.divergence.reason} at epoch {at.divergence.epoch:,}); at "
        f"{BELOW * rate:g} it does not.",
    )


# ----- 3. a run that gets stuck, and why ----------------------------------------------------------------------
def start(width: int, init: str, sigma: float, seed: int) -> MLP:
    return MLP.create([2, int(width), 1], init=init, seed=int(seed), sigma=float(sigma))


@st.cache_data(max_entries=64, show_spinner=False)
def xor_run(width: int, init: str, sigma: float, seed: int, lr: float):
    return train(start(width, init, sigma, seed), X, y, float(lr), RUN_EPOCHS, snapshots=2)


def stuck_reasons(hist) -> set[str]:
    """Which of WHY hold at the end of the run."""
    net = hist.final
    reasons = set()
    if net.W[0].shape[1] >= 2 and symmetry_gap(net) == 0.0:
        reasons.add(WHY[0])
    if net.is_finite() and diagnose_run(net, X, y).fraction_saturated >= SATURATED_SHARE:
        reasons.add(WHY[1])
    return reasons


def stuck_verdict(hist, why: str) -> Verdict:
    if hist.diverged:
        return Verdict(False, "This run diverged (it blew up), which is not getting stuck: lower the learning rate.")
    at = solved_epoch(hist)
    if at is not None:
        return Verdict(False, f"This run solved XOR at epoch {at:,}: not stuck.")
    reasons = stuck_reasons(hist)
    loss = f"after {hist.epochs_run:,} epochs its loss is {float(hist.loss[-1]):.3f}"
    if why in reasons:
        return Verdict(True, f"Stuck: {loss}, and {why}.")
    found = " and ".join(reasons) if reasons else "neither reason holds at the end of the run"
    return Verdict(False, f"Stuck ({loss}), but not for that reason: {found}.")


# ----- 4. XOR with the fewest hidden neurons --------------------------------------------------------------------
def fewest_verdict(hist, width: int) -> Verdict:
    at = solved_epoch(hist)
    if at is None:
        return Verdict(False, f"With {width} hidden neuron{'s' if width > 1 else ''} this run did not solve XOR.")
    if width > FEWEST:
        return Verdict(False, f"Solved at epoch {at:,} with {width} hidden neurons: it can be done with fewer.")
    return Verdict(True, f"Solved at epoch {at:,} with {width} hidden neurons: two lines, the fewest XOR needs.")


# ----- 5. a flat spot that is not a solution (the shared network) --------------------------------------------
def flat_verdict(net: MLP) -> Verdict:
    if problem := check_network(net):
        return Verdict(False, f"This challenge needs the notes' 2-2-1 network: {problem}.")
    g = diagnose_run(net, X, y).grad_norm
    right = int(round(net.accuracy(X, y) * len(X)))
    if right == len(X):
        return Verdict(False, "This network solves XOR: find a flat spot that does not.")
    if not g < FLAT:
        return Verdict(False, f"The gradient's size is {g:.3g}: gradient descent would still move (below {FLAT:g}).")
    return Verdict(True, f"The gradient's size is {g:.2g}, yet only {right} of 4 are right: gradient descent is stuck.")


# ----- 6. 95 % on the digits with at most 1,000 numbers ----------------------------------------------------------
@st.cache_resource(show_spinner=False)
def digits_split():
    ds = load_bundled()
    tr, te = stratified_split(ds.labels, 0.25, 0)
    X_ = ds.images.reshape(len(ds.labels), -1).astype(float) / ds.max_value
    Y_ = one_hot(ds.labels)
    return X_[tr], Y_[tr], X_[te], Y_[te], ds.labels[te]


@st.cache_data(max_entries=32, show_spinner=False)
def digits_run(width: int, act: str, lr: float, epochs: int, seed: int) -> tuple[float, int]:
    """(test accuracy, number of weights and biases) of a 64-width-10 network trained on the digits."""
    Xtr, Ytr, Xte, Yte, labels = digits_split()
    net = MLP.create([Xtr.shape[1], int(width), 10], hidden=act, output="softmax", init="he_normal", seed=int(seed))
    hist = train_minibatch(net, Xtr, Ytr, Xte, Yte, lr=float(lr), epochs=int(epochs), batch_size=16, seed=int(seed))
    out = hist.final.forward(Xte).output
    acc = float(np.mean(np.argmax(out, axis=1) == labels)) if np.all(np.isfinite(out)) else 0.0
    return acc, hist.final.n_params


def digits_verdict(accuracy: float, n_params: int) -> Verdict:
    said = f"{accuracy:.1%} of the held-out test digits with {n_params:,} numbers"
    if accuracy < DIGITS_TARGET:
        return Verdict(False, f"{said}: below {DIGITS_TARGET:.0%}.")
    if n_params > DIGITS_BUDGET:
        return Verdict(False, f"{said}: accurate enough, but more than {DIGITS_BUDGET:,} numbers.")
    return Verdict(True, f"{said}.")


def digits_params(width: int) -> int:
    """How many weights and biases the digits challenge's 64-width-10 network has."""
    return MLP.create([64, int(width), 10]).n_params


def warm() -> None:
    """The page's default checks (the digits check waits for its button)."""
    for rate in (10.0, BELOW * 10.0):
        notes_run(rate)
    xor_run(2, "xavier_uniform", 1.0, 0, 1.0)
    xor_run(4, "xavier_uniform", 1.0, 0, 1.0)
