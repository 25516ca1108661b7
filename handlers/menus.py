"""The command menu of each role: what `/help` lists and what Telegram shows by the input."""

from __future__ import annotations

from storage.models import Role

ROLE_COMMANDS: dict[str, list[str]] = {
    Role.CONTACT: ["report", "status", "deadlines", "cancel", "language", "help"],
    Role.COORDINATOR: ["progress", "digest", "remind", "deadlines", "language", "help"],
    Role.ADMIN: ["progress", "digest", "remind", "broadcast", "contacts", "deadlines",
                 "language", "help"],
}
