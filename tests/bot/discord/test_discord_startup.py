"""Starting the Discord bot: endpoints from config, command sync only when the tree changed, guild or
global sync, sharding."""

from __future__ import annotations

import asyncio
import contextlib

import discord.gateway
import discord.http
import yarl

from bot.config import Config
from tests.bot.discord.conftest import Harness, text
from tests.fakes.discord_api import FakeDiscord


def with_discord(config: Config, **changes: object) -> Config:
    return config.model_copy(update={"discord": config.discord.model_copy(update=changes)})


async def test_starting_twice_with_an_unchanged_tree_syncs_once(harness: Harness) -> None:
    await harness.start()
    assert harness.bot is not None and harness.bot.frontend.synced is True
    await harness.restart()
    assert harness.bot.frontend.synced is False
    assert len(harness.fake.command_syncs) == 1
    # and the commands still work after the start that did not sync
    user = harness.user("alice")
    assert "/link" in text(await (await harness.fake.slash(user, "start")).reply())


async def test_a_changed_tree_is_synced_again(harness: Harness) -> None:
    await harness.start()
    await harness.stop()
    await harness.pool.execute("UPDATE discord_command_sync SET payload_hash = repeat('0', 64)")
    await harness.start()
    assert len(harness.fake.command_syncs) == 2
    first, second = (sorted(c["name"] for c in body) for _, body in harness.fake.command_syncs)
    assert first == second
    # a bulk overwrite: Discord keeps the ids of unchanged commands
    assert harness.bot is not None and harness.bot.frontend.synced is True


async def test_guild_sync_when_guild_id_is_configured(harness: Harness) -> None:
    gid = harness.fake.guild.id
    await harness.start(with_discord(harness.config, guild_id=gid))
    assert [scope for scope, _ in harness.fake.command_syncs] == [gid]
    assert not harness.fake.commands.get(None)
    user = harness.user("alice")
    ix = await harness.fake.slash(user, "help", harness.fake.guild.channel("general"))
    assert "link" in text(await ix.reply())
    # switching to global sync is a different scope: synced once there too
    await harness.stop()
    await harness.start(with_discord(harness.config, guild_id=None))
    assert [scope for scope, _ in harness.fake.command_syncs] == [gid, None]


async def test_endpoints_come_from_config_not_from_whatever_was_set(harness: Harness) -> None:
    discord.http.Route.BASE = "https://discord.com/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("wss://gateway.discord.gg/")
    await harness.start()
    assert harness.fake.api_base == discord.http.Route.BASE
    assert harness.fake.identifies  # the gateway of config.discord.gateway_url was used
    assert not harness.fake.calls("GET", "/gateway/bot")


async def test_gateway_from_gateway_bot_when_not_configured(harness: Harness) -> None:
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("wss://gateway.discord.gg/")
    await harness.start(with_discord(harness.config, gateway_url=None))
    assert len(harness.fake.calls("GET", "/gateway/bot")) == 1
    assert len(harness.fake.identifies) == 1


async def test_auto_sharded_when_shards_are_configured(discord_api: FakeDiscord, harness: Harness) -> None:
    discord_api.gateway_shards = 2
    await harness.start(with_discord(harness.config, shard_count=2, shard_ids=(0, 1)))
    assert sorted(tuple(i["shard"]) for i in discord_api.identifies) == [(0, 2), (1, 2)]
    assert harness.bot is not None
    assert type(harness.bot.client).__name__ == "ShardedBotClient"
    # DMs (shard 0) and guild interactions (the guild's shard) are both answered
    user = harness.user("alice")
    assert "/link" in text(await (await discord_api.slash(user, "start")).reply())
    ix = await discord_api.slash(user, "start", discord_api.guild.channel("general"))
    assert "/link" in text(await ix.reply())


async def test_two_replicas_starting_together_sync_once(harness: Harness) -> None:
    from bot.discord.component import DiscordBot

    other = DiscordBot(harness.config, harness.pool, harness.services, harness.metrics)
    other_task = asyncio.create_task(other.run())
    try:
        await asyncio.gather(harness.start(), asyncio.wait_for(other.ready.wait(), 20))
        assert len(harness.fake.command_syncs) == 1
        assert harness.bot is not None
        assert sorted([harness.bot.frontend.synced, other.frontend.synced]) == [False, True]
    finally:
        other_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await other_task
