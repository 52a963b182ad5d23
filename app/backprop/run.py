"""The Backpropagation page's cached computations and tables; ``warm()`` for app.warmup.

Everything the page shows for one (network, loss) is computed once and cached
(``st.cache_data``): the ledger (core.backprop_ledger), the gradient check, the BCE/MSE comparison
and every table, already converted to Arrow. A rerun only re-marks the chosen input's row (its
label gets "▶ ") and hands Streamlit the Arrow table, which it ships as it is: no DataFrame is
built or converted per rerun (py-spy: that was half of this page's rerun, issue 9).

Networks are passed as ``MLP.key()``, so the caches key on the exact weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from app import parameter, ui
from app.backprop import charts
from app.chart import frame_table
from app.ui import matrix_frame
from core import backprop_ledger as bl
from core import formulas as F
from core import notes_audit as na
from core.data import ROW_LABELS, X, notes_weights, y
from core.gradcheck import GradCheck, gradient_check
from core.mlp import MLP

DEFAULT_FORMAT = "%.4g"  # 4 significant digits keep tiny gradients readable


# ----- cached core results ------------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def ledger(key: tuple, loss: str) -> bl.Ledger:
    return bl.ledger(MLP.from_key(key), X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def gradcheck(key: tuple, loss: str) -> GradCheck:
    return gradient_check(MLP.from_key(key), X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def comparison(key: tuple) -> bl.LossComparison:
    return bl.compare_losses(MLP.from_key(key), X, y)


@st.cache_data(max_entries=64, show_spinner=False)
def gradcheck_central(key: tuple, loss: str) -> GradCheck:
    """The plain central difference (L(θ+ε) − L(θ−ε)) / 2ε, beside the table's 5-point rule."""
    return gradient_check(MLP.from_key(key), X, y, loss, points=3)


