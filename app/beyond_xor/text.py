"""Beyond XOR's words: the problems' names, and every sentence built from the page's numbers."""

from __future__ import annotations

import numpy as np

from app.names import ACTIVATION_NAMES
from core.problems import MAX_ROWS

OWN = "own"  # the data source "your own points"
PROBLEM_NAMES = {
    "xor": "XOR (four points)",
    "noisy_xor": "Noisy XOR (four clouds)",
    "circles": "Circles",
    "moons": "Two moons",
    "spiral": "Spiral",
    "blobs": "Gaussian blobs",
    OWN: "Your own points",
}
MODES = {"add0": "Add class 0 (blue ●)", "add1": "Add class 1 (red ■)", "remove": "Remove the nearest point"}
LINK_POINTS = 50  # own points travel in the page's link up to this many


def pct(v: float) -> str:
    """An accuracy as a percentage for prose."""
    return f"{100 * v:.0f} %"


def shape_name(width: int, depth: int) -> str:
    """2-4-1, 2-4-4-1 …"""
    return "-".join(map(str, [2] + [int(width)] * int(depth) + [1]))


def layers_words(width: int, depth: int) -> str:
    layers = "one hidden layer" if depth == 1 else f"{depth} hidden layers"
    return f"{layers} of {width} neuron{'s' if width != 1 else ''} ({shape_name(width, depth)})"


def data_caption(name: str, n: int, n_train: int, n_test: int, held_out: bool) -> str:
    if not held_out:
        return (
            f"{name}: {n} points, too few to hold some out — both accuracies are measured on the points the "
            "network trains on."
        )
    return (
        f"{name}: {n:,} points — {n_train:,} to train on (solid, white outline), {n_test:,} held out to test "
        "(pale, black outline)."
    )


def class_counts(y: np.ndarray) -> str:
    n1 = int(np.sum(y == 1))
    return f"{len(y) - n1} of class 0 and {n1} of class 1"


def need_both(y: np.ndarray) -> str:
    return f"To train, the points need both classes: now {class_counts(y)}. Click on the plane to add some."


def too_many(n: int) -> str:
    return f"{n:,} points: at most {MAX_ROWS:,}. The point was not added."


def outside(x1: float, x2: float, lo: float, hi: float) -> str:
    return f"({x1:g}, {x2:g}) lies outside the plane [{lo:g}, {hi:g}]²: no point was added."


def link_note(n: int) -> str:
    if n == 0:
        return "No points yet."
    if n <= LINK_POINTS:
        return f"{n} point{'s' if n != 1 else ''}, {'' if n == 1 else 'all '}in this page's link."
    return f"{n:,} points: more than {LINK_POINTS} travel as a file (download below), not in the link."


def run_summary(run, epoch: int, width: int, depth: int, act: str) -> str:
    """What the trained network does at the replay's epoch."""
    i = run.epochs.index(epoch)
    loss = run.loss[min(epoch, len(run.loss) - 1)]
    how = "all training points per step" if run.batch == 0 else f"mini-batches of {run.batch}"
    return (
        f"{layers_words(width, depth)}, {ACTIVATION_NAMES[act]} hidden units, {how}: at epoch {epoch:,} "
        f"training accuracy {pct(run.train_acc[i])}, test accuracy {pct(run.test_acc[i])}, "
        f"loss {loss:.3f}."
    )


def lines_caption(net, depth: int) -> str:
    w = net.W[0].shape[1]
    text = (
        f"Dashed: where each of the {w} first-layer hidden neuron{'s' if w != 1 else ''} changes sign "
        "(z = 0). Each one is a straight line; the output bends the map by combining them."
    )
    if depth > 1:
        text += " The deeper layers combine these regions again: their own boundaries are no longer straight lines."
    return text


