"""The files the province gets per round, opened as a reader would: the report to forward
(GB/T 9704 layout through its template), the internal check sheet, and the workbook."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from flows.services import Services
from reporting.check_sheet import check_sheet_docx
from reporting.clock import FakeClock
from reporting.digest_xlsx import digest_xlsx
from reporting.report_docx import ReportTemplateError, check_template, report_docx
from reporting.report_template import default_template
from storage.digest_data import load_digest
from tests.campaign_run import local, submit
from tests.people import campaign as shipped_campaign
from tests.test_digest import simulated_round


@pytest.fixture
def overrides() -> dict[str, object]:
    return {"wake_interval": 3600}


async def round_two(services: Services, clock: FakeClock):  # type: ignore[no-untyped-def]
    await simulated_round(services, clock)
    async with services.readers() as session:
        return await load_digest(session, services.campaign, services.campaign_id, "r2",
                                 clock.now())


def east_asian(style) -> str | None:  # type: ignore[no-untyped-def]
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


async def test_the_report_is_on_a4_in_the_official_layout(
    services: Services, clock: FakeClock
) -> None:
    content = report_docx(await round_two(services, clock))
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    def mm(length) -> float:  # type: ignore[no-untyped-def]
        return round(length / Mm(1), 1)  # stored in twentieths of a point

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.left_margin)) == (37, 28)
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225
    paragraphs = doc.paragraphs
    title = paragraphs[0]
    assert title.text == "辽宁省商务厅关于2021辽宁网上年货节第二阶段工作情况的报告"
    assert east_asian(title.style) == "方正小标宋简体" and title.style.font.size.pt == 22
    assert east_asian(doc.styles["公文正文"]) == "仿宋_GB2312"
    assert doc.styles["公文正文"].font.size.pt == 16
    assert doc.styles["公文正文"].paragraph_format.first_line_indent.pt == 32
    headings = [p for p in paragraphs if p.style.name == "Heading 1"]
    assert [h.text for h in headings][:5] == [
        "一、活动特点", "二、活动成效", "三、典型案例", "四、存在不足", "五、改进建议"]
    assert east_asian(doc.styles["Heading 1"]) == "黑体"
    assert east_asian(doc.styles["Heading 2"]) == "楷体_GB2312"
    xml = zipfile.ZipFile(io.BytesIO(content)).read("word/styles.xml").decode() + \
        zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    colours = set(re.findall(r'<w:color [^>]*w:val="([0-9A-Fa-f]{6}|auto)"', xml))
    assert colours <= {"000000", "auto"} and "themeColor" not in xml  # all text black
    footer = section.footer.paragraphs[0]
    assert "PAGE" in footer._p.xml and footer.text.startswith("— ") and footer.text.endswith(" —")


async def test_the_report_has_the_official_parts_and_figures_from_the_stored_answers(
    services: Services, clock: FakeClock
) -> None:
    digest = await round_two(services, clock)
    doc = Document(io.BytesIO(report_docx(digest)))
    texts = [p.text for p in doc.paragraphs]
    assert "商务部电子商务司：" in texts  # 主送
    assert "辽宁省商务厅" in texts and "2021年2月9日" in texts  # 落款, the full date
    assert "（联系人：杜四龙、尹涛，电话：024-86890383、86911695）" in texts
    assert "附件：1.各单位主要数据" in texts and "附件1" in texts
    overview = next(t for t in texts if t.startswith("15个单位中"))
    # 大连 1500.5, 鞍山 700, three more units 100.5 each; 阜新 left it blank.
    retail = Decimal("1500.5") + 700 + Decimal("100.5") * 3
    assert f"活动期间网络零售额合计{retail:,.2f}万元（5个单位填报）" in overview
    assert "其中直播带货销售额" in overview
    body = "\n".join(texts)
    assert "<b>直播</b> & 年货大集" in body  # a unit's text, as typed, nothing run as markup
    assert "图2　盘锦市商务局：典型案例的照片或材料" in texts  # the photo under its part
    cases = texts.index("三、典型案例")
    assert cases < texts.index("图2　盘锦市商务局：典型案例的照片或材料") < texts.index("四、存在不足")
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    column = header.index("活动期间网络零售额（万元）")
    assert table.rows[-1].cells[0].text == "合计"
    assert table.rows[-1].cells[column].text == f"{retail:,.2f}"
    dalian = next(r for r in table.rows if r.cells[0].text == "大连")
    assert dalian.cells[column].text == "1,500.50"
    assert "<w:noWrap/>" in dalian.cells[column]._tc.xml
    # Internal material stays out of what goes to the ministry.
    for internal in ("请核实", "未报送", "逾期", "13800", "（可多选）", "张伟"):
        assert internal not in body, internal


async def test_the_check_sheet_holds_what_the_report_leaves_out(
    services: Services, clock: FakeClock
) -> None:
    digest = await round_two(services, clock)
    doc = Document(io.BytesIO(check_sheet_docx(digest)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "请勿转报" in body
    assert "逾期报送：铁岭" in body and "未报送：沈阳" in body
    assert "鞍山：活动期间网络零售额（累计）比上一节点减少：800 万元 → 700 万元" in body
    assert "阜新：活动期间网络零售额（累计）未填写" in body
    rows = {r.cells[0].text: r.cells[2].text for r in doc.tables[0].rows[1:]}
    assert rows["沈阳"] == "无人加入"


async def test_the_workbook_is_frozen_filtered_formatted_and_adds_up(
    services: Services, clock: FakeClock
) -> None:
    digest = await round_two(services, clock)
    content = digest_xlsx(digest)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["数据汇总", "全部答案", "报送情况", "核实清单"]
    sheet = book["数据汇总"]
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    header = [c.value for c in sheet[1]]
    column = header.index("活动期间网络零售额（累计）（万元）") + 1
    assert sheet.cell(row=3, column=column).number_format == "#,##0.00"
    total_row = next(r for r in range(2, sheet.max_row + 1)
                     if sheet.cell(row=r, column=1).value == "合计")
    formula = sheet.cell(row=total_row, column=column).value
    assert formula.startswith("=SUM(")
    values = load_workbook(io.BytesIO(content), data_only=True)["数据汇总"]
    cached = values.cell(row=total_row, column=column).value  # shown without calculating
    assert Decimal(str(cached)) == Decimal("1500.5") + 700 + Decimal("100.5") * 3
    assert sheet.column_dimensions["B"].width > 10
    assert book["核实清单"].max_row == 3  # 鞍山's drop, 阜新's blank
    status = {row[0].value: [c.value for c in row] for row in book["报送情况"].iter_rows(min_row=2)}
    assert status["铁岭市商务局"][1:5] == ["已报送", status["铁岭市商务局"][2], 1, "是"]
    assert status["沈阳市商务局"][1] == "未报送" and status["沈阳市商务局"][7] == "无人加入"


async def test_text_that_looks_like_a_formula_stays_text(
    services: Services, clock: FakeClock
) -> None:
    clock.set(local(1, 28, 10))
    await submit(services, "dalian", "r1", {"features": "=HYPERLINK(\"http://x\",\"点我\")"})
    async with services.readers() as session:
        digest = await load_digest(session, services.campaign, services.campaign_id, "r1",
                                   clock.now())
    book = load_workbook(io.BytesIO(digest_xlsx(digest)))
    cells = [c for row in book["全部答案"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_broken_template_is_named_with_what_is_wrong() -> None:
    doc = Document(io.BytesIO(default_template()))
    doc.add_paragraph("{{ title ")  # an unclosed tag
    buffer = io.BytesIO()
    doc.save(buffer)
    problems = check_template(buffer.getvalue(), "省厅模板.docx")
    assert len(problems) == 1 and problems[0].startswith("省厅模板.docx: 模板标签有误")
    assert check_template(b"not a word file", "x.docx")[0].startswith("x.docx: 不是可用的")
    assert check_template(default_template(), "默认模板") == []


async def test_a_province_template_with_its_letterhead_is_used(
    services: Services, clock: FakeClock
) -> None:
    digest = await round_two(services, clock)
    doc = Document(io.BytesIO(default_template()))
    first = doc.paragraphs[0]
    first.insert_paragraph_before("辽宁省商务厅（红头）")
    buffer = io.BytesIO()
    doc.save(buffer)
    made = Document(io.BytesIO(report_docx(digest, buffer.getvalue(), "省厅模板.docx")))
    assert made.paragraphs[0].text == "辽宁省商务厅（红头）"
    broken = Document(io.BytesIO(default_template()))
    broken.add_paragraph("{{ title | no_such_filter }}")
    buffer = io.BytesIO()
    broken.save(buffer)
    with pytest.raises(ReportTemplateError, match=r"省厅模板\.docx"):
        report_docx(digest, buffer.getvalue(), "省厅模板.docx")


def test_a_campaign_naming_a_missing_or_broken_template_is_refused_where_it_says_so(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from reporting.campaign_file import DEFAULT_CAMPAIGN_FILE, CampaignFileError, load_campaign

    text = DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8").replace(
        "  # template: 辽宁省商务厅报告模板.docx", "  template: 省厅模板.docx")
    campaign_file = tmp_path / "campaign.yaml"
    campaign_file.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignFileError) as missing:
        load_campaign(campaign_file)
    assert missing.value.problems[0].startswith("report.template: ")
    assert "省厅模板.docx cannot be read" in missing.value.problems[0]
    (tmp_path / "省厅模板.docx").write_bytes(b"not a word file")
    with pytest.raises(CampaignFileError) as broken:
        load_campaign(campaign_file)
    assert "不是可用的 Word（.docx）模板" in broken.value.problems[0]
    (tmp_path / "省厅模板.docx").write_bytes(default_template())
    campaign = load_campaign(campaign_file)
    assert campaign.report.template == str(tmp_path / "省厅模板.docx")


def test_every_photo_sits_under_its_part_and_every_other_file_is_listed() -> None:
    """A photo given for an attachment question of any name is placed under the section
    that question follows; a document, or a "photo" Word cannot read, is listed in 附件3."""
    from reporting.digest import FileEntry, compile_digest
    from tests.test_checks import AT, UNITS, entry
    from tests.test_digest import photo

    files = [FileEntry("dalian", "case_files", "直播现场.png", "image/png", photo(),
                       caption="海参直播间现场"),
             FileEntry("dalian", "case_files", "活动方案.pdf", "application/pdf", b"%PDF-1.4"),
             FileEntry("anshan", "case_files", "坏图.jpg", "image/jpeg", b"not a jpeg")]
    digest = compile_digest(shipped_campaign(), "r1", AT, UNITS,
                            [entry("dalian", cases="直播带货。"), entry("anshan")], files=files)
    doc = Document(io.BytesIO(report_docx(digest)))
    texts = [p.text for p in doc.paragraphs]
    placed = texts.index("图2　大连市商务局：海参直播间现场")  # the words sent with it
    assert texts.index("三、典型案例") < placed < texts.index("四、存在不足")
    assert "附件：1.各单位主要数据" in texts and "　　　3.其他附件材料清单" in texts
    assert "大连：活动方案.pdf（典型案例的照片或材料）" in texts
    assert "鞍山：坏图.jpg（典型案例的照片或材料）" in texts
    assert len(doc.inline_shapes) == 2  # the chart and the one readable photo


