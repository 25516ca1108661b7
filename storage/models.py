"""The database tables, as SQLAlchemy 2 typed models. Times are stored in UTC."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from reporting.digest import ReviewState
from texts.text import clean_text


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class PeoplesText(TypeDecorator[str]):
    """Text that came from people (names, file names, notes): kept to the characters a
    Word or Excel file can hold, and cut on purpose to the column's length (a Telegram
    name is up to 129 characters; PostgreSQL refuses what does not fit)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int | None = None):
        super().__init__(length)
        self.limit = length

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        value = clean_text(value)
        return value[: self.limit] if self.limit else value


class PeoplesLongText(PeoplesText):
    impl = Text
    cache_ok = True


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Role(StrEnum):
    """What a person may do (DESIGN's roles table)."""

    CONTACT = "contact"  # 联络员: reports for one unit
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    CANCELLED = "cancelled"  # no longer wanted when its turn came (the unit submitted)


class PlanState(StrEnum):
    PLANNED = "planned"
    # Its messages are being queued, in chunks (a reminder to thousands of people): an
    # item left here by a crash is taken again, and the ledger's keys keep each once.
    FIRING = "firing"
    DONE = "done"  # fired: its messages are in the ledger
    SKIPPED = "skipped"  # its time passed while the bot was not running


class BroadcastStage(StrEnum):
    COMPOSE = "compose"  # the admin is writing it
    AUDIENCE = "audience"  # choosing who gets it
    PREVIEW = "preview"  # seen as recipients will see it, waiting for "send"
    SENT = "sent"  # confirmed: in the ledger
    CANCELLED = "cancelled"


OPEN_STAGES = (BroadcastStage.COMPOSE, BroadcastStage.AUDIENCE, BroadcastStage.PREVIEW)


class CursorMode(StrEnum):
    ASK = "ask"  # the next unanswered question is on screen
    EDIT = "edit"  # one question, chosen from the review, then back to the review
    REVIEW = "review"  # the review, waiting for submit, edit or later


class StateColumn(TypeDecorator[Any]):
    """A state column: text in the database, the enum's member in Python."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type[StrEnum]):
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else self.enum(value)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[dt.datetime]
    # Archived: out of every reminder and menu; its data stays readable.
    archived_at: Mapped[dt.datetime | None]


class Unit(Base):
    """A reporting unit (市商务局), or the province where coordinators sit: one row per code
    for the whole province, whichever campaigns it takes part in (`CampaignUnit`)."""

    __tablename__ = "units"
    __table_args__ = (
        # From when a unit was one campaign's; implied by the code's own uniqueness now.
        UniqueConstraint("campaign_id", "code"),
        Index("uq_units_code", "code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The campaign that listed it first. The column keeps the name it had when a unit
    # belonged to one campaign (SQLite rebuilds a table to rename a column).
    first_campaign_id: Mapped[int] = mapped_column("campaign_id", ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(40))
    is_province: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set when no campaign lists it any more; its people and reports stay.
    retired_at: Mapped[dt.datetime | None]


class CampaignUnit(Base):
    """A unit taking part in a campaign, at its place in the campaign file's list. Retired:
    the file no longer lists it (it comes back if it returns)."""

    __tablename__ = "campaign_units"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[dt.datetime | None]


class Round(Base):
    """A reporting deadline (报送节点)."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]
    late_until: Mapped[dt.datetime | None]
    retired_at: Mapped[dt.datetime | None]


class UpstreamDeadline(Base):
    """The province's own deadline towards the ministry."""

    __tablename__ = "upstream_deadlines"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime]
    round_codes: Mapped[list[Any]]
    retired_at: Mapped[dt.datetime | None]


