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

import html
import json
import textwrap

import numpy as np

from core import backprop_ledger as bl
from core.activations import LEAKY_SLOPE
from core.data import X, y
from core.hidden_width import param_count
from core.mlp import MLP, check_network
from core.schedules import DEFAULTS as SCHEDULE_DEFAULTS

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")  # hidden activations the exported code writes out
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

TRAINING_KINDS = ("script", "notebook")  # the files that carry a training loop

CHAPTER_WORDS = {
    "architecture": "Architecture: 2 inputs, {h} hidden neuron{s}, 1 output — {n} numbers in all.",
    "forward_pass": "Forward pass: z1 = X @ W1 + b1, a1 = σ(z1), z2 = a1 @ W2 + b2, a2 = σ(z2).",
    "hidden_features": "Hidden features: what each hidden neuron computes, and the decision boundary.",
    "backprop": "Backpropagation: dz2 = a2 − y, then dW2, dz1, dW1 with the chain rule.",
    "training": "Training: gradient descent, step after step, from the run's starting weights.",
    "xor_lab": "The network in use in XOR Lab.",
}


def chapter_words(chapter: str, h: int) -> str:
    """The chapter's one line, for a 2-h-1 network (Architecture counts its numbers: 4h + 1)."""
    return CHAPTER_WORDS.get(chapter, CHAPTER_WORDS["xor_lab"]).format(h=h, s="s" * (h != 1), n=param_count(h))


def file_name(kind: str, chapter: str) -> str:
    stem = f"xor_lab_{chapter}" + ("_torch" if kind == "torch" else "") + ("_worksheet" if kind == "worksheet" else "")
    return f"{stem}.{KINDS[kind][1]}"


