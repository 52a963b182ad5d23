"""The Forward pass page's own controls (keys fp_…, their URL parameters): which input goes through
the network — one of the four XOR rows, or any point of the plane (typed or clicked: app.probe)."""

from __future__ import annotations

from app import probe, ui
from app.forward_pass.run import ANY, DEFAULT_ROW
from core.data import ROW_LABELS
from core.probe import Point

ANY_LABEL = "any point"
PREFIX = "fp"  # the probe's keys: fp_x1, fp_x2 (app.probe)


def input_choice(where) -> int:
    """Which input goes through the network (fp_row, stored by its label "[1 0]"): one of the four XOR
    inputs, or ANY (a point of the plane, ``point``)."""
    return ui.linked(
        where.radio,
        "Input x",
        [0, 1, 2, 3, ANY],
        index=DEFAULT_ROW,
        format_func=lambda r: ANY_LABEL if r == ANY else ROW_LABELS[r],
        key="fp_row",
        horizontal=True,
        help="The notes work through [1 0]. Any point: type x1 and x2, or click the plane.",
    )


def point(where=None) -> Point:
    """The probed point (fp_x1, fp_x2), kept inside the plane (app.probe)."""
    return probe.point_inputs(PREFIX, where)
