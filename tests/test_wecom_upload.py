"""Documents from WeCom: WeCom passes a member's pictures to the app but not their files,
so the form's cards carry a 上传文件 button opening a page signed for that member. A
Word report sent there fills the narrative sections, as on Telegram; a PDF answers an
attachment question; a link forged, altered or a day old is refused and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import pytest
from docx import Document
from sqlalchemy import select

from reporting.clock import FakeClock
from standin.wecom import WeComStandin
from storage import models as m
from tests.campaign_run import drained, local
from tests.wecom_member import Member

PUBLIC = "https://report.example.gov.cn"


@pytest.fixture
def overrides(wecom_overrides: dict[str, object]) -> dict[str, object]:
    return {**wecom_overrides, "wecom_public_url": PUBLIC}


def upload_link(wecom: WeComStandin, app: Any, user: str) -> str:
    """The member's 上传文件 button on their latest card, pointed at the bot (reached at
    PUBLIC from a phone, at its port here)."""
    card = next(r.card for r in reversed(wecom.messages_to(user)) if r.card)
    url = next(b["url"] for b in card["button_list"] if b.get("type") == 1)
    assert url.startswith(f"{PUBLIC}/wecom/upload?t=")
    return url.replace(PUBLIC, f"http://127.0.0.1:{app.bot_data['webhook'].port}")


async def send_file(url: str, name: str, content: bytes) -> tuple[int, str]:
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as response:
        return response.status, await response.text()


def word_report() -> bytes:
    document = Document()
    for heading, text in (("一、活动特点", "直播带货进乡村。"), ("二、活动成效", "网络零售额增长。")):
        document.add_heading(heading, level=2)
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_a_word_report_uploaded_fills_the_sections(
    running_app: Any, wecom: WeComStandin
) -> None:
    member = await Member.in_the_form(running_app, wecom)
    first = wecom.messages_to("li-na")[-1].content  # the first question's card
    assert "可点题目卡片上的“上传文件”上传 .docx 文件" in first and "直接发送" not in first
    url = upload_link(wecom, running_app, "li-na")
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        page = await response.text()
        assert response.status == 200 and "请选择要上传的文件" in page
    status, page = await send_file(url, "大连总结.docx", word_report())
    assert status == 200 and "已收到文件：大连总结.docx" in page
    said = member.new_text()
    assert "已读取 Word 报告" in said and "直播带货进乡村" in said and "网络零售额增长" in said


async def test_a_pdf_uploaded_answers_an_attachment_question(
    running_app: Any, wecom: WeComStandin
) -> None:
    member = await Member.in_the_form(running_app, wecom)
    for answer in ("李娜 13800000001", "1月20日"):
        await member.send(answer)
    await member.click("线上启动仪式")
    for answer in ("120", "3.2亿", "45", "1200", "800", "跳过", "跳过"):
        await member.send(answer)
    await member.click("✔️ 完成", choose=["电商直播带货"])
    await member.click("是")
    for answer in ("特点。", "成效。", "案例。"):
        await member.send(answer)
    member.new()
    status, _ = await send_file(upload_link(wecom, running_app, "li-na"), "典型案例.pdf",
                                b"%PDF-1.4 a case study")
    assert status == 200
    assert "已收到第 1 个文件" in member.new_text()
    async with running_app.bot_data["services"].readers() as session:
        names = list(await session.scalars(select(m.Attachment.file_name)))
    assert names == ["典型案例.pdf"]


async def test_a_forged_or_altered_link_is_refused(running_app: Any, wecom: WeComStandin) -> None:
    member = await Member.in_the_form(running_app, wecom)
    url = upload_link(wecom, running_app, "li-na")
    person, expires, signature = url.split("t=")[1].split(".")
    base = url.split("t=")[0] + "t="
    for forged in (f"{int(person) + 1}.{expires}.{signature}",  # someone else
                   f"{person}.{int(expires) + 3600}.{signature}",  # a longer life
                   f"{person}.{expires}.{'0' * 32}", "nonsense", ""):
        status, page = await send_file(base + forged, "x.docx", word_report())
        assert status == 403 and "此上传链接已失效" in page
    member.new()
    assert member.new_text() == ""  # nothing reached the form


async def test_a_reminder_on_wecom_says_how_to_send_the_word_report_there(
    running_app: Any, wecom: WeComStandin, clock: FakeClock
) -> None:
    member = Member.of(running_app, wecom, "li-na")
    await member.join(running_app.bot_data["services"], "dalian")
    clock.set(local(1, 26, 9))
    await running_app.bot_data["wakeup"].tick()
    running_app.bot_data["wecom_sender"].nudge()
    await drained(running_app.bot_data["services"])
    reminder = next(r.content for r in wecom.messages_to("li-na") if r.content.startswith("⏰"))
    assert "可点题目卡片上的“上传文件”上传 .docx 文件" in reminder and "直接发送" not in reminder
