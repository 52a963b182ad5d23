"""The Vanishing-gradient page's charts, through app.chart only: each builder is written once in
Altair with named datasets (``source``) and holes (``hole``), laid out once per mode and shape, and
filled per rerun by the ``*_spec`` functions from core's numbers.

No chart receives NaN or inf: values a log axis cannot show (0, inf, NaN) are left out here and the
page says how many (the ``dropped_*`` and ``zero_powers`` helpers count them).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pyarrow as pa

from app.chart import PLOT_HEIGHT, chart, hole, sizes, source
from app.names import ACTIVATION_NAMES
from app.ui import GREY
from app.vanishing_gradient.text import ONE_PCT, dead_words
from core.activations import ACTIVATIONS, SATURATED
from core.flow import DERIVATIVE, FLOW_ACTIVATIONS, FlowReport, TrainResult, curves, derivative_powers

# Series colours: never the class colours (red/blue mean class 1/0 everywhere in the app).
DZ_COLOUR = "#5e3c99"  # ‖∂L/∂z‖, the back-propagated gradient; also every f'(z)
DW_COLOUR = "#e08214"  # ‖∂L/∂W‖
F_COLOUR = "#333333"  # the activation itself
SHADE = "#f4a582"  # where the derivative is below 1 % of its peak (light, behind everything)
ACT_COLOURS = {"sigmoid": "#333333", "tanh": "#e08214", "relu": "#5e3c99", "leaky_relu": "#1b7837"}
RUN_COLOURS = ["#333333", "#e08214"]
Z_RANGE = (-8.0, 8.0)
Z_TICKS = list(range(-8, 9, 2))
Y_DOMAINS = {"sigmoid": [-0.05, 1.05], "tanh": [-1.1, 1.1], "relu": [-0.6, 3.0], "leaky_relu": [-0.6, 3.0]}
FLOW_Z = "‖∂L/∂z‖ back-propagated"
FLOW_W = "‖∂L/∂W‖ weight gradient"
PRESENTER_FLOW_HEIGHT = 450  # px beside the key numbers on a 1280×720 projector's first screen


def _h(height: int, present: bool) -> int:
    """A chart height that grows with the font (presenter mode), so the plot itself keeps its room."""
    return round(height * sizes(present)["font"] / 12)


def _name(name: str) -> str:
    return ACTIVATION_NAMES[name]


def _labels(values: list[str]) -> pa.DictionaryArray:
    """A text column that repeats a few labels, each stored once (Arrow dictionary encoding)."""
    return pa.array(values, type=pa.string()).dictionary_encode()


# ----- the four activations and their derivatives: one chart, a panel each ------------------------
def _curve_names(name: str) -> list[str]:
    """The two curves' names in ``name``'s panel: ["σ(z)", "σ'(z)"]."""
    d = DERIVATIVE[name]
    return [d.replace("'", ""), d]


def _activation_panel(name: str, present: bool) -> alt.LayerChart:
    """One activation's panel: f and f' over z, saturation shaded, the derivative's peak marked, a rule
    at the chosen z; its rows of the long tables (``activation`` = its name on screen)."""
    s = sizes(present)
    mine = alt.FieldEqualPredicate(field="activation", equal=_name(name))
    xs = alt.Scale(domain=list(Z_RANGE), nice=False)
    ys = alt.Scale(domain=list(Y_DOMAINS[name]), nice=False)
    curves = _curve_names(name)
    shade = (
        alt.Chart(source("shade"))
        .transform_filter(mine)
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
    )
    lines = (
        alt.Chart(source("curves"))
        .transform_filter(mine)
        .mark_line(strokeWidth=s["line"], clip=True)
        .encode(
            x=alt.X("z:Q", scale=xs, title="z", axis=alt.Axis(values=Z_TICKS, format="~g")),
            # the same y-axis width in every panel: their titles start in line
            y=alt.Y("value:Q", scale=ys, title=None, axis=alt.Axis(minExtent=3 * s["font"])),
            color=alt.Color(
                "curve:N",
                scale=alt.Scale(domain=curves, range=[F_COLOUR, DZ_COLOUR]),
                # above the plot: the two names in one row, one under the other where the panel is too
                # narrow for both ("leaky ReLU'(z)" on a phone, projected)
                legend=alt.Legend(
                    title=None,
                    orient="top",
                    direction="horizontal",
                    columns=alt.ExprRef(f"width < {20 * s['font']} ? 1 : 2"),
                    offset=s["font"] // 2,
                ),
            ),
            strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=curves, range=[[1, 0], [6, 3]]), legend=None),
            tooltip=[alt.Tooltip("curve:N"), alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("value:Q", format=".4f")],
        )
    )
    peak = (
        alt.Chart(source("peak")).transform_filter(mine).encode(x=alt.X("z:Q", scale=xs), y=alt.Y("value:Q", scale=ys))
    )
    point = peak.mark_point(shape="diamond", filled=True, size=s["point"] / 2, color=DZ_COLOUR).encode(
        tooltip=["label:N"]
    )
    text = peak.mark_text(align="left", dx=8, dy=-10, fontSize=s["font"], color=DZ_COLOUR, fontWeight="bold").encode(
        text="label:N"
    )
    rule = (
        alt.Chart(source("z"))
        .transform_filter(mine)
        .mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x=alt.X("z:Q", scale=xs),
            tooltip=[
                alt.Tooltip("z:Q", format=".2f"),
                alt.Tooltip("f:Q", title="f(z)", format=".4f"),
                alt.Tooltip("df:Q", title="f'(z)", format=".4g"),
            ],
        )
    )
    return alt.layer(shade, lines, point, text, rule).properties(
        title=f"{_name(name)} and its derivative", height=_h(150, present)
    )


def activations(present: bool) -> alt.VConcatChart:
    """The four activations, one panel each (FLOW_ACTIVATIONS' order) under one another, from one long
    table per layer. Each panel has its own y range and its own two curve names (independent scales).

    Why a column of panels and not a 2 × 2 grid: a composed chart cannot take its container's width
    (Vega-Lite sizes each panel in pixels), but Streamlit gives every panel of a *vertical* concatenation
    the container's width, and ``fit-x`` then narrows them until the axes fit too: the one chart fills a
    phone's 358 px and a projector's 970 px alike, where any fixed grid is either cut off on a phone or
    small on a projector."""
    panels = [_activation_panel(name, present) for name in FLOW_ACTIVATIONS]
    return (
        alt.vconcat(*panels, spacing=_h(20, present))
        .resolve_scale(x="independent", y="independent", color="independent", strokeDash="independent")
        .properties(autosize=PLOT_HEIGHT)
    )


def activations_data(z_sel: float, zones: dict) -> dict:
    """activations()'s datasets, each a long table with an ``activation`` column (its name on screen):
    both curves of every activation, the shaded zones (where f' is below 1 % of its peak, per activation:
    run.saturation_zones), where each derivative peaks, and each activation at z_sel (the rule)."""
    c = curves(FLOW_ACTIVATIONS, *Z_RANGE)
    n = len(c["z"])
    rows: dict[str, dict[str, list]] = {
        "curves": {"activation": [], "z": [], "value": [], "curve": []},
        "shade": {"activation": [], "from": [], "to": [], "what": []},
        "peak": {"activation": [], "z": [], "value": [], "label": []},
        "z": {"activation": [], "z": [], "f": [], "df": []},
    }

    def add(table: str, count: int, **cols) -> None:
        for k, v in cols.items():
            rows[table][k] += list(v) if isinstance(v, list | np.ndarray) else [v] * count

    for name in FLOW_ACTIVATIONS:
        a, d = c[name]
        act, shown, (f_name, d_name) = ACTIVATIONS[name], _name(name), _curve_names(name)
        add(
            "curves",
            2 * n,
            activation=shown,
            z=np.r_[c["z"], c["z"]],
            value=np.r_[a, d],
            curve=[f_name] * n + [d_name] * n,
        )
        zs = zones[name]
        add(
            "shade",
            len(zs),
            activation=shown,
            **{"from": [lo for lo, _ in zs], "to": [hi for _, hi in zs]},
            what=f"saturated: derivative < {ONE_PCT} of peak",
        )
        # where the derivative curve first reaches its largest value, and that value
        add("peak", 1, activation=shown, z=float(c["z"][int(np.argmax(d))]), value=act.peak, label=f"peak {act.peak:g}")
        f_sel = float(act.f(np.array(z_sel)))
        add("z", 1, activation=shown, z=float(z_sel), f=f_sel, df=float(act.df(np.array(z_sel), np.array(f_sel))))
    text = {"activation", "curve", "what", "label"}
    return {
        table: {k: _labels(v) if k in text else np.asarray(v, dtype=float) for k, v in cols.items()}
        for table, cols in rows.items()
    }


def activations_spec(z_sel: float, zones: dict, present: bool) -> dict:
    """The four activations' chart at z = z_sel. zones: activation -> run.saturation_zones(activation)."""
    return chart(activations, present, activations_data(z_sel, zones))


# ----- f'(z)ⁿ ----------------------------------------------------------------------------------
def powers(present: bool) -> alt.Chart:
    s = sizes(present)
    names = [_name(k) for k in ACT_COLOURS]
    return (
        alt.Chart(source("powers"))
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
            title=hole("title"),
            height=_h(170, present),
            width="container",
            autosize=PLOT_HEIGHT,  # the legend's rows come on top of the plot
        )
    )


