"""The Forward pass page's own control (key fp_…, its URL parameter)."""

from __future__ import annotations

from app import ui
from app.forward_pass.run import DEFAULT_ROW
from core.data import ROW_LABELS


def input_choice(where) -> int:
    """Which of the four inputs goes through the network (fp_row, stored by its label "[1 0]")."""
    return ui.linked(
        where.radio,
        "Input x",
        [0, 1, 2, 3],
        index=DEFAULT_ROW,
        format_func=ROW_LABELS.__getitem__,
        key="fp_row",
        horizontal=True,
        help="The notes work through [1 0].",
    )
