"""Files packed for the province: one zip, a folder per unit, small enough to send through
Telegram (50 MB a file), or several when they are not."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from texts.text import clean_text

SEND_LIMIT = 45 * 1024 * 1024  # under Telegram's 50 MB, with room for the zip's own bytes


@dataclass(frozen=True)
class Packed:
    name: str
    content: bytes
    files: int


def pack(stem: str, files: list[tuple[str, str, bytes]],
         limit: int = SEND_LIMIT) -> list[Packed]:
    """(unit, file name, content) into `stem.zip`, or `stem_1.zip`, `stem_2.zip`, … when
    one would pass `limit`; names kept, made safe, a repeated name numbered."""
    groups: list[list[tuple[str, bytes]]] = [[]]
    size = 0
    seen: set[str] = set()
    for unit, name, content in files:
        path = _unique(f"{_safe(unit)}/{_safe(name) or 'file'}", seen)
        if groups[-1] and size + len(content) > limit:
            groups.append([])
            size = 0
        groups[-1].append((path, content))
        size += len(content)
    if not groups[-1]:
        return []
    out = []
    for i, group in enumerate(groups, 1):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, content in group:
                archive.writestr(path, content)
        name = f"{stem}.zip" if len(groups) == 1 else f"{stem}_{i}.zip"
        out.append(Packed(name=name, content=buffer.getvalue(), files=len(group)))
    return out


def _safe(name: str) -> str:
    """A file or folder name with no path in it: `../../etc/x` → `x`."""
    cleaned = clean_text(name).replace("\\", "/")
    return "".join(c for c in PurePosixPath(cleaned).name if c not in ':*?"<>|').strip(". ")


def _unique(path: str, seen: set[str]) -> str:
    stem, dot, ext = path.rpartition(".")
    if not dot or "/" in ext:
        stem, ext = path, ""
    candidate, n = path, 1
    while candidate in seen:
        n += 1
        candidate = f"{stem}（{n}）.{ext}" if ext else f"{path}（{n}）"
    seen.add(candidate)
    return candidate
