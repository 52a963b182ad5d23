"""Class mode's storage (app/class_store.py) on SQLite always and on a real PostgreSQL server that the
test starts itself: join, answer, reveal, expire, isolation between classes, teacher-only actions,
validation, limits, a database that is down, and 60 students answering at once."""

from __future__ import annotations

import threading

import pytest
from services import Postgres, free_port

from app import class_store as cs
from app.class_store import ClassRefused, ClassStore, ClassUnavailable


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request, tmp_path):
    clock = Clock()
    if request.param == "sqlite":
        s = ClassStore(f"sqlite:///{tmp_path / 'classes.sqlite'}", clock=clock)
    else:
        pg = request.getfixturevalue("postgres")
        s = ClassStore(pg.url, clock=clock)
        with s._begin() as conn:  # a clean database for each test
            for table in reversed(cs.metadata.sorted_tables):
                conn.execute(table.delete())
    s.clock_ = clock
    yield s
    s.engine.dispose()


def test_a_class_joins_answers_and_the_teacher_reveals(store):
    code, token = store.open_class()
    assert len(code) == cs.CODE_LENGTH and set(code) <= set(cs.CODE_ALPHABET)
    a, b, c = (store.join(code.lower()) for _ in range(3))  # a code typed in lower case still works
    assert [m.order for m in (a, b, c)] == [1, 2, 3]
    store.answer(a, "fp.a2_above", "yes")
    store.answer(b, "fp.a2_above", "no")
    store.answer(c, "fp.a2_above", "yes")
    store.answer(b, "fp.a2_above", "yes")  # changeable until the reveal: still one answer per student
    assert store.counts(code, "fp.a2_above") == {"yes": 3}
    assert store.answered(code) == {"fp.a2_above": 3}
    assert store.my_answer(b, "fp.a2_above") == "yes"
    assert store.status(code).revealed == frozenset()
    store.reveal(code, token, "fp.a2_above")
    assert store.status(code).revealed == {"fp.a2_above"}
    with pytest.raises(ClassRefused, match="revealed"):
        store.answer(a, "fp.a2_above", "no")
    assert store.counts(code, "fp.a2_above") == {"yes": 3}
    store.move_to(code, token, "backprop:bp_sign_dw2")
    assert store.status(code).current == "backprop:bp_sign_dw2" and store.status(code).members == 3
    for bad in ("bp_sign", "../x:y", "backprop:", "a" * 41 + ":x"):
        with pytest.raises(ClassRefused):
            store.move_to(code, token, bad)


def test_two_classes_never_see_each_other(store):
    code1, token1 = store.open_class()
    code2, token2 = store.open_class()
    assert code1 != code2
    s1, s2 = store.join(code1), store.join(code2)
    store.answer(s1, "q1", "a")
    store.answer(s2, "q1", "b")
    assert store.counts(code1, "q1") == {"a": 1} and store.counts(code2, "q1") == {"b": 1}
    with pytest.raises(ClassRefused, match="teacher"):
        store.reveal(code2, token1, "q1")  # class 1's teacher token does not open class 2
    store.reset(code1, token1)
    assert store.counts(code1, "q1") == {} and store.counts(code2, "q1") == {"b": 1}
    with pytest.raises(ClassRefused, match="not joined"):  # a member of class 1 cannot answer in class 2
        store.answer(cs.Member(code2, s1.member, s1.order), "q1", "x")


@pytest.mark.parametrize("token", ["", "forged", None, "x" * 5000])
def test_teacher_only_actions_are_refused_without_the_token(store, token):
    code, real = store.open_class()
    s = store.join(code)
    store.answer(s, "q", "yes")
    for act in (
        lambda: store.reveal(code, token, "q"),
        lambda: store.move_to(code, token, "training:q"),
        lambda: store.reset(code, token),
        lambda: store.close(code, token),
    ):
        with pytest.raises(ClassRefused, match="teacher"):
            act()
    assert not store.is_teacher(code, token) and store.is_teacher(code, real)
    st = store.status(code)
    assert st.revealed == frozenset() and st.current is None and not st.closed
    assert store.counts(code, "q") == {"yes": 1}


@pytest.mark.parametrize(
    "code", ["", "ABC", "ABCDEFG", "ABCDE0", "'; DROP TABLE xorlab_classes; --", "<script>", None, 12]
)
def test_hostile_or_malformed_codes_are_refused_before_the_database(code, tmp_path):
    store = ClassStore(f"sqlite:///{tmp_path / 'never.sqlite'}")
    with pytest.raises(ClassRefused, match="not a class code"):
        store.join(code)
    assert not (tmp_path / "never.sqlite").exists()  # nothing was even opened


