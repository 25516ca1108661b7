"""The roster: people the province expects, by phone number, read from CSV or Excel.

Columns (Chinese or English headers): 姓名/name, 手机/电话/phone, 单位/unit (code, name or
short name), 角色/role (联络员/省厅联系人/管理员, the older 联系人/协调人, or
contact/coordinator/admin; default contact).
Someone on the roster joins by sharing their own phone number with the bot.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models as m
from storage.invites import role_fits_unit
from storage.joining import roster_phone, stored_forms

HEADERS = {
    "name": {"name", "姓名", "联系人", "联络员"},
    "phone": {"phone", "手机", "电话", "手机号", "联系电话"},
    "unit": {"unit", "单位", "单位代码"},
    "role": {"role", "角色"},
}
ROLES = {"联络员": "contact", "省厅联系人": "coordinator", "联系人": "contact",
         "协调人": "coordinator", "管理员": "admin",
         "contact": "contact", "coordinator": "coordinator", "admin": "admin", "": "contact"}


class RosterError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    phone: str
    unit: str
    role: str


def read_rows(path: Path) -> list[RosterRow]:
    """The roster's rows; `RosterError` for a file that is not a roster at all."""
    try:
        return _read_rows(path)
    except RosterError:
        raise
    except Exception as exc:  # an image, a broken workbook, another encoding...
        raise RosterError([f"不是名单文件（应为 UTF-8 编码的 CSV 或 .xlsx）：{type(exc).__name__}"]
                          ) from None


def _read_rows(path: Path) -> list[RosterRow]:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        assert sheet is not None
        table = [["" if c is None else str(c).strip() for c in row]
                 for row in sheet.iter_rows(values_only=True)]
    else:
        text = path.read_bytes().decode("utf-8-sig")
        table = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    table = [row for row in table if any(row)]
    if not table:
        raise RosterError(["the file is empty"])
    header = [h.lower() for h in table[0]]
    columns: dict[str, int] = {}
    for key, names in HEADERS.items():
        for i, h in enumerate(header):
            if h in names:
                columns[key] = i
    missing = [k for k in ("name", "phone", "unit") if k not in columns]
    if missing:
        raise RosterError([f"missing column(s): {', '.join(missing)}"])

    def cell(row: list[str], key: str) -> str:
        i = columns.get(key)
        return row[i] if i is not None and i < len(row) else ""

    return [RosterRow(line=n, name=cell(r, "name"), phone=cell(r, "phone"),
                      unit=cell(r, "unit"), role=cell(r, "role").lower())
            for n, r in enumerate(table[1:], start=2)]


async def import_roster(session: AsyncSession, rows: list[RosterRow],
                        now: dt.datetime, keep_known: bool = False) -> tuple[int, int]:
    """Add or update each person, in whichever unit of the province's roster; every row is
    checked first, and nothing is written if any row is wrong. Returns (added, updated).
    `keep_known`: someone already known by the number is left as they are (a roster file
    read at every `init` must not undo a move or a deactivation)."""
    units = list(await session.scalars(select(m.Unit).where(m.Unit.retired_at.is_(None))))
    by_key = {key: u for u in units for key in (u.code, u.name, u.short_name)}
    problems: list[str] = []
    planned: list[tuple[RosterRow, m.Unit, str, str]] = []
    for row in rows:
        unit = by_key.get(row.unit)
        role = ROLES.get(row.role)
        phone = roster_phone(row.phone)
        if not row.name:
            problems.append(f"line {row.line}: the name is empty")
        if len(phone) < 9:
            problems.append(f'line {row.line}: "{row.phone}" is not a phone number')
        if unit is None:
            problems.append(f'line {row.line}: unknown unit "{row.unit}"')
        if role is None:
            problems.append(f'line {row.line}: unknown role "{row.role}"')
        if unit is not None and role is not None:
            if not role_fits_unit(m.Role(role), unit):
                problems.append(f"line {row.line}: a {role} cannot belong to {unit.code}")
            planned.append((row, unit, role, phone))
    if problems:
        raise RosterError(problems)
    added = updated = 0
    for row, unit, role, phone in planned:
        existing = await session.scalar(select(m.Person).where(
            m.Person.phone.in_(stored_forms(phone)), m.Person.unit_id.in_([u.id for u in units])))
        if existing is not None and keep_known:
            continue
        if existing is None:
            session.add(m.Person(name=row.name, phone=phone, unit_id=unit.id, role=role,
                                  created_at=now))
            added += 1
        else:
            existing.name, existing.unit_id, existing.role = row.name, unit.id, role
            existing.active = True
            updated += 1
    await session.flush()
    return added, updated
