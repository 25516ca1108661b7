"""The default Word template of the report, in the layout of GB/T 9704-2012 (党政机关公文格式).

A4 with the standard type area (156 × 225 mm: top margin 37 mm, left 28 mm), 22 lines of
仿宋_GB2312 3号 a page with first-line indents of two characters, the title in 方正小标宋简体
2号, first-level headings in 黑体 and second-level in 楷体_GB2312, all black, and the page
number `— 1 —` at the bottom. The fields (docs/report-template.md) are docxtpl's Jinja tags.

The province may start its own template from this one (`python -m bot template --out
FILE`), put its letterhead on it, and name it in the campaign file.
"""

from __future__ import annotations

import io
from functools import cache

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
LINE = Pt(28.95)  # 22 lines in the 225 mm type area
BLACK = RGBColor(0, 0, 0)

# Paragraph style names the template uses (and a province's own template may restyle).
TITLE, BODY, HEADING_1, HEADING_2, CAPTION, PLAIN, PICTURE = (
    "公文标题", "公文正文", "Heading 1", "Heading 2", "图表标题", "公文无缩进", "图片")


@cache
def default_template() -> bytes:
    """The template as .docx bytes (built once a process)."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _footer_page_number(doc)
    body = doc.element.body
    for element in list(body):  # the empty first paragraph of python-docx's blank document
        if element.tag == qn("w:p"):
            body.remove(element)

    def p(text: str, style: str = BODY, align: WD_ALIGN_PARAGRAPH | None = None) -> None:
        paragraph = doc.add_paragraph(text, style=style)
        if align is not None:
            paragraph.alignment = align

    p("{{ title }}", TITLE)
    p("", PLAIN)
    p("{{ recipient }}", PLAIN)
    p("{%p for paragraph in overview %}", BODY)
    p("{{ paragraph }}")
    p("{%p endfor %}", BODY)
    p("{%p for part in parts %}", BODY)
    p("{{ part.heading }}", HEADING_1)
    p("{%p if part.lead %}", BODY)
    p("{{ part.lead }}")
    p("{%p endif %}", BODY)
    p("{%p for unit in part.units %}", BODY)
    unit = doc.add_paragraph(style=BODY)
    label = unit.add_run("{{ unit.label }}")
    _east_asian(label.font, H2_FONT)
    unit.add_run("{{ unit.text }}")
    p("{%p endfor %}", BODY)
    p("{%p for photo in part.photos %}", BODY)
    p("{{ photo.image }}", PICTURE)
    p("{{ photo.caption }}", CAPTION, WD_ALIGN_PARAGRAPH.CENTER)
    p("{%p endfor %}", BODY)
    p("{%p endfor %}", BODY)
    p("", PLAIN)
    p("{%p for annex in annexes %}", BODY)
    p("{{ annex.listed }}")
    p("{%p endfor %}", BODY)
    p("", PLAIN)
    p("", PLAIN)
    for field in ("{{ signature }}", "{{ date }}"):  # 成文日期右空四字, the name above it
        signed = doc.add_paragraph(field, style=PLAIN)
        signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signed.paragraph_format.right_indent = Pt(64)
    p("{%p if contact %}", BODY)
    p("（{{ contact }}）", BODY, WD_ALIGN_PARAGRAPH.LEFT)
    p("{%p endif %}", BODY)
    # 附件1: the figures; 附件2: every unit's full texts; 附件3: the other files.
    p("{%p for annex in annexes %}", BODY)
    brk = doc.add_paragraph(style=PLAIN)
    brk.add_run().add_break(WD_BREAK.PAGE)
    heading = doc.add_paragraph(style=PLAIN)
    _east_asian(heading.add_run("{{ annex.number }}").font, H1_FONT)
    p("{{ annex.title }}", TITLE)
    p("", PLAIN)
    p("{%p if annex.kind == 'figures' %}", BODY)
    p("{{p figures_table }}", PLAIN)
    p("{%p if chart %}", BODY)
    p("{{ chart }}", PICTURE)
    p("{{ chart_caption }}", CAPTION, WD_ALIGN_PARAGRAPH.CENTER)
    p("{%p endif %}", BODY)
    p("{%p for note in figure_notes %}", BODY)
    p("{{ note }}")
    p("{%p endfor %}", BODY)
    p("{%p elif annex.kind == 'texts' %}", BODY)
    p("{%p for part in parts %}", BODY)
    p("{{ part.heading }}", HEADING_1)
    p("{%p for unit in part.full %}", BODY)
    p("{{ unit.label }}", HEADING_2)
    p("{%p for paragraph in unit.paragraphs %}", BODY)
    p("{{ paragraph }}")
    p("{%p endfor %}", BODY)
    p("{%p endfor %}", BODY)
    p("{%p endfor %}", BODY)
    p("{%p elif annex.kind == 'files' %}", BODY)
    p("{%p for file in files %}", BODY)
    p("{{ file }}")
    p("{%p endfor %}", BODY)
    p("{%p endif %}", BODY)
    p("{%p endfor %}", BODY)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _page(doc: Document) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)


def _east_asian(font, name: str) -> None:  # type: ignore[no-untyped-def]
    """Chinese text in `name`; Latin letters and digits in Times New Roman."""
    font.name = "Times New Roman"
    fonts = font.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hAnsi"), "Times New Roman")


def _black(style) -> None:  # type: ignore[no-untyped-def]
    """No theme colour left over from python-docx's blank document: black text."""
    r_pr = style.element.get_or_add_rPr()
    for color in r_pr.findall(qn("w:color")):
        r_pr.remove(color)
    style.font.color.rgb = BLACK


