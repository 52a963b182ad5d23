"""Chart builders and cached computations for the Vanishing-gradient page.

Building and validating an Altair chart costs tens of milliseconds, so every chart here is built
once per set of inputs: the ``spec_*`` functions are ``st.cache_data`` and return the finished
Vega-Lite dict (keyed on the presenter flag too, so presenter mode gets its larger fonts). Warm
reruns then only look specs up and send them. The per-layer histograms, which change with the
"look inside" slider, share two layouts: Altair builds each layout once (``_hist_template``) and
every layer only swaps in its data, titles and colour (``hist_spec``, equal to a full build).

``warm()`` fills the caches of the page's default view once per server process (no st.* elements,
no session state), so the first student after a deploy does not wait for two deep networks to train.

No chart receives NaN or inf: values a log axis cannot show (0, inf, NaN) are dropped here and the
page says so (``dropped_*`` helpers count them).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app.charts import PLOT_HEIGHT, sizes, style
from app.names import ACTIVATION_NAMES, FLOW_INIT_NAMES, PRESET_NAMES
from app.ui import GREY
from core.activations import ACTIVATIONS, SATURATED
from core.flow import (
    BINS,
    DERIVATIVE,
    FLOW_ACTIVATIONS,
    PRESETS,
    FlowReport,
    MeanField,
    TrainResult,
    batch,
    curves,
    dead_words,
    deep_network,
    derivative_powers,
    gradient_flow,
    mean_field,
    saturation_intervals,
    train_deep,
    weight_scale,
    zero_input_factor,
)

# Series colours: never the class colours (red/blue mean class 1/0 everywhere in the app).
DZ_COLOUR = "#5e3c99"  # ‖∂L/∂z‖, the back-propagated gradient; also every f'(z)
DW_COLOUR = "#e08214"  # ‖∂L/∂W‖
F_COLOUR = "#333333"  # the activation itself
SHADE = "#f4a582"  # where the derivative is below 1 % of its peak (light, behind everything)
ACT_COLOURS = {"sigmoid": "#333333", "tanh": "#e08214", "relu": "#5e3c99", "leaky_relu": "#1b7837"}
RUN_COLOURS = ["#333333", "#e08214"]
Z_RANGE = (-8.0, 8.0)
Y_DOMAINS = {"sigmoid": [-0.05, 1.05], "tanh": [-1.1, 1.1], "relu": [-0.6, 3.0], "leaky_relu": [-0.6, 3.0]}


VALIDATE = False  # Altair's schema check costs ~0.3 s a chart; tests/test_page_vanishing_gradient.py runs it
INLINE_ROWS = 24  # frames up to this size travel inside the spec as JSON; larger ones as Arrow


def _h(height: int) -> int:
    """A chart height that grows with the font (presenter mode), so the plot itself keeps its room."""
    return round(height * sizes()["font"] / 12)


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """A frame as Arrow IPC stream bytes: what Streamlit ships for a named dataset.

    All-numeric frames (the histograms, redrawn for every layer) go straight from NumPy to Arrow:
    pandas' converter and its metadata cost ~1.5 ms a frame, ten times the conversion itself."""
    if all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_extension_array_dtype(t) for t in df.dtypes):
        return _ipc(pa.table({str(c): df[c].to_numpy() for c in df.columns}))
    return _ipc(pa.Table.from_pandas(df, preserve_index=False))


