"""Take it home (issue 23): the current network and its arithmetic as files a student or teacher keeps.

Pure string building from core's numbers (no Streamlit): a self-contained NumPy script, the same
code as a Jupyter notebook, a PyTorch twin, the worked arithmetic as a LaTeX snippet, and a
printable worksheet with its answer key. Every builder takes the network as its ``MLP.key()`` (the
one network cache key) and returns text; ``problem`` says in plain words why a network cannot be
exported (the downloads are then disabled with that reason, never a file with NaN in it).

The script and the notebook print every number as ``name[i,j] = <repr>`` lines (full precision),
which the tests parse and compare with core.
"""

from __future__ import annotations

import json

import numpy as np

from core import backprop_ledger as bl
from core.data import X, y
from core.mlp import MLP, check_network

HIDDEN = ("sigmoid", "tanh", "relu")  # hidden activations the exported code writes out
LOSSES = ("bce", "mse")
DIGITS = 4  # decimals of the LaTeX snippet and the worksheet

# kind -> (button label, file extension, mime type, what the file is)
KINDS = {
    "script": ("NumPy script (.py)", "py", "text/x-python", "Runs with Python and NumPy alone; prints the numbers."),
    "notebook": (
        "Jupyter notebook (.ipynb)",
        "ipynb",
        "application/x-ipynb+json",
        "The same code in cells with short explanations, ending in the decision-boundary plot.",
    ),
    "tex": (
        "Worked arithmetic (LaTeX)",
        "tex",
        "application/x-tex",
        "The forward pass for one input and the backward pass, for slides (needs amsmath).",
    ),
    "worksheet": (
        "Worksheet with answer key (HTML)",
        "html",
        "text/html",
        "A printable sheet: fill in the forward pass, one gradient and one update; the key is on its own page.",
    ),
    "torch": (
        "PyTorch twin (.py)",
        "py",
        "text/x-python",
        "The same network in PyTorch (float64), printing the same numbers — for moving on.",
    ),
}

CHAPTER_WORDS = {
    "architecture": "Architecture: 2 inputs, 2 hidden neurons, 1 output — nine numbers in all.",
    "forward_pass": "Forward pass: z1 = X @ W1 + b1, a1 = σ(z1), z2 = a1 @ W2 + b2, a2 = σ(z2).",
    "hidden_features": "Hidden features: what each hidden neuron computes, and the decision boundary.",
    "backprop": "Backpropagation: dz2 = a2 − y, then dW2, dz1, dW1 with the chain rule.",
    "xor_lab": "The network in use in XOR Lab.",
}


def file_name(kind: str, chapter: str) -> str:
    stem = f"xor_lab_{chapter}" + ("_torch" if kind == "torch" else "") + ("_worksheet" if kind == "worksheet" else "")
    return f"{stem}.{KINDS[kind][1]}"


def problem(net: MLP, loss: str = "bce", lr: float = 0.5) -> str | None:
    """None if ``net`` can be exported, else why not (plain words, for the disabled buttons)."""
    if reason := check_network(net):
        return f"the exports are written for a network with one hidden layer: {reason}"
    if net.hidden not in HIDDEN:
        return f"the exports are written for sigmoid, tanh or ReLU hidden neurons; this network uses {net.hidden}"
    if loss not in LOSSES or not np.isfinite(lr):
        return "the loss or learning rate cannot be written out"
    if not net.is_finite():
        return "some weights are not numbers (the training run diverged), so there is nothing to write down"
    _, new = bl.gd_step(net, X, y, lr, loss)
    g = net.gradients(X, y, loss)
    fwd = net.forward(X)
    # the loss times N: the exported code's plain mean must not overflow where core's careful one does not
    values = [net.loss(X, y, loss) * len(X), new.loss(X, y, loss) * len(X), *new.flat(), *fwd.z[1].ravel()]
    values += [*fwd.z[2].ravel(), *(t for l in (1, 2) for t in np.ravel(g.dW[l])), *fwd.a[2].ravel()]
    if not np.all(np.isfinite(values)):
        return (
            "this network's numbers are too large to compute with (they overflow), so the files would hold no numbers"
        )
    return None


