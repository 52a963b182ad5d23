"""Training: watch gradient descent learn XOR, replay it epoch by epoch, and see when it does not."""

from __future__ import annotations

from time import perf_counter

import numpy as np
import pandas as pd
import streamlit as st

from app import ui
from app.training_charts import LOSS_FLOOR, log_bins, show
from core.activations import ACTIVATIONS
from core.data import ROW_LABELS, X, grid, y
from core.diagnose import (
    GATE_THRESHOLD,
    SATURATED,
    diagnose,
    equal_start,
    first_solved_epoch,
    largest_symmetry_gap,
    loss_band,
    outputs_near_half,
    suggest_rate,
)
from core.gates import name_gate
from core.init import INITIALISERS
from core.losses import LOSSES
from core.mlp import MLP
from core.multiseed import train_many
from core.schedules import DEFAULTS, SCHEDULES
from core.train import DIVERGE_FACTOR, SOLVED_LOSS, train

ss = st.session_state
ACTS = ["sigmoid", "tanh", "relu", "leaky_relu"]
RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
LAB_SEEDS = [100, 200, 500, 1000]
GRID_N = 60
KEEP = {"persist_state": "session"}
LINK = {"bind": "query-params", "persist_state": "session"}


# ----- cached computations ---------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def run_training(cfg: dict, lr: float, diverge_factor: float = DIVERGE_FACTOR):
    """One run of core.train.train for these settings (a History; seconds in meta)."""
    net = MLP.create([2, cfg["width"], 1], cfg["act"], "sigmoid", cfg["init"], cfg["seed"], cfg["sigma"], cfg["limit"])
    t0 = perf_counter()
    hist = train(net, X, y, lr, cfg["epochs"], cfg["loss"], cfg["sched"], dict(cfg["params"]), 201, diverge_factor)
    hist.meta["seconds"] = perf_counter() - t0
    return hist


@st.cache_data(max_entries=12, show_spinner=False)
def run_lab(cfg: dict, lr: float, n_seeds: int):
    """core.multiseed.train_many over seeds 0..n_seeds−1 for these settings, and how long it took."""
    t0 = perf_counter()
    res = train_many(
        [2, cfg["width"], 1], range(n_seeds), X, y, hidden=cfg["act"], init=cfg["init"], lr=lr,
        epochs=cfg["epochs"], loss=cfg["loss"], schedule=cfg["sched"], schedule_params=dict(cfg["params"]),
        sigma=cfg["sigma"], limit=cfg["limit"],
    )  # fmt: skip
    return res, perf_counter() - t0


@st.cache_data(max_entries=8, show_spinner=False)
def run_equal(cfg: dict, lr: float):
    """The sidebar's settings from a symmetric, non-zero start (core.diagnose.equal_start)."""
    net = equal_start(cfg["width"], cfg["act"])
    return train(net, X, y, lr, cfg["epochs"], cfg["loss"], cfg["sched"], dict(cfg["params"]))


@st.cache_data(max_entries=32, show_spinner=False)
def boundary(params: dict, hidden: str) -> np.ndarray:
    """The network's output over the plane, (GRID_N, GRID_N) indexed [x2, x1]."""
    return MLP.from_dict(params, hidden).predict(grid(GRID_N)[2])[:, 0].reshape(GRID_N, GRID_N)


# ----- settings --------------------------------------------------------------------------------
def rate_text(r: float) -> str:
    return f"{r:g}"


