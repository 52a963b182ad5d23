"""Training: watch gradient descent learn XOR, replay it epoch by epoch, and see when it does not."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import gate_text as gt
from app import predict, probe, take_home_ui, ui
from app import replay as replay_view
from app.chart import draw
from app.names import LOSS_NAMES
from app.training import checkpoints, controls, text
from app.training import run as tr
from app.training.charts import LOSS_FLOOR, boundary, lab_charts, run_charts
from app.training.controls import lab_settings, publish_control, run_settings, show_stuck, show_table, step_epoch
from core.diagnose import largest_symmetry_gap
from core.probe import forward_point
from core.train import SOLVED_LOSS

ss = st.session_state
PROBE = "tr"  # the probe's keys: tr_x1, tr_x2 (app.probe)


def summary(hist) -> None:
    """The run's four key numbers in a row."""
    c = st.columns(4)
    when = f" at epoch {hist.epochs_run:,}" if hist.diverged else ""
    solved = tr.solved_at(hist)
    c[0].metric(
        "Final loss", ui.fmt(hist.loss[-1], 4), help=f"{LOSS_NAMES[hist.loss_name]} after the last update{when}"
    )
    c[1].metric("Final accuracy", f"{hist.acc[-1]:.0%}", help=f"outputs on the right side of 0.5, out of 4{when}")
    c[2].metric("Solved at epoch", "—" if solved is None else f"{solved:,}", help=text.SOLVED_HELP)
    c[3].metric("Training time", f"{hist.meta.get('seconds', 0):.2f} s", help="computed once, then cached")


def epoch_numbers(hist, k: int) -> None:
    """Beside the replay when projecting: the shown epoch's loss and accuracy (they move with the
    slider and the play button), one under the other, then when the run was solved and, in small
    print, how it ended: all on a 1280×720 first screen."""
    solved = tr.solved_at(hist)
    st.markdown(f"**At epoch {k:,}**")  # the metrics' labels stay short: "Accuracy at epoch 5,000" was cut
    st.metric("Loss", ui.fmt(hist.loss[k], 4), help=f"{LOSS_NAMES[hist.loss_name]} at this epoch")
    st.metric("Accuracy", f"{hist.acc[k]:.0%}", help="outputs on the right side of 0.5, out of 4")
    st.metric("Solved at epoch", "—" if solved is None else f"{solved:,}", help=text.SOLVED_HELP)
    st.caption(
        f"End of the run, epoch {hist.epochs_run:,}: loss {ui.fmt(hist.loss[-1], 4)}, accuracy {hist.acc[-1]:.0%}. "
        f"Training time {hist.meta.get('seconds', 0):.2f} s (computed once, then cached)."
    )


def divergence_box(cfg: dict, lr: float, hist, div: tr.Divergence) -> None:
    st.error(text.diverged(hist), icon=":material/error:")
    if (words := text.continued(cfg["epochs"], hist.loss[0], div)) is not None:
        st.markdown(words)
    if div.rate is None:
        st.warning(text.NO_SAFE_RATE)
        return
    st.info(text.smaller_rate(lr, div), icon=":material/lightbulb:")
    st.button(f"Use learning rate {div.rate:g}", key="tr_use_rate", on_click=lambda: ss.update(tr_lr=div.rate))


def zero_init_note(hist, cfg: dict, lr: float) -> None:
    if hist.final.sizes[1] < 2:
        st.info("Zero initialisation with one hidden neuron: there is no pair of neurons to compare.")
        return
    gap = largest_symmetry_gap(hist)
    st.warning(text.zero_init(len(hist.snapshot_epochs), gap), icon=":material/content_copy:")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**This run, after epoch {hist.epochs_run:,}**")
        show_table(tr.neuron_columns(hist.final), 6)
        if tr.all_zero(hist.final):
            st.caption(text.ZERO_UPDATES)
    eq = tr.run_equal(cfg, lr)
    with c2:
        st.markdown(f"**Every weight starting at 0.5 instead, after epoch {eq.epochs_run:,}**")
        show_table(tr.neuron_columns(eq.final), 6)
        st.caption(text.equal_start(largest_symmetry_gap(eq), eq.loss[-1]))


