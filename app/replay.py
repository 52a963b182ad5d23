"""The replay that plays in the browser (issue 20): a trained run's snapshots are sent once, and a
play button and a slider inside the picture move through them with no server rerun per frame.

What moves together, per snapshot: the output a2 over the input plane with its a2 = 0.5 line, the
four points' outputs, a marker on the loss curve, and the hidden activations a1 of the four inputs.

Why a custom component and not Vega-Lite: a Vega-Lite param bound to a range input scrubs without
reruns, but nothing can make it *play*. Vega-Lite's variable params compile to a Vega signal with
only value/update/bind (no ``on`` event handlers, so no ``timer`` stream: vega-lite
src/parameter.ts ``assembleParameterSignals``), and Vega-Lite 6's timer selections (point
selections ``on: "timer"`` over a ``time`` encoding, the version Streamlit 1.67 bundles) animate
one unit view by filtering its own data: they cannot drive a layered plane, a loss curve and a bar
panel together, have no pause button, and ignore the "reduce motion" preference. So the replay is a
small self-contained canvas drawing (``replay.js`` beside this file, inlined: nothing from a CDN)
mounted with ``st.components.v2``, which sits in the page itself (no iframe, its height follows its
content) and sends nothing back to the server.

The browser computes the 2-h-1 forward pass from each snapshot's weights (z1 = x @ W1 + b1,
a1 = f(z1), z2 = a1 @ W2 + b2, a2 = σ(z2)) over the plane; everything else it shows (epochs, loss
and accuracy words) is core's, formatted here. tests/test_browser_replay.py checks the browser's a1
and a2 against ``core.mlp.MLP.forward`` for the same weights (one place of truth: core).
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st

from app import ui
from core.activations import LEAKY_SLOPE
from core.data import X, y

# The activations replay.js computes, with the words for its hidden panel's axis.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
# Vega's "redblue" scheme (ColorBrewer RdBu), blue for 0 to red for 1: the colours app.plane uses.
RDBU = [
    *("#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0"),
    "#f7f7f7",
    *("#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f"),
]
LO, HI = -0.5, 1.5  # the input plane's range, as every plane in the app (core.data.grid's default)
LOSS_FLOOR = 1e-12  # a log axis cannot show 0: losses below this are drawn at it
SECONDS = 8.0  # one pass through the run while playing
ROWS = ["0 0", "0 1", "1 0", "1 1"]  # the four inputs, as the tables name them


@cache
def _script() -> str:
    return (Path(__file__).with_name("replay.js")).read_text(encoding="utf-8")


@cache
def _component():
    return st.components.v2.component("xorlab.replay", js=_script())


def problem(hist) -> str | None:
    """Why this run cannot be played in the browser (plain words), or None."""
    net = hist.final
    if net.n_layers != 2 or net.sizes[0] != 2 or net.sizes[-1] != 1 or net.output != "sigmoid":
        return "the browser replay plays networks with two inputs, one hidden layer and one sigmoid output"
    if net.hidden not in ACTIVATIONS:
        return f"the browser replay cannot compute the {net.hidden} activation"
    return None


def run_part(hist) -> dict:
    """What the browser needs of the run itself: the weights at every snapshot (finite ones only),
    the words for each (core's loss and accuracy at that epoch) and the loss at every snapshot epoch."""
    keep = [i for i, p in enumerate(hist.snapshots) if all(np.all(np.isfinite(p[k])) for k in ("W1", "b1", "W2", "b2"))]
    epochs = [int(hist.snapshot_epochs[i]) for i in keep]
    snaps = [hist.snapshots[i] for i in keep]
    loss = np.array([hist.loss[e] for e in epochs], dtype=float)
    acc = np.array([hist.acc[e] for e in epochs], dtype=float)
    words = [f"loss {ui.fmt(l_, 4)} · accuracy {a:.0%}" for l_, a in zip(loss, acc)]
    curve = [[e, float(max(v, LOSS_FLOOR))] for e, v in zip(epochs, loss) if np.isfinite(v)]
    return {
        "act": hist.final.hidden,
        "slope": LEAKY_SLOPE,
        "X": X.tolist(),
        "y": y[:, 0].astype(int).tolist(),
        "rows": ROWS,
        "lo": LO,
        "hi": HI,
        "epochs": epochs,
        "labels": [f"{e:,}" for e in epochs],
        "words": words,
        # per snapshot: W1 (2×h) row by row, b1 (h), W2 (h), b2 — MLP.flat()'s order
        "weights": [np.concatenate([p[k].ravel() for k in ("W1", "b1", "W2", "b2")]).tolist() for p in snaps],
        "hidden": int(hist.final.sizes[1]),
        "curve": curve,
        "loss_title": "Loss (log scale)",
        "seconds": SECONDS,
        "colours": {"scheme": RDBU, "red": ui.RED, "blue": ui.BLUE, "grey": ui.GREY},
    }


# The run's part as JSON, built once per History object: the epoch slider and the probe rerun only
# their fragment, which passes the same History again, and a run of 201 snapshots is ~75 KB of JSON —
# rebuilding and encoding it on every move was a third of the CPU of a move of Training's epoch slider.
_built: dict[int, tuple[weakref.ref, tuple[str, str, list]]] = {}
_built_guard = threading.Lock()
_BUILT_MAX = 32


def _run_json(hist) -> tuple[str, str, list]:
    """(the run's part as JSON, the run's id — one per run, so the browser remembers where it was —,
    and its snapshot epochs)."""
    with _built_guard:
        hit = _built.get(id(hist))
        if hit is not None and hit[0]() is hist:
            return hit[1]
    part = run_part(hist)
    text = json.dumps(part)
    built = (text, hashlib.sha1(text.encode()).hexdigest()[:16], part["epochs"])
    with _built_guard:
        for k in [k for k, (ref, _) in _built.items() if ref() is None]:
            del _built[k]
        while len(_built) >= _BUILT_MAX:
            del _built[next(iter(_built))]
        _built[id(hist)] = (weakref.ref(hist), built)
    return built


def payload(hist, epoch: int, present: bool, autoplay: bool = True) -> dict:
    """What the component is sent: the run's part (``run_part``) as one JSON text, which the browser
    parses once, and where to start (the snapshot at or before ``epoch``) and how to show it."""
    text, rid, epochs = _run_json(hist)
    start = max(0, int(np.searchsorted(epochs, epoch, side="right")) - 1) if epochs else 0
    return {
        "run": text,
        "id": rid,
        "start": start,
        "autoplay": bool(autoplay),
        "present": bool(present),
        "font": 20 if present else 13,
    }


def received(data: dict | str) -> dict:
    """What the browser reads from ``payload``'s data (or the component's JSON): the run's part with
    the rest beside it, as replay.js unpacks it (the tests read the replay through this)."""
    d = json.loads(data) if isinstance(data, str) else data
    return {**json.loads(d["run"]), **{k: v for k, v in d.items() if k != "run"}}


# While a replay plays, the browser repaints its canvases 60 times a second; on a page of large Vega
# charts (Hidden features draws ~50,000 SVG marks) each frame also cost Chromium ~55 ms of style, layout
# and paint work for the charts, and the replay fell to ~17 frames per second (bench: `--sections
# replay`). Charts that are off-screen skip that work with content-visibility: auto (60 frames/s, and
# a chart that scrolls into view is drawn as before). Static CSS, no user text.
PAGE_CSS = """<style>
[data-testid="stVegaLiteChart"] { content-visibility: auto; contain-intrinsic-size: auto 420px; }
</style>"""


def show(hist, epoch: int, present: bool, key: str, autoplay: bool = True) -> None:
    """The replay of ``hist``, starting at ``epoch``; autoplay: play the run once from epoch 0 when
    the picture first comes into view (never when the browser asks for reduced motion). A run it
    cannot play gets a note instead."""
    if (why := problem(hist)) is not None:
        st.caption(f"No animated replay for this run: {why}.")
        return
    if not _run_json(hist)[2]:
        st.caption("No animated replay for this run: none of its snapshots has finite weights.")
        return
    data = payload(hist, epoch, present, autoplay)
    st.html(PAGE_CSS)
    _component()(data=data, key=key)