@st.cache_data(max_entries=64, show_spinner=False)
def environment(key: tuple, loss: str) -> dict:
    """The network's arrays by the notes' names, for core.formulas (shapes and values)."""
    return F.environment(MLP.from_key(key), X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def audit(key: tuple, loss: str) -> tuple[dict, tuple[np.ndarray, np.ndarray]]:
    """(the notes' backward-pass formulas checked on this network, by key; the Step 4 slip's two matrices)."""
    net = MLP.from_key(key)
    return na.audit(net, X, y, loss), na.transpose_slip(net, X, y, loss)


@st.cache_data(max_entries=64, show_spinner=False)
def update_order(key: tuple, lr: float, loss: str) -> na.OrderCheck:
    return na.update_order(MLP.from_key(key), X, y, lr, loss)


@st.cache_data(max_entries=16, show_spinner=False)
def starts(sizes: tuple, hidden: str) -> tuple[na.StartCheck, na.StartCheck]:
    """(small random weights, every weight equal) in a network of ``sizes``: outputs, gradients and
    where core.notes_audit.START_TRAINING's gradient descent takes them (two short trainings, cached)."""
    like = MLP.create(list(sizes), hidden=hidden, init="zeros")
    return tuple(
        na.check_start(n, X, y, **na.START_TRAINING) for n in (na.small_random_network(like), na.twin_network(like))
    )


def zero_ledger(net: MLP) -> bl.Ledger:
    """The ledger of the notes' untrained example: ``net``'s shape with every weight and bias 0."""
    return ledger(bl.zero_network(net).key(), "bce")


def gradcheck_finite(gc: GradCheck) -> bool:
    return bool(np.all(np.isfinite(gc.analytic)) and np.all(np.isfinite(gc.numeric)))


# ----- frames (rows = the four XOR inputs; a last row "sum = …" is the gradient itself) -----------
def hidden_names(h: int) -> list[str]:
    return [f"h{j + 1}" for j in range(h)]


def input_names(d: int) -> list[str]:
    return [f"x{i + 1}" for i in range(d)]


def dz2_frame(led: bl.Ledger) -> pd.DataFrame:
    df = pd.DataFrame({"a2": led.a2[:, 0], "y": led.y[:, 0], "a2 − y": led.err[:, 0]}, index=ROW_LABELS)
    if led.loss_name == "mse":
        df["σ'(z2)"] = led.sp2[:, 0]
    df["dz2"] = led.dz2[:, 0]
    return df


def dW2_terms_frame(led: bl.Ledger) -> pd.DataFrame:
    """a1[n], dz2[n] and the per-example terms a1[n, j]·dz2[n] / N (their column sums are dW2)."""
    hs = hidden_names(led.width)
    cols = {f"a1 {h}": led.a1[:, j] for j, h in enumerate(hs)}
    cols["dz2"] = led.dz2[:, 0]
    for j, h in enumerate(hs):
        cols[f"a1 {h} × dz2 ÷ N"] = led.dW2_terms[:, j]
    return pd.DataFrame(cols, index=ROW_LABELS)


def db_terms_frame(terms: np.ndarray, total: np.ndarray, name: str, cols: list[str]) -> pd.DataFrame:
    """Per-example terms dz[n] / N (N, k) and their sum row (1, k)."""
    values = np.vstack([terms, np.asarray(total).reshape(1, -1)])
    return pd.DataFrame(values, index=[*ROW_LABELS, f"sum = {name}"], columns=cols)


def dW1_terms_frame(led: bl.Ledger) -> pd.DataFrame:
    """X[n, i]·dz1[n, j] / N for every entry of W1, with the sum row = dW1."""
    d, h = led.dW1.shape
    cols = [f"W1[{i},{j}] x{i + 1}→h{j + 1}" for i in range(d) for j in range(h)]
    values = np.vstack([led.dW1_terms.reshape(led.N, d * h), led.dW1.reshape(1, -1)])
    return pd.DataFrame(values, index=[*ROW_LABELS, "sum = dW1"], columns=cols)


def loss_frame(led: bl.Ledger, cmp_: bl.LossComparison) -> pd.DataFrame:
    """dz2 under BCE and MSE side by side, and their ratio (σ'(z2) where the ratio is 0 ÷ 0)."""
    return pd.DataFrame(
        {
            "a2": led.a2[:, 0],
            "y": led.y[:, 0],
            "a2 − y": cmp_.err[:, 0],
            "σ'(z2)": cmp_.sp2[:, 0],
            "dz2 BCE": cmp_.dz2_bce[:, 0],
            "dz2 MSE": cmp_.dz2_mse[:, 0],
            "MSE ÷ BCE": cmp_.factor[:, 0],
        },
        index=ROW_LABELS,
    )


def gradcheck_frame(gc: GradCheck) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "backprop (analytic)": gc.analytic,
            "central difference": gc.numeric,
            "|difference|": np.abs(gc.analytic - gc.numeric),
            "relative error": gc.rel_error,
        },
        index=gc.names,
    )


def frames(led: bl.Ledger, cmp_: bl.LossComparison, gc: GradCheck) -> dict[str, pd.DataFrame]:
    """Every table of sections 3–5, by name (the page's table keys are ``bp_t_<name>``)."""
    hs, ins = hidden_names(led.width), input_names(led.X.shape[1])
    return {
        "dz2": dz2_frame(led),
        "dW2": matrix_frame(led.dW2, [f"{x} → out" for x in hs], ["dW2"]),
        "dW2_terms": dW2_terms_frame(led),
        "db2": matrix_frame(led.db2, ["b2"], ["db2"]),
        "db2_terms": db_terms_frame(led.db2_terms, led.db2, "db2", ["dz2 ÷ N"]),
        "back": matrix_frame(led.back, ROW_LABELS, [f"dz2·W2[{j}] ({x})" for j, x in enumerate(hs)]),
        "fp1": matrix_frame(led.fp1, ROW_LABELS, [f"f'(z1) {x}" for x in hs]),
        "dz1": matrix_frame(led.dz1, ROW_LABELS, [f"dz1 {x}" for x in hs]),
        "dW1": matrix_frame(led.dW1, ins, [f"dW1 → {x}" for x in hs]),
        "dW1_terms": dW1_terms_frame(led),
        "db1": matrix_frame(led.db1, ["b1"], [f"db1 {x}" for x in hs]),
        "db1_terms": db_terms_frame(led.db1_terms, led.db1, "db1", [f"dz1 {x} ÷ N" for x in hs]),
        "loss": loss_frame(led, cmp_),
        "gc": gradcheck_frame(gc),
    }