def settings() -> tuple[dict, float]:
    """Draw the sidebar controls; return (everything but the rate, the rate)."""
    with st.sidebar:
        st.subheader("Training settings")
        width = st.slider("Hidden neurons", 1, 8, 2, key="tr_width", **LINK)
        act = st.selectbox("Hidden activation", ACTS, format_func=lambda a: ACTIVATIONS[a].label, key="tr_act", **LINK)
        init = st.selectbox(
            "Initialiser", list(INITIALISERS), index=1, format_func=INITIALISERS.get, key="tr_init", **LINK
        )
        c1, c2 = st.columns(2)
        sigma = limit = 1.0
        if init == "normal":
            sigma = c1.number_input("σ", 0.01, 10.0, 1.0, 0.1, key="tr_sigma", **LINK)
        if init == "uniform":
            limit = c1.number_input("limit", 0.01, 10.0, 1.0, 0.1, key="tr_limit", **LINK)
        seed = c2.number_input("Seed", 0, 2**31 - 1, 0, 1, key="tr_seed", **LINK)
        loss = st.selectbox("Loss", ["bce", "mse"], format_func=LOSSES.get, key="tr_loss", **LINK)
        lr = st.select_slider("Learning rate", RATES, 1.0, format_func=rate_text, key="tr_lr", **LINK)
        sched = st.selectbox("Schedule", list(SCHEDULES), format_func=SCHEDULES.get, key="tr_sched", **LINK)
        params = schedule_params(sched)
        epochs = st.slider("Epochs", 100, 20000, 5000, 100, key="tr_epochs", **LINK)
    if sched == "cosine":
        params["T_max"] = epochs
    cfg = dict(
        width=width,
        act=act,
        init=init,
        sigma=float(sigma),
        limit=float(limit),
        seed=int(seed),
        loss=loss,
        sched=sched,
        params=tuple(sorted(params.items())),
        epochs=int(epochs),
    )
    return cfg, float(lr)


def schedule_params(sched: str) -> dict:
    d = DEFAULTS.get(sched, {})
    c1, c2 = st.columns(2)
    if sched == "step":
        return {
            "step_size": int(
                c1.number_input("step every (epochs)", 1, 20000, d["step_size"], 100, key="tr_step", **LINK)
            ),
            "gamma": float(
                c2.number_input("× γ at each step", 0.01, 1.0, d["gamma"], 0.05, key="tr_step_gamma", **LINK)
            ),
        }
    if sched == "exponential":
        g = c1.number_input("γ per epoch", 0.99, 1.0, d["gamma"], 0.0001, format="%.4f", key="tr_exp_gamma", **LINK)
        return {"gamma": float(g)}
    if sched == "cosine":
        return {
            "eta_min": float(
                c1.number_input("η_min (lowest rate)", 0.0, 50.0, 0.0, 0.001, format="%.3f", key="tr_eta_min", **LINK)
            )
        }
    if sched == "warmup":
        return {
            "start_factor": float(
                c1.number_input("start at (× lr)", 0.01, 1.0, d["start_factor"], 0.05, key="tr_warm_start", **LINK)
            ),
            "total_iters": int(
                c2.number_input("warm-up epochs", 1, 20000, d["total_iters"], 100, key="tr_warm_iters", **LINK)
            ),
        }
    return {}


def describe(cfg: dict, lr: float, seed: bool = True) -> str:
    init = INITIALISERS[cfg["init"]]
    if cfg["init"] == "normal":
        init = f"N(0, {cfg['sigma']:g}²)"
    if cfg["init"] == "uniform":
        init = f"U(±{cfg['limit']:g})"
    extra = ", ".join(f"{k}={v:g}" for k, v in cfg["params"] if k != "T_max")
    sched = SCHEDULES[cfg["sched"]].lower() + (f" ({extra})" if extra else "")
    init += f" seed {cfg['seed']}" if seed else " init"
    return (
        f"2-{cfg['width']}-1 {ACTIVATIONS[cfg['act']].label}, {init}, "
        f"{cfg['loss'].upper()}, lr {lr:g} {sched}, {cfg['epochs']:,} epochs"
    )


