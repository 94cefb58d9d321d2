"""Every condition of the table × {fires, confirms, recovers, silent on unknown, silent at baseline,
muted, setting off}: real PostgreSQL, the engine called per cycle exactly as the poller calls it, and
what one owner (on Telegram) was sent.

Also: a made-up condition added with only a table entry and a detector is delivered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from bot.alerts.engine import AlertEngine
from bot.db.types import Conn, Pool
from bot.domain.conditions import CONDITIONS, Condition, ConditionTable, NodeFacts, Reading, State, Texts
from bot.domain.status import CycleReport, Observation
from tests.bot.alerts.conditions_scenarios import SCENARIOS, Scenario, healthy, network, unknown
from tests.bot.alerts.helpers import T0, alert_config, notifications
from tests.helpers import make_node, make_user

OWNER_TG = "4242"


class DictCollector:
    """Per-node data for detectors, as a collector (e.g. per-host probes) would read it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[UUID, object] = {}

    async def collect(self, conn: Conn, node_ids: list[UUID]) -> Mapping[UUID, object]:
        return {n: self.data[n] for n in node_ids if n in self.data}


class Rig:
    def __init__(
        self,
        pool: Pool,
        engine: AlertEngine,
        node_id: UUID,
        scenario: Scenario,
        collectors: Sequence[DictCollector],
    ) -> None:
        self.pool, self.engine, self.node_id, self.scenario = pool, engine, node_id, scenario
        self.collectors = collectors
        self.minute = 0

    async def cycle(self, token: str) -> list[dict[str, Any]]:
        """One cycle: ``ok``, ``fail`` or ``?``; the owner's notifications it enqueued."""
        at = T0 + timedelta(minutes=self.minute)
        self.minute += 1
        o: Observation
        for c in self.collectors:
            c.data.pop(self.node_id, None)
        if token == "ok":
            o = healthy(self.node_id, at)
            for c in self.collectors:
                if c.name in self.scenario.extra_ok:
                    c.data[self.node_id] = self.scenario.extra_ok[c.name]
        elif token == "fail":
            o = self.scenario.failing(self.node_id, at)
            for c in self.collectors:
                if c.name in self.scenario.extra:
                    c.data[self.node_id] = self.scenario.extra[c.name]
        else:
            o = unknown(self.node_id, at)
        before = len(await notifications(self.pool, target_id=OWNER_TG))
        async with self.pool.acquire() as conn, conn.transaction():
            await self.engine.on_cycle(conn, _report(o, at))
        return (await notifications(self.pool, target_id=OWNER_TG))[before:]

    async def run(self, tokens: str) -> list[str]:
        """Each cycle's owner notifications as kinds (``-`` when none)."""
        out = []
        for t in tokens.split():
            rows = await self.cycle(t)
            out.append(",".join(r["kind"].removeprefix("node_") for r in rows) or "-")
        return out


def _report(o: Observation, at: datetime) -> CycleReport:
    return CycleReport(
        started_at=at - timedelta(seconds=1), finished_at=at, observations=(o,), sources=(), epoch_id=105,
        network=network(at),
    )  # fmt: skip


async def rig(pool: Pool, db_url: str, name: str, table: ConditionTable = CONDITIONS, **alerts: Any) -> Rig:
    scenario = SCENARIOS[name]
    collectors = [DictCollector(k) for k in {**scenario.extra, **scenario.extra_ok}]
    config = alert_config(db_url, admin_telegram_chat_ids=[], reminder_interval_s=86400, **alerts)
    engine = AlertEngine(config, conditions=table, collectors=collectors)
    user = await make_user(pool, telegram=OWNER_TG)
    # every setting on, so a default-off condition is heard too
    await pool.execute(
        "INSERT INTO user_alert_settings (user_id, conditions) VALUES ($1, $2)",
        user.id,
        {c.setting: True for c in table},
    )
    node = await make_node(pool, "rig-1", owner=user.id)
    return Rig(pool, engine, node.id, scenario, collectors)


def test_every_condition_has_a_scenario() -> None:
    assert set(SCENARIOS) == {c.name for c in CONDITIONS}


NAMES = [c.name for c in CONDITIONS]


def _confirm(name: str) -> int:
    return CONDITIONS[name].confirm_polls


@pytest.mark.parametrize("name", NAMES)
async def test_fires_once_naming_the_condition_its_cost_and_what_to_do(
    pool: Pool, db_url: str, name: str
) -> None:
    r = await rig(pool, db_url, name)
    n = _confirm(name)
    got = await r.run("ok " + "fail " * (n + 2))
    assert got == ["-"] * n + ["alert"] + ["-"] * 2
    (alert,) = [x for x in await notifications(pool, target_id=OWNER_TG)]
    text = str(alert["payload"])
    cond = CONDITIONS[name]
    assert SCENARIOS[name].title.lower() in alert["payload"]["title"].lower()
    assert "rig-1" in alert["payload"]["title"]
    assert "What it costs" in text and "What to do" in text and cond.texts.todo[0][:30] in text


