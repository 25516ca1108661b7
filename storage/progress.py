"""Who has submitted what: counts per round, for `status` and the coordinators' views."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.digest import ReviewState
from storage import models as m
from storage.records import (
    PersonRecord,
    RoundRecord,
    SubmissionRecord,
    UnitRecord,
    joined_somewhere,
    person_record,
    round_record,
    submission_record,
    unit_record,
)
from storage.submissions import latest_versions
from storage.taking_part import campaign_order, taking_part


@dataclass(frozen=True)
class RoundCount:
    round: RoundRecord
    submitted: int
    late: int
    total: int


async def campaign_row(session: AsyncSession, code: str) -> m.Campaign | None:
    return await session.scalar(select(m.Campaign).where(m.Campaign.code == code))


async def active_units(session: AsyncSession, campaign_id: int) -> list[m.Unit]:
    return await _units(session, campaign_id, retired=False)


async def retired_units(session: AsyncSession, campaign_id: int) -> list[m.Unit]:
    return await _units(session, campaign_id, retired=True)


async def _units(session: AsyncSession, campaign_id: int, retired: bool) -> list[m.Unit]:
    rows = await session.scalars(select(m.Unit).where(taking_part(campaign_id, retired))
                                 .order_by(campaign_order(campaign_id)))
    return list(rows)


async def active_rounds(session: AsyncSession, campaign_id: int) -> list[RoundRecord]:
    rows = await session.scalars(
        select(m.Round)
        .where(m.Round.campaign_id == campaign_id, m.Round.retired_at.is_(None))
        .order_by(m.Round.position)
    )
    return [round_record(row) for row in rows]


async def round_counts(session: AsyncSession, campaign_id: int) -> list[RoundCount]:
    """Per active round: units (active, reporting) with a submission, and how many late.

    A unit counts as late when its first version came after the deadline.
    """
    rounds = list(
        await session.scalars(
            select(m.Round)
            .where(m.Round.campaign_id == campaign_id, m.Round.retired_at.is_(None))
            .order_by(m.Round.position)
        )
    )
    reporting = (
        select(m.Unit.id)
        .where(taking_part(campaign_id), m.Unit.is_province.is_(False))
        .scalar_subquery()
    )
    total = await session.scalar(
        select(func.count()).select_from(m.Unit).where(
            taking_part(campaign_id), m.Unit.is_province.is_(False))
    ) or 0
    first = (
        select(m.Submission.round_id, m.Submission.unit_id, m.Submission.late)
        .where(m.Submission.version == 1, m.Submission.unit_id.in_(reporting))
        .subquery()
    )
    rows = await session.execute(
        select(first.c.round_id, func.count(), func.sum(cast(first.c.late, Integer)))
        .group_by(first.c.round_id)
    )
    by_round = {rid: (n, int(late or 0)) for rid, n, late in rows}
    return [
        RoundCount(round=round_record(r), submitted=by_round.get(r.id, (0, 0))[0],
                   late=by_round.get(r.id, (0, 0))[1], total=total)
        for r in rounds
    ]


@dataclass(frozen=True)
class UnitRound:
    """One unit's standing in one round."""

    round: RoundRecord
    latest: SubmissionRecord | None
    draft_answers: int | None


async def unit_rounds(session: AsyncSession, campaign_id: int, unit_id: int) -> list[UnitRound]:
    rounds = list(await session.scalars(
        select(m.Round)
        .where(m.Round.campaign_id == campaign_id, m.Round.retired_at.is_(None))
        .order_by(m.Round.position)
    ))
    latest = {s.round_id: submission_record(s) for s in await session.scalars(
        latest_versions(m.Submission.unit_id == unit_id))}
    draft_counts: dict[int, int] = dict((await session.execute(
        select(m.Draft.round_id, func.count(m.DraftAnswer.id))
        .outerjoin(m.DraftAnswer, m.DraftAnswer.draft_id == m.Draft.id)
        .where(m.Draft.unit_id == unit_id)
        .group_by(m.Draft.round_id)
    )).all())
    return [UnitRound(round=round_record(r), latest=latest.get(r.id),
                      draft_answers=draft_counts.get(r.id)) for r in rounds]