def problem(net: MLP, loss: str = "bce", lr: float = 0.5, hist=None) -> str | None:
    """None if ``net`` can be exported, else why not (plain words, for the disabled buttons). hist: the
    Training page's run from ``net`` (core.train.History), whose training loop the files would hold."""
    if hist is not None and hist.diverged:
        return f"this training run diverged ({hist.divergence.detail}), so its numbers cannot be written down"
    if reason := check_network(net):
        return f"the exports are written for a network with one hidden layer: {reason}"
    if net.hidden not in HIDDEN:
        return f"the exports are written for sigmoid, tanh, ReLU or leaky ReLU hidden neurons, not {net.hidden}"
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
    "leaky_relu": (
        f"def act(z):\n    return np.where(z > 0, z, {LEAKY_SLOPE!r} * z)\n",
        f"np.where(z1 > 0, 1.0, {LEAKY_SLOPE!r})",
        f"leaky ReLU'(z1) = 1 where z1 > 0, else {LEAKY_SLOPE:g}",
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


def sections(
    key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, train: tuple | None = None
) -> list[tuple[str, str]]:
    """(Markdown, code) pairs: the script joins the code, the notebook makes cells of both. train:
    (epochs, schedule, schedule parameters as sorted pairs) of a Training-page run from this network
    with base rate ``lr``: adds the training loop."""
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
        "def backward(X, y, z1, a1, z2, a2, W2):\n"
        "    N = len(X)\n"
        f"    dz2 = {delta_code}\n"
        "    dW2 = a1.T @ dz2 / N\n"
        "    db2 = dz2.sum(axis=0, keepdims=True) / N\n"
        f"    dz1 = (dz2 @ W2.T) * ({act_prime})\n"
        "    dW1 = X.T @ dz1 / N\n"
        "    db1 = dz1.sum(axis=0, keepdims=True) / N\n"
        "    return dz2, dW2, db2, dz1, dW1, db1\n\n\n"
        "dz2, dW2, db2, dz1, dW1, db1 = backward(X, y, z1, a1, z2, a2, W2)\n"
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
    out = [
        (
            f"# XOR Lab — {chapter_words(chapter, h)}\n\n"
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
    if train is not None:
        out.append(_training(*train, lr))
    return out


def _rates_code(schedule: str, params: dict, epochs: int) -> str:
    """The line computing every epoch's learning rate, as core.schedules.lr_schedule does."""
    p = {**SCHEDULE_DEFAULTS.get(schedule, {}), **params}
    t = "t = np.arange(epochs, dtype=float)\n"
    if schedule == "constant":
        return "rates = np.full(epochs, float(lr))  # the same rate every epoch\n"
    if schedule == "step":
        return t + f"rates = lr * {p['gamma']!r} ** np.floor(t / {max(int(p['step_size']), 1)!r})  # step decay\n"
    if schedule == "exponential":
        return t + f"rates = lr * {p['gamma']!r} ** t  # exponential decay\n"
    if schedule == "cosine":
        eta, T = p["eta_min"], max(p["T_max"] or epochs, 1)
        return t + f"rates = {eta!r} + (lr - {eta!r}) * ((1 + np.cos(np.pi * t / {T})) / 2)  # cosine\n"
    if schedule == "warmup":
        T = max(int(p["total_iters"]), 1)
        a, b = p["start_factor"], p["end_factor"]
        return t + f"rates = lr * ({a!r} + ({b!r} - {a!r}) * np.minimum(t, {T}) / {T})  # warm-up\n"
    raise ValueError(f"unknown schedule {schedule!r}")


def _training(epochs: int, schedule: str, params: tuple, lr: float) -> tuple[str, str]:
    code = (
        f"epochs = {int(epochs)}\n"
        + _rates_code(schedule, dict(params), int(epochs))
        + "W1_t, b1_t, W2_t, b2_t = W1.copy(), b1.copy(), W2.copy(), b2.copy()\n"
        "for epoch in range(epochs):\n"
        "    z1_t, a1_t, z2_t, a2_t = forward(X, W1_t, b1_t, W2_t, b2_t)\n"
        "    _, dW2_t, db2_t, _, dW1_t, db1_t = backward(X, y, z1_t, a1_t, z2_t, a2_t, W2_t)\n"
        "    W1_t -= rates[epoch] * dW1_t\n"
        "    b1_t -= rates[epoch] * db1_t\n"
        "    W2_t -= rates[epoch] * dW2_t\n"
        "    b2_t -= rates[epoch] * db2_t\n\n"
        'show("W1_final", W1_t)\nshow("b1_final", b1_t)\nshow("W2_final", W2_t)\nshow("b2_final", b2_t)\n'
        "_, _, z2_t, a2_t = forward(X, W1_t, b1_t, W2_t, b2_t)\n"
        'show("a2_final", a2_t)\n'
        'print(f"L_final = {loss(z2_t, a2_t)!r}")\n'
    )
    words = (
        f"## Training\n\nThe Training page's run: {int(epochs):,} full-batch steps of gradient descent from the "
        f"weights above, the learning rate starting at {float(lr):g} ({schedule} schedule). "
        "W1_final … are the weights after the last step, L_final the loss."
    )
    return words, code


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


def script(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, train: tuple | None = None) -> str:
    """The self-contained NumPy script."""
    parts = []
    for words, code in sections(key, chapter, loss, lr, train):
        lines = [textwrap.fill(line, 96) if line else "" for line in words.replace("#", "").strip().splitlines()]
        comment = "\n".join(("# " + line).rstrip() for text in lines for line in (text.splitlines() or [""]))
        parts.append(f"{comment}\n\n{code}")
    return '"""Written by XOR Lab. Run: python ' + file_name("script", chapter) + '"""\n\n' + "\n\n".join(parts)


def notebook(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, train: tuple | None = None) -> str:
    """The same code as a Jupyter notebook (nbformat 4.5 JSON), ending in the decision-boundary plot
    (of the trained weights when there is a training loop)."""
    cells = []
    trained = "" if train is None else " after training"
    plot = _PLOT if train is None else _PLOT.replace("W1, b1, W2, b2)", "W1_t, b1_t, W2_t, b2_t)")
    words = f"## The decision boundary\n\nThe network's output{trained} over the whole input plane (needs matplotlib)."
    pairs = sections(key, chapter, loss, lr, train) + [(words, plot)]
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


# ----- the PyTorch twin ---------------------------------------------------------------------------
_TORCH_ACT = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE!r})",
}
_TORCH_LOSS = {
    "bce": "F.binary_cross_entropy_with_logits(z2, y)",
    "mse": "torch.mean(0.5 * torch.sum((torch.sigmoid(z2) - y) ** 2, dim=1))",
}


