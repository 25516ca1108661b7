"""Everything a digest is made of, rendered: chat parts, the Word file, the workbook."""

from __future__ import annotations

from dataclasses import dataclass

from reporting.digest import Digest
from reporting.digest_docx import digest_docx
from reporting.digest_text import digest_text
from reporting.digest_xlsx import digest_xlsx

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RenderedDigest:
    parts: list[str]
    docx: bytes
    xlsx: bytes
    stem: str

    @property
    def docx_name(self) -> str:
        return f"{self.stem}.docx"

    @property
    def xlsx_name(self) -> str:
        return f"{self.stem}.xlsx"


def render_all(digest: Digest, lang: str = "zh") -> RenderedDigest:
    stem = f"{digest.campaign.name.zh}_{digest.round_title}汇总".replace(" ", "")
    if digest.provisional:
        stem += "_截至" + digest.as_of.astimezone(digest.campaign.zone).strftime("%m%d%H%M")
    return RenderedDigest(parts=digest_text(digest, lang), docx=digest_docx(digest),
                          xlsx=digest_xlsx(digest), stem=stem)
