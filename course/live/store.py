"""Where the live class service keeps sessions and answers: two tables of its own in the course's gradebook database.

The gradebook is nbgrader's database (SQLite by default, PostgreSQL for a large class; ``pm-course grade --db``), so
an instructor has one database to back up. The live view adds ``pm_course_live_sessions`` and
``pm_course_live_answers`` beside nbgrader's tables and never touches those. SQLAlchemy, which nbgrader already
uses, speaks both databases.

One row per session, student, widget and item: a new answer to the same item replaces the last one (the latest
counts) while ``first_answer`` keeps the first, which shows what the class believed before feedback, and ``changes``
counts how often it changed. Times are UTC.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

METADATA = MetaData()
SESSIONS = Table(
    "pm_course_live_sessions", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("course", String(64), nullable=False),
    Column("lesson", String(128), nullable=False),
    Column("opened_by", String(255), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
)
ANSWERS = Table(
    "pm_course_live_answers", METADATA,
    Column("session_id", Integer, ForeignKey("pm_course_live_sessions.id"), primary_key=True),
    Column("student", String(255), primary_key=True),
    Column("widget", String(128), primary_key=True),
    Column("item", String(128), primary_key=True),
    Column("answer", Text, nullable=False),
    Column("first_answer", Text, nullable=False),
    Column("changes", Integer, nullable=False),
    Column("first_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


@dataclass(frozen=True)
class Session:
    id: int
    course: str
    lesson: str
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def as_json(self, students: int | None = None) -> dict[str, Any]:
        record = {"id": self.id, "course": self.course, "lesson": self.lesson, "opened_by": self.opened_by,
                  "opened_at": _iso(self.opened_at), "closed_at": _iso(self.closed_at), "open": self.open}
        if students is not None:
            record["students"] = students
        return record


class LiveStore:
    """Sessions and answers of one course, in the database at ``url`` (its tables made when missing)."""

    def __init__(self, url: str, course: str = "pm-course"):
        self.course = course
        self.engine = _engine(url)
        METADATA.create_all(self.engine, checkfirst=True)

    def sessions(self) -> list[Session]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(SESSIONS).where(SESSIONS.c.course == self.course)
                                      .order_by(SESSIONS.c.id)).all()
        return [Session(**row._mapping) for row in rows]

    def session(self, session_id: int) -> Session | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(SESSIONS).where(SESSIONS.c.id == session_id,
                                                            SESSIONS.c.course == self.course)).first()
        return Session(**row._mapping) if row else None

    def open_session(self, lesson: str, opened_by: str) -> tuple[Session, bool]:
        """The lesson's open session, made now unless one is already open; (session, whether it is new)."""
        with self.engine.begin() as connection:
            row = connection.execute(select(SESSIONS).where(SESSIONS.c.course == self.course,
                                                            SESSIONS.c.lesson == lesson,
                                                            SESSIONS.c.closed_at.is_(None))).first()
            if row:
                return Session(**row._mapping), False
            result = connection.execute(SESSIONS.insert().values(course=self.course, lesson=lesson,
                                                                 opened_by=opened_by, opened_at=_now()))
            session_id = result.inserted_primary_key[0]
        return self.session(session_id), True

    def close_session(self, session_id: int) -> Session | None:
        with self.engine.begin() as connection:
            connection.execute(SESSIONS.update().where(SESSIONS.c.id == session_id, SESSIONS.c.course == self.course,
                                                       SESSIONS.c.closed_at.is_(None)).values(closed_at=_now()))
        return self.session(session_id)

    def record(self, session_id: int, student: str, widget: str, item: str, answer: Any) -> None:
        """Keep ``answer`` as the student's latest for the item (the first stays in ``first_answer``)."""
        text = json.dumps(answer, sort_keys=True)
        key = (ANSWERS.c.session_id == session_id, ANSWERS.c.student == student, ANSWERS.c.widget == widget,
               ANSWERS.c.item == item)
        for _attempt in range(2):  # a second try when another writer inserted the same row in between
            try:
                with self.engine.begin() as connection:
                    row = connection.execute(select(ANSWERS.c.answer, ANSWERS.c.changes).where(*key)).first()
                    if row is None:
                        connection.execute(ANSWERS.insert().values(
                            session_id=session_id, student=student, widget=widget, item=item, answer=text,
                            first_answer=text, changes=0, first_at=_now(), updated_at=_now()))
                    elif row.answer != text:
                        connection.execute(ANSWERS.update().where(*key).values(
                            answer=text, changes=row.changes + 1, updated_at=_now()))
                return
            except IntegrityError:
                continue

    def answers(self, session_id: int) -> list[dict[str, Any]]:
        """Every stored answer of a session, names included (for the instructor's export, never the summary)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(ANSWERS).where(ANSWERS.c.session_id == session_id)
                                      .order_by(ANSWERS.c.widget, ANSWERS.c.item, ANSWERS.c.student)).all()
        return [{"student": row.student, "widget": row.widget, "item": row.item, "answer": json.loads(row.answer),
                 "first_answer": json.loads(row.first_answer), "changes": row.changes,
                 "first_at": _iso(row.first_at), "updated_at": _iso(row.updated_at)} for row in rows]

    def students(self, session_id: int) -> int:
        with self.engine.connect() as connection:
            rows = connection.execute(select(ANSWERS.c.student).where(ANSWERS.c.session_id == session_id)
                                      .distinct()).all()
        return len(rows)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _foreign_keys(connection, _record) -> None:  # SQLite checks foreign keys only when asked
            connection.execute("PRAGMA foreign_keys=ON")

        return engine
    return create_engine(url, pool_pre_ping=True)
