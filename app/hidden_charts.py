"""Charts and tables for the Hidden features page: the notes' feature table, cached plane grids,
and the hidden-space plot (the four inputs at their hidden coordinates, with the output's line).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app.charts import contour_frame, grid_frame, plane_heatmap, points_frame, sizes, style
from app.ui import BLUE, RED
from core import features as F
from core.data import ROW_LABELS
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.mlp import MLP

LO, HI = -0.5, 1.5  # the notes' plot range
GRID_N = 100  # the boundary map: 100×100 cells, ~30 KB as uint8
SMALL_N = 60  # each hidden neuron's map
HIDDEN_N = 40  # the output neuron's view of the hidden space
# the output's view as a quiet background: light RdBu tones, so the four points stand out
LIGHT_SCALE = alt.Scale(domain=[0, 0.5, 1], range=["#92c5de", "#f7f7f7", "#f4a582"])
SEAM = 0.6  # each cell reaches 0.6 of a step each side: overlapping cells leave no antialiasing seams


def net_key(net: MLP) -> tuple:
    """A hashable, exact description of a network, for st.cache_data."""
    tensors = tuple((t.shape, tuple(t.ravel().tolist())) for t in net.W + net.b)
    return net.hidden, net.output, tensors


def _net_from_key(key: tuple) -> MLP:
    hidden, output, tensors = key
    arrays = [np.array(vals, dtype=float).reshape(shape) for shape, vals in tensors]
    L = len(arrays) // 2
    return MLP(arrays[:L], arrays[L:], hidden, output)


@st.cache_data(max_entries=128, show_spinner=False)
def plane_grids(key: tuple, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(a1 (h, n, n), a2 (n, n)) over [−0.5, 1.5]², cached on the exact weights."""
    return F.plane_values(_net_from_key(key), n)


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """An Altair chart → a Vega-Lite dict whose datasets are DataFrames by name.

    Building and validating an Altair layer chart costs a few hundred ms; the resulting dict is
    cheap to cache and to hand to ``st.vega_lite_chart``. Datasets are named d0, d1, … in layer
    order and stored as Arrow bytes, exactly what st.altair_chart would ship (uint8 stays uint8).
    """
    datasets: dict = {}
    ids: dict = {}
    for layer in getattr(chart, "layer", [chart]):
        if isinstance(layer.data, pd.DataFrame):
            name = ids.setdefault(id(layer.data), f"d{len(ids)}")
            datasets[name] = layer.data
            layer.data = alt.NamedData(name=name)
    spec = chart.to_dict()
    spec.get("config", {}).pop("view", None)  # Altair's default 300×300 view; we size every chart
    # Arrow IPC bytes, as st.altair_chart would send them: st.vega_lite_chart passes bytes through
    spec["datasets"] = {name: _arrow(df) for name, df in datasets.items()}
    return spec


