"""Probe any point of the input plane, on every page that has one: two typed coordinates and a click
on a clickable plane (``app.plane``'s ``clickable`` option) choose one point (x1, x2), kept inside the
plotted square by ``core.probe.clamp_point``; the page shows its forward pass (``app.forward_text``).

Each page passes its own key prefix: ``<prefix>_x1`` and ``<prefix>_x2`` are the two number inputs
(linked: the URL's parameters), ``_<prefix>_clicks`` counts the clicks (``app.plane.take_click``).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from app import ui
from app.chart import draw
from app.forward_text import aligned, hidden_lines, output_lines
from app.plane import CLICK, take_click
from core.forward_steps import ForwardRow
from core.mlp import MLP
from core.probe import HI, LO, Point, clamp_point

DEFAULT = (0.3, 0.7)  # the point a probe starts on: inside the square, off the four XOR corners
_MSG = "_probe_msg"


def _keys(prefix: str) -> tuple[str, str, str]:
    return f"{prefix}_x1", f"{prefix}_x2", f"_{prefix}_clicks"


def chart_key(prefix: str, chart: str = "plane") -> str:
    """The key of the page's clickable plane ``chart``. It stays the same after a click (unlike
    ``app.plane.click_key``): a fresh key remounts the chart, and each remounted clickable chart sends its
    empty selection back, one more rerun per chart. So a second click on the very cell a chart last
    selected changes nothing there (the probe is already on it, unless it was typed away since)."""
    return f"{prefix}_{chart}"


def _clicked(prefix: str, key: str) -> None:
    """The plane's on_select callback: runs before the rerun, so it can move the two number inputs to
    the clicked cell (rounded to 3 decimals, the precision the arithmetic shows)."""
    x1k, x2k, counter = _keys(prefix)
    cell = take_click(st.session_state.get(key), counter)
    if cell is None:
        return
    if cell is False:
        st.session_state[_MSG] = "That click did not land on the plane: the probe stays where it was."
        return
    st.session_state[x1k], st.session_state[x2k] = (round(float(v), 3) for v in cell)


def on_click(prefix: str, chart: str = "plane"):
    """The ``on_select`` callback for the plane drawn with ``chart_key(prefix, chart)``."""
    return partial(_clicked, prefix, chart_key(prefix, chart))


def draw_clickable(spec: dict, description: str, prefix: str, chart: str = "plane") -> None:
    """Draw a clickable plane (``app.plane``'s ``clickable``) whose clicks move the probe."""
    draw(
        spec,
        description,
        key=chart_key(prefix, chart),
        on_select=on_click(prefix, chart),
        selection_mode=CLICK,
    )


def point_inputs(prefix: str, where=None) -> Point:
    """The two typed coordinates (linked number inputs), the point they give (kept inside the square,
    with a warning that says what was changed), and any message a click left."""
    where = where or st.container()
    x1k, x2k, _ = _keys(prefix)
    c1, c2 = where.columns(2)
    tip = f"Any number; the plane shows {ui.fmt(LO, 1)} to {ui.fmt(HI, 1)}. Or click the plane."
    with c1:
        x1 = ui.linked(st.number_input, "x1 (input 1)", value=DEFAULT[0], step=0.05, format="%.3f", key=x1k, help=tip)
    with c2:
        x2 = ui.linked(st.number_input, "x2 (input 2)", value=DEFAULT[1], step=0.05, format="%.3f", key=x2k, help=tip)
    point = clamp_point(x1, x2, LO, HI, DEFAULT)
    if msg := st.session_state.pop(_MSG, None):
        where.warning(msg, icon=":material/warning:")
    if words := point_words(point):
        where.warning(words, icon=":material/warning:")
    return point


def point_words(point: Point) -> str | None:
    """What was changed about a typed point, in plain words (None when it was used as typed)."""
    said = []
    for name, asked, used, clamped, missing in zip(("x1", "x2"), point.asked, point.x, point.clamped, point.missing):
        if missing:
            said.append(f"the typed {name} is not a number, so the probe uses {name} = {ui.fmt(used, 2)}")
        elif clamped:
            said.append(
                f"the typed {name} = {big(asked)} is outside the plotted square ({ui.fmt(LO, 1)} to {ui.fmt(HI, 1)}), "
                f"so the probe uses the nearest edge, {name} = {ui.fmt(used, 1)}"
            )
    if not said:
        return None
    words = "; ".join(said) + "."
    return words[0].upper() + words[1:]


def big(v: float) -> str:
    """A typed number for prose, however large (1,000,000, −1e+300, ∞)."""
    if not np.isfinite(v) or abs(v) >= 1e9:
        return ui.fmt(v) if not np.isfinite(v) else f"{v:.3g}".replace("-", "−")
    return f"{v:,.3f}".rstrip("0").rstrip(".").replace("-", "−")


def label(x) -> str:
    """The point as the pages write an input: [0.3 0.7] (up to 3 decimals, a typographic minus)."""
    parts = [f"{float(v):.3f}".rstrip("0").rstrip(".") for v in x]
    return "[" + " ".join("0" if p in ("-0", "") else p.replace("-", "−") for p in parts) + "]"


def probe_columns(x) -> dict:
    """The probed point as the plane's "probe" dataset (``app.plane.plane_spec(probe=...)``)."""
    return {"x1": [float(x[0])], "x2": [float(x[1])], "text": [f"probe {label(x)}"]}


def show_steps(net: MLP, step: ForwardRow, present: bool, one_column: bool = False, size: str = r"\normalsize") -> bool:
    """The probed point's forward pass with every number written in (``app.forward_text``): the hidden
    neurons two to a row (one when projecting, or with ``one_column``: already in a narrow column), then
    the output, in the LaTeX ``size`` (a narrow column on a projected page can ask for a smaller one).
    A network whose numbers overflow at this point gets a plain message instead; returns whether the
    arithmetic was shown."""
    if not all(np.all(np.isfinite(v)) for v in (step.z1, step.a1, step.z2, step.a2)):
        st.warning(
            "At this point the network's numbers overflow (they are not finite), so its arithmetic cannot be "
            "written out. Pick another epoch or smaller weights.",
            icon=":material/warning:",
        )
        return False
    cols = st.columns(1 if present or one_column else min(len(step.a1), 2))
    for k, lines in enumerate(hidden_lines(net, step, per_line=2)):  # wrapped: a phone's width
        cols[k % len(cols)].latex(aligned(lines, size))
    st.latex(aligned(output_lines(net, step), size))
    return True


def marked_words(name: str, a2: float) -> str:
    """The sentence a clickable boundary's text alternative adds for the probed point ``name``."""
    return f" The probed point {name} is marked, where a2 = {ui.fmt(a2)}. Click the map to probe another point."
