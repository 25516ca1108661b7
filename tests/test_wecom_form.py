"""The whole report form on WeCom, end to end: the real bot takes the stand-in WeCom's
encrypted callbacks and answers through its API. A contact who joined there fills every
kind of question (typed answers, choices and several choices on cards, yes/no, a picture
fetched with media/get), goes back and skips, submits, and amends; a clicked card shows
the answer given; the submission is the same as one made on Telegram."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from flows.services import Services
from reporting.clock import FakeClock
from standin.server import StandinServer
from standin.wecom import WeComStandin
from storage import drafts
from storage import models as m
from tests.campaign_run import drained, local, submit
from tests.people import campaign, joined, submit_report
from tests.wecom_member import Member

PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-photo-of-the-launch" * 40


@pytest.fixture
def overrides(wecom_overrides: dict[str, object]) -> dict[str, object]:
    return wecom_overrides


def prompt(question_id: str) -> str:
    return next(q.prompt.zh for q in campaign().questions if q.id == question_id)


def option_id(question_id: str, label: str) -> str:
    question = next(q for q in campaign().questions if q.id == question_id)
    return next(o.id for o in question.options if o.label.zh == label)


async def submitted(services: Services, unit: str) -> tuple[int, dict[str, Any], list[bytes]]:
    async with services.readers() as session:
        unit_id = await session.scalar(select(m.Unit.id).where(m.Unit.code == unit))
        row = await session.scalar(select(m.Submission).where(m.Submission.unit_id == unit_id)
                                   .order_by(m.Submission.version.desc()).limit(1))
        assert row is not None
        answers = await drafts.submission_answers(session, row.id)
        files = list(await session.scalars(select(m.Attachment.content).where(
            m.Attachment.unit_id == unit_id)))
        return row.version, answers, files


async def fill(member: Member) -> str:
    """Every question of the 年货节 form, each the way a member answers it on WeCom; what
    the member saw on the way."""
    seen = []

    async def step(do: Any, next_question: str | None) -> None:
        await do
        shown = member.new_text()
        seen.append(shown)
        if next_question is not None:
            assert prompt(next_question) in shown, shown

    await member.menu("report")
    assert prompt("reporter") in member.new_text()
    await step(member.send("李娜 13800000001"), "launch_date")
    await step(member.send("1月20日"), "launch_form")
    await step(member.click("线上启动仪式"), "enterprises")
    await step(member.send("120"), "online_retail")
    await step(member.click("上一题"), "enterprises")  # back, and the answer is kept
    assert "当前答案：120" in seen[-1]
    await step(member.click("保留原答案"), "online_retail")
    await step(member.send("3.2亿"), "livestream_sessions")
    assert "3.2亿 = 32,000 万元" in seen[-1]
    await step(member.send("45"), "livestream_sales")
    await step(member.send("1200"), "rural_sales")
    await step(member.send("800"), "nianyefan_orders")
    await step(member.click("跳过"), "crossborder_imports")
    await step(member.send("跳过"), "activities")  # the word does what the button does
    await step(member.click("✔️ 完成", choose=["电商直播带货", "农产品网上行"]), "vouchers")
    await step(member.click("是"), "features")
    await step(member.send("线上线下联动，覆盖全市。"), "results")
    await step(member.send("网络零售额同比增长 18%。"), "cases")
    await step(member.send("某县农产品直播专场。"), "case_files")
    await step(member.picture(PHOTO), "case_files")
    await step(member.click("✔️ 完成"), "shortcomings")
    await step(member.send("物流时效有待提高。"), "suggestions")
    await step(member.send("加强冷链物流建设。"), None)
    return "\n".join(seen)


async def test_a_contact_fills_and_submits_the_report_on_wecom(
    running_app: Any, wecom: WeComStandin
) -> None:
    services: Services = running_app.bot_data["services"]
    member = Member.of(running_app, wecom, "li-na")
    await member.join(services, "dalian")
    await fill(member)
    review = wecom.messages_to("li-na")[-2].content
    assert "1. 填报人姓名及联系电话：李娜 13800000001" in review
    assert "已开展的主要活动（可多选）：电商直播带货、农产品网上行" in review
    assert "现场.jpg" in review
    await member.click("提交")
    receipt = member.new_text()
    assert receipt.startswith("✅ 已提交：“第一次阶段性活动情况”") and "第 1 版" in receipt

    version, answers, files = await submitted(services, "dalian")
    assert version == 1
    assert answers["launch_form"] == option_id("launch_form", "线上启动仪式")
    assert answers["activities"] == [option_id("activities", "电商直播带货"),
                                     option_id("activities", "农产品网上行")]
    assert answers["vouchers"] is True and answers["online_retail"] is not None
    assert answers["nianyefan_orders"] is None and answers["crossborder_imports"] is None
    assert files == [PHOTO]

    # Every card clicked now says what was answered, and can no longer be clicked.
    closed = [r.closed for r in wecom.messages_to("li-na") if r.card and r.closed]
    assert "✔ 线上启动仪式" in closed and "✔ 是" in closed and "✔ 提交" in closed
    assert "✔ 电商直播带货、农产品网上行" in closed
    with pytest.raises(LookupError):
        wecom.open_card("li-na", "线上启动仪式")

    assert wecom.dropped == []  # the bot kept under WeCom's 30 messages a minute


async def test_a_contact_amends_a_submitted_report_on_wecom(
    running_app: Any, wecom: WeComStandin
) -> None:
    services: Services = running_app.bot_data["services"]
    member = Member.of(running_app, wecom, "li-na")
    await member.join(services, "dalian")
    await submit(services, "dalian", "r1")
    await member.menu("report")  # the round is offered again, to amend
    assert "如需修改，请选择要修改的报送节点" in member.new_text()
    option = wecom.open_card("li-na", "确定")["checkbox"]["option_list"][0]["text"]
    await member.click("确定", choose=[option])
    assert "核对" in member.new_text()
    await member.click("修改")
    assert "要修改哪一题？" in member.new_text()
    await member.click("修改此题", choose=["4. 参与活动的企业数量"])
    assert prompt("enterprises") in member.new_text()
    await member.send("150")
    assert "核对" in member.new_text()
    await member.click("提交")
    assert "第 2 版" in member.new_text()
    version, answers, _ = await submitted(services, "dalian")
    assert version == 2 and answers["enterprises"] == 150


async def test_what_a_member_cannot_do_is_said_in_chinese(
    running_app: Any, wecom: WeComStandin
) -> None:
    member = await Member.in_the_form(running_app, wecom)
    await member.send("一百二十个左右")  # a name, not a figure: the question again, with why
    await member.send("李娜")
    await member.send("明天")
    said = member.new_text()
    assert "本地网上年货节启动日期" in said and "⚠️" in said and "Traceback" not in said
    await member.menu("broadcast")  # not a WeCom entry: the menu is offered instead
    assert "请使用应用菜单" in member.new_text()
    await member._post(*wecom.callback("li-na", {"MsgType": "voice", "MediaId": "x",
                                                 "MsgId": 99}))
    assert "本地网上年货节启动日期" in member.new_text()  # a hint, and the question again


async def test_one_campaign_with_units_on_both_channels_has_one_progress_and_one_digest(
    running_app: Any, standin: StandinServer, wecom: WeComStandin, clock: FakeClock
) -> None:
    """大连 reports on WeCom, 鞍山 on Telegram: the coordinator on Telegram sees both in one
    progress view, and the coordinator on WeCom gets one digest counting both, its Excel
    holding both units' figures."""
    services: Services = running_app.bot_data["services"]
    dalian = Member.of(running_app, wecom, "li-na")
    await dalian.join(services, "dalian")
    await fill(dalian)
    await dalian.click("提交")
    assert "第 1 版" in dalian.new_text()
    anshan = await joined(standin, services, "anshan", "张伟")
    await submit_report(anshan)
    on_telegram = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    on_wecom = Member.of(running_app, wecom, "wang-lei")
    await on_wecom.join(services, "province", m.Role.COORDINATOR)

    await on_telegram.command("progress", "r1")
    view = (await on_telegram.next_message()).text
    assert "大连：第 1 版" in view and "鞍山：第 1 版" in view

    clock.set(local(1, 29, 18, 30))
    await running_app.bot_data["wakeup"].tick()
    running_app.bot_data["sender"].nudge()
    running_app.bot_data["wecom_sender"].nudge()
    await drained(services)
    got = wecom.messages_to("wang-lei")
    digest = [r.content for r in got if r.content.startswith("📊")]
    assert len(digest) == 1 and "已报送 2/15" in digest[0]
    telegram_digest = [m_.text for m_ in on_telegram.messages if m_.text.startswith("📊")]
    assert telegram_digest and "已报送 2/15" in telegram_digest[0]
    sheet_name = next(r.content for r in got if r.content.endswith(".xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(wecom.file_named(sheet_name)))
    rows = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert rows["大连市商务局"][:5] == (120, 32000, 45, 1200, 800)  # as typed on WeCom
    assert rows["鞍山市商务局"][0] is not None  # as entered on Telegram


async def test_a_click_the_bot_never_issued_changes_nothing(
    running_app: Any, wecom: WeComStandin
) -> None:
    """WeCom signs what it posts, but a card of another app, an old format or another
    unit's draft must still not move anyone's form."""
    member = await Member.in_the_form(running_app, wecom)
    for key in ("rv:s:999999|提交", "f:c:1:launch_form:../..|x", "bc:send:1|群发", "日|期"):
        await member._post(*wecom.callback("li-na", {
            "MsgType": "event", "Event": "template_card_event", "EventKey": key,
            "TaskId": "t-forged", "CardType": "button_interaction", "ResponseCode": "r"}))
        said = member.new_text()
        assert said and "Traceback" not in said
    async with running_app.bot_data["services"].readers() as session:
        assert await session.scalar(select(func.count()).select_from(m.Submission)) == 0
    await member.send("李娜 13800000001")  # the form goes on where it was
    assert prompt("launch_date") in member.new_text()
