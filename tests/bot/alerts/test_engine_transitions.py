"""Every alert rule (docs/architecture.md, "Status → alert") as a table: a node's observed statuses,
cycle by cycle, and what the admin channel (which gets every alert) was sent after each cycle. Real
PostgreSQL, one engine call per cycle, exactly as the poller makes it.

Letters: H healthy, U unhealthy, J jailed, O offline, ? unknown; a trailing ``*`` marks a cycle in
the epoch's PoC phase. Expected: ``-`` nothing, ``A`` alert, ``C`` change of an open incident,
``R`` recovery, ``M`` reminder. Config: jailed confirms at once, offline/unhealthy after 3 polls,
recovery after 2.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.alerts.engine import AlertEngine
from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS, Condition, ConditionTable, NodeFacts, Reading, State, Texts
from tests.bot.alerts.helpers import T0, alert_config, notifications, obs, report
from tests.helpers import make_node

KIND_LETTER = {"node_alert": "A", "node_recovery": "R", "node_reminder": "M"}

CASES = [
    ("first sight healthy is a silent baseline", "H H", "- -"),
    ("first sight jailed is a silent baseline, and its end says nothing", "J J H H H", "- - - - -"),
    ("first sight offline is a silent baseline", "O O O O", "- - - -"),
    ("jailed fires at once", "H J", "- A"),
    ("jailed fires once, not on every poll", "H J J J", "- A - -"),
    ("offline needs 3 consecutive polls", "H O O O", "- - - A"),
    ("unhealthy needs 3 consecutive polls", "H U U U U", "- - - A -"),
    ("flapping offline never confirms", "H O O H O O H O O H", "- - - - - - - - - -"),
    ("recovery needs 2 consecutive healthy polls", "H J H H", "- A - R"),
    ("flapping recovery never confirms until stable", "H J H J H J H H H", "- A - - - - - R -"),
    ("offline recovers after 2 healthy", "H O O O H H", "- - - A - R"),
    ("unknown never fires", "H ? ? ? ? ?", "- - - - - -"),
    ("unknown does not advance an offline count", "H O ? O ? ?", "- - - - - -"),
    ("unknown does not reset an offline count", "H O O ? ? O", "- - - - - A"),
    ("unknown during an alert neither recovers nor resets", "H J ? ? ? J", "- A - - - -"),
    ("unknown does not reset a recovery count", "H J H ? H", "- A - - R"),
    ("first sight unknown leaves no state; the next known status is the baseline", "? ? J H H", "- - - - -"),
    ("offline is held during PoC", "H O* O* O* O* O*", "- - - - - -"),
    ("offline after PoC still needs its 3 polls", "H O* O* O O O", "- - - - - A"),
    ("PoC hold does not reset the offline count", "H O O O* O", "- - - - A"),
    ("jailed fires at once even during PoC", "H J*", "- A"),
    ("recovery counts during PoC", "H J H* H*", "- A - R"),
    ("offline then jailed is a change of the open incident", "H O O O J H H", "- - - A C - R"),
    ("jailed then offline is a change after 3 polls", "H J O O O H H", "- A - - C - R"),
    ("pending offline interrupted by jailed fires jailed", "H O O J", "- - - A"),
    ("a second incident after recovery fires again", "H J H H J", "- A - R A"),
    ("unhealthy then healthy recovers", "H U U U H H", "- - - A - R"),
]


@pytest.mark.parametrize(("name", "seen", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_transition_table(pool: Pool, db_url: str, name: str, seen: str, expected: str) -> None:
    engine = AlertEngine(alert_config(db_url, reminder_interval_s=86400))
    node = await make_node(pool, "rig-1")
    got: list[str] = []
    for i, token in enumerate(seen.split()):
        at = T0 + timedelta(minutes=i)
        before = len(await notifications(pool))
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, token[0], at)], at, poc=token.endswith("*")))
        rows = (await notifications(pool))[before:]
        assert len(rows) <= 1, rows
        if not rows:
            got.append("-")
        elif rows[0]["kind"] == "node_alert" and rows[0]["reply_to_incident"] is not None:
            got.append("C")
        else:
            got.append(KIND_LETTER[rows[0]["kind"]])
    assert " ".join(got) == expected


async def test_reminders_repeat_at_the_interval_up_to_the_cap(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, reminder_interval_s=3600, reminder_max=2))
    node = await make_node(pool, "rig-1")
    times = [T0, T0 + timedelta(minutes=1)]  # baseline, alert
    times += [T0 + timedelta(minutes=1 + m) for m in (30, 61, 90, 122, 183, 250)]
    kinds = []
    for i, at in enumerate(times):
        status = "H" if i == 0 else "J"
        before = len(await notifications(pool))
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, status, at)], at))
        kinds += [r["kind"] for r in (await notifications(pool))[before:]] or ["-"]
    # reminder 1 an hour after the alert, reminder 2 an hour after that, then the cap
    assert kinds == ["-", "node_alert", "-", "node_reminder", "-", "node_reminder", "-", "-"]
    reminders = [r for r in await notifications(pool) if r["kind"] == "node_reminder"]
    alert = next(r for r in await notifications(pool) if r["kind"] == "node_alert")
    assert all(r["reply_to_incident"] == alert["incident_ids"][0] for r in reminders)
    assert "Reminder 2 of 2" in str(reminders[1]["payload"])


async def test_no_reminders_while_unknown(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url, reminder_interval_s=3600))
    node = await make_node(pool, "rig-1")
    seq = [(T0, "H"), (T0 + timedelta(minutes=1), "J"), (T0 + timedelta(hours=3), "?")]
    for at, status in seq:
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, status, at)], at))
    assert [r["kind"] for r in await notifications(pool)] == ["node_alert"]


async def test_recovery_says_how_long_and_replies_to_the_alert(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))
    node = await make_node(pool, "rig-1")
    seq = [(0, "H"), (1, "O"), (2, "O"), (3, "O"), (125, "H"), (126, "H")]
    for minute, status in seq:
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, status, at)], at))
    alert, recovery = await notifications(pool)
    assert recovery["kind"] == "node_recovery"
    assert recovery["reply_to_incident"] == alert["incident_ids"][0]
    text = str(recovery["payload"])
    # offline since the first offline poll (minute 1), healthy since minute 125: down 2h 4m
    assert "Down for 2h 4m" in text
    assert "Since: Dec 1, 2026 12:01 UTC" in str(alert["payload"])


async def test_a_repeated_cycle_enqueues_nothing_twice(pool: Pool, db_url: str) -> None:
    engine = AlertEngine(alert_config(db_url))
    node = await make_node(pool, "rig-1")
    async with pool.acquire() as conn, conn.transaction():
        await engine.on_cycle(conn, report([obs(node.id, "H", T0)], T0))
    at = T0 + timedelta(minutes=1)
    jailed = report([obs(node.id, "J", at)], at)
    for _ in range(3):
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, jailed)
    assert [r["kind"] for r in await notifications(pool)] == ["node_alert"]


async def test_a_failed_cycle_transaction_leaves_no_state_and_no_notification(
    pool: Pool, db_url: str
) -> None:
    engine = AlertEngine(alert_config(db_url))
    node = await make_node(pool, "rig-1")
    async with pool.acquire() as conn, conn.transaction():
        await engine.on_cycle(conn, report([obs(node.id, "H", T0)], T0))
    at = T0 + timedelta(minutes=1)

    class Boom(Exception):
        pass

    async def failing_cycle() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, "J", at)], at))
            raise Boom  # the poller's transaction fails after the engine ran

    with pytest.raises(Boom):
        await failing_cycle()
    assert await notifications(pool) == []
    async with pool.acquire() as conn, conn.transaction():
        await engine.on_cycle(conn, report([obs(node.id, "J", at)], at))
    assert [r["kind"] for r in await notifications(pool)] == ["node_alert"]


async def test_a_steady_node_is_not_rewritten_every_cycle(pool: Pool, db_url: str) -> None:
    """10,000 steady nodes must not cost 10,000 row writes per poll; a change is still saved, and a
    node back to ok with nothing pending keeps no row."""
    engine = AlertEngine(alert_config(db_url, reminder_interval_s=86400))
    node = await make_node(pool, "rig-1")

    async def cycle(token: str, minute: int) -> tuple[object, str | None]:
        at = T0 + timedelta(minutes=minute)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, token, at)], at))
        seen = await pool.fetchval("SELECT xmin::text FROM alert_nodes WHERE node_id = $1", node.id)
        state = await pool.fetchval(
            "SELECT last_observed_status FROM alert_state WHERE node_id = $1 AND condition_group = 'status'",
            node.id,
        )
        return seen, state

    baseline = await cycle("H", 0)
    assert baseline[0] is not None and baseline[1] is None  # seen; ok with nothing pending: no row
    assert await cycle("H", 1) == baseline
    assert await cycle("H", 2) == baseline
    assert await cycle("O", 3) == (baseline[0], "offline")  # pending offline: written
    assert await cycle("H", 4) == baseline  # ok again before it was confirmed: the row goes


async def test_an_unchanged_ok_node_is_not_judged_again_and_a_changed_or_troubled_one_is(
    pool: Pool, db_url: str
) -> None:
    """A steady cycle skips nodes whose detectors' inputs did not change and read ok: stepping them
    would change nothing. A changed observation, or a node with a problem (reminders, counts), is
    judged every cycle."""
    judged: list[str] = []

    def counting(facts: NodeFacts) -> Reading:
        judged.append(facts.obs.status.value)
        return Reading(State.OK)

    extra = Condition(
        name="counted",
        detector=counting,
        texts=Texts(title="Counted", what="w", cost="c", todo=("t",), recovery="r"),
        setting="counted",
        metric="counted",
        urgent=False,
    )
    engine = AlertEngine(
        alert_config(db_url, reminder_interval_s=86400), conditions=ConditionTable([*CONDITIONS, extra])
    )
    node = await make_node(pool, "rig-1")

    async def cycle(token: str, minute: int) -> int:
        at = T0 + timedelta(minutes=minute)
        before = len(judged)
        async with pool.acquire() as conn, conn.transaction():
            await engine.on_cycle(conn, report([obs(node.id, token, at)], at))
        return len(judged) - before

    assert [await cycle("H", m) for m in range(3)] == [1, 0, 0]  # the same healthy node: judged once
    assert await cycle("J", 3) == 1  # changed: judged (and alerted)
    assert [await cycle("J", m) for m in (4, 5)] == [1, 1]  # an open incident: judged every cycle
    assert [await cycle("H", m) for m in (6, 7, 8, 9)] == [1, 1, 0, 0]  # recovered (2 polls), then steady
    kinds = [r["kind"] for r in await notifications(pool)]
    assert kinds == ["node_alert", "node_recovery"]
