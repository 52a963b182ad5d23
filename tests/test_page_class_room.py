"""The Class page (issue 21 §3) in AppTest: a teacher opens a class, students join by link or code,
the teacher link's token leaves the address, refusals and a database that is down are plain messages,
and the class's convergence lab stores each student's run."""

from __future__ import annotations

import pytest
from conftest import open_page
from services import free_port

from app import class_mode
from app.class_room import run
from app.class_store import ClassStore

PAGE = "class_room.py"


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("XORLAB_DATABASE_URL", url)
    return ClassStore(url)


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.code] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def test_a_teacher_opens_a_class_and_sees_its_code_link_and_qr_code(db):
    at = open_page(PAGE)
    assert not at.exception
    at.button(key="cl_open").click().run()
    assert not at.exception
    session = at.session_state[class_mode._SESSION]
    code, token = session["code"], session["token"]
    assert db.is_teacher(code, token)
    shown = texts(at)
    assert f"{code[:3]} {code[3:]}" in shown
    assert f"class={code}" in shown and f"teacher={token}" in shown  # both links, the teacher's folded away
    assert len(at.get("image")) == 1  # the QR code
    assert "Students joined" in [m.label for m in at.metric]


def test_a_student_link_joins_and_leaves_the_address(db):
    code, _ = db.open_class()
    at = open_page(PAGE, query={"class": code.lower()})
    assert not at.exception
    assert "class" not in at.query_params
    assert f"class **{code}** as student **1**" in texts(at)
    assert db.status(code).members == 1
    at.run()  # a rerun does not join again
    assert db.status(code).members == 1


def test_a_teacher_link_makes_this_tab_the_teacher_and_the_token_leaves_the_address(db):
    code, token = db.open_class()
    at = open_page(PAGE, query={"class": code, "teacher": token})
    assert not at.exception
    assert "teacher" not in at.query_params and "class" not in at.query_params
    assert at.session_state[class_mode._SESSION]["token"] == token
    assert not any("could not be used" in w.value for w in at.warning)  # not reported as a bad link


@pytest.mark.parametrize(
    "query", [{"class": "NOPE00"}, {"class": "<b>x</b>"}, {"class": "ABCDEF", "teacher": "forged"}]
)
def test_wrong_or_hostile_links_are_plain_messages_and_join_nothing(db, query):
    code, _ = db.open_class()
    at = open_page(PAGE, query=query)
    assert not at.exception
    assert class_mode._SESSION not in at.session_state
    assert any(("not a class code" in e.value) or ("no open class" in e.value) or ("not valid" in e.value)
               for e in at.sidebar.error)  # fmt: skip
    assert db.status(code).members == 0


def test_joining_by_typing_the_code(db):
    code, _ = db.open_class()
    at = open_page(PAGE)
    at.text_input(key="cl_code").input(f" {code[:3]}-{code[3:]} ".lower())
    form_buttons = [b for b in at.button if b.label == "Join the class"]
    form_buttons[0].click().run()
    assert not at.exception
    assert at.session_state[class_mode._SESSION]["code"] == code
    assert db.status(code).members == 1


def test_a_database_that_is_down_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("XORLAB_DATABASE_URL", f"postgresql+psycopg://x@127.0.0.1:{free_port()}/x?connect_timeout=2")
    at = open_page(PAGE)
    at.button(key="cl_open").click().run()
    assert not at.exception
    assert any("unavailable" in w.value for w in [*at.warning, *at.sidebar.warning])
    at = open_page("forward_pass.py", query={"class": "ABCDEF"})  # a class link on another page
    assert not at.exception
    assert any("unavailable" in w.value for w in at.sidebar.warning)


