"""Loading a round's digest from the database: latest versions, the previous round's
running totals, the files, and who cannot be reached."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.campaign import Campaign, QuestionType
from reporting.digest import Digest, FileEntry, SubmissionEntry, UnitEntry, compile_digest
from reporting.form import FormState
from storage import drafts
from storage import models as m
from storage.contacts import unit_contacts
from storage.submissions import latest_versions
from storage.taking_part import campaign_order, taking_part


async def load_digest(session: AsyncSession, campaign: Campaign, campaign_id: int,
                      round_code: str, as_of: dt.datetime, contents: bool = True) -> Digest:
    """The round's digest as of `as_of`; `contents=False` leaves the files' bytes out (for
    the screens that only name them)."""
    rounds = list(await session.scalars(select(m.Round).where(
        m.Round.campaign_id == campaign_id, m.Round.retired_at.is_(None))
        .order_by(m.Round.position)))
    rnd = next(r for r in rounds if r.code == round_code)
    continued = campaign.earlier_rounds(round_code)
    earlier = [r for r in rounds if r.code in continued]
    units = list(await session.scalars(select(m.Unit).where(
        taking_part(campaign_id), m.Unit.is_province.is_(False))
        .order_by(campaign_order(campaign_id))))
    codes = {u.id: u.code for u in units}
    current = await latest_submissions(session, rnd.id, codes)
    previous = await latest_submissions(session, earlier[-1].id, codes) if earlier else []
    attachment_questions = {q.id for q in campaign.questions_for(round_code)
                            if q.type is QuestionType.ATTACHMENT}
    wanted = {int(i) for s in current for q in attachment_questions
              for i in (s.answers.get(q) or [])}
    files = []
    if wanted:
        owners = {int(i): (s.unit, q) for s in current for q in attachment_questions
                  for i in (s.answers.get(q) or [])}
        columns = [m.Attachment.id, m.Attachment.file_name, m.Attachment.mime_type,
                   m.Attachment.caption]
        if contents:
            columns.append(m.Attachment.content)
        for a in await session.execute(select(*columns).where(m.Attachment.id.in_(wanted))
                                       .order_by(m.Attachment.id)):
            unit, question = owners[a.id]
            files.append(FileEntry(unit=unit, question=question, name=a.file_name,
                                   mime_type=a.mime_type,
                                   content=a.content if contents else b"",
                                   caption=a.caption))
    blocked = await session.execute(
        select(m.Unit.short_name, m.Person.name).join(m.Unit, m.Unit.id == m.Person.unit_id)
        .where(taking_part(campaign_id, retired=None), m.Person.active.is_(True),
               m.Person.reachable.is_(False), m.Person.chat_id.is_not(None))
        .order_by(campaign_order(campaign_id), m.Person.id))
    people: dict[str, list[tuple[str, str | None]]] = {}
    for person in await unit_contacts(session, campaign_id):
        if person.active and person.unit_id in codes:
            people.setdefault(codes[person.unit_id], []).append((person.name, person.phone))
    questions = campaign.questions_for(round_code)
    submitted = {s.unit for s in current}
    drafting = {}
    for unit_id, answers in (await drafts.round_drafts(session, rnd.id)).items():
        if unit_id in codes and codes[unit_id] not in submitted:
            state = FormState(questions, answers)
            drafting[codes[unit_id]] = (sum(1 for q in questions if state.is_answered(q)),
                                        len(questions))
    return compile_digest(
        campaign, round_code, as_of,
        [UnitEntry(code=u.code, name=u.name, short=u.short_name) for u in units],
        current, previous, files, [f"{unit} {name}" for unit, name in blocked],
        people, drafting)


async def latest_submissions(session: AsyncSession, round_id: int,
                             codes: dict[int, str]) -> list[SubmissionEntry]:
    rows = list(await session.scalars(latest_versions(m.Submission.round_id == round_id)))
    answers: dict[int, dict] = {r.id: {} for r in rows}
    if rows:
        for sid, qid, value in await session.execute(
                select(m.Answer.submission_id, m.Answer.question_id, m.Answer.value)
                .where(m.Answer.submission_id.in_(list(answers)))):
            answers[sid][qid] = value
    return [SubmissionEntry(unit=codes[r.unit_id], version=r.version,
                            submitted_at=r.submitted_at, late=r.late,
                            review_state=r.review_state, answers=answers[r.id],
                            review_note=r.review_note)
            for r in rows if r.unit_id in codes]
