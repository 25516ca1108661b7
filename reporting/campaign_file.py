"""Reading a campaign file: YAML in, a validated `Campaign` out, or every problem by place."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reporting.campaign import Campaign, CampaignProblems
from reporting.recurrence import Recurrence, expand
from reporting.workdays import all_days, chinese_workday

DEFAULT_CAMPAIGN_FILE = Path(__file__).parent / "campaigns" / "liaoning-2021.yaml"


class CampaignFileError(Exception):
    """The file cannot be used; `problems` lists each one as `place: what`."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


MAX_NODES = 200_000  # a province's file has a few hundred, 3,000 units some 25,000; anchors
# must not multiply them


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps, so a bad date is reported, not a crash; and with
    a bound on what anchors expand to (a "billion laughs" file is refused, not expanded)."""

    def compose_document(self):  # type: ignore[no-untyped-def]
        node = super().compose_document()
        if _expanded_size(node, {}) > MAX_NODES:
            raise yaml.YAMLError(f"anchors and aliases expand to more than {MAX_NODES} values")
        return node


def _expanded_size(node: yaml.Node, seen: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is expanded (each shared node
    is counted once per use, measured once)."""
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = MAX_NODES + 1  # a cycle counts as too many
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, seen)
            if size > MAX_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, seen) + _expanded_size(value, seen)
            if size > MAX_NODES:
                break
    seen[id(node)] = size
    return size


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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
        data = yaml.load(text, Loader=_Loader)
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
        from reporting.roster_file import with_roster

        data, problems = with_roster(data, path)
        if problems:
            raise CampaignFileError(path, problems)
    if "recurrence" in data:
        data = _with_recurrence(data, path)
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(path, _problems(exc)) from None


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
        raise CampaignFileError(path, _problems(exc, "recurrence")) from None
    except ValueError as exc:
        raise CampaignFileError(path, [f"recurrence: {exc}"]) from None
    data["rounds"] = rounds
    data["upstream"] = [*(data.get("upstream") or []), *upstream]
    data.setdefault("period", period)
    return data


def campaign_fingerprint(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _problems(exc: ValidationError, within: str = "") -> list[str]:
    """Each problem as `place: what`; the places inside `within` (a block of the file)."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        place = _join(within, _place(error["loc"])) if error["loc"] else within
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, CampaignProblems):
            problems.extend(f"{_join(place, sub)}: {what}" for sub, what in cause.problems)
            continue
        problems.append(f"{place or 'campaign'}: {_message(error)}")
    return problems


def _join(prefix: str, place: str) -> str:
    return f"{prefix}.{place}" if prefix else place


def _place(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in {"function-before[_parse_date(), date]"}:
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "string_pattern_mismatch":
        return f'"{value}" is not a valid code (up to 20 lowercase letters, digits, "-" and "_")'
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "enum":
        return f'"{value}" is not one of: {error["ctx"]["expected"]}'
    return str(error["msg"])
