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

from bot.i18n.catalogs import N_, Translator
from bot.render.message import Button, Message, MessageField
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.requests import FormStep
from bot.telegram.buttons import Action
from bot.telegram.replies import drop_keyboard, send
from bot.telegram.routers.args import text_of

FORM = "rq"
TYPES = (("new_node", N_("New node")), ("support", N_("Support")), ("other", N_("Other")))
CANCELLED = N_("Request cancelled. Nothing was sent.")
FORM_CLOSED = N_("This form is no longer open. Send /request to start again.")


class RequestForm(StatesGroup):
    choosing_type = State()
    filling = State()
    confirming = State()


def _cancel(t: Translator) -> Button:
    return Button(label="✖ " + t("Cancel"), action=FORM, args=("cancel",))


def type_picker(t: Translator) -> Message:
    return Message(
        title=t("New request"),
        lines=Message.text(t("What do you need?")).lines,
        buttons=(
            tuple(Button(label=t(label), action=FORM, args=("type", kind)) for kind, label in TYPES),
            (_cancel(t),),
        ),
    )


def question(step: FormStep, t: Translator) -> Message:
    """One step of the form: its question, with Skip for an optional one."""
    row: tuple[Button, ...]
    if step.required:
        text, row = t(step.prompt), (_cancel(t),)
    else:
        text = t("{question} (optional: send - or press Skip)", question=t(step.prompt))
        row = (Button(label=t("Skip"), action=FORM, args=("skip",)), _cancel(t))
    return Message(lines=Message.text(text).lines, buttons=(row,))


def summary(steps: tuple[FormStep, ...], answers: dict[str, Any], t: Translator) -> Message:
    """Every answer, with Send and Cancel."""
    return Message(
        title=t("Send this request?"),
        fields=tuple(
            MessageField(name=t(s.label), value=str(answers.get(s.field) or "—"), inline=False) for s in steps
        ),
        buttons=((Button(label="✔ " + t("Send"), action=FORM, args=("submit",)), _cancel(t)),),
    )


async def _ask(bot: Bot, services: Services, state: FSMContext, chat_id: int | str, t: Translator) -> None:
    """Ask the current step, or show the summary when every step is answered."""
    data = await state.get_data()
    steps = services.requests.steps(data["type"])
    index = int(data["step"])
    if index >= len(steps):
        await state.set_state(RequestForm.confirming)
        await send(bot, chat_id, summary(steps, data["answers"], t))
        return
    await state.set_state(RequestForm.filling)
    await send(bot, chat_id, question(steps[index], t))


async def _begin(
    bot: Bot, services: Services, state: FSMContext, chat_id: int | str, kind: str, t: Translator
) -> None:
    services.requests.steps(kind)  # an unknown type is refused here, before any state is kept
    await state.set_data({"type": kind, "step": 0, "answers": {}})
    await _ask(bot, services, state, chat_id, t)


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
        t = await services.language.translator(actor)
        await state.clear()  # the form runs where the answer goes: the private chat
        kind = args.get("type")
        if kind:
            await _begin(bot, services, state, answer_chat, kind, t)
        else:
            await state.set_state(RequestForm.choosing_type)
            await send(bot, answer_chat, type_picker(t))

    @r.message(Command("cancel"))
    async def cancel(
        message: TgMessage, bot: Bot, services: Services, state: FSMContext, actor: Actor
    ) -> None:
        t = await services.language.translator(actor)
        was_open = await state.get_state() is not None
        await state.clear()
        await send(
            bot, message.chat.id, Message.text(t(CANCELLED) if was_open else t("There is nothing to cancel."))
        )

    @r.message(StateFilter(RequestForm.filling), F.text, ~F.text.startswith("/"))
    async def answer(
        message: TgMessage, bot: Bot, services: Services, state: FSMContext, actor: Actor
    ) -> None:
        t = await services.language.translator(actor)
        data = await state.get_data()
        step = services.requests.steps(data["type"])[int(data["step"])]
        value = services.requests.validate_field(data["type"], step.field, message.text or "")
        await state.update_data(step=int(data["step"]) + 1, answers={**data["answers"], step.field: value})
        await _ask(bot, services, state, message.chat.id, t)

    @r.message(
        StateFilter(RequestForm.choosing_type, RequestForm.confirming), F.text, ~F.text.startswith("/")
    )
    async def use_the_buttons(message: TgMessage, bot: Bot, services: Services, actor: Actor) -> None:
        t = await services.language.translator(actor)
        await send(bot, message.chat.id, Message.text(t("Please use the buttons above, or /cancel.")))

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
        t = await services.language.translator(actor)
        current = await state.get_state()
        target = query.message if isinstance(query.message, TgMessage) else None
        if args == ("cancel",):
            await state.clear()
            await query.answer(t("Cancelled"))
            if target is not None:
                await drop_keyboard(bot, target)
            await send(bot, caller.chat_id, Message.text(t(CANCELLED) if current else t(FORM_CLOSED)))
            return
        if args[:1] == ("type",) and len(args) == 2 and current == RequestForm.choosing_type.state:
            await query.answer()
            if target is not None:
                await drop_keyboard(bot, target)
            await _begin(bot, services, state, caller.chat_id, args[1], t)
            return
        if args == ("skip",) and current == RequestForm.filling.state:
            data = await state.get_data()
            step = services.requests.steps(data["type"])[int(data["step"])]
            if step.required:
                await query.answer(t("This one is needed."), show_alert=True)
                return
            await query.answer(t("Skipped"))
            if target is not None:
                await drop_keyboard(bot, target)
            await state.update_data(step=int(data["step"]) + 1, answers={**data["answers"], step.field: None})
            await _ask(bot, services, state, caller.chat_id, t)
            return
        if args == ("submit",) and current == RequestForm.confirming.state:
            data = await state.get_data()
            form = {"type": data["type"], **{k: v for k, v in data["answers"].items() if v is not None}}
            result = await services.requests.create(actor, form)
            await state.clear()
            await query.answer(t("Sent"))
            if target is not None:
                await drop_keyboard(bot, target)
            await send(bot, caller.chat_id, result.message)
            return
        await query.answer(t(FORM_CLOSED), show_alert=True)

    @r.message(Command("myrequests"))
    async def myrequests(
        message: TgMessage, bot: Bot, services: Services, actor: Actor, answer_chat: int
    ) -> None:
        result = await services.requests.mine(actor)
        await send(bot, answer_chat, result.message)

    return r