def _spec(chart) -> dict:
    """The styled chart as a Vega-Lite dict, cheap to draw again and again.

    Tiny frames (a rule, a label) are inlined as JSON values; larger ones become named datasets held
    as Arrow IPC bytes, which Streamlit passes straight on (no pandas → Arrow conversion per rerun).
    """
    datasets = {}

    def swap(obj) -> None:
        data = getattr(obj, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            if len(data) <= INLINE_ROWS:
                obj.data = alt.InlineData(values=data.to_dict(orient="records"))
            else:
                name = f"d{len(datasets)}"
                datasets[name] = arrow_bytes(data)
                obj.data = alt.NamedData(name)
        for sub in getattr(obj, "layer", None) or []:
            swap(sub)

    chart = style(chart)  # a fresh chart from a builder: safe to modify in place
    swap(chart)
    spec = chart.to_dict(validate=VALIDATE)
    inline = spec.pop("datasets", {})  # Altair moves inline values up here; put them back in their layer

    def restore(obj: dict) -> None:
        data = obj.get("data")
        if isinstance(data, dict) and data.get("name") in inline:
            obj["data"] = {"values": inline[data["name"]]}
        for sub in obj.get("layer", []):
            restore(sub)

    restore(spec)
    spec["datasets"] = datasets
    return spec


# ----- the page's default settings (its widgets and warm() both read them) ----------------------
DERIV_DEFAULT = {"z": 0.0, "n": 10}
EXPLORER_DEFAULT = {"depth": 20, "width": 64, "act": "sigmoid", "init": "xavier_uniform", "data": "xor", "seed": 0}
TRAIN_DEFAULT = {"width": 8, "epochs": 2000, "seed": 0}
# network -> (hidden layers, activation, initialiser, learning rate). A contrast changes one thing: A and B
# differ only in the activation. Xavier uniform for both: over seeds 0–19 (width 8, 2,000 epochs) the
# sigmoid network solved XOR in 0 runs, the ReLU one in 18 (tests/test_page_vanishing_gradient.py checks a few).
NETWORK_DEFAULT = {"a": (10, "sigmoid", "xavier_uniform", 0.1), "b": (10, "relu", "xavier_uniform", 0.1)}
# the per-network settings in train_cfg's order, named as the page's controls are
NETWORK_KNOBS = {0: "hidden layers", 2: "activation", 3: "initialiser", 4: "learning rate"}


def explorer_cfg(depth: int, width: int, act: str, init: str, data: str, seed: int) -> tuple:
    """The explorer's settings as the key every cached function of this module takes."""
    return int(depth), int(width), str(act), str(init), str(data), int(seed)


def train_cfg(depth: int, width: int, act: str, init: str, lr: float, epochs: int, seed: int) -> tuple:
    """One "does it train?" network's settings, in train_result's argument order."""
    return int(depth), int(width), str(act), str(init), float(lr), int(epochs), int(seed)


def default_train_cfgs() -> dict[str, tuple]:
    t = TRAIN_DEFAULT
    return {
        side: train_cfg(depth, t["width"], act, init, lr, t["epochs"], t["seed"])
        for side, (depth, act, init, lr) in NETWORK_DEFAULT.items()
    }


# ----- cached computations --------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def flow_report(depth: int, width: int, act: str, init: str, data: str, seed: int) -> FlowReport:
    """core.flow.gradient_flow for one explorer setting."""
    return gradient_flow(deep_network(depth, width, act, init, seed), *batch(data, seed))


# No spinner here: warm() calls it from a thread without a page; the page shows its own spinner.
@st.cache_data(max_entries=32, show_spinner=False)
def train_result(
    depth: int, width: int, act: str, init: str, lr: float, epochs: int, seed: int, _elsewhere=None
) -> TrainResult:
    """Left out of the cache key (as every argument starting with _), for warm(): _elsewhere, the same
    train_deep call's result from a child process (None: compute here)."""
    done = _elsewhere.next() if _elsewhere is not None else None
    return done if isinstance(done, TrainResult) else train_deep(depth, width, act, init, lr, epochs, seed)


def run_label(side: str, cfg: tuple) -> str:
    """'A: 10 × Sigmoid, N(0, 1), lr 0.1' for network ``side`` with train_cfg ``cfg``."""
    depth, _, act, init, lr = cfg[:5]
    return f"{side.upper()}: {depth} × {ACTIVATION_NAMES[act]}, {FLOW_INIT_NAMES[init]}, lr {lr:g}"


def differences(cfg_a: tuple, cfg_b: tuple) -> list[str]:
    """The settings in which two train_cfg tuples differ, named as the page's controls are."""
    return [name for i, name in NETWORK_KNOBS.items() if cfg_a[i] != cfg_b[i]]


def run_labels(cfg_a: tuple, cfg_b: tuple) -> dict[str, str]:
    """Both legend labels; B says when it is the same network as A (the legend needs distinct labels)."""
    labels = {"a": run_label("a", cfg_a), "b": run_label("b", cfg_b)}
    if labels["a"][3:] == labels["b"][3:]:
        labels["b"] += " (same as A)"
    return labels


# ----- activation derivatives -----------------------------------------------------------------
def activation_frame(name: str) -> pd.DataFrame:
    c = curves((name,), *Z_RANGE)
    a, d = c[name]
    sym = DERIVATIVE[name].replace("(z)", "")
    f_label = sym.replace("'", "")
    df = pd.concat(
        [
            pd.DataFrame({"z": c["z"], "value": a, "curve": f"{f_label}(z)"}),
            pd.DataFrame({"z": c["z"], "value": d, "curve": f"{sym}(z)"}),
        ],
        ignore_index=True,
    )
    df["curve"] = pd.Categorical(df["curve"], categories=[f"{f_label}(z)", f"{sym}(z)"])
    return df


def z_rule_row(name: str, z_sel: float) -> dict:
    act = ACTIVATIONS[name]
    a = float(act.f(np.array(z_sel)))
    return {"z": float(z_sel), "f": a, "df": float(act.df(np.array(z_sel), np.array(a)))}


def shade_rows(name: str) -> list[dict]:
    return [
        {"from": lo, "to": hi, "what": "saturated: derivative < 1 % of peak"}
        for lo, hi in saturation_intervals(name, *Z_RANGE)
    ]


def peak_row(name: str, df: pd.DataFrame) -> dict:
    """Where activation_frame's derivative curve first reaches its largest value, and that value."""
    deriv = df[df["curve"] == df["curve"].cat.categories[1]]
    z_peak = float(deriv["z"].iloc[int(np.argmax(deriv["value"].to_numpy()))])
    peak = ACTIVATIONS[name].peak
    return {"z": z_peak, "value": peak, "label": f"peak {peak:g}"}


def activation_chart(name: str, z_sel: float = 0.0) -> alt.LayerChart:
    """f and f' over z, saturation shaded, the derivative's peak marked, a rule (layer "zrule") at z_sel."""
    s = sizes()
    act = ACTIVATIONS[name]
    df = activation_frame(name)
    labels = list(dict.fromkeys(df["curve"]))
    y_dom = Y_DOMAINS[name]
    xs = alt.Scale(domain=list(Z_RANGE), nice=False)
    ys = alt.Scale(domain=y_dom, nice=False)
    layers = [  # the saturation zones: none for leaky ReLU (an empty layer keeps every chart's layout alike)
        alt.Chart(pd.DataFrame(shade_rows(name), columns=["from", "to", "what"]))
        .mark_rect(color=SHADE, opacity=0.35)
        .encode(
            x=alt.X("from:Q", scale=xs),
            x2="to:Q",
            tooltip=[
                alt.Tooltip("what:N", title="shaded"),
                alt.Tooltip("from:Q", format=".2f"),
                alt.Tooltip("to:Q", format=".2f"),
            ],
        )
    ]
    layers.append(
        alt.Chart(df)
        .mark_line(strokeWidth=s["line"], clip=True)
        .encode(
            x=alt.X("z:Q", scale=xs, title="z"),
            y=alt.Y("value:Q", scale=ys, title=None),
            color=alt.Color(
                "curve:N",
                scale=alt.Scale(domain=labels, range=[F_COLOUR, DZ_COLOUR]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),  # one row each: fits a phone
            ),
            strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=labels, range=[[1, 0], [6, 3]]), legend=None),
            tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("value:Q", format=".4f")],
        )
    )
    peak = pd.DataFrame([peak_row(name, df)])
    layers.append(
        alt.Chart(peak)
        .mark_point(shape="diamond", filled=True, size=s["point"] / 2, color=DZ_COLOUR)
        .encode(x=alt.X("z:Q", scale=xs), y=alt.Y("value:Q", scale=ys), tooltip=["label:N"])
    )
    layers.append(
        alt.Chart(peak)
        .mark_text(align="left", dx=8, dy=-10, fontSize=s["font"], color=DZ_COLOUR, fontWeight="bold")
        .encode(x=alt.X("z:Q", scale=xs), y=alt.Y("value:Q", scale=ys), text="label:N")
    )
    layers.append(
        alt.Chart(pd.DataFrame([z_rule_row(name, z_sel)]))
        .mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x=alt.X("z:Q", scale=xs),
            tooltip=[
                alt.Tooltip("z:Q", format=".2f"),
                alt.Tooltip("f:Q", title="f(z)", format=".4f"),
                alt.Tooltip("df:Q", title="f'(z)", format=".4g"),
            ],
        )
        .properties(name="zrule")
    )
    title = f"{ACTIVATION_NAMES[act.name]} and its derivative"
    return alt.layer(*layers).properties(title=title, height=_h(150), width="container", autosize=PLOT_HEIGHT)