def powers_spec(z: float, n: int, present: bool) -> dict:
    """f'(z)^k for k = 1..n per activation; zeros (a log axis has none) left out (zero_powers names them)."""
    layers, product, names = [], [], []
    for row in derivative_powers(z, n):
        k = np.arange(1, n + 1)
        keep = np.isfinite(row.power) & (row.power > 0)
        layers.append(k[keep])
        product.append(row.power[keep])
        names += [_name(row.name)] * int(keep.sum())
    data = {
        "powers": {"layers": np.concatenate(layers), "product": np.concatenate(product), "activation": _labels(names)}
    }
    return chart(powers, present, data, {"title": f"What n layers at z = {z:g} multiply a gradient by"})


def zero_powers(z: float, n: int) -> list[str]:
    """Activations whose f'(z)^k is 0 (or underflows) for some k ≤ n: left off the log-axis chart."""
    return [_name(r.name) for r in derivative_powers(z, n) if not np.all(r.power > 0)]


# ----- gradient flow --------------------------------------------------------------------------
def flow(present: bool) -> alt.Chart:
    """The norms per layer on a log axis. Presenter mode: a fixed height and the legend on top, so it
    fits beside the key numbers on one screen."""
    s = sizes(present)
    return (
        alt.Chart(source("flow"))
        .mark_line(point=alt.OverlayMarkDef(size=s["point"] / 4), strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X(
                "layer:Q",
                title=hole("x_title"),
                scale=alt.Scale(domain=hole("layers"), nice=False),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("norm:Q", title="norm (log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e")),
            color=alt.Color(
                "quantity:N",
                scale=alt.Scale(domain=[FLOW_Z, FLOW_W], range=[DZ_COLOUR, DW_COLOUR]),
                legend=alt.Legend(
                    title=None, orient="top" if present else "bottom", labelLimit=300, direction="vertical"
                ),
            ),
            tooltip=[
                alt.Tooltip("quantity:N"),
                alt.Tooltip("layer:Q"),
                alt.Tooltip("norm:Q", format=".3e"),
                alt.Tooltip("log10:Q", title="log10", format=".2f"),
            ],
        )
        .properties(
            title="Gradient norms per layer",
            height=PRESENTER_FLOW_HEIGHT if present else _h(360, False),
            width="container",
        )
    )


