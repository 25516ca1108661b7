"""A callback WeCom posts to the app (a member's message, a click on a card, an event),
opened only if it is WeCom's and ours: the body is XML of bounded size without a DTD (no
entity expansion), the timestamp recent, the signature right, the receiver our corp.

WeCom checks the URL once with a GET (`echostr`: answer its plaintext) and then POSTs
`<xml><ToUserName/><AgentID/><Encrypt/></xml>` with `msg_signature`, `timestamp` and
`nonce` in the query. A callback that got no answer in 5 seconds is posted again: the same
`MsgId` (or, for an event, the same sender and `CreateTime`) is the same callback."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from wecom_io.crypto import Refused, WeComCrypto

MAX_BODY = 64 * 1024  # a callback is a few hundred bytes; a file arrives as a media id
MAX_SKEW = dt.timedelta(minutes=5)  # older (or that far ahead) is stale or replayed


@dataclass(frozen=True)
class Callback:
    """The decrypted callback: its fields by tag (`MsgType`, `FromUserName`, `Content`...),
    and for a click on a card with choices, the options chosen by question key
    (`SelectedItems`)."""

    fields: dict[str, str]
    selected: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What makes a retry the same callback: its `MsgId`; for an event (which has none),
        everything that tells two events apart: sender, time, event, key, and the card's
        `ResponseCode` (new for every click)."""
        msg_id = self.fields.get("MsgId")
        if msg_id:
            return f"msg:{msg_id}"
        f = self.fields
        said = "\x1f".join(f.get(k, "") for k in ("FromUserName", "CreateTime", "Event",
                                                 "EventKey", "TaskId", "ResponseCode"))
        return "event:" + hashlib.sha256(said.encode("utf-8")).hexdigest()


def parse_xml(data: bytes | str) -> Element:
    """XML without a DTD or entities, of bounded size; `Refused` otherwise."""
    if len(data) > MAX_BODY:
        raise Refused("size")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True,
                          forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise Refused("xml") from None


def verify_url(crypto: WeComCrypto, signature: str, timestamp: str, nonce: str,
               echostr: str, now: dt.datetime) -> str:
    """The GET that checks the URL: the plaintext to answer with."""
    _fresh(timestamp, now)
    crypto.check_signature(signature, timestamp, nonce, echostr)
    try:
        return crypto.decrypt(echostr).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("echostr") from None


def open_callback(crypto: WeComCrypto, signature: str, timestamp: str, nonce: str,
                  body: bytes, now: dt.datetime) -> Callback:
    """The POSTed callback, opened; `Refused` with the check that failed."""
    _fresh(timestamp, now)
    encrypted = parse_xml(body).findtext("Encrypt")
    if not encrypted:
        raise Refused("xml")
    crypto.check_signature(signature, timestamp, nonce, encrypted)
    inner = parse_xml(crypto.decrypt(encrypted))
    fields = {child.tag: (child.text or "") for child in inner if len(child) == 0}
    selected = {item.findtext("QuestionKey") or "": [o.text or "" for o in item.iter("OptionId")]
                for item in inner.iter("SelectedItem")}
    return Callback(fields=fields, selected=selected)


def _fresh(timestamp: str, now: dt.datetime) -> None:
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise Refused("timestamp")
    sent = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    if abs(now - sent) > MAX_SKEW:
        raise Refused("timestamp")
