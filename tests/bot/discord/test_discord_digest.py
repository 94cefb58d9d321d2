"""/digest on Discord: the hour is set with the slash command and the digest reaches the user's DMs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import DigestConfig
from bot.digests.scheduler import Digests
from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.helpers import give_node, make_user, wallet


async def test_digest_is_set_by_slash_command_and_delivered_in_dm(running: Harness) -> None:
    alice = running.user("alice")
    await make_user(running.pool, "alice@example.com", discord=str(alice.id))
    await give_node(running.pool, "alice@example.com", wallet(1), "rig-one", status="offline")
    ix = await running.fake.slash(
        alice, "digest", running.fake.guild.channel("general"), schedule="07:00 Asia/Shanghai"
    )
    reply = text(await ix.reply())
    assert "07:00 Asia/Shanghai (23:00 UTC)" in reply
    bad = text(await (await running.fake.slash(alice, "digest", schedule="7 o'clock")).reply())
    assert "/digest" in bad  # the usage, not an error
    # 07:00 in Shanghai is 23:00 UTC the day before
    at = datetime(2026, 12, 6, 23, 0, 30, tzinfo=UTC)
    assert await Digests(running.pool, DigestConfig(), clock=lambda: at).send_due() == 1
    [digest] = await deliver_outbox(running, "digest")
    shown = text(digest)
    assert "Daily digest" in shown and "rig-one" in shown and "offline" in shown
    assert (
        await Digests(running.pool, DigestConfig(), clock=lambda: at + timedelta(minutes=5)).send_due() == 0
    )
