"""Every command of ``bot.services.commands.COMMANDS`` as a slash command: typed options, choices,
autocomplete; thin handlers.

Each handler parses its options, calls one service, and hands the result to :func:`Handlers.run`
(render, reply within the acknowledgement budget, metrics). Names and descriptions come from the
shared command table (:data:`bot.services.commands.COMMANDS`), so Telegram and Discord say the same.
Replies are ephemeral (private data) except ``/alerts_here`` and ``/alerts_off``, which tell the channel.
Admin commands are hidden by ``default_member_permissions`` (Manage Server) and checked again by the
services (role or ``discord.admin_ids``), which audit refusals.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import discord
from discord import app_commands

from bot.discord.caller import actor_of, caller_of
from bot.discord.forms import FormHandlers
from bot.discord.gate import Gate
from bot.discord.metering import Meter
from bot.discord.replies import Reply, answer, message_of
from bot.i18n.catalogs import N_
from bot.services.commands import BY_NAME
from bot.services.container import Services
from bot.services.context import Actor
from bot.services.switches import switches

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
Work = Callable[[Actor], Awaitable[Reply]]
Language = Literal["en", "ru", "zh", "auto"]

Period = Literal["7d", "30d", "90d"]
RequestType = Literal["new_node", "support", "other"]
Status = Literal["pending", "in_progress", "approved", "completed", "rejected"]
StatusFilter = Literal["pending", "in_progress", "approved", "completed", "rejected", "all"]
Scope = Literal["all", "admin", "requests"]
IdentifierType = Literal["wallet", "node_id", "operator", "validator"]

DURATIONS = ("1h", "24h", "resolved", "30m", "2h", "12h", "1d", "1w")
ADMIN = discord.Permissions(manage_guild=True)


def describe(name: str) -> str:
    return BY_NAME[name].description


class Handlers:
    """The glue every handler uses: caller, service call, reply, metrics."""

    def __init__(self, services: Services, meter: Meter, budget_s: float, gate: Gate) -> None:
        self.services = services
        self.meter = meter
        self.budget_s = budget_s
        self.gate = gate

    async def run(self, interaction: Interaction, name: str, work: Work, *, ephemeral: bool = True) -> None:
        """``ephemeral=False`` tells the channel, except for a command whose answer may hold a code, an
        email or request details (:attr:`CommandSpec.private_only`): that one is always ephemeral."""
        spec = BY_NAME.get(name)
        ephemeral = ephemeral or (spec is not None and spec.private_only)

        async def measured() -> None:
            with self.meter.measure(name):
                await answer(
                    interaction,
                    self._resolved(interaction, work),
                    budget_s=self.budget_s,
                    ephemeral=ephemeral,
                )

        await self.gate.run(interaction, measured)

    async def _resolved(self, interaction: Interaction, work: Work) -> Reply:
        return await work(await actor_of(self.services, interaction))

    async def args(self, actor: Actor, command: str, **values: Any) -> dict[str, Any]:
        """The options of ``/command`` parsed by the command table's kinds (``services.arguments``)."""
        return await self.services.arguments.values(actor, command, values)

    async def node_choices(
        self, interaction: Interaction, current: str, *, with_all: bool = False
    ) -> list[app_commands.Choice[str]]:
        """The caller's own nodes matching what they typed (discord.py drops autocomplete errors
        silently, so a failure is logged here and answered with no choices)."""
        caller = caller_of(interaction)
        try:
            choices = await self.services.nodes.suggest_nodes(caller, current, 25)
            everything = ""
            if with_all and "all".startswith(current.strip().lower()):
                t = await self.services.language.translator(caller)
                everything = t("all my nodes")
        except Exception:
            log.exception("node autocomplete failed", extra={"platform": "discord"})
            return []
        out = [app_commands.Choice(name=c.label[:100], value=c.value) for c in choices]
        if everything:
            out = [app_commands.Choice(name=everything[:100], value="all"), *out[:24]]
        return out


