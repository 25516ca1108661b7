"""Drafts, answers and submissions: each accepted answer is one short committed write.

Two contacts of one unit share its draft; each answer is an upsert, so answers given at
the same time are both kept and the later answer to the same question wins. Submitting
claims the draft by deleting it: of two Submit taps, exactly one makes a version.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from reporting.form import StoredAnswer
from storage import models as m
from storage.db import dialect_insert


async def find_draft(session: AsyncSession, unit_id: int, round_id: int) -> m.Draft | None:
    return await session.scalar(
        select(m.Draft).where(m.Draft.unit_id == unit_id, m.Draft.round_id == round_id)
    )


async def open_draft(
    session: AsyncSession, unit_id: int, round_id: int, now: dt.datetime,
    start_from: m.Submission | None = None,
) -> m.Draft:
    """The unit's draft for the round, made if there is none (from a submitted version,
    to amend it, when `start_from` is given)."""
    draft = await find_draft(session, unit_id, round_id)
    if draft is not None:
        return draft
    try:
        async with session.begin_nested():
            draft = m.Draft(unit_id=unit_id, round_id=round_id, created_at=now, updated_at=now,
                            based_on_version=start_from.version if start_from else None)
            session.add(draft)
            await session.flush()
    except IntegrityError:  # a colleague opened it at the same moment
        draft = await find_draft(session, unit_id, round_id)
        assert draft is not None
        return draft
    if start_from is not None:
        for answer in await session.scalars(
            select(m.Answer).where(m.Answer.submission_id == start_from.id)
        ):
            session.add(m.DraftAnswer(draft_id=draft.id, question_id=answer.question_id,
                                      value=answer.value, skipped=answer.value is None,
                                      answered_by=start_from.submitted_by, answered_at=now))
        await session.flush()
    return draft


# Statements on the path of every answer are built once (building one costs about as
# much as running it on SQLite).
_ANSWERS = m.DraftAnswer.__table__
_DRAFTS_T = m.Draft.__table__
_DRAFT_ANSWERS = select(_ANSWERS.c.question_id, _ANSWERS.c.value, _ANSWERS.c.skipped).where(
    _ANSWERS.c.draft_id == bindparam("draft_id"))


@functools.cache
def _upsert(dialect: str) -> Any:
    """Insert or replace an answer, built once per dialect."""
    statement = dialect_insert(dialect)(_ANSWERS)
    return statement.on_conflict_do_update(
        index_elements=["draft_id", "question_id"],
        set_={k: statement.excluded[k] for k in ("value", "skipped", "answered_by",
                                                 "answered_at")})


async def draft_answers(session: AsyncSession, draft_id: int) -> dict[str, StoredAnswer]:
    rows = await session.execute(_DRAFT_ANSWERS, {"draft_id": draft_id})
    return {qid: StoredAnswer(value=value, skipped=skipped) for qid, value, skipped in rows}


async def round_drafts(session: AsyncSession,
                       round_id: int) -> dict[int, dict[str, StoredAnswer]]:
    """Every unit's draft answers for a round, by unit: two queries, however many units."""
    found: dict[int, dict[str, StoredAnswer]] = {}
    draft_units = dict((await session.execute(
        select(m.Draft.id, m.Draft.unit_id).where(m.Draft.round_id == round_id))).all())
    for draft_id in draft_units:
        found[draft_units[draft_id]] = {}
    if draft_units:
        rows = await session.execute(
            select(_ANSWERS.c.draft_id, _ANSWERS.c.question_id, _ANSWERS.c.value,
                   _ANSWERS.c.skipped)
            .join(_DRAFTS_T, _DRAFTS_T.c.id == _ANSWERS.c.draft_id)
            .where(_DRAFTS_T.c.round_id == round_id))
        for draft_id, qid, value, skipped in rows:
            found[draft_units[draft_id]][qid] = StoredAnswer(value=value, skipped=skipped)
    return found


async def save_answer(
    session: AsyncSession, draft_id: int, question_id: str, value: Any, contact_id: int,
    now: dt.datetime, skipped: bool = False,
) -> None:
    """Insert or replace one answer: the later answer to the same question wins."""
    values = {"draft_id": draft_id, "question_id": question_id, "value": value,
              "skipped": skipped, "answered_by": contact_id, "answered_at": now}
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    await session.execute(_upsert(dialect), values)


async def clear_answer(session: AsyncSession, draft_id: int, question_id: str) -> None:
    await session.execute(delete(m.DraftAnswer).where(
        m.DraftAnswer.draft_id == draft_id, m.DraftAnswer.question_id == question_id))


async def latest_submission(
    session: AsyncSession, unit_id: int, round_id: int
) -> m.Submission | None:
    return await session.scalar(
        select(m.Submission)
        .where(m.Submission.unit_id == unit_id, m.Submission.round_id == round_id)
        .order_by(m.Submission.version.desc())
        .limit(1)
    )


async def submission_answers(session: AsyncSession, submission_id: int) -> dict[str, Any]:
    rows = await session.execute(
        select(m.Answer.question_id, m.Answer.value).where(
            m.Answer.submission_id == submission_id)
    )
    return {qid: value for qid, value in rows}


@dataclass(frozen=True)
class Submitted:
    submission: m.Submission
    answers: dict[str, Any]