def replay(hist, present: bool, top: dict | None = None) -> None:
    """The replay, run as a fragment: its slider and the probe (tr_x1, tr_x2, a click on the boundary)
    rerun only this. top: presenter mode's first screen, the run's charts (the loss curve goes beside
    the boundary, the key numbers beside both). Playing happens in the browser (app.replay): this slider
    opens an epoch from a link and moves the tables, the probed point's network and the epoch the "Use
    this network" button sends."""
    epochs = hist.snapshot_epochs
    link = st.query_params.get("tr_epoch", "")
    k = tr.replay_epoch(epochs, ss.get("tr_epoch"), link, ss.get("_tr_epoch_end"))
    ss["_tr_epoch_end"] = epochs[-1]  # a slider left at this end follows the next run's end
    if ss.get("tr_epoch") != k:
        ss["tr_epoch"] = k
    i = epochs.index(k)
    net = hist.network_at(k)
    v = tr.replay_tables(net)
    g1, g2 = (ui.fmt(g, 4) for g in hist.grad_norms[i][:2])
    numbers = f"Epoch {k:,}: " + ("" if top else f"loss {ui.fmt(hist.loss[k], 4)}, accuracy {hist.acc[k]:.0%}, ")
    numbers += f"gradient size ‖dW1‖ = {g1}, ‖dW2‖ = {g2}"  # projected: loss and accuracy are beside the picture
    # In links (?tr_epoch=1000). The slider's own default, epoch 0, is left out of the address by
    # Streamlit, so a copied link of epoch 0 reopens at the last epoch; a typed ?tr_epoch=0 works.
    slider = {"label": "Epoch", "options": epochs, "key": "tr_epoch"}

    def position() -> None:
        ui.linked(st.select_slider, **slider)
        if present:  # the projector's keys: B and N step one snapshot epoch (listed in presenter mode's help)
            back, on = st.columns(2)
            back.button("◀ Epoch", key="tr_back", shortcut="B", on_click=step_epoch, args=(epochs, -1), width="stretch")
            on.button("Epoch ▶", key="tr_next", shortcut="N", on_click=step_epoch, args=(epochs, 1), width="stretch")

    if top is None:
        browser_replay(hist, k, present, link)
        position()
        st.caption(numbers)
        plane, right = st.columns(2)
    else:
        loss, plane, numbers_col = st.columns([9, 9, 5])
        with loss:
            draw(*top["loss"], key="tr_chart_loss_top")
        with numbers_col:
            epoch_numbers(hist, k)
    with plane:
        chart_box = st.container()  # drawn once the probed point is known (its inputs come below)
        if top is not None:
            position()
            st.caption(numbers)
        st.caption("Colour: the output a2 over the input plane (red near 1, blue near 0); black line: a2 = 0.5.")
        probe_box = st.container()  # projected: the probe's inputs go below, beside its arithmetic
    if top is not None:
        browser_replay(hist, k, present, link)
    with right if top is None else st.container():
        st.markdown("**Hidden features** (a1 for each input)")
        show_table(v.hidden, 3)
        more = "" if all(g.gate_like for g in v.gates) else " The Hidden features page explains each note."
        st.caption(f"Read as gates (on when z1 > 0): {gt.names_line(v.gates)}{more}")
        st.markdown("**Weights**")
        a, b = st.columns([3, 2])
        with a:
            show_table(v.w1, 3)
        with b:
            show_table(v.w2, 3)
    probed(net, k, present, probe_box if top is None else st.container(), chart_box)


def probed(net, k: int, present: bool, where, chart_box) -> None:
    """Probe any point at the replay's epoch: the inputs (tr_x1, tr_x2) in ``where``, the boundary in
    ``chart_box`` (clickable, the point marked), then the point's forward pass with every number written in."""
    where.markdown(text.probe_help(k))
    point = probe.point_inputs(PROBE, where)
    step = forward_point(net, *point.x)  # core's forward pass of the probed point, at the epoch shown
    name = probe.label(point.x)
    with chart_box:
        spec, desc = boundary(tr.boundary_values(net.key()), k, present, probe.probe_columns(point.x))
        probe.draw_clickable(spec, desc + probe.marked_words(name, step.a2), PROBE, "boundary")
    st.subheader(text.probe_heading(name, k))
    if probe.show_steps(net, step, present):
        st.markdown(text.probe_verdict(name, step.a2))


