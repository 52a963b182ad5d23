"""The "Take it home" downloads (issue 23): one small UI over app.take_home, in the side panel and the page.

A chapter page with a network calls ``offer(net, chapter, present)`` once, just below its network
caption: a popover in the side panel, and (not when projecting) a folded section in the page. The
files (and the page's charts as SVG) are built only when a button is pressed (Streamlit's deferred
download data), so a rerun costs only ``take_home.problem``'s check. A network that cannot be
exported disables every file button and says why (its charts, if the page draws any, can still be saved).
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from app import chart, take_home
from core.mlp import MLP

TITLE = "Take it home"
INTRO = (
    "This network with its numbers, to keep: code that computes exactly what this page shows, the worked "
    "arithmetic for slides, and a worksheet with an answer key."
)
FIGURES = (
    "This page's charts (SVG, .zip)",
    "Every chart on this page as it is drawn now, as SVG: sharp at any size, for slides and print. "
    "One chart as a PNG: hover it and press its download button.",
)
TRAINING_INTRO = (
    "This run, to keep: code that starts from the same weights, trains with the same settings and ends at the "
    "same final loss."
)


def later(chapter: str) -> dict:
    """This session's settings of ``chapter`` that a fragment changes (Backpropagation's learning rate,
    Forward pass's input): a fragment's rerun does not redraw the buttons, so the fragment writes its
    current values here (``later(chapter).update(lr=...)``) and a button press reads them then."""
    return st.session_state.setdefault(f"_th_{chapter}", {})


def _build(kind: str, key: tuple, chapter: str, settings: dict, defaults: dict, train, hist) -> str:
    """The file, built when its button is pressed, with the page's settings at that moment."""
    now = {**defaults, **settings}
    loss, lr, row = now["loss"], float(now["lr"]), int(now["row"])
    if reason := take_home.problem(MLP.from_key(key), loss, lr, hist):
        return f"XOR Lab could not write this file: {reason}.\n"  # no number in it, never a NaN
    return take_home.BUILDERS[kind](key, chapter, loss, lr, row, **({"train": train} if train else {}))


def _figures(charts: dict, chapter: str) -> bytes:
    """The page's charts as drawn at the press, one SVG each (``charts``: app.chart.drawn(), read then)."""
    now = dict(charts)
    words = f"XOR Lab, {chapter.replace('_', ' ')}: the page's charts as they were drawn."
    if not now:
        words += " No chart was on the page when this file was made."
    return chart.svg_zip(now, words)


def _buttons(
    key: tuple,
    chapter: str,
    reason: str | None,
    defaults: dict,
    train: tuple | None,
    hist,
    prefix: str,
    note: str | None = None,
) -> None:
    if note:
        st.caption(note)
    if reason:
        st.caption(f"The downloads are off: {reason}.")
    kinds = take_home.TRAINING_KINDS if train else take_home.KINDS
    settings = later(chapter)
    for kind in kinds:
        label, _, mime, what = take_home.KINDS[kind]
        build = partial(_build, kind, key, chapter, settings, defaults, train, hist)
        st.download_button(
            label,
            data="" if reason else build,
            file_name=take_home.file_name(kind, chapter),
            mime=mime,
            key=f"{prefix}_{kind}",
            help=f"Not available: {reason}." if reason else what,
            disabled=bool(reason),
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )
    st.download_button(
        FIGURES[0],
        data=partial(_figures, chart.drawn(), chapter),
        file_name=f"xor_lab_{chapter}_charts.zip",
        mime="application/zip",
        key=f"{prefix}_figures",
        help=FIGURES[1],
        on_click="ignore",
        icon=":material/image:",
        width="stretch",
    )


def offer(
    net: MLP,
    chapter: str,
    present: bool,
    loss: str = "bce",
    lr: float = 0.5,
    row: int = 0,
    train: tuple | None = None,
    hist=None,
    note: str | None = None,
) -> None:
    """The downloads for ``net``: in the side panel, and folded in the page where this is called.

    loss, lr: the page's loss and learning rate; row: the input its worked arithmetic follows; train
    and hist: a Training-page run from ``net`` ((epochs, schedule, parameters) and its History), whose
    loop the script and the notebook then hold (the other files are about one step, so they are left out);
    note: which network the files hold, in words, where the page could leave a doubt (Architecture's width).
    """
    defaults = {"loss": loss, "lr": lr, "row": row}
    now = {**defaults, **later(chapter)}
    reason = take_home.problem(net, now["loss"], float(now["lr"]), hist)
    key = net.key()
    intro = TRAINING_INTRO if train else INTRO
    with st.sidebar.popover(TITLE, icon=":material/download:", width="stretch"):
        st.caption(intro)
        _buttons(key, chapter, reason, defaults, train, hist, "th_side", note)
    if present:
        return
    what = "this run as a script or notebook" if train else "this network as a script, notebook, LaTeX or worksheet"
    what += ", and the page's charts"
    with st.expander(f"{TITLE}: {what}", icon=":material/download:"):
        st.caption(intro)
        _buttons(key, chapter, reason, defaults, train, hist, "th_page", note)
