"""Every admin command on Telegram: happy path, usage on bad arguments, refusal (audited)."""

from __future__ import annotations

import pytest

from bot.services.context import Caller
from tests.bot.telegram.conftest import ADMIN_TG, USER_TG, Tg
from tests.helpers import give_node, wallet

ADMIN = "root@example.com"
OP = "op@example.com"
GROUP = -100777


@pytest.fixture
async def adm(tg: Tg) -> Tg:
    await tg.user(ADMIN, telegram=ADMIN_TG, admin=True)
    await tg.user(OP, telegram=USER_TG)
    return tg


ADMIN_COMMANDS = [
    ("/assign op@example.com " + wallet(5), "assign"),
    ("/assign", "assign"),
    ("/unassign op@example.com " + wallet(5), "unassign"),
    ("/requests", "requests"),
    ("/request_set 1 approved", "request_set"),
    ("/user op@example.com", "user"),
    ("/user", "user"),
    ("/linkcode op@example.com", "linkcode"),
    ("/broadcast hello all", "broadcast"),
    ("/broadcast", "broadcast"),
    ("/stats", "stats"),
    ("/alerts_here", "alerts_here"),
    ("/alerts_off", "alerts_off"),
]


@pytest.mark.parametrize(("command", "action"), ADMIN_COMMANDS)
async def test_admin_commands_refuse_a_non_admin_and_audit_it(adm: Tg, command: str, action: str) -> None:
    reply = await adm.reply(USER_TG, command)
    assert "admins only" in reply.text and "Usage" not in reply.text
    row = await adm.pool.fetchrow(
        "SELECT action, outcome, platform_user_id FROM admin_audit_log ORDER BY id DESC LIMIT 1"
    )
    assert row is not None and tuple(row) == (action, "refused", str(USER_TG))


async def test_assign_user_unassign(adm: Tg) -> None:
    assigned = await adm.reply(ADMIN_TG, f"/assign {OP} {wallet(5)} wallet Rig Five")
    assert "Rig Five" in assigned.text
    info = await adm.reply(ADMIN_TG, f"/user {OP}")
    assert "Rig Five" in info.text and str(USER_TG) in info.text
    nodes = await adm.reply(USER_TG, "/nodes")
    assert "Rig Five" in nodes.text
    gone = await adm.reply(ADMIN_TG, f"/unassign {OP} {wallet(5)}")
    assert "Traceback" not in gone.text
    assert await adm.pool.fetchval("SELECT count(*) FROM user_nodes") == 0
    assert (await adm.reply(ADMIN_TG, "/assign")).text.startswith("Usage: /assign")
    assert (await adm.reply(ADMIN_TG, f"/unassign {OP}")).text.startswith("Usage: /unassign")
    bad = await adm.reply(ADMIN_TG, f"/assign {OP} not-an-address")
    assert "Traceback" not in bad.text and await adm.pool.fetchval("SELECT count(*) FROM nodes") == 1
    assert (await adm.reply(ADMIN_TG, "/user")).text.startswith("Usage: /user")
    oks = await adm.pool.fetch("SELECT action FROM admin_audit_log WHERE outcome = 'ok' ORDER BY id")
    assert [r["action"] for r in oks][:3] == ["assign", "user", "unassign"]


async def test_linkcode_gives_a_code_and_a_deep_link_that_works(adm: Tg) -> None:
    await adm.user("new@example.com")
    [code_msg, link_msg] = await adm.say(ADMIN_TG, "/linkcode new@example.com", expect=2)
    deep = next(word for word in link_msg.text.split() if word.startswith("https://t.me/"))
    assert deep.startswith("https://t.me/minegnk_test_bot?start=")
    payload = deep.split("start=", 1)[1]
    assert payload.replace("-", "") in code_msg.text.replace("-", "")
    ask = await adm.reply(USER_TG + 9, f"/start {payload}")
    assert "n***@example.com" in ask.text  # the deep link asks first (issue 15 item 3)
    await adm.click(USER_TG + 9, ask, "Confirm", expect=0)
    await adm.fake.wait_until(lambda: "new@example.com" in (adm.fake.last_to(USER_TG + 9).text or ""))
    assert (await adm.reply(ADMIN_TG, "/linkcode")).text.startswith("Usage: /linkcode")
    assert "Traceback" not in (await adm.reply(ADMIN_TG, "/linkcode nobody@example.com")).text


async def test_broadcast_goes_through_the_outbox(adm: Tg) -> None:
    reply = await adm.reply(ADMIN_TG, "/broadcast Maintenance <tonight> & tomorrow")
    assert "2" in reply.text or "recipient" in reply.text.lower()
    rows = await adm.pool.fetch("SELECT target_id, kind FROM notifications ORDER BY target_id")
    assert {r["target_id"] for r in rows} == {str(ADMIN_TG), str(USER_TG)}
    assert (await adm.reply(ADMIN_TG, "/broadcast")).text.startswith("Usage: /broadcast")


async def test_stats(adm: Tg) -> None:
    await give_node(adm.pool, OP, wallet(1), "rig-a", status="jailed", history_days=7)
    stats = await adm.reply(ADMIN_TG, "/stats")
    assert "jailed" in stats.text.lower() and "Traceback" not in stats.text


