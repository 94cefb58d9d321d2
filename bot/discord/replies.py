"""Answering interactions: service results rendered by :mod:`bot.render.discord`, within 3 seconds.

:func:`answer` runs the service call and replies directly when it finishes within the
acknowledgement budget (``discord.ack_budget_s``, default 2 s); otherwise it defers first (a
"thinking" response, or a deferred update for in-place edits) and edits the response when the result
is ready. Discord's 3-second deadline is therefore always met.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.discord.views import view_from_components
from bot.render.discord import render
from bot.render.message import Message, Severity

#: the chart or any other file goes with the first payload; its embed shows it as its image
Attachment = tuple[str, bytes]


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers: a message to render and optional files."""

    message: Message
    files: tuple[Attachment, ...] = ()
    #: shown to the whole channel even where replies are ephemeral (an admin's channel mute)
    public: bool = False


@dataclass(slots=True)
class Outgoing:
    """One Discord message's worth of a :class:`Reply` (discord.py objects)."""

    embeds: list[discord.Embed]
    view: discord.ui.View | None
    files: list[discord.File] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        out: dict[str, Any] = {"embeds": self.embeds}
        if self.view is not None:
            out["view"] = self.view
        return out


def to_outgoing(message: Message, files: Sequence[Attachment] = ()) -> list[Outgoing]:
    """Render through :func:`bot.render.discord.render`; attach files to the first payload."""
    out: list[Outgoing] = []
    for payload in render(message):
        embeds = [discord.Embed.from_dict(e) for e in payload.embeds]
        view = view_from_components(payload.components) if payload.components else None
        out.append(Outgoing(embeds=embeds, view=view))
    if files:
        first = out[0]
        first.files = [discord.File(io.BytesIO(data), filename=name) for name, data in files]
        if first.embeds:
            first.embeds[-1].set_image(url=f"attachment://{files[0][0]}")
    return out


async def message_of(result: Awaitable[Any]) -> Reply:
    """A service result (anything with a ``message``) as a :class:`Reply`."""
    return Reply((await result).message)


def plain(text: str, *, severity: Severity = "warning") -> Message:
    return Message.text(text, severity=severity)


async def deliver(
    interaction: discord.Interaction[Any], reply: Reply, *, edit: bool = False, ephemeral: bool = True
) -> None:
    """Send ``reply`` as the interaction's response (or edit the clicked message when ``edit``)."""
    parts = to_outgoing(reply.message, reply.files)
    first, rest = parts[0], parts[1:]
    response = interaction.response
    public_late = False
    if reply.public and not edit:
        public_late = response.is_done() and ephemeral  # deferred as ephemeral: posted for all below
        ephemeral = False
    if not response.is_done():
        if edit:
            await response.edit_message(attachments=first.files, **first.kwargs())
        else:
            await response.send_message(files=first.files, ephemeral=ephemeral, **first.kwargs())
    else:  # deferred: the response (thinking, or the clicked message) is edited
        await interaction.edit_original_response(attachments=first.files, **first.kwargs())
        if public_late:
            await interaction.followup.send(ephemeral=False, files=first.files, **first.kwargs())
    for part in rest:
        await interaction.followup.send(ephemeral=ephemeral, files=part.files, **part.kwargs())


async def answer(
    interaction: discord.Interaction[Any],
    work: Awaitable[Reply],
    *,
    budget_s: float,
    ephemeral: bool = True,
    edit: bool = False,
) -> None:
    """Run ``work``; reply within ``budget_s`` or defer and reply when it is done.

    Exceptions of ``work`` propagate (to ``tree.on_error`` or the view's error path), after the
    interaction was deferred if the budget ran out, so the error handler can still answer.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=budget_s)
        if not done and not interaction.response.is_done():
            if edit:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        reply = await task
    finally:
        if not task.done():
            task.cancel()
    await deliver(interaction, reply, edit=edit, ephemeral=ephemeral)
