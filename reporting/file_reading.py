"""Reading a YAML file the way campaign files are read: without implicit timestamps (a
bad date is reported, not a crash), with a bound on what anchors expand to, and every
problem pydantic finds said by its place in the file (`rounds[1].due: ...`)."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from reporting.campaign import CampaignProblems

MAX_NODES = 200_000  # a province's file has a few hundred, 3,000 units some 25,000; anchors
# must not multiply them


class BoundedLoader(yaml.SafeLoader):
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


BoundedLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def located_problems(exc: ValidationError, within: str = "") -> list[str]:
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
