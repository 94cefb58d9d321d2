"""Sending a services :class:`~bot.render.message.Message` to Telegram, through ``bot.render.telegram``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, ReplyParameters
from aiogram.types import Message as TgMessage

from bot.render import telegram as render
from bot.render.message import Message

log = logging.getLogger(__name__)


def keyboard(markup: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
    return None if markup is None else InlineKeyboardMarkup.model_validate(markup)


def _reply(message_id: int | None) -> ReplyParameters | None:
    return (
        None
        if message_id is None
        else ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
    )


async def send(
    bot: Bot, chat_id: int | str, message: Message, *, reply_to: int | None = None
) -> list[TgMessage]:
    """Every chunk of ``message`` in order; the keyboard rides on the last one."""
    sent: list[TgMessage] = []
    for i, chunk in enumerate(render.render(message)):
        sent.append(
            await bot.send_message(
                chat_id,
                chunk.text,
                parse_mode="HTML",
                reply_markup=keyboard(chunk.reply_markup),
                reply_parameters=_reply(reply_to) if i == 0 else None,
            )
        )
    return sent


async def send_text(bot: Bot, chat_id: int | str, text: str) -> list[TgMessage]:
    """Plain text (escaped by the renderer)."""
    return await send(bot, chat_id, Message.text(text))


async def send_photo(
    bot: Bot,
    chat_id: int | str,
    png: bytes,
    message: Message,
    *,
    filename: str = "chart.png",
    reply_to: int | None = None,
) -> list[TgMessage]:
    """A photo captioned with ``message`` (the overflow follows as messages, with the keyboard last)."""
    caption, overflow = render.render_caption(message)
    markup = keyboard(render.render_keyboard(message))
    sent = [
        await bot.send_photo(
            chat_id,
            BufferedInputFile(png, filename),
            caption=caption,
            parse_mode="HTML",
            reply_markup=None if overflow else markup,
            reply_parameters=_reply(reply_to),
        )
    ]
    for i, text in enumerate(overflow):
        last = i == len(overflow) - 1
        sent.append(
            await bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=markup if last else None)
        )
    return sent


async def send_answer(
    bot: Bot,
    chat_id: int | str,
    message: Message,
    files: Sequence[tuple[str, bytes]] = (),
    *,
    reply_to: int | None = None,
) -> list[TgMessage]:
    """``message``, as a photo captioned with it when a file (a chart) comes with it."""
    if files:
        name, png = files[0]
        return await send_photo(bot, chat_id, png, message, filename=name, reply_to=reply_to)
    return await send(bot, chat_id, message, reply_to=reply_to)


async def edit(bot: Bot, target: TgMessage, message: Message) -> None:
    """Replace ``target`` (a bot message with buttons) by ``message``; a long one is sent anew instead."""
    chunks = render.render(message)
    if len(chunks) > 1 or target.text is None:
        await send(bot, target.chat.id, message)
        return
    try:
        await bot.edit_message_text(
            chunks[0].text,
            chat_id=target.chat.id,
            message_id=target.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(chunks[0].reply_markup),
        )
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def drop_keyboard(bot: Bot, target: TgMessage) -> None:
    """Remove the buttons under ``target`` (after they were used); gone or unchanged is fine."""
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(
            chat_id=target.chat.id, message_id=target.message_id, reply_markup=None
        )
