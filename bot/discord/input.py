"""Every slash-command option value is cleaned once, before discord.py binds it to a handler
(:func:`bot.domain.text.clean_input`); modal values are cleaned where they are read (``forms``)."""

from __future__ import annotations

from typing import Any

from bot.domain.text import clean_input


def clean_options(data: Any) -> None:
    """Clean the string values of ``interaction.data['options']`` (sub-commands included), in place."""
    if not isinstance(data, dict):
        return
    for option in data.get("options") or []:
        if isinstance(option, dict):
            if isinstance(option.get("value"), str):
                option["value"] = clean_input(option["value"])
            clean_options(option)
