"""Class mode on every page (issue 21 §3): which class this browser session is in — as its teacher or
as a student — and the class's pooled checkpoint answers, through ``app.class_store``.

A teacher opens a class on the Class page; students join by its link (``?class=CODE``), its QR code or
by typing the code. The teacher's own link carries a secret token (``?class=CODE&teacher=TOKEN``);
``take_link`` moves both out of the address as soon as the page opens, so a projected address never
shows the token. Everything this session knows about its class lives under one session key, read and
written only here. When the database cannot be reached, every function here says so in words and the
page, and each checkpoint on it, keep working on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from app.class_store import ClassRefused, ClassStore, ClassUnavailable, Member, Status, clean_code, default_url

CODE_PARAM, TEACHER_PARAM = "class", "teacher"
CLASS_PAGE = "class"  # the Class page's url path
_SESSION = "_class"  # {"code": str, "member": Member | None, "token": str | None}
_NOTICE = "_class_notice"  # (kind, text) shown once in the side panel
UNAVAILABLE = (
    "Class results are unavailable right now (the class database cannot be reached); "
    "this page works on its own and tries again."
)


@st.cache_resource(max_entries=4, show_spinner=False)  # one store per database address
def _open(url: str) -> ClassStore:
    return ClassStore(url)


def store() -> ClassStore:
    """The server's one class store (raises ClassUnavailable when its address is unusable)."""
    return _open(default_url())


def session() -> dict | None:
    return st.session_state.get(_SESSION)


def code() -> str | None:
    s = session()
    return s["code"] if s else None


def is_teacher() -> bool:
    s = session()
    return bool(s and s.get("token"))


def member() -> Member | None:
    s = session()
    return s.get("member") if s else None


def notice(kind: str, text: str) -> None:
    st.session_state[_NOTICE] = (kind, text)


_PAGE = "_class_page"  # the url path of the page this run draws
_COUNT = "_class_count"  # questions pooled so far on this run of the page


def page() -> str:
    return st.session_state.get(_PAGE, "")


def take_link(url_path: str = "") -> None:
    """Before the page runs (app/main.py): a class link joins this session to the class, a teacher
    link makes it the class's teacher; both parameters then leave the address."""
    st.session_state[_PAGE] = url_path
    st.session_state[_COUNT] = 0  # the page's pooled questions, numbered as drawn (the reveal keys)
    qp = st.query_params
    if CODE_PARAM not in qp and TEACHER_PARAM not in qp:
        return
    raw, token = qp.get(CODE_PARAM, ""), qp.get(TEACHER_PARAM)
    qp.pop(CODE_PARAM, None)
    qp.pop(TEACHER_PARAM, None)
    try:
        if token:
            teach(raw, token)
        else:
            join(raw)
    except ClassRefused as e:
        notice("error", str(e))
    except ClassUnavailable:
        notice("warning", UNAVAILABLE)


def start() -> None:
    """Open a new class with this session as its teacher."""
    c, token = store().open_class()
    st.session_state[_SESSION] = {"code": c, "token": token, "member": None}


def teach(raw_code: str, token: str) -> None:
    c = clean_code(raw_code)
    if not store().is_teacher(c, token):
        raise ClassRefused("That teacher link is not valid (or its class has ended): open a new class.")
    st.session_state[_SESSION] = {"code": c, "token": token, "member": None}


def join(raw_code: str) -> None:
    """Join the class as a new anonymous student (joining the class one is already in does nothing)."""
    c = clean_code(raw_code)
    if code() == c:
        return
    st.session_state[_SESSION] = {"code": c, "token": None, "member": store().join(c)}


def leave() -> None:
    st.session_state.pop(_SESSION, None)


def status() -> Status | None:
    """The class's status, or None when not in a class; ClassUnavailable/ClassRefused pass through."""
    return store().status(code()) if code() else None


def links(page_url: str | None) -> tuple[str, str]:
    """(student link, teacher link) of this session's class, on the server's Class page; page_url is
    the address of the page this session shows (st.context.url), when the browser told it."""
    parts = urlsplit(page_url or "http://localhost:8501/")
    root = parts.path.rsplit("/", 1)[0] if parts.path and not parts.path.endswith("/") else parts.path.rstrip("/")
    page = f"{root}/{CLASS_PAGE}"
    s = session() or {}
    student = urlunsplit((parts.scheme, parts.netloc, page, urlencode({CODE_PARAM: s.get("code", "")}), ""))
    teacher = urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            page,
            urlencode({CODE_PARAM: s.get("code", ""), TEACHER_PARAM: s.get("token") or ""}),
            "",
        )
    )
    return student, teacher


# ----- pooled checkpoints (app.predict calls these) ---------------------------------------------
@dataclass(frozen=True)
class Pool:
    """What a checkpoint looks like in this session's class right now."""

    revealed: bool
    counts: dict  # answer text -> students
    members: int
    current: str | None  # "<page>:<checkpoint>" the teacher moved the class to