def browser_replay(hist, k: int, present: bool, link: str) -> None:
    """The run played in the browser: every snapshot sent once, no server rerun per frame. It starts
    at the slider's epoch; it plays by itself once unless a link asked for an epoch."""
    st.markdown("**Play the run**" if present else "**Play the run** (in your browser)")
    replay_view.show(hist, k, present, key="tr_replay", autoplay=not link)
    if not present:
        st.caption(text.BROWSER_REPLAY)


def one_run(cfg: dict, lr: float, hist, label: str, present: bool) -> None:
    div = tr.divergence(cfg, lr, hist) if hist.diverged else None
    charts = run_charts(hist, lr, div.curves() if div else {}, present)
    replay_fragment = st.fragment(replay)
    if present:  # a projector's first screen: loss curve, boundary and the key numbers side by side
        st.caption(label)
        replay_fragment(hist, present, charts)
    else:
        st.caption(label)
        summary(hist)
    if cfg["init"] == "zeros":
        zero_init_note(hist, cfg, lr)
    if div:
        divergence_box(cfg, lr, hist, div)
    if present:
        acc, rate = st.columns(2)
    else:
        loss, acc = st.columns([3, 2])
        rate = acc
        with loss:
            draw(*charts["loss"], key="tr_chart_loss")
    with acc:
        draw(*charts["accuracy"], key="tr_chart_accuracy")
    with rate:
        draw(*charts["rate"], key="tr_chart_rate")
    if charts["zoom"]:
        draw(*charts["zoom"], key="tr_chart_zoom")
        st.caption(f"The run stopped at epoch {hist.epochs_run:,}: this zoom shows its curve up to there.")
    if np.min(hist.loss) < LOSS_FLOOR:
        st.caption(f"Losses below {LOSS_FLOOR:g} are drawn at {LOSS_FLOOR:g} (a log axis cannot show 0).")
    with st.expander("Curves as a table"):
        show_table(tr.curves_table(hist), 5, ["loss"], hide_index=True, height=250)
        st.caption(
            "At the replay's snapshot epochs. The learning rate is the one used for the update after that epoch."
        )
    if not present:
        st.subheader("Replay the run")
        replay_fragment(hist, present)
    publish_control(hist, label)


def lab(cfg: dict, lr: float, present: bool) -> None:
    ui.fold_intro(text.LAB_INTRO.format(side=ui.SIDE_PANEL), "About the lab")
    cfg = {k: v for k, v in cfg.items() if k != "seed"}  # the lab runs its own seeds
    cfg_b, lr_b, knob, n = lab_settings(cfg, lr)
    full = {"A": text.describe(cfg, lr, seed=False), "B": text.describe(cfg_b, lr_b, seed=False)}
    if st.button("Run the lab", key="tr_lab_run", type="primary", icon=":material/science:"):
        ss["tr_lab_done"] = (full["A"], full["B"], n)
    if ss.get("tr_lab_done") != (full["A"], full["B"], n):
        st.caption(
            f"{n:,} seeds × {cfg['epochs']:,} epochs for each setting takes several seconds, so the lab waits for the "
            "button. Results are cached: returning to the same settings is instant."
        )
        return
    lab = controls.lab_results((cfg, lr), (cfg_b, lr_b), knob, n)  # waits its turn on a busy server
    if lab is None:
        ss.pop("tr_lab_done", None)
        st.info(text.LAB_STOPPED, icon=":material/stop:")
        return
    for col, s in zip(st.columns(2), lab.values()):
        c = s.counts
        with col, st.container(border=True):
            st.markdown(f"**{s.label}**")
            m = st.columns(2)
            m[0].metric("Solved XOR", f"{c['fraction']:.1%}", help=f"{c['solved']:,} of {n:,} seeds")
            m[1].metric("Median epochs to solve", f"{np.median(c['epochs']):,.0f}" if c["epochs"].size else "—")
            st.caption(
                f"{c['solved']:,} of {n:,} solved · {c['stuck']:,} stuck · {c['overflowed']:,} overflowed · "
                f"trained in {s.seconds:.1f} s · {s.full}"
            )
    if full["A"] == full["B"]:
        st.info("Setting B is the same as setting A here: pick a different value for B.")
    if "zeros" in (cfg["init"], cfg_b["init"]):
        st.info(
            "With zero initialisation every seed starts from the same all-zero weights, so all runs of that setting "
            "are identical: the fraction solved can only be 0 % or 100 %."
        )
    losses, needed = lab_charts({s.label: s.result for s in lab.values()}, cfg["epochs"], present)
    c1, c2 = st.columns(2)
    with c1:
        draw(*losses, key="tr_chart_lab_losses")
    c1.caption(f"Dashed line: the solved threshold, loss {SOLVED_LOSS:g}. Overlapping bars look brown.")
    with c2:
        draw(*needed, key="tr_chart_lab_needed")
    if n_bad := sum(s.counts["overflowed"] for s in lab.values()):
        st.caption(
            f"{n_bad:,} runs overflowed (inf/NaN); they are left out of the loss histogram and counted as not solved."
        )
    show_table(tr.lab_table(lab), 3, ["fraction solved"], hide_index=True, width="stretch")
    gate_pairs(lab, present)
    stuck_runs(lab["A"].result, cfg)


