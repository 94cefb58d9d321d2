"""Modal forms: email + password linking and the ``/request`` form.

Forms have stable custom ids (``mgnk-form:link``, ``mgnk-form:request:<type>``) and their submissions
are handled from ``on_interaction`` by :meth:`FormHandlers.handle_submit`, not by the ``Modal``
object: a form opened before a restart, or on another replica, is still answered.

The password is read from the submission, handed to ``accounts.link_with_password`` and dropped: it is
never echoed, logged or put in any message (the reply is ephemeral and names only the email).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord

from bot.discord.actions import OPEN_REQUEST_FORM
from bot.discord.caller import actor_of, caller_of
from bot.discord.failures import report_error
from bot.discord.gate import Gate
from bot.discord.metering import Meter
from bot.discord.replies import Reply, answer, message_of
from bot.domain.text import clean_input
from bot.errors import InvalidInputError
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Button, Message
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.requests import FormStep

FORM_PREFIX = "mgnk-form:"
LINK_FORM = FORM_PREFIX + "link"
REQUEST_FORM = FORM_PREFIX + "request:"
FORM_TIMEOUT_S = 15 * 60
#: Discord's limits on a modal (a longer text is refused with 400): title and labels 45, placeholders 100
MODAL_TITLE_LIMIT = 45
LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100

FORM_GONE = N_("This form is no longer active. Please run the command again.")
_TYPE_TITLES = {
    "new_node": N_("Request a new node"),
    "support": N_("Ask for support"),
    "other": N_("Other request"),
}
_PARAGRAPH = {"comments"}


class _Form(discord.ui.Modal):
    """A modal whose submission is handled by :meth:`FormHandlers.handle_submit`."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None


def link_form(t: Translator) -> discord.ui.Modal:
    title = t("Link your MineGNK account")[:MODAL_TITLE_LIMIT]
    form = _Form(title=title, custom_id=LINK_FORM, timeout=FORM_TIMEOUT_S)
    form.add_item(
        discord.ui.TextInput(
            label=t("Email")[:LABEL_LIMIT],
            custom_id="email",
            placeholder="you@example.com",
            max_length=255,
            min_length=3,
        )
    )
    form.add_item(
        discord.ui.TextInput(
            label=t("Password")[:LABEL_LIMIT],
            custom_id="password",
            placeholder=t("Your portal password")[:PLACEHOLDER_LIMIT],
            max_length=72,
        )
    )
    return form


def request_form(steps: tuple[FormStep, ...], type_: str, t: Translator) -> discord.ui.Modal:
    """The ``/request`` form for ``type_`` in the caller's language (Discord allows five inputs)."""
    title = t(_TYPE_TITLES[type_])[:MODAL_TITLE_LIMIT]
    form = _Form(title=title, custom_id=REQUEST_FORM + type_, timeout=FORM_TIMEOUT_S)
    for step in steps[:5]:
        form.add_item(
            discord.ui.TextInput(
                label=t(step.label)[:LABEL_LIMIT],
                custom_id=step.field,
                placeholder=t(step.prompt)[:PLACEHOLDER_LIMIT],
                required=step.required,
                style=discord.TextStyle.paragraph if step.field in _PARAGRAPH else discord.TextStyle.short,
                max_length=2000 if step.field in _PARAGRAPH else 100,
            )
        )
    return form


def submitted_values(data: dict[str, Any]) -> dict[str, str]:
    """``custom_id → value`` of every text input in a modal submission (rows or labels)."""

    def walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for component in components:
            if component.get("type") == 1:
                yield from walk(component.get("components", []))
            elif component.get("type") == 18 and "component" in component:
                yield from walk([component["component"]])
            elif "custom_id" in component:
                yield component

    return {c["custom_id"]: clean_input(str(c.get("value") or "")) for c in walk(data.get("components", []))}


class FormHandlers:
    def __init__(self, services: Services, meter: Meter, budget_s: float, gate: Gate) -> None:
        self._gate = gate
        self._services = services
        self._meter = meter
        self._budget_s = budget_s

    async def open_link_form(self, interaction: discord.Interaction[Any]) -> None:
        t = await self._services.language.translator(caller_of(interaction, private=True))
        await interaction.response.send_modal(link_form(t))

    async def open_request_form(self, interaction: discord.Interaction[Any], type_: str) -> None:
        """Open the form for ``type_`` (linked callers only: nobody fills a form to be refused)."""
        steps = self._services.requests.steps(type_)  # an unknown type is refused before anything else
        actor = await actor_of(self._services, interaction)
        await self._services.authz.require_linked(actor)
        t = await self._services.language.translator(actor)
        await interaction.response.send_modal(request_form(steps, type_, t))

    async def request_type_picker(self, actor: Actor) -> Reply:
        """``/request`` without a type: three buttons that open the form."""
        await self._services.authz.require_linked(actor)
        t = await self._services.language.translator(actor)
        buttons = tuple(
            Button(label=t(title), action=OPEN_REQUEST_FORM, args=(type_,))
            for type_, title in _TYPE_TITLES.items()
        )
        return Reply(
            Message.text(t("What do you need?"), title=t("New request")).model_copy(
                update={"buttons": (buttons,)}
            )
        )

    async def handle_submit(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        values = submitted_values(data)
        name = {LINK_FORM: "form:link"}.get(custom_id, "form:unknown")
        if custom_id.startswith(REQUEST_FORM):
            name = "form:request"

        async def work() -> None:
            try:
                with self._meter.measure(name):
                    await self._submit(interaction, custom_id, values)
            except Exception as exc:  # noqa: BLE001 - reported to the user (and logged when unexpected)
                await report_error(interaction, exc, self._services.language)

        await self._gate.run(interaction, work)

    async def _submit(
        self, interaction: discord.Interaction[Any], custom_id: str, values: dict[str, str]
    ) -> None:
        if custom_id == LINK_FORM:
            caller = caller_of(interaction, private=True)
            email, password = values.pop("email", ""), values.pop("password", "")
            work = self._services.accounts.link_with_password(caller, email, password)
            await answer(interaction, message_of(work), budget_s=self._budget_s)
        elif custom_id.startswith(REQUEST_FORM):
            form: dict[str, object] = {"type": custom_id.removeprefix(REQUEST_FORM)}
            form.update({k: v for k, v in values.items() if v.strip()})
            created = self._services.requests.create(await actor_of(self._services, interaction), form)
            await answer(interaction, message_of(created), budget_s=self._budget_s)
        else:
            raise InvalidInputError(FORM_GONE)


def is_form(custom_id: str) -> bool:
    return custom_id.startswith(FORM_PREFIX)