def account_commands(h: Handlers, forms: FormHandlers) -> list[app_commands.Command[Any, ..., Any]]:
    s = h.services

    @app_commands.command(name="start", description=describe("start"))
    async def start(interaction: Interaction) -> None:
        await h.run(interaction, "start", lambda a: message_of(s.accounts.start(a, None)))

    @app_commands.command(name="help", description=describe("help"))
    async def help_(interaction: Interaction) -> None:
        await h.run(interaction, "help", lambda a: message_of(s.help.help(a)))

    @app_commands.command(name="link", description=describe("link"))
    @app_commands.describe(
        code=N_("The link code from the portal; leave empty to sign in with email and password")
    )
    async def link(interaction: Interaction, code: app_commands.Range[str, 1, 64] | None = None) -> None:
        if code is None:
            await forms.open_link_form(interaction)
            return
        await h.run(interaction, "link", lambda a: message_of(s.accounts.link_with_code(a, code)))

    @app_commands.command(name="unlink", description=describe("unlink"))
    async def unlink(interaction: Interaction) -> None:
        await h.run(interaction, "unlink", lambda a: message_of(s.accounts.unlink(a)))

    @app_commands.command(name="whoami", description=describe("whoami"))
    async def whoami(interaction: Interaction) -> None:
        await h.run(interaction, "whoami", lambda a: message_of(s.accounts.whoami(a)))

    @app_commands.command(name="language", description=describe("language"))
    @app_commands.describe(language=N_("en, ru, zh, or auto (your Discord language); empty shows it"))
    async def language(interaction: Interaction, language: Language | None = None) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "language", language=language)
            return Reply((await s.language.command(a, args.get("language"))).message)

        await h.run(interaction, "language", work)

    return [start, help_, link, unlink, whoami, language]


