"""Charts for the Architecture page: the network diagram, the single-neuron line over the XOR
points, and the four points as the hidden layer sees them.

Diagram: inputs, hidden and output nodes in three columns; an edge per weight, red when positive,
blue when negative, thicker for larger |w| (square-root scale, so small random weights still
show); each neuron's bias written under it; every edge and node has a tooltip with its value.

Speed: building and validating an Altair chart costs tens of milliseconds, too slow to redo on
every slider move. Each chart is therefore a cached Vega-Lite *template* that reads named
datasets, and every rerun only fills in small fresh DataFrames (``*_spec`` functions return the
finished spec dict for ``st.vega_lite_chart``).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit import dataframe_util

from app.charts import COLOUR_SCALE, PLOT_HEIGHT, grid_frame, sizes, style
from app.ui import BLUE, GREY, RED, presenter
from core.activations import get_activation, sigmoid
from core.data import ROW_LABELS, notes_weights
from core.data import X as XOR_X
from core.data import y as XOR_Y
from core.decision import predicts_one
from core.linear_sep import line_segment, neuron_predict, neuron_z
from core.mlp import MLP

WIDTH_CLAMP = 10.0  # |w| at which an edge reaches its full thickness
SIGN_SCALE = alt.Scale(domain=["positive", "negative", "zero"], range=[RED, BLUE, GREY])
CLASS_SCALE = alt.Scale(domain=[0, 1], range=[BLUE, RED])
ACT_SYMBOL = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "linear": "linear"}
GRID_N = 41  # heatmap resolution: 41×41 cells of uint8, ~5 KB
NEURON_DEFAULTS = (1.0, 1.0, -0.5)  # the single-neuron sliders' starting u1, u2, c


def named(name: str) -> alt.NamedData:
    return alt.NamedData(name=name)


def to_template(chart: alt.TopLevelMixin, validate: bool = False) -> dict:
    """A Vega-Lite dict without Altair's default 300×300 view (Streamlit sizes it).

    Not validated against the Vega-Lite schema by default: validation is about half of the build
    time and would be paid again for every new layout on the server; the page tests validate every
    spec the pages send instead.
    """
    spec = chart.to_dict(validate=validate)
    spec.get("config", {}).get("view", {}).pop("continuousWidth", None)
    spec.get("config", {}).get("view", {}).pop("continuousHeight", None)
    return spec


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """A frame as the Arrow IPC bytes Streamlit would send for it (the same conversion). A spec whose
    datasets are already bytes is shipped as it is, so cached bytes skip pandas → Arrow per rerun."""
    return dataframe_util.convert_pandas_df_to_arrow_bytes(df)


def with_data(template: dict, **frames: pd.DataFrame | bytes) -> dict:
    """The template with its named datasets filled in (DataFrames or their ``arrow_bytes``)."""
    spec = dict(template)
    spec["datasets"] = frames
    return spec


def _sign(v: float) -> str:
    return "positive" if v > 0 else ("negative" if v < 0 else "zero")


def _num(v: float) -> str:
    return f"{v:.2f}".replace("-", "−")


def _column_y(n: int) -> np.ndarray:
    """Vertical positions of n nodes, centred on 0, one unit apart, top first."""
    return (n - 1) / 2 - np.arange(n, dtype=float)


# ----- the network diagram ----------------------------------------------------------------------------
def diagram_frames(net: MLP) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) of a 2-h-1 network for drawing. Non-finite values become 0 with finite=False."""
    W1, b1, W2, b2 = net.W[0], net.b[0], net.W[1], net.b[1]
    n_in, h = W1.shape
    act = ACT_SYMBOL.get(net.hidden, net.hidden)
    y_in, y_hid = _column_y(n_in), _column_y(h)
    nodes = [("in", f"x{i + 1}", 0.0, y_in[i], 0.0, "", f"input x{i + 1} (0 or 1)") for i in range(n_in)]
    nodes += [
        ("hid", f"h{j + 1}", 1.0, y_hid[j], b1[0, j], f"b1[{j}]", f"hidden neuron {j + 1}: a1[{j}] = {act}(z1[{j}])")
        for j in range(h)
    ]
    nodes.append(("out", "out", 2.0, 0.0, b2[0, 0], "b2", "output a2 = σ(z2), the prediction"))
    nf = pd.DataFrame(nodes, columns=["layer", "name", "x", "y", "bias", "bias_name", "role"])
    edges = [
        (f"W1[{i},{j}]", f"x{i + 1} → h{j + 1}", 0.0, y_in[i], 1.0, y_hid[j], W1[i, j])
        for i in range(n_in)
        for j in range(h)
    ]
    edges += [(f"W2[{j}]", f"h{j + 1} → out", 1.0, y_hid[j], 2.0, 0.0, W2[j, 0]) for j in range(h)]
    ef = pd.DataFrame(edges, columns=["param", "edge", "x", "y", "x2", "y2", "value"])
    for frame, col in ((nf, "bias"), (ef, "value")):
        finite = np.isfinite(frame[col].to_numpy(dtype=float))
        frame["finite"] = finite
        frame.loc[~finite, col] = 0.0
    ef["abs"] = ef["value"].abs()
    ef["sign"] = [_sign(v) for v in ef["value"]]
    ef["label"] = [_num(v) if ok else "not finite" for v, ok in zip(ef["value"], ef["finite"])]
    # Label positions: W1 labels a quarter of the way from the inputs (where crossing edges are
    # still apart), W2 labels halfway to the output.
    t = np.where(ef["param"].str.startswith("W1"), 0.3, 0.5)
    ef["lx"] = ef["x"] + t * (ef["x2"] - ef["x"])
    ef["ly"] = ef["y"] + t * (ef["y2"] - ef["y"])
    nf["sign"] = [_sign(v) if layer != "in" else "zero" for v, layer in zip(nf["bias"], nf["layer"])]
    nf["bias_text"] = [
        "" if layer == "in" else ("b = " + (_num(v) if ok else "not finite"))
        for v, layer, ok in zip(nf["bias"], nf["layer"], nf["finite"])
    ]
    return nf, ef


