"""The digest as an Excel workbook (XlsxWriter): figures per unit, all answers, reporting
status, and the check list; plus a native chart of the main figures.

Every sheet: the header frozen, filtered and wrapped, columns as wide as their content,
landscape and fit to width with the header repeated on each printed page. Figures carry a
number format per column (`#,##0.00` for 万元). Totals are formulas that also carry their
computed value, so they show in viewers that do not calculate (openpyxl cannot write that
value; XlsxWriter can, and writes 3,000 units several times faster). Text is always
written as text: `=HYPERLINK(…)` typed by a unit stays the characters it was.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from reporting.answers import display
from reporting.campaign import QuestionType
from reporting.checks import check_line, find_checks
from reporting.digest import Digest, ReviewState
from reporting.digest_chart import chart_plan
from texts.text import clean_text

REVIEW = {ReviewState.PENDING: "待审", ReviewState.RETURNED: "已退回",
          ReviewState.REVISED: "已修改", ReviewState.ACCEPTED: "已通过"}
WIDEST = 60  # characters: a long text column wraps within it
TEXT_WIDTH = 40  # a column of long texts


def _width(values: list[Any]) -> float:
    """A column width that fits its content (a CJK character counts twice); the header,
    `values[0]`, wraps onto up to three lines."""
    longest = (_chars(values[0]) + 2) // 3 if values else 0
    for value in values[1:]:
        text = value if isinstance(value, str) else (f"{value:,.2f}" if isinstance(
            value, float) else str(value if value is not None else ""))
        longest = max(longest, _chars(text.split("\n", 1)[0]))
    return min(max(longest + 2, 10), WIDEST)


def _chars(text: Any) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


class _Sheet:
    """One sheet written row by row, its widths measured as it goes."""

    def __init__(self, book: Any, name: str, header: list[str], formats: dict[str, Any]):
        self.ws = book.add_worksheet(name)
        self.f = formats
        self.columns: list[list[Any]] = [[h] for h in header]
        self.row = 0
        for col, text in enumerate(header):
            self.ws.write_string(0, col, clean_text(text), formats["header"])
        self.row = 1

    def write(self, values: list[Any], fmts: list[Any] | None = None) -> None:
        for col, value in enumerate(values):
            fmt = fmts[col] if fmts else None
            if value is None:
                self.ws.write_blank(self.row, col, None, fmt)
            elif isinstance(value, str):
                self.ws.write_string(self.row, col, clean_text(value), fmt)
            elif isinstance(value, (int, float)):
                self.ws.write_number(self.row, col, value, fmt)
            else:
                self.ws.write_datetime(self.row, col, value, fmt)
            self.columns[col].append(value)
        self.row += 1

    def finish(self, text_columns: set[int] | None = None) -> None:
        """Freeze and filter the header, fit the widths, set up printing."""
        ws, last_col = self.ws, len(self.columns) - 1
        ws.freeze_panes(1, 1)
        ws.autofilter(0, 0, max(self.row - 1, 1), last_col)
        ws.set_row(0, 48)  # three lines of header
        for col, values in enumerate(self.columns):
            wide = TEXT_WIDTH if col in (text_columns or set()) else _width(values)
            ws.set_column(col, col, wide)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # fit to width, as many pages down as it takes
        ws.repeat_rows(0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")


def digest_xlsx(d: Digest) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False,
                                        "default_date_format": "yyyy-mm-dd hh:mm"})
    f = {
        "header": book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                   "align": "center", "bg_color": "#EEEEEE", "border": 1}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "bold": book.add_format({"bold": True}),
        "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"}),
    }
    numbers = {places: book.add_format({"num_format": "#,##0" + ("." + "0" * places
                                                                  if places else "")})
               for places in (0, 2)}
    totals = {places: book.add_format({"num_format": numbers[places].num_format,
                                       "bold": True, "top": 1}) for places in (0, 2)}
    _figures(book, d, f, numbers, totals)
    _answers(book, d, f)
    _status(book, d, f, numbers)
    _check_list(book, d, f)
    book.close()
    return buffer.getvalue()


def _places(question: Any) -> int:
    return 0 if question.type is QuestionType.INTEGER else 2


def _figures(book: Any, d: Digest, f: dict[str, Any], numbers: dict[int, Any],
             totals: dict[int, Any]) -> None:
    header = ["单位", *(f"{fig.question.prompt.zh}（{fig.question.unit.zh}）"
                       if fig.question.unit else fig.question.prompt.zh for fig in d.figures)]
    sheet = _Sheet(book, "数据汇总", header, f)
    fmts = [None, *(numbers[_places(fig.question)] for fig in d.figures)]
    for u in d.units:
        sheet.write([u.name, *(float(v) if (v := fig.values.get(u.code)) is not None else None
                               for fig in d.figures)], fmts)
    first, last = 2, len(d.units) + 1  # Excel's row numbers of the units
    ws, row = sheet.ws, sheet.row
    ws.write_string(row, 0, "合计", f["bold"])
    ws.write_string(row + 1, 0, "填报单位数", f["bold"])
    for col, fig in enumerate(d.figures, 1):
        letter = xl_col_to_name(col)
        places = _places(fig.question)
        ws.write_formula(row, col, f"=SUM({letter}{first}:{letter}{last})", totals[places],
                         float(fig.total))
        ws.write_formula(row + 1, col, f"=COUNT({letter}{first}:{letter}{last})", None,
                         fig.covered)
    sheet.row += 2
    sheet.finish()
    ws.autofilter(0, 0, len(d.units), len(header) - 1)  # the units, not the totals
    _chart(book, d, ws)


def _chart(book: Any, d: Digest, ws: Any) -> None:
    """A native column chart of the main figures, beside the table."""
    plan = chart_plan(d)
    if plan is None or not d.units:
        return
    chart = book.add_chart({"type": "column"})
    last = len(d.units)
    for fig in plan.figures:
        col = 1 + d.figures.index(fig)
        chart.add_series({"name": ["数据汇总", 0, col], "categories": ["数据汇总", 1, 0, last, 0],
                          "values": ["数据汇总", 1, col, last, col]})
    measure = plan.figures[0].question.unit.zh if plan.figures[0].question.unit else ""
    chart.set_title({"name": f"{d.round_title}：各单位{plan.name}"})
    chart.set_y_axis({"name": measure, "num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 420})
    ws.insert_chart(last + 4, 1, chart)


def _answers(book: Any, d: Digest, f: dict[str, Any]) -> None:
    questions = d.campaign.questions_for(d.round_code)
    sheet = _Sheet(book, "全部答案", ["单位", *(q.prompt.zh for q in questions)], f)
    names = {}
    for file in d.files:
        names.setdefault((file.unit, file.question), []).append(file.name)
    fmts = [f["text"], *(None if q.is_figure else f["text"] for q in questions)]
    for u in d.units:
        sub = d.submissions.get(u.code)
        row: list[Any] = [u.name]
        for q in questions:
            value = sub.answers.get(q.id) if sub else None
            if value is None or value in ("", []):
                row.append(None)
            elif q.is_figure:
                row.append(float(Decimal(str(value))))
            elif q.type is QuestionType.ATTACHMENT:
                row.append("、".join(names.get((u.code, q.id), [])) or f"{len(value)} 个文件")
            else:
                row.append(display(q, value, "zh"))
        sheet.write(row, fmts)
    long_texts = {i for i, q in enumerate(questions, 1) if q.type is QuestionType.LONG_TEXT}
    sheet.finish(long_texts)


def _status(book: Any, d: Digest, f: dict[str, Any], numbers: dict[int, Any]) -> None:
    cumulative = [fig for fig in d.figures if fig.question.cumulative]
    header = ["单位", "状态", "提交时间", "版本", "是否逾期", "审核状态", "退回原因",
              "联络员及电话", *(f"{fig.question.prompt.zh}比上一节点增加" for fig in cumulative)]
    sheet = _Sheet(book, "报送情况", header, f)
    zone = d.campaign.zone
    fmts = [None, None, f["time"], None, None, None, f["text"], f["text"],
            *(numbers[_places(fig.question)] for fig in cumulative)]
    for u in d.units:
        sub = d.submissions.get(u.code)
        people = "；".join(f"{n} {p}" if p else n for n, p in d.people.get(u.code, [])) \
            or "无人加入"
        changes = [float(c) if (c := fig.change(u.code)) is not None else None
                   for fig in cumulative]
        if sub is None:
            draft = d.drafting.get(u.code)
            state = f"未报送（填写中 {draft[0]}/{draft[1]}）" if draft else "未报送"
            sheet.write([u.name, state, None, None, None, None, None, people, *changes], fmts)
            continue
        sheet.write([u.name, "已报送", sub.submitted_at.astimezone(zone).replace(tzinfo=None),
                     sub.version, "是" if sub.late else "否",
                     REVIEW.get(sub.review_state, sub.review_state), sub.review_note, people,
                     *changes], fmts)
    sheet.finish({6, 7})


def _check_list(book: Any, d: Digest, f: dict[str, Any]) -> None:
    sheet = _Sheet(book, "核实清单", ["单位", "数据项", "需核实的情况"], f)
    for check in find_checks(d):
        sheet.write([d.unit(check.unit).name, check.question.prompt.zh,
                     check_line(check, "zh")], [None, None, f["text"]])
    sheet.finish({2})
