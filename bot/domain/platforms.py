"""The chat platforms the bot speaks on, and a chat on one of them: the one definition every layer uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Platform = Literal["telegram", "discord"]
TargetKind = Literal["user", "channel"]


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """Where a notification goes: who computes recipients, who enqueues and who sends all use this."""

    platform: Platform
    kind: TargetKind
    #: a Telegram chat id, a Discord user id (kind user) or channel id (kind channel)
    target_id: str
