"""The local Discord speaks well enough for the real discord.py client (and says no like Discord does)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio
from discord import app_commands

from tests.fakes.discord_api import FakeDiscord


class _Bot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.clicked: list[str] = []
        self.submitted: list[dict[str, str]] = []

        @self.tree.command(description="ping")
        @app_commands.describe(times="how many")
        async def ping(interaction: discord.Interaction, times: int, word: str = "pong") -> None:
            view = discord.ui.View()
            view.add_item(discord.ui.Button(label="again", custom_id="again:1"))
            await interaction.response.send_message(word * times, ephemeral=True, view=view)

        @ping.autocomplete("word")
        async def word_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=w, value=w) for w in ("pong", "pang") if w.startswith(current)]

        @self.tree.command(description="slow")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("done", file=discord.File(__file__, filename="chart.png"))

        bot = self

        class Form(discord.ui.Modal, title="Form"):
            secret = discord.ui.TextInput(label="Secret", custom_id="secret")

            async def on_submit(self, interaction: discord.Interaction) -> None:
                bot.submitted.append({"secret": self.secret.value})
                await interaction.response.send_message("thanks", ephemeral=True)

        @self.tree.command(description="form")
        async def form(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Form())

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component:
            self.clicked.append(str((interaction.data or {}).get("custom_id")))
            await interaction.response.send_message("clicked", ephemeral=True)


@pytest_asyncio.fixture
async def client(discord_api: FakeDiscord) -> AsyncIterator[_Bot]:
    bot = _Bot()
    task = asyncio.create_task(bot.start(discord_api.token))
    await discord_api.wait_ready()
    await bot.wait_until_ready()
    await bot.tree.sync()
    try:
        yield bot
    finally:
        await bot.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def test_ready_sees_the_guild_with_channels_and_members(discord_api: FakeDiscord, client: _Bot) -> None:
    guild = client.get_guild(discord_api.guild.id)
    assert guild is not None
    assert {c.name for c in guild.text_channels} == {"general", "alerts", "admin"}
    assert client.user is not None and client.user.id == discord_api.app_id
    assert discord_api.command_syncs[0][0] is None
    assert {c["name"] for c in discord_api.command_syncs[0][1]} == {"ping", "slow", "form"}


async def test_slash_with_typed_options_gets_an_ephemeral_reply_and_a_button(
    discord_api: FakeDiscord, client: _Bot
) -> None:
    alice = discord_api.add_user("alice")
    ix = await discord_api.slash(alice, "ping", discord_api.guild.channel("general"), times=3)
    reply = await ix.reply()
    assert reply["content"] == "pongpongpong"
    assert ix.ephemeral
    assert reply["components"][0]["components"][0]["custom_id"] == "again:1"
    assert ix.original is not None
    click = await discord_api.click(alice, ix.original, "again:1")
    assert (await click.reply())["content"] == "clicked"
    assert client.clicked == ["again:1"]


async def test_autocomplete_returns_choices(discord_api: FakeDiscord, client: _Bot) -> None:
    alice = discord_api.add_user("alice")
    choices = await discord_api.autocomplete(
        alice, "ping", "word", discord_api.guild.channel("general"), times=1, word="pa"
    )
    assert choices == [{"name": "pang", "value": "pang"}]


async def test_deferred_reply_with_a_file_arrives_as_followup(discord_api: FakeDiscord, client: _Bot) -> None:
    alice = discord_api.add_user("alice")
    ix = await discord_api.slash(alice, "slow")  # in a DM
    kind, _ = await ix.response()
    assert kind == 5
    reply = await ix.reply()
    assert reply["content"] == "done"
    assert ix.files and ix.files[0][0] == "chart.png"


async def test_modal_round_trip(discord_api: FakeDiscord, client: _Bot) -> None:
    alice = discord_api.add_user("alice")
    ix = await discord_api.slash(alice, "form")
    modal = await ix.modal()
    sub = await discord_api.submit_modal(alice, modal, {"secret": "hunter2"})
    assert (await sub.reply())["content"] == "thanks"
    assert client.submitted == [{"secret": "hunter2"}]


async def test_dm_and_closed_dm_50007(discord_api: FakeDiscord, client: _Bot) -> None:
    alice = discord_api.add_user("alice")
    bob = discord_api.add_user("bob")
    discord_api.close_dms(bob)
    user = await client.fetch_user(alice.id)
    await user.send("hello")
    assert [m["content"] for m in discord_api.dms(alice)] == ["hello"]
    with pytest.raises(discord.Forbidden) as err:
        await (await client.fetch_user(bob.id)).send("hello")
    assert err.value.code == 50007


async def test_injected_429_is_retried_after_retry_after(discord_api: FakeDiscord, client: _Bot) -> None:
    channel = client.get_channel(discord_api.guild.channel("alerts").id)
    assert isinstance(channel, discord.TextChannel)
    discord_api.fail_next("POST", r"/channels/\d+/messages", status=429, retry_after=0.3)
    started = time.monotonic()
    await channel.send("after a 429")
    assert time.monotonic() - started >= 0.3
    assert [m["content"] for m in discord_api.channel_messages(channel.id)] == ["after a 429"]
    statuses = [r.status for r in discord_api.calls("POST", rf"/channels/{channel.id}/messages")]
    assert statuses == [429, 200]


async def test_limits_are_enforced_with_discords_error_json(discord_api: FakeDiscord, client: _Bot) -> None:
    channel = client.get_channel(discord_api.guild.channel("alerts").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as err:
        await channel.send("x" * 2001)
    assert err.value.status == 400 and err.value.code == 50035
    embed = discord.Embed(title="t" * 257)
    with pytest.raises(discord.HTTPException):
        await channel.send(embed=embed)
    big = discord.Embed(title="t", description="d" * 4000)
    for _ in range(2):
        big.add_field(name="n", value="v" * 1024)
    with pytest.raises(discord.HTTPException) as err:
        await channel.send(embed=big)
    assert "6000" in str(err.value)
    assert discord_api.channel_messages(channel.id) == []


async def test_5xx_is_retried_by_discord_py(discord_api: FakeDiscord, client: _Bot) -> None:
    channel = client.get_channel(discord_api.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    discord_api.fail_next("POST", r"/channels/\d+/messages", status=502)
    await channel.send("survived")
    assert [m["content"] for m in discord_api.channel_messages(channel.id)] == ["survived"]


async def test_auto_sharded_client_uses_gateway_bot(discord_api: FakeDiscord) -> None:
    discord_api.gateway_shards = 2
    bot = discord.AutoShardedClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start(discord_api.token))
    try:
        await discord_api.wait_ready(shards=2, timeout=15)
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        assert bot.shard_count == 2
        assert sorted(i["shard"][0] for i in discord_api.identifies) == [0, 1]
        assert discord_api.calls("GET", "/gateway/bot")
    finally:
        await bot.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
