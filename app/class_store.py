"""Class mode's storage: a class, its checkpoints' answers and reveals, and the class's pooled training
runs — through SQLAlchemy, so one piece of code runs on a SQLite file (the default: nothing to start)
and on PostgreSQL when several server processes serve one class (``XORLAB_DATABASE_URL``, e.g.
``postgresql+psycopg://user:password@host/xorlab``).

What is stored, and nothing else: the class code, a hash of the teacher's token, times, the checkpoint
(question) id, the answer, and an anonymous random id per joined browser session (so that a student
answers a checkpoint once, changeably until the reveal) with its join order (the seed of the student's
run in the class's convergence lab). No names.

Every refusal a user can cause (a wrong, expired or hostile code, a forged token, an answer that is
not valid, a full class) raises ``ClassRefused`` with a plain sentence and stores nothing; a database
that is missing, locked or down raises ``ClassUnavailable``. The schema is created on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

LIFETIME_S = 24 * 3600  # a class expires a day after it opened
MAX_MEMBERS = 400  # students per class
MAX_OPEN_CLASSES = 200  # classes open at once on one database
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6
CHECKPOINT_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
WHERE_RE = re.compile(r"^[a-z0-9\-]{0,40}:[a-z0-9][a-z0-9_.\-]{0,63}$")  # "<page url path>:<checkpoint>"
ANSWER_MAX = 64  # characters of one answer (a choice id, a sign or a number as text)
ENV_URL = "XORLAB_DATABASE_URL"

metadata = MetaData()
classes = Table(
    "xorlab_classes",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("opened", Float, nullable=False),
    Column("current", String(110)),  # "<page>:<checkpoint>" the teacher moved the class to, if any
    Column("closed", Boolean, nullable=False, default=False),
)
members = Table(
    "xorlab_members",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("member", String(32), primary_key=True),
    Column("joined_order", Integer, nullable=False),
    Column("joined", Float, nullable=False),
    UniqueConstraint("code", "joined_order", name="xorlab_members_order"),
)
answers = Table(
    "xorlab_answers",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("checkpoint", String(64), primary_key=True),
    Column("member", String(32), primary_key=True),
    Column("answer", String(ANSWER_MAX), nullable=False),
    Column("at", Float, nullable=False),
)
reveals = Table(
    "xorlab_reveals",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("checkpoint", String(64), primary_key=True),
    Column("at", Float, nullable=False),
)
runs = Table(
    "xorlab_runs",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("member", String(32), primary_key=True),
    Column("seed", Integer, nullable=False),
    Column("epochs", Integer),  # epochs to solve; None when the run did not solve
    Column("stuck", Boolean, nullable=False),
    Column("at", Float, nullable=False),
)


class ClassRefused(Exception):
    """Something a user asked for that is refused, with the sentence to show them."""


class ClassUnavailable(Exception):
    """The class database cannot be reached or used right now."""


@dataclass(frozen=True)
class Member:
    code: str
    member: str  # anonymous random id of one browser session
    order: int  # 1 for the first student who joined


@dataclass(frozen=True)
class Status:
    code: str
    opened: float
    current: str | None
    closed: bool
    members: int
    revealed: frozenset[str]


def default_url() -> str:
    """XORLAB_DATABASE_URL, else a SQLite file in the system's temporary folder."""
    return os.environ.get(ENV_URL) or f"sqlite:///{Path(tempfile.gettempdir()) / 'xorlab_classes.sqlite'}"


def clean_code(text: object) -> str:
    """A class code as typed (any case, spaces, a dash) → its canonical form, or ClassRefused."""
    code = re.sub(r"[\s\-]", "", str(text or "")).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ClassRefused(f"“{str(text)[:20]}” is not a class code: a code is {CODE_LENGTH} letters and digits.")
    return code


