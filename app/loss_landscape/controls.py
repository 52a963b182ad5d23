"""The Loss landscape chapter's controls. Every widget key starts with ``ll_``; the linked ones are the
page's URL parameters. A clicked cell lives in the session (``_ll_picked``) with the network it moved,
so a new shared network or a new pair of numbers forgets it. The map's clicks are counted in
``_ll_map_clicks``: ``_ll_clicks`` is the probe's (``app.probe`` with prefix ``ll``, on the boundary)."""

from __future__ import annotations

import streamlit as st

from app import state, ui
from app.loss_landscape import run, text
from app.plane import click_key as _click_key
from app.plane import take_click
from core.mlp import MLP

_PICKED, _CLICKS, _MSG = "_ll_picked", "_ll_map_clicks", "_ll_msg"


def pair(names: list[str]) -> tuple[int, int]:
    """The two numbers of the map (indices into the network's flat numbers)."""
    c1, c2 = st.columns(2)
    with c1:
        u = ui.linked(st.selectbox, "Across (horizontal axis)", names, index=0, key="ll_u")
    with c2:
        v = ui.linked(st.selectbox, "Up (vertical axis)", names, index=min(7, len(names) - 1), key="ll_v")
    return names.index(u), names.index(v)


def handle_click(event, net: MLP, i: int, j: int) -> None:
    """A click on the map (the chart's selection state): remember the clicked cell, once. The chart's
    key changes after each click, so the next click starts a fresh selection."""
    cell = take_click(event, _CLICKS, ("u", "v"))
    if cell is None:
        return
    ss = st.session_state
    if cell is False:
        ss[_MSG] = ("warning", "That click did not land on a cell of the map.")
        st.rerun()
    u, v = cell
    ss[_PICKED] = (net.key(), i, j, u, v)
    ss.pop(_MSG, None)
    st.rerun()


def click_key() -> str:
    return _click_key("ll_map", _CLICKS)


def picked(net: MLP, i: int, j: int) -> tuple[float, float] | None:
    """The clicked cell (u, v) if it was clicked on this network's map of this pair, else None."""
    p = st.session_state.get(_PICKED)
    if p is None or p[0] != net.key() or p[1:3] != (i, j):
        return None
    return p[3], p[4]


def _use(net_key: tuple) -> None:
    why = state.use_network(MLP.from_key(net_key))
    st.session_state[_MSG] = ("warning", text.use_refused(why)) if why else ("success", text.USED)
    st.session_state.pop(_PICKED, None)


def use_button(moved: MLP) -> None:
    st.button(
        "Use this network",
        key="ll_use",
        on_click=_use,
        args=(moved.key(),),
        icon=":material/check:",
        type="primary",
        width="stretch",
        help="Make the moved network the shared network of every page (as its nine numbers, edited by hand).",
    )


def forget() -> None:
    st.button(
        "Back to the current network",
        key="ll_back",
        on_click=lambda: st.session_state.pop(_PICKED, None),
        width="stretch",
    )


def show_message() -> None:
    msg = st.session_state.pop(_MSG, None)
    if msg:
        (st.success if msg[0] == "success" else st.warning)(msg[1])


def theta(names: list[str]) -> int:
    name = ui.linked(st.selectbox, "The number θ", names, index=len(names) - 1, key="ll_theta")
    return names.index(name)


def rate() -> float:
    return ui.linked(
        st.select_slider, "Learning rate for one step", run.RATES, value=1.0, key="ll_lr",
        help="One step of gradient descent moves θ by −(learning rate) × dL/dθ.",
    )  # fmt: skip


def seeds(solved: list[int], stuck: list[int]) -> tuple[int, int]:
    c1, c2 = st.columns(2)
    with c1:
        a = ui.linked(st.selectbox, "A seed that solves XOR", solved, index=0, key="ll_solved")
    with c2:
        b = ui.linked(st.selectbox, "A seed that gets stuck", stuck, index=0, key="ll_stuck")
    return int(a), int(b)