def pool(checkpoint: str) -> Pool | None:
    """The class's answers to ``checkpoint``; None when not in a class. Raises ClassUnavailable."""
    if not code():
        return None
    s = store()
    st_ = s.status(code())
    return Pool(checkpoint in st_.revealed, s.counts(code(), checkpoint), st_.members, st_.current)


def submit(checkpoint: str, answer: str) -> str | None:
    """Store this student's answer in the class; a sentence when it could not be stored."""
    who = member()
    if who is None:
        return None
    try:
        store().answer(who, checkpoint, answer)
        return None
    except ClassRefused as e:
        return str(e)
    except ClassUnavailable:
        return UNAVAILABLE


def reveal(checkpoint: str) -> None:
    s = session()
    store().reveal(s["code"], s["token"], checkpoint)


def reset_class() -> None:
    s = session()
    store().reset(s["code"], s["token"])


def close_class() -> None:
    s = session()
    store().close(s["code"], s["token"])
    leave()


def move_class_to(page: str, checkpoint: str) -> None:
    s = session()
    store().move_to(s["code"], s["token"], f"{page}:{checkpoint}")


def sidebar() -> None:
    """The side panel's class line: which class, which role, where the teacher moved the class, and a
    notice left by take_link. Quiet when not in a class."""
    note = st.session_state.pop(_NOTICE, None)
    if not code() and not note:
        return
    with st.sidebar:
        if note:
            (st.error if note[0] == "error" else st.warning)(note[1], icon=":material/groups:")
        if code():
            who = "teacher" if is_teacher() else f"student {member().order}" if member() else "student"
            st.page_link(
                f"../pages/{CLASS_PAGE_FILE}",
                label=f"Class {code()}",
                icon=":material/groups:",
                help=f"You are its {who}.",
            )


CLASS_PAGE_FILE = "class_room.py"


# ----- a checkpoint in a class (app.predict.place draws these) -------------------------------------
def waiting(checkpoint: str) -> bool:
    """A student of a class who committed an answer waits for the teacher's reveal (the truth stays on
    the server). False outside a class, for the teacher, once revealed, or when the class database
    cannot be reached (then the checkpoint works as it does alone)."""
    if not code() or is_teacher():
        return False
    try:
        p = pool(checkpoint)
    except (ClassRefused, ClassUnavailable):
        return False
    return p is not None and not p.revealed


def _act(action, *args) -> None:
    try:
        action(*args)
    except ClassRefused as e:
        notice("error", str(e))
    except ClassUnavailable:
        notice("warning", UNAVAILABLE)


def pooled(
    checkpoint: str, page: str, judge, shown_truth, present: bool = False, was_waiting: bool | None = None
) -> None:
    """Under a checkpoint, in a class: live counts (every few seconds), the teacher's Reveal and "Move the
    class here" buttons, and once revealed the class's answers beside the true value. ``judge(text)``
    says whether an answer (as stored) is right; ``shown_truth()`` is how the page writes the answer
    (called only after the reveal). ``was_waiting``: ``waiting(checkpoint)`` if the caller has just asked."""
    if not code():
        return
    if was_waiting is None:
        was_waiting = waiting(checkpoint)
    n = st.session_state[_COUNT] = st.session_state.get(_COUNT, 0) + 1
    key = str(n) if n <= 9 else None  # the teacher reveals the page's n-th question with the key n

    @st.fragment(run_every=3)
    def live() -> None:
        try:
            p = pool(checkpoint)
        except (ClassRefused, ClassUnavailable) as e:
            st.caption(UNAVAILABLE if isinstance(e, ClassUnavailable) else str(e))
            return
        n = sum(p.counts.values())
        if not p.revealed:
            st.caption(f"Class {code()}: {n} of {p.members} student{'s' if p.members != 1 else ''} answered.")
            if is_teacher():
                a, b = st.columns(2)
                a.button("Reveal to the class", key=f"{checkpoint}_cl_reveal", type="primary", shortcut=key,
                         on_click=_act, args=(reveal, checkpoint))  # fmt: skip
                b.button("Move the class here", key=f"{checkpoint}_cl_move",
                         on_click=_act, args=(move_class_to, page, checkpoint))  # fmt: skip
            return
        if was_waiting:  # the teacher revealed while this student waited: show the student's own reveal
            st.rerun(scope="app")
        marks = {a: judge(a) for a in p.counts}
        right = sum(k for a, k in p.counts.items() if marks[a])
        st.markdown(f"**The class:** {right} of {n} right · the answer is **{shown_truth()}**")
        rows = sorted(p.counts.items(), key=lambda ak: -ak[1])
        st.dataframe(
            {"answer": [a for a, _ in rows], "students": [k for _, k in rows],
             "right": ["yes" if marks[a] else "no" for a, _ in rows]},
            hide_index=True, width="stretch",
        )  # fmt: skip

    live()
