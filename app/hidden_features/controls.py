"""The Hidden features page's own widgets: which two hidden neurons the hidden-space plot shows."""

from __future__ import annotations

import streamlit as st

AXES = ("hf_hx", "hf_hy")  # the horizontal and vertical axis: widget keys, and the link's parameters


def hidden_pair(names: list[str], best: tuple[int, int]) -> tuple[int, int]:
    """Two selectboxes picking the plot's hidden neurons (by default ``best``, the pair whose 2-D view
    separates the classes best); a stored choice from a wider network falls back to the default."""
    ss = st.session_state
    h = len(names)
    for key, default in zip(AXES, best):
        if ss.get(key) not in range(h):  # first visit, or a stored choice from a wider network
            ss[key] = default
    c1, c2 = st.columns(2)
    i = c1.selectbox("Horizontal axis", range(h), format_func=names.__getitem__, key=AXES[0], persist_state="session")
    j = c2.selectbox("Vertical axis", range(h), format_func=names.__getitem__, key=AXES[1], persist_state="session")
    return i, j
