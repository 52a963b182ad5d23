"""A multi-layer perceptron of any layer sizes, written with the notes' names.

For the notes' network ``sizes = [2, 2, 1]``::

    z1 = X @ W1 + b1      a1 = σ(z1)         X (N, 2), W1 (2, 2), b1 (1, 2) → z1, a1 (N, 2)
    z2 = a1 @ W2 + b2     a2 = σ(z2)         W2 (2, 1), b2 (1, 1)           → z2, a2 (N, 1)

    dz2 = a2 − y                              (N, 1)
    dW2 = a1.T @ dz2 / N      db2 = Σ dz2 / N (2, 1), (1, 1)
    dz1 = (dz2 @ W2.T) * a1 * (1 − a1)        (N, 2)
    dW1 = X.T @ dz1 / N       db1 = Σ dz1 / N (2, 2), (1, 2)

Lists are indexed from 0 in Python, so ``W[0]`` is the notes' W1; ``Forward.z[1]`` is z1 and
``Forward.a[0]`` is X itself (a0), which keeps ``a[l-1] @ W[l-1]`` lined up with the maths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.activations import get_activation, sigmoid
from core.decision import is_one, predicts_one
from core.init import init_params
from core.losses import loss_value, output_delta, softmax

OUTPUTS = ("sigmoid", "softmax")


@dataclass
class Forward:
    """z[l], a[l] for l = 1..L (z[0] is None, a[0] is X). Each (N, sizes[l])."""

    z: list
    a: list

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


@dataclass
class Grads:
    """dz[l], dW[l], db[l] for l = 1..L (index 0 unused), same shapes as z[l], W_l, b_l."""

    dz: list
    dW: list
    db: list


@dataclass
class ParamInfo:
    name: str
    shape: tuple
    count: int
    role: str


@dataclass
class MLP:
    """sizes: [n_in, h1, ..., n_out]. W[l]: (sizes[l], sizes[l+1]), b[l]: (1, sizes[l+1])."""

    W: list
    b: list
    hidden: str = "sigmoid"
    output: str = "sigmoid"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.W = [np.array(w, dtype=float) for w in self.W]
        self.b = [np.array(v, dtype=float).reshape(1, -1) for v in self.b]
        get_activation(self.hidden)
        if self.output not in OUTPUTS:
            raise ValueError(f"output must be one of {OUTPUTS}")
        for l, (w, v) in enumerate(zip(self.W, self.b)):
            if v.shape[1] != w.shape[1] or (l > 0 and self.W[l - 1].shape[1] != w.shape[0]):
                raise ValueError(f"layer {l + 1}: shapes W {w.shape} and b {v.shape} do not chain")

    # ----- construction -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        sizes: list[int],
        hidden: str = "sigmoid",
        output: str = "sigmoid",
        init: str = "xavier_uniform",
        seed: int = 0,
        sigma: float = 1.0,
        limit: float = 1.0,
    ) -> MLP:
        Ws, bs = init_params(list(sizes), init, seed, sigma=sigma, limit=limit)
        return cls(Ws, bs, hidden=hidden, output=output)

    @classmethod
    def from_dict(cls, params: dict, hidden: str = "sigmoid", output: str = "sigmoid") -> MLP:
        """From {"W1": ..., "b1": ..., "W2": ...}, the notes' names."""
        L = sum(1 for k in params if k.startswith("W"))
        return cls(
            [params[f"W{l}"] for l in range(1, L + 1)], [params[f"b{l}"] for l in range(1, L + 1)], hidden, output
        )

    def copy(self) -> MLP:
        return MLP([w.copy() for w in self.W], [v.copy() for v in self.b], self.hidden, self.output, dict(self.meta))

    # ----- the network as a key ---------------------------------------------------------------
    def key(self) -> tuple:
        """(sizes, hidden, output, every weight and bias as float64 bytes in ``flat()`` order): a hashable,
        exact description of the network, cheap to hash and with nothing rounded. The one network → key
        rule: caches keyed on a network, and "is this still the same network?", use it.
        ``MLP.from_key(net.key())`` is ``net``, bit for bit (``meta`` is not part of it)."""
        return tuple(self.sizes), self.hidden, self.output, np.ascontiguousarray(self.flat(), dtype=float).tobytes()

    @classmethod
    def from_key(cls, key: tuple) -> MLP:
        """The network a ``key()`` describes."""
        sizes, hidden, output, raw = key
        pairs = list(zip(sizes[:-1], sizes[1:]))
        net = cls([np.zeros((m, n)) for m, n in pairs], [np.zeros((1, n)) for _, n in pairs], hidden, output)
        net.set_flat(np.frombuffer(raw, dtype=float))
        return net

    # ----- shape facts --------------------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        return [self.W[0].shape[0]] + [w.shape[1] for w in self.W]

    @property
    def n_layers(self) -> int:
        """Number of weight layers L (2 for the notes' network)."""
        return len(self.W)

    def to_dict(self) -> dict:
        out = {}
        for l, (w, v) in enumerate(zip(self.W, self.b), start=1):
            out[f"W{l}"] = w.copy()
            out[f"b{l}"] = v.copy()
        return out

    def param_table(self) -> list[ParamInfo]:
        """One row per tensor: 2-2-1 gives W1 (2×2) 4, b1 (1×2) 2, W2 (2×1) 2, b2 (1×1) 1 = 9."""
        rows = []
        L = self.n_layers
        for l, (w, v) in enumerate(zip(self.W, self.b), start=1):
            src = "input" if l == 1 else f"hidden layer {l - 1}"
            dst = "output" if l == L else f"hidden layer {l}"
            rows.append(ParamInfo(f"W{l}", w.shape, w.size, f"weights from {src} to {dst}"))
            rows.append(ParamInfo(f"b{l}", v.shape, v.size, f"biases of {dst}"))
        return rows

    @property
    def n_params(self) -> int:
        return sum(w.size + v.size for w, v in zip(self.W, self.b))

    def flat(self) -> np.ndarray:
        return np.concatenate([t.ravel() for pair in zip(self.W, self.b) for t in pair])

    def set_flat(self, theta: np.ndarray) -> None:
        i = 0
        for t in (t for pair in zip(self.W, self.b) for t in pair):
            t[...] = np.reshape(theta[i : i + t.size], t.shape)
            i += t.size

    def param_names(self) -> list[str]:
        """Flat names in flat() order: W1[0,0], W1[0,1], ..., b1[0], ..."""
        names = []
        for l, (w, v) in enumerate(zip(self.W, self.b), start=1):
            names += [f"W{l}[{i},{j}]" for i in range(w.shape[0]) for j in range(w.shape[1])]
            names += [f"b{l}[{j}]" for j in range(v.shape[1])]
        return names

    # ----- the maths ----------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> Forward:
        """X: (N, sizes[0]). Returns every layer's z and a."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._forward(X)

    def _forward(self, X: np.ndarray) -> Forward:
        act = get_activation(self.hidden).f
        out = sigmoid if self.output == "sigmoid" else softmax
        L = self.n_layers
        z, a = [None], [np.asarray(X, dtype=float)]
        for l in range(1, L + 1):
            zl = a[l - 1] @ self.W[l - 1] + self.b[l - 1]
            z.append(zl)
            a.append(act(zl) if l < L else out(zl))
        return Forward(z, a)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).output

    def loss(self, X: np.ndarray, y: np.ndarray, loss: str = "bce", fwd: Forward | None = None) -> float:
        fwd = self.forward(X) if fwd is None else fwd
        with np.errstate(over="ignore", invalid="ignore"):
            return loss_value(loss, fwd.z[-1], fwd.a[-1], y)

    def accuracy(self, X: np.ndarray, y: np.ndarray, fwd: Forward | None = None) -> float:
        out = (self.forward(X) if fwd is None else fwd).output
        if self.output == "softmax":
            return float(np.mean(np.argmax(out, axis=1) == np.argmax(y, axis=1)))
        return float(np.mean(predicts_one(out) == is_one(y)))

    def backward(self, fwd: Forward, y: np.ndarray, loss: str = "bce") -> Grads:
        """The notes' backward pass, for every layer: dz, dW = a.T @ dz / N, db = Σ dz / N."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._backward(fwd, y, loss)

    def _backward(self, fwd: Forward, y: np.ndarray, loss: str) -> Grads:
        d_act = get_activation(self.hidden).df
        L = self.n_layers
        N = fwd.a[0].shape[0]
        dz, dW, db = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
        dz[L] = output_delta(loss, fwd.a[L], y)
        for l in range(L, 0, -1):
            dW[l] = fwd.a[l - 1].T @ dz[l] / N
            db[l] = dz[l].sum(axis=0, keepdims=True) / N
            if l > 1:
                dz[l - 1] = (dz[l] @ self.W[l - 1].T) * d_act(fwd.z[l - 1], fwd.a[l - 1])
        return Grads(dz, dW, db)

    def gradients(self, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> Grads:
        return self.backward(self.forward(X), y, loss)

    def step(self, grads: Grads, lr: float, update_biases: bool = True) -> None:
        """Gradient descent in place: W ← W − lr·dW, b ← b − lr·db."""
        with np.errstate(over="ignore", invalid="ignore"):
            self._step(grads, lr, update_biases)

    def _step(self, grads: Grads, lr: float, update_biases: bool = True) -> None:
        for l in range(1, self.n_layers + 1):
            self.W[l - 1] -= lr * grads.dW[l]
            if update_biases:
                self.b[l - 1] -= lr * grads.db[l]

    def is_finite(self) -> bool:
        return all(np.all(np.isfinite(t)) for t in self.W + self.b)


def check_network(net: MLP) -> str | None:
    """Can a page about the XOR network read ``net``? None if it can, else the reason in plain words.

    The one contract of every page that explains a one-hidden-layer XOR network (Architecture,
    Forward pass, Hidden features, Backpropagation): exactly one hidden layer, 2 inputs, and one
    sigmoid output. A page shows the reason and stops; nothing raises.
    """
    if net.n_layers != 2:
        return f"this page explains networks with exactly one hidden layer; this one has {net.n_layers - 1}"
    if net.sizes[0] != 2:
        return f"the network takes {net.sizes[0]} inputs, XOR has 2"
    if net.sizes[-1] != 1 or net.output != "sigmoid":
        return "the output must be one sigmoid neuron"
    return None
