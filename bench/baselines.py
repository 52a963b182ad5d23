"""What core.train is compared with: the same job (full-batch gradient descent on XOR, 2-2-1,
sigmoid, binary cross-entropy, the same starting weights, the loss recorded every epoch) written
the way one usually writes it.

- ``per_sample_numpy``: a loop over the examples with NumPy row vectors, accumulating the
  gradients and updating once per epoch — how a first implementation usually looks;
- ``per_sample_python``: the same loop on plain Python floats and ``math.exp``;
- ``torch_sgd``: PyTorch on the CPU, ``nn.Sequential`` + ``BCEWithLogitsLoss`` + ``optim.SGD``,
  float64 like NumPy, one thread (the fastest setting for tensors this small).

Each returns the loss curve, so the benchmark can check it ends where core.train's does.
"""

from __future__ import annotations

import math

import numpy as np


def per_sample_numpy(params: dict, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    W1, b1, W2, b2 = (np.array(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    N = len(X)
    losses = []
    for _ in range(epochs + 1):
        gW1, gb1, gW2, gb2 = np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)
        total = 0.0
        for i in range(N):
            x, t = X[i : i + 1], y[i : i + 1]
            z1 = x @ W1 + b1
            a1 = 1.0 / (1.0 + np.exp(-z1))
            z2 = a1 @ W2 + b2
            a2 = 1.0 / (1.0 + np.exp(-z2))
            total += float(np.logaddexp(0.0, z2[0, 0]) - t[0, 0] * z2[0, 0])  # BCE from the logit
            dz2 = a2 - t
            gW2 += a1.T @ dz2
            gb2 += dz2
            dz1 = (dz2 @ W2.T) * a1 * (1.0 - a1)
            gW1 += x.T @ dz1
            gb1 += dz1
        losses.append(total / N)
        if len(losses) > epochs:
            break
        W1 -= lr * gW1 / N
        b1 -= lr * gb1 / N
        W2 -= lr * gW2 / N
        b2 -= lr * gb2 / N
    return losses


def per_sample_python(params: dict, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    W1 = np.asarray(params["W1"], dtype=float).tolist()  # W1[k][j]: input k → hidden j
    b1 = np.asarray(params["b1"], dtype=float)[0].tolist()
    W2 = np.asarray(params["W2"], dtype=float)[:, 0].tolist()
    b2 = float(np.asarray(params["b2"]).ravel()[0])
    data = list(zip(np.asarray(X, dtype=float).tolist(), np.asarray(y, dtype=float)[:, 0].tolist()))
    H, N = len(b1), len(data)
    losses = []
    for _ in range(epochs + 1):
        gW1 = [[0.0] * H for _ in W1]
        gb1 = [0.0] * H
        gW2 = [0.0] * H
        gb2 = 0.0
        total = 0.0
        for x, t in data:
            a1 = []
            for j in range(H):
                zj = b1[j] + sum(x[k] * W1[k][j] for k in range(len(x)))
                a1.append(1.0 / (1.0 + math.exp(-zj)))
            z2 = b2 + sum(a1[j] * W2[j] for j in range(H))
            a2 = 1.0 / (1.0 + math.exp(-z2))
            total += max(z2, 0.0) + math.log1p(math.exp(-abs(z2))) - t * z2
            dz2 = a2 - t
            gb2 += dz2
            for j in range(H):
                gW2[j] += a1[j] * dz2
                dz1 = dz2 * W2[j] * a1[j] * (1.0 - a1[j])
                gb1[j] += dz1
                for k in range(len(x)):
                    gW1[k][j] += x[k] * dz1
        losses.append(total / N)
        if len(losses) > epochs:
            break
        for j in range(H):
            W2[j] -= lr * gW2[j] / N
            b1[j] -= lr * gb1[j] / N
            for k in range(len(W1)):
                W1[k][j] -= lr * gW1[k][j] / N
        b2 -= lr * gb2 / N
    return losses


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_sgd(params: dict, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        Xt = torch.tensor(X, dtype=torch.float64)
        yt = torch.tensor(y, dtype=torch.float64)
        W1, W2 = np.asarray(params["W1"]), np.asarray(params["W2"])
        model = torch.nn.Sequential(
            torch.nn.Linear(W1.shape[0], W1.shape[1]), torch.nn.Sigmoid(), torch.nn.Linear(W2.shape[0], W2.shape[1])
        ).double()
        with torch.no_grad():  # our W is (in, out); torch stores (out, in)
            model[0].weight.copy_(torch.tensor(W1.T))
            model[0].bias.copy_(torch.tensor(np.asarray(params["b1"])[0]))
            model[2].weight.copy_(torch.tensor(W2.T))
            model[2].bias.copy_(torch.tensor(np.asarray(params["b2"])[0]))
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        losses = []
        for t in range(epochs + 1):
            opt.zero_grad()
            loss = loss_fn(model(Xt), yt)
            losses.append(loss.item())
            if t == epochs:
                break
            loss.backward()
            opt.step()
        return losses
    finally:
        torch.set_num_threads(threads)
