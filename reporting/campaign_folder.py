"""Every campaign the bot serves: the campaign files of one folder (`CAMPAIGNS_DIR`), each
checked, then checked against each other, since their units are one roster. A file that a
campaign names as its `roster:` is the roster (reporting/roster_file.py), not a campaign.

One roster means a unit code names the same unit in every file: the same name and short
name, a city in all of them or the province in all of them. Two files may not use the same
campaign code. A folder with a problem anywhere is refused whole, every problem listed by
file and place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reporting.campaign import Campaign, Unit
from reporting.campaign_file import CampaignFileError, load_campaign

DEFAULT_CAMPAIGNS_DIR = Path(__file__).parent / "campaigns"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class CampaignSource:
    """A campaign and the file it was read from."""

    path: Path
    campaign: Campaign


def campaign_files(folder: Path) -> list[Path]:
    """The folder's campaign files, by name; `CampaignFileError` for a folder without any."""
    if not folder.is_dir():
        raise CampaignFileError(folder, ["is not a folder"])
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    if not paths:
        raise CampaignFileError(folder, ["has no campaign file (*.yaml)"])
    return paths


def load_campaigns(paths: list[Path], where: Path | None = None) -> list[CampaignSource]:
    """Each file read and checked, then the files against each other. One file's problems
    are raised as they are; several files' under `where` (the folder), by file."""
    sources: list[CampaignSource] = []
    errors: list[CampaignFileError] = []
    rosters = _rosters(paths)
    for path in [p for p in paths if p.resolve() not in rosters]:
        try:
            sources.append(CampaignSource(path, load_campaign(path)))
        except CampaignFileError as exc:
            errors.append(exc)
    if len(paths) == 1 and errors:
        raise errors[0]
    problems = [f"{e.path.name}: {p}" for e in errors for p in e.problems]
    if not errors:
        problems += _disagreements(sources)
    if problems:
        raise CampaignFileError(where or paths[0].parent, problems)
    return sources


ROSTER_LINE = re.compile(r"^roster:[ \t]*['\"]?([^'\"#\n]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


def _rosters(paths: list[Path]) -> set[Path]:
    """The files among `paths` that a campaign names as its `roster:` (a top-level line
    of its own, as campaign files write it): rosters, not campaigns. Read from the text,
    not parsed: every file is parsed once, as a campaign or as a roster."""
    found = set()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # reported when it is loaded as a campaign
            continue
        found |= {(path.parent / name.strip()).resolve() for name in ROSTER_LINE.findall(text)}
    return found


def _disagreements(sources: list[CampaignSource]) -> list[str]:
    """Where the files contradict each other about the roster or the campaigns' codes."""
    problems: list[str] = []
    codes: dict[str, Path] = {}
    units: dict[str, tuple[Unit, bool, Path]] = {}
    for source in sources:
        campaign, name = source.campaign, source.path.name
        if campaign.code in codes:
            problems.append(f"{name}: code: {campaign.code} is the code of "
                            f"{codes[campaign.code].name} too")
        codes.setdefault(campaign.code, source.path)
        listed = [(u, False, f"units[{i}]") for i, u in enumerate(campaign.units)]
        for unit, is_province, place in [*listed, (campaign.province, True, "province")]:
            first = units.setdefault(unit.code, (unit, is_province, source.path))
            other, was_province, other_path = first
            if other_path == source.path:
                continue
            if was_province != is_province:
                problems.append(f"{name}: {place}: {unit.code} is "
                                f"{'the province' if was_province else 'a unit'} in "
                                f"{other_path.name}")
            elif (other.name, other.short_name) != (unit.name, unit.short_name):
                problems.append(f"{name}: {place}: {unit.code} is {other.name}"
                                f"（{other.short_name}） in {other_path.name}, "
                                f"{unit.name}（{unit.short_name}） here")
    zones = {s.campaign.timezone for s in sources}
    if len(zones) > 1:
        problems.append("timezone: the files use different time zones ("
                        + ", ".join(sorted(zones)) + "); one province keeps one time")
    provinces = {s.campaign.province.code for s in sources}
    if len(provinces) > 1:
        problems.append("province: the files name different provinces ("
                        + ", ".join(sorted(provinces)) + "); one bot serves one province")
    return problems
