"""Charts and tables for the Hidden features page: the notes' feature table, the maps over the input
plane (the decision boundary and one per hidden neuron), and the hidden-space plot (the four inputs
at their hidden coordinates, with the output's line).

Speed (issue 9). Every weight the student moves is a new network, so the page does as little per
network as it can:

- ``network_view(key)`` is the one cached computation per network: the table, the gate names, the
  forward passes over the plane grids, the lines, and every chart's data already as Arrow IPC bytes,
  built straight from NumPy (no pandas, no Altair). ``space_view(key, i, j)`` does the same for the
  hidden-space plot of a pair of neurons.
- A chart's Vega-Lite spec without its data depends only on its layout (mode, size, neuron, which
  layers exist), never on the weights, so Altair builds it once per layout (``_template``) and each
  rerun only puts the new datasets (and title) into it.

tests/test_page_hidden_features.py checks that the specs assembled this way, data included, equal a
fresh Altair build (``fresh_plane_spec``, ``fresh_space_spec``) for sigmoid, tanh and ReLU networks.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app import ui
from app.charts import (
    contour_lines,
    grid_codes,
    plane_heatmap,
    points_frame,
    quantise_range,
    quantised_value,
    segment_columns,
    sizes,
    style,
)
from app.ui import BLUE, RED
from core import features as F
from core.data import ROW_LABELS, notes_weights
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.decision import predicts_one
from core.gates import UnitReading
from core.linear_sep import line_segment
from core.mlp import MLP

LO, HI = -0.5, 1.5  # the notes' plot range
GRID_N = 100  # the boundary map: 100×100 cells, ~30 KB as uint8
SMALL_N = 60  # each hidden neuron's map
HIDDEN_N = 40  # the output neuron's view of the hidden space
# the output's view as a quiet background: light RdBu tones, so the four points stand out
LIGHT_SCALE = alt.Scale(domain=[0, 0.5, 1], range=["#92c5de", "#f7f7f7", "#f4a582"])
SEAM = 0.6  # each cell reaches 0.6 of a step each side: overlapping cells leave no antialiasing seams
BOUNDARY_TITLE = "XOR decision boundary (non-linear!)"


def chart_sizes(present: bool) -> dict:
    """Each chart's size in normal and presenter mode (presenter: larger, fixed-size charts)."""
    if present:
        return {"boundary": {"height": 440}, "neuron": {"height": 380}, "space": {"width": 620, "height": 540}}
    return {"boundary": {"height": 390}, "neuron": {"height": 320}, "space": {"height": 360}}


