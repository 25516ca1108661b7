"""Inline buttons, each carrying callback data from the one codec (texts.buttons)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from texts.buttons import Action, encode


def action_button(label: str, action: Action, *args: int | str | None) -> InlineKeyboardButton:
    """A button that, when tapped, comes back as `Pressed(action, args)`."""
    return InlineKeyboardButton(label, callback_data=encode(action, *args))
