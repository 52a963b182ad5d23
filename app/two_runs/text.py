"""The Two-runs page's words, built from the two runs' numbers: what differs between the settings,
how each run ended, how they compare, what to look for, and the charts' titles and descriptions."""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES, INITIALISER_NAMES, LOSS_NAMES, SCHEDULE_NAMES
from app.run_words import diverged
from app.ui import fmt, sci
from core.decision import predicts_one
from core.train import SOLVED_LOSS

INTRO = (
    "Train the same network twice from **the same initial weights**, changing one or more settings (learning "
    "rate, schedule, loss, hidden activation, initialiser), and replay both runs side by side: one epoch control "
    "moves both boundaries. The settings of both runs are in {side} and in the page's link."
)
START_NAMES = {"seed": "Random weights (seed)", "notes": "The notes' weights", "shared": "The shared network"}
KNOB_NAMES = {
    "lr": "learning rate",
    "sched": "schedule",
    "loss": "loss",
    "act": "hidden activation",
    "init": "initialiser",
}
IDENTICAL = (
    "Runs A and B have the same settings, so they are the same run: the two curves lie on top of each other "
    "(B is drawn dashed). Change a setting of run B to compare."
)
DIFFERENT_START = (
    "The two initialisers draw the same seed by different rules, so here the runs do **not** start from the same "
    "weights: the comparison is of the initialisers, not of what happens after the first step."
)


def rate_text(r: float) -> str:
    return f"{r:g}"


def value_text(knob: str, v) -> str:
    """A setting's value as the page writes it."""
    if knob == "lr":
        return f"learning rate {v:g}"
    names = {"sched": SCHEDULE_NAMES, "loss": LOSS_NAMES, "act": ACTIVATION_NAMES, "init": INITIALISER_NAMES}[knob]
    return names[v] + {"sched": " rate", "act": " hidden units"}.get(knob, "")


def setting_line(name: str, s: dict, diff: list[str], start: str) -> str:
    """One run's settings in a line, the ones that differ from the other run in bold."""
    knobs = ["lr", "sched", "loss", "act"] + (["init"] if start == "seed" else [])
    parts = [f"**{value_text(k, s[k])}**" if k in diff else value_text(k, s[k]) for k in knobs]
    return f"**Run {name}** · " + " · ".join(parts)


def start_line(start: str, seed: int, epochs: int, net_sizes: list[int], shared_act: str | None = None) -> str:
    """Where both runs start. shared_act: the shared network's own hidden activation (start "shared")."""
    where = {"seed": f"random weights from seed {seed}", "notes": "the notes' weights", "shared": "the shared network"}
    shape = "-".join(map(str, net_sizes)) + " network"
    if start == "shared" and shared_act is not None:
        shape += (
            f", made with {ACTIVATION_NAMES[shared_act]} hidden units; each run reads these weights through its own "
            "hidden activation"
        )
    return f"Both runs start from {where[start]} ({shape}) and train for {epochs:,} epochs on the four XOR inputs."


def short_labels(a: dict, b: dict, diff: list[str]) -> tuple[str, str]:
    """The two runs' legend labels: the run's name and the first two settings that differ (short enough for
    a phone in presenter mode; the lines above the charts list every setting)."""
    if not diff:
        return "A", "B (same settings)"
    return tuple(f"{n}: " + ", ".join(legend_text(k, s[k]) for k in diff[:2]) for n, s in (("A", a), ("B", b)))


SHORT_LOSS = {"bce": "cross-entropy", "mse": "squared error"}


def legend_text(knob: str, v) -> str:
    """A setting's value in a few words, for the loss chart's legend."""
    if knob == "lr":
        return f"rate {v:g}"
    if knob == "loss":
        return SHORT_LOSS[v]
    return {"sched": SCHEDULE_NAMES, "act": ACTIVATION_NAMES, "init": INITIALISER_NAMES}[knob][v]


def loss_axis(loss_a: str, loss_b: str) -> str:
    return LOSS_NAMES[loss_a].lower() if loss_a == loss_b else "each run's own loss"


def plane_title(name: str, hist, shown: int, epoch: int) -> str:
    if shown < epoch and hist.diverged:
        return f"{name}: stopped, last epoch {shown:,}"
    return f"{name} at epoch {shown:,}"


def boundary(name: str, values: np.ndarray, title: str) -> str:
    v = np.asarray(values, dtype=float)
    share = float(np.mean(v > 0.5)) if v.size else 0.0
    return (
        f"Run {name}'s decision boundary ({title}): the output a2 over the input plane, above 0.5 (class 1) on "
        f"{share:.0%} of the square."
    )


def loss_description(p, epoch: int, labels: tuple[str, str], same: bool) -> str:
    parts = []
    for label, h in zip(labels, (p.a, p.b)):
        k = min(epoch, h.epochs_run)
        parts.append(f"{label} from {fmt(h.loss[0], 3)} to {fmt(h.loss[-1], 4)} (at epoch {k:,}: {fmt(h.loss[k], 4)})")
    scale = "" if same else " Each run is measured by its own loss."
    return f"Loss per epoch, log scale: {'; '.join(parts)}.{scale}"