# ----- the code, in sections shared by the script and the notebook ---------------------------------
_ACT = {
    "sigmoid": (
        "def act(z):\n    return sigmoid(z)\n",
        "a1 * (1 - a1)",
        "σ'(z1) = a1 (1 − a1), the notes' form",
    ),
    "tanh": ("def act(z):\n    return np.tanh(z)\n", "(1.0 - a1 * a1)", "tanh'(z1) = 1 − a1²"),
    "relu": (
        "def act(z):\n    return np.maximum(z, 0.0)\n",
        "(z1 > 0).astype(float)",
        "ReLU'(z1) = 1 where z1 > 0, else 0",
    ),
}
_LOSS = {
    "bce": (
        "binary cross-entropy, from the logits z2 so it never takes log(0)",
        "np.mean(np.sum(np.logaddexp(0.0, z2) - y * z2, axis=1))",
        "a2 - y",
    ),
    "mse": (
        "½ (a2 − y)² averaged over the inputs",
        "np.mean(0.5 * np.sum((a2 - y) ** 2, axis=1))",
        "(a2 - y) * a2 * (1.0 - a2)",
    ),
}


def _array(a: np.ndarray) -> str:
    rows = ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in np.atleast_2d(a))
    return f"np.array([{rows}])"


def sections(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5) -> list[tuple[str, str]]:
    """(Markdown, code) pairs: the script joins the code, the notebook makes cells of both."""
    net = MLP.from_key(key)
    p = net.to_dict()
    act_def, act_prime, act_words = _ACT[net.hidden]
    loss_words, loss_code, delta_code = _LOSS[loss]
    h = net.sizes[1]
    setup = (
        "import numpy as np\n\n"
        "# the four XOR inputs (one per row) and their labels\n"
        f"X = {_array(X)}\n"
        f"y = {_array(y)}\n\n"
        "# the network's weights and biases, every digit (W1 is 2×{h}, b1 1×{h}, W2 {h}×1, b2 1×1)\n"
        f"W1 = {_array(p['W1'])}\n"
        f"b1 = {_array(p['b1'])}\n"
        f"W2 = {_array(p['W2'])}\n"
        f"b2 = {_array(p['b2'])}\n"
        f"lr = {float(lr)!r}  # learning rate of the one update below\n\n\n"
        "def show(name, M):\n"
        '    """Print every entry of M as name[i,j] = value, at full precision."""\n'
        "    for idx, v in np.ndenumerate(np.atleast_2d(M)):\n"
        "        print(f\"{name}[{','.join(map(str, idx))}] = {float(v)!r}\")\n\n\n"
        "def sigmoid(z):\n"
        '    """σ(z) = 1 / (1 + e^(−z)), written so that it never overflows."""\n'
        "    return np.exp(-np.logaddexp(0.0, -z))\n\n\n"
        f"{act_def}"
    ).replace("{h}", str(h))
    forward = (
        "def forward(X, W1, b1, W2, b2):\n"
        "    z1 = X @ W1 + b1\n"
        "    a1 = act(z1)\n"
        "    z2 = a1 @ W2 + b2\n"
        "    a2 = sigmoid(z2)\n"
        "    return z1, a1, z2, a2\n\n\n"
        "def loss(z2, a2):\n"
        f"    return float({loss_code})\n\n\n"
        "z1, a1, z2, a2 = forward(X, W1, b1, W2, b2)\n"
        'show("z1", z1)\nshow("a1", a1)\nshow("z2", z2)\nshow("a2", a2)\n'
        "L = loss(z2, a2)\n"
        'print(f"L = {L!r}")\n'
    )
    backward = (
        "N = len(X)\n"
        f"dz2 = {delta_code}\n"
        "dW2 = a1.T @ dz2 / N\n"
        "db2 = dz2.sum(axis=0, keepdims=True) / N\n"
        f"dz1 = (dz2 @ W2.T) * ({act_prime})\n"
        "dW1 = X.T @ dz1 / N\n"
        "db1 = dz1.sum(axis=0, keepdims=True) / N\n"
        'show("dz2", dz2)\nshow("dW2", dW2)\nshow("db2", db2)\n'
        'show("dz1", dz1)\nshow("dW1", dW1)\nshow("db1", db1)\n'
    )
    step = (
        "W1_new = W1 - lr * dW1\n"
        "b1_new = b1 - lr * db1\n"
        "W2_new = W2 - lr * dW2\n"
        "b2_new = b2 - lr * db2\n"
        'show("W1_new", W1_new)\nshow("b1_new", b1_new)\nshow("W2_new", W2_new)\nshow("b2_new", b2_new)\n'
        "_, _, z2_new, a2_new = forward(X, W1_new, b1_new, W2_new, b2_new)\n"
        "L_new = loss(z2_new, a2_new)\n"
        'print(f"L_new = {L_new!r}")\n'
    )
    return [
        (
            f"# XOR Lab — {CHAPTER_WORDS.get(chapter, CHAPTER_WORDS['xor_lab'])}\n\n"
            f"The 2-{h}-1 network from XOR Lab with its weights copied in at full precision, "
            "in the notes' names. Only NumPy is needed.",
            setup,
        ),
        (
            "## Forward pass\n\nEach row of X is one input. z1 = X @ W1 + b1, a1 = "
            f"{net.hidden}(z1), z2 = a1 @ W2 + b2, a2 = σ(z2). The loss L is the {loss_words}.",
            forward,
        ),
        (
            "## Backward pass\n\ndz2 is the error at the output; the chain rule carries it back through W2 "
            f"and the hidden derivative {act_words}. Each gradient is averaged over the N = 4 inputs.",
            backward,
        ),
        (
            f"## One step of gradient descent\n\nEvery weight moves against its gradient: W ← W − lr · dW, "
            f"with lr = {float(lr):g}. The loss after the step is L_new.",
            step,
        ),
    ]