def _diagram_template(h: int, big: bool, edge_labels: bool) -> dict:
    s = sizes()
    span = max(h, 2)
    height = int(40 + 105 * span) + (25 if big else 0)  # the drawing's own (PLOT_HEIGHT): the legends come below
    xsc = alt.Scale(domain=[-0.3, 2.3], nice=False, zero=False)
    ysc = alt.Scale(domain=[-(span - 1) / 2 - 0.8, (span - 1) / 2 + 0.6], nice=False, zero=False)
    X = alt.X("x:Q", scale=xsc, axis=None)
    Y = alt.Y("y:Q", scale=ysc, axis=None)
    LX = alt.X("lx:Q", scale=xsc, axis=None)
    LY = alt.Y("ly:Q", scale=ysc, axis=None)
    edge_tip = [
        alt.Tooltip("param:N", title="parameter"),
        alt.Tooltip("edge:N", title="connects"),
        alt.Tooltip("value:Q", title="weight", format=".4f"),
    ]
    edges = alt.Chart(named("edges"))
    layers = [
        edges.mark_rule(strokeCap="round", opacity=0.85).encode(
            x=X,
            y=Y,
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color("sign:N", scale=SIGN_SCALE, title="weight sign"),
            strokeWidth=alt.StrokeWidth(
                "abs:Q",
                scale=alt.Scale(type="sqrt", domain=[0, WIDTH_CLAMP], range=[1, 16 if big else 12], clamp=True),
                title="|weight|",
                legend=alt.Legend(values=[1, 4, 10]),
            ),
            tooltip=edge_tip,
        )
    ]
    if edge_labels:
        text = dict(fontSize=s["font"] + 1, fontWeight="bold", dy=-s["font"] * 0.8)
        layers += [
            edges.mark_text(**text, stroke="white", strokeWidth=4).encode(x=LX, y=LY, text="label:N"),
            edges.mark_text(**text).encode(
                x=LX,
                y=LY,
                text="label:N",
                color=alt.Color("sign:N", scale=SIGN_SCALE, title="weight sign"),
                tooltip=edge_tip,
            ),
        ]
    node_tip = [
        alt.Tooltip("name:N", title="node"),
        alt.Tooltip("role:N", title="computes"),
        alt.Tooltip("bias_name:N", title="bias"),
        alt.Tooltip("bias:Q", title="bias value", format=".4f"),
    ]
    nodes = alt.Chart(named("nodes"))
    radius = (s["point"] * 5) ** 0.5 / 2
    layers += [
        nodes.mark_circle(
            size=s["point"] * 5, color="white", stroke="#333333", strokeWidth=s["stroke"], opacity=1
        ).encode(x=X, y=Y, tooltip=node_tip),
        nodes.mark_text(fontSize=s["label"], fontWeight="bold").encode(x=X, y=Y, text="name:N", tooltip=node_tip),
        nodes.mark_text(fontSize=s["font"] + 1, fontWeight="bold", dy=radius + s["font"]).encode(
            x=X,
            y=Y,
            text="bias_text:N",
            color=alt.Color("sign:N", scale=SIGN_SCALE, title="weight sign"),
            tooltip=node_tip,
        ),
        alt.Chart(named("titles")).mark_text(fontSize=s["font"] + 1, color="#444444").encode(x=X, y=Y, text="t:N"),
    ]
    chart = (
        alt.layer(*layers)
        .properties(height=height, width="container", autosize=PLOT_HEIGHT)
        .configure_view(stroke=None)
        # entries one under the other: the two legends side by side, each a row wide, ran past a phone's edge
        .configure_legend(orient="bottom", direction="vertical", labelFontSize=s["font"], titleFontSize=s["font"])
    )
    return to_template(chart)


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_diagram_template(h: int, big: bool, edge_labels: bool) -> dict:
    return _diagram_template(h, big, edge_labels)


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_diagram_frames(key: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    return diagram_frames(MLP.from_key(key))


def cached_diagram_frames(net: MLP) -> tuple[pd.DataFrame, pd.DataFrame]:
    """diagram_frames through st.cache_data (the diagram is redrawn on every rerun of the page)."""
    return _cached_diagram_frames(net.key())


def network_diagram_spec(net: MLP, edge_labels: bool | None = None, big: bool | None = None) -> dict:
    """Vega-Lite spec of the 2-h-1 network (edge values written on the arrows when h ≤ 3), its datasets
    as DataFrames; ``big``: presenter sizes (default: the current mode)."""
    h = net.W[0].shape[1]
    nodes, edges = cached_diagram_frames(net)
    span = max(h, 2)
    titles = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [(span - 1) / 2 + 0.45] * 3})
    titles["t"] = ["Input (2)", f"Hidden ({h})", "Output (1)"]
    big = presenter() if big is None else big
    template = _cached_diagram_template(h, big, h <= 3 if edge_labels is None else edge_labels)
    return with_data(template, edges=edges, nodes=nodes, titles=titles)


