"""The one chart engine. Every chart is written in Altair; this module builds each chart's layout
once and fills it on every rerun.

A *builder* is a function ``build(present: bool, **shape) -> alt.Chart``. Its data are named
(``source("points")``, never a DataFrame), and the few values that change from rerun to rerun
without changing the layout (a title, an axis domain, a number in an expression) are *holes*
(``hole("title")``). ``layout(build, present, **shape)`` runs Altair once per builder, mode and
shape (cached for the process) and records where each hole sits; ``fill(layout, data, **holes)``
returns the Vega-Lite dict for this rerun: the holes' values put in, the datasets as Arrow tables.

Presenter mode reaches a chart one way only: the explicit ``present`` argument of the builder
(``sizes(present)`` gives its fonts, lines and points). No chart ever receives NaN or inf: ``table``
drops every row with a non-finite number (the pages say in words what was left out).

    def loss_chart(present: bool, log: bool) -> alt.Chart:
        s = sizes(present)
        return alt.Chart(source("loss")).mark_line(strokeWidth=s["line"]).encode(...).properties(
            title=hole("title"))

    spec = fill(layout(loss_chart, present, log=True), {"loss": {"epoch": e, "loss": v}}, title="Loss")
    draw(spec, "Loss per epoch: falls from 0.69 to 0.01")
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from altair.utils.schemapi import debug_mode
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

Data = Mapping[str, np.ndarray | list] | pd.DataFrame | pa.Table
_HOLE = "\u2983hole:{}\u2984"  # ⦃hole:title⦄ — a text no chart ever shows


# A chart's ``autosize`` when its ``height`` is the plot's own height, with title, axes and legend on
# top: Streamlit's default ("fit") counts them inside the height, so a growing legend or a long
# rotated axis title squeezed plots to a few pixels.
PLOT_HEIGHT = alt.AutoSizeParams(type="fit-x", contains="padding")


def source(name: str) -> alt.NamedData:
    """A builder's named dataset: ``alt.Chart(source("points"))``; ``fill`` supplies its rows."""
    return alt.NamedData(name=name)


def hole(name: str) -> str:
    """A stand-in for a value that ``fill`` puts in (the whole value: a title, a domain list, a number)."""
    return _HOLE.format(name)


def sizes(present: bool) -> dict:
    """Fonts, lines and points for normal mode or presenter mode (larger, for the back of the room)."""
    if present:
        return {"font": 20, "title": 22, "line": 5, "point": 700, "label": 22, "stroke": 3}
    return {"font": 12, "title": 14, "line": 3, "point": 300, "label": 14, "stroke": 2}


def style(chart: alt.TopLevelMixin, present: bool) -> alt.TopLevelMixin:
    """The shared axis, legend and title fonts (one ``configure`` call: each one copies the chart)."""
    s = sizes(present)
    return chart.configure(
        axis=alt.AxisConfig(labelFontSize=s["font"], titleFontSize=s["font"]),
        legend=alt.LegendConfig(labelFontSize=s["font"], titleFontSize=s["font"], labelLimit=0),
        title=alt.TitleConfig(fontSize=s["title"], anchor="start", offset=8),
    )


@dataclass(frozen=True)
class Layout:
    """A chart's Vega-Lite dict without data, where its holes sit, and the datasets it reads."""

    spec: dict
    holes: Mapping[str, tuple]  # hole name -> paths (tuples of keys/indices) into spec
    datasets: frozenset


def _find(node, path: tuple, holes: dict, names: set) -> None:
    if isinstance(node, dict):
        if set(node) == {"name"} and isinstance(node["name"], str):
            names.add(node["name"])
        for k, v in node.items():
            _find(v, (*path, k), holes, names)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _find(v, (*path, i), holes, names)
    elif isinstance(node, str) and node.startswith("\u2983hole:") and node.endswith("\u2984"):
        holes.setdefault(node[6:-1], []).append(path)


def build(builder: Callable[..., alt.TopLevelMixin], present: bool, validate: bool = False, **shape) -> dict:
    """The builder's chart, styled, as a Vega-Lite dict (holes and dataset names still in it)."""
    # Altair checks each object against the schema as it is made; a hole in place of a list (a domain)
    # would fail that check, so the layout is built unchecked and the tests validate it filled in
    with debug_mode(validate):
        spec = style(builder(present, **shape), present).to_dict(validate=validate)
    spec.get("config", {}).pop("view", None)  # Altair's default 300×300 view: Streamlit sizes charts
    spec.pop("datasets", None)
    return spec