@pytest.mark.parametrize("name", NAMES)
async def test_confirms_after_the_configured_polls_and_flapping_never_does(
    pool: Pool, db_url: str, name: str
) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 3})
    assert await r.run("ok fail fail ok fail fail ok") == ["-"] * 7
    assert await r.run("fail fail fail") == ["-", "-", "alert"]


@pytest.mark.parametrize("name", NAMES)
async def test_recovers_with_the_recovery_text(pool: Pool, db_url: str, name: str) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 1}, recovery_polls=2)
    assert await r.run("ok fail ok ok") == ["-", "alert", "-", "recovery"]
    recovery = (await notifications(pool, target_id=OWNER_TG))[-1]
    assert CONDITIONS[name].texts.recovery in str(recovery["payload"])
    assert (
        recovery["reply_to_incident"] == (await notifications(pool, target_id=OWNER_TG))[0]["incident_ids"][0]
    )


@pytest.mark.parametrize("name", NAMES)
async def test_silent_on_unknown(pool: Pool, db_url: str, name: str) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 1})
    assert await r.run("ok ? ? ? ?") == ["-"] * 5
    assert await r.run("fail ? ? ? ?") == ["alert", "-", "-", "-", "-"]  # unknown never recovers


@pytest.mark.parametrize("name", NAMES)
async def test_silent_at_baseline(pool: Pool, db_url: str, name: str) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 1})
    assert await r.run("fail fail fail ok ok ok") == ["-"] * 6


@pytest.mark.parametrize("name", NAMES)
async def test_muted(pool: Pool, db_url: str, name: str) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 1})
    user_id = await pool.fetchval("SELECT id FROM users WHERE telegram = $1", OWNER_TG)
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until) VALUES ($1, $2, $3)",
        user_id,
        r.node_id,
        T0 + timedelta(days=1),
    )
    assert await r.run("ok fail fail ok ok") == ["-"] * 5


@pytest.mark.parametrize("name", NAMES)
async def test_setting_off(pool: Pool, db_url: str, name: str) -> None:
    r = await rig(pool, db_url, name, confirm_polls={name: 1})
    await pool.execute(
        "UPDATE user_alert_settings SET conditions = conditions || jsonb_build_object($1::text, false)",
        CONDITIONS[name].setting,
    )
    assert await r.run("ok fail fail ok ok") == ["-"] * 5


# --- a made-up condition: one table entry and its detector ------------------------------------


def _fan_noise(facts: NodeFacts) -> Reading:
    decibels = facts.extra.get("fans")
    if not isinstance(decibels, int):
        return Reading(State.UNKNOWN)
    numbers = (("Fan noise", f"{decibels} dB"),)
    return Reading(State.FAILING if decibels > 80 else State.OK, numbers=numbers)


FAN_NOISE = Condition(
    name="fan_noise",
    detector=_fan_noise,
    texts=Texts(
        title="Loud fans",
        what="The rig's fans are louder than 80 dB.",
        cost="Your neighbours' goodwill.",
        todo=("Clean the filters.",),
        recovery="The fans are quiet again.",
    ),
    setting="fan_noise",
    metric="fan_noise",
    urgent=False,
)


async def test_a_made_up_condition_with_only_an_entry_and_a_detector_is_delivered(
    pool: Pool, db_url: str
) -> None:
    table = ConditionTable([*CONDITIONS, FAN_NOISE])
    scenario = Scenario(lambda n, at: healthy(n, at), extra={"fans": 95}, extra_ok={"fans": 40})
    fans = DictCollector("fans")
    config = alert_config(db_url, admin_telegram_chat_ids=[])
    engine = AlertEngine(config, conditions=table, collectors=[fans])
    user = await make_user(pool, telegram=OWNER_TG)
    node = await make_node(pool, "rig-1", owner=user.id)
    r = Rig(pool, engine, node.id, scenario, [fans])
    assert await r.run("ok fail fail ok") == ["-", "alert", "-", "-"]  # recovery needs 2 polls
    assert await r.run("ok") == ["recovery"]
    alert = (await notifications(pool, target_id=OWNER_TG))[0]
    assert alert["payload"]["title"] == "Loud fans: rig-1"
    assert "95 dB" in str(alert["payload"]) and "Clean the filters." in str(alert["payload"])
    # its setting exists by itself in /settings' list, default on
    from bot.services.settings import switches

    assert ("fan_noise", "Loud fans") in [(s.name, s.label) for s in switches(table)]
