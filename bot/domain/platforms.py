"""The chat platforms the bot speaks on: the one definition every layer uses."""

from __future__ import annotations

from typing import Literal

Platform = Literal["telegram", "discord"]