@lru_cache(maxsize=512)
def _layout(builder: Callable, present: bool, shape: tuple) -> Layout:
    spec = build(builder, present, **dict(shape))
    holes: dict = {}
    names: set = set()
    _find(spec, (), holes, names)
    names.discard("")
    data_names = {n for n in names if n not in {p["name"] for p in spec.get("params", []) if "name" in p}}
    return Layout(spec, {k: tuple(v) for k, v in holes.items()}, frozenset(data_names))


def layout(builder: Callable[..., alt.TopLevelMixin], present: bool, **shape) -> Layout:
    """The builder's layout for this mode and shape, built by Altair once per process.

    ``shape`` holds everything the layout depends on besides data and holes (sizes, how many series,
    whether an axis is logarithmic …); its values must be hashable."""
    return _layout(builder, bool(present), tuple(sorted(shape.items())))


def table(data: Data) -> pa.Table:
    """The one way data becomes a chart dataset: an Arrow table (public pyarrow API), rows with any
    non-finite float dropped. Accepts {column: array}, a DataFrame or an Arrow table."""
    if isinstance(data, pa.Table):
        t = data
    elif isinstance(data, pd.DataFrame):
        t = pa.Table.from_pandas(data, preserve_index=False)
    else:
        t = pa.table({str(k): np.asarray(v) if not isinstance(v, pa.Array) else v for k, v in data.items()})
    keep = None
    for col in t.columns:
        if pa.types.is_floating(col.type):
            v = col.to_numpy(zero_copy_only=False)
            ok = np.isfinite(v)
            keep = ok if keep is None else keep & ok
    if keep is not None and not keep.all():
        t = t.filter(pa.array(keep))
    return t


@lru_cache(maxsize=128)
def _rows_schema(names: tuple, dtypes: tuple, n_rows: int) -> pa.Schema:
    """The schema (with pandas' metadata) pyarrow gives a DataFrame of these columns and a string index."""
    df = pd.DataFrame({k: np.zeros(n_rows, dtype=d) for k, d in zip(names, dtypes)}, index=[""] * n_rows)
    return pa.Schema.from_pandas(df)


def rows_table(columns: dict, index: list[str]) -> pa.Table:
    """The one way numbers become a table for ``st.dataframe``: ``pd.DataFrame(columns, index=index)``
    as the Arrow table Streamlit would make of it (public pyarrow API), built without pandas' slow
    conversion (~0.5 ms instead of ~5 ms a small table, which matters on every replay step). A
    non-finite float becomes an empty cell: the grid has no inf. columns: {name: (n,) array}."""
    arrays = [np.asarray(v) for v in columns.values()]
    arrays = [np.where(np.isfinite(a), a, np.nan) if a.dtype.kind == "f" else a for a in arrays]
    schema = _rows_schema(tuple(columns), tuple(a.dtype.str for a in arrays), len(index))
    cols = [pa.array(a) for a in arrays] + [pa.array(list(index), type=schema.field(len(arrays)).type)]
    return pa.Table.from_arrays(cols, schema=schema)


def frame_table(df: pd.DataFrame) -> pa.Table:
    """``rows_table`` of a DataFrame with string row labels."""
    return rows_table({str(c): df[c].to_numpy() for c in df.columns}, [str(i) for i in df.index])


def _put(spec: dict, path: tuple, value) -> dict:
    """``spec`` with ``value`` at ``path``: copies only the containers along the path."""
    root = copy.copy(spec)
    node = root
    for key in path[:-1]:
        node[key] = copy.copy(node[key])
        node = node[key]
    node[path[-1]] = value
    return root


def fill(lay: Layout, data: Mapping[str, Data], **holes) -> dict:
    """The layout with this rerun's datasets and hole values: a Vega-Lite dict for ``draw``.

    Every dataset the layout reads and every hole it has must be given (a missing one is a bug)."""
    missing = (lay.datasets - set(data)) | (set(lay.holes) - set(holes))
    extra = (set(data) - lay.datasets) | (set(holes) - set(lay.holes))
    if missing or extra:
        raise KeyError(f"chart data/holes: missing {sorted(missing)}, unknown {sorted(extra)}")
    spec = lay.spec
    for name, value in holes.items():
        for path in lay.holes[name]:
            spec = _put(spec, path, value)
    spec = dict(spec)
    spec["datasets"] = {name: table(d) for name, d in data.items()}
    return spec