async def test_alerts_here_and_off_in_a_group(adm: Tg) -> None:
    here = await adm.reply(ADMIN_TG, "/alerts_here requests", chat_id=GROUP)
    assert "Traceback" not in here.text
    row = await adm.pool.fetchrow("SELECT chat_id, scope FROM alert_routes")
    assert row is not None and tuple(row) == (str(GROUP), "requests")
    bad = await adm.reply(ADMIN_TG, "/alerts_here everything", chat_id=GROUP)
    assert "Usage: /alerts_here" in bad.text
    off = await adm.reply(ADMIN_TG, "/alerts_off", chat_id=GROUP)
    assert "Traceback" not in off.text
    assert await adm.pool.fetchval("SELECT count(*) FROM alert_routes") == 0


async def test_requests_queue_and_request_set(adm: Tg) -> None:
    await adm.services.requests.create(
        Caller(platform="telegram", platform_user_id=str(USER_TG), chat_id=str(USER_TG)),
        {"type": "support", "comments": "node rig-a is stuck"},
    )
    queue = await adm.reply(ADMIN_TG, "/requests")
    assert "stuck" in queue.text or "#1" in queue.text
    assert "Usage: /requests" in (await adm.reply(ADMIN_TG, "/requests sideways")).text
    done = await adm.reply(ADMIN_TG, "/request_set 1 completed fixed the rig")
    assert "completed" in done.text.lower()
    assert await adm.pool.fetchval("SELECT status FROM support_requests") == "completed"
    assert "Usage: /request_set" in (await adm.reply(ADMIN_TG, "/request_set 1")).text
    assert "Traceback" not in (await adm.reply(ADMIN_TG, "/request_set 99 approved")).text


async def test_request_lists_paginate_and_take_from_the_queue(adm: Tg) -> None:
    me = Caller(platform="telegram", platform_user_id=str(USER_TG), chat_id=str(USER_TG))
    for i in range(12):
        await adm.services.requests.create(me, {"type": "support", "comments": f"ticket number {i:02d}"})
    mine = await adm.reply(USER_TG, "/myrequests")
    await adm.click(USER_TG, mine, "Next", expect=0)
    await adm.fake.wait_until(lambda: mine.edits == 1)
    queue = await adm.reply(ADMIN_TG, "/requests pending")
    first_page = queue.text
    await adm.click(ADMIN_TG, queue, "Next", expect=0)
    await adm.fake.wait_until(lambda: queue.edits == 1)
    assert queue.text != first_page
    same = adm.fake.click(ADMIN_TG, queue, "2/2")  # the page indicator: same page, nothing to change
    await adm.fake.wait_until(lambda: same not in adm.fake.unanswered_callbacks())
    take = next(b["text"] for b in queue.buttons if b["callback_data"].startswith("req_take:"))
    [taken] = await adm.click(ADMIN_TG, queue, take)
    assert "Traceback" not in taken.text
    row = await adm.pool.fetchrow(
        "SELECT status, assigned_to FROM support_requests WHERE status = 'in_progress'"
    )
    admin_id = await adm.pool.fetchval("SELECT id FROM users WHERE email = $1", ADMIN)
    assert row is not None and row["assigned_to"] == admin_id


@pytest.mark.parametrize(
    "command", ["/assign op@example.com", "/unassign op@example.com", "/request_set x y"]
)
async def test_a_malformed_admin_command_is_audited_as_failed(adm: Tg, command: str) -> None:
    reply = await adm.reply(ADMIN_TG, command)
    assert "Usage: /" + command.split()[0][1:] in reply.text
    row = await adm.pool.fetchrow(
        "SELECT action, outcome, details FROM admin_audit_log ORDER BY id DESC LIMIT 1"
    )
    assert row is not None and (row["action"], row["outcome"]) == (command.split()[0][1:], "failed")
    assert row["details"] == {"reason": "usage"}


async def test_an_admin_opens_node_on_another_users_node_and_it_is_audited(adm: Tg) -> None:
    node_id = await give_node(adm.pool, OP, wallet(8), "op-rig", status="jailed")
    detail = await adm.reply(ADMIN_TG, f"/node {wallet(8)}")
    assert "op-rig" in detail.text and "Jailed until" in detail.text
    row = await adm.pool.fetchrow(
        "SELECT action, target, outcome, platform_user_id, details FROM admin_audit_log"
        " ORDER BY id DESC LIMIT 1"
    )
    assert row is not None
    assert (row["action"], row["target"], row["outcome"], row["platform_user_id"]) == (
        "node_view",
        wallet(8),
        "ok",
        str(ADMIN_TG),
    )
    assert row["details"]["node_id"] == str(node_id)
    # a non-admin still cannot: another user's node is "not found", exactly like a missing one
    await adm.user("third@example.com", telegram=USER_TG + 5)
    refused = await adm.reply(USER_TG + 5, f"/node {wallet(8)}")
    assert "no node matching" in refused.text and "op-rig" not in refused.text
    assert await adm.pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE action = 'node_view'") == 1


async def test_stats_pages_through_the_failing_nodes(adm: Tg) -> None:
    for i in range(11):
        await give_node(adm.pool, OP, wallet(20 + i), f"down-{i:02d}", status="offline")
    await give_node(adm.pool, OP, wallet(40), "fine", status="healthy")
    first = await adm.reply(ADMIN_TG, "/stats")
    assert "Failing nodes (11)" in first.text and "down-00" in first.text and "down-08" not in first.text
    assert "fine" not in first.text.split("Failing nodes")[1]
    await adm.click(ADMIN_TG, first, "Next", expect=0)
    # a private chat: the page replaces the message
    await adm.fake.wait_until(lambda: first.edits == 1, what="the page edited in place")
    second = first
    assert "down-08" in second.text and "down-00" not in second.text
    [details] = await adm.click(ADMIN_TG, second, "down-10")
    assert "down-10" in details.text and "Identifier" in details.text
