"""What a message the bot sends on its own says: one typed `Notice`, kept in the ledger
row as JSON (`to_payload`) and read back by the sender (`from_payload`). Producers (the
reminders, digests, returns and broadcasts) make notices; only the sender renders them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Attached(StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data, from the codec (texts.buttons)


@dataclass(frozen=True)
class Notice:
    """One message: HTML text (a caption when a file is attached), buttons under it, and
    at most one stored file."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment_id: int | None = None
    attached: Attached = Attached.DOCUMENT
    # (unit id, round id): a reminder that is no longer wanted once that unit has submitted
    # that round; the sender drops it instead of sending.
    unless_submitted: tuple[int, int] | None = None

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.buttons:
            out["buttons"] = [[{"text": b.label, "callback_data": b.data} for b in row]
                              for row in self.buttons]
        if self.attachment_id is not None:
            out["attachment_id"] = self.attachment_id
            out["attachment_kind"] = self.attached.value
        if self.unless_submitted is not None:
            out["unless_submitted"] = list(self.unless_submitted)
        return out

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Notice:
        unless = payload.get("unless_submitted")
        return cls(
            text=payload.get("text", ""),
            buttons=tuple(tuple(Button(b["text"], b["callback_data"]) for b in row)
                          for row in payload.get("buttons") or ()),
            attachment_id=payload.get("attachment_id"),
            attached=Attached(payload.get("attachment_kind") or Attached.DOCUMENT),
            unless_submitted=(unless[0], unless[1]) if unless else None)


@dataclass(frozen=True)
class NewDelivery:
    """A notice for one recipient, under a key that makes it unique in the ledger."""

    key: str
    purpose: str
    chat_id: int
    notice: Notice
    contact_id: int | None = None
    not_before: dt.datetime | None = None