def chart(builder: Callable[..., alt.TopLevelMixin], present: bool, data: Mapping[str, Data], holes=None, **shape):
    """``fill(layout(builder, present, **shape), data, **holes)`` in one call."""
    return fill(layout(builder, present, **shape), data, **(holes or {}))


# Axis and legend text: Streamlit's chart theme writes them in #808495, 3.7:1 on white, under WCAG 2.1
# AA's 4.5:1 for text of their size; this grey of the same hue has 5.0:1 (4.6:1 on the sidebar's grey).
AXIS_INK = "#6b6f80"


def draw(spec: dict, description: str, key: str | None = None, **kw):
    """Show a filled spec; ``description`` is its text alternative (what it shows now, in words): sent as
    Streamlit's ``alt``, which the browser sets as the chart's description (also in the spec, it would
    only be overridden, with a warning in the server log for every chart).

    The chart is one image to a screen reader (``description``, and the table beside it where the numbers
    matter): Vega's own labels for each mark ("x: 0.25; y: 0.5", thousands of them on a heatmap) and its
    unlabelled mark groups (axe: svg-img-alt) are left out of the accessibility tree (``aria: false``).
    A chart with a ``key`` is also remembered as drawn (``drawn()``), so a page can offer it as an SVG file."""
    config = spec.get("config", {})
    ink = {"labelColor": AXIS_INK, "titleColor": AXIS_INK}  # the spec's own colours, if any, win
    spec = {
        **spec,
        "config": {
            **config,
            "aria": False,
            "mark": {**config.get("mark", {}), "aria": False},
            "axis": {**ink, **config.get("axis", {})},
            "legend": {**ink, **config.get("legend", {})},
        },
    }
    if key is not None and get_script_run_ctx(suppress_warning=True) is not None:
        drawn()[key] = (spec, description)
    return st.vega_lite_chart(spec=spec, width=kw.pop("width", "stretch"), key=key, alt=description, **kw)


# ----- saving charts as files ------------------------------------------------------------------------
# Each chart's own PNG: Streamlit 1.67 draws a toolbar over every chart (on hover; always on a touch
# screen) with "Download as PNG". Vega-embed's own menu (PNG, SVG, source …) cannot be switched on:
# Streamlit passes ``actions: false`` and, before embedding, strips ``usermeta.embedOptions`` down to
# theme, renderer and padding, so a spec's ``usermeta: {embedOptions: {actions: ...}}`` never reaches
# vega-embed (checked in Chromium and in Streamlit's ArrowVegaLiteChart source). The SVG (vector, for
# slides and print) is therefore rendered here, by the Vega project's own converter (vl-convert), only
# when someone asks for it: ``svg(spec)``, and ``svg_zip(drawn())`` for a page's charts.
_DRAWN = "_chart_drawn"  # session key: {chart key: (filled spec, description)} of this page, as last drawn
SVG_WIDTH = 720  # px: a chart sized by its container ("stretch") is written this wide


def drawn() -> dict:
    """This session's charts with a key, as last drawn on the current page: {key: (spec, description)}.
    The same dict object for the whole session (a deferred download reads it after the run)."""
    return st.session_state.setdefault(_DRAWN, {})


def forget_drawn() -> None:
    """Start a new page run's record (app/main.py calls it before each full run; a fragment's rerun then
    replaces only its own charts)."""
    drawn().clear()


def svg(spec: dict) -> str:
    """The filled spec as an SVG document, rendered by vl-convert (no browser)."""
    import vl_convert as vlc  # only when a file is asked for: it starts a JavaScript engine

    out = {k: v for k, v in spec.items() if k != "datasets"}
    out["datasets"] = {
        name: (t if isinstance(t, list) else table(t).to_pylist()) for name, t in spec.get("datasets", {}).items()
    }
    if out.get("width", "container") == "container" and not any(
        k in out for k in ("facet", "hconcat", "vconcat", "concat", "repeat")
    ):
        out["width"] = SVG_WIDTH
    return vlc.vegalite_to_svg(out)


def svg_zip(charts: Mapping[str, tuple[dict, str]], readme: str = "") -> bytes:
    """A .zip with one ``<key>.svg`` per chart and a README.txt that says in words what each shows."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        lines = [readme] if readme else []
        for key, (spec, description) in charts.items():
            z.writestr(f"{key}.svg", svg(spec))
            lines.append(f"{key}.svg: {description}")
        z.writestr("README.txt", "\n".join(lines) + "\n")
    return buf.getvalue()
