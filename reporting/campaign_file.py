"""Reading a campaign file: YAML in, a validated `Campaign` out, or every problem by place."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reporting.campaign import Campaign
from reporting.file_reading import BoundedLoader, located_problems
from reporting.recurrence import Recurrence, expand
from reporting.roster_file import with_roster
from reporting.workdays import all_days, chinese_workday

DEFAULT_CAMPAIGN_FILE = Path(__file__).parent / "campaigns" / "liaoning-2021.yaml"


class CampaignFileError(Exception):
    """The file cannot be used; `problems` lists each one as `place: what`."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def load_campaign(path: Path | str) -> Campaign:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CampaignFileError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    return with_report_template(parse_campaign(text, path), path)


def with_report_template(campaign: Campaign, path: Path) -> Campaign:
    """The campaign with its report template (`report.template`, beside the file) found and
    checked: a missing or broken template is a located problem now, not a failed digest
    at the deadline."""
    name = campaign.report.template
    if not name:
        return campaign
    from reporting.report_docx import check_template  # Word is loaded only for a template

    template = (path.parent / name).resolve()
    try:
        content = template.read_bytes()
    except OSError as exc:
        raise CampaignFileError(path, [f"report.template: {template} cannot be read: "
                                       f"{exc.strerror or exc}"]) from None
    problems = check_template(content, str(template))
    if problems:
        raise CampaignFileError(path, [f"report.template: {p}" for p in problems])
    return campaign.model_copy(update={"report": campaign.report.model_copy(
        update={"template": str(template)})})


def parse_campaign(text: str, path: Path | str = "<campaign>") -> Campaign:
    path = Path(path)
    try:
        data = yaml.load(text, Loader=BoundedLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "YAML"
        raise CampaignFileError(path, [f"{where}: {getattr(exc, 'problem', None) or exc}"]
                                ) from None
    except RecursionError:
        raise CampaignFileError(path, ["YAML: nested too deeply"]) from None
    if not isinstance(data, dict):
        raise CampaignFileError(path, ["the file must be a mapping of campaign fields"])
    if "roster" in data:
        data, problems = with_roster(data, path)
        if problems:
            raise CampaignFileError(path, problems)
    if "recurrence" in data:
        data = _with_recurrence(data, path)
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(path, located_problems(exc)) from None


def _with_recurrence(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The file's `recurrence:` written out as the rounds (and upstream deadlines) it
    stands for; `period` defaults to the span they cover."""
    data = dict(data)
    given = data.pop("recurrence")
    if data.get("rounds"):
        raise CampaignFileError(path, ["recurrence: a campaign lists its rounds or declares "
                                       "a recurrence, not both"])
    try:
        recurrence = Recurrence.model_validate(given)
        workday = chinese_workday if data.get("holidays", "china") == "china" else all_days
        rounds, upstream, period = expand(recurrence, workday)
    except ValidationError as exc:
        raise CampaignFileError(path, located_problems(exc, "recurrence")) from None
    except ValueError as exc:
        raise CampaignFileError(path, [f"recurrence: {exc}"]) from None
    data["rounds"] = rounds
    data["upstream"] = [*(data.get("upstream") or []), *upstream]
    data.setdefault("period", period)
    return data


def campaign_fingerprint(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
