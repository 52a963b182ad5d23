"""The notes' backpropagation section, formula by formula, checked against the code the app runs
(core/mlp.py), with the numbers that prove each verdict for a given network.

The notes' code block is right, shape comments included. Two lines of their explanation are not:

- Step 2's "Full gradient: dW2 = a1.T @ dz2" drops the code's ``/ len(X)``: it is N times dW2.
- Step 4's "dL/dW1 = dL/dz1 × dz1/dW1 = dz1.T @ X" is the *transpose* of dW1 = X.T @ dz1 (and drops
  the 1/N too). For the notes' 2-2-1 network both are 2×2, so no shape check notices; the numbers
  differ unless dW1 happens to be symmetric.

The visual summary shortens dW1 and dW2 the same way (no / N) and captions them "Update W1",
"Update W2": those lines compute gradients; every update waits until all of them are computed
(``update_order`` shows what changes if W2 is updated before the error is passed back).

The notes' one-iteration example ("Predicted: 0.5 (initially)") is read two ways by ``check_start``:
small random weights give outputs near 0.5 and train; all-zero weights give exactly 0.5 and keep
the hidden neurons identical (so do any equal weights, ``twin_network``), which is why training
starts from random weights. NumPy and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import formulas as F
from core.mlp import MLP
from core.train import train


@dataclass(frozen=True)
class NotesFormula:
    """One formula as the notes write it. ``notes``/``code`` are core.formulas expressions: what the
    notes' line computes, and what the app runs for the same quantity. ``claimed``: the notes' shape
    comment, (operand shapes, result shape) for their 2-2-1 network on 4 inputs, with ``operands``
    the expressions those operand shapes belong to."""

    key: str
    where: str
    quote: str
    notes: str
    code: str
    claimed: tuple | None = None
    operands: tuple = ()
    sigmoid_only: bool = False  # the notes write σ' as a1·(1 − a1): only sigmoid hidden units
    bce_only: bool = False  # the notes derive dz2 = a2 − y for binary cross-entropy


NOTES_FORMULAS = (
    NotesFormula(
        "dz2", "backward-pass code", "dz2 = a2 - y  # (4, 1)", "a2 - y", F.BACKWARD["dz2"], ((), (4, 1)), bce_only=True
    ),
    NotesFormula(
        "dW2",
        "backward-pass code",
        "dW2 = (a1.T @ dz2) / len(X)  # (2, 4) @ (4, 1) = (2, 1)",
        "a1.T @ dz2 / N",
        F.BACKWARD["dW2"],
        (((2, 4), (4, 1)), (2, 1)),
        ("a1.T", "dz2"),
    ),
    NotesFormula(
        "db2",
        "backward-pass code",
        "db2 = np.sum(dz2, axis=0, keepdims=True) / len(X)",
        "rowsum(dz2) / N",
        F.BACKWARD["db2"],
    ),
    NotesFormula(
        "dz1",
        "backward-pass code",
        "dz1 = (dz2 @ W2.T) * a1 * (1 - a1)  # (4, 1) @ (1, 2) * (4, 2) = (4, 2)",
        "(dz2 @ W2.T) * a1 * (1 - a1)",
        F.BACKWARD["dz1"],
        (((4, 1), (1, 2), (4, 2)), (4, 2)),
        ("dz2", "W2.T", "a1 * (1 - a1)"),
        sigmoid_only=True,
    ),
    NotesFormula(
        "dW1",
        "backward-pass code",
        "dW1 = (X.T @ dz1) / len(X)  # (2, 4) @ (4, 2) = (2, 2)",
        "X.T @ dz1 / N",
        F.BACKWARD["dW1"],
        (((2, 4), (4, 2)), (2, 2)),
        ("X.T", "dz1"),
    ),
    NotesFormula(
        "db1",
        "backward-pass code",
        "db1 = np.sum(dz1, axis=0, keepdims=True) / len(X)",
        "rowsum(dz1) / N",
        F.BACKWARD["db1"],
    ),
    NotesFormula("dW2_full", "Step 2, “Full gradient”", "dW2 = a1.T @ dz2", "a1.T @ dz2", F.BACKWARD["dW2"]),
    NotesFormula(
        "dW1_step4",
        "Step 4",
        "dL/dW1 = dL/dz1 × dz1/dW1 = dz1.T @ X",
        "dz1.T @ X",
        F.BACKWARD["dW1"],
    ),
    NotesFormula("dW1_summary", "Visual summary", "dW1 = X.T@dz1", "X.T @ dz1", F.BACKWARD["dW1"]),
    NotesFormula(
        "dz1_summary",
        "Visual summary",
        "dz1 = dz2@W2.T * σ'(z1)",
        "(dz2 @ W2.T) * fprime(z1)",  # Python reads dz2@W2.T * s as (dz2 @ W2.T) * s
        F.BACKWARD["dz1"],
    ),
    NotesFormula("dW2_summary", "Visual summary", "dW2 = a1.T@dz2", "a1.T @ dz2", F.BACKWARD["dW2"]),
)
# The visual summary's captions of the backward pass, as the notes print them, and what each line does.
SUMMARY_CAPTIONS = {"dW1": "Update W1", "dz1": "Pass error back", "dW2": "Update W2", "dz2": "Compute error"}
STEP_NAMES = {  # what each backward-pass line computes (no line updates anything)
    "dz2": "Compute error",
    "dW2": "Compute dW2",
    "db2": "Compute db2",
    "dz1": "Pass error back (chain rule!)",
    "dW1": "Compute dW1",
    "db1": "Compute db1",
}


@dataclass
class FormulaCheck:
    """One notes formula evaluated beside the code's for one network."""

    formula: NotesFormula
    notes_value: np.ndarray
    code_value: np.ndarray
    N: int
    shapes: tuple  # (operand shapes, result shape) of the notes' formula on this network

    def _close(self, a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-15))

    @property
    def same(self) -> bool:
        """The notes' line gives the code's numbers."""
        return self._close(self.notes_value, self.code_value)

    @property
    def transposed(self) -> bool:
        """The notes' line gives the transpose of the code's result (possibly times N)."""
        t = self.notes_value.T
        return not self.same and (self._close(t, self.code_value) or self._close(t, self.N * self.code_value))

    @property
    def times_n(self) -> bool:
        """The notes' line gives N times the code's result (possibly transposed): the 1/N is missing."""
        v, c = self.notes_value, self.N * self.code_value
        return not self.same and (self._close(v, c) or self._close(v.T, c))

    @property
    def shape_differs(self) -> bool:
        """A shape check would catch the slip (the notes' result has another shape)."""
        return self.notes_value.shape != self.code_value.shape

    @property
    def zero(self) -> bool:
        """The code's value is all zeros, so no slip can show in the numbers."""
        return not np.any(self.code_value)

    @property
    def claimed_ok(self) -> bool | None:
        """The notes' shape comment holds on this network (None: the line has no comment)."""
        return None if self.formula.claimed is None else self.shapes == self.formula.claimed

    @property
    def verdict(self) -> str:
        if self.same:
            return "right"
        if self.transposed and self.times_n:
            return "transposed, without 1/N"
        if self.transposed:
            return "transposed"
        if self.times_n:
            return "without 1/N"
        return "different"


