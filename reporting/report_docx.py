"""The report forwarded upstream, as Word: `report_content` poured into a docxtpl template
(the default one of reporting/report_template.py, or the province's own named in the
campaign file). The figures table is built as XML in one piece, so that 3,000 units take
no longer than a few seconds; pictures go in as docxtpl's inline images."""

from __future__ import annotations

import io
import logging
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from docx.image.image import Image
from docx.oxml import parse_xml
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError

from reporting.campaign import Campaign
from reporting.digest import Digest
from reporting.digest_chart import figures_chart
from reporting.report_content import Column, ReportContent, report_content
from reporting.report_template import default_template

log = logging.getLogger(__name__)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TYPE_AREA = 8845  # 156 mm in twentieths of a point
UNIT_COLUMN = 1700  # 30 mm
ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a row never breaks across pages
COLUMNS_PER_TABLE = 4  # more would wrap the numbers: the rest go in a continued table


class ReportTemplateError(Exception):
    """The template cannot make the report: says which file and what in it."""


def campaign_template(campaign: Campaign) -> bytes:
    """The province's template if the campaign names one, else the default."""
    if campaign.report.template:
        return _read(campaign.report.template)
    return default_template()


@cache
def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ReportTemplateError(f"{path}: 无法读取模板（{exc.strerror or exc}）") from None


def check_template(content: bytes, name: str) -> list[str]:
    """What is wrong with a template, each with where; empty if it can make a report."""
    try:
        tpl = DocxTemplate(io.BytesIO(content))
        tpl.get_undeclared_template_variables()
    except TemplateError as exc:
        return [_template_problem(name, exc)]
    except Exception as exc:  # not a .docx at all
        return [f"{name}: 不是可用的 Word（.docx）模板：{type(exc).__name__}"]
    return []


def _template_problem(name: str, exc: TemplateError) -> str:
    """`省厅模板.docx: 模板标签有误（第 3 处）：…`: the file, where, and what."""
    line = getattr(exc, "lineno", None)
    return f"{name}: 模板标签有误{f'（第 {line} 处）' if line else ''}：{exc}"


def placeable_images(d: Digest) -> set[tuple[str, str, str]]:
    """The files Word can show as pictures (a photo's bytes are checked, not its name)."""
    found = set()
    for f in d.files:
        if not f.is_image:
            continue
        try:
            Image.from_blob(f.content)
        except Exception:  # a broken upload: any error of the image parser
            log.warning("cannot place the picture %s of %s: listed instead", f.name, f.unit)
            continue
        found.add((f.unit, f.question, f.name))
    return found


def report_docx(d: Digest, template: bytes | None = None, name: str = "默认模板") -> bytes:
    """The report of `d` as .docx bytes."""
    tpl = DocxTemplate(io.BytesIO(template if template is not None
                                  else campaign_template(d.campaign)))
    content = report_content(d, placeable_images(d))
    chart = figures_chart(d)
    context = _context(tpl, content, chart)
    try:
        tpl.render(context, autoescape=True)
    except TemplateError as exc:
        raise ReportTemplateError(_template_problem(name, exc)) from None
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def _context(tpl: DocxTemplate, c: ReportContent, chart: bytes | None) -> dict[str, Any]:
    parts = [{"heading": p.heading, "lead": p.lead, "units": p.units, "full": p.full,
              "photos": [{"image": InlineImage(tpl, io.BytesIO(photo.content), width=Mm(120)),
                          "caption": photo.caption} for photo in p.photos]}
             for p in c.parts]
    table = tpl.new_subdoc()
    for i in range(0, max(len(c.columns), 1), COLUMNS_PER_TABLE):
        if i:
            table.subdocx.element.body.append(parse_xml(_caption_xml("（续表）")))
        table.subdocx.element.body.append(
            parse_xml(_table_xml(c.units, c.columns[i:i + COLUMNS_PER_TABLE])))
    return {
        "title": c.title, "recipient": c.recipient, "overview": c.overview, "parts": parts,
        "annexes": c.annexes, "signature": c.signature, "date": c.date,
        "contact": c.contact, "figures_table": table, "files": c.files,
        "chart": InlineImage(tpl, io.BytesIO(chart), width=Mm(150)) if chart else None,
        "chart_caption": c.chart_caption, "figure_notes": c.figure_notes,
    }


def _caption_xml(text: str) -> str:
    return (f'<w:p xmlns:w="{W}"><w:pPr><w:spacing w:before="120" w:line="240" '
            f'w:lineRule="auto"/><w:ind w:firstLine="0"/></w:pPr>'
            f'<w:r><w:rPr><w:sz w:val="21"/></w:rPr><w:t>{escape(text)}</w:t></w:r></w:p>')


def _cell(text: str, width: int, align: str, header: bool = False) -> str:
    """A cell that never wraps a number: noWrap, right-aligned figures, 5号."""
    bold = "<w:b/>" if header else ""
    no_wrap = "" if header else "<w:noWrap/>"
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{no_wrap}'
            f'<w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:spacing w:before="20" '
            f'w:after="20" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
            f'<w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr>{bold}<w:sz w:val="21"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text, quote=False)}</w:t></w:r></w:p></w:tc>')


def _table_xml(units: list[str], columns: list[Column]) -> str:
    width = (TYPE_AREA - UNIT_COLUMN) // max(len(columns), 1)
    grid = f'<w:gridCol w:w="{UNIT_COLUMN}"/>' + f'<w:gridCol w:w="{width}"/>' * len(columns)
    rows = ['<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
            + _cell("单位", UNIT_COLUMN, "center", True)
            + "".join(_cell(c.heading, width, "center", True) for c in columns) + "</w:tr>"]
    for i, unit in enumerate(units):
        rows.append(ROW + _cell(unit, UNIT_COLUMN, "left")
                    + "".join(_cell(c.cells[i], width, "right") for c in columns) + "</w:tr>")
    rows.append(ROW + _cell("合计", UNIT_COLUMN, "center", True)
                + "".join(_cell(c.total, width, "right") for c in columns) + "</w:tr>")
    return (f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{TYPE_AREA}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
            + "".join(rows) + "</w:tbl>")
