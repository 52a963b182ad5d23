"""Two runs' "Before you look" checkpoints (app.predict): truths from the page's two runs (core.train)."""

from __future__ import annotations

from app import predict
from app.predict import Checkpoint, Truth
from app.two_runs import run
from app.ui import fmt

FIRST = ("A", "B", "neither")  # which run solves XOR first
LOWER = ("A", "B")  # which run ends with the lower loss


def _when(o) -> str:
    return f"epoch {o.solved:,}" if o.solved is not None else "never"


def first_to_solve(state) -> Truth:
    (oa, ob), epochs = state
    if oa.solved is None and ob.solved is None:
        value = "neither"
    elif ob.solved is None or (oa.solved is not None and oa.solved < ob.solved):
        value = "A"
    elif oa.solved is None or ob.solved < oa.solved:
        value = "B"
    else:  # both at the same epoch: either answer names a first run
        return Truth(
            "A", f"a tie: both at epoch {oa.solved:,}",
            f"Both runs solved XOR at epoch {oa.solved:,}.  \nSee the two runs' lines under the loss chart.",
            also=("B",),
        )  # fmt: skip
    return Truth(
        value,
        f"{value}: A solved at {_when(oa)}, B at {_when(ob)}" if value != "neither" else "neither run solved XOR",
        f"Solved: all four outputs on the right side of 0.5 and the loss small; within {epochs:,} epochs, A at "
        f"{_when(oa)} and B at {_when(ob)}.  \nSee the lines under the loss chart, and the two curves in it.",
    )


def lower_final_loss(state) -> Truth:
    (oa, ob), _ = state
    la, lb = oa.final_loss, ob.final_loss
    value = "A" if la < lb else "B"
    if oa.stopped != ob.stopped:  # a run that blew up has no final loss to compare
        value = "B" if oa.stopped else "A"
    words = f"A ends at {fmt(la, 4)}{' (it blew up)' if oa.stopped else ''}, B at {fmt(lb, 4)}" + (
        " (it blew up)" if ob.stopped else ""
    )
    also = ("A", "B") if la == lb and oa.stopped == ob.stopped else ()
    return Truth(value, f"{value}: {words}", f"{words}.  \nSee the right-hand end of the two curves.", also=also)


def build(p: run.Pair, epochs: int, outcomes, key) -> dict[str, Checkpoint]:
    """Two questions about the pair of runs; ``key`` identifies both settings (a change asks again)."""
    state = (tuple(outcomes), epochs)
    return {
        "first": Checkpoint(
            "cmp_first", "which run will solve XOR first?", predict.CHOICE, first_to_solve, state, key, options=FIRST
        ),
        "lower": Checkpoint(
            "cmp_lower",
            f"which run will end with the lower loss after {epochs:,} epochs?",
            predict.CHOICE,
            lower_final_loss,
            state,
            key,
            options=LOWER,
        ),
    }