# The expander's tables of the diagram's numbers: their columns (renamed) and number formats.
EDGE_TABLE_COLUMNS = {"param": "weight", "edge": "connects", "value": "value"}
BIAS_TABLE_COLUMNS = {"bias_name": "bias", "name": "neuron", "bias": "value"}
VALUE_FORMAT = {"value": st.column_config.NumberColumn(format="%.4f")}


def _table(df: pd.DataFrame, columns: dict) -> pa.Table:
    return pa.Table.from_pandas(df[list(columns)].rename(columns=columns), preserve_index=False)


@st.cache_data(max_entries=128, show_spinner=False)
def _diagram_parts(key: tuple, big: bool) -> tuple[dict, pa.Table, pa.Table]:
    net = MLP.from_key(key)
    spec = network_diagram_spec(net, big=big)
    nodes, edges = spec["datasets"]["nodes"], spec["datasets"]["edges"]
    tables = _table(edges, EDGE_TABLE_COLUMNS), _table(nodes[nodes["layer"] != "in"], BIAS_TABLE_COLUMNS)
    spec["datasets"] = {name: arrow_bytes(df) for name, df in spec["datasets"].items()}
    return spec, *tables


def network_diagram(net: MLP) -> tuple[dict, pa.Table, pa.Table]:
    """(spec, weights table, biases table): ``network_diagram_spec`` with its datasets as Arrow bytes,
    and every weight (weight, connects, value) and bias (bias, neuron, value) as tables for
    ``VALUE_FORMAT``. Cached per (network, presenter mode): a rerun ships cached bytes."""
    return _diagram_parts(net.key(), presenter())


