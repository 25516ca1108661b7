"""What the report forwarded upstream says, worked out from a round's digest (pure).

Nothing in it is invented: the overview is drafted only from the stored figures (each
sentence names the totals and how many units they cover), each section part opens with
what most units chose on the form, then gives each unit's text shortened at a sentence's
end (the full texts are annex 2). Internal material (units missing or late, values to
verify, people and phones, form wording such as （可多选）) is not here: it is in the check
sheet (reporting/check_sheet.py). Laid out by reporting/report_docx.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from reporting.answers import option_label
from reporting.campaign import Question, QuestionType
from reporting.digest import Digest, FigureRow, FileEntry, written_unit
from reporting.digest_chart import chart_plan
from texts.dates import full_date
from texts.text import clean_text

SHORT = 120  # characters of a unit's text in the body; the whole text is annex 2
FORM_WORDING = re.compile(r"[（(]\s*(可多选|多选|单选|可选)\s*[）)]|[（(]累计[）)]")
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class UnitText:
    label: str  # 沈阳市商务局：
    text: str


@dataclass(frozen=True)
class FullText:
    label: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Photo:
    content: bytes
    caption: str  # 图2　大连市商务局：典型案例的照片或材料


@dataclass(frozen=True)
class Part:
    heading: str  # 一、活动特点
    lead: str | None
    units: list[UnitText]
    photos: list[Photo] = field(default_factory=list)
    full: list[FullText] = field(default_factory=list)


@dataclass(frozen=True)
class Annex:
    number: str  # 附件1
    title: str
    kind: str  # figures, texts, files
    listed: str  # how the body lists it: 附件：1.各单位主要数据


@dataclass(frozen=True)
class Column:
    heading: str  # 活动期间网络零售额（万元）
    cells: list[str]  # one per unit, fixed decimals; — where blank
    total: str


@dataclass(frozen=True)
class ReportContent:
    title: str
    recipient: str
    overview: list[str]
    parts: list[Part]
    annexes: list[Annex]
    signature: str
    date: str
    contact: str
    units: list[str]  # the rows of the figures table
    columns: list[Column]
    files: list[str]  # 大连：活动方案.pdf（典型案例的照片或材料）
    chart_caption: str
    figure_notes: list[str]


def plain_prompt(question: Question) -> str:
    """A question's words without the form's instructions: 已开展的主要活动."""
    return FORM_WORDING.sub("", clean_text(question.prompt.zh)).strip()


def decimals(question: Question) -> int:
    return 0 if question.type is QuestionType.INTEGER else 2


def fixed(value: Decimal, places: int) -> str:
    """`1534535.5` → `1,534,535.50`: thousands separated, a fixed number of decimals."""
    step = Decimal(1).scaleb(-places)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP):,.{places}f}"


def spoken_amount(total: Decimal, question: Question) -> str:
    """A total as an official text writes it: `2.80亿元`, `1,414家`, `3,560.50万元`."""
    unit = question.unit.zh if question.unit else ""
    value, written = written_unit(total, unit)
    if written != unit:
        return f"{fixed(value, 2)}{written}"
    return f"{fixed(total, decimals(question))}{unit}"


def report_content(d: Digest, images: set[tuple[str, str, str]] | None = None) -> ReportContent:
    """The report of digest `d`. `images`: the (unit, question, name) of the files that
    can be placed as pictures (the renderer checks them); the others are listed."""
    campaign = d.campaign
    placeable = images if images is not None else {
        (f.unit, f.question, f.name) for f in d.files if f.is_image}
    parts = _parts(d, placeable)
    files = [f"{d.unit(f.unit).short}：{clean_text(f.name)}（{plain_prompt(q)}）"
             for f in d.files if (f.unit, f.question, f.name) not in placeable
             for q in [_question(d, f.question)]]
    annexes = [("figures", "各单位主要数据")]
    if any(p.full for p in parts):
        annexes.append(("texts", "各单位报送原文"))
    if files:
        annexes.append(("files", "其他附件材料清单"))
    listed = []
    for i, (kind, title) in enumerate(annexes, 1):
        lead = "附件：" if i == 1 else "　　　"
        listed.append(Annex(number=f"附件{i}", title=title, kind=kind,
                            listed=f"{lead}{i}.{title}"))
    as_of = d.as_of.astimezone(campaign.zone).date()
    return ReportContent(
        title=campaign.report_title(d.round_code),
        recipient=f"{campaign.report.recipient}：" if campaign.report.recipient else "",
        overview=_overview(d), parts=parts, annexes=listed,
        signature=campaign.signature, date=full_date(as_of),
        contact=clean_text(campaign.report.contact or ""),
        units=[u.short for u in d.units], columns=[_column(d, f) for f in d.figures],
        files=files, chart_caption=_chart_caption(d), figure_notes=_notes(d))


def _question(d: Digest, question_id: str) -> Question:
    return next(q for q in d.campaign.questions_for(d.round_code) if q.id == question_id)


def _overview(d: Digest) -> list[str]:
    reported = len(d.submissions)
    if not reported:
        return ["截至目前，尚无单位报送本阶段情况。"]
    first = f"{len(d.units)}个单位中，{reported}个单位报送了本阶段工作情况。" \
        if reported < len(d.units) else f"全部{reported}个单位报送了本阶段工作情况。"
    parts_of: dict[str, list[FigureRow]] = {}
    for fig in d.figures:
        if fig.question.part_of and fig.covered:
            parts_of.setdefault(fig.question.part_of, []).append(fig)
    clauses = []
    for fig in d.figures:
        if not fig.covered or fig.question.part_of in {f.question.id for f in d.figures
                                                        if f.covered}:
            continue  # blank everywhere, or said with its whole below
        clause = f"{plain_prompt(fig.question)}合计{spoken_amount(fig.total, fig.question)}"
        if fig.covered < reported:
            clause += f"（{fig.covered}个单位填报）"
        inner = [f"{plain_prompt(p.question)}{spoken_amount(p.total, p.question)}"
                 + (f"（{p.covered}个单位填报）" if p.covered < reported else "")
                 for p in parts_of.get(fig.question.id, [])]
        if inner:
            clause += "，其中" + "、".join(inner)
        clauses.append(clause)
    second = f"据各单位报送，{'；'.join(clauses)}。" if clauses else ""
    return [first + second]


def _choices_lead(d: Digest) -> str | None:
    """What most units chose on the form: 已开展的主要活动：电商直播带货（14个单位）、……"""
    sentences = []
    reported = len(d.submissions)
    for q, answered in d.others:
        if q.type is not QuestionType.MULTI_CHOICE or not answered:
            continue
        counts = {o.id: 0 for o in q.options}
        for _, value in answered:
            for chosen in value if isinstance(value, list) else []:
                if chosen in counts:
                    counts[chosen] += 1
        common = [(o, n) for o, n in counts.items() if n * 2 >= reported and n]
        if common:
            common.sort(key=lambda item: -item[1])
            sentences.append(f"{plain_prompt(q)}：" + "、".join(
                f"{option_label(q, o, 'zh')}（{n}个单位）" for o, n in common) + "。")
    return "".join(sentences) or None


def _shortened(text: str) -> str:
    """The unit's text up to a sentence's end within SHORT characters (or cut there)."""
    flat = " ".join(line.strip() for line in clean_text(text).splitlines() if line.strip())
    if len(flat) <= SHORT:
        return flat
    kept = ""
    for sentence in SENTENCE_END.split(flat):
        if len(kept) + len(sentence) > SHORT:
            break
        kept += sentence
    return (kept or flat[:SHORT]).rstrip("；;，,") + "……"


def _parts(d: Digest, placeable: set[tuple[str, str, str]]) -> list[Part]:
    """One part per report section; each attachment question's pictures go under the
    section it follows in the form (or a part of its own if none comes before it)."""
    questions = d.campaign.questions_for(d.round_code)
    answers = {q.id: answered for q, answered in d.sections}
    owner: dict[str, str] = {}  # attachment question → the section it follows
    section = None
    for q in questions:
        if q.section:
            section = q.id
        elif q.type is QuestionType.ATTACHMENT:
            owner[q.id] = section or q.id
    photos: dict[str, list[FileEntry]] = {}
    for f in d.files:
        if (f.unit, f.question, f.name) in placeable:
            photos.setdefault(owner.get(f.question, f.question), []).append(f)
    numbered = [q for q in questions if q.section or (q.type is QuestionType.ATTACHMENT
                                                      and owner.get(q.id) == q.id
                                                      and photos.get(q.id))]
    parts, figure = [], 2  # 图1 is the chart
    lead = _choices_lead(d)
    for i, q in enumerate(numbered):
        heading = f"{NUMERALS[i] if i < 10 else i + 1}、{plain_prompt(q)}"
        answered = answers.get(q.id, [])
        units = [UnitText(label=f"{u.name}：", text=_shortened(text)) for u, text in answered]
        full = [FullText(label=u.name, paragraphs=[p.strip() for p in
                                                   clean_text(text).splitlines() if p.strip()])
                for u, text in answered]
        placed = []
        for f in photos.get(q.id, []):
            question = _question(d, f.question)
            words = clean_text(f.caption).strip() if f.caption else plain_prompt(question)
            placed.append(Photo(content=f.content, caption=(
                f"图{figure}　{d.unit(f.unit).name}：{words}")))
            figure += 1
        if not units and not placed:
            units = [UnitText(label="", text="各单位未报送本部分内容。")]
        parts.append(Part(heading=heading, lead=lead if i == 0 else None, units=units,
                          photos=placed, full=full))
    return parts


def _column(d: Digest, fig: FigureRow) -> Column:
    q, places = fig.question, decimals(fig.question)
    unit = q.unit.zh if q.unit else ""
    cells = ["—" if (v := fig.values.get(u.code)) is None else fixed(v, places)
             for u in d.units]
    total = fixed(fig.total, places) if fig.covered else "—"
    return Column(heading=f"{plain_prompt(q)}（{unit}）" if unit else plain_prompt(q),
                  cells=cells, total=total)


def _notes(d: Digest) -> list[str]:
    """Under the table: what a dash means, and the large sums as people say them."""
    notes = ["注：“—”表示未填报，合计为已填报单位之和。"]
    large = [f"{plain_prompt(f.question)}合计{spoken_amount(f.total, f.question)}"
             for f in d.figures if f.question.unit
             and written_unit(f.total, f.question.unit.zh)[1] != f.question.unit.zh]
    if large:
        notes.append("其中，" + "，".join(large) + "。")
    return notes


def _chart_caption(d: Digest) -> str:
    plan = chart_plan(d)
    return "" if plan is None else f"图1　各单位{plan.name}（{plan.measure}）"
