"""The bot process killed in the middle of a WeCom member's form: started again, it takes
up where the member was, with every answer it acknowledged, and sends nothing twice."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from flows.services import Services
from standin.server import StandinServer
from standin.wecom import WeComStandin
from tests.people import campaign
from tests.processes import BotProcess
from tests.wecom_member import Member


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def healthy(port: int) -> None:
    """Until the bot's HTTP server (WeCom's callback URL) answers."""
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot's HTTP server did not come up")


async def test_a_wecom_member_resumes_after_the_bot_was_killed_mid_form(
    services: Services, standin: StandinServer, wecom: WeComStandin, database_url: str,
    tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(standin, database_url, tmp_path, WECOM_CORP_ID=wecom.corp_id,
                     WECOM_AGENT_ID=str(wecom.agent_id), WECOM_SECRET=wecom.secret,
                     WECOM_TOKEN=wecom.callback_token, WECOM_AES_KEY=wecom.aes_key,
                     WECOM_API_BASE_URL=wecom.root, WEBHOOK_LISTEN="127.0.0.1",
                     WEBHOOK_PORT=str(port))
    await bot.start()
    await healthy(port)
    member = Member(wecom, f"http://127.0.0.1:{port}/wecom/callback", "li-na")
    await member.join(services, "dalian")
    await member.menu("report")
    member.new()
    await member.send("李娜 13800000001")
    await member.send("1月20日")
    await member.click("线上启动仪式")
    asked = member.new_text()
    assert campaign().questions[3].prompt.zh in asked  # 参与活动的企业数量

    await bot.kill()
    await bot.start()
    await healthy(port)

    await member.menu("report")
    resumed = member.new_text()
    assert "第 4/18 题" in resumed and campaign().questions[3].prompt.zh in resumed
    await member.send("120")
    assert campaign().questions[4].prompt.zh in member.new_text()
    await member.click("上一题")
    again = member.new_text()
    assert "当前答案：120" in again  # kept across the restart, and after it
    await member.click("上一题")
    assert "当前答案：线上启动仪式" in member.new_text()
    everything = [r.content for r in wecom.messages_to("li-na")]
    assert sum("欢迎" in text for text in everything) == 1
    assert await bot.stop() == 0