# ----- shared pieces of the two plane charts ------------------------------------------------------------
def heat_frame(values: np.ndarray) -> pd.DataFrame:
    """values (n, n) in [0, 1] indexed [x2, x1] → quantised (i, j, q) rows (see app.charts)."""
    return grid_frame(values, 0.0, 1.0)


def _plane_template(lo: float, hi: float, n: int, value_name: str, titles: tuple, mark: bool, label: bool) -> dict:
    """Heatmap 'heat' + decision line 'line' + points 'points' (+ ✓/✗ or text labels) over [lo, hi]²."""
    s = sizes()
    xs = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    step = (hi - lo) / (n - 1)
    half = step / 2
    heat = (
        alt.Chart(named("heat"))
        .transform_calculate(
            x1a=f"{lo - half} + datum.j * {step}",
            x1b=f"{lo + half} + datum.j * {step}",
            x2a=f"{lo - half} + datum.i * {step}",
            x2b=f"{lo + half} + datum.i * {step}",
            value="datum.q / 255",
        )
        .mark_rect(opacity=0.55)
        .encode(
            x=alt.X("x1a:Q", scale=xs, title=titles[0]),
            x2="x1b:Q",
            y=alt.Y("x2a:Q", scale=xs, title=titles[1]),
            y2="x2b:Q",
            color=alt.Color("value:Q", scale=COLOUR_SCALE, title=value_name, legend=alt.Legend(format=".1f")),
        )
    )
    line = (
        alt.Chart(named("line"))
        .mark_line(color="black", strokeWidth=s["line"])
        .encode(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs), tooltip=alt.Tooltip("what:N", title="line"))
    )
    tip = [
        alt.Tooltip("input:N"),
        alt.Tooltip("XOR:N", title="XOR (target)"),
        alt.Tooltip("z:Q", title="z", format=".3f"),
        alt.Tooltip("output:Q", title="output σ(z)", format=".3f"),
        alt.Tooltip("mark:N", title="right?"),
    ]
    pts = alt.Chart(named("points"))
    P = dict(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=xs))
    layers = [
        heat,
        line,
        pts.mark_point(filled=True, size=s["point"], stroke="black", strokeWidth=s["stroke"], opacity=1).encode(
            **P, color=alt.Color("XOR:N", scale=CLASS_SCALE, title="XOR (class)"), tooltip=tip
        ),
    ]
    if mark:
        layers.append(
            pts.mark_text(dx=s["label"] * 1.3, dy=-s["label"] * 0.9, fontSize=s["label"] + 6, fontWeight="bold").encode(
                **P,
                text="mark:N",
                color=alt.Color(
                    "mark:N", scale=alt.Scale(domain=["✓", "✗"], range=["#1a7f37", "#000000"]), legend=None
                ),
                tooltip=tip,
            )
        )
    if label:
        layers.append(
            pts.mark_text(dy=-s["label"] * 1.5, fontSize=s["font"] + 1, fontWeight="bold").encode(
                **P, text="label:N", tooltip=tip
            )
        )
    chart = alt.layer(*layers).properties(height=360 if not presenter() else 440, width="container")
    return to_template(style(chart.resolve_scale(color="independent")))


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_plane_template(lo, hi, n, value_name, titles, mark, label, big) -> dict:
    return _plane_template(lo, hi, n, value_name, titles, mark, label)


def _line_frame(seg: np.ndarray, what: str) -> pd.DataFrame:
    return pd.DataFrame({"x1": seg[:, 0], "x2": seg[:, 1], "what": what})


