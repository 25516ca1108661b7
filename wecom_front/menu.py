"""The WeCom app's menu: the commands flows.permissions marks for WeCom, named with the
catalog's words, as `click` entries whose key is the command. WeCom shows one menu to
every member (at most 3 entries, each with at most 5 below it; a name at most 16 bytes on
top and 40 below); who may use an entry is checked when it is clicked."""

from __future__ import annotations

from typing import Any

from flows import permissions
from texts.catalog import t

TOP_BYTES, SUB_BYTES, MAX_SUB, MAX_TOP = 16, 40, 5, 3
# The entries by group, each group one entry on top (填报, 省厅, 我的); a command of the
# roles table marked for WeCom and in no group goes under 我的.
GROUPS = {"report": ("report", "status", "deadlines", "cancel"),
          "province": ("progress", "digest", "remind", "files")}


def _fit(name: str, limit: int) -> str:
    return name.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def app_menu(lang: str = "zh") -> dict[str, Any]:
    """The body of `menu/create`."""
    names = permissions.wecom_menu()
    grouped = {n for group in GROUPS.values() for n in group}
    groups = {**{g: [n for n in names if n in members] for g, members in GROUPS.items()},
              "mine": [n for n in names if n not in grouped]}
    buttons: list[dict[str, Any]] = []
    for group, entries in groups.items():
        if len(entries) == 1:  # one entry: on top itself
            buttons.append({"type": "click", "key": entries[0],
                            "name": _fit(t(f"menu.{entries[0]}", lang), TOP_BYTES)})
        elif entries:
            buttons.append({"name": _fit(t(f"wecom.menu.{group}", lang), TOP_BYTES),
                            "sub_button": [{"type": "click", "key": n,
                                            "name": _fit(t(f"menu.{n}", lang), SUB_BYTES)}
                                           for n in entries[:MAX_SUB]]})
    return {"button": buttons[:MAX_TOP]}