@dataclass(frozen=True)
class RoundStatus:
    """Where a round stands: who submitted (latest version), who is missing, and how to
    reach the missing units' contacts."""

    round: RoundRecord
    units: list[UnitRecord]
    submitted: list[tuple[UnitRecord, SubmissionRecord]]
    missing: list[UnitRecord]
    returned: list[UnitRecord]  # submitted, and sent back by the province: to do again
    contacts: dict[int, list[PersonRecord]]  # the reachable, joined contacts of units to remind
    unreachable: list[PersonRecord]          # contacts of units to remind who blocked the bot

    @property
    def total(self) -> int:
        return len(self.units)

    @property
    def to_remind(self) -> list[UnitRecord]:
        """Units that owe the round a report: never sent, or sent back."""
        return self.missing + self.returned

    @property
    def unreached(self) -> list[UnitRecord]:
        """Missing units nobody can be reminded in: no one joined, or all blocked the bot."""
        return [u for u in self.missing if not self.contacts.get(u.id)]


async def round_status(session: AsyncSession, campaign_id: int, round_code: str,
                       people: bool = True) -> RoundStatus:
    """The round's standing; with `people=False`, without the contacts of the units to
    remind (a reminder to thousands reads them a chunk of units at a time)."""
    rnd = await session.scalar(select(m.Round).where(
        m.Round.campaign_id == campaign_id, m.Round.code == round_code))
    if rnd is None:
        raise KeyError(round_code)
    units_t = m.Unit.__table__  # plain rows here too: a campaign may have thousands of units
    units = [unit_record(u) for u in await session.execute(select(units_t).where(
        taking_part(campaign_id), units_t.c.is_province.is_(False))
        .order_by(campaign_order(campaign_id)))]
    versions = latest_versions(m.Submission.round_id == rnd.id).subquery()
    latest = {s.unit_id: submission_record(s)
              for s in await session.execute(select(versions))}
    missing = [u for u in units if u.id not in latest]
    returned = [u for u in units if u.id in latest
                and latest[u.id].review_state == ReviewState.RETURNED]
    contacts, unreachable = (await unit_contacts(session, missing + returned) if people
                             else ({}, []))
    return RoundStatus(
        round=round_record(rnd), units=units,
        submitted=[(u, latest[u.id]) for u in units if u.id in latest],
        missing=missing, returned=returned, contacts=contacts, unreachable=unreachable)


async def unit_contacts(session: AsyncSession, units: list[UnitRecord],
                        ) -> tuple[dict[int, list[PersonRecord]], list[PersonRecord]]:
    """The joined, active contacts of `units`: those who can be reached, by unit, and
    those who blocked the bot."""
    by_id = {u.id: u for u in units}
    people_t = m.Person.__table__  # plain rows: thousands of people, no ORM objects
    people = [person_record(p, by_id[p.unit_id]) for p in await session.execute(
        select(people_t).where(
            people_t.c.unit_id.in_(list(by_id)), people_t.c.active.is_(True),
            joined_somewhere()).order_by(people_t.c.id))]
    contacts: dict[int, list[PersonRecord]] = {}
    for person in people:
        if person.reachable:
            contacts.setdefault(person.unit_id, []).append(person)
    return contacts, [p for p in people if not p.reachable]


async def latest_submission_ids(session: AsyncSession, round_id: int) -> dict[str, int]:
    """Each unit's latest submission of a round, by unit code (what a return points at)."""
    latest = latest_versions(m.Submission.round_id == round_id).subquery()
    rows = await session.execute(select(m.Unit.code, latest.c.id)
                                 .join(latest, latest.c.unit_id == m.Unit.id))
    return {code: submission_id for code, submission_id in rows}