def node_commands(h: Handlers) -> list[app_commands.Command[Any, ..., Any]]:
    s = h.services

    @app_commands.command(name="nodes", description=describe("nodes"))
    async def nodes(interaction: Interaction) -> None:
        await h.run(interaction, "nodes", lambda a: message_of(s.nodes.list_nodes(a)))

    @app_commands.command(name="node", description=describe("node"))
    @app_commands.describe(node=N_("Node name or identifier"))
    async def node(interaction: Interaction, node: app_commands.Range[str, 1, 255]) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "node", node=node)
            return Reply((await s.nodes.detail(a, args["node"])).message)

        await h.run(interaction, "node", work)

    @node.autocomplete("node")
    async def node_ac(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.node_choices(interaction, current)

    @app_commands.command(name="earnings", description=describe("earnings"))
    @app_commands.describe(period=N_("7, 30 or 90 days (default 7)"))
    async def earnings(interaction: Interaction, period: Period = "7d") -> None:
        async def work(a: Actor) -> Reply:
            report = await s.earnings.report(a, (await h.args(a, "earnings", period=period))["period"])
            files = (("earnings.png", report.chart_png),) if report.chart_png else ()
            return Reply(report.message, files)

        await h.run(interaction, "earnings", work)

    @app_commands.command(name="mute", description=describe("mute"))
    @app_commands.describe(
        node=N_("Node name or identifier, or all"), duration=N_("30m, 2h, 1d, 1w or resolved")
    )
    async def mute(
        interaction: Interaction,
        node: app_commands.Range[str, 1, 255],
        duration: app_commands.Range[str, 1, 32],
    ) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "mute", node=node, duration=duration)
            result = await s.mutes.mute(a, args["node"], args["duration"])
            return Reply(result.message, public=result.channel_mute is not None)

        await h.run(interaction, "mute", work)

    @mute.autocomplete("node")
    async def mute_node_ac(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.node_choices(interaction, current, with_all=True)

    @mute.autocomplete("duration")
    async def mute_duration_ac(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        return [app_commands.Choice(name=d, value=d) for d in DURATIONS if d.startswith(typed)]

    @app_commands.command(name="unmute", description=describe("unmute"))
    @app_commands.describe(node=N_("Node name or identifier, or all"))
    async def unmute(interaction: Interaction, node: app_commands.Range[str, 1, 255]) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "unmute", node=node)
            result = await s.mutes.unmute(a, args["node"])
            return Reply(result.message, public=result.channel_mute is not None)

        await h.run(interaction, "unmute", work)

    @unmute.autocomplete("node")
    async def unmute_ac(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await h.node_choices(interaction, current, with_all=True)

    @app_commands.command(name="mutes", description=describe("mutes"))
    async def mutes(interaction: Interaction) -> None:
        await h.run(interaction, "mutes", lambda a: message_of(s.mutes.list_mutes(a)))

    @app_commands.command(name="settings", description=describe("settings"))
    @app_commands.describe(
        currency=N_("Show earnings in this currency (e.g. EUR, USD, GNK)"),
        alert=N_("Which alerts to switch on or off"),
        enabled=N_("On or off (with alert)"),
    )
    @app_commands.choices(alert=[app_commands.Choice(name=k.label, value=k.name) for k in switches()][:25])
    async def settings(
        interaction: Interaction,
        currency: app_commands.Range[str, 1, 10] | None = None,
        alert: str | None = None,
        enabled: bool | None = None,
    ) -> None:
        async def work(a: Actor) -> Reply:
            if currency is not None:
                await s.settings.change(
                    a, (await h.args(a, "settings", setting="currency", value=currency))["change"]
                )
            if alert is not None or enabled is not None:
                on = None if enabled is None else ("on" if enabled else "off")
                change = (await h.args(a, "settings", setting=alert, value=on))["change"]
                return Reply((await s.settings.change(a, change)).message)
            return Reply((await s.settings.show(a)).message)

        await h.run(interaction, "settings", work)

    @app_commands.command(name="digest", description=describe("digest"))
    @app_commands.describe(schedule=N_("07:00 Europe/Moscow to set the hour, on or off; empty shows it"))
    async def digest(
        interaction: Interaction, schedule: app_commands.Range[str, 1, 80] | None = None
    ) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "digest", schedule=schedule)
            return Reply((await s.digests.change(a, args.get("schedule"))).message)

        await h.run(interaction, "digest", work)

    @app_commands.command(name="quiet", description=describe("quiet"))
    @app_commands.describe(
        window=N_("23:00-07:00 Europe/Moscow, off, or urgent jailed,excluded; empty shows it")
    )
    async def quiet(interaction: Interaction, window: app_commands.Range[str, 1, 120] | None = None) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "quiet", window=window)
            return Reply((await s.quiet_hours.change(a, args.get("window"))).message)

        await h.run(interaction, "quiet", work)

    return [nodes, node, earnings, mute, unmute, mutes, settings, digest, quiet]


def request_commands(h: Handlers, forms: FormHandlers) -> list[app_commands.Command[Any, ..., Any]]:
    s = h.services

    @app_commands.command(name="request", description=describe("request"))
    @app_commands.describe(type=N_("New node, support, or anything else"))
    async def request(interaction: Interaction, type: RequestType | None = None) -> None:
        if type is None:
            await h.run(interaction, "request", forms.request_type_picker)
            return
        await forms.open_request_form(interaction, type)

    @app_commands.command(name="myrequests", description=describe("myrequests"))
    async def myrequests(interaction: Interaction) -> None:
        await h.run(interaction, "myrequests", lambda a: message_of(s.requests.mine(a)))

    return [request, myrequests]