@st.cache_data(max_entries=32, show_spinner=False)
def plane_grids(key: tuple, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(a1 (h, n, n), a2 (n, n)) over [−0.5, 1.5]², cached on the exact weights."""
    return F.plane_values(MLP.from_key(key), n)


# ----- chart data as Arrow IPC bytes, straight from NumPy ------------------------------------------
def _ipc(columns: dict) -> bytes:
    """{name: pyarrow array} → Arrow IPC stream bytes, what st.altair_chart would ship for a frame."""
    batch = pa.record_batch(list(columns.values()), names=list(columns))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def _text(values) -> pa.Array:
    return pa.array(list(values), type=pa.large_string())  # pandas 3 strings arrive as large_string


@functools.lru_cache(maxsize=4)
def _cell_index(n: int) -> tuple[pa.Array, pa.Array]:
    """Row (x2) and column (x1) index of each of n×n cells, row by row, as uint8 (n ≤ 256)."""
    jj, ii = np.meshgrid(np.arange(n, dtype=np.uint8), np.arange(n, dtype=np.uint8))
    return pa.array(ii.ravel()), pa.array(jj.ravel())


def _cells(codes: np.ndarray) -> bytes:
    """uint8 codes (n, n) → the (i, j, q) dataset of app.charts.grid_frame."""
    ii, jj = _cell_index(codes.shape[0])
    return _ipc({"i": ii, "j": jj, "q": pa.array(codes.ravel())})


@functools.cache
def _points() -> bytes:
    """The four XOR points (app.charts.points_frame), the same for every network."""
    return pa.ipc.serialize_pandas(points_frame(), preserve_index=False).to_pybytes()


def _line(values: np.ndarray, level: float, segment: np.ndarray | None = None) -> bytes | None:
    """The black line of a plane map: the ``level`` contour (app.charts.contour_frame), or the given
    straight ``segment`` (app.charts.segment_columns); None when there is nothing to draw."""
    if segment is None:
        x1, x2, line, order = contour_lines(values, LO, HI, level)
    else:
        x1, x2, line, order = segment_columns(segment)
    if not len(x1):
        return None
    return _ipc({"x1": pa.array(x1), "x2": pa.array(x2), "line": pa.array(line), "order": pa.array(order)})


# ----- what the page shows for one network ---------------------------------------------------------
@dataclass
class Plane:
    """One map over the input plane: its data and everything else its spec depends on.

    data: Arrow IPC bytes in layer order (the cells, the line if the values cross ``level`` or the
    straight ``segment`` crosses the plot, the four points); qrange: the range non-[0, 1] values were
    quantised over (app.charts.plane_heatmap puts it into the spec); source: (network key, n, neuron
    or None for the output), to rebuild the values; segment: a hidden neuron's exact line z1 = 0.
    """

    data: tuple
    title: str
    value_name: str
    vrange: tuple
    level: float
    point_scale: float
    qrange: tuple | None
    source: tuple
    segment: np.ndarray | None = None

    def values(self) -> np.ndarray:
        """The plotted values (n, n), from the cached grids (only needed to build a template)."""
        key, n, neuron = self.source
        a1, a2 = plane_grids(key, n)
        return a2 if neuron is None else a1[neuron]


def plane(
    values: np.ndarray,
    source: tuple,
    title: str,
    value_name: str,
    vrange: tuple = (0.0, 1.0),
    level: float = 0.5,
    point_scale: float = 1.0,
    segment: np.ndarray | None = None,
) -> Plane:
    """The data app.charts.plane_heatmap(values, …, line=segment) would ship, without pandas or Altair."""
    values = np.asarray(values, dtype=float)
    data, qrange = values, None
    vrange = tuple(float(v) for v in vrange)
    if vrange != (0.0, 1.0):  # as plane_heatmap: quantise over the grid's own range, keep it exact
        qrange = quantise_range(values, vrange)
        data = (values - qrange[0]) / (qrange[1] - qrange[0])
    parts = [_cells(grid_codes(data)), _line(values, level, segment), _points()]
    return Plane(
        tuple(p for p in parts if p is not None), title, value_name, vrange, level, point_scale, qrange, source, segment
    )


def neuron_range(g: UnitReading, hidden: str) -> tuple[float, float]:
    """A hidden neuron map's colour range, white where the neuron switches on (z1 = 0): a bounded
    activation's range (sigmoid 0 to 1, tanh −1 to 1); otherwise ±(its largest |a1| on the four inputs)."""
    if F.bounds(hidden) is not None:
        return F.bounds(hidden)
    m = float(np.max(np.abs(g.a)))
    return (-m, m) if m > 0 else (-1.0, 1.0)


@dataclass
class NetworkView:
    """Everything the page shows for one network (None/empty when its numbers are not finite).

    frame: the notes' table (Input, Hidden1…, Output, Expected, Prediction) as an Arrow table;
    red: the share of the square the network predicts 1; best: the hidden pair to plot first.
    """

    table: F.FeatureTable
    gates: list
    comb: F.Combination | None
    frame: pa.Table | None
    red: float
    boundary: Plane | None
    neurons: list
    best: tuple | None


@st.cache_data(max_entries=128, show_spinner=False)
def network_view(key: tuple) -> NetworkView:
    """The one computation per network (see the module docstring); key from ``MLP.key``."""
    net = MLP.from_key(key)
    table = F.feature_table(net, XOR_X, XOR_Y)
    if not table.finite:
        return NetworkView(table, [], None, None, 0.0, None, [], None)
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]
    gates = F.name_hidden(table, net.hidden)
    _, a2 = F.plane_values(net, GRID_N)
    a1, _ = F.plane_values(net, SMALL_N)
    neurons = []
    box = (LO, HI, LO, HI)
    for k, g in enumerate(gates):
        name = f"Hidden{k + 1}"
        seg = line_segment(float(W1[0, k]), float(W1[1, k]), float(b1[0, k]), box)  # its exact line z1 = 0
        neurons.append(
            plane(a1[k], (key, SMALL_N, k), f"{name}: {g.name}", name, neuron_range(g, net.hidden), g.level, 0.6, seg)
        )
    h = table.n_hidden
    return NetworkView(
        table=table,
        gates=gates,
        comb=F.combine(gates, W2, b2),
        frame=feature_frame(table),
        red=float(np.mean(predicts_one(a2))),
        boundary=plane(a2, (key, GRID_N, None), BOUNDARY_TITLE, "output a2"),
        neurons=neurons,
        best=F.best_pair(table.a1, W2, b2, XOR_Y) if h > 2 else ((0, 1) if h == 2 else None),
    )


