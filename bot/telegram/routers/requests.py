"""``/request``: a guided form (inline keyboards, cancel at every step) and ``/myrequests``.

The form itself (its steps, prompts, validation) belongs to ``services.requests``; this router only
walks the user through it and keeps the answers in the FSM storage.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.types import Message as TgMessage

from bot.render.message import Button, Message, MessageField
from bot.services.container import Services
from bot.services.context import Actor
from bot.telegram.buttons import Action
from bot.telegram.replies import drop_keyboard, send
from bot.telegram.routers.args import text_of

FORM = "rq"
TYPES = (("new_node", "New node"), ("support", "Support"), ("other", "Other"))
CANCELLED = "Request cancelled. Nothing was sent."
FORM_CLOSED = "This form is no longer open. Send /request to start again."
_CANCEL = Button(label="✖ Cancel", action=FORM, args=("cancel",))


class RequestForm(StatesGroup):
    choosing_type = State()
    filling = State()
    confirming = State()


def _type_picker() -> Message:
    return Message(
        title="New request",
        lines=Message.text("What do you need?").lines,
        buttons=(tuple(Button(label=label, action=FORM, args=("type", t)) for t, label in TYPES), (_CANCEL,)),
    )


async def _ask(bot: Bot, services: Services, state: FSMContext, chat_id: int | str) -> None:
    """Ask the current step, or show the summary when every step is answered."""
    data = await state.get_data()
    steps = services.requests.steps(data["type"])
    index = int(data["step"])
    if index >= len(steps):
        await state.set_state(RequestForm.confirming)
        answers: dict[str, Any] = data["answers"]
        summary = Message(
            title="Send this request?",
            fields=tuple(
                MessageField(
                    name=s.field.replace("_", " ").capitalize(),
                    value=str(answers.get(s.field) or "—"),
                    inline=False,
                )
                for s in steps
            ),
            buttons=((Button(label="✔ Send", action=FORM, args=("submit",)), _CANCEL),),
        )
        await send(bot, chat_id, summary)
        return
    step = steps[index]
    await state.set_state(RequestForm.filling)
    row = (Button(label="Skip", action=FORM, args=("skip",)), _CANCEL) if not step.required else (_CANCEL,)
    hint = "" if step.required else " (optional)"
    await send(bot, chat_id, Message(lines=Message.text(f"{step.prompt}{hint}").lines, buttons=(row,)))


async def _begin(bot: Bot, services: Services, state: FSMContext, chat_id: int | str, kind: str) -> None:
    services.requests.steps(kind)  # an unknown type is refused here, before any state is kept
    await state.set_data({"type": kind, "step": 0, "answers": {}})
    await _ask(bot, services, state, chat_id)


def router() -> Router:
    r = Router(name="requests")

    @r.message(Command("request"))
    async def request(
        message: TgMessage,
        command: CommandObject,
        bot: Bot,
        services: Services,
        state: FSMContext,
        actor: Actor,
        answer_chat: int,
    ) -> None:
        args = await services.arguments.text(actor, "request", text_of(command))
        await services.authz.require_linked(actor)
        await state.clear()  # the form runs where the answer goes: the private chat
        kind = args.get("type")
        if kind:
            await _begin(bot, services, state, answer_chat, kind)
        else:
            await state.set_state(RequestForm.choosing_type)
            await send(bot, answer_chat, _type_picker())

    @r.message(Command("cancel"))
    async def cancel(message: TgMessage, bot: Bot, state: FSMContext) -> None:
        was_open = await state.get_state() is not None
        await state.clear()
        await send(
            bot, message.chat.id, Message.text(CANCELLED if was_open else "There is nothing to cancel.")
        )

    @r.message(StateFilter(RequestForm.filling), F.text, ~F.text.startswith("/"))
    async def answer(message: TgMessage, bot: Bot, services: Services, state: FSMContext) -> None:
        data = await state.get_data()
        step = services.requests.steps(data["type"])[int(data["step"])]
        value = services.requests.validate_field(data["type"], step.field, message.text or "")
        await state.update_data(step=int(data["step"]) + 1, answers={**data["answers"], step.field: value})
        await _ask(bot, services, state, message.chat.id)

    @r.message(
        StateFilter(RequestForm.choosing_type, RequestForm.confirming), F.text, ~F.text.startswith("/")
    )
    async def use_the_buttons(message: TgMessage, bot: Bot) -> None:
        await send(bot, message.chat.id, Message.text("Please use the buttons above, or /cancel."))

    @r.callback_query(Action(FORM))
    async def pressed(
        query: CallbackQuery,
        args: tuple[str, ...],
        bot: Bot,
        services: Services,
        state: FSMContext,
        actor: Actor,
    ) -> None:
        caller = actor.caller
        current = await state.get_state()
        target = query.message if isinstance(query.message, TgMessage) else None
        if args == ("cancel",):
            await state.clear()
            await query.answer("Cancelled")
            if target is not None:
                await drop_keyboard(bot, target)
            await send(bot, caller.chat_id, Message.text(CANCELLED if current else FORM_CLOSED))
            return
        if args[:1] == ("type",) and len(args) == 2 and current == RequestForm.choosing_type.state:
            await query.answer()
            if target is not None:
                await drop_keyboard(bot, target)
            await _begin(bot, services, state, caller.chat_id, args[1])
            return
        if args == ("skip",) and current == RequestForm.filling.state:
            data = await state.get_data()
            step = services.requests.steps(data["type"])[int(data["step"])]
            if step.required:
                await query.answer("This one is needed.", show_alert=True)
                return
            await query.answer("Skipped")
            if target is not None:
                await drop_keyboard(bot, target)
            await state.update_data(step=int(data["step"]) + 1, answers={**data["answers"], step.field: None})
            await _ask(bot, services, state, caller.chat_id)
            return
        if args == ("submit",) and current == RequestForm.confirming.state:
            data = await state.get_data()
            form = {"type": data["type"], **{k: v for k, v in data["answers"].items() if v is not None}}
            result = await services.requests.create(actor, form)
            await state.clear()
            await query.answer("Sent")
            if target is not None:
                await drop_keyboard(bot, target)
            await send(bot, caller.chat_id, result.message)
            return
        await query.answer(FORM_CLOSED, show_alert=True)

    @r.message(Command("myrequests"))
    async def myrequests(
        message: TgMessage, bot: Bot, services: Services, actor: Actor, answer_chat: int
    ) -> None:
        result = await services.requests.mine(actor)
        await send(bot, answer_chat, result.message)

    return r