def check_formula(formula: NotesFormula, env: dict) -> FormulaCheck:
    """``formula`` on the live arrays ``env`` (core.formulas.environment)."""
    shapes = (tuple(np.shape(F.evaluate(e, env)) for e in formula.operands), np.shape(F.evaluate(formula.notes, env)))
    if not formula.operands:
        shapes = ((), shapes[1])
    return FormulaCheck(formula, F.evaluate(formula.notes, env), F.evaluate(formula.code, env), int(env["N"]), shapes)


def _applies(f: NotesFormula, net: MLP, loss: str) -> bool:
    return not (f.sigmoid_only and net.hidden != "sigmoid") and not (f.bce_only and loss != "bce")


def audit(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> dict[str, FormulaCheck]:
    """Every notes formula that applies to ``net`` and ``loss`` (their σ' only for sigmoid hidden
    units, their dz2 = a2 − y only for binary cross-entropy, the notes' loss), checked on X, y, by key.
    Every other line holds whatever dz2 is, so it is checked with the page's loss."""
    env = F.environment(net, X, y, loss)
    return {f.key: check_formula(f, env) for f in NOTES_FORMULAS if _applies(f, net, loss)}


def transpose_slip(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> tuple[np.ndarray, np.ndarray]:
    """(the notes' Step 4 with the code's 1/N, dz1.T @ X / N; the code's dW1 = X.T @ dz1 / N):
    equal only when dW1 is symmetric."""
    env = F.environment(net, X, y, loss)
    return F.evaluate("dz1.T @ X / N", env), F.evaluate(F.BACKWARD["dW1"], env)


# ----- the order of one step ------------------------------------------------------------------------
@dataclass
class OrderCheck:
    """dW1 from the old W2 (right), and what it would be if W2 were updated first (the classic bug)."""

    lr: float
    dW1: np.ndarray
    dW1_w2_first: np.ndarray

    @property
    def gap(self) -> float:
        return float(np.max(np.abs(self.dW1 - self.dW1_w2_first)))


def update_order(net: MLP, X: np.ndarray, y: np.ndarray, lr: float, loss: str = "bce") -> OrderCheck:
    """Every gradient of one step uses the old weights. If W2 ← W2 − lr·dW2 ran before the error was
    passed back, dz1 = (dz2 @ W2.T) * f'(z1) would read the new W2 and dW1 would change."""
    env = F.environment(net, X, y, loss)
    bug = dict(env, W2=env["W2"] - lr * env["dW2"])
    bug["dz1"] = F.evaluate(F.BACKWARD["dz1"], bug)
    return OrderCheck(float(lr), env["dW1"], F.evaluate(F.BACKWARD["dW1"], bug))


# ----- "Predicted: 0.5 (initially)": where an untrained network starts --------------------------------
SMALL_START = {"init": "uniform", "limit": 0.5, "seed": 1}  # small random weights, U(−0.5, 0.5)
TWIN_WEIGHT = 0.1  # every weight equal (biases 0): hidden neurons that start as twins
START_TRAINING = {"lr": 1.0, "epochs": 5000}


def small_random_network(like: MLP) -> MLP:
    """``like``'s shape and activations, weights drawn from U(−0.5, 0.5) (seed 1), biases 0."""
    return MLP.create(like.sizes, hidden=like.hidden, output=like.output, **SMALL_START)


def twin_network(like: MLP, value: float = TWIN_WEIGHT) -> MLP:
    """``like``'s shape with every weight ``value`` and every bias 0: all hidden neurons alike."""
    sizes = like.sizes
    Ws = [np.full((m, n), float(value)) for m, n in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros((1, n)) for n in sizes[1:]]
    return MLP(Ws, bs, hidden=like.hidden, output=like.output)


def twin_gap(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray) -> float:
    """How far the hidden neurons are from being identical: the largest difference between neuron
    j's (incoming weights, bias, outgoing weight) and neuron 0's. 0 means all are twins."""
    cols = np.vstack([W1, b1, W2.T])  # (d + 2, h): one column per hidden neuron
    return float(np.max(np.abs(cols - cols[:, :1])))


@dataclass
class StartCheck:
    """One untrained network: its outputs, its gradients, and where gradient descent takes it."""

    a2: np.ndarray  # (N, 1) outputs before training
    largest_gradient: float  # max |entry| of dW1, db1, dW2, db2
    gradient_twin_gap: float  # twin_gap of (dW1, db1, dW2): 0 when every hidden neuron gets the same gradient
    loss_before: float
    loss_after: float
    accuracy_after: float
    twin_gap_after: float  # twin_gap of the trained weights
    lr: float
    epochs: int


def check_start(net: MLP, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> StartCheck:
    """``net``'s outputs and gradients, then ``epochs`` steps of full-batch gradient descent (BCE)."""
    g = net.gradients(X, y)
    largest = max(float(np.max(np.abs(t))) for t in (g.dW[1], g.db[1], g.dW[2], g.db[2]))
    if largest == 0:  # every gradient exactly 0: no step can move a single number
        end, losses = net, [net.loss(X, y)] * 2
    else:
        hist = train(net.copy(), X, y, lr=lr, epochs=epochs, snapshots=2)
        end, losses = hist.final, [hist.loss[0], hist.loss[-1]]
        epochs = hist.epochs_run
    return StartCheck(
        a2=net.predict(X),
        largest_gradient=largest,
        gradient_twin_gap=twin_gap(g.dW[1], g.db[1], g.dW[2]),
        loss_before=float(losses[0]),
        loss_after=float(losses[-1]),
        accuracy_after=end.accuracy(X, y),
        twin_gap_after=twin_gap(end.W[0], end.b[0], end.W[1]),
        lr=float(lr),
        epochs=int(epochs),
    )
