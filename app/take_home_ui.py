"""The "Take it home" downloads (issue 23): one small UI over app.take_home, in the side panel and the page.

A chapter page with a network calls ``offer(net, chapter, present)`` once, just below its network
caption: a popover in the side panel, and (not when projecting) a folded section in the page. The
files are built only when a button is pressed (Streamlit's deferred download data), so a rerun
costs only ``take_home.problem``'s check. A network that cannot be exported disables every button
and says why.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from app import take_home
from core.mlp import MLP

TITLE = "Take it home"
INTRO = (
    "This network with its numbers, to keep: code that computes exactly what this page shows, the worked "
    "arithmetic for slides, and a worksheet with an answer key."
)


def _buttons(key: tuple, chapter: str, reason: str | None, loss: str, lr: float, row: int, prefix: str) -> None:
    if reason:
        st.caption(f"The downloads are off: {reason}.")
    for kind, (label, _, mime, what) in take_home.KINDS.items():
        build = take_home.BUILDERS[kind]
        st.download_button(
            label,
            data="" if reason else partial(build, key, chapter, loss, lr, row),
            file_name=take_home.file_name(kind, chapter),
            mime=mime,
            key=f"{prefix}_{kind}",
            help=f"Not available: {reason}." if reason else what,
            disabled=bool(reason),
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
        )


def offer(net: MLP, chapter: str, present: bool, loss: str = "bce", lr: float = 0.5, row: int = 0) -> None:
    """The downloads for ``net``: in the side panel, and folded in the page where this is called."""
    reason = take_home.problem(net, loss, lr)
    key = net.key()
    with st.sidebar.popover(TITLE, icon=":material/download:", width="stretch"):
        st.caption(INTRO)
        _buttons(key, chapter, reason, loss, lr, row, "th_side")
    if present:
        return
    with st.expander(f"{TITLE}: this network as a script, notebook, LaTeX or worksheet", icon=":material/download:"):
        st.caption(INTRO)
        _buttons(key, chapter, reason, loss, lr, row, "th_page")