@pytest.mark.slow
def test_each_student_trains_one_network_and_the_teacher_sees_the_class_histogram(db):
    code, token = db.open_class()
    students = []
    for _ in range(3):
        at = open_page(PAGE, query={"class": code}, timeout=120)
        at.button(key="cl_train").click().run()
        assert not at.exception
        students.append(at)
    runs = db.class_runs(code)
    assert len(runs) == 3
    for (seed, epochs, stuck), order in zip(runs, (1, 2, 3)):
        assert seed == run.seed_for(code, order)
        want = run.lab_run(seed)
        assert (epochs, stuck) == (want[0], want[1])
    assert any(f"seed {runs[0][0]:,}" in s.value for s in students[0].success)
    teacher = open_page(PAGE, query={"class": code, "teacher": token}, timeout=120)
    assert not teacher.exception
    solved = [e for _, e, _ in runs if e is not None]
    shown = "\n".join(m.value for m in teacher.markdown)
    assert f"3 runs so far: {len(solved)} solved" in shown


# ----- a checkpoint pooled by a class (app.predict + app.class_mode) -----------------------------------
def _commit(at, cp_id: str, value) -> None:
    radios = [r for r in at.radio if r.key == f"{cp_id}_ans"]
    if radios:
        radios[0].set_value(value)
    else:
        at.text_input(key=f"{cp_id}_ans").input(str(value))
    next(b for b in at.button if getattr(b, "form_id", None) == f"{cp_id}_form").click().run()
    assert not at.exception, at.exception


@pytest.mark.slow
def test_a_class_pools_a_checkpoint_and_the_teacher_reveals_it_for_everyone(db):
    from core.data import X, notes_network

    code, token = db.open_class()
    right = "yes" if notes_network().forward(X).a[2][3, 0] > 0.5 else "no"
    wrong = "no" if right == "yes" else "yes"
    a = open_page("forward_pass.py", query={"class": code})
    b = open_page("forward_pass.py", query={"class": code})
    _commit(a, "fp_a2_11", right)
    _commit(b, "fp_a2_11", wrong)
    assert db.counts(code, "fp_a2_11") == {right: 1, wrong: 1}
    a.run()  # (the counts refresh every few seconds in a browser; AppTest reruns by hand)
    for at in (a, b):  # the students wait: no verdict, no answer on their pages
        assert any("Your answer is in" in i.value for i in at.info)
        assert not any("the page's answer is" in el.value for el in [*at.success, *at.error])
        assert any(f"Class {code}: 2 of 2 students answered." in c.value for c in at.caption)
    teacher = open_page("forward_pass.py", query={"class": code, "teacher": token})
    assert any("2 of 2 students answered" in c.value for c in teacher.caption)
    assert not any("The class:" in m.value for m in teacher.markdown)
    teacher.button(key="fp_a2_11_cl_reveal").click().run()
    assert not teacher.exception
    assert "fp_a2_11" in db.status(code).revealed
    assert any("**The class:** 1 of 2 right" in m.value for m in teacher.markdown)
    a.run()
    b.run()
    assert any("Right." in s.value for s in a.success) and any("Not this time." in e.value for e in b.error)
    assert any("**The class:** 1 of 2 right" in m.value for m in a.markdown)
    assert db.counts(code, "fp_a2_11") == {right: 1, wrong: 1}


def test_a_waiting_students_rerun_asks_the_class_database_twice_per_question(db, monkeypatch):
    """Each checkpoint box asks whether this student still waits once (the box and its live counts share
    the answer); the live counts ask once more: 2 status queries per question, not 3."""
    code, _ = db.open_class()
    a = open_page("forward_pass.py", query={"class": code})
    _commit(a, "fp_a2_11", "yes")
    calls = []
    status = ClassStore.status
    monkeypatch.setattr(ClassStore, "status", lambda self, c: calls.append(c) or status(self, c))
    a.run()
    assert not a.exception
    boxes = sum("**Before you look**" in m.value for m in a.markdown)
    assert boxes >= 2 and any("Your answer is in" in i.value for i in a.info)
    assert len(calls) == 2 * boxes
