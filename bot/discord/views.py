"""Persistent buttons: one :class:`ActionButton` (a discord.py ``DynamicItem``) for every custom id the
renderer makes (``encode_custom_id(action, args)``, ``mgnk:action:arg...``).

The class is registered with ``client.add_dynamic_items`` in ``setup_hook``, so a click on any of our
buttons is handled whichever process sent the message and however long ago (after a restart too):
alerts sent by the alert engine's HTTP sender, request notifications in the admin channel, pages of
our own replies. The click is decoded with :func:`bot.render.discord.decode_custom_id` and handed to
``client.actions`` (:class:`bot.discord.actions.ActionRouter`), which calls the services.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol, cast

import discord

from bot.render.discord import CUSTOM_ID_PREFIX, CUSTOM_ID_SEPARATOR, decode_custom_id

log = logging.getLogger(__name__)

TEMPLATE = re.compile(re.escape(CUSTOM_ID_PREFIX + CUSTOM_ID_SEPARATOR) + r"[^:]+(?::[^:]+)*")

_STYLES = {
    1: discord.ButtonStyle.primary,
    2: discord.ButtonStyle.secondary,
    3: discord.ButtonStyle.success,
    4: discord.ButtonStyle.danger,
    5: discord.ButtonStyle.link,
}


class ActionSink(Protocol):
    async def handle_action(
        self, interaction: discord.Interaction[Any], action: str, args: tuple[str, ...]
    ) -> None: ...


class HasActions(Protocol):
    actions: ActionSink


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A button whose custom id carries its action; survives restarts."""

    def __init__(self, custom_id: str, *, label: str | None = None, style: int = 2) -> None:
        super().__init__(
            discord.ui.Button(
                custom_id=custom_id, label=label, style=_STYLES.get(style, discord.ButtonStyle.secondary)
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        decoded = decode_custom_id(self.custom_id)
        action, args = decoded if decoded is not None else ("", ())
        await cast(HasActions, interaction.client).actions.handle_action(interaction, action, args)


def view_from_components(rows: list[dict[str, Any]]) -> discord.ui.View:
    """A discord.py view for the renderer's action rows (link buttons stay links)."""
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(rows):
        for component in row.get("components", []):
            if component.get("style") == 5 or "url" in component:
                view.add_item(
                    discord.ui.Button(
                        style=discord.ButtonStyle.link,
                        label=component.get("label"),
                        url=component["url"],
                        row=row_index,
                    )
                )
            else:
                button = ActionButton(
                    component["custom_id"], label=component.get("label"), style=int(component.get("style", 2))
                )
                button.row = row_index
                view.add_item(button)
    return view
