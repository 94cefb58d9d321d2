"""Inline buttons: the Telegram adapter of the one action table (:mod:`bot.services.actions`).

A press is decoded (``bot.render.telegram.decode_callback``), run by :func:`actions.press` and its
:class:`~bot.services.actions.Outcome` shown: the query answered (with the toast), the pressed message
replaced or a new one sent below it, its buttons removed when spent. A stale or forged button and
every refusal go to the one error handler (``bot/telegram/errors.py``), which answers the query.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery
from aiogram.types import Message as TgMessage

from bot.render.telegram import decode_callback
from bot.services import actions
from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.menus import CommandMenus
from bot.telegram.replies import drop_keyboard, edit, send_answer


def router() -> Router:
    r = Router(name="callbacks")

    @r.callback_query()
    async def pressed(
        query: CallbackQuery, bot: Bot, services: Services, menus: CommandMenus, actor: Actor
    ) -> None:
        decoded = decode_callback(query.data)
        if decoded is None:
            raise actions.StaleButtonError
        target = query.message if isinstance(query.message, TgMessage) else None
        outcome = await actions.press(
            services, actor, *decoded, seen_only_by_presser=actor.caller.is_private and target is not None
        )
        await query.answer(outcome.toast)
        if outcome.spends and target is not None:
            await drop_keyboard(bot, target)
        if outcome.replace and target is not None:
            await edit(bot, target, outcome.message)
        else:
            reply_to = target.message_id if target is not None else None
            await send_answer(bot, actor.caller.chat_id, outcome.message, outcome.files, reply_to=reply_to)
        if outcome.relinked:
            await menus.refresh(bot, actor.caller)

    return r