@st.cache_data(max_entries=64, show_spinner=False)
def tables(key: tuple, loss: str) -> dict[str, pa.Table]:
    """``frames`` of the network ``key`` as Arrow tables, built once per (network, loss)."""
    made = frames(ledger(key, loss), comparison(key), gradcheck(key, loss))
    return {k: frame_table(df) for k, df in made.items()}


def mark(table: pa.Table, label: str | None) -> pa.Table:
    """The table with the row ``label`` shown as "▶ label" (unchanged when there is no such row)."""
    if label is None:
        return table
    name = table.schema.pandas_metadata["index_columns"][0]
    i = table.schema.get_field_index(name)
    labels = table.column(i).to_pylist()
    if label not in labels:
        return table
    labels = ui.mark_rows(labels, labels.index(label))
    return table.set_column(i, table.schema.field(i), pa.array(labels, type=table.schema.field(i).type))


def show(data: pa.Table | pd.DataFrame, key: str, highlight_row: str | None = None, digits: str | dict = "%.4g"):
    """One table, every number column in a printf format ("%.4g" by default; ``digits`` may map
    column names to their own formats, the others keep "%.4g"); the row ``highlight_row`` marked ▶."""
    table = mark(frame_table(data) if isinstance(data, pd.DataFrame) else data, highlight_row)
    fmt = digits if isinstance(digits, dict) else {}
    default = DEFAULT_FORMAT if isinstance(digits, dict) else digits
    numeric = [f.name for f in table.schema if pa.types.is_floating(f.type) or pa.types.is_integer(f.type)]
    config = {c: st.column_config.NumberColumn(format=fmt.get(c, default)) for c in numeric}
    ui.table(table, config, key=key, width="content")


def step_matrix(led: bl.Ledger, step: str) -> tuple[np.ndarray, list[str], list[str]]:
    """(values, row labels, column labels) of what the backward-pass line ``step`` computes."""
    hs, ins = hidden_names(led.width), input_names(led.X.shape[1])
    rows, cols = {
        "dz2": (ROW_LABELS, ["dz2"]),
        "dW2": ([f"{x} → out" for x in hs], ["dW2"]),
        "db2": (["b2"], ["db2"]),
        "dz1": (ROW_LABELS, [f"dz1 {x}" for x in hs]),
        "dW1": (ins, [f"dW1 → {x}" for x in hs]),
        "db1": (["b1"], [f"db1 {x}" for x in hs]),
    }[step]
    return bl.step_value(led, step), rows, cols


# ----- 6 · one gradient-descent step ---------------------------------------------------------------
def step_frames(rec: bl.GDStep) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(parameters before, gradient, change and after; outputs before and after) of one step."""
    params = pd.DataFrame(
        {"before": rec.before, "gradient": rec.grad, "− lr · gradient": -rec.lr * rec.grad, "after": rec.after},
        index=rec.names,
    )
    outputs = pd.DataFrame(
        {"y": y[:, 0], "a2 before": rec.out_before[:, 0], "a2 after": rec.out_after[:, 0]}, index=ROW_LABELS
    )
    return params, outputs


# ----- warm-up --------------------------------------------------------------------------------------
def warm() -> None:
    """Fill the caches of the page's default render (the notes' network, BCE, normal mode) through
    the page's own cached functions; draws nothing and touches no session (app.warmup runs it in a
    background thread). Never raises: the page computes whatever is missing."""
    try:
        net = MLP.from_dict(notes_weights())  # exactly what app.state hands the page by default
        key, loss = net.key(), "bce"
        tables(key, loss)
        zero_ledger(net)
        environment(key, loss)
        audit(key, loss)
        starts(tuple(net.sizes), net.hidden)
        gradcheck_central(key, loss)
        led = ledger(key, loss)
        charts.contributions_spec(charts.contributions_data(led), False)  # the charts' layouts: Altair
        charts.sigmoid_prime_spec(charts.sigmoid_prime_data(led), False)  # runs once per process
        parameter.warm(net, loss)
    except Exception:  # noqa: BLE001 - warming is an optimisation
        pass
