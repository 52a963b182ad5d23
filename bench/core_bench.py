"""Section 1: core training speed.

- single seed: ``core.train.train`` on the 2-2-1 XOR network for E epochs, beside core's readable
  loop (``train(..., fast=False)``, the reference the fast paths reproduce), a per-sample loop
  (NumPy rows, and plain Python floats) and PyTorch on the CPU when it is installed — all from the
  same starting weights, all recording the loss every epoch; core.train also records accuracy,
  snapshots and divergence checks;
- many seeds: ``core.multiseed.train_many`` for S seeds × E epochs, against running
  ``core.train.train`` seed after seed and against the readable ``train_many(..., fast=False)``,
  in seed-epochs per second.
"""

from __future__ import annotations

import numpy as np

from bench import baselines
from bench.timing import time_runs
from core.data import X, y
from core.mlp import MLP
from core.multiseed import train_many
from core.train import train

FULL = {"epochs": 10_000, "seeds": 1000, "multi_epochs": 5000, "serial_seeds": 20, "repeat": 5, "multi_repeat": 3}
QUICK = {"epochs": 100, "seeds": 20, "multi_epochs": 50, "serial_seeds": 2, "repeat": 1, "multi_repeat": 1}
LR = 1.0
SEED = 0


def run(quick: bool = False, log=print) -> dict:
    cfg = QUICK if quick else FULL
    net = MLP.create([2, 2, 1], init="normal", seed=SEED)
    params = net.to_dict()
    E = cfg["epochs"]
    jobs = {
        "core.train": lambda: train(net, X, y, lr=LR, epochs=E).loss,
        "readable loop (fast=False)": lambda: train(net, X, y, lr=LR, epochs=E, fast=False).loss,
        "per-sample loop, NumPy": lambda: baselines.per_sample_numpy(params, X, y, LR, E),
        "per-sample loop, Python floats": lambda: baselines.per_sample_python(params, X, y, LR, E),
    }
    if baselines.torch_available():
        jobs["PyTorch CPU (autograd + SGD)"] = lambda: baselines.torch_sgd(params, X, y, LR, E)
    log(f"core: single seed, {E:,} epochs × {len(jobs)} implementations × {cfg['repeat']} rounds …")
    times = time_runs(jobs, repeat=cfg["repeat"], warmup=1)
    ours = np.asarray(train(net, X, y, lr=LR, epochs=E).loss)
    single = {}
    for name, fn in jobs.items():
        curve = np.asarray(fn())
        single[name] = {
            **times[name],
            "us_per_epoch": times[name]["median"] / E * 1e6,
            "cpu_us_per_epoch": times[name]["cpu"]["median"] / E * 1e6,
            "final_loss": float(curve[-1]),
            "max_abs_loss_difference_from_core": float(np.max(np.abs(curve - ours))),
        }
    base, cpu_base = single["core.train"]["median"], single["core.train"]["cpu"]["median"]
    for v in single.values():
        v["times_slower_than_core"] = v["median"] / base
        # the same ratio in CPU time, which a busy neighbour on a shared machine disturbs far less
        v["cpu_times_slower_than_core"] = v["cpu"]["median"] / cpu_base if cpu_base > 0 else None

    S, ME = cfg["seeds"], cfg["multi_epochs"]
    K = cfg["serial_seeds"]
    log(f"core: {S} seeds × {ME:,} epochs with train_many, and {K} seeds one after another (train; readable) …")
    train_many([2, 2, 1], range(S), X, y, init="normal", lr=LR, epochs=2)  # warm-up
    multi_jobs = {
        "train_many": lambda: train_many([2, 2, 1], range(S), X, y, init="normal", lr=LR, epochs=ME),
        "train, seed after seed": lambda: [
            train(MLP.create([2, 2, 1], init="normal", seed=s), X, y, lr=LR, epochs=ME) for s in range(K)
        ],
        "train_many, readable (fast=False)": lambda: train_many(
            [2, 2, 1], range(K), X, y, init="normal", lr=LR, epochs=ME, fast=False
        ),
    }
    mt = time_runs(multi_jobs, repeat=cfg["multi_repeat"], warmup=0)
    many = {
        "train_many": {**mt["train_many"], "seeds": S, "epochs": ME},
        "train, seed after seed": {**mt["train, seed after seed"], "seeds": K, "epochs": ME},
        "train_many, readable (fast=False)": {**mt["train_many, readable (fast=False)"], "seeds": K, "epochs": ME},
    }
    for v in many.values():
        v["seed_epochs_per_s"] = v["seeds"] * v["epochs"] / v["median"]
    return {
        "settings": {**cfg, "lr": LR, "seed": SEED, "network": "2-2-1 sigmoid, BCE, init normal(0, 1)"},
        "single_seed": single,
        "multi_seed": many,
        "ratios": {
            "pytorch_over_core": single.get("PyTorch CPU (autograd + SGD)", {}).get("times_slower_than_core"),
            "per_sample_numpy_over_core": single["per-sample loop, NumPy"]["times_slower_than_core"],
            "per_sample_python_over_core": single["per-sample loop, Python floats"]["times_slower_than_core"],
            "readable_over_core": single["readable loop (fast=False)"]["times_slower_than_core"],
            "multi_over_serial_throughput": many["train_many"]["seed_epochs_per_s"]
            / many["train, seed after seed"]["seed_epochs_per_s"],
        },
        "ratios_cpu": {
            "pytorch_over_core": single.get("PyTorch CPU (autograd + SGD)", {}).get("cpu_times_slower_than_core"),
            "per_sample_numpy_over_core": single["per-sample loop, NumPy"]["cpu_times_slower_than_core"],
            "per_sample_python_over_core": single["per-sample loop, Python floats"]["cpu_times_slower_than_core"],
            "readable_over_core": single["readable loop (fast=False)"]["cpu_times_slower_than_core"],
            "multi_over_serial_throughput": _cpu_per_seed(many["train, seed after seed"])
            / max(_cpu_per_seed(many["train_many"]), 1e-12),
        },
    }


def _cpu_per_seed(v: dict) -> float:
    return v["cpu"]["median"] / v["seeds"]