@st.cache_data(max_entries=4, show_spinner=False)
def _activation_template(presenter: bool) -> dict:
    """The sigmoid's activation_chart spec: the four charts share one layout and differ only in
    data, labels, y range and title, so one Altair build (~75 ms) serves all four."""
    return _spec(activation_chart("sigmoid"))


def activation_spec(name: str, template: dict) -> dict:
    """The same dict as ``_spec(activation_chart(name))``, from the template (tests check it)."""
    spec = copy.deepcopy(template)
    df = activation_frame(name)
    labels = list(df["curve"].cat.categories)
    shade, line, point, text, rule = spec["layer"]
    shade["data"] = {"values": shade_rows(name)}
    for channel in ("color", "strokeDash"):
        line["encoding"][channel]["scale"]["domain"] = labels
    for layer in (line, point, text):
        layer["encoding"]["y"]["scale"]["domain"] = list(Y_DOMAINS[name])
    point["data"] = {"values": [peak_row(name, df)]}
    text["data"] = copy.deepcopy(point["data"])
    rule["data"] = {"values": [z_rule_row(name, 0.0)]}
    spec["title"] = f"{ACTIVATION_NAMES[name]} and its derivative"
    spec["datasets"] = {next(iter(template["datasets"])): arrow_bytes(df)}
    return spec


@st.cache_data(max_entries=16, show_spinner=False)
def _activation_base(name: str, presenter: bool) -> dict:
    return activation_spec(name, _activation_template(presenter))


def spec_activation(name: str, z_sel: float, presenter: bool) -> dict:
    """The cached chart with its z rule moved to z_sel (only that one-row layer changes with the slider)."""
    spec = _activation_base(name, presenter)  # a fresh copy: st.cache_data unpickles each time
    rule = next(layer for layer in spec["layer"] if layer.get("name") == "zrule")
    rule["data"] = {"values": [z_rule_row(name, z_sel)]}
    return spec


def powers_frame(z: float, n: int) -> tuple[pd.DataFrame, list[str]]:
    """f'(z)^k for k = 1..n per activation; zeros (log axis) dropped, named in the second value."""
    parts, dropped = [], []
    for row in derivative_powers(z, n):
        k = np.arange(1, n + 1)
        keep = np.isfinite(row.power) & (row.power > 0)
        if not keep.all():
            dropped.append(ACTIVATION_NAMES[row.name])
        parts.append(
            pd.DataFrame({"layers": k[keep], "product": row.power[keep], "activation": ACTIVATION_NAMES[row.name]})
        )
    return pd.concat(parts, ignore_index=True), dropped


