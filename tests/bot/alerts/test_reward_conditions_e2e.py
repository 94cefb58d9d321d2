"""Conditions a-d end to end: the local tracker serving the 2026 shapes, the real poller and alert
engine on PostgreSQL, the real aiogram-based sender and discord.py's REST client against the local
Telegram and Discord. The owner gets one message naming the node, the condition, what it costs and
what to do. A source outage or a poisoned (skipped) participant row fires none of them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from bot.alerts.delivery.base import Sender
from bot.alerts.delivery.discord import DiscordSender
from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.alerts.engine import AlertEngine
from bot.config import Config
from bot.db.types import Pool
from tests.bot.alerts.test_delivery_telegram import tg_config
from tests.bot.discord.conftest import text as discord_text
from tests.bot.poller.conftest import make_poller
from tests.bot.poller.test_network_2026 import both_sources
from tests.fakes import tracker_server as ts
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.tracker_data import ACTIVE_2026
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import give_node, make_user

OWNER_TG = 5150


def _chain_row(tracker: TrackerServer) -> dict[str, Any]:
    assert tracker.chain_participants is not None
    row: dict[str, Any] = next(
        p for p in tracker.chain_participants["participant"] if p["index"] == ACTIVE_2026
    )
    return row


def exclude(tracker: TrackerServer) -> None:
    assert tracker.gonka_participants is not None
    tracker.gonka_participants["excluded_participants"].append(
        {"address": ACTIVE_2026, "reason": "failed_confirmation_poc", "exclusion_block_height": 5650000}
    )


def invalid(tracker: TrackerServer) -> None:
    _chain_row(tracker)["status"] = "INVALID"


def low_cpoc(tracker: TrackerServer) -> None:
    _chain_row(tracker)["current_epoch_stats"]["confirmationPoCRatio"] = {"value": "3", "exponent": -1}


def llr_rising(tracker: TrackerServer) -> None:
    # epoch 366's frozen invalidation threshold is 4: 3 is 75 %, past the default 60 % share
    _chain_row(tracker)["current_epoch_stats"]["invalidLLR"] = {"value": "3", "exponent": 0}


#: condition -> (what makes it so on the tracker, the title, words of its cost, words of what to do)
CASES: dict[str, tuple[Callable[[TrackerServer], None], str, str, str]] = {
    "excluded": (exclude, "Excluded from the epoch: rig-1", "Nothing is slashed", "What to do"),
    "chain_status": (invalid, "Chain status: rig-1", "Collateral is slashed", "INVALID: check"),
    "cpoc_ratio": (
        low_cpoc,
        "Low confirmation PoC (warning): rig-1",
        "reward of this epoch is lost",
        "ML node",
    ),
    "llr_warning": (llr_rising, "Early warning (SPRT) (warning): rig-1", "Nothing yet", "invalidLLR: check"),
}


def full_config(db_url: str, tracker: TrackerServer, tg: FakeTelegram, discord_config: Config) -> Config:
    cfg = both_sources(db_url, tracker)
    return cfg.model_copy(
        update={"telegram": tg_config(db_url, tg).telegram, "discord": discord_config.discord}
    )


async def deliver(pool: Pool, config: Config, sender: Sender, platform: str) -> None:
    alerts = config.alerts.model_copy(
        update={"retry_backoff_base_s": 0.05, "retry_backoff_max_s": 0.2, "outbox_poll_interval_s": 0.1}
    )
    task = asyncio.create_task(DeliveryWorker(pool, sender, alerts).run())
    try:
        async with asyncio.timeout(30):
            while await pool.fetchval(
                "SELECT count(*) FROM notifications WHERE platform = $1 AND status IN ('pending', 'sending')",
                platform,
            ):
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("name", list(CASES))
async def test_the_owner_hears_it_once_on_telegram_and_discord(
    pool: Pool,
    db_url: str,
    tracker2026: TrackerServer,
    telegram_api: FakeTelegram,
    discord_api: FakeDiscord,
    discord_config: Config,
    name: str,
) -> None:
    make_it_so, title, cost, todo = CASES[name]
    alice = discord_api.add_user("alice")
    await make_user(pool, "op@example.com", telegram=str(OWNER_TG), discord=str(alice.id))
    await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    cfg = full_config(db_url, tracker2026, telegram_api, discord_config)
    poller = make_poller(cfg, pool, db_url, AlertEngine(cfg))
    await poller.poll_cycle()  # the first start: a silent baseline
    make_it_so(tracker2026)
    for _ in range(3):
        await poller.poll_cycle()
    await deliver(pool, cfg, TelegramSender(cfg.telegram), "telegram")
    await deliver(pool, cfg, DiscordSender(cfg.discord), "discord")

    (tg,) = telegram_api.sent_to(OWNER_TG)
    (dm,) = discord_api.dms(alice)
    for shown in (tg.text or "", discord_text(dm)):
        assert title in shown, shown
        assert ACTIVE_2026 in shown
        assert "What it costs" in shown and cost in shown
        assert todo in shown


async def test_a_source_outage_fires_none_of_them(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    await make_user(pool, "op@example.com", telegram=str(OWNER_TG))
    await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    cfg = both_sources(db_url, tracker2026)
    poller = make_poller(cfg, pool, db_url, AlertEngine(cfg))
    await poller.poll_cycle()
    for make_it_so, *_ in CASES.values():
        make_it_so(tracker2026)
    tracker2026.fault(ts.GA_PARTICIPANTS, "status", status=503)
    tracker2026.fault(ts.GA_CHAIN, "status", status=503)
    for _ in range(4):
        await poller.poll_cycle()
    kinds = [r["kind"] for r in await pool.fetch("SELECT kind FROM notifications")]
    assert not [k for k in kinds if k.startswith("node_")], kinds


async def test_a_poisoned_participant_row_fires_none_of_them(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    await make_user(pool, "op@example.com", telegram=str(OWNER_TG))
    await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    cfg = both_sources(db_url, tracker2026)
    poller = make_poller(cfg, pool, db_url, AlertEngine(cfg))
    await poller.poll_cycle()
    for make_it_so in (invalid, low_cpoc, llr_rising):
        make_it_so(tracker2026)
    _chain_row(tracker2026)["current_epoch_stats"]["confirmationPoCRatio"] = "not a decimal"  # poisoned
    for _ in range(4):
        report = await poller.poll_cycle()
    assert {o.status.value for o in report.observations} == {"unknown"}
    assert await pool.fetchval("SELECT count(*) FROM notifications") == 0
