"""The text after a command (its options are parsed by ``services.arguments`` from the command table)."""

from __future__ import annotations

from aiogram.filters import CommandObject


def text_of(command: CommandObject) -> str:
    return (command.args or "").strip()
