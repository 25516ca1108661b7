"""Everything a digest is made of, rendered: the chat parts and three files, each named
alike from chat and from the CLI (the campaign, the round, what it is, and the moment it
was compiled as of):

- the report to forward upstream (Word, reporting/report_docx.py);
- the internal check sheet, never forwarded (Word, reporting/check_sheet.py);
- the workbook of figures, answers, status and checks (Excel, reporting/digest_xlsx.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reporting.digest import Digest
from reporting.digest_text import digest_text

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"report": "报告", "check": "内部核查单", "xlsx": "数据明细"}
UPDATED = "更新版"


@dataclass(frozen=True)
class DigestFile:
    kind: str  # report, check, xlsx
    name: str
    mime: str
    content: bytes


@dataclass(frozen=True)
class RenderedDigest:
    parts: list[str]
    files: list[DigestFile]

    def updated(self) -> RenderedDigest:
        """The same files named as a refreshed version: `…_更新版_截至1月30日10时05分.docx`."""
        return dataclasses.replace(self, files=[dataclasses.replace(
            f, name=f.name.replace(f"_{LABELS[f.kind]}_", f"_{LABELS[f.kind]}_{UPDATED}_", 1))
            for f in self.files])

    def file(self, kind: str) -> DigestFile:
        return next(f for f in self.files if f.kind == kind)


def file_name(digest: Digest, kind: str) -> str:
    """`2021辽宁网上年货节_第一次阶段性活动情况_报告_截至1月29日18时30分.docx`."""
    local = digest.as_of.astimezone(digest.campaign.zone)
    when = f"截至{local.month}月{local.day}日{local.hour:02d}时{local.minute:02d}分"
    stem = "_".join("".join(part.split()) for part in (
        digest.campaign.name.zh, digest.round_title, LABELS[kind], when))
    return f"{stem}.{'xlsx' if kind == 'xlsx' else 'docx'}"


def render_file(digest: Digest, kind: str) -> DigestFile:
    # Word, Excel and the chart are loaded the first time a file is made, not at start-up
    # (a running bot that never makes one stays small).
    from reporting.check_sheet import check_sheet_docx
    from reporting.digest_xlsx import digest_xlsx
    from reporting.report_docx import report_docx

    if kind == "report":
        content, mime = report_docx(digest), DOCX_MIME
    elif kind == "check":
        content, mime = check_sheet_docx(digest), DOCX_MIME
    else:
        content, mime = digest_xlsx(digest), XLSX_MIME
    return DigestFile(kind=kind, name=file_name(digest, kind), mime=mime, content=content)


def render_all(digest: Digest, lang: str = "zh") -> RenderedDigest:
    return RenderedDigest(parts=digest_text(digest, lang),
                          files=[render_file(digest, kind) for kind in LABELS])
