"""A unit's report as a Word file, split into the report's sections by their headings.

`一、活动特点` or `（三）典型案例` starts a section; the text up to the next heading is its
answer. Text outside any known heading is kept whole, in the first section, so nothing the
unit wrote is dropped; if no heading matches, the whole text goes there.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document

from texts.text import clean_text

_NUMBERING = re.compile(r"^[\s（(]*([一二三四五六七八九十]+|\d+)[\s、.．)）]*")
MAX_HEADING = 24


def _core(text: str) -> str:
    """`四、存在的不足：` → `存在不足`: numbering, colons and 的 away."""
    return _NUMBERING.sub("", text).strip().rstrip("：:").strip().replace("的", "")


def _heading_for(text: str, sections: list[tuple[str, str]]) -> str | None:
    core = _core(text)
    if not core or len(core) > MAX_HEADING:
        return None
    for section_id, heading in sections:
        title = heading.replace("的", "")
        short = title.removeprefix("活动") if len(title) > 2 else title
        if core in (title, short) or core.endswith(short) or title in core:
            return section_id
    return None


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


def paragraphs(content: bytes) -> list[str]:
    """The document's non-empty paragraphs, after `check_size`. Anything python-docx or
    lxml cannot read (broken XML, nesting deeper than lxml allows, a missing part) is an
    `UnreadableWordFile`, never an error of the bot's."""
    check_size(content)
    try:
        document = Document(io.BytesIO(content))
        return [text for p in document.paragraphs if (text := clean_text(p.text).strip())]
    except Exception as exc:  # hostile input: every way of failing means "unreadable"
        raise UnreadableWordFile() from exc


def split_sections(lines: list[str], sections: list[tuple[str, str]]) -> dict[str, str]:
    """`{section_id: text}` for each section found; see the module's docstring."""
    if not sections:
        return {}
    found: dict[str, list[str]] = {}
    rest: list[str] = []
    current: str | None = None
    for text in lines:
        heading = _heading_for(text, sections)
        if heading is not None:
            current = heading
            found.setdefault(heading, [])
            continue
        (found[current] if current is not None else rest).append(text)
    first = sections[0][0]
    if rest:
        found[first] = rest + found.get(first, [])
    return {sid: "\n".join(lines) for sid, lines in found.items() if lines}
