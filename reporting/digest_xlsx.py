"""The digest as an Excel workbook: figures by unit with totals, all answers, and the
submission status with times, versions and late flags."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reporting.answers import display
from reporting.campaign import QuestionType
from reporting.digest import Digest, ReviewState
from texts.text import clean_text

REVIEW = {ReviewState.PENDING: "待审", ReviewState.RETURNED: "已退回",
          ReviewState.REVISED: "已修改", ReviewState.ACCEPTED: "已通过"}


def digest_xlsx(d: Digest) -> bytes:
    book = Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "数据汇总"
    _append(figures, ["单位", *(f"{f.question.prompt.zh}（{f.question.unit.zh}）"
                              if f.question.unit else f.question.prompt.zh
                              for f in d.figures)])
    for u in d.units:
        _append(figures, [u.name, *(float(v) if (v := f.values.get(u.code)) is not None
                                  else None for f in d.figures)])
    last = len(d.units) + 1
    # Totals as numbers, not formulas: every viewer shows them without recalculating.
    _append(figures, ["合计", *(float(f.total) for f in d.figures)])
    _append(figures, ["填报单位数", *(f.covered for f in d.figures)])
    _bold_first_row(figures)
    figures.cell(row=last + 1, column=1).font = Font(bold=True)

    answers = book.create_sheet("全部答案")
    questions = [q for q in d.campaign.questions_for(d.round_code)]
    _append(answers, ["单位", *(q.prompt.zh for q in questions)])
    for u in d.units:
        sub = d.submissions.get(u.code)
        row: list[object] = [u.name]
        for q in questions:
            value = sub.answers.get(q.id) if sub else None
            if value is None:
                row.append(None)
            elif q.is_figure:
                row.append(float(value))
            elif q.type is QuestionType.ATTACHMENT:
                row.append(f"{len(value)} 个文件")
            else:
                row.append(display(q, value, "zh"))
        _append(answers, row)
    _bold_first_row(answers)
    for row in answers.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    status = book.create_sheet("报送情况")
    _append(status, ["单位", "状态", "提交时间", "版本", "是否逾期", "审核状态", "退回原因"])
    zone = d.campaign.zone
    for u in d.units:
        sub = d.submissions.get(u.code)
        if sub is None:
            _append(status, [u.name, "未报送", None, None, None, None, None])
            continue
        _append(status, [u.name, "已报送",
                       sub.submitted_at.astimezone(zone).replace(tzinfo=None),
                       sub.version, "是" if sub.late else "否",
                       REVIEW.get(sub.review_state, sub.review_state), sub.review_note])
    for cell in status["C"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    _bold_first_row(status)
    for sheet in (figures, answers, status):
        for column in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet, values: list[object]) -> None:  # type: ignore[no-untyped-def]
    """A row in which every string is text: never a formula, whatever it starts with
    (`=HYPERLINK(...)` typed by a unit stays the text it was), and only characters a
    workbook can hold."""
    sheet.append([clean_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _bold_first_row(sheet) -> None:  # type: ignore[no-untyped-def]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