def _sigmoid_grid(w1: float, w2: float, b: float, lo: float, hi: float, n: int) -> np.ndarray:
    """σ(w1·x1 + w2·x2 + b) over [lo, hi]² (a single neuron, or the output neuron over the hidden space)."""
    axis = np.linspace(lo, hi, n)
    xx1, xx2 = np.meshgrid(axis, axis)
    return sigmoid(w1 * xx1 + w2 * xx2 + b)


# ----- one neuron --------------------------------------------------------------------------------------
def neuron_points_frame(u1: float, u2: float, c: float) -> pd.DataFrame:
    """The four XOR points with the neuron's z, σ(z), prediction (σ(z) > 0.5, core.decision) and whether it is right."""
    z = neuron_z(u1, u2, c)
    pred = neuron_predict(u1, u2, c)
    target = XOR_Y[:, 0].astype(int)
    return pd.DataFrame(
        {
            "x1": XOR_X[:, 0],
            "x2": XOR_X[:, 1],
            "input": ROW_LABELS,
            "XOR": target,
            "z": z,
            "output": sigmoid(z),
            "prediction": pred,
            "mark": np.where(pred == target, "✓", "✗"),
        }
    )


def single_neuron_spec(
    u1: float, u2: float, c: float, lo: float = -0.5, hi: float = 1.5, big: bool | None = None
) -> dict:
    """σ(u1·x1 + u2·x2 + c) shaded over the plane, its line z = 0 in black, the XOR points marked ✓/✗.
    Datasets as DataFrames; ``big``: presenter sizes (default: the current mode)."""
    big = presenter() if big is None else big
    template = _cached_plane_template(
        lo, hi, GRID_N, "neuron output σ(z)", ("x1 (input 1)", "x2 (input 2)"), True, False, big
    )
    return with_data(
        template,
        heat=heat_frame(_sigmoid_grid(u1, u2, c, lo, hi, GRID_N)),
        line=_line_frame(line_segment(u1, u2, c, (lo, hi, lo, hi)), "the neuron's line z = 0"),
        points=neuron_points_frame(u1, u2, c),
    )


# The four points as a table: columns (renamed) and number formats.
POINTS_TABLE_COLUMNS = {"input": "input", "XOR": "XOR", "z": "z", "output": "σ(z)", "prediction": "prediction"}
POINTS_TABLE_COLUMNS["mark"] = "right?"
POINTS_TABLE_FORMATS = {c: st.column_config.NumberColumn(format="%.3f") for c in ("z", "σ(z)")}


@st.cache_data(max_entries=512, show_spinner=False)
def _neuron_parts(u1: float, u2: float, c: float, big: bool) -> tuple[dict, pa.Table]:
    spec = single_neuron_spec(u1, u2, c, big=big)
    table = _table(spec["datasets"]["points"], POINTS_TABLE_COLUMNS)
    spec["datasets"] = {name: arrow_bytes(df) for name, df in spec["datasets"].items()}
    return spec, table


def single_neuron(u1: float, u2: float, c: float) -> tuple[dict, pa.Table]:
    """(spec, points table): ``single_neuron_spec`` with its datasets as Arrow bytes, and the four
    points (input, XOR, z, σ(z), prediction, right?) as a table for ``POINTS_TABLE_FORMATS``.
    Cached per (u1, u2, c, presenter mode), shared by every student who tries the same numbers."""
    return _neuron_parts(float(u1), float(u2), float(c), presenter())


# ----- the hidden layer's view --------------------------------------------------------------------------
def hidden_space_frame(net: MLP) -> pd.DataFrame:
    """For a 2-2-1 net: each XOR input placed at (a1[0], a1[1]), with its z2, output a2 and class.

    Inputs the hidden layer sends to (almost) the same spot share one label, e.g. "[0 1] [1 0]".
    """
    fwd = net.forward(XOR_X)
    a1, z2, a2 = fwd.a[1], fwd.z[2][:, 0], fwd.a[2][:, 0]
    span = max(float(np.ptp(a1)), 1.0)
    labels = list(ROW_LABELS)
    for i in range(len(labels)):
        for k in range(i):
            if labels[k] and np.linalg.norm(a1[i] - a1[k]) < 0.12 * span:
                labels[k] = f"{labels[k]} {labels[i]}"
                labels[i] = ""
                break
    target = XOR_Y[:, 0].astype(int)
    pred = predicts_one(a2).astype(int)
    return pd.DataFrame(
        {
            "x1": a1[:, 0],
            "x2": a1[:, 1],
            "input": ROW_LABELS,
            "label": labels,
            "XOR": target,
            "z": z2,
            "output": a2,
            "mark": np.where(pred == target, "✓", "✗"),
        }
    )


