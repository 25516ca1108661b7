"""Simulated people on phones: they type, tap buttons, share contacts, send files, and
read what the bot sent them."""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING, Any

from standin.server import SentMessage

if TYPE_CHECKING:
    from standin.server import StandinServer

_user_ids = itertools.count(700_000_001)
_callback_ids = itertools.count(1)


class SimulatedUser:
    def __init__(self, server: StandinServer, first_name: str = "测试用户",
                 user_id: int | None = None, language_code: str = "zh-hans",
                 last_name: str | None = None):
        self.server = server
        self.id = user_id if user_id is not None else next(_user_ids)
        self.first_name = first_name
        self.last_name = last_name
        self.language_code = language_code
        self.chat = server.chat(self.id, first_name=first_name)
        self._read = 0

    # -- what the user sees ------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to this user, oldest first."""
        return self.chat.from_bot

    @property
    def last(self) -> SentMessage:
        return self.messages[-1]

    def unread(self) -> list[SentMessage]:
        return self.messages[self._read :]

    async def next_message(self, timeout: float = 10) -> SentMessage:
        """Wait for the next message from the bot that this user has not read yet."""
        await self.server.wait_until(lambda: len(self.messages) > self._read, timeout)
        message = self.messages[self._read]
        self._read += 1
        return message

    async def read_all(self, settle: float = 0.3, timeout: float = 10) -> list[SentMessage]:
        """Wait for at least one new message, then until none has come for `settle` s."""
        first = await self.next_message(timeout)
        out = [first]
        while True:
            try:
                out.append(await self.next_message(settle))
            except TimeoutError:
                return out

    def mark_read(self) -> None:
        self._read = len(self.messages)

    # -- what the user does -------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name,
                               "language_code": self.language_code}
        if self.last_name:
            out["last_name"] = self.last_name
        return out

    def _message(self, **content: Any) -> dict[str, Any]:
        message_id = self.server.next_message_id()
        self.chat.add(SentMessage(
            message_id=message_id, chat_id=self.id, date=int(time.time()),
            text=str(content.get("text") or content.get("caption") or ""), from_bot=False,
        ))
        return {"message_id": message_id, "from": self.as_json(),
                "chat": self.chat.as_json(), "date": int(time.time()), **content}

    async def send(self, text: str) -> int:
        """Type and send a message; a leading /command gets its bot_command entity."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(command.encode("utf-16-le")) // 2}]
        return await self.server.push_update({"message": self._message(**content)})

    async def command(self, name: str, *args: str) -> int:
        return await self.send(" ".join([f"/{name.lstrip('/')}", *args]))

    async def press(self, button: str, message: SentMessage | None = None) -> int:
        """Tap an inline button, by its text (or callback_data), on a message (default: the
        latest message that has it)."""
        candidates = [message] if message else list(reversed(self.messages))
        for msg in candidates:
            for text, data in msg.buttons:
                if button in (text, data):
                    return await self.press_data(data, msg)
        shown = [t for m in candidates[:1] for t, _ in m.buttons]
        raise LookupError(f"no button {button!r}; the latest buttons are {shown}")

    async def press_data(self, data: str, message: SentMessage) -> int:
        """Send a callback query with any data, forged or not."""
        query = {
            "id": f"cq{next(_callback_ids)}", "from": self.as_json(),
            "chat_instance": f"ci{self.id}", "data": data,
            "message": message.as_json(self.server.bot_user, self.chat.as_json()),
        }
        return await self.server.push_update({"callback_query": query})

    async def share_contact(self, phone: str, user_id: int | None = ...,  # type: ignore[assignment]
                            first_name: str | None = None) -> int:
        """Share a contact card: by default one's own (its user_id is the sender's)."""
        card: dict[str, Any] = {"phone_number": phone, "first_name": first_name or self.first_name}
        owner = self.id if user_id is ... else user_id
        if owner is not None:
            card["user_id"] = owner
        return await self.server.push_update({"message": self._message(contact=card)})

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        stored = self.server.store_file(content, "photo.jpg", "image/jpeg", "photos")
        photo = {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                 "width": 800, "height": 600, "file_size": len(content)}
        extra = {"caption": caption} if caption else {}
        return await self.server.push_update({"message": self._message(photo=[photo], **extra)})

    async def send_document(self, content: bytes, file_name: str,
                            mime_type: str = "application/octet-stream") -> int:
        stored = self.server.store_file(content, file_name, mime_type)
        document = {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                    "file_name": file_name, "mime_type": mime_type, "file_size": len(content)}
        return await self.server.push_update({"message": self._message(document=document)})

    async def send_other(self, **content: Any) -> int:
        """Any other kind of message: a sticker, a voice note, a location..."""
        return await self.server.push_update({"message": self._message(**content)})
