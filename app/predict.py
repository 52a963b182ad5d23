"""Predict, then see: the one engine of every chapter's "Before you look" checkpoints (issue 21 §1).

A ``Checkpoint`` is a question about the live state with a stable id, an answer kind and a truth
function: ``truth(state)`` returns the ``Truth`` (the right answer, how the page shows it, and a
two-line explanation pointing to where on the page it comes from). Each chapter builds its own
checkpoints in ``app/<chapter>/checkpoints.py`` from core; pages only place them (``place``) and
show the chapter's progress (``progress``).

The answer never reaches the browser before the student commits: a checkpoint's question and
options are built without it, and ``truth`` is called only once an answer is committed (in the
commit's callback, to judge it, and when the reveal is drawn). A committed answer belongs to the
state it was given for (``Checkpoint.key``, e.g. the network's ``MLP.key()``): when the state
changes, the checkpoint asks again. Everything a session answered lives under one session key,
read and written only here. Kinds: ``CHOICE`` (one of ``options``), ``SIGN`` (positive, negative or
zero) and ``NUMBER`` (typed; right within ``tolerance``). A later class mode can pool answers by
``Checkpoint.id`` and judge them with ``Checkpoint.judge``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from app import class_mode

CHOICE, SIGN, NUMBER = "choice", "sign", "number"
SIGNS = ("positive", "negative", "zero")
YES_NO = ("yes", "no")
NUMBER_LIMIT = 1e9  # typed answers beyond this are refused (no checkpoint asks for more)
_ANSWERS = "_predict_answers"  # {checkpoint id: Entry}
_MESSAGES = "_predict_messages"  # {checkpoint id: why the typed answer was refused}


@dataclass(frozen=True)
class Truth:
    """The right answer: ``value`` (an option, a sign, or a number), ``shown`` (how it reads on the
    page), ``why`` (two lines: why it is so, and where on the page to see it), ``also`` (other
    answers that are right too, e.g. inputs tied for the largest push)."""

    value: Any
    shown: str
    why: str
    also: tuple = ()


@dataclass(frozen=True)
class Checkpoint:
    """One prediction. id: stable and page-prefixed (``fp_a2_11``); question: words built from the live
    state, never from the answer; truth(state) → Truth; key: identifies the state (a new key asks
    again); options: the choices (CHOICE); tolerance, lo, hi, unit: for NUMBER answers; retry: (button
    label, callback) that gives a new state to predict on, or None."""

    id: str
    question: str
    kind: str
    truth: Callable[[Any], Truth]
    state: Any = None
    key: Hashable = None
    options: tuple = ()
    tolerance: float = 0.0
    lo: float = -NUMBER_LIMIT
    hi: float = NUMBER_LIMIT
    unit: str = ""
    retry: tuple | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in (CHOICE, SIGN, NUMBER):
            raise ValueError(f"unknown answer kind {self.kind!r}")
        if self.kind == CHOICE and len(self.options) < 2:
            raise ValueError("a choice needs at least two options")

    @property
    def choices(self) -> tuple:
        return SIGNS if self.kind == SIGN else self.options

    def reveal(self) -> Truth:
        """The truth for this checkpoint's state (call only after a commit)."""
        return self.truth(self.state)

    def judge(self, answer, truth: Truth) -> bool:
        """Is ``answer`` (an option, a sign, or a float) right?"""
        if self.kind == NUMBER:
            return bool(abs(float(answer) - float(truth.value)) <= self.tolerance + 1e-12 * abs(float(truth.value)))
        return answer == truth.value or answer in truth.also

    @property
    def fingerprint(self) -> str:
        """A short digest of ``key``: what a committed answer is tied to."""
        return hashlib.sha1(repr(self.key).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    answer: Any
    right: bool


def sign_of(v: float) -> str:
    """The SIGN answer for a number: exactly 0 is "zero"."""
    return "positive" if v > 0 else "negative" if v < 0 else "zero"


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_number(text, lo: float = -NUMBER_LIMIT, hi: float = NUMBER_LIMIT) -> tuple[float | None, str | None]:
    """A typed answer → (number, None), or (None, a plain message). Accepts 0.75, 75, 1,000 (thousands),
    0,75 (a decimal comma), 1e-3; refuses empty text, words, nan, inf and numbers outside [lo, hi]."""
    s = str(text or "").strip().replace(" ", "").replace("_", "")
    if not s:
        return None, "Type a number first, then commit."
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    elif s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if len(s) > 40:
        return None, "That is not a number this question can use: type a short number such as 0.75."
    try:
        v = float(s)
    except ValueError:
        return None, "That is not a number: type digits such as 0.75 (a decimal point or comma is fine)."
    if not math.isfinite(v):
        return None, "Type an ordinary number (not infinity or “not a number”)."
    if not lo <= v <= hi:
        return None, f"Type a number between {lo:g} and {hi:g}."
    return v, None


def _answers() -> dict:
    return st.session_state.setdefault(_ANSWERS, {})


def _messages() -> dict:
    return st.session_state.setdefault(_MESSAGES, {})


def committed(cp: Checkpoint) -> Entry | None:
    """This session's committed answer for ``cp`` on its current state, or None."""
    entry = _answers().get(cp.id)
    return entry if isinstance(entry, Entry) and entry.fingerprint == cp.fingerprint else None


def commit(cp: Checkpoint, raw) -> str | None:
    """Record ``raw`` (the widget's value) as the answer for ``cp``; returns why it was refused, or None."""
    if cp.kind == NUMBER:
        answer, problem = parse_number(raw, cp.lo, cp.hi)
    else:
        answer = raw if raw in cp.choices else None
        problem = None if answer is not None else "Pick one of the answers first, then commit."
    if problem is not None:
        return problem
    truth = cp.reveal()
    _answers()[cp.id] = Entry(cp.fingerprint, answer, cp.judge(answer, truth))
    return None


def stored(cp: Checkpoint, answer) -> str:
    """An answer as a class stores it: the option itself, or the number's exact repr."""
    return repr(float(answer)) if cp.kind == NUMBER else str(answer)


def judge_stored(cp: Checkpoint, text: str, truth: Truth) -> bool:
    """Is a class's stored answer right? (A text that is not a valid answer of this kind is not.)"""
    if cp.kind == NUMBER:
        value, problem = parse_number(text, cp.lo, cp.hi)
        return problem is None and cp.judge(value, truth)
    return text in cp.choices and cp.judge(text, truth)


def _on_commit(cp: Checkpoint) -> None:
    problem = commit(cp, st.session_state.get(f"{cp.id}_ans"))
    if problem is None and (entry := _answers().get(cp.id)) is not None:
        problem = class_mode.submit(cp.id, stored(cp, entry.answer))  # in a class: pooled (else None)
    msgs = _messages()
    if problem is None:
        msgs.pop(cp.id, None)
    else:
        msgs[cp.id] = problem


def _retry(cp_id: str, callback: Callable[[], None]) -> None:
    _answers().pop(cp_id, None)
    callback()


def answer_text(cp: Checkpoint, answer) -> str:
    if cp.kind == NUMBER:
        return f"{float(answer):,.6g}{cp.unit}"
    return str(answer)


def tally(cps: list[Checkpoint]) -> tuple[int, int]:
    """(committed, right) among ``cps`` on their current states."""
    entries = [e for e in (committed(cp) for cp in cps) if e is not None]
    return len(entries), sum(e.right for e in entries)


def progress_text(cps: list[Checkpoint]) -> str:
    done, right = tally(cps)
    text = f"Before you look: {done} of {len(cps)} predicted on this page"
    return text + (f" ({right} right)" if done else "")


def progress(cps: list[Checkpoint]) -> None:
    """The chapter's progress, in the side panel: "1 of 3 predicted on this page (1 right)"."""
    if cps:
        st.sidebar.caption(progress_text(cps), help="The questions marked “Before you look” on this page.")


def place(cp: Checkpoint, present: bool = False) -> None:
    """Draw the "Before you look" box: the question and a form to commit an answer; after the commit,
    the true value, whether the answer was right, and the explanation. Projected (``present``), the box
    folds into an expander, so the page's main picture keeps the first screen."""
    with _fold([cp], present):
        _box(cp, present)


def place_row(cps: list[Checkpoint], present: bool = False) -> None:
    """Several checkpoints side by side (stacked on a phone; folded together when projecting)."""
    with _fold(cps, present):
        for col, cp in zip(st.columns(len(cps), gap="medium"), cps):
            with col:
                _box(cp, present)


def _fold(cps: list[Checkpoint], present: bool):
    if not present:
        return st.container()
    n = len(cps)
    label = f"Before you look: {'a question' if n == 1 else f'{n} questions'} to predict"
    return st.expander(label, expanded=any(committed(cp) is not None for cp in cps), icon=":material/quiz:")


def _box(cp: Checkpoint, present: bool) -> None:
    with st.container(border=True, key=f"{cp.id}_box"):
        st.markdown(f"**Before you look** · {cp.question}")
        entry = committed(cp)
        wait = class_mode.waiting(cp.id)  # asked once per rerun: the class database is another process
        if entry is None:
            _ask(cp, present)
        elif wait:  # in a class: the answer stays on the server until the teacher reveals
            st.info(
                f"Your answer is in: **{answer_text(cp, entry.answer)}**. "
                "Your teacher reveals the answer to the class.",
                icon=":material/hourglass_top:",
            )
        else:
            _reveal(cp, entry)
        if class_mode.code():
            truth: list[Truth] = []  # computed at most once, and only after the class's reveal

            def the_truth() -> Truth:
                if not truth:
                    truth.append(cp.reveal())
                return truth[0]

            class_mode.pooled(
                cp.id, class_mode.page(), lambda text: judge_stored(cp, text, the_truth()), lambda: the_truth().shown,
                present, was_waiting=wait,
            )  # fmt: skip


def _ask(cp: Checkpoint, present: bool) -> None:
    with st.form(f"{cp.id}_form", border=False, enter_to_submit=True):
        if cp.kind == NUMBER:
            hint = f"within ±{cp.tolerance:g}{cp.unit} counts as right" if cp.tolerance else "exact"
            st.text_input(f"Your prediction ({hint})", key=f"{cp.id}_ans", max_chars=40, placeholder="a number")
        else:
            st.radio("Your prediction", cp.choices, index=None, key=f"{cp.id}_ans", horizontal=True)
        st.form_submit_button("Commit my answer", on_click=_on_commit, args=(cp,), type="primary")
    if msg := _messages().get(cp.id):
        st.warning(msg, icon=":material/edit:")


def _reveal(cp: Checkpoint, entry: Entry) -> None:
    truth = cp.reveal()
    said = f"You said **{answer_text(cp, entry.answer)}**; the page's answer is **{truth.shown}**."
    if entry.right:
        st.success(f"Right. {said}", icon=":material/check:")
    else:
        st.error(f"Not this time. {said}", icon=":material/close:")
    st.caption(truth.why)
    if cp.retry is not None:
        label, callback = cp.retry
        st.button(label, key=f"{cp.id}_retry", on_click=_retry, args=(cp.id, callback))
