"""Issue 17's journeys on Telegram, through the real aiogram clients (the bot's and the delivery
worker's) against the local Bot API: a Russian and a Chinese host operator get /help, /nodes, a jail
alert and its recovery in the language of their Telegram app (``language_code``); after /language the
next alert comes in the language they chose."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
import pytest_asyncio

from bot.alerts.engine import AlertEngine
from bot.db.types import Pool
from tests.bot.alerts.helpers import obs, report
from tests.bot.telegram.conftest import Tg, running_with_delivery, telegram_config
from tests.fakes.telegram_api import FakeMessage, FakeTelegram
from tests.helpers import give_node, wallet

RU_TG = 700101
ZH_TG = 700102

#: what each language's messages must say (the catalogue's translations, as a reader sees them)
EXPECT = {
    "ru": {
        "help": "Доступные вам команды",
        "nodes": "Ваши ноды (1)",
        "healthy": "в норме",
        "alert": "В джейле: {node}",
        "what": "Что случилось:",
        "cost": "Чем грозит:",
        "mute": "Заглушить на 1 ч",
        "recovered": "Восстановилась: {node}",
        "recovery": "Валидатор вышел из джейла.",
        "down_for": "Простой",
    },
    "zh": {
        "help": "你可以使用的命令",
        "nodes": "你的节点（1 个）",
        "healthy": "正常",
        "alert": "被监禁（jailed）：{node}",
        "what": "发生了什么：",
        "cost": "代价：",
        "mute": "静音1小时",
        "recovered": "已恢复：{node}",
        "recovery": "验证者已解除监禁。",
        "down_for": "中断了",
    },
}


@pytest_asyncio.fixture
async def live(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[Tg]:
    config = telegram_config(db_url, telegram_api)
    async with running_with_delivery(telegram_api, pool, config) as tg:
        yield tg


class Chain:
    """The alert engine judging one node's cycles, a minute apart."""

    def __init__(self, tg: Tg, node_id: UUID) -> None:
        self.tg, self.node_id = tg, node_id
        self.engine = AlertEngine(tg.config)
        self.at = datetime.now(UTC) - timedelta(hours=1)

    async def step(self, status: str, times: int = 1) -> None:
        for _ in range(times):
            self.at += timedelta(minutes=1)
            async with self.tg.pool.acquire() as conn, conn.transaction():
                await self.engine.on_cycle(conn, report([obs(self.node_id, status, self.at)], self.at))


async def jailed_and_back(tg: Tg, chain: Chain, chat: int) -> tuple[FakeMessage, FakeMessage]:
    before = len(tg.fake.sent_to(chat))
    await chain.step("J")
    [alert] = (await tg.fake.wait_sent(chat, before + 1))[before:]
    await chain.step("H", tg.config.alerts.recovery_polls)
    [recovery] = (await tg.fake.wait_sent(chat, before + 2))[before + 1 :]
    return alert, recovery


def assert_alert_in(language: str, alert: FakeMessage, recovery: FakeMessage, node: str) -> None:
    words = EXPECT[language]
    assert words["alert"].format(node=node) in alert.text, alert.text
    assert words["what"] in alert.text and words["cost"] in alert.text, alert.text
    assert any(words["mute"] in b["text"] for b in alert.buttons), alert.buttons
    assert words["recovered"].format(node=node) in recovery.text, recovery.text
    assert words["recovery"] in recovery.text and words["down_for"] in recovery.text, recovery.text
    assert recovery.reply_to == alert.message_id


@pytest.mark.parametrize(
    ("chat", "app_language", "language", "switch_to"),
    [(RU_TG, "ru", "ru", "zh"), (ZH_TG, "zh-hans", "zh", "ru")],
)
async def test_help_nodes_and_a_jail_alert_come_in_the_apps_language_then_in_the_chosen_one(
    live: Tg, chat: int, app_language: str, language: str, switch_to: str
) -> None:
    tg = live
    await tg.user(f"{language}@example.com", telegram=chat)
    email = f"{language}@example.com"
    node_id = await give_node(tg.pool, email, wallet(chat % 100), "rig-a", status="healthy")
    tg.fake.language_codes[chat] = app_language
    words = EXPECT[language]

    help_ = await tg.reply(chat, "/help")
    assert words["help"] in help_.text, help_.text
    nodes = await tg.reply(chat, "/nodes")
    assert words["nodes"] in nodes.text and words["healthy"] in nodes.text, nodes.text

    chain = Chain(tg, node_id)
    await chain.step("H")  # the silent baseline
    alert, recovery = await jailed_and_back(tg, chain, chat)
    assert_alert_in(language, alert, recovery, "rig-a")

    await tg.reply(chat, f"/language {switch_to}")
    alert, recovery = await jailed_and_back(tg, chain, chat)
    assert_alert_in(switch_to, alert, recovery, "rig-a")
