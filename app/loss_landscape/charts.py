"""The Loss landscape chapter's charts, through app.chart (and app.plane for a network's boundary).

A landscape ships like app.plane's heatmap: grid indices and a uint8 code (``app.plane.grid_columns``),
turned back into θ values and a loss by Vega expressions, so a 61 × 61 landscape is ~11 KB. Colours
stop at a cap (``cap``): a cell above it is drawn in the top colour, and its tooltip says "≥ cap".
Cells whose loss is not a finite number are left out (the page says how many).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from app.chart import PLOT_HEIGHT, chart, hole, sizes, source
from app.parameter import CURVE, TANGENT, slice_spec  # noqa: F401 - L along one number: one chart, shared
from app.plane import CLICK, grid_columns, level_lines
from app.ui import RED
from core.landscape import Surface

CAP = 3.0  # colours stop at L = 3 (ln 2 ≈ 0.69 is the loss of always answering 0.5)
LEVELS = (0.05, 0.2, 0.4, 0.7, 1.0, 1.5, 2.0)  # contour levels of L
PATH_COLOUR = "#ffffff"


def cap(loss: np.ndarray) -> float:
    """Where the colours stop: the largest finite loss, at most CAP (at least a small positive number)."""
    fin = loss[np.isfinite(loss)]
    return float(min(CAP, max(fin.max(), 0.05))) if fin.size else CAP


def heat_columns(surf: Surface) -> tuple[dict, float, int]:
    """(heat columns i, j, q with non-finite cells dropped, the colour cap, how many were dropped)."""
    top = cap(surf.loss)
    ok = np.isfinite(surf.loss)
    cols = grid_columns(np.clip(np.where(ok, surf.loss, 0.0), 0, top) / top)
    keep = ok.ravel()
    return {k: v[keep] for k, v in cols.items()}, top, int((~keep).sum())


def contour_columns(surf: Surface) -> dict:
    """Contour lines of L at LEVELS, in θ coordinates: u, v, line, level."""
    n = len(surf.u)
    values = np.where(np.isfinite(surf.loss), surf.loss, 1e300)
    du, dv = (surf.u[-1] - surf.u[0]) / (n - 1), (surf.v[-1] - surf.v[0]) / (n - 1)
    parts, k = [], 0
    for level in LEVELS:
        ln = level_lines(values, 0, n - 1, level)  # in grid-index units
        if len(ln["line"]):
            parts.append((ln, k, level))
            k += int(ln["line"].max()) + 1
    if not parts:
        return {"u": np.empty(0), "v": np.empty(0), "line": np.empty(0, np.int64), "order": np.empty(0, np.int64),
                "level": np.empty(0)}  # fmt: skip
    return {
        "u": np.concatenate([surf.u[0] + p["x1"] * du for p, _, _ in parts]),
        "v": np.concatenate([surf.v[0] + p["x2"] * dv for p, _, _ in parts]),
        "line": np.concatenate([p["line"] + k for p, k, _ in parts]),
        "order": np.concatenate([p["order"] for p, _, _ in parts]),
        "level": np.concatenate([np.full(len(p["line"]), lv) for p, _, lv in parts]),
    }


def arrow_columns(surf: Surface) -> dict:
    """The negative gradient at the current point, drawn a fifth of the slice's width long (its
    direction is the gradient's; its length is not to scale): u, v (start), u2, v2 (tip)."""
    d = np.array(surf.descent)
    norm = float(np.hypot(*d))
    if not np.isfinite(norm) or norm == 0:
        return arrow_columns_empty()
    length = (surf.u[-1] - surf.u[0]) / 5
    tip = np.array(surf.point) + d / norm * length
    return {"u": [surf.point[0]], "v": [surf.point[1]], "u2": [tip[0]], "v2": [tip[1]]}


def arrow_columns_empty() -> dict:
    return {"u": np.empty(0), "v": np.empty(0), "u2": np.empty(0), "v2": np.empty(0)}


