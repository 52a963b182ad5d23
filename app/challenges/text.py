"""The Challenges chapter's words: each task, its hint and the page that helps (by url path)."""

from __future__ import annotations

from dataclasses import dataclass

from app.challenges.run import DIGITS_BUDGET, DIGITS_TARGET, DIVERGE_EPOCHS, FLAT, RUN_EPOCHS

INTRO = (
    "Six tasks the page checks for you on the live numbers. Each hint points to the page that helps; a solved "
    "challenge gives you a link that reopens its settings, to share or hand in."
)


@dataclass(frozen=True)
class Task:
    title: str
    task: str
    hint: str
    page: str  # url path of the page that helps


TASKS = {
    "gate": Task(
        "A NAND gate that still solves XOR",
        "Type weights that make **Hidden1 a clean NAND gate** (on for every input except [1 1]) while the network "
        "still gets all four XOR inputs right. The notes' Hidden1 is an OR.",
        "Hidden features names each hidden neuron's gate as you edit the 9 numbers (the editor is in the side "
        "panel here too). Flip the signs of Hidden1's weights and bias: what must the output's weight do?",
        "hidden-features",
    ),
    "diverge": Task(
        "The rate where the notes' network blows up",
        f"Find the **smallest learning rate** at which the notes' network **diverges** within {DIVERGE_EPOCHS:,} "
        "epochs: it must diverge at your rate and not at a rate 10 % smaller.",
        "One epoch in slow motion shows how a big step overshoots; then close in, halving the gap between a rate "
        "that diverges and one that does not.",
        "one-epoch",
    ),
    "stuck": Task(
        "Get stuck, and say why",
        f"Choose a start and a rate so that a run **gets stuck** (no blow-up, XOR not solved after {RUN_EPOCHS:,} "
        "epochs), and say why.",
        "Training's convergence lab explains its stuck runs: a symmetric start (every weight equal, e.g. all zero), "
        "or hidden neurons pushed deep into σ's flat ends (a very wide random start).",
        "training",
    ),
    "fewest": Task(
        "XOR with the fewest hidden neurons",
        f"Train a network that **solves XOR** (all four right and the loss below the solved threshold within "
        f"{RUN_EPOCHS:,} epochs) with **as few hidden neurons as possible**.",
        "Architecture shows why one neuron draws only one straight line.",
        "architecture",
    ),
    "flat": Task(
        "A flat spot that is not a solution",
        f"Type weights where the **gradient is (almost) zero** (its size below {FLAT:g}) but the network does "
        "**not** solve XOR: a place gradient descent cannot leave.",
        "The Loss landscape page draws the loss around the current network with its downhill arrow. What do "
        "all-zero weights give every input?",
        "loss-landscape",
    ),
    "digits": Task(
        f"{DIGITS_TARGET:.0%} on the digits with at most {DIGITS_BUDGET:,} numbers",
        f"Reach **{DIGITS_TARGET:.0%} test accuracy** on the 8×8 handwritten digits with a network of **at most "
        f"{DIGITS_BUDGET:,} weights and biases** (64 inputs, h hidden neurons, 10 outputs: 75·h + 10 numbers).",
        "Handwritten digits shows what the hidden neurons look for and how accuracy grows with width and epochs.",
        "digits",
    ),
}