def feature_frame(table: F.FeatureTable) -> pa.Table:
    """The notes' table: Input | Hidden1 | Hidden2 | … | Output | Expected | Prediction (wrong ones marked ✗)."""
    cols = {"Input": _text(ROW_LABELS)}
    for k in range(table.n_hidden):
        cols[f"Hidden{k + 1}"] = pa.array(table.a1[:, k])
    cols["Output"] = pa.array(table.out)
    cols["Expected"] = pa.array(table.expected.astype(np.int64))
    cols["Prediction"] = _text(f"{int(p)} ✗ wrong" if w else f"{int(p)} ✓" for p, w in zip(table.pred, table.wrong))
    return pa.table(cols)


# ----- the hidden space ------------------------------------------------------------------------------
@dataclass
class SpaceView:
    """The hidden-space plot of neurons i, j: data (Arrow IPC bytes in layer order: the output's view,
    the line z2 = 0 if it crosses the plot, the four points), its box (ulo, uhi, vlo, vhi), and the
    text alternative ``frame`` (Input, Hidden i, Hidden j, z2, XOR)."""

    data: tuple
    box: tuple
    i: int
    j: int
    frame: pa.Table
    key: tuple


@st.cache_data(max_entries=128, show_spinner=False)
def space_view(key: tuple, i: int, j: int) -> SpaceView:
    net = MLP.from_key(key)
    table = F.feature_table(net, XOR_X, XOR_Y)
    W2, b2 = net.W[1], net.b[1]
    a1 = table.a1
    box = F.hidden_box(a1, net.hidden, i, j)
    rest = F.rest_contribution(a1, W2, i, j)
    _, _, a2 = F.hidden_space_values(W2, b2, i, j, box, rest, HIDDEN_N)
    parts = [_cells(grid_codes(a2))]
    line = F.hidden_line(W2, b2, i, j, rest)
    seg = line_segment(*line, box) if line is not None else np.empty((0, 2))
    if len(seg):
        parts.append(
            _ipc({"u": pa.array(seg[:, 0]), "v": pa.array(seg[:, 1]), "what": _text(["output line z2 = 0"] * 2)})
        )
    u, v = a1[:, i], a1[:, j]
    parts.append(
        _ipc(
            {
                "u": pa.array(u),
                "v": pa.array(v),
                "label": pa.array(table.expected.astype(np.int64)),
                "input": _text(ROW_LABELS),
                "z2": pa.array(table.z2),
                "output": pa.array(table.out),
                "text": _text(_group_labels(u, v, box)),
            }
        )
    )
    frame = pa.table(
        {
            "Input": _text(ROW_LABELS),
            f"Hidden{i + 1}": pa.array(u),
            f"Hidden{j + 1}": pa.array(v),
            "z2": pa.array(table.z2),
            "XOR": pa.array(table.expected.astype(np.int64)),
        }
    )
    return SpaceView(tuple(parts), box, i, j, frame, key)


def _group_labels(u: np.ndarray, v: np.ndarray, box: tuple) -> list[str]:
    """Text for each point; points closer than 5 % of the plot share one label (the first shows it)."""
    du, dv = box[1] - box[0], box[3] - box[2]
    texts = list(ROW_LABELS)
    shown = [True] * 4
    for a in range(4):
        if not shown[a]:
            continue
        for b in range(a + 1, 4):
            if shown[b] and abs(u[a] - u[b]) < 0.05 * du and abs(v[a] - v[b]) < 0.05 * dv:
                texts[a] = f"{texts[a]}, {ROW_LABELS[b]}"
                shown[b] = False
    return [t if s else "" for t, s in zip(texts, shown)]