def torch_twin(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, row: int = 0) -> str:
    """The same network as a float64 ``nn.Sequential`` with the same weights; prints the same numbers
    (autograd's gradients are the notes' dW, db; dz2 is the gradient of the summed loss at z2)."""
    net = MLP.from_key(key)
    p = net.to_dict()
    h = net.sizes[1]
    return (
        f'"""Written by XOR Lab: the network of {file_name("script", chapter)} in PyTorch. '
        f'Run: python {file_name("torch", chapter)}"""\n\n'
        "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n"
        "torch.set_default_dtype(torch.float64)\n\n"
        f"X = torch.tensor({X.tolist()!r})\n"
        f"y = torch.tensor({y.tolist()!r})\n"
        f"lr = {float(lr)!r}\n\n"
        "# the model gives z2; a2 = sigmoid(z2)\n"
        f"model = nn.Sequential(nn.Linear(2, {h}), {_TORCH_ACT[net.hidden]}, nn.Linear({h}, 1))\n"
        "with torch.no_grad():  # nn.Linear keeps W transposed: weight = W.T, bias = b\n"
        f"    model[0].weight.copy_(torch.tensor({p['W1'].T.tolist()!r}))\n"
        f"    model[0].bias.copy_(torch.tensor({p['b1'][0].tolist()!r}))\n"
        f"    model[2].weight.copy_(torch.tensor({p['W2'].T.tolist()!r}))\n"
        f"    model[2].bias.copy_(torch.tensor({p['b2'][0].tolist()!r}))\n\n\n"
        "def show(name, M):\n"
        "    M = torch.atleast_2d(M.detach())\n"
        "    for i in range(M.shape[0]):\n"
        "        for j in range(M.shape[1]):\n"
        '            print(f"{name}[{i},{j}] = {float(M[i, j])!r}")\n\n\n'
        "def loss_of(z2):\n"
        f"    return {_TORCH_LOSS[loss]}\n\n\n"
        "z1 = model[0](X)\na1 = model[1](z1)\nz2 = model[2](a1)\na2 = torch.sigmoid(z2)\n"
        "for t in (z1, z2):\n    t.retain_grad()\n"
        'show("z1", z1)\nshow("a1", a1)\nshow("z2", z2)\nshow("a2", a2)\n'
        "L = loss_of(z2)\n"
        'print(f"L = {float(L)!r}")\n'
        "L.backward()\n"
        "N = len(X)\n"
        "# autograd's z-gradients belong to the mean loss; the notes' dz is N times them\n"
        'show("dz2", z2.grad * N)\n'
        'show("dW2", model[2].weight.grad.T)\nshow("db2", model[2].bias.grad)\n'
        'show("dz1", z1.grad * N)\n'
        'show("dW1", model[0].weight.grad.T)\nshow("db1", model[0].bias.grad)\n'
        "with torch.no_grad():\n"
        "    for p in model.parameters():\n"
        "        p -= lr * p.grad\n"
        'show("W1_new", model[0].weight.T)\nshow("b1_new", model[0].bias)\n'
        'show("W2_new", model[2].weight.T)\nshow("b2_new", model[2].bias)\n'
        "with torch.no_grad():\n"
        '    print(f"L_new = {float(loss_of(model(X)))!r}")\n'
    )


# ----- the worked arithmetic as LaTeX -------------------------------------------------------------
_TEX_ACT = {
    "sigmoid": r"\sigma",
    "tanh": r"\tanh",
    "relu": r"\operatorname{ReLU}",
    "leaky_relu": r"\operatorname{LeakyReLU}",
}
_TEX_PRIME = {
    "sigmoid": r"a_1 \odot (1 - a_1)",
    "tanh": r"(1 - a_1 \odot a_1)",
    "relu": r"[z_1 > 0]",
    "leaky_relu": rf"([z_1 > 0] + {LEAKY_SLOPE:g}\,[z_1 \le 0])",
}
_TEX_DELTA = {"bce": "a_2 - y", "mse": r"(a_2 - y) \odot a_2 \odot (1 - a_2)"}


