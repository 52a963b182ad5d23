"""The One-epoch page's controls (keys oe_…; the settings are also URL parameters): the input the
diagram follows, the learning rate, and the stepper (phase, back, next, play).

Play steps on the server, one phase every ``INTERVAL`` seconds, through a fragment that reruns on a
timer only while playing (four phases: no animation to send to the browser). Session keys:
``oe_playing`` (is it playing) and ``oe_tick`` (when the phase last moved, time.monotonic())."""

from __future__ import annotations

import time

import streamlit as st

from app import ui
from app.one_epoch.run import LR_DEFAULT
from core.data import ROW_LABELS
from core.one_epoch import PHASES

INTERVAL = 2.0  # seconds per phase while playing
# the phase control's options are words, as the URL carries them (?oe_phase=Backward): a format_func
# would put the formatted label in the address, which a link could not give back
LABEL = {p: p.capitalize() for p in PHASES}
PHASE_OF = {v: k for k, v in LABEL.items()}
PLAYING, TICK, PHASE = "oe_playing", "oe_tick", "oe_phase"


def row(where) -> int:
    """The XOR input the diagram follows (the notes' example [1 0] by default)."""
    chosen = ui.linked(
        where.segmented_control,
        "Follow input",
        list(range(len(ROW_LABELS))),
        default=2,
        required=True,
        format_func=ROW_LABELS.__getitem__,
        key="oe_row",
        help="The diagram writes this input's numbers; the tables below show all four inputs.",
    )
    return chosen


def lr(where) -> float:
    return float(
        ui.linked(
            where.number_input,
            "Learning rate lr",
            min_value=0.001,
            max_value=100.0,
            value=LR_DEFAULT,
            step=0.5,
            format="%.3f",
            key="oe_lr",
            help="How far the update moves each weight against its gradient.",
        )
    )


def playing() -> bool:
    return bool(st.session_state.get(PLAYING, False))


def current() -> str:
    return PHASE_OF.get(st.session_state.get(PHASE), PHASES[0])


def _go(step: int) -> None:
    """Back (−1) or next (+1): moves one phase and pauses."""
    i = min(max(PHASES.index(current()) + step, 0), len(PHASES) - 1)
    st.session_state[PHASE] = LABEL[PHASES[i]]
    st.session_state[PLAYING] = False


def _pause() -> None:
    st.session_state[PLAYING] = False


def _play() -> None:
    """Play from the next phase (from the start when at the end); pressed again, pause."""
    if playing():
        _pause()
        return
    if current() == PHASES[-1]:
        st.session_state[PHASE] = LABEL[PHASES[0]]
    st.session_state[PLAYING] = True
    st.session_state[TICK] = time.monotonic()


def advance() -> None:
    """While playing, one phase on once ``INTERVAL`` has passed; at the last phase, stop. Call
    before the phase control is drawn."""
    if not playing() or time.monotonic() - st.session_state.get(TICK, 0.0) < INTERVAL * 0.9:
        return
    i = PHASES.index(current()) + 1
    st.session_state[PHASE] = LABEL[PHASES[min(i, len(PHASES) - 1)]]
    st.session_state[TICK] = time.monotonic()
    if i >= len(PHASES) - 1:
        st.session_state[PLAYING] = False


# Presenter mode's keys (listed in the presenter toggle's help, app/ui.py): N next phase, B back, P play or
# pause. One letter each: Streamlit writes the key on the button, and "PageDown" pushed "Next" off it.
KEYS = {"oe_back": "B", "oe_next": "N", "oe_play": "P"}


def stepper(present: bool) -> str:
    """The phase control with Back, Next and Play beside it; the phase shown."""
    keys = KEYS if present else {}
    bar, back, nxt, play = st.columns([6, 2, 2, 2] if not present else [5, 2, 2, 2], vertical_alignment="bottom")
    chosen = ui.linked(
        bar.segmented_control,
        "Phase",
        list(LABEL.values()),
        default=LABEL[PHASES[0]],
        required=True,
        key=PHASE,
        on_change=_pause,
        help="The four phases of one epoch; Back and Next step through them, Play steps by itself.",
    )
    first, last = current() == PHASES[0], current() == PHASES[-1]
    back.button(
        "Back",
        key="oe_back",
        shortcut=keys.get("oe_back"),
        icon=":material/skip_previous:",
        on_click=_go,
        args=(-1,),
        disabled=first,
        width="stretch",
    )
    nxt.button(
        "Next",
        key="oe_next",
        shortcut=keys.get("oe_next"),
        icon=":material/skip_next:",
        on_click=_go,
        args=(1,),
        disabled=last,
        type="primary",
        width="stretch",
    )
    on = playing()
    play.button(
        "Pause" if on else "Play",
        key="oe_play",
        shortcut=keys.get("oe_play"),
        icon=":material/pause:" if on else ":material/play_arrow:",
        on_click=_play,
        width="stretch",
    )
    return PHASE_OF.get(chosen, PHASES[0])
