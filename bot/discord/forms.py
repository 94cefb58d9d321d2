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

from bot.discord.caller import actor_of, caller_of
from bot.discord.failures import report_error
from bot.discord.gate import Gate
from bot.discord.metering import Meter
from bot.discord.replies import Reply, answer, message_of
from bot.domain.text import clean_input
from bot.errors import InvalidInputError
from bot.render.message import Button, Message
from bot.services.container import Services
from bot.services.context import Actor

FORM_PREFIX = "mgnk-form:"
LINK_FORM = FORM_PREFIX + "link"
REQUEST_FORM = FORM_PREFIX + "request:"
FORM_TIMEOUT_S = 15 * 60

_LABELS = {
    "gpu_type": "GPU type",
    "quantity": "Quantity",
    "region": "Region",
    "budget": "Budget",
    "comments": "Comments",
}
_TYPE_TITLES = {"new_node": "Request a new node", "support": "Ask for support", "other": "Other request"}
_PARAGRAPH = {"comments"}


class _Form(discord.ui.Modal):
    """A modal whose submission is handled by :meth:`FormHandlers.handle_submit`."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None


def link_form() -> discord.ui.Modal:
    form = _Form(title="Link your MineGNK account", custom_id=LINK_FORM, timeout=FORM_TIMEOUT_S)
    form.add_item(
        discord.ui.TextInput(
            label="Email", custom_id="email", placeholder="you@example.com", max_length=255, min_length=3
        )
    )
    form.add_item(
        discord.ui.TextInput(
            label="Password", custom_id="password", placeholder="Your portal password", max_length=72
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
        await interaction.response.send_modal(link_form())

    def request_form(self, type_: str) -> discord.ui.Modal:
        steps = self._services.requests.steps(type_)
        form = _Form(title=_TYPE_TITLES[type_], custom_id=REQUEST_FORM + type_, timeout=FORM_TIMEOUT_S)
        for step in steps[:5]:
            prompt = step.prompt.split(" (optional")[0]
            form.add_item(
                discord.ui.TextInput(
                    label=_LABELS.get(step.field, step.field.replace("_", " ").capitalize()),
                    custom_id=step.field,
                    placeholder=prompt[:100],
                    required=step.required,
                    style=discord.TextStyle.paragraph
                    if step.field in _PARAGRAPH
                    else discord.TextStyle.short,
                    max_length=2000 if step.field in _PARAGRAPH else 100,
                )
            )
        return form

    async def open_request_form(self, interaction: discord.Interaction[Any], type_: str) -> None:
        """Open the form for ``type_`` (linked callers only: nobody fills a form to be refused)."""
        form = self.request_form(type_)
        await self._services.authz.require_linked(await actor_of(self._services, interaction))
        await interaction.response.send_modal(form)

    async def request_type_picker(self, actor: Actor) -> Reply:
        """``/request`` without a type: three buttons that open the form."""
        await self._services.authz.require_linked(actor)
        buttons = tuple(
            Button(label=title, action="request_form", args=(type_,)) for type_, title in _TYPE_TITLES.items()
        )
        return Reply(
            Message.text("What do you need?", title="New request").model_copy(update={"buttons": (buttons,)})
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
            raise InvalidInputError("This form is no longer active. Please run the command again.")


def is_form(custom_id: str) -> bool:
    return custom_id.startswith(FORM_PREFIX)