# ----- specs: a template per layout, the data put in per rerun --------------------------------------
def to_spec(chart: alt.TopLevelMixin, validate: bool = True, data: bool = True) -> dict:
    """An Altair chart → a Vega-Lite dict whose datasets are named d0, d1, … in layer order.

    Datasets are Arrow IPC bytes, what st.altair_chart would ship (uint8 stays uint8); data=False
    leaves them out (a template). validate=False skips Altair's schema check: templates are built
    from the same code the tests build and validate.
    """
    datasets: dict = {}
    ids: dict = {}
    for layer in getattr(chart, "layer", [chart]):
        if isinstance(layer.data, pd.DataFrame):
            name = ids.setdefault(id(layer.data), f"d{len(ids)}")
            datasets[name] = layer.data
            layer.data = alt.NamedData(name=name)
    spec = chart.to_dict(validate=validate)
    spec.get("config", {}).pop("view", None)  # Altair's default 300×300 view; we size every chart
    if data:
        spec["datasets"] = {
            name: pa.ipc.serialize_pandas(df, preserve_index=False).to_pybytes() for name, df in datasets.items()
        }
    return spec


@st.cache_data(max_entries=64, show_spinner=False)
def _template(layout: tuple, _build) -> str:
    """The JSON text of the spec ``_build()`` makes, without data. ``layout`` names everything but the
    data and the holes (``_fill``) the spec depends on; ``_build`` (not hashed) only runs on a miss."""
    return json.dumps(to_spec(_build(), validate=False, data=False))


def _hole(name: str) -> str:
    """A placeholder a template carries instead of a text that changes from network to network."""
    return f"@@{name}@@"


def _fill(template: str, data: tuple, **holes: str) -> dict:
    """The template with its holes filled in (as JSON strings) and datasets d0, d1, … in layer order."""
    for name, text in holes.items():
        template = template.replace(_hole(name), json.dumps(text)[1:-1])
    spec = json.loads(template)
    spec["datasets"] = {f"d{k}": d for k, d in enumerate(data)}
    return spec


def plane_chart(p: Plane, present: bool, height: int, width: int | str = "container") -> dict:
    """app.charts.plane_heatmap of the plane, styled, as a Vega-Lite dict. Altair runs once per layout:
    the title and the value's name (e.g. "Hidden2") are holes, so all hidden neurons share one; a map
    with its own colour range (ReLU units: each network's range differs) gets its range put in."""
    ranged = p.qrange is not None
    layout = ("plane", present, height, width, p.source[1], len(p.data), ranged, p.point_scale)
    holes = {"title": _hole("title"), "value_name": _hole("value_name")}
    template = _template(layout, lambda: _plane_chart(p.values(), p, present, height, width, **holes))
    spec = _fill(template, p.data, title=p.title, value_name=p.value_name)
    if ranged:  # where plane_heatmap puts the two ranges (tests compare with fresh builds)
        heat = spec["layer"][0]
        heat["encoding"]["color"]["scale"]["domain"] = list(p.vrange)
        (value,) = [t for t in heat["transform"] if t.get("as") == "value"]
        value["calculate"] = quantised_value(*p.qrange)
    return spec


def _plane_chart(
    values: np.ndarray, p: Plane, present: bool, height: int, width: int | str, title: str, value_name: str
) -> alt.LayerChart:
    kw = {"vrange": p.vrange, "level": p.level, "point_scale": p.point_scale, "present": present, "line": p.segment}
    chart = plane_heatmap(values, LO, HI, title=title, value_name=value_name, width=width, height=height, **kw)
    return style(chart, present)


def fresh_plane_spec(p: Plane, present: bool, height: int, width: int | str = "container") -> dict:
    """What ``plane_chart`` gives, built and validated by Altair from scratch (for the tests)."""
    return to_spec(_plane_chart(p.values(), p, present, height, width, p.title, p.value_name))


