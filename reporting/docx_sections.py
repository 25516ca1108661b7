"""A unit's report as a Word file, split into the report's sections by their headings.

A heading is a section's name, or one of the names people give it (`主要做法` for 活动特点,
`存在的问题` for 存在不足, `下一步工作打算` for 改进建议: the campaign file's `headings`),
numbered in any common way: `一、` `（一）` `1.` `1、` `第一，` `第一部分`. The text up to the
next heading is its answer. What comes before the first heading is the letter's preamble:
the title (`关于……的报告`), the 主送 line (`省商务厅：`) and the opening formula
(`现将……报告如下：`) are dropped, and so are a signature and a date at the end; any other
text there is kept, in the first section, so nothing the unit wrote is lost.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from texts.text import clean_text

_NUMBERING = re.compile(
    r"^[\s（(]*(第?[一二三四五六七八九十]+(?:部分|是)?|\d+)[\s、.．)）,，:：]*")
MAX_HEADING = 24
_TITLE = re.compile(r"^(.{0,40}关于.{0,60}|[^，。；]{0,40})(报告|情况|总结|汇报)$")
_FORMULA = re.compile(r"(如下|报告如下|汇报如下|总结如下)[：:。]?$")
_ADDRESSEE = re.compile(r"^[^，。；]{2,30}[：:]$")
_DATE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_SIGNATURE = re.compile(r"^[^，。；：:]{2,20}(局|厅|委|委员会|办公室|部门|示范区|政府)$")


def _core(text: str) -> str:
    """`四、存在的不足：` → `存在不足`: numbering, colons and 的 away."""
    return _NUMBERING.sub("", text).strip().rstrip("：:。").strip().replace("的", "")


Section = tuple[str, str] | tuple[str, str, list[str]]  # id, name[, other headings]


def _names(section: Section) -> list[str]:
    names = [section[1], *(section[2] if len(section) > 2 else [])]  # type: ignore[misc]
    out = []
    for name in names:
        core = name.replace("的", "")
        out.append(core)
        if core.startswith("活动") and len(core) > 2:
            out.append(core.removeprefix("活动"))
    return out


def _heading_for(text: str, sections: list[Section]) -> str | None:
    """The section `text` heads, if it is a heading: an exact name first, then the
    longest name it ends with or contains (`五、下一步工作建议` is 改进建议's, by 工作建议)."""
    if len(text) > MAX_HEADING + 8:
        return None
    core = _core(text)
    if not core or len(core) > MAX_HEADING:
        return None
    for section in sections:
        if core in _names(section):
            return section[0]
    numbered = bool(_NUMBERING.match(text).group(1)) if _NUMBERING.match(text) else False
    if any(mark in core for mark in "，。；,;") or not (numbered or len(core) <= 8):
        return None  # a sentence that mentions 成效 is no heading
    best: tuple[int, str] | None = None
    for section in sections:
        for name in _names(section):
            fits = len(name) >= 2 and (core.endswith(name) or name in core)
            if fits and (best is None or len(name) > best[0]):
                best = (len(name), section[0])
    return best[1] if best else None


def _preamble(text: str, first: bool) -> bool:
    """A line of the letter around the report, not of the report."""
    return bool((first and _TITLE.match(text)) or _ADDRESSEE.match(text)
                or _FORMULA.search(text))


class UnreadableWordFile(ValueError):
    """A file that is not a Word document we can read: broken, or too big once unpacked."""

    def __init__(self, too_big: bool = False):
        super().__init__("too big once unpacked" if too_big else "not a readable .docx file")
        self.too_big = too_big


# Bounds on what a Word file may unpack to. A city's report of 20 pages is about 0.5 MB of
# document.xml and a few hundred paragraphs; a bomb of under 1 MB unpacks to hundreds.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
MAX_PARAGRAPHS = 20_000
MAX_MEMBERS = 2_000
_CHUNK = 64 * 1024
_PARAGRAPH = re.compile(rb"<w:p[\s/>]")  # <w:p>, <w:p w:rsidR=...>, <w:p/>


def check_size(content: bytes) -> None:
    """Refuse a file whose parts unpack past the bounds above, before anything parses it,
    in bounded memory: sizes come from the zip's directory (the reader never yields more
    than a member declares), and document.xml is streamed to count its paragraphs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableWordFile() from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise UnreadableWordFile(too_big=True)
        try:
            document = archive.getinfo("word/document.xml")
        except KeyError as exc:
            raise UnreadableWordFile() from exc
        if document.file_size > MAX_DOCUMENT_BYTES:
            raise UnreadableWordFile(too_big=True)
        paragraphs = 0
        tail = b""
        try:
            with archive.open(document) as stream:
                while chunk := stream.read(_CHUNK):
                    # A tag is 5 bytes: one cut by the chunk's edge is found in the window
                    # of the last 4 bytes and the new chunk, and none is counted twice.
                    window = tail + chunk
                    paragraphs += len(_PARAGRAPH.findall(window))
                    tail = window[-4:]
                    if paragraphs > MAX_PARAGRAPHS:
                        raise UnreadableWordFile(too_big=True)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            if isinstance(exc, UnreadableWordFile):
                raise
            raise UnreadableWordFile() from exc


@dataclass(frozen=True)
class WordText:
    paragraphs: list[str]  # the non-empty paragraphs, in order
    tables: list[list[list[str]]]  # each table's rows of cell texts


MAX_TABLE_CELLS = 2_000  # a report's figure table has dozens


def read_word(content: bytes) -> WordText:
    """The document's text, after `check_size`. Anything python-docx or lxml cannot read
    (broken XML, nesting deeper than lxml allows, a missing part) is an
    `UnreadableWordFile`, never an error of the bot's."""
    check_size(content)
    try:
        from docx import Document  # loaded with the first Word file, not at start-up

        document = Document(io.BytesIO(content))
        lines = [text for p in document.paragraphs if (text := clean_text(p.text).strip())]
        tables, cells = [], 0
        for table in document.tables:
            rows = []
            for row in table.rows:
                texts = [clean_text(cell.text).strip() for cell in row.cells]
                cells += len(texts)
                if cells > MAX_TABLE_CELLS:
                    break
                rows.append(texts)
            tables.append(rows)
        return WordText(paragraphs=lines, tables=tables)
    except Exception as exc:  # hostile input: every way of failing means "unreadable"
        raise UnreadableWordFile() from exc


def paragraphs(content: bytes) -> list[str]:
    """The document's non-empty paragraphs (see `read_word`)."""
    return read_word(content).paragraphs


_LABEL_NOISE = re.compile(r"[（(][^）)]*[）)]|\s|[:：]")


def _label(text: str) -> str:
    """`活动期间网络零售额（累计，万元）：` → `活动期间网络零售额`."""
    return _LABEL_NOISE.sub("", _NUMBERING.sub("", text))


def figures_in(tables: list[list[list[str]]],
               figures: list[tuple[str, str]]) -> dict[str, str]:
    """`{question id: the cell's text}` for each figure a table gives: a row whose first
    cell names it (and a later cell holds a number), or a header row naming it above a
    single row of values. The names match without their brackets (（累计）, （万元）)."""
    names = {_label(name): qid for qid, name in figures}

    def question_of(label: str) -> str | None:
        """An exact name, or the one name that ends with the label (网络零售额 alone is
        活动期间网络零售额 only if no other figure ends so)."""
        core = _label(label)
        if core in names:
            return names[core]
        ending = {qid for name, qid in names.items() if len(core) >= 4 and name.endswith(core)}
        return ending.pop() if len(ending) == 1 else None

    found: dict[str, str] = {}

    def number(text: str) -> bool:
        return bool(re.search(r"\d|[一二三四五六七八九十百千万亿]", text)) and len(text) <= 40

    for rows in tables:
        for row in rows:  # label | value
            qid = question_of(row[0]) if row else None
            value = next((c for c in row[1:] if number(c)), None) if qid else None
            if qid and value and qid not in found:
                found[qid] = value
        if len(rows) == 2:  # labels above, values below
            for label, value in zip(rows[0], rows[1], strict=False):
                qid = question_of(label)
                if qid and number(value) and qid not in found:
                    found[qid] = value
    return found


def split_sections(lines: list[str], sections: list[Section]) -> dict[str, str]:
    """`{section_id: text}` for each section found; see the module's docstring."""
    if not sections:
        return {}
    while lines and (_DATE.match(lines[-1]) or _SIGNATURE.match(lines[-1])):
        lines = lines[:-1]  # the signature and the date under the letter
    found: dict[str, list[str]] = {}
    rest: list[str] = []
    current: str | None = None
    for i, text in enumerate(lines):
        heading = _heading_for(text, sections)
        if heading is not None:
            current = heading
            found.setdefault(heading, [])
            continue
        if current is None and _preamble(text, first=i == 0):
            continue
        (found[current] if current is not None else rest).append(text)
    first = sections[0][0]
    if rest:
        found[first] = rest + found.get(first, [])
    return {sid: "\n".join(lines) for sid, lines in found.items() if lines}
