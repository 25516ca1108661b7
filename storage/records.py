"""What storage hands to the floors above: plain, frozen records, never ORM objects.

A record is read inside a transaction and outlives it safely: nothing is loaded lazily,
nothing is written back by accident. Flows change the database through storage's
functions, not by setting a record's fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from reporting.digest import ReviewState
from storage import models as m


@dataclass(frozen=True)
class UnitRecord:
    id: int
    code: str
    name: str
    short_name: str
    is_province: bool
    position: int
    retired_at: dt.datetime | None


@dataclass(frozen=True)
class PersonRecord:
    """Someone the bot knows: a unit's contact (联络员), or a coordinator or admin at the
    province, with their unit."""

    id: int
    telegram_user_id: int | None
    chat_id: int | None
    name: str
    phone: str | None
    unit_id: int
    role: m.Role
    language: str
    reachable: bool
    active: bool
    joined_at: dt.datetime | None
    unit: UnitRecord
    wecom_user_id: str | None = None
    channel: str | None = None  # where they chose to be reached, if they are on both

    @property
    def reached_on(self) -> str:
        """Where what the bot sends on its own reaches them (see `reached_on`)."""
        return reached_on(self.chat_id, self.wecom_user_id, self.channel)


def reached_on(chat_id: int | None, wecom_user_id: str | None, channel: str | None) -> str:
    """`wecom` for someone who joined only on WeCom, or on both and chose it; `telegram`
    otherwise. The one rule, for the ledger's routing and for what a message says."""
    if wecom_user_id is not None and (channel == "wecom" or chat_id is None):
        return "wecom"
    return "telegram"


@dataclass(frozen=True)
class RoundRecord:
    """A reporting deadline (报送节点) as loaded: `code` is the campaign file's id for it,
    `id` the database's key."""

    id: int
    campaign_id: int
    code: str
    title: str
    position: int
    opens_at: dt.datetime
    due_at: dt.datetime
    late_until: dt.datetime | None


@dataclass(frozen=True)
class SubmissionRecord:
    """One numbered version of a unit's report for a round."""

    id: int
    unit_id: int
    round_id: int
    version: int
    submitted_by: int | None
    submitted_at: dt.datetime
    late: bool
    review_state: ReviewState
    review_note: str | None


def joined_somewhere() -> Any:
    """The person can be sent to: they joined on Telegram (a chat) or on WeCom."""
    return or_(m.Person.chat_id.is_not(None), m.Person.wecom_user_id.is_not(None))


def unit_record(row: m.Unit | Any) -> UnitRecord:
    """From the model or a plain row of its table."""
    return UnitRecord(id=row.id, code=row.code, name=row.name,
                      short_name=row.short_name, is_province=row.is_province,
                      position=row.position, retired_at=row.retired_at)


def person_record(row: m.Person | Any, unit: m.Unit | UnitRecord | None = None) -> PersonRecord:
    """The person as a record, from the model or a plain row of its table; `unit` if it is
    at hand, else the model's own (loaded with it)."""
    unit = unit or row.unit
    return PersonRecord(
        id=row.id, telegram_user_id=row.telegram_user_id, chat_id=row.chat_id, name=row.name,
        phone=row.phone, unit_id=row.unit_id, role=m.Role(row.role), language=row.language,
        reachable=row.reachable, active=row.active, joined_at=row.joined_at,
        unit=unit if isinstance(unit, UnitRecord) else unit_record(unit),
        wecom_user_id=row.wecom_user_id, channel=row.channel)


def round_record(row: m.Round) -> RoundRecord:
    return RoundRecord(id=row.id, campaign_id=row.campaign_id, code=row.code, title=row.title,
                       position=row.position,
                       opens_at=row.opens_at, due_at=row.due_at, late_until=row.late_until)


def submission_record(row: m.Submission | Any) -> SubmissionRecord:
    """From the model or a plain row of its table."""
    return SubmissionRecord(id=row.id, unit_id=row.unit_id, round_id=row.round_id,
                            version=row.version, submitted_by=row.submitted_by,
                            submitted_at=row.submitted_at, late=row.late,
                            review_state=ReviewState(row.review_state),
                            review_note=row.review_note)