# ----- sections ----------------------------------------------------------------------------------
def summary(hist, lr: float, stacked: bool = False) -> None:
    """The run's four key numbers in a row, or one under the other (beside the loss chart when projecting)."""
    solved_at = first_solved_epoch(hist.loss, hist.acc, SOLVED_LOSS)
    c = [st.container() for _ in range(4)] if stacked else st.columns(4)
    when = f" at epoch {hist.epochs_run:,}" if hist.diverged else ""
    c[0].metric("Final loss", ui.fmt(hist.loss[-1], 4), help=f"{LOSSES[hist.loss_name]} after the last update{when}")
    c[1].metric("Final accuracy", f"{hist.acc[-1]:.0%}", help=f"outputs on the right side of 0.5, out of 4{when}")
    c[2].metric(
        "Solved at epoch",
        "—" if solved_at is None else f"{solved_at:,}",
        help=f"first epoch with all four outputs right and loss below {SOLVED_LOSS:g}",
    )
    c[3].metric("Training time", f"{hist.meta.get('seconds', 0):.2f} s", help="computed once, then cached")


def divergence_box(cfg: dict, lr: float, hist) -> dict:
    """Explain a diverged run; return extra curves {label: loss} for the loss chart."""
    d = hist.divergence
    start = hist.loss[0]
    if d.reason == "non-finite":
        why = (
            f"The numbers overflowed at epoch {d.epoch:,}: a weight or the loss became infinite or NaN. "
            f"The curves stop at epoch {hist.epochs_run:,}, the last epoch with finite numbers."
        )
    else:
        why = (
            f"At epoch {d.epoch:,} the loss reached {ui.fmt(d.loss, 3)}, more than {DIVERGE_FACTOR:g}× its "
            f"starting value {ui.fmt(start, 3)}. The numbers are still finite, but every step overshoots: "
            "the rate is so large that each update jumps past the valley to a worse point."
        )
    st.error(f"**This run diverged** (core's check: *{d.reason}*). {why}", icon=":material/error:")
    extra = {}
    if d.reason == "loss blew up":
        cont = run_training(cfg, lr, float("inf"))
        lo, mid, hi = loss_band(cont.loss)
        extra["if training had gone on"] = cont.loss
        st.markdown(
            f"Had training ignored the check and gone on for all {cfg['epochs']:,} epochs, the loss would have "
            f"stayed between **{ui.fmt(lo, 2)} and {ui.fmt(hi, 2)}** over the second half of the run "
            f"(median {ui.fmt(mid, 2)}, about {mid / start:.0f}× the start) — bouncing, never coming down"
            + (
                " and the numbers stay finite."
                if not cont.diverged
                else f", until it overflowed at epoch {cont.divergence.epoch:,}."
            )
        )
    rate, good = suggest_rate(lr, lambda r: run_training(cfg, r))
    if rate is None:
        st.warning("Even the smallest rate offered (0.001) diverges with these settings: try another initialiser.")
        return extra
    solved = first_solved_epoch(good.loss, good.acc, SOLVED_LOSS)
    verdict = (
        f"and solves XOR at epoch {solved:,}"
        if solved is not None
        else "but does not solve XOR (the *Convergence lab* tab shows why runs get stuck)"
    )
    st.info(
        f"**Try a smaller rate: {rate:g}** ({lr / rate:g}× smaller). Checked: with the same settings and rate {rate:g} "
        f"the run does not diverge — it ends at loss {ui.fmt(good.loss[-1], 4)} {verdict}.",
        icon=":material/lightbulb:",
    )
    st.button(f"Use learning rate {rate:g}", key="tr_use_rate", on_click=lambda: ss.update(tr_lr=rate))
    extra[f"suggested rate {rate:g}"] = good.loss
    return extra


