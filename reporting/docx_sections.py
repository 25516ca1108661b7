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


def paragraphs(content: bytes) -> list[str]:
    try:
        document = Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValueError("not a readable .docx file") from exc
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


def split_sections(content: bytes, sections: list[tuple[str, str]]) -> dict[str, str]:
    """`{section_id: text}` for each section found; see the module's docstring."""
    if not sections:
        return {}
    found: dict[str, list[str]] = {}
    rest: list[str] = []
    current: str | None = None
    for text in paragraphs(content):
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