def test_a_wrong_expired_or_closed_class_is_refused(store):
    with pytest.raises(ClassRefused, match="no open class"):
        store.join("ABCDEF")
    code, token = store.open_class()
    s = store.join(code)
    store.clock_.t += cs.LIFETIME_S + 1
    with pytest.raises(ClassRefused, match="24 hours"):
        store.answer(s, "q", "yes")
    store.open_class()  # opening a class purges the expired ones
    with store._begin() as conn:
        assert conn.execute(cs.select(cs.classes.c.code).where(cs.classes.c.code == code)).first() is None
        assert conn.execute(cs.select(cs.members).where(cs.members.c.code == code)).first() is None
    code2, token2 = store.open_class()
    store.close(code2, token2)
    with pytest.raises(ClassRefused, match="closed"):
        store.join(code2)


@pytest.mark.parametrize(
    "answer", ["", "   ", "x" * (cs.ANSWER_MAX + 1), "line\nbreak", None, True, [1], {"a": 1}, b"bytes"]
)
def test_invalid_answers_store_nothing(store, answer):
    code, _ = store.open_class()
    s = store.join(code)
    with pytest.raises(ClassRefused):
        store.answer(s, "q", answer)
    for checkpoint in ("", "Q!", "../etc", "x" * 65, None):
        with pytest.raises(ClassRefused):
            store.answer(s, checkpoint, "yes")
    assert store.counts(code, "q") == {}


def test_numbers_are_stored_as_the_text_the_student_committed(store):
    code, _ = store.open_class()
    s = store.join(code)
    store.answer(s, "q", 0.25)
    assert store.counts(code, "q") == {"0.25": 1}


def test_limits_on_members_and_open_classes(store, monkeypatch):
    monkeypatch.setattr(cs, "MAX_MEMBERS", 3)
    monkeypatch.setattr(cs, "MAX_OPEN_CLASSES", 2)
    code, _ = store.open_class()
    for _ in range(3):
        store.join(code)
    with pytest.raises(ClassRefused, match="full"):
        store.join(code)
    store.open_class()
    with pytest.raises(ClassRefused, match="Too many classes"):
        store.open_class()


def test_the_class_convergence_lab_keeps_one_run_per_student(store):
    code, _ = store.open_class()
    a, b = store.join(code), store.join(code)
    store.add_run(a, 1, 812, False)
    store.add_run(b, 2, None, True)
    store.add_run(a, 1, 790, False)  # a new run replaces the student's old one
    assert store.class_runs(code) == [(1, 790, False), (2, None, True)]
    with pytest.raises(ClassRefused):
        store.add_run(a, -1, 5, False)


def test_sixty_students_answering_within_a_second_are_all_stored_once(store):
    code, token = store.open_class()
    students = [store.join(code) for _ in range(60)]
    errors: list[Exception] = []
    gate = threading.Barrier(60)

    def one(s, i):
        try:
            gate.wait(10)
            store.answer(s, "q", "yes" if i % 3 else "no")
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(s, i)) for i, s in enumerate(students)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert store.counts(code, "q") == {"yes": 40, "no": 20}
    with store._begin() as conn:
        n = conn.execute(cs.select(cs.func.count()).select_from(cs.answers).where(cs.answers.c.code == code)).scalar()
    assert n == 60


def test_sixty_students_joining_at_once_get_distinct_orders(store):
    code, _ = store.open_class()
    got: list[int] = []
    errors: list[Exception] = []
    gate = threading.Barrier(60)

    def one():
        try:
            gate.wait(10)
            got.append(store.join(code).order)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert sorted(got) == list(range(1, 61))


def test_a_database_that_is_down_says_so_and_never_raises_anything_else(tmp_path):
    down = ClassStore(f"postgresql+psycopg://xorlab@127.0.0.1:{free_port()}/postgres?connect_timeout=2")
    with pytest.raises(ClassUnavailable):
        down.open_class()
    with pytest.raises(ClassUnavailable):
        down.status("ABCDEF")
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "classes.sqlite").mkdir()  # a folder where the file should be: cannot open
    with pytest.raises(ClassUnavailable):
        ClassStore(f"sqlite:///{tmp_path / 'ro' / 'classes.sqlite'}").open_class()
    with pytest.raises(ClassUnavailable):
        ClassStore("notadb://nowhere").open_class()


def test_the_reason_shown_never_contains_the_database_address_or_password():
    assert "secret" not in cs._why(Exception("could not connect to postgresql://u:secret@host/db"))


def test_default_url_is_sqlite_unless_the_operator_sets_one(monkeypatch):
    monkeypatch.delenv(cs.ENV_URL, raising=False)
    assert cs.default_url().startswith("sqlite:///")
    monkeypatch.setenv(cs.ENV_URL, "postgresql+psycopg://x@y/z")
    assert cs.default_url() == "postgresql+psycopg://x@y/z"
