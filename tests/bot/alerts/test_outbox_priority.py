"""Claim order: node alerts before request notifications before broadcasts, also within one chat, so
neither a broadcast to every user nor a burst of ``/request`` notices delays a node alert."""

from __future__ import annotations

from bot.db.outbox import NewNotification, enqueue
from bot.db.outbox_claims import claim
from bot.db.types import Pool
from bot.render.message import Message

ADMIN_GROUP = "-1001"


def note(target: str, kind: str, text: str, target_kind: str = "user") -> NewNotification:
    return NewNotification("telegram", target_kind, target, kind, Message.text(text))  # type: ignore[arg-type]


async def test_a_node_alert_is_claimed_before_a_broadcast_queued_earlier(pool: Pool) -> None:
    await enqueue(pool, [note(str(1000 + i), "broadcast", "Maintenance tonight") for i in range(20)])
    await enqueue(pool, [note("7", "jailed", "Jailed: rig-7")])
    [first] = await claim(pool, "telegram", "w1", 1, 60)
    assert first.kind == "jailed"


async def test_a_node_alert_to_the_admin_group_does_not_wait_behind_request_notices(pool: Pool) -> None:
    await enqueue(pool, [note(ADMIN_GROUP, "request_new", f"Request #{i}", "channel") for i in range(5)])
    await enqueue(pool, [note(ADMIN_GROUP, "jailed", "Jailed: rig-7", "channel")])
    claimed = await claim(pool, "telegram", "w1", 10, 60)
    # one row per chat at a time, the alert first; the notices follow once it is sent
    assert [c.kind for c in claimed] == ["jailed"]


async def test_request_notices_go_before_broadcasts_and_keep_their_order(pool: Pool) -> None:
    await enqueue(pool, [note("5", "broadcast", "News")])
    await enqueue(pool, [note(ADMIN_GROUP, "request_new", "Request #1", "channel")])
    await enqueue(pool, [note(ADMIN_GROUP, "request_update", "Request #1 approved", "channel")])
    claimed = await claim(pool, "telegram", "w1", 10, 60)
    assert [c.kind for c in claimed] == ["request_new", "broadcast"]
