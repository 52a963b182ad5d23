"""The Training chapter's words: settings named in one line, the charts' text alternatives, and the
sentences the page builds from a run's numbers. Plain words for students, never code names."""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, SCHEDULE_NAMES
from app.ui import fmt
from core.activations import SATURATED
from core.decision import predicts_one
from core.train import DIVERGE_FACTOR, SOLVED_LOSS

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


def probe_help(epoch: int) -> str:
    """How to probe a point of the replay's boundary (which follows the epoch slider)."""
    return (
        f"**Probe any point.** Click the map (or type x1 and x2): the point is marked and goes through the network "
        f"as it was at epoch {epoch:,}, with every number written in below. Move the epoch and it follows."
    )


def probe_heading(name: str, epoch: int) -> str:
    return f"The probed point {name} at epoch {epoch:,}, step by step"


def probe_verdict(name: str, a2: float) -> str:
    """What the network at this epoch says at the probed point."""
    pred = int(predicts_one(a2))
    side = "above" if pred else "not above"
    return f"At {name} the output a2 = {fmt(a2)} is {side} 0.5, so the network predicts **{pred}** there."


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


# ----- the page's sentences built from a run's numbers ---------------------------------------------
INTRO = (
    "The notes end with trained weights that *“might be”* W1 = [[5.2, 4.8], [5.1, 4.9]], …, whose hidden neurons "
    "are an OR and an AND. Here you train a network yourself, and it will often find other gates: OR and AND is one "
    "way to split XOR among several (the *Convergence lab* tab counts them over many runs). Full-batch gradient "
    "descent on the four XOR rows: every epoch is one forward pass, one backward pass and W ← W − lr·dW. Change "
    "any setting in {side} and the run is recomputed (and cached)."
)


def diverged(hist) -> str:
    """Why the run stopped: its numbers overflowed, or its loss grew past DIVERGE_FACTOR × the start."""
    d, start = hist.divergence, hist.loss[0]
    why = (
        f"The numbers overflowed at epoch {d.epoch:,}: a weight or the loss became infinite or NaN. "
        f"The curves stop at epoch {hist.epochs_run:,}, the last epoch with finite numbers."
        if d.reason == "non-finite"
        else f"At epoch {d.epoch:,} the loss reached {fmt(d.loss, 3)}, more than {DIVERGE_FACTOR:g}× its starting "
        f"value {fmt(start, 3)}. The numbers are still finite, but every step overshoots: the rate is so large "
        "that each update jumps past the valley to a worse point."
    )
    stopped = {"non-finite": "its numbers overflowed", "loss blew up": "its loss blew up"}.get(d.reason, d.reason)
    return f"**This run diverged**: training stopped because {stopped}. {why}"


def continued(epochs: int, start: float, div) -> str | None:
    """How the run would have gone on without the blow-up check (None when it was not run)."""
    if (cont := div.continued) is None:
        return None
    (lo, mid, hi), end = div.band, " and the numbers stay finite."
    if cont.diverged:
        end = f", until it overflowed at epoch {cont.divergence.epoch:,}."
    return (
        f"Had training ignored the check and gone on for all {epochs:,} epochs, the loss would have stayed "
        f"between **{fmt(lo, 2)} and {fmt(hi, 2)}** over the second half of the run (median "
        f"{fmt(mid, 2)}, about {mid / start:.0f}× the start) — bouncing, never coming down{end}"
    )


NO_SAFE_RATE = "Even the smallest rate offered (0.001) diverges with these settings: try another initialiser."


def smaller_rate(lr: float, div) -> str:
    """The suggested smaller rate and what it was checked to do."""
    verdict = "but does not solve XOR (the *Convergence lab* tab shows why runs get stuck)"
    if div.good_solved is not None:
        verdict = f"and solves XOR at epoch {div.good_solved:,}"
    return (
        f"**Try a smaller rate: {div.rate:g}** ({lr / div.rate:g}× smaller). Checked: with the same settings and "
        f"rate {div.rate:g} the run does not diverge — it ends at loss {fmt(div.good.loss[-1], 4)} {verdict}."
    )