def curves(hist, lr: float, extra: dict, loss_slot=None) -> None:
    """Loss (log), accuracy and learning-rate curves. loss_slot: where the loss chart goes (presenter
    mode puts it beside the key numbers at the top, and the two small charts side by side below)."""
    marks = {f"diverged (epoch {hist.divergence.epoch})": hist.divergence.epoch} if hist.diverged else None
    runs = {f"this run (lr {lr:g})": hist.loss, **extra}
    planned = [0, len(hist.lr)]  # a diverged run stops early; keep the planned length on every axis
    name = LOSSES[hist.loss_name]
    if loss_slot is not None:
        c1 = loss_slot
        c2, c3 = st.columns(2)
        small = 250  # presenter fonts need room: a 180-pixel chart would keep almost nothing for the curve
    else:
        c1, c2 = st.columns([3, 2])
        c3, small = c2, 180
    with c1:
        show("curve", runs, "Loss (log scale)", name, log=True, marks=marks, height=390, x_domain=planned)
    with c2:
        show("curve", {"this run": hist.acc}, "Accuracy", "accuracy", y_format=".0%", y_domain=[0, 1], height=small,
             x_domain=planned)  # fmt: skip
    with c3:
        show("curve", {"schedule": hist.lr}, "Learning rate per epoch", "rate", height=small, marks=marks)
    if hist.diverged and hist.divergence.epoch < len(hist.lr) / 10:
        n = max(20, 3 * hist.divergence.epoch + 10)
        show("curve", {k: v[: n + 1] for k, v in runs.items()}, f"Zoom: loss over the first {n} epochs", name,
             log=True, marks=marks, height=280, points=True)  # fmt: skip
        st.caption(f"The run stopped at epoch {hist.epochs_run:,}: this zoom shows its curve up to there.")
    if np.min(hist.loss) < LOSS_FLOOR:
        st.caption(f"Losses below {LOSS_FLOOR:g} are drawn at {LOSS_FLOOR:g} (a log axis cannot show 0).")
    with st.expander("Curves as a table"):
        idx = np.array(hist.snapshot_epochs)
        st.dataframe(
            pd.DataFrame(
                {
                    "epoch": idx,
                    "loss": hist.loss[idx],
                    "accuracy": hist.acc[idx],
                    "learning rate": hist.lr[np.minimum(idx, len(hist.lr) - 1)],
                }
            ),
            hide_index=True,
            height=250,
            column_config={"loss": st.column_config.NumberColumn(format="%.5f")},
        )
        st.caption(
            "At the replay's snapshot epochs. The learning rate is the one used for the update after that epoch."
        )


def table(df: pd.DataFrame, digits: int) -> None:
    """A numeric table with fixed decimals (column formats instead of a Styler: much faster to send)."""
    fmt = st.column_config.NumberColumn(format=f"%.{digits}f")
    st.dataframe(df, width="content", column_config={c: fmt for c in df.columns if df[c].dtype.kind == "f"})


def hidden_table(net: MLP) -> pd.DataFrame:
    fwd = net.forward(X)
    h = net.sizes[1]
    df = pd.DataFrame(fwd.a[1], index=ROW_LABELS, columns=[f"h{j + 1}" for j in range(h)])
    df["output a2"] = fwd.output[:, 0]
    df["expected"] = y[:, 0].astype(int)
    return df