def hidden_space_box(net: MLP, points: np.ndarray) -> tuple[float, float]:
    """A square view holding the activation's range (σ: 0..1) and the points."""
    act = get_activation(net.hidden)
    lo = float(min(act.f(np.array(-50.0)), points.min(), 0.0)) - 0.15
    hi = float(max(1.0, points.max())) + 0.15
    if hi - lo > 40:  # unbounded activations (ReLU): keep the view on the points
        lo, hi = float(points.min()) - 1.0, float(points.max()) + 1.0
    return round(lo, 2), round(hi, 2)


def hidden_space_spec(net: MLP) -> dict:
    """The four inputs where the two hidden neurons put them, the output neuron's own line
    W2[0]·a1[0] + W2[1]·a1[1] + b2 = 0 and its output σ(z2) as shading. Needs a finite 2-2-1 net.
    Datasets as Arrow bytes (see ``hidden_space``)."""
    return hidden_space(net)[0]


# The hidden space's points as a table: columns (renamed) and number formats.
HIDDEN_TABLE_COLUMNS = {"input": "input", "x1": "a1[0]", "x2": "a1[1]", "output": "a2", "XOR": "XOR"}
HIDDEN_TABLE_FORMATS = {c: st.column_config.NumberColumn(format="%.3f") for c in ("a1[0]", "a1[1]", "a2")}


def hidden_space(net: MLP) -> tuple[dict, pa.Table, list[str]]:
    """(spec, points table, shared spots): the hidden-space chart with its datasets as Arrow bytes,
    the four points (input, a1[0], a1[1], a2, XOR) as a table for ``HIDDEN_TABLE_FORMATS``, and the
    labels of inputs that land on (almost) the same spot ("[0 1] [1 0]"). Cached per (network,
    presenter mode)."""
    return _cached_hidden_space(net.key(), presenter())


@st.cache_data(max_entries=64, show_spinner=False)
def _cached_hidden_space(key: tuple, big: bool) -> tuple[dict, pa.Table, list[str]]:
    net = MLP.from_key(key)
    df = hidden_space_frame(net)
    lo, hi = hidden_space_box(net, df[["x1", "x2"]].to_numpy())
    w, bb = net.W[1][:, 0], float(net.b[1][0, 0])
    template = _cached_plane_template(
        lo, hi, GRID_N, "output a2", ("a1[0] — hidden neuron 1", "a1[1] — hidden neuron 2"), False, True, big
    )
    spec = with_data(
        template,
        heat=arrow_bytes(heat_frame(_sigmoid_grid(w[0], w[1], bb, lo, hi, GRID_N))),
        line=arrow_bytes(
            _line_frame(line_segment(w[0], w[1], bb, (lo, hi, lo, hi)), "the output neuron's line z2 = 0")
        ),
        points=arrow_bytes(df),
    )
    merged = [lab for lab in df["label"] if "] [" in lab]
    return spec, _table(df, HIDDEN_TABLE_COLUMNS), merged


# ----- warming the default view's caches ------------------------------------------------------------------
def warm() -> None:
    """Fill the caches the Architecture page's default view uses (the notes' network at width 2, the
    single neuron at its default sliders, normal mode) through the same cached functions; draws
    nothing, touches no session."""
    try:
        net = MLP.from_dict(notes_weights())
        network_diagram(net)
        single_neuron(*NEURON_DEFAULTS)
        hidden_space(net)
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page computes what is missing
        pass