def admin_commands(h: Handlers) -> list[app_commands.Command[Any, ..., Any]]:
    s = h.services

    @app_commands.command(name="assign", description=describe("assign"))
    @app_commands.describe(
        email=N_("The user's email"),
        identifier=N_("Node identifier"),
        type=N_("Identifier type"),
        name=N_("Display name"),
    )
    async def assign(
        interaction: Interaction,
        email: app_commands.Range[str, 3, 255],
        identifier: app_commands.Range[str, 1, 255],
        type: IdentifierType | None = None,
        name: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "assign", email=email, identifier=identifier, type=type, name=name)
            result = await s.admin.assign(
                a, args["email"], args["identifier"], args.get("type"), args.get("name")
            )
            return Reply(result.message)

        await h.run(interaction, "assign", work)

    @app_commands.command(name="unassign", description=describe("unassign"))
    @app_commands.describe(email=N_("The user's email"), identifier=N_("Node identifier"))
    async def unassign(
        interaction: Interaction,
        email: app_commands.Range[str, 3, 255],
        identifier: app_commands.Range[str, 1, 255],
    ) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "unassign", email=email, identifier=identifier)
            return Reply((await s.admin.unassign(a, args["email"], args["identifier"])).message)

        await h.run(interaction, "unassign", work)

    @app_commands.command(name="requests", description=describe("requests"))
    @app_commands.describe(status=N_("Which requests (default: the open ones)"))
    async def requests(interaction: Interaction, status: StatusFilter | None = None) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "requests", status=status)
            return Reply((await s.requests.list_requests(a, args.get("status", "open"))).message)

        await h.run(interaction, "requests", work)

    @app_commands.command(name="request_set", description=describe("request_set"))
    @app_commands.describe(
        number=N_("Request number"), status=N_("New status"), notes=N_("Notes for the user")
    )
    async def request_set(
        interaction: Interaction,
        number: app_commands.Range[int, 1, 2**53],
        status: Status,
        notes: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "request_set", number=number, status=status, notes=notes)
            result = await s.requests.set_status(a, args["number"], args["status"], args.get("notes"))
            return Reply(result.message)

        await h.run(interaction, "request_set", work)

    @app_commands.command(name="user", description=describe("user"))
    @app_commands.describe(email=N_("The user's email"))
    async def user(interaction: Interaction, email: app_commands.Range[str, 3, 255]) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "user", email=email)
            return Reply((await s.admin.user_info(a, args["email"])).message)

        await h.run(interaction, "user", work)

    @app_commands.command(name="linkcode", description=describe("linkcode"))
    @app_commands.describe(email=N_("The user's email"))
    async def linkcode(interaction: Interaction, email: app_commands.Range[str, 3, 255]) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "linkcode", email=email)
            return Reply((await s.admin.link_code(a, args["email"])).message)

        await h.run(interaction, "linkcode", work)

    @app_commands.command(name="broadcast", description=describe("broadcast"))
    @app_commands.describe(text=N_("The message to every linked active user"))
    async def broadcast(interaction: Interaction, text: app_commands.Range[str, 1, 1800]) -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "broadcast", text=text)
            return Reply((await s.admin.broadcast(a, args["text"])).message)

        await h.run(interaction, "broadcast", work)

    @app_commands.command(name="stats", description=describe("stats"))
    async def stats(interaction: Interaction) -> None:
        await h.run(interaction, "stats", lambda a: message_of(s.admin.stats(a)))

    @app_commands.command(name="alerts_here", description=describe("alerts_here"))
    @app_commands.describe(scope=N_("Every alert, admin alerts only, or new requests only (default all)"))
    async def alerts_here(interaction: Interaction, scope: Scope = "all") -> None:
        async def work(a: Actor) -> Reply:
            args = await h.args(a, "alerts_here", scope=scope)
            return Reply((await s.admin.alerts_here(a, args["scope"])).message)

        await h.run(interaction, "alerts_here", work, ephemeral=False)

    @app_commands.command(name="alerts_off", description=describe("alerts_off"))
    async def alerts_off(interaction: Interaction) -> None:
        await h.run(interaction, "alerts_off", lambda a: message_of(s.admin.alerts_off(a)), ephemeral=False)

    commands: list[app_commands.Command[Any, ..., Any]] = [
        assign,
        unassign,
        requests,
        request_set,
        user,
        linkcode,
        broadcast,
        stats,
        alerts_here,
        alerts_off,
    ]
    for command in commands:
        command.default_permissions = ADMIN
    return commands


def all_commands(h: Handlers, forms: FormHandlers) -> list[app_commands.Command[Any, ..., Any]]:
    return [*account_commands(h, forms), *node_commands(h), *request_commands(h, forms), *admin_commands(h)]
