"""The loss as a function of the network's own numbers: one parameter at a time, two at a time, and
the path a training run takes through them.

The network's P numbers are θ = ``MLP.flat()`` (W1 row by row, b1, W2, b2 for the notes' 2-2-1
network, named by ``MLP.param_names()``). Holding all but one or two of them fixed gives a curve
L(θᵢ) or a surface L(θᵢ, θⱼ): a 1-D or 2-D slice through a P-dimensional landscape.

    L(θ) = (1/N) Σₙ ℓ(a2ₙ(θ), yₙ)            the loss the notes' gradient descent lowers
    dL/dθᵢ                                   its slope along θᵢ: the backward pass's number
    θᵢ ← θᵢ − lr · dL/dθᵢ                    one gradient-descent step along θᵢ alone

Every surface is computed for a whole grid of networks at once (the grid is a batch dimension in
front of every weight matrix), never one network per Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation, sigmoid
from core.losses import softplus
from core.mlp import MLP


def batched_loss(net: MLP, thetas: np.ndarray, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> np.ndarray:
    """L for each row of ``thetas`` (B, P), every row a full θ in ``net.flat()`` order; returns (B,).

    The same arithmetic as ``MLP.forward`` + ``MLP.loss`` (sigmoid output; "bce" from the logits, or
    "mse" = ½ Σ (a2 − y)² per example, both averaged over the N examples); non-finite where it
    overflows."""
    if net.output != "sigmoid" or loss not in ("bce", "mse"):
        raise ValueError("loss slices are for a sigmoid output with binary cross-entropy or MSE")
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    B = thetas.shape[0]
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    act = get_activation(net.hidden).f
    a = np.broadcast_to(X, (B, *X.shape))
    i = 0
    L = net.n_layers
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for l, (w, b) in enumerate(zip(net.W, net.b), start=1):
            W = thetas[:, i : i + w.size].reshape(B, *w.shape)
            i += w.size
            bias = thetas[:, i : i + b.size].reshape(B, 1, b.shape[1])
            i += b.size
            z = np.matmul(a, W) + bias  # (B, N, n_out)
            a = act(z) if l < L else sigmoid(z)
        if loss == "bce":
            per_example = np.sum(softplus(z) - y * z, axis=2)
        else:
            per_example = 0.5 * np.sum((a - y) ** 2, axis=2)
        return np.mean(per_example, axis=1)


def gradient(net: MLP, X: np.ndarray, y: np.ndarray, loss: str = "bce") -> np.ndarray:
    """dL/dθ in ``flat()`` order, from the backward pass (``MLP.backward``)."""
    g = net.gradients(X, y, loss)
    return np.concatenate([t.ravel() for l in range(1, net.n_layers + 1) for t in (g.dW[l], g.db[l])])


@dataclass
class Slice:
    """L along one parameter θᵢ, the others fixed. theta (n,), loss (n,); at the current point:
    theta0, loss0, slope (= dL/dθᵢ from backprop); the finite difference of the central rule with
    ``eps``; and one step of size lr: where θᵢ − lr·slope lands, and the loss there."""

    index: int
    name: str
    theta: np.ndarray
    loss: np.ndarray
    theta0: float
    loss0: float
    slope: float
    eps: float
    central: float
    lr: float
    step_theta: float
    step_loss: float
    loss_plus: float = float("nan")  # L(θ0 + ε) and L(θ0 − ε), the central difference's two losses
    loss_minus: float = float("nan")

    @property
    def step_shown(self) -> bool:
        """Does the step land inside the curve's range, with a finite loss?"""
        return bool(np.isfinite(self.step_loss) and self.theta[0] <= self.step_theta <= self.theta[-1])

    def tangent(self, theta: np.ndarray) -> np.ndarray:
        """The tangent line at the current point: L0 + slope·(θ − θ0)."""
        return self.loss0 + self.slope * (np.asarray(theta, dtype=float) - self.theta0)


