"""The Training chapter's words: settings named in one line, the charts' text alternatives, and the
sentences the page builds from a run's numbers. Plain words for students, never code names."""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, SCHEDULE_NAMES
from app.ui import fmt
from core.train import SOLVED_LOSS

SOLVED_HELP = f"first epoch with all four outputs right and loss below {SOLVED_LOSS:g}"

# a schedule's parameters in the words of the sidebar's controls, not PyTorch's argument names
PARAM_WORDS = {
    "step_size": "every {:g} epochs",
    "gamma": "× γ = {:g}",
    "eta_min": "lowest rate {:g}",
    "start_factor": "starting at × {:g}",
    "end_factor": "ending at × {:g}",
    "total_iters": "over {:g} epochs",
}


def rate_text(r: float) -> str:
    return f"{r:g}"


def act_label(a: str) -> str:
    return ACTIVATION_NAMES[a]


def describe(cfg: dict, lr: float, seed: bool = True) -> str:
    """One line naming every setting of a run (the caption above its numbers, the lab's columns)."""
    init = INITIALISER_NAMES[cfg["init"]]
    if cfg["init"] == "normal":
        init = f"N(0, {cfg['sigma']:g}²)"
    if cfg["init"] == "uniform":
        init = f"U(±{cfg['limit']:g})"
    extra = ", ".join(PARAM_WORDS.get(k, k + " {:g}").format(v) for k, v in cfg["params"] if k != "T_max")
    sched = SCHEDULE_NAMES[cfg["sched"]].lower() + (f" ({extra})" if extra else "")
    init += f" seed {cfg['seed']}" if seed else " init"
    return (
        f"2-{cfg['width']}-1 {act_label(cfg['act'])}, {init}, "
        f"{cfg['loss'].upper()}, lr {lr:g} {sched}, {cfg['epochs']:,} epochs"
    )


def short_label(cfg: dict, lr: float, knob: str) -> str:
    """The one setting the two lab columns differ in, for legends."""
    if knob == "width":
        return f"{cfg['width']} hidden neurons"
    if knob == "init":
        return INITIALISER_NAMES[cfg["init"]]
    if knob == "lr":
        return f"learning rate {lr:g}"
    return act_label(cfg["act"])


# ----- the charts' text alternatives (what each shows now) ----------------------------------------
def _ends(values) -> tuple[float, float, int]:
    """The first and last finite value of a curve and the epoch of the last one."""
    v = np.asarray(values, dtype=float)
    ok = np.flatnonzero(np.isfinite(v))
    if ok.size == 0:
        return float("nan"), float("nan"), 0
    return float(v[ok[0]]), float(v[ok[-1]]), int(ok[-1])


def loss_curves(hist, runs: dict) -> str:
    """The loss chart: this run's loss from start to end, and the other curves drawn beside it."""
    first, last, end = _ends(hist.loss)
    out = f"Loss on a log scale: {fmt(first, 4)} at epoch 0, {fmt(last, 4)} at epoch {end:,}"
    if hist.diverged:
        out += f"; the run diverged at epoch {hist.divergence.epoch:,}"
    others = [f"{label} (ends at {fmt(_ends(v)[1], 4)})" for label, v in list(runs.items())[1:]]
    return out + (f". Also drawn: {'; '.join(others)}." if others else ".")


def accuracy_curve(hist) -> str:
    first, last, end = _ends(hist.acc)
    return f"Accuracy: {first:.0%} at epoch 0, {last:.0%} at epoch {end:,}."


def rate_curve(rates) -> str:
    r = np.asarray(rates, dtype=float)
    if r.size and r.min() == r.max():
        return f"Learning rate per epoch: {r[0]:g} at every epoch."
    return f"Learning rate per epoch: from {r[0]:g} to {r[-1]:g}, between {r.min():g} and {r.max():g}."


def zoom_curve(hist, n: int) -> str:
    first, last, end = _ends(hist.loss[: n + 1])
    return (
        f"Loss over the first {n} epochs on a log scale: {fmt(first, 4)} at epoch 0, {fmt(last, 4)} at epoch "
        f"{end:,}, where the run stopped."
    )


def boundary(values, epoch: int) -> str:
    v = np.asarray(values, dtype=float)
    crosses = "with its 0.5 line" if v.min() < 0.5 < v.max() else "which does not reach 0.5 anywhere"
    return (
        f"Decision boundary at epoch {epoch:,}: the output a2 over the input plane, from {v.min():.2f} (blue) "
        f"to {v.max():.2f} (red), {crosses}; the four XOR inputs as points."
    )


def final_losses(finals: dict) -> str:
    finite = {k: v[np.isfinite(v)] for k, v in finals.items()}
    parts = [f"{k}: median {fmt(float(np.median(v)), 4)}" for k, v in finite.items() if v.size]
    return f"Final loss of every run, as histograms per setting ({'; '.join(parts) or 'no finite loss'})."


def epochs_needed(to_solve: dict) -> str:
    parts = [
        f"{k}: {v.size:,} solved" + (f", median {np.median(v):,.0f} epochs" if v.size else "")
        for k, v in to_solve.items()
    ]
    return f"Epochs the solved runs needed, as histograms per setting ({'; '.join(parts)})."