def _arrow(df: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@st.cache_data(max_entries=128, show_spinner=False)
def red_share(key: tuple) -> float:
    """Fraction of the [−0.5, 1.5]² square where the network predicts 1 (output > 0.5)."""
    return float(np.mean(plane_grids(key, GRID_N)[1] > 0.5))


# ----- chart specs: a cached "template" per chart shape, with the data swapped in ------------------
# Building an Altair layer chart costs ~0.1–0.4 s, almost all of it inside Altair. Everything in a
# spec except its data depends only on a few "shape" values (titles, sizes, axis ranges, whether a
# line exists), so the spec is built once per shape and each new network only computes its data
# frames. tests/test_page_hidden_features.py checks templated specs equal freshly built ones.


@st.cache_data(max_entries=256, show_spinner=False)
def _template(shape: tuple, _build) -> dict:
    """The spec of ``_build()`` without its data. ``shape`` must name everything but the data;
    ``_build`` (not hashed) only runs on a miss."""
    spec = to_spec(_build())
    spec.pop("datasets")
    return spec


def _with_data(template: dict, frames: list) -> dict:
    """Datasets d0, d1, … in layer order (as to_spec names them)."""
    template["datasets"] = {f"d{k}": _arrow(df) for k, df in enumerate(frames)}
    return template  # st.cache_data already handed us a private copy


def _plane_data(values: np.ndarray, vrange: tuple, level: float) -> tuple[list, tuple]:
    """The data frames plane_heatmap ships for ``values`` (layer order), and the value range its
    spec depends on (it quantises non-[0, 1] values over the grid's own range)."""
    data, qrange = values, None
    if tuple(vrange) != (0.0, 1.0):
        fin = values[np.isfinite(values)]
        qlo = min(float(vrange[0]), float(fin.min()) if fin.size else 0.0)
        qhi = max(float(vrange[1]), float(fin.max()) if fin.size else 1.0)
        qhi = qhi if qhi > qlo else qlo + 1.0
        data, qrange = (values - qlo) / (qhi - qlo), (qlo, qhi)
    frames = [grid_frame(data, LO, HI)]
    cf = contour_frame(values, LO, HI, level)
    if len(cf):
        frames.append(cf)
    frames.append(points_frame())
    return frames, qrange


def plane_spec(
    values: np.ndarray,
    title: str,
    value_name: str,
    height: int,
    width: int | str = "container",
    vrange: tuple = (0.0, 1.0),
    level: float = 0.5,
    point_scale: float = 1.0,
) -> dict:
    """app.charts.plane_heatmap(values, …) styled, as a Vega-Lite dict — built once per shape."""
    values = np.asarray(values, dtype=float)
    frames, qrange = _plane_data(values, vrange, level)
    shape = ("plane", values.shape, len(frames), qrange, title, value_name, height, width, vrange, level, point_scale)
    shape += (tuple(sorted(sizes().items())),)

    def build():
        return style(
            plane_heatmap(
                values,
                title=title,
                value_name=value_name,
                width=width,
                height=height,
                vrange=vrange,
                level=level,
                point_scale=point_scale,
            )
        )

    return _with_data(_template(shape, build), frames)


# Specs are cached on the exact weights. ``presenter`` is part of each key because
# app.charts.sizes() reads presenter mode from the session while a chart is built.


@st.cache_data(max_entries=64, show_spinner=False)
def boundary_spec(key: tuple, presenter: bool, height: int, width: int | str = "container") -> dict:
    """The notes' picture: output a2 over [−0.5, 1.5]², thick black 0.5 line, the four points."""
    _, a2 = plane_grids(key, GRID_N)
    return plane_spec(a2, "XOR decision boundary (non-linear!)", "output a2", height, width)


@st.cache_data(max_entries=256, show_spinner=False)
def neuron_spec(key: tuple, k: int, presenter: bool, height: int) -> dict:
    """Hidden neuron k over the same plane, coloured around its own threshold, with its own line."""
    net = _net_from_key(key)
    a1, _ = plane_grids(key, SMALL_N)
    g = F.name_hidden(net.forward(XOR_X).a[1], net.hidden)[k]
    lo, hi = g.rule.low, g.rule.high
    if hi - lo <= 1e-12:  # the same value on all four inputs: any colour range will do
        lo, hi = lo - 0.5, hi + 0.5
    return plane_spec(
        a1[k],
        f"Hidden{k + 1}: {g.name}",
        f"Hidden{k + 1}",
        height,
        vrange=(lo, hi),
        level=g.rule.threshold,
        point_scale=0.6,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def hidden_space_spec(key: tuple, i: int, j: int, presenter: bool, height: int, width: int | str = "container") -> dict:
    net = _net_from_key(key)
    table = F.feature_table(net, XOR_X, XOR_Y)
    frames, box = hidden_space_data(table, net.W[1], net.b[1], net.hidden, i, j)
    shape = ("hidden", i, j, box, len(frames), height, width, tuple(sorted(sizes().items())))
    return _with_data(_template(shape, lambda: style(hidden_space_layers(frames, box, i, j, height, width))), frames)


def number_columns(df: pd.DataFrame, digits: int = 3) -> dict:
    """st.dataframe column_config showing every float column with ``digits`` decimals.

    Cheaper than a pandas Styler (which costs tens of ms per rerun to marshal).
    """
    return {c: st.column_config.NumberColumn(c, format=f"%.{digits}f") for c in df.columns if df[c].dtype.kind == "f"}


def show_table(df: pd.DataFrame, key: str, presenter: bool, digits: int = 3) -> None:
    """A small table: st.dataframe with column formats, or in presenter mode an st.table of the same
    formatted text (an HTML table grows with presenter mode's larger font; the grid would be cut off)."""
    if presenter:
        text = df.copy()
        for c in df.columns:
            if df[c].dtype.kind == "f":
                text[c] = [f"{v:.{digits}f}" for v in df[c]]
        st.table(text)
    else:
        st.dataframe(df, column_config=number_columns(df, digits), key=key, width="content")


def feature_frame(table: F.FeatureTable) -> pd.DataFrame:
    """The notes' table: Input | Hidden1 | Hidden2 | … | Output | Expected | Prediction (wrong ones marked ✗)."""
    df = pd.DataFrame({"Input": ROW_LABELS})
    for k in range(table.n_hidden):
        df[f"Hidden{k + 1}"] = table.a1[:, k]
    df["Output"] = table.out
    df["Expected"] = table.expected.astype(int)
    df["Prediction"] = [f"{int(p)} ✗ wrong" if w else f"{int(p)} ✓" for p, w in zip(table.pred, table.wrong)]
    return df.set_index("Input")


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
    q = np.clip(np.rint(np.nan_to_num(a2, nan=0.5) * 255), 0, 255).astype(np.uint8)
    frames = [pd.DataFrame({"i": ii.ravel(), "j": jj.ravel(), "q": q.ravel()})]
    line = F.hidden_line(W2, b2, i, j, rest)
    seg = F.line_segment(*line, box) if line is not None else None
    if seg is not None:
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
    frames: list, box: tuple, i: int, j: int, height: int = 360, width: int | str = "container"
) -> alt.LayerChart:
    """The four inputs at (Hidden i, Hidden j), coloured by XOR label, over the output's view a2,
    with the output neuron's line z2 = 0 (W2[i]·h_i + W2[j]·h_j + b2 (+ the others' mean) = 0).
    """
    s = sizes()
    du = (box[1] - box[0]) / (HIDDEN_N - 1)
    dv = (box[3] - box[2]) / (HIDDEN_N - 1)
    us = alt.Scale(domain=[box[0], box[1]], nice=False, zero=False)
    vs = alt.Scale(domain=[box[2], box[3]], nice=False, zero=False)
    tu, tv = f"Hidden{i + 1} activation", f"Hidden{j + 1} activation"
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
            x2="ub:Q",
            y=alt.Y("va:Q", scale=vs, title=tv),
            y2="vb:Q",
            color=alt.Color("value:Q", scale=LIGHT_SCALE, title="output a2", legend=alt.Legend(format=".1f")),
            tooltip=[alt.Tooltip("value:Q", title="output a2 here", format=".3f")],
        )
    )
    layers = [bg]
    if len(frames) == 3:
        layers.append(
            alt.Chart(frames[1])
            .mark_line(color="black", strokeWidth=s["line"], clip=True)
            .encode(x=xu, y=yv, tooltip=["what:N"])
        )
    base = alt.Chart(frames[-1])
    layers.append(
        base.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            x=xu,
            y=yv,
            color=alt.Color("label:N", scale=alt.Scale(domain=[0, 1], range=[BLUE, RED]), legend=None),
            tooltip=[
                "input:N",
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
            .encode(x=xu, y=yv, text="text:N")
        )
    return alt.layer(*layers).properties(title="Hidden space", width=width, height=height)


def hidden_space_frame(table: F.FeatureTable, i: int, j: int) -> pd.DataFrame:
    """Text alternative to the hidden-space plot: coordinates and z2 (z2 > 0 is the 1 side of the line)."""
    return pd.DataFrame(
        {
            f"Hidden{i + 1}": table.a1[:, i],
            f"Hidden{j + 1}": table.a1[:, j],
            "z2": table.z2,
            "XOR": table.expected.astype(int),
        },
        index=ROW_LABELS,
    )
