"""Outbox messages on Telegram, end to end: the alert engine's jailed alert reaches the owner through the
issue-5 delivery worker, its buttons work through our bot ("Mute 1h" suppresses the next alert,
"Details" shows the node); a new request reaches the admin chat, the admin approves it with a button,
and the user is told. Two real aiogram clients (the delivery worker's and the bot's) on one fake server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest_asyncio

from bot.alerts.engine import AlertEngine
from bot.db.types import Pool
from bot.domain.status import CycleReport, NodeStatus, Observation
from tests.bot.telegram.conftest import ADMIN_TG, USER_TG, Tg, running_with_delivery, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import give_node, wallet

ADMIN_CHAT = -100900
OWNER = "op@example.com"


@pytest_asyncio.fixture
async def live(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[Tg]:
    """The bot polling, plus the outbox delivery worker sending through the same fake server."""
    config = telegram_config(db_url, telegram_api, admin_chat=ADMIN_CHAT)
    async with running_with_delivery(telegram_api, pool, config) as tg:
        yield tg


async def cycle(tg: Tg, node_id: UUID, status: NodeStatus, at: datetime) -> None:
    observation = Observation(
        node_id=node_id,
        status=status,
        reason="validator jailed" if status is NodeStatus.JAILED else None,
        source="hyperfusion",
        observed_at=at,
        epoch_id=105,
    )
    report = CycleReport(
        started_at=at - timedelta(seconds=1),
        finished_at=at,
        observations=(observation,),
        sources=(),
        epoch_id=105,
    )
    async with tg.pool.acquire() as conn, conn.transaction():
        await AlertEngine(tg.config).on_cycle(conn, report)


async def test_jailed_alert_reaches_the_owner_and_mute_1h_from_the_button_silences_the_next(live: Tg) -> None:
    tg = live
    await tg.user(OWNER, telegram=USER_TG)
    node_id = await give_node(tg.pool, OWNER, wallet(1), "rig-a", status="healthy", history_days=7)
    now = datetime.now(UTC)
    await cycle(tg, node_id, NodeStatus.HEALTHY, now - timedelta(minutes=5))  # silent baseline
    await cycle(tg, node_id, NodeStatus.JAILED, now - timedelta(minutes=4))
    [alert] = await tg.fake.wait_sent(USER_TG)
    assert "rig-a" in alert.text and "jailed" in alert.text.lower()
    assert {"Mute 1h", "Mute 24h", "until resolved", "Details"} <= {
        part
        for b in alert.buttons
        for part in ("Mute 1h", "Mute 24h", "until resolved", "Details")
        if part in b["text"]
    }
    [details] = await tg.click(USER_TG, alert, "Details")
    assert "rig-a" in details.text and details.reply_to == alert.message_id
    [muted] = await tg.click(USER_TG, alert, "Mute 1h")
    assert "rig-a" in muted.text
    mute = await tg.pool.fetchrow("SELECT node_id, until_resolved, until FROM mutes")
    assert mute is not None and mute["node_id"] == node_id and not mute["until_resolved"]
    assert timedelta(minutes=55) < mute["until"] - datetime.now(UTC) <= timedelta(hours=1)
    # it recovers and is jailed again: the admin chat hears about it, the muted owner does not
    admin_before = len(tg.fake.sent_to(ADMIN_CHAT))
    for minutes in (3, 2):
        await cycle(tg, node_id, NodeStatus.HEALTHY, now - timedelta(minutes=minutes))
    await cycle(tg, node_id, NodeStatus.JAILED, now - timedelta(minutes=1))
    await tg.fake.wait_until(
        lambda: len(tg.fake.sent_to(ADMIN_CHAT)) >= admin_before + 2, what="admin alerts"
    )
    await asyncio.sleep(0.5)
    owner_messages = [m.text for m in tg.fake.sent_to(USER_TG)]
    assert owner_messages == [alert.text, details.text, muted.text]
    assert tg.fake.unanswered_callbacks() == []


async def test_a_new_request_reaches_the_admin_chat_and_approving_it_tells_the_user(live: Tg) -> None:
    tg = live
    await tg.user("root@example.com", telegram=ADMIN_TG, admin=True)
    await tg.user(OWNER, telegram=USER_TG)
    first = await tg.reply(USER_TG, "/request support")
    summary = await tg.reply(USER_TG, "my rig-a is stuck in PoC")
    assert first.text and "stuck" in summary.text
    [created] = await tg.click(USER_TG, summary, "Send")
    [card] = await tg.fake.wait_sent(ADMIN_CHAT)
    assert "stuck in PoC" in card.text
    assert {b["text"] for b in card.buttons} >= {
        next(b["text"] for b in card.buttons if "pprove" in b["text"])
    }
    # a non-admin in the admin chat cannot approve (told so, audited)
    refused = tg.fake.click(USER_TG, card, "pprove")
    await tg.fake.wait_until(lambda: refused not in tg.fake.unanswered_callbacks())
    assert "admin" in tg.answer_of(refused)["text"].lower()
    # the answer below the card (the outbox may post the request's update to the admin chat meanwhile)
    tg.fake.click(ADMIN_TG, card, "pprove")
    # the reply and the card's edit land in either order, beside the outbox's post of the update
    await tg.fake.wait_until(
        lambda: any(
            "approved" in (m.text or "").lower() for m in tg.fake.sent_to(ADMIN_CHAT) if m is not card
        ),
        what="the approval said in the admin chat",
    )
    await tg.fake.wait_until(lambda: card.reply_markup is None, what="the card's buttons removed")
    assert await tg.pool.fetchval("SELECT status FROM support_requests") == "approved"
    # the user is told through the outbox, after the admin's reply: wait for that message itself
    await tg.fake.wait_until(
        lambda: "approved" in (tg.fake.last_to(USER_TG).text or "").lower(), what="the user told"
    )
    assert created.text in [m.text for m in tg.fake.sent_to(USER_TG)]


async def test_an_admin_pressing_mute_in_the_admin_chat_silences_that_node_there_for_everyone(
    live: Tg,
) -> None:
    tg = live
    admin = await tg.user("root@example.com", telegram=ADMIN_TG, admin=True)
    await tg.user(OWNER, telegram=USER_TG)
    node_id = await give_node(tg.pool, OWNER, wallet(1), "rig-a", status="healthy")
    now = datetime.now(UTC)
    await cycle(tg, node_id, NodeStatus.HEALTHY, now - timedelta(minutes=5))  # silent baseline
    await cycle(tg, node_id, NodeStatus.JAILED, now - timedelta(minutes=4))
    [in_admin_chat] = await tg.fake.wait_sent(ADMIN_CHAT)
    await tg.fake.wait_sent(USER_TG)

    [told] = await tg.click(ADMIN_TG, in_admin_chat, "Mute 1h")
    assert told.chat_id == ADMIN_CHAT  # said in the channel, for everyone in it
    assert "rig-a" in told.text and "muted in this channel" in told.text and f"user {ADMIN_TG}" in told.text
    mute = await tg.pool.fetchrow("SELECT chat_id, node_id, muted_by FROM channel_mutes")
    assert dict(mute) == {"chat_id": str(ADMIN_CHAT), "node_id": node_id, "muted_by": admin.id}
    assert await tg.pool.fetchval("SELECT count(*) FROM mutes") == 0
    assert (
        await tg.pool.fetchval(
            "SELECT count(*) FROM admin_audit_log WHERE action = 'channel_mute' AND actor_user_id = $1",
            admin.id,
        )
        == 1
    )

    # it recovers and is jailed again: the owner hears both, the muted admin chat nothing
    admin_before = len(tg.fake.sent_to(ADMIN_CHAT))
    for minutes in (3, 2):
        await cycle(tg, node_id, NodeStatus.HEALTHY, now - timedelta(minutes=minutes))
    await cycle(tg, node_id, NodeStatus.JAILED, now - timedelta(minutes=1))
    await tg.fake.wait_until(lambda: len(tg.fake.sent_to(USER_TG)) >= 3, what="the owner's alerts")
    await asyncio.sleep(0.5)
    assert len(tg.fake.sent_to(ADMIN_CHAT)) == admin_before