def replay(hist, cfg: dict) -> None:
    epochs = hist.snapshot_epochs
    if "tr_epoch" not in ss:  # first visit: the link's epoch (a shared link may ask for 0), else the last
        linked = st.query_params.get("tr_epoch", "")
        ok = linked.isascii() and linked.isdigit() and int(linked) in epochs  # "²".isdigit() is True too
        ss["tr_epoch"] = int(linked) if ok else epochs[-1]
    elif ss["tr_epoch"] not in epochs:  # the settings changed: another run with other snapshot epochs
        ss["tr_epoch"] = epochs[-1]
    if ss.get("tr_play"):
        i = epochs.index(ss["tr_epoch"]) + max(1, len(epochs) // 60)  # ~60 ticks for a whole run
        ss["tr_epoch"] = epochs[i] if i < len(epochs) else epochs[0]
    # In links (?tr_epoch=1000). The slider's own default, epoch 0, is left out of the address by
    # Streamlit, so a copied link of epoch 0 reopens at the last epoch; a typed ?tr_epoch=0 works.
    st.select_slider("Epoch", epochs, key="tr_epoch", **LINK)
    k = ss["tr_epoch"]
    i = epochs.index(k)
    net = hist.network_at(k)
    st.caption(
        f"Epoch {k:,}: loss {ui.fmt(hist.loss[k], 4)}, accuracy {hist.acc[k]:.0%}, "
        f"gradient size ‖dW1‖ = {ui.fmt(hist.grad_norms[i][0], 4)}, ‖dW2‖ = {ui.fmt(hist.grad_norms[i][1], 4)}"
    )
    left, right = st.columns([1, 1])
    with left:
        show(
            "plane",
            boundary(net.to_dict(), net.hidden),
            title=f"Decision boundary at epoch {k:,}",
            value_name="a2",
            height=330,
        )
        st.caption("Colour: the output a2 over the input plane (red near 1, blue near 0); black line: a2 = 0.5.")
    with right:
        df = hidden_table(net)
        st.markdown("**Hidden features** (a1 for each input)")
        table(df, 3)
        thr = GATE_THRESHOLD[net.hidden]
        gates = [name_gate(df[c].to_numpy(), thr)[0] for c in df.columns[:-2]]
        st.caption(
            "Read as gates (on when a1 > " + f"{thr:g}): " + ", ".join(f"h{j + 1} ≈ {g}" for j, g in enumerate(gates))
        )
        st.markdown("**Weights**")
        p = net.to_dict()
        cols = [f"h{j + 1}" for j in range(net.sizes[1])]
        a, b = st.columns([3, 2])
        with a:
            table(ui.matrix_frame(np.vstack([p["W1"], p["b1"]]), ["W1 from x1", "W1 from x2", "b1"], cols), 3)
        with b:
            table(
                ui.matrix_frame(np.vstack([p["W2"], p["b2"]]), [f"W2 from {c}" for c in cols] + ["b2"], ["output"]), 3
            )


def hidden_columns(net: MLP) -> None:
    """Each hidden neuron's incoming weights, bias and outgoing weight as one column."""
    p = net.to_dict()
    cols = [f"h{j + 1}" for j in range(net.sizes[1])]
    rows = ["W1 from x1", "W1 from x2", "b1", "W2 to output"]
    table(ui.matrix_frame(np.vstack([p["W1"], p["b1"], p["W2"].T]), rows, cols), 6)


def zero_init_note(hist, cfg: dict, lr: float) -> None:
    if hist.final.sizes[1] < 2:
        st.info("Zero initialisation with one hidden neuron: there is no pair of neurons to compare.")
        return
    gap = largest_symmetry_gap(hist)
    st.warning(
        "**Zero initialisation: the hidden neurons stay identical forever.** Every hidden neuron starts with the "
        "same weights, so it computes the same a1, gets the same error signal dz1 and the same update — the "
        "network behaves like one with a single hidden neuron, which cannot solve XOR. Largest difference between "
        f"h1 and any other hidden neuron, over all {len(hist.snapshot_epochs)} snapshots of this run: **{gap:g}**.",
        icon=":material/content_copy:",
    )
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**This run, after epoch {hist.epochs_run:,}**")
        hidden_columns(hist.final)
        if all(np.all(w == 0) for w in hist.final.W + hist.final.b):
            st.caption(
                "On XOR the updates are even exactly zero: with every weight 0 the output is 0.5 on all four "
                "inputs, and the four errors dz2 (two positive, two negative) cancel in every gradient."
            )
    eq = run_equal(cfg, lr)
    with c2:
        st.markdown(f"**Every weight starting at 0.5 instead, after epoch {eq.epochs_run:,}**")
        hidden_columns(eq.final)
        st.caption(
            "Not the zeros but the symmetry is the problem: here the weights move a lot, yet the columns stay "
            f"equal (largest difference over all snapshots: {largest_symmetry_gap(eq):g}); "
            f"final loss {ui.fmt(eq.loss[-1], 4)}."
        )


def publish(hist, label: str) -> None:
    def _go():
        ss["trained_run"] = {"label": label, "history": hist}
        ss["net_source"] = "trained"
        ss["net_epoch"] = ss.get("tr_epoch", hist.snapshot_epochs[-1])

    current = ss.get("trained_run")
    c1, c2 = st.columns([1, 2], vertical_alignment="center")
    c1.button("Use this network on the other pages", key="tr_publish", on_click=_go, icon=":material/publish:")
    if current and current.get("label") == label:
        c2.success(
            "The other pages use this run: the sidebar's Network control shows “Trained network” with an epoch slider."
        )
    else:
        c2.caption(
            "Nothing is published automatically: press the button to send this run, at the replay's epoch, "
            "to the shared Network control of the other pages."
            + (f" They now use: {current['label']}." if current else "")
        )


# ----- the convergence lab -----------------------------------------------------------------------
KNOBS = {"width": "Hidden neurons", "init": "Initialiser", "lr": "Learning rate", "act": "Hidden activation"}


def lab_settings(cfg: dict, lr: float) -> tuple[dict, float, str]:
    c1, c2, c3 = st.columns(3)
    c1.select_slider("Seeds per setting", LAB_SEEDS, 200, key="tr_lab_seeds", **LINK)
    knob = c2.selectbox("Setting B changes", list(KNOBS), format_func=KNOBS.get, key="tr_lab_knob", **LINK)
    b, lr_b = dict(cfg), lr
    with c3:
        if knob == "width":
            b["width"] = st.slider("B: hidden neurons", 1, 8, 3, key="tr_lab_width", **LINK)
        elif knob == "init":
            b["init"] = st.selectbox(
                "B: initialiser", list(INITIALISERS), 3, format_func=INITIALISERS.get, key="tr_lab_init", **LINK
            )
        elif knob == "lr":
            lr_b = float(
                st.select_slider("B: learning rate", RATES, 5.0, format_func=rate_text, key="tr_lab_lr", **LINK)
            )
        else:
            b["act"] = st.selectbox(
                "B: activation", ACTS, 1, format_func=lambda a: ACTIVATIONS[a].label, key="tr_lab_act", **LINK
            )
    return b, lr_b, knob


def short_label(cfg: dict, lr: float, knob: str) -> str:
    """The one setting the two lab columns differ in, for legends."""
    if knob == "width":
        return f"{cfg['width']} hidden neurons"
    if knob == "init":
        return INITIALISERS[cfg["init"]]
    if knob == "lr":
        return f"learning rate {lr:g}"
    return ACTIVATIONS[cfg["act"]].label


def lab(cfg: dict, lr: float) -> None:
    st.markdown(
        f"Train the **same settings from many seeds at once** (seeds 0, 1, 2, …; core's vectorised `train_many`) and "
        f"count how many solve XOR: all four outputs on the right side of 0.5 **and** loss below {SOLVED_LOSS:g}. "
        "Setting A is the sidebar's (its seed is ignored here); setting B changes one thing."
    )
    cfg = {k: v for k, v in cfg.items() if k != "seed"}  # the lab runs its own seeds
    cfg_b, lr_b, knob = lab_settings(cfg, lr)
    n = int(ss["tr_lab_seeds"])
    full = {"A": describe(cfg, lr, seed=False), "B": describe(cfg_b, lr_b, seed=False)}
    key = (full["A"], full["B"], n)
    if st.button("Run the lab", key="tr_lab_run", type="primary", icon=":material/science:"):
        ss["tr_lab_done"] = key
    if ss.get("tr_lab_done") != key:
        st.caption(
            f"{n:,} seeds × {cfg['epochs']:,} epochs for each setting takes several seconds, so the lab waits "
            "for the button. Results are cached: returning to the same settings is instant."
        )
        return
    with st.spinner(f"Training {2 * n:,} networks…"):
        res_a, sec_a = run_lab(cfg, lr, n)
        res_b, sec_b = run_lab(cfg_b, lr_b, n)
    labels = {"A": f"A: {short_label(cfg, lr, knob)}", "B": f"B: {short_label(cfg_b, lr_b, knob)}"}
    results = {"A": res_a, "B": res_b}
    cols = st.columns(2)
    for col, (k, r), sec in zip(cols, results.items(), (sec_a, sec_b)):
        with col, st.container(border=True):
            st.markdown(f"**{labels[k]}**")
            st.caption(full[k])
            e = r.epochs_to_solve[r.solved]
            m = st.columns(2)
            m[0].metric("Solved XOR", f"{r.fraction_solved:.1%}", help=f"{int(r.solved.sum()):,} of {n:,} seeds")
            m[1].metric("Median epochs to solve", f"{np.median(e):,.0f}" if e.size else "—")
            st.caption(
                f"{int(r.solved.sum()):,} of {n:,} solved · {int((~r.solved & ~r.diverged).sum()):,} stuck · "
                f"{int(r.diverged.sum()):,} overflowed · trained in {sec:.1f} s"
            )
    if full["A"] == full["B"]:
        st.info("Setting B is the same as setting A here: pick a different value for B.")
    if "zeros" in (cfg["init"], cfg_b["init"]):
        st.info(
            "With zero initialisation every seed starts from the same all-zero weights, so all runs of that "
            "setting are identical: the fraction solved can only be 0 % or 100 %."
        )
    finals = {labels[k]: r.loss for k, r in results.items()}
    to_solve = {labels[k]: r.epochs_to_solve[r.solved].astype(float) for k, r in results.items()}
    c1, c2 = st.columns(2)
    with c1:
        show(
            "histogram",
            finals,
            log_bins(np.concatenate(list(finals.values()))),
            "Final loss of every run",
            "final loss (log scale)",
            log=True,
            rule=SOLVED_LOSS,
            rule_label="solved threshold",
        )
        st.caption(f"Dashed line: the solved threshold, loss {SOLVED_LOSS:g}. Overlapping bars look brown.")
    with c2:
        hi = max(cfg["epochs"], 1)
        show(
            "histogram",
            to_solve,
            np.linspace(0, hi, 41),
            "Epochs needed (solved runs only)",
            "epoch at which the run counted as solved",
        )
    n_bad = sum(int(r.diverged.sum()) for r in results.values())
    if n_bad:
        st.caption(
            f"{n_bad:,} runs overflowed (inf/NaN); they are left out of the loss histogram and counted as not solved."
        )
    table = pd.DataFrame(
        {
            "setting": [f"{k}: {full[k]}" for k in results],
            "solved": [int(r.solved.sum()) for r in results.values()],
            "stuck (finite, not solved)": [int((~r.solved & ~r.diverged).sum()) for r in results.values()],
            "overflowed": [int(r.diverged.sum()) for r in results.values()],
            "fraction solved": [r.fraction_solved for r in results.values()],
        }
    )
    st.dataframe(
        table, hide_index=True, column_config={"fraction solved": st.column_config.NumberColumn(format="%.3f")}
    )
    stuck_runs(res_a, cfg, lr)


def stuck_runs(r, cfg: dict, lr: float) -> None:
    stuck = np.flatnonzero(~r.solved & ~r.diverged)
    st.subheader("Why runs get stuck")
    if stuck.size == 0:
        st.success("Every finite run of setting A solved XOR: nothing got stuck.")
        return
    half = outputs_near_half(r.output[stuck])
    st.markdown(
        f"**{stuck.size:,}** runs of setting A ended without solving XOR after {cfg['epochs']:,} epochs; "
        f"**{int((half >= 2).sum()):,}** of them have two or more of their four outputs stuck within 0.05 of 0.5. "
        "Three of them, looked at closely (the network after the last epoch, from `MultiResult.network(i)`):"
    )
    tabs = st.tabs([f"seed {int(r.seeds[i])}" for i in stuck[:3]])
    for tab, i in zip(tabs, stuck[:3]):
        with tab:
            seed = int(r.seeds[i])
            now = diagnose(r.network(i), X, y, cfg["loss"])
            start = diagnose(
                MLP.create([2, cfg["width"], 1], cfg["act"], "sigmoid", cfg["init"], seed, cfg["sigma"], cfg["limit"]),
                X,
                y,
                cfg["loss"],
            )
            h = now.a1.shape[1]
            df = pd.DataFrame(now.a1, index=ROW_LABELS, columns=[f"a1 h{j + 1}" for j in range(h)])
            for j in range(h):
                df[f"slope h{j + 1}"] = now.slope[:, j]
            df["output a2"] = now.output
            df["expected"] = y[:, 0].astype(int)
            sat = now.saturated
            st.dataframe(
                df.style.format("{:.3f}", subset=list(df.columns[:-1])).apply(
                    lambda col: ["background-color: #fde9c8" if v < SATURATED else "" for v in col],
                    subset=[f"slope h{j + 1}" for j in range(h)],
                ),
                width="content",
            )
            st.caption(
                f"Slope = the activation's derivative at z1, as a share of its steepest value (highlighted: below "
                f"{SATURATED:.0%}, i.e. saturated). {int(sat.sum())} of {sat.size} hidden values are saturated. "
                f"Loss {ui.fmt(now.loss, 4)}; size of the whole gradient ‖∇‖ = {now.grad_norm:.2e} now, "
                f"{start.grad_norm:.2e} at epoch 0 ({start.grad_norm / max(now.grad_norm, 1e-300):,.0f}× larger)."
            )
            st.button(
                f"Load seed {seed} into the One run tab",
                key=f"tr_lab_open_{i}",
                on_click=lambda s=seed: ss.update(tr_seed=s),
            )
    half_cost = (
        f" (for cross-entropy each such input costs ln 2; two of them, averaged over the four inputs, give "
        f"ln 2 / 2 = {np.log(2) / 2:.4f} — the loss most stuck runs sit at)"
        if cfg["loss"] == "bce"
        else ""
    )
    st.markdown(
        "**Saturation plateaus, in plain words.** A sigmoid neuron is steep only near z = 0; far from it the curve "
        "is flat and its slope σ'(z) = a(1 − a) is almost 0. Backpropagation multiplies the error by that slope "
        "(dz1 = (dz2 @ W2.T) · a1(1 − a1)), so a hidden neuron pinned near 0 or 1 passes almost no error back: its "
        "weights barely move. In a stuck run the hidden neurons are pinned for some inputs, and the output has "
        f"settled at 0.5 on the inputs the network cannot tell apart{half_cost}. "
        "The gradient is then far smaller than at the start (the ratio is under each table). Gradient descent "
        "only follows the slope, so it stays on this nearly flat plateau, and more epochs barely help. "
        "A different seed, another initialiser or a third hidden neuron (try it as setting B) usually avoids it. "
        "With ReLU the flat side is exactly flat: a neuron with z ≤ 0 for every input is *dead* and gets no "
        "gradient at all."
    )


# ----- the page ----------------------------------------------------------------------------------
ui.page_header(
    "Training",
    "The notes end with trained weights that *“might be”* W1 = [[5.2, 4.8], [5.1, 4.9]], … — here you produce "
    "them. Full-batch gradient descent on the four XOR rows: every epoch is one forward pass, one backward pass "
    "and W ← W − lr·dW. Change any setting in the sidebar and the run is recomputed (and cached).",
)
cfg, lr = settings()
label = describe(cfg, lr)
try:
    with st.spinner("Training…"):
        hist = run_training(cfg, lr)
except Exception as exc:  # a bad combination must never show a traceback
    st.error(f"Training failed with these settings: {exc}")
    st.stop()

one, many = st.tabs(["One run", "Convergence lab"])
with one:
    st.caption(label)
    loss_slot = None
    if ui.presenter():  # a projector's first screen: the loss curve beside the four key numbers
        loss_slot, numbers = st.columns([3, 1], gap="medium")
        with numbers:
            summary(hist, lr, stacked=True)
    else:
        summary(hist, lr)
    if cfg["init"] == "zeros":
        zero_init_note(hist, cfg, lr)
    extra = divergence_box(cfg, lr, hist) if hist.diverged else {}
    curves(hist, lr, extra, loss_slot)
    st.subheader("Replay the run")
    st.toggle("Play (animate the replay, for a projector)", key="tr_play", **KEEP)
    st.fragment(replay, run_every=0.5 if ss.get("tr_play") else None)(hist, cfg)
    publish(hist, label)
with many:
    lab(cfg, lr)
