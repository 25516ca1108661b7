"""The internal check sheet of a round (内部核查单, never forwarded): everything the report
leaves out. Which units are missing or late, the values to verify before forwarding
(reporting/checks.py), and each unit's reporters with their phones and where they stand.
Word, in the report template's styles, so it prints like the report beside it."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt

from reporting.checks import check_line, find_checks
from reporting.digest import Digest
from reporting.report_template import BODY, HEADING_1, PLAIN, TITLE, default_template
from texts.dates import short_moment
from texts.text import clean_text

WIDTHS = (Mm(28), Mm(48), Mm(80))  # unit, where it stands, its people: the type area


def check_sheet_docx(d: Digest) -> bytes:
    doc = Document(io.BytesIO(default_template()))
    body = doc.element.body
    for element in list(body):  # the template's fields: only its page and styles are kept
        if element.tag.endswith("}p") or element.tag.endswith("}tbl"):
            body.remove(element)
    zone = d.campaign.zone

    def p(text: str, style: str = BODY) -> None:
        doc.add_paragraph(clean_text(text), style=style)

    p(f"{d.round_title}内部核查单", TITLE)
    p(f"（仅供省厅内部核对，请勿转报。截至{short_moment(d.as_of, zone)}）", PLAIN)
    p("一、报送情况", HEADING_1)
    p(f"应报送{len(d.units)}个单位，已报送{len(d.submissions)}个：按时{len(d.on_time)}个，"
      f"逾期{len(d.late)}个；未报送{len(d.missing)}个。")
    if d.late:
        p("逾期报送：" + "、".join(
            f"{u.short}（{short_moment(d.submissions[u.code].submitted_at, zone)}）"
            for u in d.late) + "。")
    if d.missing:
        p("未报送：" + "、".join(_missing(d, u.code, u.short) for u in d.missing) + "。")
    if d.unreachable:
        p("已屏蔽机器人、无法提醒：" + "、".join(d.unreachable) + "。")
    checks = find_checks(d)
    p(f"二、请核实的数据（{len(checks)}项）", HEADING_1)
    if not checks:
        p("未发现需要核实的数据。")
    for i, check in enumerate(checks, 1):
        p(f"{i}. {d.unit(check.unit).short}：{check_line(check, 'zh')}。")
    p("三、各单位联络员", HEADING_1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("单位", "报送情况", "联络员及电话"),
                          strict=True):
        cell.text = text
    for u in d.units:
        cells = table.add_row().cells
        cells[0].text = clean_text(u.short)
        cells[1].text = _state(d, u.code)
        cells[2].text = clean_text("；".join(f"{name} {phone}" if phone else name
                                            for name, phone in d.people.get(u.code, []))
                                   or "无人加入")
    for row in table.rows:  # a compact table: 小四, single spacing, no indent
        for cell, width in zip(row.cells, WIDTHS, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                fmt = paragraph.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                fmt.first_line_indent = Pt(0)
                fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
                for run in paragraph.runs:
                    run.font.size = Pt(12)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _missing(d: Digest, code: str, short: str) -> str:
    draft = d.drafting.get(code)
    return f"{short}（填写中 {draft[0]}/{draft[1]}）" if draft else short


def _state(d: Digest, code: str) -> str:
    sub = d.submissions.get(code)
    if sub is None:
        draft = d.drafting.get(code)
        return f"未报送（填写中 {draft[0]}/{draft[1]}）" if draft else "未报送"
    when = short_moment(sub.submitted_at, d.campaign.zone)
    return f"第{sub.version}版 {when}{'（逾期）' if sub.late else ''}"
