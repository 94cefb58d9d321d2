"""Issue 17's journeys on Discord, through the real discord.py client against the local Discord: a
Russian and a Chinese host operator get /help, /nodes, a jail alert in their DMs and its recovery in the
language of their Discord client (``interaction.locale``); after /language the next alert comes in the
language they chose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from bot.alerts.engine import AlertEngine
from tests.bot.alerts.helpers import T0, obs, report
from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.fakes.discord_api import FakeUser
from tests.helpers import give_node, make_user, wallet

EXPECT = {
    "ru": {
        "help": "Доступные вам команды",
        "nodes": "Ваши ноды (1)",
        "alert": "В джейле: {node}",
        "cost": "Чем грозит:",
        "mute": "Заглушить на 1 ч",
        "recovered": "Восстановилась: {node}",
        "recovery": "Валидатор вышел из джейла.",
    },
    "zh": {
        "help": "你可以使用的命令",
        "nodes": "你的节点（1 个）",
        "alert": "被监禁（jailed）：{node}",
        "cost": "代价：",
        "mute": "静音1小时",
        "recovered": "已恢复：{node}",
        "recovery": "验证者已解除监禁。",
    },
}


class Chain:
    def __init__(self, h: Harness, node_id: UUID) -> None:
        self.h, self.node_id, self.at = h, node_id, T0
        self.engine = AlertEngine(h.config)

    async def step(self, status: str, times: int = 1) -> None:
        for _ in range(times):
            self.at += timedelta(minutes=1)
            async with self.h.pool.acquire() as conn:
                await self.engine.on_cycle(conn, report([obs(self.node_id, status, self.at)], self.at))


async def jailed_and_back(h: Harness, chain: Chain, user: FakeUser) -> tuple[dict[str, Any], dict[str, Any]]:
    before = len(h.fake.dms(user))
    await chain.step("J")
    await chain.step("H", h.config.alerts.recovery_polls)
    await deliver_outbox(h)
    alert, recovery = h.fake.dms(user)[before:]
    return alert, recovery


def assert_alert_in(language: str, alert: dict[str, Any], recovery: dict[str, Any]) -> None:
    words = EXPECT[language]
    assert words["alert"].format(node="rig-d") in text(alert), text(alert)
    assert words["cost"] in text(alert), text(alert)
    labels = [b.get("label") or "" for row in alert["components"] for b in row["components"]]
    assert any(words["mute"] in label for label in labels), labels
    assert words["recovered"].format(node="rig-d") in text(recovery), text(recovery)
    assert words["recovery"] in text(recovery), text(recovery)


@pytest.mark.parametrize(("locale", "language", "switch_to"), [("ru", "ru", "zh"), ("zh-CN", "zh", "ru")])
async def test_help_nodes_and_a_jail_alert_come_in_the_clients_language_then_in_the_chosen_one(
    running: Harness, locale: str, language: str, switch_to: str
) -> None:
    h = running
    dana = h.user("dana")
    h.fake.locales[dana.id] = locale
    await make_user(h.pool, "dana@example.com", discord=str(dana.id))
    node_id = await give_node(h.pool, "dana@example.com", wallet(4), "rig-d", status="healthy")
    words = EXPECT[language]

    shown = text(await (await h.fake.slash(dana, "help")).reply())
    assert words["help"] in shown, shown
    nodes = text(await (await h.fake.slash(dana, "nodes")).reply())
    assert words["nodes"] in nodes, nodes

    chain = Chain(h, node_id)
    await chain.step("H")  # the silent baseline
    assert_alert_in(language, *await jailed_and_back(h, chain, dana))

    await (await h.fake.slash(dana, "language", language=switch_to)).reply()
    assert_alert_in(switch_to, *await jailed_and_back(h, chain, dana))
