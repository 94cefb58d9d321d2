"""Quiet hours: inside the user's window node alerts are held, except the conditions they call urgent;
when it ends what was held comes as one message (a recovery folded into its alert); nothing is lost."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from bot.db import quiet_hours as quiet_db
from bot.db.outbox import HOLD_GRACE, NewNotification, enqueue
from bot.db.quiet_hours import QuietChoice
from bot.db.types import Pool
from bot.quiet_hours.folder import QuietHoursFolder
from bot.render.message import Message
from tests.helpers import make_user

CHAT = "1001"


def around_now() -> QuietChoice:
    """A window (in UTC) that holds the database's now: from an hour ago to an hour ahead."""
    now = datetime.now(UTC)
    return QuietChoice((now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time(), "UTC")


def alert(
    title: str, condition: str, *, kind: str = "node_alert", incident: uuid.UUID | None = None
) -> NewNotification:
    return NewNotification(
        platform="telegram",
        target_kind="user",
        target_id=CHAT,
        kind=kind,
        message=Message.text(
            f"{title} details", title=title, severity="success" if kind == "node_recovery" else "warning"
        ),
        dedup_key=f"{kind}:{title}",
        incident_ids=(incident or uuid.uuid4(),),
        conditions=(condition,),
    )


async def held(pool: Pool) -> dict[str, datetime | None]:
    rows = await pool.fetch(
        "SELECT payload ->> 'title' AS t, held_until FROM notifications ORDER BY created_at"
    )
    return {r["t"]: r["held_until"] for r in rows}


async def quiet_user(pool: Pool, choice: QuietChoice | None = None) -> None:
    user = await make_user(pool, telegram=CHAT)
    await quiet_db.set_choice(pool, user.id, choice or around_now())


async def test_inside_the_window_offline_is_held_and_jailed_goes_at_once(pool: Pool) -> None:
    await quiet_user(pool)
    await enqueue(pool, [alert("rig-a offline", "offline"), alert("rig-b jailed", "jailed")])
    state = await held(pool)
    assert state["rig-b jailed"] is None  # urgent by default
    until = state["rig-a offline"]
    assert until is not None and until > datetime.now(UTC)
    due_at = await pool.fetchval("SELECT next_attempt_at FROM notifications WHERE held_until IS NOT NULL")
    assert due_at == until + HOLD_GRACE  # a fold that never comes still lets it go on its own


async def test_outside_the_window_or_without_one_nothing_is_held(pool: Pool) -> None:
    now = datetime.now(UTC)
    later = QuietChoice((now + timedelta(hours=2)).time(), (now + timedelta(hours=3)).time(), "UTC")
    await quiet_user(pool, later)
    await make_user(pool, telegram="2002")  # no quiet hours at all
    other = alert("rig-c offline", "offline")
    await enqueue(pool, [alert("rig-a offline", "offline"), replace(other, target_id="2002")])
    assert set((await held(pool)).values()) == {None}


async def test_the_user_chooses_what_is_urgent(pool: Pool) -> None:
    await quiet_user(pool, replace(around_now(), urgent=("offline",)))
    await enqueue(pool, [alert("rig-a offline", "offline"), alert("rig-b jailed", "jailed")])
    state = await held(pool)
    assert state["rig-a offline"] is None and state["rig-b jailed"] is not None


async def test_a_window_across_midnight_ends_the_next_morning(pool: Pool) -> None:
    user = await make_user(pool, telegram=CHAT)
    await quiet_db.set_choice(pool, user.id, QuietChoice(time(23, 0), time(7, 0), "Europe/Moscow"))
    at_night = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)  # 00:30 in Moscow
    late_evening = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    midday = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
    sql = "SELECT minegnk_quiet_until('telegram', $1, $2, '{offline}')"
    assert await pool.fetchval(sql, CHAT, at_night) == datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    assert await pool.fetchval(sql, CHAT, late_evening) == datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    assert await pool.fetchval(sql, CHAT, midday) is None


async def test_at_the_end_three_held_alerts_come_as_one_message_with_the_recovery_folded(pool: Pool) -> None:
    await quiet_user(pool)
    incident = uuid.uuid4()
    for item in (
        alert("rig-a offline", "offline", incident=incident),
        alert("rig-b offline", "offline"),
        alert("rig-c offline", "offline"),
        alert("rig-a recovered", "offline", kind="node_recovery", incident=incident),
    ):
        await enqueue(pool, [item])
    folder = QuietHoursFolder(pool, clock=lambda: datetime.now(UTC) + timedelta(hours=2))
    assert await QuietHoursFolder(pool).fold_due() == 0  # the window is still on
    assert await folder.fold_due() == 1
    rows = await pool.fetch(
        "SELECT kind, status, payload, next_attempt_at FROM notifications ORDER BY created_at"
    )
    assert [r["status"] for r in rows if r["kind"] != "quiet_summary"] == ["suppressed"] * 4
    [summary] = [r for r in rows if r["kind"] == "quiet_summary"]
    assert summary["status"] == "pending" and summary["next_attempt_at"] <= datetime.now(UTC)
    shown = Message.model_validate(summary["payload"]).plain()
    assert "(4 held)" in shown
    assert "rig-a offline → recovered" in shown and "rig-b offline" in shown and "rig-c offline" in shown
    assert "rig-a recovered details" not in shown  # folded into its alert
    assert await folder.fold_due() == 0  # once


async def test_turning_quiet_hours_off_lets_the_held_ones_out_at_once(pool: Pool) -> None:
    await quiet_user(pool)
    await enqueue(pool, [alert("rig-a offline", "offline")])
    user_id = await pool.fetchval("SELECT id FROM users")
    await quiet_db.clear_choice(pool, user_id)
    await quiet_db.release_user(pool, user_id, datetime.now(UTC))
    assert await QuietHoursFolder(pool).fold_due() == 1
    row = await pool.fetchrow("SELECT status, held_until, next_attempt_at FROM notifications")
    assert row["status"] == "pending" and row["held_until"] is None
    assert row["next_attempt_at"] <= datetime.now(UTC)