def flow_columns(r: FlowReport) -> dict:
    """(layer, quantity, norm, log10) of the positive finite norms (a log axis shows no other)."""
    L = r.n_layers
    layer = np.r_[np.arange(1, L + 1), np.arange(1, L + 1)]
    norm = np.r_[r.dz_norm, r.dW_norm]
    ok = np.isfinite(norm) & (norm > 0)
    quantity = np.array([FLOW_Z] * L + [FLOW_W] * L)[ok]
    return {"layer": layer[ok], "quantity": _labels(quantity.tolist()), "norm": norm[ok], "log10": np.log10(norm[ok])}


def flow_spec(r: FlowReport, present: bool) -> dict:
    L = r.n_layers
    # presenter mode's larger font: a shorter title still fits a phone-wide chart
    x_title = f"layer (1 … {L} = output)" if present else f"layer l  (1 = first hidden … {L} = output)"
    return chart(flow, present, {"flow": flow_columns(r)}, {"x_title": x_title, "layers": [1, L]})


def dropped_norms(r: FlowReport) -> int:
    """How many norms the log-axis flow chart leaves out (0, inf or NaN)."""
    v = np.r_[r.dz_norm, r.dW_norm]
    return int(np.sum(~(np.isfinite(v) & (v > 0))))


# ----- shares per hidden layer -----------------------------------------------------------------
def shares(present: bool) -> alt.Chart:
    s = sizes(present)
    return (
        alt.Chart(source("shares"))
        .mark_line(point=True, strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X(
                "layer:Q",
                title="hidden layer",
                scale=alt.Scale(domain=hole("layers"), nice=False),
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            y=alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=hole("series"), range=hole("colours")),
                legend=alt.Legend(title=None, orient="bottom", labelLimit=300, direction="vertical"),
            ),
            tooltip=[alt.Tooltip("what:N"), alt.Tooltip("layer:Q"), alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(title="Shares per hidden layer", height=450 if present else _h(380, False), width="container")
    )


def share_series(r: FlowReport) -> dict[str, np.ndarray]:
    """Per hidden layer (0..1): the mean derivative ÷ its peak, saturated / inactive entries, dead units."""
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
        series[f"saturated: {d} < {ONE_PCT} of peak"] = r.saturated
    return {k: np.clip(np.nan_to_num(v, nan=0.0), 0, 1) for k, v in series.items()}


def shares_spec(r: FlowReport, present: bool) -> dict:
    series = share_series(r)
    n = r.n_layers - 1
    data = {
        "shares": {
            "layer": np.tile(np.arange(1, n + 1), len(series)),
            "what": _labels([k for k in series for _ in range(n)]),
            "share": np.concatenate(list(series.values())),
        }
    }
    holes = {
        "layers": [1, max(n, 2)],
        "series": list(series),
        "colours": [F_COLOUR, DZ_COLOUR, DW_COLOUR][: len(series)],
    }
    return chart(shares, present, data, holes)


# ----- one hidden layer's histograms: one layout (two with the 1 % line) for all three -----------
def histogram(present: bool, rule: bool) -> alt.LayerChart:
    s = sizes(present)
    bars = (
        alt.Chart(source("bars"))
        .mark_rect(color=hole("colour"), stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "from:Q", title=hole("x_title"), scale=alt.Scale(nice=False, zero=False), axis=alt.Axis(format="~g")
            ),
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
    if rule:
        layers.append(
            alt.Chart(source("rule"))
            .mark_rule(color=GREY, strokeDash=[4, 3], strokeWidth=s["stroke"])
            .encode(x="x:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("x:Q", format=".4g")])
        )
    return alt.layer(*layers).properties(title=hole("title"), height=_h(240, present), width="container")


def histogram_spec(h, title: str, x_title: str, colour: str, rule: float | None, present: bool) -> dict:
    """A core.flow.Histogram's bars (from, to, count, share of all values), with the 1 % line at ``rule``."""
    total = max(int(np.sum(h.counts)), 1)
    data = {"bars": {"from": h.edges[:-1], "to": h.edges[1:], "count": h.counts.astype(int), "share": h.counts / total}}
    if rule is not None:
        data["rule"] = {"x": [float(rule)], "what": [f"{ONE_PCT} of the peak: below it counts as saturated"]}
    holes = {"title": title, "x_title": x_title, "colour": colour}
    return chart(histogram, present, data, holes, rule=rule is not None)


def layer_specs(r: FlowReport, layer: int, present: bool) -> list[dict]:
    """Three specs for hidden layer ``layer``: a_l, W_l and f'(z_l)."""
    act, d, i = ACTIVATIONS[r.hidden], DERIVATIVE[r.hidden], layer - 1
    return [
        histogram_spec(r.act_hist[i], f"Activations a{layer}", f"a{layer}", F_COLOUR, None, present),
        histogram_spec(
            r.weight_hist[i], f"Weights W{layer}", f"W{layer} (into layer {layer})", DW_COLOUR, None, present
        ),
        histogram_spec(r.dact_hist[i], f"Derivative {d}", d, DZ_COLOUR, SATURATED * act.peak, present),
    ]


# ----- does it train? -------------------------------------------------------------------------
def loss(present: bool) -> alt.LayerChart:
    """Both runs' loss on a log axis, with ln 2 marked: the loss of answering 0.5 for every example."""
    s = sizes(present)
    lines = (
        alt.Chart(source("loss"))
        .mark_line(strokeWidth=s["line"] - 1)
        .encode(
            x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=hole("epochs"), nice=False)),
            y=alt.Y("loss:Q", title="loss (BCE, log scale)", scale=alt.Scale(type="log"), axis=alt.Axis(format="~g")),
            color=alt.Color(
                "run:N",
                scale=alt.Scale(domain=hole("runs"), range=RUN_COLOURS),
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
    rule = (
        alt.Chart(source("ln2"))
        .mark_rule(color=GREY, strokeDash=[6, 4], strokeWidth=s["stroke"])
        .encode(y="loss:Q", tooltip=[alt.Tooltip("what:N", title="line"), alt.Tooltip("loss:Q", format=".4f")])
    )
    return alt.layer(rule, lines).properties(
        title="Loss on XOR while training", height=_h(360, present), width="container"
    )


def loss_spec(runs: dict[str, TrainResult], epochs: int, present: bool) -> dict:
    """``runs``: legend label -> result. Losses that are not positive and finite are left out (dropped_losses)."""
    epoch, value, label = [], [], []
    for name, r in runs.items():
        ok = np.isfinite(r.loss) & (r.loss > 0)
        epoch.append(r.epochs[ok].astype(np.int32))
        value.append(r.loss[ok])
        label += [name] * int(ok.sum())
    data = {
        "loss": {"epoch": np.concatenate(epoch), "loss": np.concatenate(value), "run": _labels(label)},
        "ln2": {"loss": [float(np.log(2.0))], "what": ["ln 2: the loss of answering 0.5 for everything"]},
    }
    return chart(loss, present, data, {"epochs": [0, int(epochs)], "runs": list(runs)})


def dropped_losses(runs: dict[str, TrainResult]) -> int:
    return int(sum(np.sum(~(np.isfinite(r.loss) & (r.loss > 0))) for r in runs.values()))
