"""The one explanation of the weight initialisers, shown beside every initialiser control.

Four places offer an initialiser (the sidebar's random network, Training, Vanishing gradient and
Handwritten digits); each calls :func:`explain` under its control. The words and formulas live in
``core.init`` (``INIT_INFO``, ``FANS``, ``sigmoid_ceiling``) next to the code that draws the weights.
"""

from __future__ import annotations

import streamlit as st

from core.init import FANS, INIT_INFO, INITIALISERS, sigmoid_ceiling

TITLE = "What the initialisers do"


def guide(names: list[str] | None = None, chosen: str | None = None) -> str:
    """The explanation as markdown: one bullet per initialiser in ``names`` (default: all, in the
    order of ``core.init.INITIALISERS``), the ``chosen`` one marked."""
    names = list(INITIALISERS) if names is None else [n for n in INITIALISERS if n in set(names)]
    lines = [FANS, ""]
    for name in names:
        info = INIT_INFO[name]
        mark = " (chosen)" if name == chosen else ""
        source = f" *Source:* {info.source}" if info.source else ""
        lines.append(
            f"- **{INITIALISERS[name]}**{mark}: {info.draw}; Var(W) = {info.variance}. *Aim:* {info.aim}{source}"
        )
    lines += ["", sigmoid_ceiling()]
    return "\n".join(lines)


def explain(chosen: str | None = None, names: list[str] | None = None) -> None:
    """A closed expander holding :func:`guide`, placed under an initialiser control."""
    with st.expander(TITLE, icon=":material/help:"):
        st.markdown(guide(names, chosen))
