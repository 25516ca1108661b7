"""The offline demo runs the whole 年货节 and, beside it, January's monthly statistics,
and leaves readable digests of both behind."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.demo import LATE, NEVER, WECOM_USER, Demo

FESTIVAL = "2021 辽宁网上年货节 "
MONTHLY = "2021年电子商务统计月报 2021年1月电子商务统计"


async def test_the_demo_runs_the_whole_campaign(tmp_path: Path, capsys) -> None:
    demo = Demo(tmp_path, speed=0)
    assert await demo.run() == 0
    out = capsys.readouterr().out
    assert "离线演示：“2021年电子商务统计月报”和“2021 辽宁网上年货节”" in out
    # 大连 works in WeCom: joined there, every report filled on cards and submitted there.
    assert "其中大连的联络员在企业微信上加入，提醒、填报和提交都在企业微信中完成" in out
    on_wecom = demo.wecom.messages_to(WECOM_USER)
    assert len([r for r in on_wecom if r.content.startswith("✅ 已提交")]) == 4
    assert any(r.card and r.closed for r in on_wecom)  # cards clicked, and closed
    assert f"✅ 大连 提交了“{FESTIVAL}第一次阶段性活动情况”" in out
    assert demo.counts["submitted"] == 14 * 3 + 14  # 抚顺 never submits
    # Each round's digest and escalation once, the monthly report's among them.
    assert demo.counts["digests"] == 3 + 1 and demo.counts["escalations"] == 3 + 1
    # 丹东's late reports are announced once each, and the refreshed digests follow.
    assert demo.counts["changes"] == 2 and demo.counts["updated"] == 2
    assert f"🔔 告知省厅联系人：“{FESTIVAL}第一次阶段性活动情况”报送情况有变动：" in out
    assert f"🔔 告知省厅联系人：“{MONTHLY}”报送情况有变动：" in out
    assert "🔄 更新后的汇总已发给省厅联系人：更新版（截至 1月30日 10:05）。自上一版汇总以来：丹东逾期报送" in out
    assert "丹东市商务局 逾期报送" in out
    assert demo.counts["overdue"] == 4 + 2  # 抚顺 three times, 丹东 once; both in the monthly
    assert demo.counts["reminders"] >= 3 * 4  # 抚顺 alone gets every reminder
    assert f"✅ 丹东 提交了“{FESTIVAL}第一次阶段性活动情况”（逾期）" in out
    assert f"✅ 丹东 提交了“{MONTHLY}”（逾期）" in out
    # Reminders name their campaign: both are open in the first days of February.
    assert f"2月3日（周三）09:00  ⏰ 提醒尚未报送“{MONTHLY}”的单位：" in out
    assert f"2月5日（周五）09:00  ⏰ 提醒尚未报送“{FESTIVAL}第二次阶段性活动情况”的单位：" in out
    assert "尚未报送：抚顺" in out
    assert "2月10日（周三）09:00  ⏰ 节前提醒（春节假期在截止日前）：" in out
    assert demo.counts["word"] == 1 and "📄 营口 直接发送 Word 报告" in out
    never = demo.contacts[NEVER].user
    # Every reminder of both campaigns, each once (and the 节前提醒).
    assert len([m for m in never.messages if m.text.startswith("⏰")]) == 11 + 2
    late = demo.contacts[LATE].user
    assert any(m.text.startswith("⚠️") for m in late.messages)
    files = sorted(p.name for p in tmp_path.glob("2021*"))
    # Three files a round (four rounds), and the refreshed first round and January.
    assert len(files) == 3 * 4 + 3 * 2
    updated = sorted(p.name for p in tmp_path.glob("2021辽宁*_更新版_*"))
    assert updated == [
        "2021辽宁网上年货节_第一次阶段性活动情况_内部核查单_更新版_截至1月30日10时05分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_报告_更新版_截至1月30日10时05分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_数据明细_更新版_截至1月30日10时05分.xlsx"]
    report = next(tmp_path.glob("2021辽宁网上年货节_最后工作总结_报告_*.docx"))
    word = Document(io.BytesIO(report.read_bytes()))
    assert word.paragraphs[0].text == "辽宁省商务厅关于2021辽宁网上年货节工作总结的报告"
    book = load_workbook(next(tmp_path.glob("2021辽宁网上年货节_最后工作总结_数据明细_*.xlsx")))
    assert book["报送情况"].max_row == 16
    monthly = Document(io.BytesIO(next(tmp_path.glob(
        "2021年电子商务统计月报_2021年1月电子商务统计_报告_截至*.docx")).read_bytes()))
    assert monthly.paragraphs[0].text == "辽宁省商务厅关于2021年1月电子商务运行情况的报告"
    assert "15个单位中，13个单位报送" in monthly.paragraphs[3].text
