"""Alerts in each recipient's language: a person the bot knows no language of gets English, one whose
app is Russian gets Russian, a channel gets English; the dedup keys are the same in every language, so
a ``/language`` change never makes the same alert new again."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts.compose import build_node_notifications
from bot.alerts.engine import AlertEngine
from bot.alerts.events import EventKind, NodeEvent
from bot.db import languages
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS
from bot.domain.platforms import Target
from bot.i18n.catalogs import Catalogs
from tests.bot.alerts.helpers import T0, alert_config, obs, report
from tests.helpers import make_node, make_user


async def titles(pool: Pool) -> dict[tuple[str, str], str]:
    rows = await pool.fetch(
        "SELECT target_kind, target_id, payload FROM notifications WHERE kind = 'node_alert'"
    )
    return {(r["target_kind"], r["target_id"]): r["payload"]["title"] for r in rows}


async def test_an_unknown_language_gets_english_a_russian_app_russian_and_a_channel_english(
    pool: Pool, db_url: str
) -> None:
    config = alert_config(db_url)  # the admin chat -1001 gets every alert
    unknown = await make_user(pool, telegram="601")
    russian = await make_user(pool, telegram="602")
    await languages.remember_locale(pool, "telegram", "602", "ru-RU")
    await languages.remember_locale(pool, "telegram", "-1001", "ru")  # never a channel's language
    a = await make_node(pool, "rig-a", owner=unknown.id)
    b = await make_node(pool, "rig-b", owner=russian.id)
    engine = AlertEngine(config)
    async with pool.acquire() as conn:
        await engine.on_cycle(conn, report([obs(a.id, "H", T0), obs(b.id, "H", T0)], T0))
        at = T0 + timedelta(minutes=1)
        await engine.on_cycle(conn, report([obs(a.id, "J", at), obs(b.id, "J", at)], at))
    got = await titles(pool)
    assert got[("user", "601")] == "Jailed: rig-a"
    assert got[("user", "602")] == "В джейле: rig-b"
    assert got[("channel", "-1001")] == "2 nodes need attention"


async def test_the_dedup_key_is_the_same_in_every_language(pool: Pool, db_url: str) -> None:
    config = alert_config(db_url)
    owner = await make_user(pool, telegram="603")
    node = await make_node(pool, "rig-c", owner=owner.id)
    event = NodeEvent(
        kind=EventKind.ALERT,
        node_id=node.id,
        incident_id=node.id,
        status="jailed",
        previous="ok",
        since=T0,
        reason="validator jailed",
        source="hyperfusion",
        incident_started_at=T0,
        at=T0,
        condition=CONDITIONS["jailed"],
    )
    deliveries = {Target("telegram", "user", "603"): [event]}
    catalogs = Catalogs()
    before = await build_node_notifications(pool, config, deliveries, detected_at=T0, catalogs=catalogs)
    await languages.choose(pool, "telegram", "603", "zh")
    after = await build_node_notifications(pool, config, deliveries, detected_at=T0, catalogs=catalogs)
    assert before[0].message.title != after[0].message.title
    assert [n.dedup_key for n in before] == [n.dedup_key for n in after]
