"""What a WeCom member does, as WeCom posts it to the app: a text, a picture, a click on a
card's button (with the options ticked), a click on the app's menu. Each is the encrypted
callback (query and body) the stand-in signs with the app's 接收消息 settings; `post`
delivers it over HTTP, as WeCom does.

    query, body = wecom.text_callback("li-na", "1200")
    query, body = wecom.click("li-na", "线上启动仪式")
    query, body = wecom.click("li-na", "完成", choose=["直播带货", "平台补贴"])
"""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any
from xml.sax.saxutils import escape

import aiohttp

from wecom_io.crypto import WeComCrypto

_msg_ids = itertools.count(4561255354251345929)


class MemberActions:
    """Mixed into the stand-in server: the members' side of the conversation."""

    corp_id: str
    agent_id: int
    media: dict[str, tuple[str, bytes]]
    received: list[Any]
    _created: dict[str, int]  # the last CreateTime given to each member's callbacks

    @property
    def crypto(self) -> WeComCrypto:
        raise NotImplementedError

    def response_code(self, user: str, task_id: str) -> str:
        raise NotImplementedError

    def callback(self, user_id: str, fields: dict[str, str | int], extra: str = "",
                 timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """Any callback from `user_id`: its fields (and raw XML inside), encrypted and
        signed as WeCom does."""
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        # An event has no MsgId: WeCom's own advice is to tell events apart by sender and
        # CreateTime, in seconds. A person clicks at most once a second; a test faster.
        created = max(int(stamp), self._created.get(user_id, 0) + 1)
        if timestamp is None:
            self._created[user_id] = created
        inner = "".join(f"<{tag}>{escape(str(value))}</{tag}>" for tag, value in {
            "ToUserName": self.corp_id, "FromUserName": user_id,
            "CreateTime": created if timestamp is None else stamp,
            **fields, "AgentID": self.agent_id}.items())
        encrypted = self.crypto.encrypt(f"<xml>{inner}{extra}</xml>".encode())
        nonce = str(secrets.randbelow(10**9))
        query = {"msg_signature": self.crypto.signature(stamp, nonce, encrypted),
                 "timestamp": stamp, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<AgentID><![CDATA[{self.agent_id}]]></AgentID>"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()
        return query, body

    def text_callback(self, user_id: str, content: str, msg_id: int | None = None,
                      timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """A member's text message."""
        return self.callback(user_id, {"MsgType": "text", "Content": content,
                                       "MsgId": msg_id or next(_msg_ids)}, timestamp=timestamp)

    def image_callback(self, user_id: str, content: bytes,
                       name: str = "photo.jpg") -> tuple[dict[str, str], bytes]:
        """A picture the member sent: WeCom keeps it as media the app fetches (`media/get`)."""
        media_id = secrets.token_urlsafe(24)
        self.media[media_id] = (name, content)
        return self.callback(user_id, {"MsgType": "image", "MediaId": media_id,
                                       "PicUrl": f"https://wework.qpic.cn/{media_id}",
                                       "MsgId": next(_msg_ids)})

    def menu_click(self, user_id: str, key: str) -> tuple[dict[str, str], bytes]:
        """A click on one of the app's menu entries (`Event` click, its key)."""
        return self.callback(user_id, {"MsgType": "event", "Event": "click", "EventKey": key})

    def open_card(self, user_id: str, label: str) -> dict[str, Any]:
        """The member's latest card still open with a button, an option or a submit button
        saying `label`."""
        for message in reversed(self.received):
            card = message.card
            if message.user_id != user_id or card is None or message.closed is not None:
                continue
            labels = [b.get("text") for b in card.get("button_list") or []]
            labels += [(card.get("submit_button") or {}).get("text")]
            if label in labels:
                return card
        raise LookupError(f"no open card of {user_id} offers {label!r}")

    def click(self, user_id: str, label: str,
              choose: list[str] | None = None) -> tuple[dict[str, str], bytes]:
        """A click on the button `label` of the member's latest card offering it; `choose`:
        the options ticked (a checkbox) or picked (a drop-down) first, by their text."""
        card = self.open_card(user_id, label)
        buttons = {b.get("text"): b.get("key") for b in card.get("button_list") or []}
        submit = card.get("submit_button") or {}
        key = buttons.get(label) or submit.get("key", "")
        extra = ""
        if choose is not None:
            box = card.get("checkbox") or card.get("button_selection") or {}
            ids = {o["text"]: o["id"] for o in box.get("option_list") or []}
            picked = "".join(f"<OptionId>{escape(ids[text])}</OptionId>" for text in choose)
            extra = (f"<SelectedItems><SelectedItem><QuestionKey>"
                     f"{escape(box.get('question_key', ''))}</QuestionKey>"
                     f"<OptionIds>{picked}</OptionIds></SelectedItem></SelectedItems>")
        return self.callback(user_id, {
            "MsgType": "event", "Event": "template_card_event", "EventKey": key,
            "TaskId": card["task_id"], "CardType": card["card_type"],
            "ResponseCode": self.response_code(user_id, card["task_id"])}, extra)

    async def post(self, url: str, query: dict[str, str], body: bytes) -> int:
        """POST a callback to the app, as WeCom does; the HTTP status it answered."""
        async with aiohttp.ClientSession() as http, \
                http.post(url, params=query, data=body) as response:
            await response.read()
            return response.status
