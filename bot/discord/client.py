"""The discord.py client: the command tree, persistent buttons, forms, and the one error path.

:class:`Frontend` holds what the client needs (services, handlers, routers); :func:`build_client`
makes a ``discord.Client``, or an ``AutoShardedClient`` when ``discord.shard_count`` /
``discord.shard_ids`` are configured. In ``setup_hook`` (after login, before the gateway) the
persistent :class:`~bot.discord.views.ActionButton` is registered and the command tree is synced
only when it changed (:mod:`bot.discord.sync`).
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.config import DiscordConfig, LimitsConfig
from bot.db.types import Pool
from bot.discord.actions import ActionRouter
from bot.discord.caller import caller_of
from bot.discord.commands import Handlers, all_commands
from bot.discord.failures import report_error, send_notice
from bot.discord.forms import FORM_GONE, FormHandlers, is_form
from bot.discord.gate import Gate
from bot.discord.input import clean_options
from bot.discord.metering import Meter
from bot.discord.sync import sync_if_changed
from bot.discord.translations import CatalogTranslator
from bot.discord.views import TEMPLATE, ActionButton
from bot.metrics import Metrics
from bot.services import actions
from bot.services.container import Services

log = logging.getLogger(__name__)


class Tree(app_commands.CommandTree[Any]):
    """The command tree; its ``on_error`` is the frontend's one error path."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        clean_options(interaction.data)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error, self.client.frontend.language)


class Frontend:
    """Everything the client delegates to; one per client."""

    def __init__(
        self,
        config: DiscordConfig,
        pool: Pool,
        services: Services,
        metrics: Metrics,
        limits: LimitsConfig | None = None,
    ) -> None:
        limits = limits or LimitsConfig()
        self.config = config
        self.pool = pool
        self.services = services
        self.catalogs = services.language.catalogs
        #: the person's language, for the error path
        self.language = services.language
        meter = Meter(metrics)
        # per-person limits and bounded concurrency in front of every command, click and form
        gate = Gate(services.throttle, limits.max_concurrent_updates, services.language)
        self.handlers = Handlers(services, meter, config.ack_budget_s, gate)
        self.forms = FormHandlers(services, meter, config.ack_budget_s, gate)
        self.actions = ActionRouter(
            services,
            meter,
            budget_s=config.ack_budget_s,
            open_request_form=self.forms.open_request_form,
            gate=gate,
        )
        #: True when the last start synced the command tree (False: unchanged, no call made)
        self.synced: bool | None = None

    def install(self, tree: Tree) -> None:
        for command in all_commands(self.handlers, self.forms):
            tree.add_command(command)

    async def setup(self, client: discord.Client, tree: Tree) -> None:
        client.add_dynamic_items(ActionButton)
        await tree.set_translator(CatalogTranslator(self.catalogs))
        assert client.application_id is not None
        self.synced = await sync_if_changed(tree, self.pool, client.application_id, self.config.guild_id)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer what discord.py's dispatch does not: our forms, and buttons we no longer know."""
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if interaction.type is discord.InteractionType.modal_submit:
            if is_form(custom_id):
                await self.forms.handle_submit(interaction)
            elif not interaction.response.is_done():
                await send_notice(interaction, await self._in_their_language(interaction, FORM_GONE))
        elif interaction.type is discord.InteractionType.component and not TEMPLATE.fullmatch(custom_id):
            await send_notice(interaction, await self._in_their_language(interaction, actions.STALE_TEXT))

    async def _in_their_language(self, interaction: discord.Interaction[Any], msgid: str) -> str:
        t = await self.services.language.translator(caller_of(interaction))
        return t(msgid)


class BotClient(discord.Client):
    def __init__(self, frontend: Frontend, **options: Any) -> None:
        super().__init__(**options)
        self.frontend = frontend
        self.actions = frontend.actions
        self.tree = Tree(self)
        frontend.install(self.tree)

    async def setup_hook(self) -> None:
        await self.frontend.setup(self, self.tree)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.frontend.on_interaction(interaction)


class ShardedBotClient(discord.AutoShardedClient):
    def __init__(self, frontend: Frontend, **options: Any) -> None:
        super().__init__(**options)
        self.frontend = frontend
        self.actions = frontend.actions
        self.tree = Tree(self)
        frontend.install(self.tree)

    async def setup_hook(self) -> None:
        await self.frontend.setup(self, self.tree)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.frontend.on_interaction(interaction)


def intents() -> discord.Intents:
    """Guilds only: slash commands, buttons and DMs need no privileged intent."""
    return discord.Intents(guilds=True)


def build_client(frontend: Frontend) -> BotClient | ShardedBotClient:
    cfg = frontend.config
    options: dict[str, Any] = {
        "intents": intents(),
        "chunk_guilds_at_startup": False,
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "guild_ready_timeout": cfg.guild_ready_timeout_s,
        "allowed_mentions": discord.AllowedMentions.none(),
        "enable_debug_events": False,
    }
    if cfg.shard_count is not None or cfg.shard_ids is not None:
        return ShardedBotClient(
            frontend,
            shard_count=cfg.shard_count,
            shard_ids=list(cfg.shard_ids) if cfg.shard_ids is not None else None,
            **options,
        )
    return BotClient(frontend, **options)
