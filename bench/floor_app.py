"""Streamlit's own floor for the classroom figure: the smallest page a class could use, one slider
and one line of text, served and loaded exactly as XOR Lab is (``python -m bench`` runs it beside
XOR Lab in the same run, so the classroom figure is a ratio to this, not an absolute time)."""

import streamlit as st

x = st.slider("x", 0, 100, 50, key="x")
st.write(f"x² = {x * x}")
