"""Beyond XOR's controls: the data (a problem or the student's own points), the split, the network
settings, the replay's epoch, and the own points' editing (clicks, coordinates, undo, clear, a CSV
file in and out). Every widget key starts with ``bx_``; the linked ones are the page's URL parameters.

The own points live in the session (``_bx_X``, ``_bx_y``, with an undo stack) and, while there are at
most ``text.LINK_POINTS`` of them, in the link's ``bx_pts`` parameter ("x1,x2,label;…").
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from app import heavy_ui, ui
from app.beyond_xor import run, text
from app.names import ACTIVATION_NAMES
from app.plane import click_key as _click_key
from app.plane import take_click
from core.problems import (
    HI,
    LO,
    MAX_BYTES,
    MAX_POINTS,
    MAX_ROWS,
    MIN_POINTS,
    PROBLEMS,
    DataError,
    nearest,
    read_csv,
    write_csv,
)

D = run.DEFAULTS
SOURCES = [*PROBLEMS, text.OWN]
PTS = "bx_pts"  # the link parameter of the own points
_X, _Y, _UNDO, _MSG, _LAST, _CLICKS = "_bx_X", "_bx_y", "_bx_undo", "_bx_msg", "_bx_pts_last", "_bx_clicks"
UNDO_DEPTH = 50


# ----- the own points ------------------------------------------------------------------------------
def own_points() -> tuple[np.ndarray, np.ndarray]:
    ss = st.session_state
    return ss.get(_X, np.empty((0, 2))), ss.get(_Y, np.empty((0, 1)))


def _set_points(X: np.ndarray, y: np.ndarray, undo: bool = True) -> None:
    ss = st.session_state
    if undo:
        ss[_UNDO] = [*ss.get(_UNDO, []), own_points()][-UNDO_DEPTH:]
    ss[_X], ss[_Y] = np.asarray(X, float).reshape(-1, 2), np.asarray(y, float).reshape(-1, 1)


def _say(kind: str, words: str) -> None:
    st.session_state[_MSG] = (kind, words)


def add_point(x1: float, x2: float, label: int) -> None:
    """Add one point; refused (with a message, the points unchanged) outside the plane or past MAX_ROWS."""
    X, y = own_points()
    if not (math.isfinite(x1) and math.isfinite(x2) and LO <= x1 <= HI and LO <= x2 <= HI):
        return _say("warning", text.outside(x1, x2, LO, HI))
    if len(X) >= MAX_ROWS:
        return _say("warning", text.too_many(len(X) + 1))
    _set_points(np.r_[X, [[x1, x2]]], np.r_[y, [[float(label)]]])


def remove_nearest(x1: float, x2: float) -> None:
    X, y = own_points()
    k = nearest(X, (x1, x2))
    if k is None:
        return _say("info", "There is no point to remove.")
    _set_points(np.delete(X, k, axis=0), np.delete(y, k, axis=0))


def _apply(x1: float, x2: float) -> None:
    mode = st.session_state.get("bx_mode", "add0")
    if mode == "remove":
        remove_nearest(x1, x2)
    else:
        add_point(x1, x2, 1 if mode == "add1" else 0)


def _apply_typed() -> None:
    """The "Apply at (x1, x2)" button: the mode at the typed coordinates (read when the button is
    pressed, so a number typed just before the click counts)."""
    ss = st.session_state
    _apply(float(ss.get("bx_x1", 0.5)), float(ss.get("bx_x2", 0.5)))


def handle_click(event) -> None:
    """A click on the plane (the chart's selection state): apply the mode at the clicked cell, once.
    The chart's key changes after each click, so the next click starts a fresh selection."""
    cell = take_click(event, _CLICKS)
    if cell is None:
        return
    if cell is False:
        return _say("warning", "That click did not land on the plane: no point was added.")
    x1, x2 = cell
    _apply(round(x1, 3), round(x2, 3))
    st.rerun()


def click_key() -> str:
    return _click_key("bx_plane", _CLICKS)


def _undo() -> None:
    ss = st.session_state
    if ss.get(_UNDO):
        ss[_X], ss[_Y] = ss[_UNDO].pop()
    else:
        _say("info", "Nothing to undo.")


def _clear() -> None:
    _set_points(np.empty((0, 2)), np.empty((0, 1)))


def _copy_problem(X: np.ndarray, y: np.ndarray) -> None:
    _set_points(X, y)
    st.session_state["bx_src"] = text.OWN


def _load_upload() -> None:
    """on_change of the uploader: a valid file replaces the own points (undo brings them back); a bad
    one is refused with its line and reason, and the points stay as they were."""
    ss = st.session_state
    upload = ss.get("bx_upload")
    if upload is None:
        return
    try:
        data = upload.getvalue()
        if len(data) > MAX_BYTES:  # before anything else reads it
            raise DataError(f"the file is {len(data) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:g} MB")
        pts = read_csv(data)
    except DataError as err:
        return _say("error", f"“{upload.name[:60]}” was not loaded: {err}. Your points are unchanged.")
    _set_points(pts.X, pts.y)
    ss["bx_src"] = text.OWN
    _say("success", f"Loaded {len(pts.X):,} points ({text.class_counts(pts.y)}) from “{upload.name[:60]}”.")


# ----- the link ------------------------------------------------------------------------------------
def encode_points(X: np.ndarray, y: np.ndarray) -> str:
    return ";".join(f"{a:.3f},{b:.3f},{int(c)}" for (a, b), c in zip(X, y[:, 0]))


def parse_points(value: str) -> tuple[np.ndarray, np.ndarray]:
    """A link's ``bx_pts`` value → X, y; ValueError with the reason in plain words."""
    rows = [r for r in value.strip().split(";") if r.strip()]
    if len(rows) > text.LINK_POINTS:
        raise ValueError(f"more than {text.LINK_POINTS} points")
    X, y = [], []
    for k, r in enumerate(rows, start=1):
        parts = r.split(",")
        try:
            a, b, c = (float(p) for p in parts)
        except ValueError:
            raise ValueError(f"point {k} is not x1,x2,label") from None
        if not (math.isfinite(a) and math.isfinite(b) and LO <= a <= HI and LO <= b <= HI):
            raise ValueError(f"point {k} lies outside the plane")
        if c not in (0.0, 1.0):
            raise ValueError(f"point {k}'s label is not 0 or 1")
        X.append((a, b))
        y.append(c)
    return np.array(X, float).reshape(-1, 2), np.array(y, float).reshape(-1, 1)


def load_link() -> str | None:
    """Before the widgets: take the own points from the link when it brings new ones. Returns why a
    link's points were refused, or None."""
    ss = st.session_state
    value = st.query_params.get(PTS)
    ss[PTS] = value  # a known setting for app.ui.check_link
    if value is None or value == ss.get(_LAST):
        return None
    ss[_LAST] = value
    try:
        X, y = parse_points(value[:4000])
    except ValueError as err:
        st.query_params.pop(PTS, None)
        return f"The link's points could not be used ({err}); your points are unchanged."
    _set_points(X, y, undo=bool(len(own_points()[0])))
    return None


def write_link(source: str) -> None:
    X, y = own_points()
    value = encode_points(X, y) if source == text.OWN and 0 < len(X) <= text.LINK_POINTS else None
    if value is None:
        st.query_params.pop(PTS, None)
    else:
        st.query_params[PTS] = value
    st.session_state[_LAST] = value


# ----- the widgets ---------------------------------------------------------------------------------
def data_settings() -> dict:
    """Where the points come from, and their size, noise and seed (a generated problem)."""
    src = ui.linked(
        st.selectbox, "Data", SOURCES, SOURCES.index(D["problem"]), format_func=text.PROBLEM_NAMES.get, key="bx_src"
    )
    out = {"source": src, "n": D["n"], "noise": D["noise"], "seed": D["seed"]}
    if src not in (text.OWN, "xor"):
        out["n"] = ui.linked(st.slider, "Points", MIN_POINTS, MAX_POINTS, D["n"], 10, key="bx_n")
    if src != text.OWN:
        c3, c4 = st.columns(2, gap="small")
        out["noise"] = ui.linked(c3.number_input, "Noise", 0.0, 0.5, D["noise"], 0.05, key="bx_noise")
        out["seed"] = ui.linked(c4.number_input, "Seed", 0, 2**31 - 1, D["seed"], 1, key="bx_seed")
    return out


def split_settings() -> tuple[float, int]:
    c1, c2 = st.columns(2, gap="small")
    test = ui.linked(c1.slider, "Share held out to test", 0.1, 0.5, D["test"], 0.05, key="bx_test")
    seed = ui.linked(c2.number_input, "Split seed", 0, 2**31 - 1, D["split_seed"], 1, key="bx_split_seed")
    return float(test), int(seed)


def network_settings() -> dict:
    """The network and its training, in the side panel (as on the Training page)."""
    with st.sidebar:
        st.subheader("Network and training")
        c1, c2 = st.columns(2)
        width = ui.linked(c1.slider, "Hidden neurons", 1, 8, D["width"], key="bx_width")
        depth = ui.linked(c2.slider, "Hidden layers", 1, 3, D["depth"], key="bx_depth")
        act = ui.linked(st.selectbox, "Hidden activation", run.ACTS, format_func=ACTIVATION_NAMES.get, key="bx_act")
        lr = ui.linked(st.select_slider, "Learning rate", run.RATES, D["lr"], key="bx_lr")
        epochs = ui.linked(st.slider, "Epochs", 100, 5000, D["epochs"], 100, key="bx_epochs")
        batch = ui.linked(
            st.selectbox,
            "Mini-batch size",
            run.BATCHES,
            format_func=lambda b: "All training points" if b == 0 else f"{b} points",
            key="bx_batch",
        )
        seed = ui.linked(st.number_input, "Network seed", 0, 2**31 - 1, D["net_seed"], 1, key="bx_net_seed")
    return {
        "width": int(width),
        "depth": int(depth),
        "act": act,
        "lr": float(lr),
        "epochs": int(epochs),
        "batch": int(batch),
        "net_seed": int(seed),
    }


def epoch_slider(epochs: list) -> int:
    """The replay's epoch, over the run's snapshots (the last one when the run changed under it)."""
    ss = st.session_state
    if "bx_epoch" in ss and ss["bx_epoch"] not in epochs:
        del ss["bx_epoch"]  # then the default, the last epoch, applies
    return ui.linked(st.select_slider, "Replay: epoch", epochs, epochs[-1], key="bx_epoch")


def point_tools(problem: tuple[np.ndarray, np.ndarray] | None) -> None:
    """The own points' tools: the click mode, add by coordinates, undo, clear (and, for a generated
    problem, a button that copies its points into the student's own)."""
    if problem is not None:
        st.button("Edit these points (copy them into your own)", key="bx_copy", on_click=_copy_problem, args=problem)
        return
    ui.linked(st.radio, "A click on the plane", list(text.MODES), format_func=text.MODES.get, key="bx_mode")
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom", gap="small")
    c1.number_input("x1", float(LO), float(HI), 0.5, 0.1, key="bx_x1")
    c2.number_input("x2", float(LO), float(HI), 0.5, 0.1, key="bx_x2")
    c3.button("Apply", key="bx_add", on_click=_apply_typed, width="stretch", help=text.APPLY_HELP)
    c4, c5 = st.columns(2, gap="small")
    c4.button("Undo", key="bx_undo", on_click=_undo, icon=":material/undo:", width="stretch")
    c5.button("Clear", key="bx_clear", on_click=_clear, icon=":material/delete:", width="stretch")


def file_tools() -> None:
    """Download the own points as CSV; load a CSV (validated; a bad file changes nothing)."""
    X, y = own_points()
    with st.expander("Load or save points (CSV: x1, x2, label)", expanded=False):
        if len(X):
            st.download_button(
                "Download these points (CSV)",
                write_csv(X, y),
                file_name="xor-lab-points.csv",
                mime="text/csv",
                key="bx_download",
                on_click="ignore",
            )
        st.file_uploader(
            f"Load points from a CSV file (at most {MAX_ROWS:,} rows, {MAX_BYTES / 1e6:g} MB)",
            type=["csv"],
            key="bx_upload",
            on_change=_load_upload,
            max_upload_size=1,  # MB: the browser refuses a bigger file before it is sent
            help="First line x1,x2,label; then one point per line, labels 0 or 1, both classes present.",
        )


def show_message() -> None:
    """The last edit's message (a refused click or file, a loaded file), once."""
    if msg := st.session_state.pop(_MSG, None):
        getattr(st, msg[0])(msg[1])


def sweep(data: run.Data, act: str, lr: float) -> run.Sweep | None:
    """Every width and depth of the sweep (run.run_sweep), or None when the student pressed Stop. Shapes
    already trained come from the cache at once; the others take a place in the server's queue
    (app/heavy.py), in a box that says how many runs are ahead, then counts the shapes trained, with a
    Stop button (app/heavy_ui.py)."""
    if not run.sweep_todo(data, act, lr):
        return run.run_sweep(data, act, lr)
    slot, bar, stop = heavy_ui.progress_box(
        0.0, "Training …", key="bx_sweep_stop", help="Leave the queue: no more shapes are trained."
    )
    if stop:
        slot.empty()
        return None
    with heavy_ui.turn(bar):
        sw = run.run_sweep(data, act, lr, lambda k, n: bar.progress(k / n, text.trained_of(k, n)))
    slot.empty()
    return sw