def _paragraph_style(doc: Document, name: str, font: str, size: Pt, indent: bool,
                     align: WD_ALIGN_PARAGRAPH | None = None, line: Pt = LINE):  # type: ignore[no-untyped-def]
    styles = doc.styles
    if name in [s.name for s in styles]:
        style = styles[name]
    else:  # a style of our own, on the body's
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    _east_asian(style.font, font)
    style.font.size = size
    style.font.bold = False
    style.font.italic = False
    _black(style)
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    fmt.left_indent = Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    if align is not None:
        fmt.alignment = align
    p_pr = style.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):  # python-docx's Title has a rule under it
        p_pr.remove(border)
    return style


def _styles(doc: Document) -> None:
    _paragraph_style(doc, "Normal", BODY_FONT, SIZE_3, indent=False,
                     align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph_style(doc, BODY, BODY_FONT, SIZE_3, indent=True)
    _paragraph_style(doc, PLAIN, BODY_FONT, SIZE_3, indent=False)
    _paragraph_style(doc, TITLE, TITLE_FONT, SIZE_2, indent=False,
                     align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35))
    _paragraph_style(doc, HEADING_1, H1_FONT, SIZE_3, indent=True)
    _paragraph_style(doc, HEADING_2, H2_FONT, SIZE_3, indent=True)
    _paragraph_style(doc, CAPTION, BODY_FONT, SIZE_4, indent=False,
                     align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(22))
    picture = _paragraph_style(doc, PICTURE, BODY_FONT, SIZE_3, indent=False,
                               align=WD_ALIGN_PARAGRAPH.CENTER)
    picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line
    picture.paragraph_format.space_before = Pt(6)  # height would cut the picture off
    table = doc.styles["Table Grid"]
    _east_asian(table.font, BODY_FONT)
    table.font.size = Pt(10.5)  # 5号: the figures table
    _black(table)
    for name in ("Heading 1", "Heading 2"):  # headings keep their outline level, not
        p_pr = doc.styles[name].element.get_or_add_pPr()  # their look (set above)
        for element in p_pr.findall(qn("w:keepLines")):
            p_pr.remove(element)
    for style in list(doc.styles):  # nothing in any colour: the title, the headings, …
        if style.type is WD_STYLE_TYPE.TABLE and style.name not in ("Table Grid",
                                                                     "Normal Table"):
            style.element.getparent().remove(style.element)  # Word's coloured tables
        elif style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            for element in [*style.element.iter(qn("w:color")),
                            *style.element.iter(qn("w:pBdr"))]:  # coloured rules too
                element.getparent().remove(element)
            if style.element.rPr is not None:
                _black(style)


def _footer_page_number(doc: Document) -> None:
    """`— 1 —` centred under the type area, in 4号 宋体."""
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def run(text: str = ""):  # type: ignore[no-untyped-def]
        r = paragraph.add_run(text)
        _east_asian(r.font, "宋体")
        r.font.size = SIZE_4
        r.font.color.rgb = BLACK
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"),
                       ("end", None)):
        r = run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            r._r.append(field)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            r._r.append(instruction)
        else:
            r.text = text
    run(" —")
