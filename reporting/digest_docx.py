"""The digest as a Word document the province can forward with light edits."""

from __future__ import annotations

import io
import logging
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reporting.answers import display
from reporting.checks import check_line, find_checks
from reporting.digest import Digest, plain_number
from reporting.digest_chart import figures_chart
from texts.dates import day, short_moment
from texts.text import clean_text

log = logging.getLogger(__name__)


def digest_docx(d: Digest) -> bytes:
    doc = Document()
    _chinese_fonts(doc)
    campaign, zone = d.campaign, d.campaign.zone
    title = _heading(doc, f"{campaign.name.zh}{d.round_title}汇总", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    when = day(d.as_of.astimezone(zone).date())
    subtitle = _paragraph(doc, f"{campaign.province.name}　{when}")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if d.provisional:
        _paragraph(doc, f"（截至 {short_moment(d.as_of, zone)}，报送尚未截止，非最终结果）")

    _heading(doc, "一、总体情况", level=1)
    summary = (f"本节点应报送单位 {len(d.units)} 个，已报送 {len(d.submissions)} 个，其中按时 "
               f"{len(d.on_time)} 个、逾期 {len(d.late)} 个，未报送 {len(d.missing)} 个。")
    main = [f for f in d.figures if f.covered][:3]
    if main:
        summary += "主要数据：" + "；".join(
            f"{f.question.prompt.zh}合计 {plain_number(f.total)}"
            f"{f.question.unit.zh if f.question.unit else ''}（{f.covered} 个单位）"
            for f in main) + "。"
    _paragraph(doc, summary)

    _heading(doc, "二、主要数据", level=1)
    if d.figures:
        _figures_table(doc, d)
        for check in find_checks(d):
            _paragraph(doc, f"请核实：{d.unit(check.unit).short}，{check_line(check, 'zh')}。")
        chart = figures_chart(d)
        if chart:
            doc.add_picture(io.BytesIO(chart), width=Cm(16))

    number = 3
    end = doc.element.body.sectPr
    for q, answered in d.sections:
        _heading(doc, f"{_chinese_number(number)}、{q.prompt.zh}", level=1)
        number += 1
        if not answered:
            _paragraph(doc, "（无）")
        for unit, text in answered:
            _fast_paragraph(end, unit.name, "Heading2")
            for paragraph in text.splitlines():
                if paragraph.strip():
                    _fast_paragraph(end, paragraph.strip())
        if q.id == "cases" or "案例" in q.prompt.zh:
            _case_pictures(doc, d)

    if d.others:
        _heading(doc, f"{_chinese_number(number)}、其他情况", level=1)
        number += 1
        for q, answered in d.others:
            values = "；".join(f"{u.short}：{display(q, v, 'zh')}" for u, v in answered)
            _paragraph(doc, f"{q.prompt.zh}：{values or '（无）'}")

    _heading(doc, f"{_chinese_number(number)}、报送情况", level=1)
    _paragraph(doc, "未报送单位：" + ("、".join(u.name for u in d.missing) or "无"))
    if d.late:
        _paragraph(doc, "逾期报送单位：" + "、".join(u.name for u in d.late))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _figures_table(doc: Document, d: Digest) -> None:
    table = doc.add_table(rows=len(d.units) + 2, cols=1 + len(d.figures))
    table.style = "Table Grid"
    rows = table.rows
    header = rows[0].cells
    header[0].text = "单位"
    for i, fig in enumerate(d.figures, 1):
        unit = f"（{fig.question.unit.zh}）" if fig.question.unit else ""
        header[i].text = clean_text(f"{fig.question.prompt.zh}{unit}")
    for row, u in zip(rows[1:], d.units, strict=False):
        cells = row.cells
        cells[0].text = clean_text(u.short)
        for i, fig in enumerate(d.figures, 1):
            value = fig.values.get(u.code)
            cells[i].text = "—" if value is None else plain_number(value)
    totals = rows[-1].cells
    totals[0].text = "合计"
    for i, fig in enumerate(d.figures, 1):
        totals[i].text = f"{plain_number(fig.total)}（{fig.covered}个单位）"


def _case_pictures(doc: Document, d: Digest) -> None:
    for file in d.files:
        if not file.is_image:
            continue
        try:
            doc.add_picture(io.BytesIO(file.content), width=Cm(12))
        except Exception:  # a photo python-docx cannot read: name it instead
            log.warning("could not place the picture %s of %s", file.name, file.unit)
            _paragraph(doc, f"（附件：{file.name}）")
            continue
        _paragraph(doc, f"图：{d.unit(file.unit).name}典型案例（{file.name}）")


def _paragraph(doc: Any, text: str) -> Any:
    """A paragraph of text that may have come from a unit: only what XML can hold."""
    return doc.add_paragraph(clean_text(text))


def _heading(doc: Any, text: str, level: int) -> Any:
    return doc.add_heading(clean_text(text), level=level)


def _fast_paragraph(end: Any, text: str, style_id: str | None = None) -> None:
    """A paragraph added in constant time. python-docx's `add_paragraph` scans the whole
    body for the section properties on every call, and looks a style up among all styles:
    quadratic for the thousands of paragraphs of a 3,000-unit digest."""
    p = OxmlElement("w:p")
    if style_id:
        properties = OxmlElement("w:pPr")
        style = OxmlElement("w:pStyle")
        style.set(qn("w:val"), style_id)
        properties.append(style)
        p.append(properties)
    run, body = OxmlElement("w:r"), OxmlElement("w:t")
    body.text = clean_text(text)
    body.set(qn("xml:space"), "preserve")
    run.append(body)
    p.append(run)
    end.addprevious(p)  # `end`: the body's section properties, found once


def _chinese_fonts(doc: Document) -> None:
    doc.styles["Table Grid"].font.size = Pt(8)
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        style.font.name = "SimSun" if name == "Normal" else "SimHei"
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "宋体" if name == "Normal" else "黑体")


def _chinese_number(n: int) -> str:
    return "零一二三四五六七八九十"[n] if n <= 10 else str(n)
