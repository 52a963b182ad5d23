"""Home: what XOR Lab is, the XOR truth table, and a link to every page."""

import streamlit as st

from app import nav, ui
from core.data import ROW_LABELS, X, y

ui.page_header(
    "XOR Lab",
    "How a network with **one hidden layer** solves XOR — the problem a single neuron cannot — "
    "with every number computed live by a small NumPy network you can read beside the notes.",
)

left, right = st.columns([2, 3])
with left:
    st.subheader("The XOR truth table")
    df = ui.matrix_frame(X, ROW_LABELS, ["x1", "x2"]).astype(int)
    df["XOR"] = y[:, 0].astype(int)
    ui.table(df, width="content")
    st.caption("Output 1 when exactly one input is 1. No single straight line separates the 1s from the 0s.")
with right:
    st.subheader("Chapters")
    for file, title, icon, url_path, summary in nav.available():
        if url_path:
            st.page_link(f"../pages/{file}", label=f"**{title}**", icon=icon)
            st.caption(summary)
