"""The offline demo runs the whole campaign and leaves readable digests behind."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.demo import LATE, NEVER, Demo


async def test_the_demo_runs_the_whole_campaign(tmp_path: Path, capsys) -> None:
    demo = Demo(tmp_path, speed=0)
    assert await demo.run() == 0
    out = capsys.readouterr().out
    assert demo.counts["submitted"] == 14 * 3  # 抚顺 never submits
    assert demo.counts["digests"] == 3 and demo.counts["escalations"] == 3
    # 丹东's late report is announced once, and the refreshed digest follows.
    assert demo.counts["changes"] == 1 and demo.counts["updated"] == 1
    assert "🔔 告知省厅联系人：“第一次阶段性活动情况”报送情况有变动：" in out
    assert "🔄 更新后的汇总已发给省厅联系人：更新版（截至 1月30日 10:05）。自上一版汇总以来：丹东逾期报送" in out
    assert "丹东市商务局 逾期报送" in out
    assert demo.counts["overdue"] == 4  # 抚顺 three times, 丹东 once
    assert demo.counts["reminders"] >= 3 * 4  # 抚顺 alone gets every reminder
    assert "✅ 丹东 提交了“第一次阶段性活动情况”（逾期）" in out
    assert "尚未报送：抚顺" in out
    assert "2月10日（周三）09:00  ⏰ 节前提醒（春节假期在截止日前）：" in out
    assert demo.counts["word"] == 1 and "📄 营口 直接发送 Word 报告" in out
    never = demo.contacts[NEVER].user
    assert len([m for m in never.messages if m.text.startswith("⏰")]) == 11  # and 节前提醒
    late = demo.contacts[LATE].user
    assert any(m.text.startswith("⚠️") for m in late.messages)
    files = sorted(p.name for p in tmp_path.glob("2021*"))
    assert len(files) == 3 * 3 + 3  # three files a round, and the refreshed first round
    updated = sorted(p.name for p in tmp_path.glob("*_更新版_*"))
    assert updated == [
        "2021辽宁网上年货节_第一次阶段性活动情况_内部核查单_更新版_截至1月30日10时05分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_报告_更新版_截至1月30日10时05分.docx",
        "2021辽宁网上年货节_第一次阶段性活动情况_数据明细_更新版_截至1月30日10时05分.xlsx"]
    report = next(tmp_path.glob("2021辽宁网上年货节_最后工作总结_报告_*.docx"))
    word = Document(io.BytesIO(report.read_bytes()))
    assert word.paragraphs[0].text == "辽宁省商务厅关于2021辽宁网上年货节工作总结的报告"
    book = load_workbook(next(tmp_path.glob("2021辽宁网上年货节_最后工作总结_数据明细_*.xlsx")))
    assert book["报送情况"].max_row == 16
