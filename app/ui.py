"""Shared UI helpers: page headers, presenter mode, matrices as tables, messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

# One colour-blind-safe palette everywhere (ColorBrewer RdBu ends): red = class 1 / positive
# weight, blue = class 0 / negative weight.
RED = "#b2182b"
BLUE = "#2166ac"
GREY = "#777777"
CLASS_COLOURS = {0: BLUE, 1: RED}


def presenter() -> bool:
    """True when the presenter-mode toggle in the sidebar is on."""
    return bool(st.session_state.get("presenter", False))


def sidebar_common() -> None:
    """Controls every page shares, drawn in the sidebar by app/main.py."""
    with st.sidebar:
        st.toggle(
            "Presenter mode",
            key="presenter",
            help="Larger text, charts and tables for projecting in a classroom.",
            persist_state="session",
        )


def page_header(title: str, intro: str | None = None) -> None:
    st.title(title)
    if intro:
        st.markdown(intro)


def matrix_frame(a: np.ndarray, rows: list[str] | None = None, cols: list[str] | None = None) -> pd.DataFrame:
    """A 2-D array as a DataFrame with readable row and column labels."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    rows = rows if rows is not None else [str(i) for i in range(a.shape[0])]
    cols = cols if cols is not None else [str(j) for j in range(a.shape[1])]
    return pd.DataFrame(a, index=rows, columns=cols)


def show_matrix(
    a: np.ndarray,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
    digits: int = 4,
    highlight_row: int | None = None,
    key: str | None = None,
) -> pd.DataFrame:
    """Show a matrix as a formatted st.dataframe, optionally highlighting one row; returns the frame."""
    df = matrix_frame(a, rows, cols)
    styler = df.style.format(f"{{:.{digits}f}}")
    if highlight_row is not None and 0 <= highlight_row < len(df):
        target = df.index[highlight_row]
        styler = styler.apply(
            lambda r: ["background-color: #fde9c8; font-weight: bold" if r.name == target else "" for _ in r], axis=1
        )
    st.dataframe(styler, key=key, width="content")
    return df


def shape_str(a: np.ndarray) -> str:
    return "×".join(str(n) for n in np.shape(a))


def fmt(v: float, digits: int = 3) -> str:
    """A number for prose: fixed digits, a typographic minus, never 'nan'."""
    if not np.isfinite(v):
        return "∞" if v > 0 else ("−∞" if v < 0 else "undefined")
    return f"{v:.{digits}f}".replace("-", "−")


def tex(v: float, digits: int = 3) -> str:
    """A number for st.latex: fixed digits; inf/NaN become \\infty / \\text{undefined}."""
    if not np.isfinite(v):
        return r"\infty" if v > 0 else (r"-\infty" if v < 0 else r"\text{undefined}")
    return f"{v:.{digits}f}"
