"""The message catalog: every word a user reads, in 简体中文 (default) and English.

Texts live in `locales/<lang>.yaml` as `key: text` with `{name}` placeholders. Dates and
times are written the way people in the campaign's zone write them: `1月29日（周五）18:00`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_LOCALES = Path(__file__).parent / "locales"


@cache
def texts(lang: str) -> dict[str, str]:
    with (_LOCALES / f"{lang}.yaml").open(encoding="utf-8") as fh:
        # Our own file: libyaml's loader where it is built (ten times faster at start-up).
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {str(k): str(v) for k, v in data.items()}


# Names a text may use without being given them: the campaign's own, set when it loads
# (`use_names`), so no text names an office of one province whatever the campaign.
_NAMES: dict[str, str] = {"province": "省厅", "office": "省厅", "upstream": "上级部门"}


def use_names(**names: str) -> None:
    """`province` (省商务厅), `office` (辽宁省商务厅电子商务处), `upstream` (商务部电子商务司)."""
    _NAMES.update({k: v for k, v in names.items() if v})


def upstream_name(campaign: Any) -> dict[str, str]:
    """`{upstream}` for a campaign's texts: whom its report goes to (the default otherwise)."""
    recipient = campaign.report.recipient
    return {"upstream": recipient} if recipient else {}


def language_of(code: str | None) -> str:
    """The catalog language for a Telegram `language_code` (zh unless it is English)."""
    return "en" if code and code.lower().startswith("en") else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    table = texts(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    text = table.get(key)
    if text is None:
        text = texts(DEFAULT_LANGUAGE)[key]
    if "{" not in text:
        return text
    return text.format_map(_Values({**_NAMES, **values}))


class _Values(dict):  # type: ignore[type-arg]
    """A placeholder nobody filled stays as written rather than failing a message."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}