def powers_chart(z: float, n: int) -> alt.Chart:
    s = sizes()
    df, _ = powers_frame(z, n)
    names = [ACTIVATION_NAMES[k] for k in ACT_COLOURS]
    return (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X("layers:Q", title="layers n", axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("product:Q", title="f'(z)ⁿ (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
            color=alt.Color(
                "activation:N",
                scale=alt.Scale(domain=names, range=list(ACT_COLOURS.values())),
                legend=alt.Legend(title=None, orient="bottom", columns=2),  # one row runs past a phone's edge
            ),
            tooltip=[
                alt.Tooltip("activation:N"),
                alt.Tooltip("layers:Q"),
                alt.Tooltip("product:Q", title="f'(z)ⁿ", format=".4g"),
            ],
        )
        .properties(
            title=f"What n layers at z = {z:g} multiply a gradient by",
            height=_h(170),
            width="container",
            autosize=PLOT_HEIGHT,  # the legend's rows come on top of the plot
        )
    )


@st.cache_data(max_entries=256, show_spinner=False)
def spec_powers(z: float, n: int, presenter: bool) -> dict:
    return _spec(powers_chart(z, n))


# ----- gradient flow --------------------------------------------------------------------------
def dropped_norms(r: FlowReport) -> int:
    """How many norms the log-axis flow chart leaves out (0, inf or NaN)."""
    v = np.r_[r.dz_norm, r.dW_norm]
    return int(np.sum(~(np.isfinite(v) & (v > 0))))


def zero_powers(z: float, n: int) -> list[str]:
    """Activations whose f'(z)^k is 0 (or underflows) for some k ≤ n: left off the log-axis chart."""
    return [ACTIVATION_NAMES[r.name] for r in derivative_powers(z, n) if not np.all(r.power > 0)]


def dropped_losses(runs: dict[str, TrainResult]) -> int:
    return int(sum(np.sum(~(np.isfinite(r.loss) & (r.loss > 0))) for r in runs.values()))


def flow_frame(r: FlowReport) -> tuple[pd.DataFrame, int]:
    """Long frame (layer, quantity, norm, log10) of positive finite norms, and how many were dropped."""
    L = r.n_layers
    layers = np.arange(1, L + 1)
    parts = []
    for name, v in (("‖∂L/∂z‖ back-propagated", r.dz_norm), ("‖∂L/∂W‖ weight gradient", r.dW_norm)):
        parts.append(pd.DataFrame({"layer": layers, "quantity": name, "norm": v}))
    df = pd.concat(parts, ignore_index=True)
    ok = np.isfinite(df["norm"]) & (df["norm"] > 0)
    kept = df[ok].copy()
    kept["log10"] = np.log10(kept["norm"])
    return kept.reset_index(drop=True), int((~ok).sum())


def flow_chart(r: FlowReport, height: int | None = None, legend: str = "bottom") -> alt.Chart:
    """The norms per layer on a log axis; ``height`` (px, with title, axes and legend) and the legend's
    place ("bottom", "top") let presenter mode fit it beside the key numbers on one screen."""
    s = sizes()
    df, _ = flow_frame(r)
    L = r.n_layers
    domain = list(dict.fromkeys(["‖∂L/∂z‖ back-propagated", "‖∂L/∂W‖ weight gradient"]))

    return (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=s["point"] / 4), strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X(
                "layer:Q",
                # presenter mode's larger font: a shorter title still fits a phone-wide chart
                title=f"layer l  (1 = first hidden … {L} = output)" if height is None else f"layer (1 … {L} = output)",
                scale=alt.Scale(domain=[1, L], nice=False),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("norm:Q", title="norm (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
            color=alt.Color(
                "quantity:N",
                scale=alt.Scale(domain=domain, range=[DZ_COLOUR, DW_COLOUR]),
                legend=alt.Legend(title=None, orient=legend, labelLimit=300, direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("quantity:N"),
                alt.Tooltip("layer:Q"),
                alt.Tooltip("norm:Q", format=".3e"),
                alt.Tooltip("log10:Q", title="log10", format=".2f"),
            ],
        )
        .properties(title="Gradient norms per layer", height=height or _h(360), width="container")
    )


def shares_frame(r: FlowReport) -> pd.DataFrame:
    """Per hidden layer (0..1): saturated / inactive entries, dead units, and the mean derivative ÷ its peak."""
    layers = np.arange(1, r.n_layers)
    peak = ACTIVATIONS[r.hidden].peak
    d = DERIVATIVE[r.hidden]
    series = {f"mean {d} ÷ peak {peak:g}": r.mean_dact / peak}
    dead = f"dead unit: {dead_words(r.n_examples)} of the batch"
    if r.hidden == "relu":
        series["inactive: ReLU'(z) = 0"] = r.saturated
        series[dead] = r.dead
    elif r.hidden == "leaky_relu":
        series[dead] = r.dead
    else:
        series[f"saturated: {d} < 1 % of peak"] = r.saturated
    parts = [
        pd.DataFrame({"layer": layers, "what": k, "share": np.clip(np.nan_to_num(v, nan=0.0), 0, 1)})
        for k, v in series.items()
    ]
    return pd.concat(parts, ignore_index=True)


def shares_chart(r: FlowReport, height: int | None = None) -> alt.Chart:
    s = sizes()
    df = shares_frame(r)
    labels = list(dict.fromkeys(df["what"]))
    last = max(r.n_layers - 1, 2)
    return (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X(
                "layer:Q",
                title="hidden layer",
                scale=alt.Scale(domain=[1, last], nice=False),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=labels, range=[F_COLOUR, DZ_COLOUR, DW_COLOUR][: len(labels)]),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=300, direction="vertical"),
            ),
            tooltip=[alt.Tooltip("what:N"), alt.Tooltip("layer:Q"), alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(title="Shares per hidden layer", height=height or _h(380), width="container")
    )


def hist_columns(edges: np.ndarray, counts: np.ndarray) -> dict[str, np.ndarray]:
    """A histogram's bars: from, to (B,), count (B,) int, share (B,) of all values."""
    total = max(int(np.sum(counts)), 1)
    return {"from": edges[:-1], "to": edges[1:], "count": counts.astype(int), "share": counts / total}


def hist_frame(edges: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(hist_columns(edges, counts))


def hist_chart(edges: np.ndarray, counts: np.ndarray, title: str, x_title: str, colour: str, rule: float | None):
    s = sizes()
    df = hist_frame(edges, counts)
    bars = (
        alt.Chart(df)
        .mark_rect(color=colour, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("from:Q", title=x_title, scale=alt.Scale(nice=False, zero=False), axis=alt.Axis(format="~g")),
            x2="to:Q",
            y=alt.Y("share:Q", title="share of values", axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("from:Q", format=".4g"),
                alt.Tooltip("to:Q", format=".4g"),
                alt.Tooltip("count:Q"),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
    )
    layers = [bars]
    if rule is not None:
        rf = pd.DataFrame({"x": [rule], "what": ["1 % of the peak: below it counts as saturated"]})
        layers.append(
            alt.Chart(rf)
            .mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=s["stroke"])
            .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("x:Q", format=".4g")])
        )
    return alt.layer(*layers).properties(title=title, height=_h(240), width="container")


PRESENTER_FLOW_HEIGHT = 450  # px beside the key numbers on a 1280×720 projector's first screen


@st.cache_data(max_entries=128, show_spinner=False)
def spec_flow(cfg: tuple, presenter: bool) -> dict:
    if presenter:
        return _spec(flow_chart(flow_report(*cfg), PRESENTER_FLOW_HEIGHT, legend="top"))
    return _spec(flow_chart(flow_report(*cfg)))


@st.cache_data(max_entries=128, show_spinner=False)
def spec_shares(cfg: tuple, presenter: bool) -> dict:
    return _spec(shares_chart(flow_report(*cfg), 450 if presenter else None))


_T_TITLE, _T_X, _T_COLOUR = "\x00title\x00", "\x00x\x00", "#010203"  # placeholders in a histogram template


@st.cache_data(max_entries=8, show_spinner=False)
def _hist_template(presenter: bool, with_rule: bool) -> dict:
    """hist_chart's spec with placeholder title, x title, colour, data and rule position. Every
    histogram of every layer has one of these two layouts, so Altair builds (~30 ms each) happen
    once per presenter flag instead of three times per layer."""
    edges = np.linspace(0.0, 1.0, BINS + 1)
    return _spec(hist_chart(edges, np.ones(BINS), _T_TITLE, _T_X, _T_COLOUR, 0.0 if with_rule else None))


def _substitute(obj, subs: dict):
    """A copy of a JSON-like ``obj`` with every string that is a key of ``subs`` replaced."""
    if isinstance(obj, str):
        return subs.get(obj, obj)
    if isinstance(obj, dict):
        return {k: _substitute(v, subs) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_substitute(v, subs) for v in obj]
    return obj


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def hist_spec(
    edges: np.ndarray,
    counts: np.ndarray,
    title: str,
    x_title: str,
    colour: str,
    rule: float | None,
    presenter: bool,
    template: dict | None = None,
) -> dict:
    """The same dict as ``_spec(hist_chart(edges, counts, title, x_title, colour, rule))``, from the
    cached template (tests check they are equal): only the data, the titles, the colour and the
    rule's position change from one layer to the next. ``template``: _hist_template's, if at hand."""
    cols = hist_columns(edges, counts)
    if len(cols["count"]) <= INLINE_ROWS:  # _spec would inline it: a layout of its own (core uses BINS bins)
        return _spec(hist_chart(edges, counts, title, x_title, colour, rule))
    template = template or _hist_template(presenter, rule is not None)
    spec = _substitute(template, {_T_TITLE: title, _T_X: x_title, _T_COLOUR: colour})
    (name,) = spec["datasets"]  # the bars' data: on their layer, or on the whole chart when it has one layer
    spec["datasets"] = {name: _ipc(pa.table(cols))}  # = arrow_bytes(hist_frame(...)), without pandas
    if rule is not None:
        spec["layer"][1]["data"]["values"][0]["x"] = float(rule)
    return spec


def layer_hist_specs(r: FlowReport, layer: int, presenter: bool) -> list[dict]:
    """Three specs for hidden layer ``layer``: a_l, W_l and f'(z_l)."""
    act = ACTIVATIONS[r.hidden]
    d = DERIVATIVE[r.hidden]
    a, w, da = r.act_hist[layer - 1], r.weight_hist[layer - 1], r.dact_hist[layer - 1]
    plain, ruled = _hist_template(presenter, False), _hist_template(presenter, True)
    return [
        hist_spec(a.edges, a.counts, f"Activations a{layer}", f"a{layer}", F_COLOUR, None, presenter, plain),
        hist_spec(
            w.edges, w.counts, f"Weights W{layer}", f"W{layer} (into layer {layer})", DW_COLOUR, None, presenter, plain
        ),
        hist_spec(da.edges, da.counts, f"Derivative {d}", d, DZ_COLOUR, SATURATED * act.peak, presenter, ruled),
    ]


@dataclass
class LayerView:
    """Everything the "look inside a layer" section shows for one hidden layer."""

    specs: list  # three Vega-Lite dicts: a_l, W_l, f'(z_l)
    table: pd.DataFrame  # the three histograms as rows (hist_table)
    act_std: float
    weight_std: float
    mean_dact: float
    saturated: float  # share of (example, unit) entries below 1 % of the peak (ReLU: inactive)
    dead: float  # share of units that are 0 for every example of the batch
    n_examples: int  # the batch's size N: "dead" is measured on these N examples only
    dropped: int  # non-finite values left out of the three histograms


@st.cache_data(max_entries=512, show_spinner=False)
def layer_view(cfg: tuple, layer: int, presenter: bool) -> LayerView:
    """The section's charts, table and numbers for hidden ``layer`` (1..L−1) of explorer setting ``cfg``."""
    r = flow_report(*cfg)
    i = layer - 1
    return LayerView(
        specs=layer_hist_specs(r, layer, presenter),
        table=hist_table(r, layer),
        act_std=float(r.act_std[i]),
        weight_std=float(r.weight_std[i]),
        mean_dact=float(r.mean_dact[i]),
        saturated=float(r.saturated[i]),
        dead=float(r.dead[i]),
        n_examples=r.n_examples,
        dropped=r.act_hist[i].dropped + r.dact_hist[i].dropped + r.weight_hist[i].dropped,
    )


# ----- does it train? -------------------------------------------------------------------------
def loss_frame(runs: dict[str, TrainResult]) -> tuple[pd.DataFrame, int]:
    """Long frame (epoch, loss, run); losses that are not positive and finite are dropped (counted)."""
    parts, dropped = [], 0
    for label, r in runs.items():
        ok = np.isfinite(r.loss) & (r.loss > 0)
        dropped += int((~ok).sum())
        parts.append(pd.DataFrame({"epoch": r.epochs[ok].astype(np.int32), "loss": r.loss[ok], "run": label}))
    df = pd.concat(parts, ignore_index=True)
    df["run"] = df["run"].astype("category")  # Arrow stores each long label once, not once per point
    return df, dropped


def loss_chart(runs: dict[str, TrainResult], epochs: int) -> alt.LayerChart:
    """Both runs' loss on a log axis, with ln 2 marked: the loss of answering 0.5 for every example."""
    s = sizes()
    df, _ = loss_frame(runs)
    labels = list(runs)
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, epochs], nice=False)),
            y=alt.Y("loss:Q", title="loss (BCE, log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
            color=alt.Color(
                "run:N",
                scale=alt.Scale(domain=labels, range=RUN_COLOURS[: len(labels)]),
                # each label on three lines: "A: 10 × Sigmoid", "N(0, 1)", "lr 0.1" (one line runs past a
                # phone's edge when projected; the initialiser's own name may hold a comma)
                legend=alt.Legend(
                    title=None,
                    orient="bottom",
                    labelLimit=500,
                    direction="vertical",
                    labelExpr="[slice(datum.label, 0, indexof(datum.label, ', ')), "
                    "slice(datum.label, indexof(datum.label, ', ') + 2, lastindexof(datum.label, ', ')), "
                    "slice(datum.label, lastindexof(datum.label, ', ') + 2)]",
                ),
            ),
            tooltip=[alt.Tooltip("run:N"), alt.Tooltip("epoch:Q"), alt.Tooltip("loss:Q", format=".4g")],
        )
    )
    ln2 = pd.DataFrame({"loss": [float(np.log(2.0))], "what": ["ln 2: the loss of answering 0.5 for everything"]})
    rule = (
        alt.Chart(ln2)
        .mark_rule(color=GREY, strokeDash=[6, 4], strokeWidth=s["stroke"])
        .encode(y="loss:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("loss:Q", format=".4f")])
    )
    return alt.layer(rule, lines).properties(title="Loss on XOR while training", height=_h(360), width="container")


@st.cache_data(max_entries=32, show_spinner=False)
def spec_loss(cfg_a: tuple, cfg_b: tuple, epochs: int, presenter: bool) -> dict:
    labels = run_labels(cfg_a, cfg_b)
    runs = {labels["a"]: train_result(*cfg_a), labels["b"]: train_result(*cfg_b)}
    return _spec(loss_chart(runs, epochs))


# ----- tables (the text alternatives beside the charts) ----------------------------------------
def derivative_table(rows: list, power: str) -> pd.DataFrame:
    """One row per activation at the chosen z: f, f', its peak, f'/peak, saturated?, f'^n (column f"f'(z){power}")."""
    return pd.DataFrame(
        {
            "activation": [ACTIVATION_NAMES[r.name] for r in rows],
            "f(z)": [r.value for r in rows],
            "f'(z)": [r.slope for r in rows],
            "peak": [r.peak for r in rows],
            "f'(z) ÷ peak": [r.slope / r.peak for r in rows],
            "saturated": ["yes" if r.saturated else "no" for r in rows],
            f"f'(z){power}": [r.through_n for r in rows],
        }
    )


NUMBER_FORMATS = {
    "layer": "%d",
    "units": "%d",
    "‖∂L/∂W‖": "%.3e",
    "‖∂L/∂z‖": "%.3e",
    "std(W)": "%.4g",
    "‖dz_l‖ ÷ ‖dz_l+1‖": "%.4g",
    "saturated": "percent",
    "inactive": "percent",
    "dead units": "percent",
}  # st.column_config formats by column name; any other number: "%.4g"
DERIV_FORMATS = {"f(z)": "%.4f", "f'(z)": "%.4g", "peak": "%g", "f'(z) ÷ peak": "percent"}  # f'(z)ⁿ: "%.3e"


def _numbers_or_words(values: np.ndarray, fmt: Callable[[float], str], why: Callable[[int], str]):
    """``values`` (n,) as floats when all are finite; otherwise a text column: each finite value as
    ``fmt`` writes it, each other one as ``why(i)`` says (never NaN, inf or an empty cell)."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    if ok.all():
        return v
    return [fmt(x) if ok[i] else why(i) for i, x in enumerate(v)]


def _sci3(v: float) -> str:
    return f"{v:.3e}"


def _overflow(i: int) -> str:
    return "not finite (overflow)"


def weight_layer_table(r: FlowReport) -> pd.DataFrame:
    """One row per weight layer l = 1..L (L = output): units, ‖∂L/∂W_l‖, ‖∂L/∂z_l‖, std(W_l).

    Every cell is defined for every layer; a norm that overflowed is written out in words."""
    L = r.n_layers
    return pd.DataFrame(
        {
            "layer": np.arange(1, L + 1),
            "units": np.asarray(r.sizes[1:], dtype=int),
            "‖∂L/∂W‖": _numbers_or_words(r.dW_norm, _sci3, _overflow),
            "‖∂L/∂z‖": _numbers_or_words(r.dz_norm, _sci3, _overflow),
            "std(W)": _numbers_or_words(r.weight_std, lambda v: f"{v:.4g}", _overflow),
        }
    )


def hidden_layer_table(r: FlowReport) -> pd.DataFrame:
    """One row per hidden layer l = 1..L−1: the gradient's factor from layer l+1 to l, the mean
    derivative and the saturated (ReLU: inactive) and dead shares. The output layer has none of
    these: no layer after it, and its activation is the sigmoid output, not the hidden one.

    A ratio that is not a number says why in words (0 ÷ 0 where no gradient reaches either layer)."""
    dz = r.dz_norm

    def why(i: int) -> str:
        if dz[i] == 0 and dz[i + 1] == 0:
            return "undefined: 0 ÷ 0 (no gradient reaches either layer)"
        if np.isfinite(dz[i]) and dz[i + 1] == 0:
            return "∞ (÷ 0)"
        return "not finite (overflow)"

    share = "inactive" if r.hidden == "relu" else "saturated"
    return pd.DataFrame(
        {
            "layer": np.arange(1, r.n_layers),
            "‖dz_l‖ ÷ ‖dz_l+1‖": _numbers_or_words(r.dz_factors, lambda v: f"{v:.4g}", why),
            f"mean {DERIVATIVE[r.hidden]}": _numbers_or_words(r.mean_dact, lambda v: f"{v:.4g}", _overflow),
            share: _numbers_or_words(r.saturated, lambda v: f"{v:.0%}", _overflow),
            "dead units": _numbers_or_words(r.dead, lambda v: f"{v:.0%}", _overflow),
        }
    )


@st.cache_data(max_entries=128, show_spinner=False)
def layer_tables(cfg: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(weight_layer_table, hidden_layer_table) for explorer setting ``cfg``."""
    r = flow_report(*cfg)
    return weight_layer_table(r), hidden_layer_table(r)


def column_config(df: pd.DataFrame, formats: dict | None = None) -> dict:
    """st.column_config for one of this page's tables: number formats for numeric columns
    (NUMBER_FORMATS, overridden by ``formats``), plain text for a column that had to say in words
    why a value is not a number."""
    formats = {**NUMBER_FORMATS, **(formats or {})}
    config = {}
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]):
            config[col] = st.column_config.NumberColumn(format=formats.get(col, "%.4g"))
        else:
            config[col] = st.column_config.TextColumn()
    return config