def outcome_line(name: str, hist, o, epochs: int) -> str:
    """How one run ended (hist: its History; o: its app.two_runs.run.Outcome)."""
    if hist.diverged:
        return (
            f"**Run {name} diverged**: {diverged(hist)}. Its curve stops there; its boundary stays at its last epoch."
        )
    if o.solved is not None:
        if o.right < 4 or not o.final_loss < SOLVED_LOSS:
            return (
                f"**Run {name}** solved XOR at epoch **{o.solved:,}** but did not stay solved: its loss ended at "
                f"{sci(o.final_loss)} with {o.right} of 4 inputs on the right side of 0.5."
            )
        return f"**Run {name}** solved XOR at epoch **{o.solved:,}**; its loss ended at {sci(o.final_loss)}."
    if o.right == 4:
        why = (
            f"all four outputs are on the right side of 0.5, but its loss {fmt(o.final_loss, 3)} is still above "
            f"{SOLVED_LOSS:g}"
        )
    else:
        why = f"its loss ended at {fmt(o.final_loss, 3)} with {o.right} of 4 inputs on the right side of 0.5"
    return f"**Run {name}** did not solve XOR in {epochs:,} epochs: {why}."


def times_text(r: float) -> str:
    """A ratio for prose: 1.4, 12.4, 371, 3,712."""
    return f"{r:.1f}" if r < 100 else f"{r:,.0f}"


def comparison(oa, ob, same_loss: bool) -> str:
    """How the two runs compare, from their numbers."""
    out = []
    if oa.solved is not None and ob.solved is not None:
        if oa.solved == ob.solved == 0:
            out.append(
                "**Both runs start solved** (epoch 0): these weights already solve XOR, so compare how far each "
                "loss falls."
            )
        elif oa.solved == ob.solved:
            out.append(f"Both solved XOR at the same epoch, {oa.solved:,}.")
        else:
            fast, slow = ("A", "B") if oa.solved < ob.solved else ("B", "A")
            ef, es = sorted((oa.solved, ob.solved))
            times = f"{times_text(es / ef)}× sooner" if ef > 0 else "sooner"
            out.append(f"**Run {fast} solved XOR {times}** than run {slow} (epoch {ef:,} against {es:,}).")
    elif oa.solved is not None or ob.solved is not None:
        out.append(f"**Only run {'A' if oa.solved is not None else 'B'} solved XOR.**")
    else:
        out.append("**Neither run solved XOR.**")
    if same_loss and np.isfinite(oa.final_loss) and np.isfinite(ob.final_loss) and oa.final_loss != ob.final_loss:
        lo, hi = sorted((oa.final_loss, ob.final_loss))
        low = "A" if oa.final_loss < ob.final_loss else "B"
        lower = f"run {low}'s is {times_text(hi / lo)}× lower" if lo > 0 else f"run {low}'s is lower"
        out.append(f"Final loss: A {sci(oa.final_loss)}, B {sci(ob.final_loss)} ({lower}).")
    elif not same_loss:
        out.append(
            "The two runs measure their loss differently, so compare when each solved XOR, not the heights of the "
            "curves."
        )
    if np.isfinite(oa.early_drop) and np.isfinite(ob.early_drop):
        out.append(
            f"After the first tenth of the run (epoch {oa.early_epoch:,}) run A's loss had fallen by "
            f"{oa.early_drop:.0%} of its start, run B's by {ob.early_drop:.0%}."
        )
    return " ".join(out)


LOOK_FOR = {
    "lr": (
        "**Learning rate.** It scales every step. Look at how soon each curve starts to fall, and whether the larger "
        "rate's curve jumps about or blows up."
    ),
    "sched": (
        "**Schedule.** It changes the rate during the run. Look for the epoch where the two curves part: a decaying "
        "rate takes smaller and smaller steps late in the run; a warm-up starts with small steps."
    ),
    "loss": (
        "**Loss.** With a sigmoid output, the mean squared error's gradient at the output carries an extra factor "
        "a2(1 − a2), at most 0.25 and close to 0 when an output sits near 0 or 1, so its steps are smaller: look for "
        "a flatter start on its curve."
    ),
    "act": (
        "**Hidden activation.** The same weights, read through another curve: the sigmoid's slope is at most 0.25, "
        "tanh's at most 1 (and tanh is centred on 0); ReLU passes positive inputs unchanged and is flat at 0 below, "
        "so a neuron can switch off on all four inputs. Look at how each boundary bends."
    ),
    "init": (
        "**Initialiser.** Each rule draws the first weights at its own scale; the runs differ before the first step. "
        "Look at the boundaries at epoch 0."
    ),
}


def look_for(diff: list[str]) -> str:
    return "\n\n".join(LOOK_FOR[k] for k in diff)


def epoch_line(p, epoch: int, shown: list[int]) -> str:
    """The two runs' numbers at the replay's epoch."""
    parts = []
    for name, h, k in zip("AB", (p.a, p.b), shown):
        stop = f" (stopped at epoch {h.epochs_run:,})" if h.diverged and epoch > h.epochs_run else ""
        parts.append(f"run {name}: loss {fmt(h.loss[k], 4)}, {round(h.acc[k] * 4):d} of 4 right{stop}")
    return f"Epoch {epoch:,} — " + "; ".join(parts) + "."


PROBE_HELP = (
    "**Probe any point.** Click either map (or type x1 and x2): the point is marked on both, and goes through "
    "both networks as they are at the epoch shown, with every number written in below. Move the epoch and it follows."
)


def probe_verdict(run: str, name: str, shown: int, a2: float) -> str:
    """What one run's network at the epoch it shows says at the probed point."""
    if not np.isfinite(a2):
        return f"Run {run} at epoch {shown:,}: at {name} its output is not a finite number."
    pred = int(predicts_one(a2))
    side = "above" if pred else "not above"
    return (
        f"Run {run} at epoch {shown:,}: at {name} the output a2 = {fmt(a2)} is {side} 0.5, so it predicts **{pred}**."
    )


def probe_heading(run: str, name: str, shown: int) -> str:
    return f"Run {run}: the probed point {name} at epoch {shown:,}, step by step"
