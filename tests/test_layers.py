"""The house is layered: each floor imports only the floors below it (docs/DESIGN, principle
7). Ground up: texts → reporting (the domain) → storage → flows → handlers and the
scheduler → bot (the entry), with the Telegram wire (telegram_io: the pacer and rate
limiter every request goes through) between the flows and the handlers, and beside it the
WeCom wire (wecom_io: its callback encryption). Telegram stays in the handlers, the wire,
the way out (the scheduler's sender) and the entry; WeCom's encryption and XML in its
wire; the domain and the flows never see either, nor the storage's engine internals, nor
the settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"texts": 1, "reporting": 2, "storage": 3, "flows": 4, "telegram_io": 4.5,
          "wecom_io": 4.5, "handlers": 5, "wecom_front": 5, "scheduler": 5, "bot": 6}
WECOM_LIBRARIES = ("cryptography", "defusedxml")  # only in its wire
TELEGRAM_ALLOWED = {"telegram_io", "handlers", "scheduler", "bot"}
STORAGE_INTERNALS = ("storage.db", "storage.sqlite_inline", "storage.migrations")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, anywhere in it (inside functions too), by line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def modules() -> list[Path]:
    return sorted(p for package in FLOORS for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_floor_imports_a_floor_above_it(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    floor = FLOORS[package]
    wrong = []
    for line, module in imports_of(path):
        top = module.split(".")[0]
        if top in FLOORS and top != package and FLOORS[top] >= floor:
            wrong.append(f"line {line}: {module} (floor {FLOORS[top]} ≥ {floor})")
        if top == "telegram" and package not in TELEGRAM_ALLOWED:
            wrong.append(f"line {line}: telegram below the handlers")
        if top in WECOM_LIBRARIES and package != "wecom_io":
            wrong.append(f"line {line}: {top} outside the WeCom wire")
        if package in {"reporting", "flows"} and module.startswith(STORAGE_INTERNALS):
            wrong.append(f"line {line}: {module} is storage's own")
    assert wrong == []