def hist_table(r: FlowReport, layer: int) -> pd.DataFrame:
    """The three histograms of hidden layer ``layer`` as rows (values, from, to, count); empty bins left out."""
    rows = []
    for what, h in (
        (f"a{layer}", r.act_hist[layer - 1]),
        (f"W{layer}", r.weight_hist[layer - 1]),
        (DERIVATIVE[r.hidden], r.dact_hist[layer - 1]),
    ):
        rows += [
            {"values": what, "from": float(lo), "to": float(hi), "count": int(c)}
            for lo, hi, c in zip(h.edges[:-1], h.edges[1:], h.counts)
            if c
        ]
    return pd.DataFrame(rows, columns=["values", "from", "to", "count"])


def _short(v: float) -> str:
    if not np.isfinite(v):
        return "∞" if v > 0 else "undefined"
    return f"{v:.3g}" if v == 0 or 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"


# The expected-vs-measured table's columns: "expected" is derived on the page (mean-field, core.flow),
# the others are measured on the explorer's data and seed. No number in it comes from a paper.
EXPECTED = "expected ×/layer (√χ₁)"
MEASURED = "measured ×/layer"


@dataclass
class Expectation:
    """One preset: the mean-field estimate beside the measurement (core.flow.mean_field, flow_report)."""

    key: str
    label: str
    estimate: MeanField
    report: FlowReport
    zero_input: float | None  # per-layer factor of an all-zero input (XOR's (0, 0)); None if f(0) ≠ 0


