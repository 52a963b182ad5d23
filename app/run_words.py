"""How a mini-batch run (core.sgd) ended early, in words: shared by every chapter that trains with it
(Handwritten digits, Beyond XOR), so the same event is told the same way everywhere; ``diverged`` tells a
full-batch run (core.train) that stopped early in the same words (Two runs, one start)."""

from __future__ import annotations

from core.sgd import DIVERGE_FACTOR, SGDHistory


def ended(hist: SGDHistory) -> str:
    """Why core.sgd ended this run early (SGDHistory.stop), as the end of a sentence."""
    e, planned = hist.stop_epoch, hist.epochs_planned
    if hist.stop == "non-finite":
        return f"the loss became inf/NaN in epoch {e} (learning rate too large?)"
    if hist.stop == "loss blew up":
        first, last = hist.train_loss[0], hist.train_loss[-1]
        return (
            f"the training loss blew up in epoch {e}: {last:.3g}, more than {DIVERGE_FACTOR:g}× its starting "
            f"{first:.3g} (learning rate too large?)"
        )
    if hist.stop == "asked in epoch":
        return f"stopped during epoch {e} of {planned}; kept the {e - 1} finished epochs"
    return f"stopped after {hist.epochs_run} of {planned} epochs"


def diverged(hist) -> str:
    """Why core.train.train stopped a full-batch run early (History.divergence: "non-finite" or
    "loss blew up"), as the end of a sentence, in the words ``ended`` uses for the same events."""
    d = hist.divergence
    if d.reason == "non-finite":
        return f"the loss became inf/NaN in epoch {d.epoch:,} (learning rate too large?)"
    return (
        f"the training loss blew up in epoch {d.epoch:,}: {d.loss:.3g}, more than {DIVERGE_FACTOR:g}× its starting "
        f"{hist.loss[0]:.3g} (learning rate too large?)"
    )