def space_chart(s: SpaceView, present: bool, height: int, width: int | str = "container") -> dict:
    """The hidden-space plot as a Vega-Lite dict — Altair runs once per layout."""
    layout = ("space", present, height, width, s.i, s.j, s.box, len(s.data))
    return _fill(_template(layout, lambda: _space_chart(s, present, height, width)), s.data)


def _space_chart(s: SpaceView, present: bool, height: int, width: int | str):
    net = MLP.from_key(s.key)
    table = F.feature_table(net, XOR_X, XOR_Y)
    frames, box = hidden_space_data(table, net.W[1], net.b[1], net.hidden, s.i, s.j)
    return style(hidden_space_layers(frames, box, s.i, s.j, height, width, present), present)


def fresh_space_spec(s: SpaceView, present: bool, height: int, width: int | str = "container") -> dict:
    """What ``space_chart`` gives, built and validated by Altair from scratch (for the tests)."""
    return to_spec(_space_chart(s, present, height, width))


def hidden_space_data(
    table: F.FeatureTable, W2: np.ndarray, b2: np.ndarray, hidden: str, i: int, j: int
) -> tuple[list, tuple]:
    """Data frames of the hidden-space plot in layer order — the output's view a2 (quantised), the
    line z2 = 0 if it crosses the plot, the four points — and the plot's box (ulo, uhi, vlo, vhi)."""
    a1 = table.a1
    box = F.hidden_box(a1, hidden, i, j)
    rest = F.rest_contribution(a1, W2, i, j)
    _, _, a2 = F.hidden_space_values(W2, b2, i, j, box, rest, HIDDEN_N)
    jj, ii = np.meshgrid(np.arange(HIDDEN_N, dtype=np.uint8), np.arange(HIDDEN_N, dtype=np.uint8))
    frames = [pd.DataFrame({"i": ii.ravel(), "j": jj.ravel(), "q": grid_codes(a2).ravel()})]
    line = F.hidden_line(W2, b2, i, j, rest)
    seg = line_segment(*line, box) if line is not None else np.empty((0, 2))
    if len(seg):
        frames.append(pd.DataFrame({"u": seg[:, 0], "v": seg[:, 1], "what": "output line z2 = 0"}))
    u, v = a1[:, i], a1[:, j]
    frames.append(
        pd.DataFrame(
            {
                "u": u,
                "v": v,
                "label": table.expected.astype(int),
                "input": ROW_LABELS,
                "z2": table.z2,
                "output": table.out,
                "text": _group_labels(u, v, box),
            }
        )
    )
    return frames, box


