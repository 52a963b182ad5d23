"""Challenges: six tasks checked on the live state, each with a hint that links to the page that helps, and
a link to a solved challenge's settings. Checks from app/challenges/run.py (core), words from its text.py."""

from __future__ import annotations

import streamlit as st

from app import nav, state, ui
from app.challenges import controls, run
from app.challenges.text import INTRO, TASKS

present = ui.presenter()
ui.page_header("Challenges", INTRO)
net = state.network_control()
PAGES = {p[3]: p for p in nav.available()}
ss = st.session_state


def hint(name: str) -> None:
    task = TASKS[name]
    st.caption(f"Hint: {task.hint}")
    if page := PAGES.get(task.page):
        st.page_link(f"../pages/{page[0]}", label=f"Open {page[1]}", icon=page[2])


def outcome(verdict: run.Verdict, values: dict | None) -> bool:
    """Show the verdict; a solved challenge's settings (``values``, None when they cannot travel) as a link."""
    if verdict.solved:
        st.success(f"Solved. {verdict.words}", icon=":material/check_circle:")
        if values:
            st.markdown(f"These settings as a link: [{controls.link_label(values)}]({controls.link(values)})")
    else:
        st.info(verdict.words, icon=":material/pending:")
    return verdict.solved


def challenge(name: str, body) -> bool:
    """One challenge's box: title, task, controls and check (``body`` returns solved?), then the hint."""
    with st.container(border=True, key=f"ch_{name}_box"):
        st.subheader(TASKS[name].title)
        st.markdown(TASKS[name].task)
        solved = body()
        hint(name)
    return solved


def gate() -> bool:
    st.caption(state.network_caption(net) + f" — edit it in {ui.SIDE_PANEL}.")
    value = state.link_value()
    return outcome(run.gate_verdict(net), {"net": value} if value else None)


def diverge() -> bool:
    values = controls.rate()
    r = values["ch_rate"]
    return outcome(run.diverge_verdict(r, run.notes_run(r), run.notes_run(run.BELOW * r)), values)


def stuck() -> bool:
    v = controls.stuck()
    hist = run.xor_run(v["ch_st_w"], v["ch_st_init"], v["ch_st_sigma"] or 1.0, v["ch_st_seed"], v["ch_st_lr"])
    return outcome(run.stuck_verdict(hist, v["ch_st_why"]), v)


def fewest() -> bool:
    v = controls.fewest()
    hist = run.xor_run(v["ch_fw_w"], "xavier_uniform", 1.0, v["ch_fw_seed"], v["ch_fw_lr"])
    return outcome(run.fewest_verdict(hist, v["ch_fw_w"]), v)


def flat() -> bool:
    st.caption(state.network_caption(net) + f" — edit it in {ui.SIDE_PANEL}.")
    value = state.link_value()
    return outcome(run.flat_verdict(net), {"net": value} if value else None)


def digits() -> bool:
    v = controls.digits()
    key = tuple(v.values())
    st.caption(f"This network has {run.digits_params(v['ch_dg_w']):,} weights and biases.")
    if st.button("Train and check", key="ch_dg_go", type="primary", icon=":material/model_training:"):
        ss["_ch_dg_done"] = key
    if ss.get("_ch_dg_done") != key:
        st.caption("Training takes a few seconds, so it waits for the button.")
        return False
    with st.spinner("Training on the digits…"):
        acc, n = run.digits_run(v["ch_dg_w"], v["ch_dg_act"], v["ch_dg_lr"], v["ch_dg_ep"], v["ch_dg_seed"])
    return outcome(run.digits_verdict(acc, n), v)


BODIES = {"gate": gate, "diverge": diverge, "stuck": stuck, "fewest": fewest, "flat": flat, "digits": digits}
status = st.sidebar.empty()
solved = [name for name, body in BODIES.items() if challenge(name, body)]
status.caption(f"Challenges solved on this page: {len(solved)} of {len(BODIES)}")
