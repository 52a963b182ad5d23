"""The backward pass as a ledger: every quantity of the notes' backward pass, the per-example
pieces that add up to each gradient, the BCE/MSE comparison and one gradient-descent step.

For a network with one hidden layer, sizes [d, h, 1] (the notes' 2-2-1 has d = h = 2), N examples::

    dz2 = a2 − y                    (BCE)          (N, 1)
    dz2 = (a2 − y) · σ'(z2)          (MSE)          (N, 1)
    dW2 = a1.T @ dz2 / N  = Σ_n a1[n].T dz2[n] / N  (h, 1)
    db2 = Σ_n dz2[n] / N                            (1, 1)
    dz1 = (dz2 @ W2.T) * f'(z1)                     (N, h)   f' = σ' = a1·(1 − a1) for sigmoid
    dW1 = X.T @ dz1 / N   = Σ_n X[n].T dz1[n] / N   (d, h)
    db1 = Σ_n dz1[n] / N                            (1, h)

The gradients themselves come from ``MLP.backward`` (one source of truth); this module adds the
per-example terms (row n of a ``*_terms`` array is what input n contributes), the pieces of dz1,
and facts about them (which input pushes hardest, which neuron was off); the words live in the
app. NumPy and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid_prime
from core.decision import wrong
from core.mlp import MLP, check_network

OFF = 0.1  # a hidden activation with |a1| below this counts as "off"
ON = 0.5  # ... and one with |a1| at least this as "on"
STEPS = ("dz2", "dW2", "db2", "dz1", "dW1", "db1")  # the notes' order


@dataclass
class Ledger:
    """Everything the notes' backward pass computes, for one network, one batch and one loss."""

    X: np.ndarray  # (N, d)
    y: np.ndarray  # (N, 1)
    loss_name: str  # "bce" or "mse"
    hidden: str  # hidden activation name, e.g. "sigmoid"
    W2: np.ndarray  # (h, 1)
    z1: np.ndarray  # (N, h)
    a1: np.ndarray  # (N, h)
    z2: np.ndarray  # (N, 1)
    a2: np.ndarray  # (N, 1)
    err: np.ndarray  # a2 − y, (N, 1)
    sp2: np.ndarray  # σ'(z2) = a2·(1 − a2), (N, 1)
    dz2: np.ndarray  # (N, 1)
    back: np.ndarray  # dz2 @ W2.T, the error passed back before f', (N, h)
    fp1: np.ndarray  # f'(z1), (N, h)
    dz1: np.ndarray  # (N, h)
    dW2: np.ndarray  # (h, 1)
    db2: np.ndarray  # (1, 1)
    dW1: np.ndarray  # (d, h)
    db1: np.ndarray  # (1, h)
    dW2_terms: np.ndarray  # (N, h): a1[n, j]·dz2[n] / N, sums over n to dW2[j, 0]
    db2_terms: np.ndarray  # (N, 1): dz2[n] / N
    dW1_terms: np.ndarray  # (N, d, h): X[n, i]·dz1[n, j] / N, sums over n to dW1[i, j]
    db1_terms: np.ndarray  # (N, h): dz1[n, j] / N
    loss: float

    @property
    def N(self) -> int:
        return self.X.shape[0]

    @property
    def width(self) -> int:
        return self.a1.shape[1]

    def is_finite(self) -> bool:
        return all(
            np.all(np.isfinite(v))
            for v in (self.a1, self.a2, self.dz2, self.dz1, self.dW2, self.db2, self.dW1, self.db1)
        ) and bool(np.isfinite(self.loss))