def hidden_space_layers(
    frames: list,
    box: tuple,
    i: int,
    j: int,
    height: int = 360,
    width: int | str = "container",
    present: bool | None = None,
) -> alt.LayerChart:
    """The four inputs at (Hidden i, Hidden j), coloured by XOR label, over the output's view a2,
    with the output neuron's line z2 = 0 (W2[i]·h_i + W2[j]·h_j + b2 (+ the others' mean) = 0).
    present: the mode, as in app.charts.sizes.
    """
    s = sizes(present)
    du = (box[1] - box[0]) / (HIDDEN_N - 1)
    dv = (box[3] - box[2]) / (HIDDEN_N - 1)
    us = alt.Scale(domain=[box[0], box[1]], nice=False, zero=False)
    vs = alt.Scale(domain=[box[2], box[3]], nice=False, zero=False)
    tu, tv = f"Hidden{i + 1} activation", f"Hidden{j + 1} activation"
    # channel objects, not shorthand strings (see app.charts.plane_heatmap): the same spec, built faster
    xu = alt.X("u:Q", scale=us, title=tu)
    yv = alt.Y("v:Q", scale=vs, title=tv)
    bg = (
        alt.Chart(frames[0])
        .transform_calculate(
            ua=f"{box[0] - du * SEAM} + datum.j * {du}",
            ub=f"{box[0] + du * SEAM} + datum.j * {du}",
            va=f"{box[2] - dv * SEAM} + datum.i * {dv}",
            vb=f"{box[2] + dv * SEAM} + datum.i * {dv}",
            value="datum.q / 255",
        )
        .mark_rect(clip=True)
        .encode(
            x=alt.X("ua:Q", scale=us, title=tu),
            x2=alt.X2("ub:Q"),
            y=alt.Y("va:Q", scale=vs, title=tv),
            y2=alt.Y2("vb:Q"),
            color=alt.Color("value:Q", scale=LIGHT_SCALE, title="output a2", legend=alt.Legend(format=".1f")),
            tooltip=[alt.Tooltip("value:Q", title="output a2 here", format=".3f")],
        )
    )
    layers = [bg]
    if len(frames) == 3:
        layers.append(
            alt.Chart(frames[1])
            .mark_line(color="black", strokeWidth=s["line"], clip=True)
            .encode(x=xu, y=yv, tooltip=[alt.Tooltip("what:N")])
        )
    base = alt.Chart(frames[-1])
    layers.append(
        base.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            x=xu,
            y=yv,
            color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
            tooltip=[
                alt.Tooltip("input:N"),
                alt.Tooltip("label:N", title="XOR"),
                alt.Tooltip("u:Q", title=f"Hidden{i + 1}", format=".3f"),
                alt.Tooltip("v:Q", title=f"Hidden{j + 1}", format=".3f"),
                alt.Tooltip("z2:Q", format=".3f"),
                alt.Tooltip("output:Q", format=".3f"),
            ],
        )
    )
    # labels point inwards so none is cut off at the plot's edge
    mid = (box[0] + box[1]) / 2
    for op, align, dx in (("<", "left", 1), (">=", "right", -1)):
        layers.append(
            base.transform_filter(f"datum.u {op} {mid}")
            .mark_text(
                align=align, dx=dx * s["label"] * 0.8, dy=-s["label"] * 0.8, fontSize=s["label"], fontWeight="bold"
            )
            .encode(x=xu, y=yv, text=alt.Text("text:N"))
        )
    return alt.layer(*layers).properties(title="Hidden space", width=width, height=height)


# ----- tables --------------------------------------------------------------------------------------
def number_columns(t: pa.Table, digits: int = 3) -> dict:
    """st.dataframe column_config: every float column with ``digits`` decimals, the first (the input)
    pinned like an index. Cheaper than a pandas Styler (tens of ms per rerun to marshal)."""
    config = {
        f.name: st.column_config.NumberColumn(f.name, format=f"%.{digits}f")
        for f in t.schema
        if pa.types.is_floating(f.type)
    }
    config[t.column_names[0]] = st.column_config.TextColumn(t.column_names[0], pinned=True)
    return config


def show_table(t: pa.Table, key: str, digits: int = 3) -> None:
    """A small table whose first column names the input, with column formats (app.ui.table)."""
    ui.table(t, number_columns(t, digits), key=key, width="content", hide_index=True)


# ----- cold start ------------------------------------------------------------------------------------
def warm() -> None:
    """Fill the caches the page's default render uses (the notes' network, normal mode), through the
    same cached functions, drawing nothing and reading no session. Called once per server process
    from a background thread (app/warmup.py); any failure only means a slower first render."""
    try:
        key = MLP.from_dict(notes_weights()).key()
        view = network_view(key)
        size = chart_sizes(False)
        plane_chart(view.boundary, False, **size["boundary"])
        for p in view.neurons:
            plane_chart(p, False, **size["neuron"])
        space_chart(space_view(key, *view.best), False, **size["space"])
    except Exception:  # noqa: BLE001 - warming is an optimisation, never an error
        return


def pair_sum_frame(rows: list) -> pa.Table:
    """The pair-sum check as a table: one row per (label, core.features.PairSum), the two sums and
    the four z values."""
    cols = {"Column": _text(label for label, _ in rows)}
    # the two sums first: what the student compares, visible without scrolling on a phone
    cols["z[0 0] + z[1 1]"] = pa.array([c.sum_00_11 for _, c in rows])
    cols["z[0 1] + z[1 0]"] = pa.array([c.sum_01_10 for _, c in rows])
    for r, name in enumerate(ROW_LABELS):
        cols[f"z{name}"] = pa.array([float(c.z[r]) for _, c in rows])
    return pa.table(cols)