async def submit_draft(
    session: AsyncSession, draft: m.Draft, contact_id: int, now: dt.datetime, late: bool,
    question_ids: list[str],
) -> Submitted | None:
    """Turn the draft into the next version. None if a colleague submitted it first.

    Lateness belongs to the unit's first version of the round: `late` counts for it alone,
    and every later version (a revision the province asked for, or the unit's own
    correction) keeps what the first was."""
    answers = await draft_answers(session, draft.id)
    claimed = await session.execute(
        delete(m.Draft).where(m.Draft.id == draft.id).execution_options(
            synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None  # its answers and cursors went with it (ON DELETE CASCADE)
    previous = await latest_submission(session, draft.unit_id, draft.round_id)
    version = (previous.version if previous else 0) + 1
    returned = previous is not None and previous.review_state == ReviewState.RETURNED
    late = previous.late if previous is not None else late
    submission = m.Submission(unit_id=draft.unit_id, round_id=draft.round_id, version=version,
                              submitted_by=contact_id, submitted_at=now, late=late,
                              review_state=ReviewState.REVISED if returned
                              else ReviewState.PENDING)
    session.add(submission)
    await session.flush()
    kept: dict[str, Any] = {}
    for qid in question_ids:
        answer = answers.get(qid)
        value = None if answer is None or answer.skipped else answer.value
        kept[qid] = value
        session.add(m.Answer(submission_id=submission.id, question_id=qid, value=value))
    await session.flush()
    return Submitted(submission=submission, answers=kept)


# -- where each contact is in the form ------------------------------------------------------


async def cursor_of(session: AsyncSession, contact_id: int) -> m.FormCursor | None:
    found = await cursor_with_draft(session, contact_id)
    return None if found is None else found.cursor


_CURSORS, _DRAFTS = m.FormCursor.__table__, m.Draft.__table__
# What a step needs of the cursor and the draft, without their timestamps: the query
# returns them once for every answer row, and converting timestamps was most of its cost.
_PLACE_CURSOR = ("contact_id", "draft_id", "question_id", "mode")
_PLACE_DRAFT = ("id", "unit_id", "round_id", "based_on_version")
_CURSOR_END = len(_PLACE_CURSOR)
_DRAFT_END = _CURSOR_END + len(_PLACE_DRAFT)  # then the answer's question, value, skipped
_CURSOR_WITH_DRAFT = (
    select(*(_CURSORS.c[name] for name in _PLACE_CURSOR),
           *(_DRAFTS.c[name].label(f"draft__{name}") for name in _PLACE_DRAFT),
           _ANSWERS.c.question_id.label("a_question"), _ANSWERS.c.value.label("a_value"),
           _ANSWERS.c.skipped.label("a_skipped"))
    .join(_DRAFTS, _DRAFTS.c.id == _CURSORS.c.draft_id)
    .outerjoin(_ANSWERS, _ANSWERS.c.draft_id == _DRAFTS.c.id)
    .where(_CURSORS.c.contact_id == bindparam("contact_id"))
)
_MOVE_CURSOR = (
    _CURSORS.update()
    .where(_CURSORS.c.contact_id == bindparam("cid"))
    .values(draft_id=bindparam("did"), question_id=bindparam("qid"), mode=bindparam("mode"),
            updated_at=bindparam("now"))
)


@dataclass(frozen=True)
class Place:
    """Where a contact is: their cursor, the draft it points into, and its answers."""

    cursor: m.FormCursor
    draft: m.Draft
    answers: dict[str, StoredAnswer]


async def cursor_with_draft(session: AsyncSession, contact_id: int) -> Place | None:
    """The contact's place in one plain query. The objects are snapshots without their
    timestamps: move the cursor with `set_cursor`."""
    rows = (await session.execute(_CURSOR_WITH_DRAFT, {"contact_id": contact_id})).all()
    if not rows:
        return None
    first = rows[0]
    cursor = m.FormCursor(**dict(zip(_PLACE_CURSOR, first[:_CURSOR_END], strict=True)))
    draft = m.Draft(**dict(zip(_PLACE_DRAFT, first[_CURSOR_END:_DRAFT_END], strict=True)))
    answers = {question: StoredAnswer(value=value, skipped=skipped)
               for question, value, skipped in (r[_DRAFT_END:] for r in rows)
               if question is not None}
    return Place(cursor=cursor, draft=draft, answers=answers)


async def set_cursor(session: AsyncSession, contact_id: int, draft_id: int,
                     question_id: str | None, mode: m.CursorMode,
                     now: dt.datetime) -> None:
    """Move the contact's cursor, making it if there is none."""
    moved = await session.execute(_MOVE_CURSOR, {"cid": contact_id, "did": draft_id,
                                                 "qid": question_id, "mode": mode, "now": now})
    if moved.rowcount == 0:
        await session.execute(_CURSORS.insert().values(
            contact_id=contact_id, draft_id=draft_id, question_id=question_id, mode=mode,
            updated_at=now))


async def drop_cursor(session: AsyncSession, contact_id: int) -> None:
    await session.execute(delete(m.FormCursor).where(m.FormCursor.contact_id == contact_id))


async def suggest(session: AsyncSession, draft_id: int, found: dict[str, str],
                  now: dt.datetime) -> None:
    """Offer figures found in a Word file (question id → the cell's text), in place of
    any offered before for those questions."""
    if not found:
        return
    await session.execute(delete(m.SuggestedAnswer).where(
        m.SuggestedAnswer.draft_id == draft_id,
        m.SuggestedAnswer.question_id.in_(list(found))))
    session.add_all([m.SuggestedAnswer(draft_id=draft_id, question_id=qid, text=text,
                                       created_at=now) for qid, text in found.items()])


async def suggestion(session: AsyncSession, draft_id: int, question_id: str) -> str | None:
    row = await session.get(m.SuggestedAnswer, (draft_id, question_id))
    return None if row is None else row.text
