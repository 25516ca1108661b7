"""A member of the stand-in WeCom corp, talking to the running bot: what they send and
click is posted as WeCom posts it, and what they see is what the stand-in received."""

from __future__ import annotations

from typing import Any

from flows.services import Services
from standin.wecom import Received, WeComStandin
from storage import models as m
from tests.people import invite_code


class Member:
    def __init__(self, wecom: WeComStandin, url: str, user_id: str):
        self.wecom = wecom
        self.url = url
        self.user_id = user_id
        self.read = 0  # messages seen so far

    @classmethod
    def of(cls, app: Any, wecom: WeComStandin, user_id: str) -> Member:
        return cls(wecom, f"http://127.0.0.1:{app.bot_data['webhook'].port}/wecom/callback",
                   user_id)

    @classmethod
    async def in_the_form(cls, app: Any, wecom: WeComStandin, user_id: str = "li-na",
                          unit: str = "dalian") -> Member:
        """A contact who joined on WeCom and opened the form from the menu (its first
        question read)."""
        member = cls.of(app, wecom, user_id)
        await member.join(app.bot_data["services"], unit)
        await member.menu("report")
        member.new()
        return member

    async def join(self, services: Services, unit: str,
                   role: m.Role = m.Role.CONTACT) -> None:
        await self.send(await invite_code(services, unit, role))
        assert "欢迎" in self.new()[-1].content

    async def _post(self, query: dict[str, str], body: bytes) -> None:
        assert await self.wecom.post(self.url, query, body) == 200

    async def send(self, text: str) -> None:
        await self._post(*self.wecom.text_callback(self.user_id, text))

    async def menu(self, key: str) -> None:
        await self._post(*self.wecom.menu_click(self.user_id, key))

    async def picture(self, content: bytes, name: str = "现场.jpg") -> None:
        await self._post(*self.wecom.image_callback(self.user_id, content, name))

    async def click(self, label: str, choose: list[str] | None = None) -> None:
        await self._post(*self.wecom.click(self.user_id, label, choose))

    def new(self) -> list[Received]:
        """What reached the member since last asked."""
        mine = self.wecom.messages_to(self.user_id)
        fresh, self.read = mine[self.read:], len(mine)
        return fresh

    def new_text(self) -> str:
        return "\n".join(r.content for r in self.new())
