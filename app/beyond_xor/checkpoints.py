"""Beyond XOR's "Before you look" checkpoints (app.predict): truths from the page's own run (core.train /
core.sgd through run.train_run, accuracies by core's prediction rule)."""

from __future__ import annotations

from app import predict
from app.predict import Checkpoint, Truth

TOLERANCE = 5.0  # percentage points


def test_share(trained) -> Truth:
    pct = 100.0 * float(trained.test_acc[-1])
    return Truth(
        pct,
        f"{pct:.1f} %",
        f"After its last epoch ({trained.epochs[-1]:,}) the network classifies {pct:.1f} % of the held-out test "
        "points right.  \nSee “Test accuracy” with the epoch slider at its end.",
    )


def train_above_test(trained) -> Truth:
    tr, te = float(trained.train_acc[-1]), float(trained.test_acc[-1])
    said = predict.YES_NO[0] if tr > te else predict.YES_NO[1]
    return Truth(
        said,
        f"{said}: training {tr:.1%}, test {te:.1%}",
        "A network learns the points it trains on; the test points show whether what it learned carries over. "
        f"Here: training {tr:.1%}, test {te:.1%}.  \nSee the two accuracies with the epoch slider at its end.",
    )


def build(trained, data, key: tuple) -> dict[str, Checkpoint]:
    """Only with held-out test points (fewer points than the split needs: no questions)."""
    if trained is None or data is None or not data.held_out:
        return {}
    return {
        "test": Checkpoint(
            "bx_test",
            "after its last epoch, what share of the test points (in %) will this network classify right?",
            predict.NUMBER,
            test_share,
            trained,
            key,
            tolerance=TOLERANCE,
            lo=0,
            hi=100,
            unit=" %",
        ),
        "gap": Checkpoint(
            "bx_gap",
            "after its last epoch, will it do better on the training points than on the test points?",
            predict.CHOICE,
            train_above_test,
            trained,
            key,
            options=predict.YES_NO,
        ),
    }