def _bmatrix(a: np.ndarray, digits: int = DIGITS) -> str:
    from app.ui import tval

    rows = [" & ".join(tval(float(v), digits) for v in r) for r in np.atleast_2d(a)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def tex(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, row: int = 0) -> str:
    """The forward pass for input ``row`` with every number substituted, and the backward pass over the
    four inputs, as a snippet for a standard ``article`` with ``\\usepackage{amsmath}``."""
    net = MLP.from_key(key)
    x = X[row : row + 1]
    f1 = net.forward(x)
    g = net.gradients(X, y, loss)
    fwd = net.forward(X)
    act = _TEX_ACT[net.hidden]
    m = _bmatrix
    xs, ys = _bmatrix(x, 0), _bmatrix(y, 0)  # the inputs and labels are whole numbers
    return (
        f"% XOR Lab: the worked arithmetic of the 2-{net.sizes[1]}-1 network ({chapter.replace('_', ' ')}).\n"
        "% Paste into a LaTeX document whose preamble has \\usepackage{amsmath}.\n"
        f"% Numbers are rounded to {DIGITS} decimals; the downloaded script has every digit.\n"
        f"\\paragraph{{Forward pass for the input $x = {xs}$.}}\n"
        "\\begin{align*}\n"
        f"z_1 &= x W_1 + b_1 = {xs} {m(net.W[0])} + {m(net.b[0])} \\\\\n"
        f"&= {m(f1.z[1])} \\\\\n"
        f"a_1 &= {act}(z_1) = {m(f1.a[1])} \\\\\n"
        f"z_2 &= a_1 W_2 + b_2 = {m(f1.a[1])} {m(net.W[1])} + {m(net.b[1])} \\\\\n"
        f"&= {m(f1.z[2])} \\\\\n"
        f"a_2 &= \\sigma(z_2) = {m(f1.a[2])}\n"
        "\\end{align*}\n"
        f"\\paragraph{{Backward pass over the four inputs ($N = {len(X)}$, "
        f"{'binary cross-entropy' if loss == 'bce' else 'squared error'}).}}\n"
        "\\begin{align*}\n"
        f"a_2 &= {m(fwd.a[2])}, \\quad y = {ys} \\\\\n"
        f"dz_2 &= {_TEX_DELTA[loss]} = {m(g.dz[2])} \\\\\n"
        f"dW_2 &= \\tfrac{{1}}{{N}}\\, a_1^\\top dz_2 = {m(g.dW[2])} \\\\\n"
        f"db_2 &= \\tfrac{{1}}{{N}} \\textstyle\\sum_n dz_2 = {m(g.db[2])} \\\\\n"
        f"dz_1 &= (dz_2 W_2^\\top) \\odot {_TEX_PRIME[net.hidden]} = {m(g.dz[1])} \\\\\n"
        f"dW_1 &= \\tfrac{{1}}{{N}}\\, X^\\top dz_1 = {m(g.dW[1])} \\\\\n"
        f"db_1 &= \\tfrac{{1}}{{N}} \\textstyle\\sum_n dz_1 = {m(g.db[1])}\n"
        "\\end{align*}\n"
    )


# ----- the worksheet ------------------------------------------------------------------------------
_CSS = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.45; color: #111; }
table { border-collapse: collapse; margin: 0.4em 0 1em; }
td, th { border: 1px solid #888; padding: 0.3em 0.7em; text-align: right; min-width: 5em; }
th { background: #eee; }
td.blank { height: 1.6em; }
.key { break-before: page; page-break-before: always; }
code { font-family: "DejaVu Sans Mono", monospace; }
"""


def worksheet_answers(
    key: tuple, loss: str = "bce", lr: float = 0.5, row: int = 0
) -> list[tuple[str, str, list, list]]:
    """(question, what to write, column names, core's answers) for one input ``row`` (N = 1 in the
    gradient and the update)."""
    net = MLP.from_key(key)
    xr, yr = X[row : row + 1], y[row : row + 1]
    f = net.forward(xr)
    g = net.backward(f, yr, loss)
    _, new = bl.gd_step(net, xr, yr, lr, loss)
    h = net.sizes[1]
    act = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU"}[net.hidden]
    delta = "a2 − y" if loss == "bce" else "(a2 − y) · a2 · (1 − a2)"
    names = [f"h{k + 1}" for k in range(h)]
    out = ["output"]
    return [
        ("z1 = x W1 + b1", f"the weighted sum of each hidden neuron ({', '.join(names)})", names, list(f.z[1].ravel())),
        (f"a1 = {act}(z1)", "each hidden neuron's activation", names, list(f.a[1].ravel())),
        ("z2 = a1 W2 + b2", "the output neuron's weighted sum", out, list(f.z[2].ravel())),
        ("a2 = σ(z2)", "the network's output", out, list(f.a[2].ravel())),
        (f"dz2 = {delta}", f"the error at the output (the label is y = {int(yr[0, 0])})", out, list(g.dz[2].ravel())),
        (
            "dW2 = a1ᵀ dz2",
            "the gradient of each output weight, for this one input (N = 1)",
            names,
            list(g.dW[2].ravel()),
        ),
        ("W2 − lr · dW2", f"the output weights after one step with lr = {float(lr):g}", names, list(new.W[1].ravel())),
    ]


def worksheet(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, row: int = 0) -> str:
    """A printable HTML worksheet (XHTML-clean): the network's numbers, blanks to fill, and the answer key
    on its own page. Every text is escaped."""
    from app.ui import fmt

    net = MLP.from_key(key)
    e = html.escape
    p = net.to_dict()

    h = net.sizes[1]
    hidden = [f"h{k + 1}" for k in range(h)]
    labels = {"W1": (["x1", "x2"], hidden), "b1": ([""], hidden), "W2": (hidden, ["output"]), "b2": ([""], ["output"])}

    def grid(a: np.ndarray, rows: list, cols: list) -> str:
        head = "<tr><th></th>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>"
        body = "".join(
            f"<tr><th>{e(r)}</th>" + "".join(f"<td>{e(fmt(float(v), DIGITS))}</td>" for v in vals) + "</tr>"
            for r, vals in zip(rows, a)
        )
        return f"<table>{head}{body}</table>"

    given = "".join(f"<h3>{e(n)} ({a.shape[0]}×{a.shape[1]})</h3>{grid(a, *labels[n])}" for n, a in p.items())
    items = worksheet_answers(key, loss, lr, row)

    def questions(answers: bool) -> str:
        out = []
        for i, (formula, what, cols, vals) in enumerate(items, start=1):
            cells = "".join(
                f"<td>{e(fmt(float(v), DIGITS))}</td>" if answers else '<td class="blank"></td>' for v in vals
            )
            head = "".join(f"<th>{e(c)}</th>" for c in cols)
            out.append(
                f"<li><p><code>{e(formula)}</code>: {e(what)}.</p>"
                f'<table class="{"answers" if answers else "blanks"}" data-q="{i}">'
                f"<tr>{head}</tr><tr>{cells}</tr></table></li>"
            )
        return "<ol>" + "".join(out) + "</ol>"

    x = X[row]
    title = f"XOR Lab worksheet — the 2-{net.sizes[1]}-1 network"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8" />'
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>\n"
        f"<h1>{e(title)}</h1>\n"
        "<p>Name: ______________________________</p>\n"
        f"<p>{e(chapter_words(chapter, h))}</p>\n"
        f"<p>The network's weights and biases (rounded to {DIGITS} decimals). Work with the input "
        f"<b>x = [{int(x[0])} {int(x[1])}]</b>, label <b>y = {int(y[row, 0])}</b>, and round each answer to "
        f"{DIGITS} decimals.</p>\n{given}\n<h2>Questions</h2>\n{questions(False)}\n"
        f'<section class="key"><h2>Answer key</h2>\n<p>Computed by XOR Lab from the full-precision weights; '
        f"small differences in the last decimal come from rounding along the way.</p>\n{questions(True)}</section>\n"
        "</body></html>\n"
    )


def script_file(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, row: int = 0, train=None) -> str:
    return script(key, chapter, loss, lr, train)


def notebook_file(key: tuple, chapter: str, loss: str = "bce", lr: float = 0.5, row: int = 0, train=None) -> str:
    return notebook(key, chapter, loss, lr, train)


# kind -> builder(key, chapter, loss, lr, row) -> the file's text
BUILDERS = {"script": script_file, "notebook": notebook_file, "tex": tex, "worksheet": worksheet, "torch": torch_twin}
