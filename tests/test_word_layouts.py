"""Reports as the cities write them in Word, split into the report's sections: every
common numbering, the names people give the sections, a letter's preamble and signature
around the report, a missing section; and a format that cannot be read is explained."""

from __future__ import annotations

import io

from docx import Document

from flows.services import Services
from reporting.docx_sections import paragraphs, split_sections
from standin.scripted import DOCX
from standin.server import StandinServer
from tests.people import answer_current, campaign, joined, question_id

SECTIONS = [(q.id, q.prompt.zh, q.headings) for q in campaign().questions if q.section]


def word(*lines: str, headings: set[str] = frozenset()) -> bytes:  # type: ignore[assignment]
    """A .docx as a city office writes it: headings as Word headings, the rest as text."""
    document = Document()
    for line in lines:
        if line in headings:
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def split(*lines: str) -> dict[str, str]:
    return split_sections(paragraphs(word(*lines)), SECTIONS)


def test_a_letter_with_its_preamble_and_signature() -> None:
    found = split(
        "大连市商务局关于2021辽宁网上年货节第一阶段工作情况的报告",
        "省商务厅：",
        "根据《“2021辽宁网上年货节”活动工作方案》要求，现将我市第一阶段工作情况报告如下：",
        "一、活动特点", "我市组织 186 家企业参与。",
        "二、活动成效", "网络零售额 2.48 亿元。",
        "三、典型案例", "某海参企业直播带货。",
        "四、存在不足", "冷链运力不足。",
        "五、改进建议", "完善物流体系。",
        "大连市商务局", "2021年1月28日")
    assert found == {"features": "我市组织 186 家企业参与。", "results": "网络零售额 2.48 亿元。",
                     "cases": "某海参企业直播带货。", "shortcomings": "冷链运力不足。",
                     "suggestions": "完善物流体系。"}


def test_the_names_people_give_the_sections_with_arabic_numbering() -> None:
    found = split("1. 主要做法", "线上线下联动。", "2、取得成效", "销售增长 18%。",
                  "3. 典型经验做法", "某合作社。", "4、存在的问题", "人才短缺。",
                  "5. 下一步工作打算", "加强培训。")
    assert list(found) == ["features", "results", "cases", "shortcomings", "suggestions"]
    assert found["suggestions"] == "加强培训。"


def test_bracketed_and_ordinal_numbering() -> None:
    found = split("（一）工作开展情况", "开展直播 120 场。", "（二）工作成效", "带动就业。",
                  "第三，案例", "某企业。", "第四部分 问题和不足", "物流成本高。",
                  "第五，意见建议", "建设物流中心。")
    assert list(found) == ["features", "results", "cases", "shortcomings", "suggestions"]


def test_a_next_steps_heading_is_not_swallowed_into_the_shortcomings() -> None:
    found = split("一、活动特点", "做法。", "四、存在的不足", "资金不足，人才短缺。",
                  "五、下一步工作建议", "加大宣传。")
    assert found["shortcomings"] == "资金不足，人才短缺。" and found["suggestions"] == "加大宣传。"


def test_a_missing_section_is_missing_and_a_sentence_is_no_heading() -> None:
    found = split("一、活动特点", "活动取得了明显成效。", "二、存在问题", "资金不足。")
    assert found == {"features": "活动取得了明显成效。", "shortcomings": "资金不足。"}


async def test_an_old_word_file_is_explained_not_refused_blankly(
    running_bot: Services, standin: StandinServer
) -> None:
    user = await joined(standin, running_bot, "tieling")
    await user.command("report")
    screen = await user.next_message()
    while question_id(screen) != "features":
        screen = await answer_current(user, screen)
    await user.send_document(b"\xd0\xcf\x11\xe0 old word", "总结.doc", "application/msword")
    again = await user.next_message()
    assert "只能读取 .docx 格式" in again.text and "另存为" in again.text
    assert question_id(again) == "features"


async def test_a_table_of_figures_is_offered_and_counts_once_confirmed(
    running_bot: Services, standin: StandinServer
) -> None:
    """The unit's Word report has a table of its figures: each is offered at its question
    with a button, and counts only once tapped (read as if typed: 3.2亿元 → 32,000 万元)."""
    document = Document()
    document.add_paragraph("一、主要做法")
    document.add_paragraph("线上线下联动。")
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(table.rows, (("指标", "数值"),
                                                ("参与活动的企业数量（家）", "186"),
                                                ("活动期间网络零售额（累计，万元）", "3.2亿元")),
                                   strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    user = await joined(standin, running_bot, "yingkou")
    await user.command("report")
    first = await user.next_message()
    assert "可直接发送 .docx 文件" in first.text  # the Word route, offered at the start
    await user.send_document(buffer.getvalue(), "营口报告.docx", DOCX)
    screen = await user.next_message()
    assert "📊 表格中找到 2 项数据" in screen.text
    while question_id(screen) != "enterprises":
        screen = await answer_current(user, screen)
    assert ("📄 采用 Word 表格中的数值：186", f"f:w:{screen.buttons[0][1].split(':')[2]}"
            ":enterprises") in screen.buttons
    await user.press("📄 采用 Word 表格中的数值：186", screen)
    retail = await user.next_message()
    assert question_id(retail) == "online_retail"
    await user.press("📄 采用 Word 表格中的数值：3.2亿元", retail)
    after = await user.next_message()
    assert "✔️ 已按 3.2亿元 = 32,000 万元 记录。" in after.text
    assert not [b for b, _ in after.buttons if b.startswith("📄 采用")]  # not offered