def _landscape(present: bool, n: int, path: bool, clickable: bool, height: int) -> alt.LayerChart:
    """L over two parameters: heat (i, j, q), contours, the current point, the −gradient arrow, a
    picked cell, optionally a run's path and an invisible clickable grid. Holes: title, names (axis
    titles), u0/du/v0/dv (cell centres), xdom/ydom, top (the colour cap)."""
    s = sizes(present)
    params = [alt.param(name=k, value=hole(k)) for k in ("u0", "du", "v0", "dv", "top")]
    xs = alt.Scale(domain=hole("xdom"), nice=False, zero=False)
    ys = alt.Scale(domain=hole("ydom"), nice=False, zero=False)
    cell = {
        "u": "u0 + datum.j * du",
        "v": "v0 + datum.i * dv",
        "ua": "u0 + (datum.j - 0.6) * du",
        "ub": "u0 + (datum.j + 0.6) * du",
        "va": "v0 + (datum.i - 0.6) * dv",
        "vb": "v0 + (datum.i + 0.6) * dv",
        "L": "datum.q / 255 * top",
        "shown": "datum.q == 255 ? '≥ ' + format(top, '.2f') : format(datum.q / 255 * top, '.3f')",
    }
    heat = (
        alt.Chart(source("heat"))
        .transform_calculate(**cell)
        .mark_rect()
        .encode(
            x=alt.X("ua:Q", scale=xs, title=hole("uname")),
            x2="ub:Q",
            y=alt.Y("va:Q", scale=ys, title=hole("vname")),
            y2="vb:Q",
            color=alt.Color(
                "L:Q",
                scale=alt.Scale(scheme="viridis", domain=[0, hole("top")], clamp=True),
                title="loss L",
                legend=alt.Legend(format=".2~f"),
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("u:Q", title=hole("uname"), format=".2f"),
                alt.Tooltip("v:Q", title=hole("vname"), format=".2f"),
                alt.Tooltip("shown:N", title="loss L (≈)"),
            ],
        )
        .add_params(*params)
    )
    enc = dict(x=alt.X("u:Q", scale=xs), y=alt.Y("v:Q", scale=ys))
    contours = (
        alt.Chart(source("contours"))
        .mark_line(color="white", strokeWidth=1, opacity=0.7)
        .encode(**enc, detail="line:N", order="order:Q", tooltip=[alt.Tooltip("level:Q", title="contour: L =")])
    )
    layers = [heat, contours]
    if path:
        walk = alt.Chart(source("path"))
        tips = [alt.Tooltip("epoch:Q", format=","), alt.Tooltip("loss:Q", title="loss of the run", format=".3f")]
        layers += [
            walk.mark_line(color=PATH_COLOUR, strokeWidth=s["stroke"] + 1).encode(**enc, order="epoch:Q"),
            walk.mark_point(color=PATH_COLOUR, filled=True, size=s["point"] / 10).encode(**enc, tooltip=tips),
            walk.transform_filter("datum.epoch == 0")
            .mark_point(shape="square", color=PATH_COLOUR, filled=True, size=s["point"] / 2, stroke="black")
            .encode(**enc, tooltip=tips),
        ]
    arrow = alt.Chart(source("arrow"))
    layers += [
        arrow.mark_rule(color=RED, strokeWidth=s["line"], clip=True).encode(**enc, x2="u2:Q", y2="v2:Q"),
        arrow.mark_point(color=RED, filled=True, size=s["point"] / 3, opacity=1, clip=True).encode(
            x=alt.X("u2:Q", scale=xs), y=alt.Y("v2:Q", scale=ys)
        ),
        alt.Chart(source("point"))
        .mark_point(filled=True, color="white", stroke="black", strokeWidth=s["stroke"], size=s["point"], opacity=1)
        .encode(**enc, shape=alt.Shape("what:N", scale=alt.Scale(domain=["now", "picked", "end"],
                range=["circle", "diamond", "cross"]), legend=None),
                tooltip=[alt.Tooltip("what:N", title="point"), alt.Tooltip("loss:Q", title="loss L", format=".4f")]),
    ]  # fmt: skip
    if clickable:
        layers.append(
            alt.Chart(source("heat"))
            .transform_calculate(u=cell["u"], v=cell["v"])
            .mark_point(opacity=0, size=1)
            .encode(**enc)
            .add_params(alt.selection_point(name=CLICK, on="click", nearest=True, fields=["u", "v"], empty=False))
        )
    return alt.layer(*layers).properties(title=hole("title"), height=height, autosize=PLOT_HEIGHT)


def landscape_spec(
    surf: Surface,
    present: bool,
    title: str,
    points: dict,
    path: dict | None = None,
    clickable: bool = False,
    height: int | None = None,
    arrow: bool = True,
) -> tuple[dict, int, float]:
    """A filled landscape chart, how many cells were left out (loss not finite), and the colour cap.
    points: u, v, loss, what ("now", "picked", "end")."""
    heat, top, dropped = heat_columns(surf)
    n = len(surf.u)
    du, dv = (surf.u[-1] - surf.u[0]) / (n - 1), (surf.v[-1] - surf.v[0]) / (n - 1)
    data = {
        "heat": heat,
        "contours": contour_columns(surf),
        "arrow": arrow_columns(surf) if arrow else arrow_columns_empty(),
        "point": points,
    }
    if path is not None:
        data["path"] = {k: path[k] for k in ("epoch", "u", "v", "loss")}
    holes = {
        "title": title, "uname": surf.names[0], "vname": surf.names[1],
        "u0": float(surf.u[0]), "du": float(du), "v0": float(surf.v[0]), "dv": float(dv), "top": top,
        "xdom": [float(surf.u[0] - du / 2), float(surf.u[-1] + du / 2)],
        "ydom": [float(surf.v[0] - dv / 2), float(surf.v[-1] + dv / 2)],
    }  # fmt: skip
    h = height or (430 if present else 380)
    spec = chart(_landscape, present, data, holes, n=n, path=path is not None, clickable=clickable, height=h)
    return spec, dropped, top


def point_columns(rows: list[tuple[str, float, float, float]]) -> dict:
    """[(what, u, v, loss), …] → point columns (non-finite losses are left out by app.chart.table)."""
    return {
        "what": np.array([r[0] for r in rows], dtype=object),
        "u": np.array([r[1] for r in rows], dtype=float),
        "v": np.array([r[2] for r in rows], dtype=float),
        "loss": np.array([r[3] for r in rows], dtype=float),
    }