def loss_slice(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    index: int,
    lr: float = 0.5,
    loss: str = "bce",
    half_width: float = 6.0,
    n: int = 161,
    eps: float = 1e-4,
    reach: float | None = None,
) -> Slice:
    """L(θᵢ) on [θᵢ − half_width, θᵢ + half_width] (widened to show where one step lands), with the
    tangent's slope from backprop and the central difference (L(θ+ε) − L(θ−ε)) / 2ε.

    ``reach``: widen only for a step that lands at most this far from θᵢ (a huge learning rate would
    otherwise stretch the curve until its valley is a few pixels wide); a farther step still gets its
    θ and its loss, it just lies outside ``theta``'s range (``Slice.step_shown``)."""
    theta0 = net.flat()
    t0 = float(theta0[index])
    slope = float(gradient(net, X, y, loss)[index])
    step = t0 - lr * slope
    lo, hi = t0 - half_width, t0 + half_width
    if np.isfinite(step) and (reach is None or abs(step - t0) <= reach):
        lo, hi = min(lo, step - 0.5), max(hi, step + 0.5)
    grid = np.linspace(lo, hi, n)
    probe = np.array([t0 + eps, t0 - eps, step if np.isfinite(step) else t0, t0])
    thetas = np.repeat(theta0[None, :], n + probe.size, axis=0)
    thetas[:n, index] = grid
    thetas[n:, index] = probe
    values = batched_loss(net, thetas, X, y, loss)
    plus, minus, at_step, at_t0 = values[n:]
    return Slice(
        index=index,
        name=net.param_names()[index],
        theta=grid,
        loss=values[:n],
        theta0=t0,
        loss0=float(net.loss(X, y, loss)),
        slope=slope,
        eps=eps,
        central=float((plus - minus) / (2 * eps)),
        lr=float(lr),
        step_theta=float(step),
        step_loss=float(at_step) if np.isfinite(step) else float("nan"),
        loss_plus=float(plus),
        loss_minus=float(minus),
    )


@dataclass
class Surface:
    """L over a grid of two parameters i (columns, u) and j (rows, v), the other P − 2 fixed:
    loss (len(v), len(u)) indexed [v, u]; the current point and the negative gradient there."""

    i: int
    j: int
    names: tuple[str, str]
    u: np.ndarray
    v: np.ndarray
    loss: np.ndarray
    point: tuple[float, float]
    loss0: float
    descent: tuple[float, float]  # (−dL/dθᵢ, −dL/dθⱼ)


def loss_surface(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    i: int,
    j: int,
    loss: str = "bce",
    half_width: float = 8.0,
    n: int = 61,
    around: tuple[float, float] | None = None,
) -> Surface:
    """L(θᵢ, θⱼ) on an n × n grid centred on the current point (or on ``around``), half_width each way."""
    if i == j:
        raise ValueError("pick two different parameters")
    theta0 = net.flat()
    ci, cj = around if around is not None else (theta0[i], theta0[j])
    u = np.linspace(ci - half_width, ci + half_width, n)
    v = np.linspace(cj - half_width, cj + half_width, n)
    uu, vv = np.meshgrid(u, v)
    thetas = np.repeat(theta0[None, :], n * n, axis=0)
    thetas[:, i] = uu.ravel()
    thetas[:, j] = vv.ravel()
    g = gradient(net, X, y, loss)
    names = net.param_names()
    return Surface(
        i=i,
        j=j,
        names=(names[i], names[j]),
        u=u,
        v=v,
        loss=batched_loss(net, thetas, X, y, loss).reshape(n, n),
        point=(float(theta0[i]), float(theta0[j])),
        loss0=float(net.loss(X, y, loss)),
        descent=(float(-g[i]), float(-g[j])),
    )


def projected_path(snapshots: list[dict], epochs: list[int], net: MLP, i: int, j: int) -> dict[str, np.ndarray]:
    """A training run's snapshots (dicts W1, b1, … as in ``History.snapshots``) projected onto θᵢ, θⱼ:
    epoch, u, v for each snapshot, in order (the first is the run's start)."""
    flat = np.array([MLP.from_dict(s, net.hidden, net.output).flat() for s in snapshots])
    return {"epoch": np.asarray(epochs, dtype=np.int64), "u": flat[:, i], "v": flat[:, j]}


def with_params(net: MLP, values: dict[int, float]) -> MLP:
    """A copy of ``net`` with the numbers at these flat indices set (the rest unchanged)."""
    out = net.copy()
    theta = out.flat()
    for k, val in values.items():
        theta[k] = float(val)
    out.set_flat(theta)
    return out