def _hash(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def _checkpoint(checkpoint: str) -> str:
    if not isinstance(checkpoint, str) or not CHECKPOINT_RE.match(checkpoint):
        raise ClassRefused("That is not one of XOR Lab's checkpoints.")
    return checkpoint


def _answer(value: object) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ClassRefused("An answer is a choice, a sign or a number.")
    text = str(value).strip()
    if not text or len(text) > ANSWER_MAX or any(ord(c) < 32 for c in text):
        raise ClassRefused(f"An answer is 1 to {ANSWER_MAX} printable characters.")
    return text


class ClassStore:
    """One database of classes. Thread-safe (SQLAlchemy's pool); share one per server process."""

    def __init__(self, url: str | None = None, clock=time.time):
        self.url = url or default_url()
        self.clock = clock
        self._ready = False
        try:
            if self.url.startswith("sqlite"):
                self.engine = create_engine(self.url, connect_args={"timeout": 15, "check_same_thread": False})
                event.listen(self.engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        except (SQLAlchemyError, ImportError, ValueError) as e:
            raise ClassUnavailable(f"the class database address is not usable ({type(e).__name__})") from e

    # ----- plumbing -----
    def _begin(self):
        if not self._ready:
            try:
                metadata.create_all(self.engine)
            except SQLAlchemyError as e:
                raise ClassUnavailable(_why(e)) from e
            self._ready = True
        return self.engine.begin()

    def _run(self, work):
        """Run work(connection) in one transaction; database faults become ClassUnavailable."""
        try:
            with self._begin() as conn:
                return work(conn)
        except (ClassRefused, ClassUnavailable):
            raise
        except SQLAlchemyError as e:
            raise ClassUnavailable(_why(e)) from e

    def _live(self, conn, code: str):
        """The class row if it exists, is open and has not expired; else ClassRefused."""
        row = conn.execute(select(classes).where(classes.c.code == code)).first()
        if row is None or self.clock() - row.opened > LIFETIME_S:
            raise ClassRefused(f"There is no open class with the code {code} (a class lasts 24 hours).")
        if row.closed:
            raise ClassRefused(f"The class {code} has been closed by its teacher.")
        return row

    def _teacher(self, conn, code: str, token: str):
        row = self._live(conn, code)
        if not hmac.compare_digest(row.token_hash, _hash(token or "")):
            raise ClassRefused("Only the teacher's link can do that.")
        return row

    # ----- the teacher -----
    def open_class(self) -> tuple[str, str]:
        """A new class: (code, teacher token). The token is shown once, in the teacher's link."""
        token = secrets.token_urlsafe(18)

        def work(conn):
            self._purge(conn)
            n_open = conn.execute(select(func.count()).select_from(classes).where(classes.c.closed.is_(False))).scalar()
            if n_open >= MAX_OPEN_CLASSES:
                raise ClassRefused("Too many classes are open on this server right now; try again later.")
            for _ in range(20):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if conn.execute(select(classes.c.code).where(classes.c.code == code)).first() is None:
                    conn.execute(
                        insert(classes).values(code=code, token_hash=_hash(token), opened=self.clock(), closed=False)
                    )
                    return code
            raise ClassUnavailable("no free class code was found")

        return self._run(work), token

    def is_teacher(self, code: str, token: str) -> bool:
        code = clean_code(code)

        def work(conn):
            try:
                self._teacher(conn, code, token)
                return True
            except ClassRefused:
                return False

        return self._run(work)

    def move_to(self, code: str, token: str, where: str | None) -> None:
        """The teacher moves the class to a checkpoint, "<page url path>:<checkpoint>" (None: none)."""
        code = clean_code(code)
        if where is not None and (not isinstance(where, str) or not WHERE_RE.match(where)):
            raise ClassRefused("That is not one of XOR Lab's checkpoints.")

        def work(conn):
            self._teacher(conn, code, token)
            conn.execute(update(classes).where(classes.c.code == code).values(current=where))

        self._run(work)

    def reveal(self, code: str, token: str, checkpoint: str) -> None:
        code, cp = clean_code(code), _checkpoint(checkpoint)

        def work(conn):
            self._teacher(conn, code, token)
            done = conn.execute(select(reveals).where(and_(reveals.c.code == code, reveals.c.checkpoint == cp))).first()
            if done is None:
                conn.execute(insert(reveals).values(code=code, checkpoint=cp, at=self.clock()))

        self._run(work)

    def reset(self, code: str, token: str) -> None:
        """Every answer, reveal and run of the class is deleted; its code and students stay."""
        code = clean_code(code)

        def work(conn):
            self._teacher(conn, code, token)
            for table in (answers, reveals, runs):
                conn.execute(delete(table).where(table.c.code == code))
            conn.execute(update(classes).where(classes.c.code == code).values(current=None))

        self._run(work)

    def close(self, code: str, token: str) -> None:
        code = clean_code(code)
        self._run(
            lambda c: (
                self._teacher(c, code, token),
                c.execute(update(classes).where(classes.c.code == code).values(closed=True)),
            )
        )

    # ----- the students -----
    def join(self, code: str) -> Member:
        """A browser session joins the class: a new anonymous member with the next join order."""
        code = clean_code(code)
        member = secrets.token_hex(8)
        for _ in range(50):  # two students joining at the same instant race for one order: retry
            try:

                def work(conn):
                    self._live(conn, code)
                    n = conn.execute(select(func.count()).select_from(members).where(members.c.code == code)).scalar()
                    if n >= MAX_MEMBERS:
                        raise ClassRefused(f"The class {code} is full ({MAX_MEMBERS} students).")
                    top = conn.execute(select(func.max(members.c.joined_order)).where(members.c.code == code)).scalar()
                    order = int(top or 0) + 1
                    conn.execute(
                        insert(members).values(code=code, member=member, joined_order=order, joined=self.clock())
                    )
                    return order

                return Member(code, member, self._run(work))
            except ClassUnavailable as e:
                if not isinstance(e.__cause__, IntegrityError):
                    raise
                time.sleep(0.01 + secrets.randbelow(20) / 1000)
        raise ClassUnavailable("too many students joined at the same instant; try again")

    def answer(self, who: Member, checkpoint: str, value: object) -> None:
        """Store (or change) this student's answer; refused once the checkpoint is revealed."""
        code, cp, text = clean_code(who.code), _checkpoint(checkpoint), _answer(value)

        def work(conn):
            self._live(conn, code)
            known = conn.execute(
                select(members.c.member).where(and_(members.c.code == code, members.c.member == who.member))
            ).first()
            if known is None:
                raise ClassRefused("This browser has not joined that class: join it again with its code.")
            if conn.execute(select(reveals).where(and_(reveals.c.code == code, reveals.c.checkpoint == cp))).first():
                raise ClassRefused("The teacher has revealed this checkpoint: answers are closed.")
            where = and_(answers.c.code == code, answers.c.checkpoint == cp, answers.c.member == who.member)
            if conn.execute(update(answers).where(where).values(answer=text, at=self.clock())).rowcount == 0:
                conn.execute(
                    insert(answers).values(code=code, checkpoint=cp, member=who.member, answer=text, at=self.clock())
                )

        for _ in range(20):  # the same student's two tabs answering at once: the second one updates
            try:
                return self._run(work)
            except ClassUnavailable as e:
                if not isinstance(e.__cause__, IntegrityError):
                    raise

    def my_answer(self, who: Member, checkpoint: str) -> str | None:
        code, cp = clean_code(who.code), _checkpoint(checkpoint)
        where = and_(answers.c.code == code, answers.c.checkpoint == cp, answers.c.member == who.member)
        return self._run(lambda c: c.execute(select(answers.c.answer).where(where)).scalar())

    def add_run(self, who: Member, seed: int, epochs: int | None, stuck: bool) -> None:
        """This student's run in the class's convergence lab (one per student; a new one replaces it)."""
        code = clean_code(who.code)
        if not (0 <= int(seed) < 2**31) or (epochs is not None and not (0 <= int(epochs) < 10**7)):
            raise ClassRefused("That run's numbers are out of range.")

        def work(conn):
            self._live(conn, code)
            conn.execute(delete(runs).where(and_(runs.c.code == code, runs.c.member == who.member)))
            conn.execute(
                insert(runs).values(
                    code=code,
                    member=who.member,
                    seed=int(seed),
                    epochs=None if epochs is None else int(epochs),
                    stuck=bool(stuck),
                    at=self.clock(),
                )  # fmt: skip
            )

        self._run(work)

    # ----- what the class sees -----
    def status(self, code: str) -> Status:
        code = clean_code(code)

        def work(conn):
            row = self._live(conn, code)
            n = conn.execute(select(func.count()).select_from(members).where(members.c.code == code)).scalar()
            shown = conn.execute(select(reveals.c.checkpoint).where(reveals.c.code == code)).scalars().all()
            return Status(code, row.opened, row.current, bool(row.closed), int(n), frozenset(shown))

        return self._run(work)

    def counts(self, code: str, checkpoint: str) -> dict[str, int]:
        """How many students gave each answer to a checkpoint."""
        code, cp = clean_code(code), _checkpoint(checkpoint)
        q = (
            select(answers.c.answer, func.count())
            .where(and_(answers.c.code == code, answers.c.checkpoint == cp))
            .group_by(answers.c.answer)
        )
        return self._run(lambda c: (self._live(c, code), {a: int(n) for a, n in c.execute(q).all()})[1])

    def answered(self, code: str) -> dict[str, int]:
        """How many students answered each checkpoint of the class so far."""
        code = clean_code(code)
        q = (
            select(answers.c.checkpoint, func.count())
            .where(answers.c.code == code)
            .group_by(answers.c.checkpoint)
            .order_by(answers.c.checkpoint)
        )
        return self._run(lambda c: (self._live(c, code), {k: int(n) for k, n in c.execute(q).all()})[1])

    def class_runs(self, code: str) -> list[tuple[int, int | None, bool]]:
        """(seed, epochs to solve or None, stuck) of every student's run, in join order."""
        code = clean_code(code)
        q = select(runs.c.seed, runs.c.epochs, runs.c.stuck).where(runs.c.code == code).order_by(runs.c.seed)
        return self._run(lambda c: (self._live(c, code), [(int(s), e, bool(k)) for s, e, k in c.execute(q).all()])[1])

    # ----- housekeeping -----
    def _purge(self, conn) -> None:
        old = [r.code for r in conn.execute(select(classes.c.code).where(classes.c.opened < self.clock() - LIFETIME_S))]
        if old:
            for table in (answers, reveals, runs, members, classes):
                conn.execute(delete(table).where(table.c.code.in_(old)))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's recipe: we issue BEGIN ourselves (below)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer: a class answers at once
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def _why(e: Exception) -> str:
    """A short reason for the class panel (never the database address or its password)."""
    text = str(getattr(e, "orig", None) or e).splitlines()[0] if str(e) else type(e).__name__
    return re.sub(r"\w+://\S+", "(database)", text)[:160]


def _sqlite_begin(conn) -> None:
    """Every transaction takes SQLite's write lock at its start, so two that read and then write wait
    for each other (busy_timeout) instead of failing when both try to upgrade (SQLAlchemy's pysqlite
    recipe for serializable transactions)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")