def zero_init(snapshots: int, gap: float) -> str:
    return (
        "**Zero initialisation: the hidden neurons stay identical forever.** Every hidden neuron starts with the "
        "same weights, so it computes the same a1, gets the same error signal dz1 and the same update — the network "
        "behaves like one with a single hidden neuron, which cannot solve XOR. Largest difference between h1 and any "
        f"other hidden neuron, over all {snapshots} snapshots of this run: **{gap:g}**."
    )


ZERO_UPDATES = (
    "On XOR the updates are even exactly zero: with every weight 0 the output is 0.5 on all four "
    "inputs, and the four errors dz2 (two positive, two negative) cancel in every gradient."
)


def equal_start(gap: float, final_loss: float) -> str:
    return (
        "Not the zeros but the symmetry is the problem: here the weights move a lot, yet the columns stay equal "
        f"(largest difference over all snapshots: {gap:g}); final loss {fmt(final_loss, 4)}."
    )


LAB_INTRO = (
    "Train the **same settings from many seeds at once** (seeds 0, 1, 2, …, all trained together in one "
    "set of array operations) and count how many solve XOR: all four outputs on the right side of 0.5 "
    f"**and** loss below {SOLVED_LOSS:g}. "
    "Setting A is the one in {side} (its seed is ignored here); setting B changes one thing."
)


def lab_progress(name: str, seeds: int, epochs: int) -> str:
    """The lab's progress bar while one of its settings trains."""
    return f"Training setting {name}: {seeds:,} seeds × {epochs:,} epochs …"


LAB_STOPPED = "Stopped: the lab has not run. Press *Run the lab* to queue it again."


def stuck_intro(n: int, near_half: int, epochs: int) -> str:
    return (
        f"**{n:,}** runs of setting A ended without solving XOR after {epochs:,} epochs; **{near_half:,}** of "
        "them have two or more of their four outputs stuck within 0.05 of 0.5. Three of them, looked at closely (the "
        "network as it is after the last epoch):"
    )


def stuck_caption(s) -> str:
    """Under one stuck run's table: its saturated values, loss and how much the gradient shrank."""
    return (
        f"Slope = the activation's derivative at z1, as a share of its steepest value (highlighted: below "
        f"{SATURATED:.0%}, i.e. saturated). {s.saturated} of {s.values} hidden values are saturated. "
        f"Loss {fmt(s.loss, 4)}; size of the whole gradient ‖∇‖ = {s.grad_now:.2e} now, "
        f"{s.grad_start:.2e} at epoch 0 ({s.grad_start / max(s.grad_now, 1e-300):,.0f}× larger)."
    )


def plateau(loss: str) -> str:
    """Saturation plateaus in plain words; loss: the lab's loss ("bce" adds what a stuck output costs)."""
    half_cost = (
        " (for cross-entropy each such input costs ln 2; two of them, averaged over the four inputs, give "
        f"ln 2 / 2 = {np.log(2) / 2:.4f} — the loss most stuck runs sit at)"
    )
    return (
        "**Saturation plateaus, in plain words.** A sigmoid neuron is steep only near z = 0; far from it the curve "
        "is flat and its slope σ'(z) = a(1 − a) is almost 0. Backpropagation multiplies the error by that slope "
        "(dz1 = (dz2 @ W2.T) · a1(1 − a1)), so a hidden neuron pinned near 0 or 1 passes almost no error back: its "
        "weights barely move. In a stuck run the hidden neurons are pinned for some inputs, and the output has "
        f"settled at 0.5 on the inputs the network cannot tell apart{half_cost if loss == 'bce' else ''}. "
        "The gradient is then far smaller than at the start (the ratio is under each table). Gradient descent "
        "only follows the slope, so it stays on this nearly flat plateau, and more epochs barely help. "
        "A different seed, another initialiser or a third hidden neuron (try it as setting B) usually avoids it. "
        "With ReLU the flat side is exactly flat: a neuron with z ≤ 0 for every input is *dead* and gets no "
        "gradient at all."
    )


BROWSER_REPLAY = (
    "Press Play or drag the slider in the picture: the replay runs in your browser, from the weights at every "
    "snapshot epoch sent once. The Epoch slider below opens an epoch from a link, moves the tables and picks the "
    "epoch that “Use this network on the other pages” sends."
)
