"""What a page shows while its heavy run waits for the server (app/heavy.py) and trains: one box with
a progress bar and a Stop button, the words for a place in the queue, and the wait itself.

Stop works as Streamlit lets it: clicking asks for a rerun, which interrupts the waiting (or training)
script at its next Streamlit call — the bar is updated every quarter second while waiting — and the
place is given back; in the new run ``progress_box`` returns ``pressed=True``.
"""

from __future__ import annotations

import streamlit as st

from app import heavy


def waiting(ahead: int) -> str:
    """The progress bar's words while a run waits for a free place on the server."""
    if ahead <= 0:
        return "Your run starts in a moment …"
    runs = "1 run is" if ahead == 1 else f"{ahead:,} runs are"
    return f"Waiting for the server: {runs} ahead of yours (Stop cancels it) …"


def progress_box(value: float, text: str, key: str, help: str):
    """A bordered box with a progress bar and a Stop button (``key``); (placeholder, bar, pressed).
    Empty the placeholder when the run ends, and the whole box disappears."""
    slot = st.empty()
    box = slot.container(border=True)
    left, right = box.columns([5, 1], vertical_alignment="bottom")
    bar = left.progress(value, text=text)
    pressed = right.button("Stop", key=key, icon=":material/stop:", help=help)
    return slot, bar, pressed


def turn(bar):
    """``with heavy_ui.turn(bar):`` a place at the server's gate; until it comes, the bar says how many
    runs are ahead."""
    return heavy.turn(on_wait=lambda ahead: bar.progress(0.0, text=waiting(ahead)))