def sweep_words(sw, name: str, solves: float) -> list[str]:
    """The sweep's lessons, from its numbers: 2-2-1's best, the smallest network that solves the
    problem (best of the seeds ≥ ``solves``), and how often it does."""
    best = sw.best_test()
    seeds = len(sw.seeds)
    d1 = sw.depths.index(1)
    w2 = sw.widths.index(2)
    b221 = best[d1, w2]
    verdict = "solves" if b221 >= solves else "does not solve"
    out = [
        f"**2-2-1**, XOR's network, {verdict} this data set ({name}): its best of {seeds} seeds reaches "
        f"{pct(b221)} test accuracy."
    ]
    found = [
        (sw.widths[b] * sw.depths[a], sw.depths[a], sw.widths[b], a, b)
        for a in range(len(sw.depths))
        for b in range(len(sw.widths))
        if best[a, b] >= solves
    ]
    if found:
        _, d, w, a, b = min(found)
        often = int(np.sum(sw.test_acc[a, b] >= solves))
        out.append(
            f"The smallest network that reaches {pct(solves)}: **{layers_words(w, d)}** "
            f"({pct(best[a, b])} at best; {often} of {seeds} seeds get there)."
        )
    else:
        a, b = np.unravel_index(int(np.argmax(best)), best.shape)
        out.append(
            f"No network in the sweep reaches {pct(solves)}; the best is {layers_words(sw.widths[b], sw.depths[a])} "
            f"at {pct(best[a, b])}."
        )
    return out


def sweep_description(sw, name: str) -> str:
    best = sw.best_test()
    return (
        f"Best test accuracy over {len(sw.seeds)} seeds on {name}, by hidden layers (rows) and neurons per layer "
        f"(columns): from {pct(best.min())} to {pct(best.max())}."
    )


def accuracy_description(run, epoch: int) -> str:
    return (
        f"Training accuracy goes from {pct(run.train_acc[0])} to {pct(run.train_acc[-1])} and test accuracy from "
        f"{pct(run.test_acc[0])} to {pct(run.test_acc[-1])} over {run.epochs[-1]:,} epochs; the line marks epoch "
        f"{epoch:,}."
    )


def plane_description(name: str, X: np.ndarray, y: np.ndarray, run, epoch: int | None) -> str:
    where = f"{len(X):,} points ({class_counts(y)}) on the plane"
    if run is None:
        return f"{name}: {where}; no network trained yet."
    i = run.epochs.index(epoch)
    return (
        f"{name}: {where}, over the network's output at epoch {epoch:,} with its 0.5 boundary: "
        f"training accuracy {pct(run.train_acc[i])}, test accuracy {pct(run.test_acc[i])}."
    )


def sweep_intro(widths, depths, seeds: int, epochs: int, cfg: dict) -> str:
    return (
        f"The page trains every network from {min(widths)} to {max(widths)} neurons per hidden layer and "
        f"{min(depths)} to {max(depths)} hidden layers, each from {seeds} random starts, for {epochs:,} epochs "
        f"(all training points in each step, {ACTIVATION_NAMES[cfg['act']]} hidden units, learning rate "
        f"{cfg['lr']:g}), and tests each on the held-out points."
    )


NO_POINTS = "No points yet: click on the plane to add some (choose the class above), or load a CSV file below."
APPLY_HELP = "Does what a click on the plane does (add or remove, as chosen above), at (x1, x2)."
CLICK_HELP = "Click on the plane to add a point of the chosen class, or to remove the nearest point."
TRAIN_HELP = "Points it trains on that end on the right side of 0.5."


def test_help(held_out: bool) -> str:
    if held_out:
        return "Held-out points it never trained on that end on the right side of 0.5."
    return "Too few points to hold some out: measured on the training points."


SWEEP_STOPPED = (
    "Stopped: the shapes trained so far are kept, the rest are not trained. Press *Try every width and depth* to go on."
)


def trained_of(k: int, n: int) -> str:
    return f"Trained {k} of {n} network shapes"
