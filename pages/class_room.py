"""Class: a teacher opens a class (code, link, QR code), students join anonymously, the class's
checkpoint answers pool, and every student trains one network of the same recipe for the class
histogram. Storage through app.class_mode / app.class_store; numbers from app/class_room/run.py."""

from __future__ import annotations

import io

import numpy as np
import segno
import streamlit as st

from app import class_mode, ui
from app.chart import draw
from app.class_room import charts, run, text
from app.class_store import ClassRefused, ClassUnavailable

present = ui.presenter()
ui.page_header("Class", text.INTRO)


def _refused(e: Exception) -> None:
    if isinstance(e, ClassUnavailable):
        st.warning(class_mode.UNAVAILABLE, icon=":material/cloud_off:")
    else:
        st.error(str(e), icon=":material/block:")


def _act(action, *args) -> None:
    """A button's callback: run a class action; a refusal becomes a message on the next run."""
    try:
        action(*args)
    except (ClassRefused, ClassUnavailable) as e:
        class_mode.notice(
            "warning" if isinstance(e, ClassUnavailable) else "error",
            str(e) if isinstance(e, ClassRefused) else class_mode.UNAVAILABLE,
        )


def _qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=10 if present else 7, border=2)
    return buf.getvalue()


# ----- not in a class: teach or join ------------------------------------------------------------------
def _teach_or_join() -> None:
    teach, join = st.columns(2, gap="large")
    with teach:
        st.subheader("Teach")
        st.write(text.TEACH)
        st.button("Open a class", key="cl_open", type="primary", on_click=_act, args=(class_mode.start,),
                  icon=":material/groups:")  # fmt: skip
    with join:
        st.subheader("Join")
        with st.form("cl_join_form", border=False):
            typed = st.text_input("Class code", key="cl_code", max_chars=12, placeholder="e.g. K7QM2X", help=text.JOIN)
            if st.form_submit_button("Join the class", type="primary"):
                _act(class_mode.join, typed)
                st.rerun()
    if note := st.session_state.pop(class_mode._NOTICE, None):
        (st.error if note[0] == "error" else st.warning)(note[1])


if not class_mode.code():
    _teach_or_join()
else:
    code = class_mode.code()
    student_link, teacher_link = class_mode.links(st.context.url)

    # ----- the teacher ---------------------------------------------------------------------------------------
    if class_mode.is_teacher():
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.markdown(f"### Class code\n# {code[:3]} {code[3:]}")
            st.write("Students join at this link, or by typing the code on XOR Lab's Class page:")
            st.code(student_link, language=None, wrap_lines=True)
            with st.expander("Your teacher link (keep it private)"):
                st.caption(text.TEACHER_LINK)
                st.code(teacher_link, language=None, wrap_lines=True)
        with right:
            st.image(_qr_png(student_link), caption=f"Scan to join class {code}", width=320 if present else 240)

        @st.fragment(run_every=3)
        def _live() -> None:
            try:
                s = class_mode.status()
                answered = class_mode.store().answered(code)
            except (ClassRefused, ClassUnavailable) as e:
                _refused(e)
                return
            a, b, c = st.columns(3)
            a.metric("Students joined", s.members)
            b.metric("Questions answered", sum(answered.values()))
            c.metric("Revealed", len(s.revealed))
            if answered:
                st.dataframe(
                    {
                        "question": list(answered),
                        "answers": list(answered.values()),
                        "revealed": ["yes" if k in s.revealed else "not yet" for k in answered],
                    },
                    hide_index=True,
                    width="stretch",
                )
            st.caption(text.CHECKPOINTS)

        _live()
        with st.expander("End or restart the class"):
            sure = st.checkbox("I am sure", key="cl_sure")
            r, cl = st.columns(2)
            r.button(
                "Reset answers and runs",
                key="cl_reset",
                disabled=not sure,
                on_click=_act,
                args=(class_mode.reset_class,),
            )
            cl.button(
                "Close the class", key="cl_close", disabled=not sure, on_click=_act, args=(class_mode.close_class,)
            )

    # ----- a student -----------------------------------------------------------------------------------------
    else:
        who = class_mode.member()
        st.markdown(f"You are in class **{code}** as student **{who.order}** (anonymous: no name is stored).")
        try:
            s = class_mode.status()
            if s.current:
                page, _, _ = s.current.partition(":")
                st.info(f"Your teacher has moved the class to a question on the **{page or 'home'}** page.")
        except (ClassRefused, ClassUnavailable) as e:
            _refused(e)
        st.button("Leave the class", key="cl_leave", on_click=class_mode.leave)

    # ----- the class's convergence lab ------------------------------------------------------------------------
    st.header("One network each")
    st.write(text.LAB.format(lr=run.RECIPE["lr"], epochs=run.RECIPE["epochs"]))
    if not class_mode.is_teacher():
        who = class_mode.member()
        seed = run.seed_for(code, who.order)
        if st.button(f"Train my network (seed {seed:,})", key="cl_train", type="primary"):
            epochs, stuck, diverged = run.lab_run(seed)
            st.session_state["_class_my_run"] = (seed, epochs, stuck, diverged)
            try:
                class_mode.store().add_run(who, seed, epochs, stuck)
            except (ClassRefused, ClassUnavailable) as e:
                _refused(e)
        if mine := st.session_state.get("_class_my_run"):
            st.success(text.lab_result(*mine), icon=":material/model_training:")

    @st.fragment(run_every=5)
    def _histogram() -> None:
        try:
            runs = class_mode.store().class_runs(code)
        except (ClassRefused, ClassUnavailable) as e:
            _refused(e)
            return
        solved = [e for _, e, _ in runs if e is not None]
        stuck = sum(1 for _, _, k in runs if k)
        median = float(np.median(solved)) if solved else None
        st.write(text.class_summary(len(runs), solved, stuck, median))
        if solved:
            draw(
                charts.histogram_spec(run.histogram(solved), stuck, present),
                text.class_summary(len(runs), solved, stuck, median),
            )
        if stuck:
            st.caption(text.STUCK)

    _histogram()
