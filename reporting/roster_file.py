"""The province's roster in a file of its own, for campaign files to share: the province
and its units, each with the names and phones of the people who report for it.

    province: {code: province, name: 辽宁省商务厅电子商务处, short: 省商务厅,
               reporters: [{name: 杜四龙, phone: "024-86890383"}]}
    units:
      - {code: shenyang, name: 沈阳市商务局, short: 沈阳,
         reporters: [{name: 王磊, phone: "138 0000 0001"}]}

A campaign file says `roster: 名单.yaml` (a path beside it); its `units:` may then list only
codes (the units taking part), or be left out (every unit of the roster). Names come from
the roster alone, so they cannot disagree between campaigns. Reporters are added at `init`
to the people who may join by sharing their phone number (the province's as 省厅联系人);
someone already known by that number is left as they are."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from reporting.campaign import Unit
from reporting.campaign_fields import Strict
from reporting.file_reading import BoundedLoader, located_problems


class Reporter(Strict):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=1, max_length=32)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any) -> str:
        text = str(value).strip()
        if len(re.sub(r"\D", "", text)) < 7 or re.search(r"[^\d\s+()-]", text):
            raise ValueError(f'"{text[:32]}" is not a phone number')
        return text


class RosterUnit(Unit):
    reporters: list[Reporter] = Field(default_factory=list)

    def unit(self) -> dict[str, Any]:
        """As a campaign file writes the unit."""
        return {"code": self.code, "name": self.name, "short": self.short}


class Roster(Strict):
    province: RosterUnit
    units: list[RosterUnit] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_once(self) -> Roster:
        codes = [u.code for u in self.units]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"units: the code(s) {', '.join(twice)} appear more than once")
        if self.province.code in codes:
            raise ValueError(f'province.code: "{self.province.code}" is also a unit code')
        return self

    def by_code(self) -> dict[str, RosterUnit]:
        return {u.code: u for u in [*self.units, self.province]}


def read_roster(path: Path) -> Roster:
    """The roster file; `ValueError` with every problem, by place, for one that is not."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=BoundedLoader)
    except OSError as exc:
        raise ValueError(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} is not a roster file: {type(exc).__name__}") from None
    try:
        return Roster.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(f"{path.name}: {p}" for p in located_problems(exc))) from None


def with_roster(data: dict[str, Any], campaign_path: Path) -> tuple[dict[str, Any], list[str]]:
    """The campaign's `roster:` resolved: its province and units taken from the roster
    file (all of them, or the codes it lists). Returns the data and the problems."""
    data = dict(data)
    name = data.pop("roster")
    if not isinstance(name, str) or not name.strip():
        return data, ["roster: the name of a roster file beside this one"]
    path = (campaign_path.parent / name).resolve()
    try:
        roster = read_roster(path)
    except ValueError as exc:
        return data, [f"roster: {exc}"]
    data["roster_file"] = str(path)
    units, problems = roster.by_code(), []
    given = data.get("province")
    if given is not None and (not isinstance(given, dict)
                              or given.get("code") != roster.province.code):
        problems.append(f"province: the roster's province is {roster.province.code}")
    data["province"] = roster.province.unit()
    listed = data.get("units")
    if listed is None:
        data["units"] = [u.unit() for u in roster.units]
        return data, problems
    if not isinstance(listed, list):
        return data, [*problems, "units: a list of the roster's unit codes"]
    chosen = []
    for i, entry in enumerate(listed):
        code = entry.get("code") if isinstance(entry, dict) else entry
        if not isinstance(code, str) or code not in units or code == roster.province.code:
            problems.append(f'units[{i}]: "{str(code)[:32]}" is not a unit of {path.name}')
        else:
            chosen.append(units[code].unit())
    data["units"] = chosen
    return data, problems