_PLOT = (
    "import matplotlib.pyplot as plt\n\n"
    "g = np.linspace(-0.5, 1.5, 201)\n"
    "G1, G2 = np.meshgrid(g, g)\n"
    "grid = np.column_stack([G1.ravel(), G2.ravel()])\n"
    "out = forward(grid, W1, b1, W2, b2)[3].reshape(G1.shape)\n"
    "fig, ax = plt.subplots(figsize=(5, 5))\n"
    'im = ax.contourf(G1, G2, out, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)\n'
    'ax.contour(G1, G2, out, levels=[0.5], colors="black")\n'
    "for (x1, x2), t in zip(X, y[:, 0]):\n"
    '    ax.scatter(x1, x2, s=150, c="#b2182b" if t else "#2166ac", marker="^" if t else "o", edgecolors="white")\n'
    'ax.set(xlabel="x1", ylabel="x2", title="Network output a2 (black line: a2 = 0.5)")\n'
    'fig.colorbar(im, ax=ax, label="a2")\n'
    "plt.show()\n"
)


def script(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5) -> str:
    """The self-contained NumPy script."""
    parts = []
    for words, code in sections(key, chapter, loss, lr):
        comment = "\n".join(("# " + line).rstrip() for line in words.replace("#", "").strip().splitlines())
        parts.append(f"{comment}\n{code}")
    return '"""Written by XOR Lab. Run: python ' + file_name("script", chapter) + '"""\n\n' + "\n\n".join(parts)


def notebook(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5) -> str:
    """The same code as a Jupyter notebook (nbformat 4.5 JSON), ending in the decision-boundary plot."""
    cells = []
    pairs = sections(key, chapter, loss, lr) + [
        ("## The decision boundary\n\nThe network's output over the whole input plane (needs matplotlib).", _PLOT)
    ]
    for i, (words, code) in enumerate(pairs):
        cells.append({"cell_type": "markdown", "id": f"md-{i}", "metadata": {}, "source": words})
        cells.append(
            {
                "cell_type": "code",
                "id": f"code-{i}",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": code,
            }
        )
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