@st.cache_data(max_entries=64, show_spinner=False)
def expectations(data: str, seed: int) -> list[Expectation]:
    """Every preset's estimate and measurement with this data and seed (via the cached flow_report)."""
    out = []
    for key, p in PRESETS.items():
        s2 = weight_scale(p["init"], p["width"])
        r = flow_report(p["depth"], p["width"], p["act"], p["init"], data, seed)
        out.append(Expectation(key, PRESET_NAMES[key], mean_field(p["act"], s2), r, zero_input_factor(p["act"], s2)))
    return out


def expected_table(data: str, seed: int) -> pd.DataFrame:
    """expectations() as the page's table: σ_w², the derived factor, then the measured columns."""
    return pd.DataFrame(
        [
            {
                "network": e.label,
                "σ_w²": f"{e.estimate.sigma_w2:.4g}",
                EXPECTED: f"×{_short(e.estimate.factor)}",
                MEASURED: f"×{_short(e.report.factor)}",
                "layer 1 ÷ output": _short(e.report.ratio_dz),
                "verdict": e.report.diagnosis.kind,
            }
            for e in expectations(data, seed)
        ]
    )


def off_estimate(data: str, seed: int, tolerance: float = 1.5) -> list[Expectation]:
    """Presets whose measured factor is more than ``tolerance``× off the estimate because of an all-zero
    input: on the XOR batch, (0, 0) keeps z = 0 in every layer when f(0) = 0 (its factor is zero_input)."""
    out = []
    for e in expectations(data, seed):
        m, est, z0 = e.report.factor, e.estimate.factor, e.zero_input
        if data == "xor" and z0 and np.isfinite(m) and m > 0 and abs(math.log(m / est)) > math.log(tolerance):
            if abs(math.log(m / z0)) < abs(math.log(m / est)):  # the zero input explains it better
                out.append(e)
    return out


