"""The Training page's controls: the sidebar's run settings, the convergence lab's setting B, and
the button that publishes a run to the other pages; and the chapter's two table helpers (fixed
decimals; a stuck run's saturated slopes highlighted).

Like ``app.state.network_control`` these draw widgets and return what they describe. Every key
starts with ``tr_`` and is bound to the link (a teacher shares a run by its address). The widget
defaults come from ``app.training.run.DEFAULT_CFG`` / ``DEFAULT_LR``, so the page's default run is
the one ``app.training.run.warm`` computes.
"""

from __future__ import annotations

import streamlit as st

from app import heavy_ui, initialisers, state, ui
from app.names import INITIALISER_NAMES, LOSS_NAMES, SCHEDULE_NAMES
from app.training import run
from app.training.run import ACTS, DEFAULT_CFG, DEFAULT_LR, KNOBS, LAB_SEEDS, RATES
from app.training.text import act_label, lab_progress, rate_text
from core.activations import SATURATED
from core.init import INITIALISERS
from core.schedules import DEFAULTS, SCHEDULES


def _number(where, label: str, lo, hi, value, step, key: str, **kw):
    return ui.linked(where.number_input, label, lo, hi, value, step, key=key, **kw)


def run_settings() -> tuple[dict, float]:
    """Draw the sidebar controls; return (cfg: everything but the rate, the rate)."""
    d = DEFAULT_CFG
    inits = list(INITIALISERS)
    with st.sidebar:
        st.subheader("Training settings")
        width = ui.linked(st.slider, "Hidden neurons", 1, 8, d["width"], key="tr_width")
        act = ui.linked(st.selectbox, "Hidden activation", ACTS, format_func=act_label, key="tr_act")
        init = ui.linked(
            st.selectbox, "Initialiser", inits, inits.index(d["init"]), format_func=INITIALISER_NAMES.get, key="tr_init"
        )
        initialisers.explain(init)
        c1, c2 = st.columns(2)
        sigma, limit = d["sigma"], d["limit"]
        if init == "normal":
            sigma = _number(c1, "σ", 0.01, 10.0, d["sigma"], 0.1, "tr_sigma")
        if init == "uniform":
            limit = _number(c1, "limit", 0.01, 10.0, d["limit"], 0.1, "tr_limit")
        seed = _number(c2, "Seed", 0, 2**31 - 1, d["seed"], 1, "tr_seed")
        loss = ui.linked(st.selectbox, "Loss", ["bce", "mse"], format_func=LOSS_NAMES.get, key="tr_loss")
        lr = ui.linked(st.select_slider, "Learning rate", RATES, DEFAULT_LR, format_func=rate_text, key="tr_lr")
        sched = ui.linked(st.selectbox, "Schedule", list(SCHEDULES), format_func=SCHEDULE_NAMES.get, key="tr_sched")
        params = _schedule_params(sched, DEFAULTS.get(sched, {}))
        epochs = ui.linked(st.slider, "Epochs", 100, 20000, d["epochs"], 100, key="tr_epochs")
    if sched == "cosine":
        params["T_max"] = epochs
    cfg = {
        "width": width,
        "act": act,
        "init": init,
        "sigma": float(sigma),
        "limit": float(limit),
        "seed": int(seed),
        "loss": loss,
        "sched": sched,
        "params": tuple(sorted(params.items())),
        "epochs": int(epochs),
    }
    return {k: cfg[k] for k in d}, float(lr)  # the defaults' key order: the same cache key as warm()'s


def _schedule_params(sched: str, d: dict) -> dict:
    c1, c2 = st.columns(2)
    if sched == "step":
        return {
            "step_size": int(_number(c1, "step every (epochs)", 1, 20000, d["step_size"], 100, "tr_step")),
            "gamma": float(_number(c2, "× γ at each step", 0.01, 1.0, d["gamma"], 0.05, "tr_step_gamma")),
        }
    if sched == "exponential":
        return {
            "gamma": float(_number(c1, "γ per epoch", 0.99, 1.0, d["gamma"], 0.0001, "tr_exp_gamma", format="%.4f"))
        }
    if sched == "cosine":
        eta_min = _number(c1, "η_min (lowest rate)", 0.0, 50.0, d["eta_min"], 0.001, "tr_eta_min", format="%.3f")
        return {"eta_min": float(eta_min)}
    if sched == "warmup":
        return {
            "start_factor": float(_number(c1, "start at (× lr)", 0.01, 1.0, d["start_factor"], 0.05, "tr_warm_start")),
            "total_iters": int(_number(c2, "warm-up epochs", 1, 20000, d["total_iters"], 100, "tr_warm_iters")),
        }
    return {}


