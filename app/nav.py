"""The page list: one place for file, title, icon, url path and a one-line summary."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file in pages/, title, icon, url path, summary). A page is listed only once its file exists.
PAGES = [
    ("home.py", "XOR Lab", ":material/home:", "", "What XOR Lab is."),
    (
        "architecture.py",
        "Architecture",
        ":material/account_tree:",
        "architecture",
        "2 inputs → 2 hidden → 1 output: 9 numbers, and why one neuron is not enough.",
    ),
    (
        "forward_pass.py",
        "Forward pass",
        ":material/arrow_forward:",
        "forward-pass",
        "z1 = X @ W1 + b1, a1 = σ(z1), z2, a2 — with the numbers substituted.",
    ),
    (
        "hidden_features.py",
        "Hidden features",
        ":material/grid_on:",
        "hidden-features",
        "What each hidden neuron learned (OR, AND, …) and the decision boundary.",
    ),
    (
        "backprop.py",
        "Backpropagation",
        ":material/arrow_back:",
        "backprop",
        "dz2 = a2 − y, dW2, dz1, dW1 — the chain rule with live numbers.",
    ),
    (
        "one_epoch.py",
        "One epoch in slow motion",
        ":material/slow_motion_video:",
        "one-epoch",
        "Forward, loss, backward, update: one gradient-descent step, phase by phase on the diagram.",
    ),
    (
        "loss_landscape.py",
        "Loss landscape",
        ":material/landscape:",
        "loss-landscape",
        "L over two of the nine numbers: downhill arrows, real training paths, plateaus.",
    ),
    (
        "training.py",
        "Training",
        ":material/trending_down:",
        "training",
        "Watch the network learn XOR, and see when it does not.",
    ),
    (
        "two_runs.py",
        "Two runs, one start",
        ":material/compare_arrows:",
        "two-runs",
        "Two settings from the same initial weights: both loss curves, both boundaries, replayed in sync.",
    ),
    (
        "beyond_xor.py",
        "Beyond XOR",
        ":material/scatter_plot:",
        "beyond-xor",
        "Circles, moons, a spiral or your own points: how many hidden neurons each one needs.",
    ),
    (
        "vanishing_gradient.py",
        "Vanishing gradient",
        ":material/blur_on:",
        "vanishing-gradient",
        "Why deep sigmoid networks stop learning, and what fixes it.",
    ),
    (
        "digits.py",
        "Handwritten digits",
        ":material/draw:",
        "digits",
        "The same network class on real handwritten digits.",
    ),
    (
        "challenges.py",
        "Challenges",
        ":material/emoji_events:",
        "challenges",
        "Six tasks the app checks for you: gates, blow-ups, stuck runs, the fewest neurons, a flat spot, digits.",
    ),
    (
        "class_room.py",
        "Class",
        ":material/groups:",
        "class",
        "Teach a class: a code and QR code to join, pooled predictions, one network each.",
    ),
]


def available() -> list[tuple]:
    return [p for p in PAGES if (ROOT / "pages" / p[0]).exists()]
