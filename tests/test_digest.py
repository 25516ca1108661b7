"""The digest: contents, the Word file, the workbook, delivery once to each coordinator,
on demand, returning a report for revision, and who may see it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from flows.services import Services
from reporting.clock import FakeClock
from reporting.digest_text import amount, digest_text
from reporting.digest_xlsx import digest_xlsx
from reporting.report_docx import report_docx
from standin.server import StandinServer
from storage import models as m
from storage.digest_data import load_digest
from tests.campaign_run import drained, local, submit
from tests.people import joined


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"wake_interval": 3600, "send_rate": 500}


def photo() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


async def simulated_round(services: Services, clock: FakeClock) -> None:
    """Round 2: dalian grows, anshan's running total drops, fuxin leaves a figure blank,
    dandong writes HTML, tieling submits late, the rest are missing."""
    clock.set(local(1, 27, 10))
    await submit(services, "dalian", "r1", {"online_retail": "1000"})
    await submit(services, "anshan", "r1", {"online_retail": "800"})
    clock.set(local(2, 5, 10))
    async with services.transaction() as session:
        unit = await session.scalar(select(m.Unit).where(m.Unit.code == "panjin"))
        picture = m.Attachment(unit_id=unit.id if unit else None, file_name="案例.png",
                               mime_type="image/png", size=1, sha256="", content=photo(),
                               created_at=clock.now())
        session.add(picture)
        await session.flush()
        picture_id = picture.id
    await submit(services, "dalian", "r2", {"online_retail": "1500.5"})
    await submit(services, "anshan", "r2", {"online_retail": "700"})
    await submit(services, "fuxin", "r2", {"online_retail": None, "nianyefan_orders": None})
    await submit(services, "dandong", "r2", {"features": "<b>直播</b> & 年货大集"})
    await submit(services, "panjin", "r2", {"case_files": [picture_id]})
    clock.set(local(2, 9, 10))
    await submit(services, "tieling", "r2")


async def test_the_digest_adds_up_and_flags_what_a_coordinator_must_check(
    services: Services, clock: FakeClock
) -> None:
    await simulated_round(services, clock)
    async with services.readers() as session:
        digest = await load_digest(session, services.campaign, services.campaign_id, "r2",
                                   clock.now())
    assert [u.short for u in digest.on_time] == ["大连", "鞍山", "丹东", "阜新", "盘锦"]
    assert [u.short for u in digest.late] == ["铁岭"]
    assert len(digest.missing) == 9
    retail = next(f for f in digest.figures if f.question.id == "online_retail")
    assert retail.covered == 5  # fuxin left it blank: missing, not zero
    assert retail.total == Decimal("1500.5") + 700 + Decimal("100.5") * 3
    assert retail.values["fuxin"] is None
    assert retail.change("dalian") == Decimal("500.5")
    assert retail.dropped == ["anshan"]
    parts = digest_text(digest)
    assert len(parts) == 1  # one message a phone shows whole
    text = parts[0]
    assert "已报送 6/15：按时 5，逾期 1，未报送 9。" in text
    assert "逾期报送：铁岭" in text
    assert "• 活动期间网络零售额（累计）：2,502 万元（5/15 个单位填报）" in text
    assert "转报前请核实</b>（2 项" in text
    assert "• 鞍山：活动期间网络零售额（累计）比上一节点减少：800 万元 → 700 万元" in text
    assert "• 阜新：活动期间网络零售额（累计）未填写" in text
    assert "1,500.5" not in text and "年货大集" not in text  # in the files, not the chat


async def test_a_round_with_no_submissions_still_makes_a_digest(
    services: Services, clock: FakeClock
) -> None:
    async with services.readers() as session:
        digest = await load_digest(session, services.campaign, services.campaign_id, "r3",
                                   clock.now())
    assert len(digest.missing) == 15 and digest.provisional
    assert "截至 1月20日 09:00" in digest_text(digest)[0]
    Document(io.BytesIO(report_docx(digest)))
    load_workbook(io.BytesIO(digest_xlsx(digest)))


async def test_the_chat_digest_is_one_message_with_realistic_answers(
    services: Services, clock: FakeClock
) -> None:
    """Every unit submits, with 800 to 1,000 characters in every text section: the chat
    digest is still a single message; the texts are in the files."""
    clock.set(local(1, 28, 10))
    sections = [q.id for q in services.campaign.questions_for("r1") if q.section]
    for i, unit in enumerate(services.campaign.units):
        await submit(services, unit.code, "r1",
                     {q: "线上年货节活动进展顺利，" * (70 + i) for q in sections})
    async with services.readers() as session:
        digest = await load_digest(session, services.campaign, services.campaign_id, "r1",
                                   clock.now())
    parts = digest_text(digest)
    assert len(parts) == 1 and len(parts[0]) < 2000
    assert "已报送 15/15" in parts[0] and "进展顺利" not in parts[0]
    body = "\n".join(p.text for p in Document(io.BytesIO(report_docx(digest))).paragraphs)
    assert "线上年货节活动进展顺利" in body


def test_totals_are_written_as_people_write_them() -> None:
    assert amount(Decimal("2502"), "万元") == "2,502 万元"
    assert amount(Decimal("123456"), "万元") == "12.35 亿元"
    assert amount(Decimal("350000000"), "元") == "3.5 亿元"
    assert amount(Decimal("3200"), "家") == "3,200 家"


async def test_after_the_deadline_each_coordinator_gets_the_digest_once(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    coordinators = [await joined(standin, services, "province", name, m.Role.COORDINATOR)
                    for name in ("杜四龙", "尹涛")]
    contact = await joined(standin, services, "dalian")
    clock.set(local(1, 28, 10))
    await submit(services, "dalian", "r1")
    clock.set(local(1, 29, 18, 30))
    for _ in range(3):  # three wake-ups at the same moment: one digest
        await running_app.bot_data["wakeup"].tick()
    running_app.bot_data["sender"].nudge()
    await drained(services)
    for person in coordinators:
        texts = [m_ for m_ in person.messages if m_.text.startswith("📊")]
        files = [m_.document.name for m_ in person.messages if m_.document]
        assert len(texts) == 1 and "已报送 1/15" in texts[0].text
        assert "截至" not in texts[0].text  # final, not provisional
        assert files == [
            "2021辽宁网上年货节_第一次阶段性活动情况_报告_截至1月29日18时30分.docx",
            "2021辽宁网上年货节_第一次阶段性活动情况_内部核查单_截至1月29日18时30分.docx",
            "2021辽宁网上年货节_第一次阶段性活动情况_数据明细_截至1月29日18时30分.xlsx"]
        captions = [m_.text for m_ in person.messages if m_.document]
        assert captions == [
            "📄 第一次阶段性活动情况 报告（Word，可转报），截至 1月29日 18:30",
            "🔍 第一次阶段性活动情况 内部核查单（Word，仅供内部核对，请勿转报），截至 1月29日 18:30",
            "📑 第一次阶段性活动情况 数据明细（Excel），截至 1月29日 18:30"]
    assert not [m_ for m_ in contact.messages if m_.text.startswith("📊")]


async def test_digest_on_demand_is_provisional_before_the_deadline(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    services: Services = running_app.bot_data["services"]
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    clock.set(local(1, 28, 15))
    await coordinator.command("digest", "r1")
    first = await coordinator.next_message()
    assert "截至 1月28日 15:00" in first.text and "非最终结果" in first.text
    await standin.wait_until(lambda: len([m_ for m_ in coordinator.messages if m_.document]) == 3)
    assert [m_.text for m_ in coordinator.messages if m_.document] == [
        "📄 第一次阶段性活动情况 报告（Word，可转报），截至 1月28日 15:00",
        "🔍 第一次阶段性活动情况 内部核查单（Word，仅供内部核对，请勿转报），截至 1月28日 15:00",
        "📑 第一次阶段性活动情况 数据明细（Excel），截至 1月28日 15:00"]
    contact = await joined(standin, services, "dalian")
    await contact.command("digest", "r1")
    assert (await contact.next_message()).text == "您没有使用此功能的权限。"
    await contact.command("progress", "r1")
    assert (await contact.next_message()).text == "您没有使用此功能的权限。"


async def test_a_returned_report_comes_back_as_the_next_version(
    running_app, standin: StandinServer, clock: FakeClock
) -> None:
    from tests.people import submit_report

    services: Services = running_app.bot_data["services"]
    contact = await joined(standin, services, "dalian")
    await submit_report(contact)
    coordinator = await joined(standin, services, "province", "杜四龙", m.Role.COORDINATOR)
    await coordinator.command("progress", "r1")
    view = await coordinator.next_message()
    assert "大连：第 1 版" in view.text and "待审" in view.text
    await coordinator.press("↩️ 退回大连", view)
    assert "请输入退回原因" in (await coordinator.next_message()).text
    await coordinator.send("网络零售额与统计局数据不一致，请核实。")
    assert "已退回大连市商务局的报告，已通知 1 位联络员" in (await coordinator.next_message()).text
    await drained(services)
    notice = next(m_ for m_ in contact.messages if "被退回修改" in m_.text)
    assert "网络零售额与统计局数据不一致" in notice.text
    contact.mark_read()
    await contact.press("✏️ 修改报告", notice)
    review = await contact.next_message()
    await contact.press("✅ 提交", review)
    assert "第 2 版" in (await contact.next_message()).text
    await coordinator.command("progress", "r1")
    assert "大连：第 2 版" in (await coordinator.next_message()).text
    async with services.readers() as session:
        states = list(await session.scalars(select(m.Submission.review_state)
                                            .order_by(m.Submission.version)))
    assert states == ["returned", "revised"]


async def test_digest_and_progress_ask_for_a_round_in_their_own_words(
    running_bot: Services, standin: StandinServer
) -> None:
    coordinator = await joined(standin, running_bot, "province", "尹涛", m.Role.COORDINATOR)
    await coordinator.command("digest")
    asked = await coordinator.next_message()
    assert asked.text == "查看哪个报送节点的汇总？" and len(asked.buttons) == 3
    await coordinator.command("progress")
    assert (await coordinator.next_message()).text == "查看哪个报送节点的进度？"
    await coordinator.command("remind")
    assert (await coordinator.next_message()).text == "提醒哪个报送节点？"