def ledger(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> Ledger:
    """Forward and backward pass of ``net`` on X (N, d), y (N, 1), with every intermediate kept."""
    if problem := check_network(net):  # pages check first (core.mlp.check_network) and say why
        raise ValueError(problem)
    if loss not in ("bce", "mse"):
        raise ValueError(f"loss must be 'bce' or 'mse', not {loss!r}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    N = X.shape[0]
    fwd = net.forward(X)
    g = net.backward(fwd, y, loss)
    z1, a1, z2, a2 = fwd.z[1], fwd.a[1], fwd.z[2], fwd.a[2]
    W2 = net.W[1]
    with np.errstate(over="ignore", invalid="ignore"):
        fp1 = get_activation(net.hidden).df(z1, a1)
        back = g.dz[2] @ W2.T
        # per-example terms: the sum over n of row n is exactly the notes' matrix product
        dW2_terms = a1 * g.dz[2] / N  # (N, h) * (N, 1)
        dW1_terms = X[:, :, None] * g.dz[1][:, None, :] / N  # (N, d, 1) * (N, 1, h)
        lval = net.loss(X, y, loss, fwd)
    return Ledger(
        X=X,
        y=y,
        loss_name=loss,
        hidden=net.hidden,
        W2=W2.copy(),
        z1=z1,
        a1=a1,
        z2=z2,
        a2=a2,
        err=a2 - y,
        sp2=sigmoid_prime(z2, a2),
        dz2=g.dz[2],
        back=back,
        fp1=fp1,
        dz1=g.dz[1],
        dW2=g.dW[2],
        db2=g.db[2],
        dW1=g.dW[1],
        db1=g.db[1],
        dW2_terms=dW2_terms,
        db2_terms=g.dz[2] / N,
        dW1_terms=dW1_terms,
        db1_terms=g.dz[1] / N,
        loss=lval,
    )


# ----- one parameter's chain rule --------------------------------------------------------------------
@dataclass
class Chain:
    """The chain rule for one parameter θ of a [d, h, 1] network, input by input.

    ``factors`` are the keys of the numbers multiplied for each input n (their product is what input n
    alone would give dL/dθ); ``dz2_parts`` the numbers dz2 itself is the product of (a2 − y, and
    σ'(z2) for MSE). A key is (name, index): a Ledger field ("err", "sp2", "dz2", "a1", "W2", "fp1",
    "dz1", "X") and the column it is read at (None for a one-column field)::

        W2[j,0]:  dz2 · a1[j]                              → dW2[j, 0]
        b2[0]:    dz2                                      → db2[0, 0]
        W1[i,j]:  dz2 · W2[j,0] · f'(z1[j]) · x[i]  (= dz1[j] · x[i])    → dW1[i, j]
        b1[j]:    dz2 · W2[j,0] · f'(z1[j])         (= dz1[j])           → db1[0, j]

    values: key → (N,) numbers (a weight repeated for every input); product (N,): the factors
    multiplied in order; mean: the product averaged over the N inputs, which is dL/dθ."""

    index: int
    name: str
    grad: str  # the gradient this entry belongs to: "dW1", "db1", "dW2" or "db2"
    at: tuple  # its position in that array
    factors: list
    dz2_parts: list
    values: dict
    product: np.ndarray
    mean: float


def parameter_chain(led: Ledger, index: int) -> Chain:
    """The chain rule for the parameter at flat index ``index`` (``MLP.flat()`` order: W1 row by row,
    b1, W2, b2) of the ledger's network, for every input: the notes' dz2, dz1 and x multiplied out."""
    d, h = led.dW1.shape
    if led.W2.shape != (h, 1):
        raise ValueError("the chain rule here is for one hidden layer and one output")
    n_params = d * h + h + h + 1
    if not 0 <= index < n_params:
        raise ValueError(f"index must be in 0..{n_params - 1}, not {index}")
    ones = np.ones(led.N)
    values = {("err", None): led.err[:, 0], ("sp2", None): led.sp2[:, 0], ("dz2", None): led.dz2[:, 0]}
    if index < d * h:
        i, j = divmod(index, h)
        name, grad, at = f"W1[{i},{j}]", "dW1", (i, j)
        factors = [("dz2", None), ("W2", j), ("fp1", j), ("X", i)]
    elif index < d * h + h:
        j = index - d * h
        name, grad, at = f"b1[{j}]", "db1", (0, j)
        factors = [("dz2", None), ("W2", j), ("fp1", j)]
    elif index < d * h + 2 * h:
        j = index - d * h - h
        name, grad, at = f"W2[{j},0]", "dW2", (j, 0)
        factors = [("dz2", None), ("a1", j)]
    else:
        name, grad, at = "b2[0]", "db2", (0, 0)
        factors = [("dz2", None)]
    for field, col in factors[1:]:
        values[(field, col)] = led.W2[col, 0] * ones if field == "W2" else getattr(led, field)[:, col]
    if grad in ("dW1", "db1"):  # dz1[j] = dz2 · W2[j,0] · f'(z1[j]), the notes' name for the first three
        values[("dz1", at[1])] = led.dz1[:, at[1]]
    with np.errstate(over="ignore", invalid="ignore"):
        product = np.prod([values[k] for k in factors], axis=0)
        mean = float(np.mean(product))
    parts = [("err", None), ("sp2", None)] if led.loss_name == "mse" else [("err", None)]
    return Chain(index, name, grad, at, factors, parts, values, product, mean)


# ----- facts about the live numbers ---------------------------------------------------------------
def misclassified(a2: float, y: float) -> bool:
    """True when the prediction differs from the label (``core.decision``: a2 > 0.5 means 1, so an
    output of exactly 0.5 predicts 0: misclassified when y = 1, right when y = 0)."""
    return bool(wrong(float(a2), float(y)))


@dataclass
class OffNeuron:
    """One example where one hidden neuron was off and another on, and their shares of dW2."""

    n: int  # example
    off: int  # hidden neuron index (0-based) with the smallest |a1|
    on: int  # hidden neuron index with the largest |a1|
    a_off: float
    a_on: float
    dz2: float
    share_off: float  # a1[n, off]·dz2[n] / N
    share_on: float


def off_neuron_example(led: Ledger, off: float = OFF, on: float = ON) -> OffNeuron | None:
    """The input with the largest |dz2| among those where one hidden neuron is off (|a1| < off)
    while another is on (|a1| ≥ on): the notes' "if a hidden neuron was off → small gradient".

    None when no input has both (or there is only one hidden neuron).
    """
    if led.width < 2:
        return None
    mag = np.abs(led.a1)
    both = np.any(mag < off, axis=1) & np.any(mag >= on, axis=1)
    if not np.any(both):
        return None
    cand = np.flatnonzero(both)
    n = int(cand[np.argmax(np.abs(led.dz2[cand, 0]))])
    j_off, j_on = int(np.argmin(mag[n])), int(np.argmax(mag[n]))
    return OffNeuron(
        n=n,
        off=j_off,
        on=j_on,
        a_off=float(led.a1[n, j_off]),
        a_on=float(led.a1[n, j_on]),
        dz2=float(led.dz2[n, 0]),
        share_off=float(led.dW2_terms[n, j_off]),
        share_on=float(led.dW2_terms[n, j_on]),
    )


def saturated_hidden(led: Ledger) -> list[tuple[int, int, float]]:
    """(example, hidden neuron, f'(z1)) wherever the unit is saturated (``core.activations.SATURATED``)."""
    idx = np.argwhere(get_activation(led.hidden).saturated(led.fp1))
    return [(int(n), int(j), float(led.fp1[n, j])) for n, j in idx]


def biggest_push(led: Ledger) -> int:
    """The example with the largest |dz2|: the input that pushes the gradients hardest."""
    return int(np.argmax(np.abs(led.dz2[:, 0])))


def silent_inputs(led: Ledger) -> list[int]:
    """The examples that add exactly 0 to every entry of dW1 (an all-zero input, or dz1 = 0)."""
    return [int(n) for n in range(led.N) if np.all(led.dW1_terms[n] == 0)]


def largest_entry(a: np.ndarray) -> float:
    """The entry of ``a`` with the largest magnitude, with its sign (0 for an empty array)."""
    a = np.asarray(a, dtype=float)
    return float(a.flat[np.argmax(np.abs(a))]) if a.size else 0.0


def largest_gradient(led: Ledger) -> float:
    """max |g| over every entry of dW2, db2, dW1 and db1: 0 exactly when no parameter would move."""
    return max(float(np.max(np.abs(g))) for g in (led.dW2, led.db2, led.dW1, led.db1))


def step_value(led: Ledger, step: str) -> np.ndarray:
    """The array the notes' backward-pass line ``step`` (one of STEPS) computes, e.g. dW1 (d, h)."""
    if step not in STEPS:
        raise ValueError(f"step must be one of {STEPS}, not {step!r}")
    return getattr(led, step)


# ----- BCE against MSE ----------------------------------------------------------------------------
@dataclass
class LossComparison:
    """dz2 under both losses for the same outputs. All (N, 1)."""

    err: np.ndarray  # a2 − y
    sp2: np.ndarray  # σ'(z2) = a2·(1 − a2), the factor MSE adds
    dz2_bce: np.ndarray  # a2 − y
    dz2_mse: np.ndarray  # (a2 − y)·σ'(z2)
    ratio: np.ndarray  # dz2_mse / dz2_bce where dz2_bce ≠ 0, else NaN (equals sp2)

    @property
    def factor(self) -> np.ndarray:
        """MSE ÷ BCE for every example, (N, 1): the ratio, or σ'(z2) itself where the ratio is 0 ÷ 0."""
        return np.where(np.isnan(self.ratio), self.sp2, self.ratio)

    @property
    def exact(self) -> list[int]:
        """The examples whose output equals y exactly (a2 − y = 0, so MSE ÷ BCE is 0 ÷ 0)."""
        return [int(n) for n in np.flatnonzero(np.isnan(self.ratio[:, 0]))]

    @property
    def most_saturated(self) -> int:
        """The example with the smallest σ'(z2): MSE shrinks its dz2 the most."""
        return int(np.argmin(self.sp2[:, 0]))


def compare_losses(net: MLP, X: np.ndarray, y: np.ndarray) -> LossComparison:
    b = ledger(net, X, y, "bce")
    m = ledger(net, X, y, "mse")
    ratio = np.full_like(b.dz2, np.nan)
    np.divide(m.dz2, b.dz2, out=ratio, where=b.dz2 != 0)
    return LossComparison(err=b.err, sp2=b.sp2, dz2_bce=b.dz2, dz2_mse=m.dz2, ratio=ratio)


# ----- one gradient-descent step ------------------------------------------------------------------
@dataclass
class GDStep:
    """One full-batch step θ ← θ − lr·∇L. Flat arrays in ``MLP.flat()`` order, names alike."""

    names: list
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray
    lr: float
    loss_name: str
    loss_before: float
    loss_after: float
    out_before: np.ndarray  # a2 before, (N, 1)
    out_after: np.ndarray  # a2 after, (N, 1)

    @property
    def finite(self) -> bool:
        return bool(np.all(np.isfinite(self.after)) and np.isfinite(self.loss_after))

    @property
    def improved(self) -> bool:
        return self.finite and self.loss_after < self.loss_before


def gd_step(net: MLP, X: np.ndarray, y: np.ndarray, lr: float, loss: str = "bce") -> tuple[GDStep, MLP]:
    """One gradient-descent step from ``net`` (not modified); returns the record and the new network."""
    g = net.gradients(X, y, loss)
    grad = np.concatenate([t.ravel() for l in range(1, net.n_layers + 1) for t in (g.dW[l], g.db[l])])
    new = net.copy()
    new.step(g, lr)
    step = GDStep(
        names=net.param_names(),
        before=net.flat(),
        grad=grad,
        after=new.flat(),
        lr=float(lr),
        loss_name=loss,
        loss_before=net.loss(X, y, loss),
        loss_after=new.loss(X, y, loss),
        out_before=net.predict(X),
        out_after=new.predict(X),
    )
    return step, new


def zero_network(like: MLP | None = None) -> MLP:
    """An untrained network with every weight and bias 0: every output is σ(0) = 0.5."""
    sizes = like.sizes if like is not None else [2, 2, 1]
    hidden = like.hidden if like is not None else "sigmoid"
    Ws = [np.zeros((m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros((1, n)) for n in sizes[1:]]
    return MLP(Ws, bs, hidden=hidden)
