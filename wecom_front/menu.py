"""The WeCom app's menu: the commands flows.permissions marks for WeCom, named with the
catalog's words, as `click` entries whose key is the command. WeCom shows one menu to
every member (at most 3 entries, each with at most 5 below it; a name at most 16 bytes on
top and 40 below); who may use an entry is checked when it is clicked."""

from __future__ import annotations

from typing import Any

from flows import permissions
from texts.catalog import t

TOP_BYTES, SUB_BYTES, MAX_SUB = 16, 40, 5
FORM = ("report", "status", "deadlines", "cancel")  # under 填报; the rest on top


def _fit(name: str, limit: int) -> str:
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def app_menu(lang: str = "zh") -> dict[str, Any]:
    """The body of `menu/create`."""
    names = permissions.wecom_menu()
    under = [n for n in names if n in FORM][:MAX_SUB]
    buttons: list[dict[str, Any]] = []
    if under:
        buttons.append({"name": _fit(t("wecom.menu.report", lang), TOP_BYTES), "sub_button": [
            {"type": "click", "name": _fit(t(f"menu.{n}", lang), SUB_BYTES), "key": n}
            for n in under]})
    buttons += [{"type": "click", "name": _fit(t(f"wecom.menu.{n}", lang), TOP_BYTES), "key": n}
                for n in names if n not in FORM][:3 - len(buttons)]
    return {"button": buttons}