class Person(Base):
    """Someone the bot knows: a unit's contact (联络员, `Role.CONTACT`), or a coordinator or
    admin at the province. The table keeps its first name, `contacts`, and the columns that
    point at a person theirs (`contact_id`, `answered_by`, …): renaming them would rewrite
    every database for a word."""

    __tablename__ = "contacts"
    __table_args__ = (Index("uq_contacts_wecom_user_id", "wecom_user_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Their WeCom account (成员 UserID), when they joined there too.
    wecom_user_id: Mapped[str | None] = mapped_column(String(64))
    # Where what the bot sends on its own reaches them: "telegram" or "wecom"; none: the
    # one they joined on (Telegram when both).
    channel: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(PeoplesText(100), default="")
    phone: Mapped[str | None] = mapped_column(PeoplesText(32), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(StateColumn(Role), default=Role.CONTACT)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    joined_at: Mapped[dt.datetime | None]

    unit: Mapped[Unit] = relationship(lazy="joined")


class Invite(Base):
    """A one-time invite; only the code's hash is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    role: Mapped[Role] = mapped_column(StateColumn(Role))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))


class Draft(Base):
    """A unit's report in progress for a round; the form's whole state."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("unit_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    based_on_version: Mapped[int | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class DraftAnswer(Base):
    __tablename__ = "draft_answers"
    __table_args__ = (UniqueConstraint("draft_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    answered_at: Mapped[dt.datetime]


class SuggestedAnswer(Base):
    """A figure found in a unit's Word report (a table's cell): offered at its question,
    and an answer only once the contact confirms it."""

    __tablename__ = "suggested_answers"

    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"),
                                          primary_key=True)
    question_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(PeoplesText(100))  # as written in the cell
    created_at: Mapped[dt.datetime]


class FormCursor(Base):
    """Where one contact is in a draft: the question on their screen, or the review.

    The answers are the draft's; this only says what a typed message answers.
    """

    __tablename__ = "form_cursors"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    question_id: Mapped[str | None] = mapped_column(String(32))
    mode: Mapped[CursorMode] = mapped_column(StateColumn(CursorMode), default=CursorMode.ASK)
    updated_at: Mapped[dt.datetime]


class Submission(Base):
    """One numbered version of a unit's report for a round; earlier versions stay."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("unit_id", "round_id", "version"),
        Index("ix_submissions_round_unit", "round_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    version: Mapped[int]
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    submitted_at: Mapped[dt.datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    review_state: Mapped[ReviewState] = mapped_column(StateColumn(ReviewState),
                                                      default=ReviewState.PENDING)
    review_note: Mapped[str | None] = mapped_column(PeoplesLongText())


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("submission_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class Attachment(Base):
    """A photo or document a contact sent, downloaded and kept, not only its Telegram id."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The round the unit was filling in when it sent the file (its Word report, a photo).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    file_name: Mapped[str] = mapped_column(PeoplesText(255))
    mime_type: Mapped[str] = mapped_column(PeoplesText(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    telegram_file_id: Mapped[str | None] = mapped_column(PeoplesText(255))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    created_at: Mapped[dt.datetime]
    # What the contact wrote with it (a photo's caption): shown in the review and the report.
    caption: Mapped[str | None] = mapped_column(PeoplesText(1024))


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    stage: Mapped[BroadcastStage] = mapped_column(StateColumn(BroadcastStage),
                                                  default=BroadcastStage.COMPOSE)
    text: Mapped[str] = mapped_column(PeoplesLongText(), default="")
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    attachment_kind: Mapped[str | None] = mapped_column(String(16))
    audience: Mapped[dict[str, Any]]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class Delivery(Base):
    """The delivery ledger: one row per (purpose, recipient), sent at most once."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "state", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # Sent on WeCom, to this member (the chat id then unused), instead of Telegram.
    wecom_user: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    state: Mapped[DeliveryState] = mapped_column(StateColumn(DeliveryState),
                                                 default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime]
    lease_until: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class PlanItem(Base):
    """One planned sending: a reminder, an overdue notice, an escalation, a digest.

    Computed from the campaign file at `init`; the wake-up claims those that are due.
    """

    __tablename__ = "plan_items"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "ref", "label"),
        Index("ix_plan_items_due", "state", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(32))  # a round's code, or an upstream deadline's
    label: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime]
    due: Mapped[dt.datetime]
    state: Mapped[PlanState] = mapped_column(StateColumn(PlanState), default=PlanState.PLANNED)
    fired_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class PendingAction(Base):
    """What a coordinator's next message is for (the reason for returning a report)."""

    __tablename__ = "pending_actions"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    created_at: Mapped[dt.datetime]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]


class Lease(Base):
    """Something only one process may do at a time (polling Telegram for updates): who
    holds it, until when. The holder renews it while it runs and gives it back on stop."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime]


class ApiToken(Base):
    """An access token of an API the bot calls (WeCom's `access_token`), shared by every
    instance: the first to find it expiring fetches a new one, the others read it."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[dt.datetime]


class WeComCallback(Base):
    """A callback WeCom posted, by what makes a retry the same one (its MsgId): handled
    once however often WeCom posts it."""

    __tablename__ = "wecom_callbacks"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[dt.datetime]