# ----- cold start -----------------------------------------------------------------------------
def warm() -> None:
    """Compute everything the page's default view needs (normal mode), through the very cached
    functions the page calls with the very same arguments, so the first visitor after a deploy gets
    cache hits. Runs once per server process in a background thread (app.warmup): no st.* elements,
    no session state, a pause point between steps. Warming is an optimisation only: any failure is
    swallowed (the page then computes itself).

    Order: the two training runs first (over half of the page's computing; in a child process when
    the machine has a second core), then the page's own order, so a visitor who arrives while this
    runs finds the slowest parts ready or under way.
    """
    from app.warmup import checkpoint, elsewhere

    try:
        d, e = DERIV_DEFAULT, EXPLORER_DEFAULT
        runs = default_train_cfgs()
        cfg = explorer_cfg(**e)
        child = elsewhere("core.flow", "train_deep", list(runs.values()))  # on a second core, if any
        steps = [
            *(lambda run=run: train_result(*run, _elsewhere=child) for run in runs.values()),
            lambda: spec_loss(runs["a"], runs["b"], TRAIN_DEFAULT["epochs"], False),
            *(lambda name=name: _activation_base(name, False) for name in FLOW_ACTIVATIONS),
            lambda: spec_powers(float(d["z"]), int(d["n"]), False),
            lambda: flow_report(*cfg),
            lambda: spec_flow(cfg, False),
            lambda: layer_tables(cfg),
            lambda: spec_shares(cfg, False),
            lambda: layer_view(cfg, 1, False),
            lambda: expectations(e["data"], e["seed"]),
        ]
        try:
            for step in steps:
                checkpoint()
                step()
        finally:
            if child is not None:
                child.close()
    except Exception:  # noqa: BLE001 - an optimisation must never take the server down
        return