def gate_pairs(lab: dict, present: bool) -> None:
    """Which hidden gates the solved runs end with: XOR has several valid splits."""
    st.subheader("Which gates did the solved runs learn?")
    if not any(s.counts["solved"] for s in lab.values()):
        st.caption("No run solved XOR, so there are no learned gates to count.")
        return
    top = {name: s.counts["gates"][0] for name, s in lab.items() if s.counts["gates"]}
    most = "; ".join(f"{name}: {combo} ({n:,} of {lab[name].counts['solved']:,})" for name, (combo, n) in top.items())
    st.markdown(
        "Each hidden neuron of a solved run, read as a gate (on when z1 > 0, the rule every page uses). The notes' "
        "OR and AND is **one valid split of XOR among several**: runs from different random starts end with "
        f"different pairs, all of which solve XOR. Most common: {most}."
    )
    table = tr.gate_table(lab)
    if present:  # an HTML table grows with presenter mode's larger font; a grid would be cut off
        st.table(table.to_pandas().set_index("hidden gates (solved runs)"))
    else:
        show_table(table, 0, hide_index=True)
    st.caption(
        "A and B: how many solved runs of each setting end with these hidden gates. Hidden neurons are "
        "interchangeable, so “AND + OR” also counts runs whose first neuron is the OR."
    )


def stuck_runs(r, cfg: dict) -> None:
    st.subheader("Why runs get stuck")
    n, near_half, runs = tr.stuck_runs(r, cfg)
    if n == 0:
        st.success("Every finite run of setting A solved XOR: nothing got stuck.")
        return
    st.markdown(text.stuck_intro(n, near_half, cfg["epochs"]))
    for tab, s in zip(st.tabs([f"seed {s.seed}" for s in runs]), runs):
        with tab:
            show_stuck(s.frame)
            st.caption(text.stuck_caption(s))
            load = f"Load seed {s.seed} into the One run tab"
            st.button(load, key=f"tr_lab_open_{s.index}", on_click=lambda seed=s.seed: ss.update(tr_seed=seed))
    st.markdown(text.plateau(cfg["loss"]))


# ----- the page ----------------------------------------------------------------------------------
present = ui.presenter()
ui.page_header("Training", text.INTRO.format(side=ui.SIDE_PANEL))
cfg, lr = run_settings()
try:
    with st.spinner("Training…"):
        hist = tr.run_training(cfg, lr)
except Exception as exc:  # a bad combination must never show a traceback
    st.error(f"Training failed with these settings: {exc}")
    st.stop()
run_spec = (cfg["epochs"], cfg["sched"], tuple(sorted(dict(cfg["params"]).items())))
take_home_ui.offer(tr.network(cfg), "training", present, cfg["loss"], lr, train=run_spec, hist=hist)
cps = checkpoints.build(cfg, lr, hist)
predict.progress(list(cps.values()))
one, many = st.tabs(["One run", "Convergence lab"])
with one:
    predict.place_row(list(cps.values()), present)
    one_run(cfg, lr, hist, text.describe(cfg, lr), present)
with many:
    lab(cfg, lr, present)