def lab_settings(cfg: dict, lr: float) -> tuple[dict, float, str, int]:
    """The lab's controls in one row; return (setting B's cfg, B's rate, the knob B turns, seeds per setting)."""
    c1, c2, c3 = st.columns(3)
    n = ui.linked(c1.select_slider, "Seeds per setting", LAB_SEEDS, 200, key="tr_lab_seeds")
    knob = ui.linked(c2.selectbox, "Setting B changes", list(KNOBS), format_func=KNOBS.get, key="tr_lab_knob")
    b, lr_b = dict(cfg), lr
    with c3:
        if knob == "width":
            b["width"] = ui.linked(st.slider, "B: hidden neurons", 1, 8, 3, key="tr_lab_width")
        elif knob == "init":
            b["init"] = ui.linked(
                st.selectbox,
                "B: initialiser",
                list(INITIALISERS),
                3,
                format_func=INITIALISER_NAMES.get,
                key="tr_lab_init",
            )
        elif knob == "lr":
            lr_b = float(
                ui.linked(st.select_slider, "B: learning rate", RATES, 5.0, format_func=rate_text, key="tr_lab_lr")
            )
        else:
            b["act"] = ui.linked(st.selectbox, "B: activation", ACTS, 1, format_func=act_label, key="tr_lab_act")
    return b, lr_b, knob, int(n)


def lab_results(a: tuple, b: tuple, knob: str, n: int) -> dict | None:
    """The lab's settings A and B, each (cfg, lr), trained over n seeds (run.lab_results), or None when
    the student pressed Stop. A setting already trained comes from the cache at once; the others take a
    place in the server's queue (app/heavy.py), in a box that says how many runs are ahead of this one,
    then shows which setting is training, with a Stop button (app/heavy_ui.py)."""
    todo = {name: s for name, s in {"A": a, "B": b}.items() if run.cached_lab(*s, n) is None}
    if todo:
        first, (cfg, _) = next(iter(todo.items()))
        slot, bar, stop = heavy_ui.progress_box(
            0.0, lab_progress(first, n, cfg["epochs"]), key="tr_lab_stop", help="Leave the queue: nothing is trained."
        )
        if stop:
            slot.empty()
            return None
        with heavy_ui.turn(bar):
            for i, (name, (cfg, lr)) in enumerate(todo.items()):
                bar.progress(i / len(todo), text=lab_progress(name, n, cfg["epochs"]))
                run.run_lab(cfg, lr, n)
        slot.empty()
    return run.lab_results(a, b, knob, n)


def publish_control(hist, label: str) -> None:
    """The button that sends this run (at the replay's epoch) to the other pages' shared Network
    control (``app.state.publish_run``), and what they use now."""
    current = state.published_run()
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    c1.button(
        "Use this network on the other pages",
        key="tr_publish",
        on_click=lambda: state.publish_run(label, hist, st.session_state.get("tr_epoch", hist.snapshot_epochs[-1])),
        icon=":material/publish:",
    )
    if current and current.label == label:
        c2.success(
            "The other pages use this run: the Network control in the side panel shows “Trained network” with an "
            "epoch slider."
        )
    else:
        c2.caption(
            "Nothing is published automatically: press the button to send this run, at the replay's epoch, to the "
            "shared Network control of the other pages." + (f" They now use: {current.label}." if current else "")
        )


def show_table(t, digits: int, cols: list | None = None, **kw) -> None:
    """A table with fixed decimals in its float columns (or ``cols``): column formats, not a Styler."""
    fmt = st.column_config.NumberColumn(format=f"%.{digits}f")
    cols = cols or [f.name for f in t.schema if f.type in ("double", "float")]
    ui.table(t, {c: fmt for c in cols}, **{"width": "content", **kw})


def show_stuck(frame) -> None:
    """A stuck run's table (run.StuckRun.frame), its saturated slopes highlighted."""
    slopes = [c for c in frame.columns if c.startswith("slope")]
    styler = frame.style.format("{:.3f}", subset=list(frame.columns[:-1])).apply(
        lambda col: ["background-color: #fde9c8" if v < SATURATED else "" for v in col], subset=slopes
    )
    ui.table(styler, width="content")


def step_epoch(epochs: list[int], by: int) -> None:
    """The replay slider's epoch moves one snapshot back (by = −1) or on (+1), stopping at the ends
    (presenter mode's B and N buttons)."""
    ss = st.session_state
    now = ss.get("tr_epoch", epochs[-1])
    i = epochs.index(now) if now in epochs else len(epochs) - 1
    ss["tr_epoch"] = epochs[min(max(i + by, 0), len(epochs) - 1)]
