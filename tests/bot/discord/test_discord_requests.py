"""/request through a modal, /myrequests, and the admin's take / approve / reject buttons."""

from __future__ import annotations

from tests.bot.discord.conftest import Harness, deliver_outbox, text
from tests.fakes.discord_api import FakeUser
from tests.helpers import make_user


async def linked(h: Harness, name: str, *, admin: bool = False) -> FakeUser:
    user = h.user(name, admin=admin)
    await make_user(h.pool, f"{name}@example.com", admin=admin, discord=str(user.id))
    return user


async def test_request_new_node_through_the_modal(running: Harness) -> None:
    alice = await linked(running, "alice")
    channel = running.fake.guild.channel("general")
    ix = await running.fake.slash(alice, "request", channel, type="new_node")
    modal = await ix.modal()
    fields = [row["components"][0]["custom_id"] for row in modal["components"]]
    assert fields == ["gpu_type", "quantity", "region", "budget", "comments"]
    values = {"gpu_type": "H100", "quantity": "4", "region": "Europe", "budget": "", "comments": "asap"}
    sub = await running.fake.submit_modal(alice, modal, values, channel)
    reply = await sub.reply()
    assert sub.ephemeral
    assert "Request #1 received" in text(reply)
    row = await running.pool.fetchrow("SELECT type, gpu_type, quantity, region, budget FROM support_requests")
    assert dict(row) == {
        "type": "new_node",
        "gpu_type": "H100",
        "quantity": 4,
        "region": "Europe",
        "budget": None,
    }


async def test_request_with_a_bad_quantity_is_refused_and_nothing_is_stored(running: Harness) -> None:
    alice = await linked(running, "alice")
    ix = await running.fake.slash(alice, "request", type="new_node")
    values = {"gpu_type": "H100", "quantity": "lots", "region": "Europe"}
    sub = await running.fake.submit_modal(alice, await ix.modal(), values)
    assert "quantity" in text(await sub.reply()).lower()
    assert await running.pool.fetchval("SELECT count(*) FROM support_requests") == 0


async def test_request_without_a_type_offers_buttons_that_open_the_form(running: Harness) -> None:
    alice = await linked(running, "alice")
    ix = await running.fake.slash(alice, "request")
    await ix.reply()
    assert ix.original is not None
    button = ix.original["components"][0]["components"][1]
    assert button["label"] == "Ask for support"
    click = await running.fake.click(alice, ix.original, button["custom_id"])
    modal = await click.modal()
    sub = await running.fake.submit_modal(alice, modal, {"comments": "node rig-1 keeps restarting"})
    assert "received" in text(await sub.reply())
    assert await running.pool.fetchval("SELECT type FROM support_requests") == "support"


async def test_myrequests_lists_the_callers_requests(running: Harness) -> None:
    alice = await linked(running, "alice")
    ix = await running.fake.slash(alice, "request", type="other")
    await (await running.fake.submit_modal(alice, await ix.modal(), {"comments": "invoice please"})).reply()
    reply = await (await running.fake.slash(alice, "myrequests")).reply()
    assert "#1" in text(reply)


async def test_admin_buttons_under_a_new_request_take_approve_reject(running: Harness) -> None:
    admin = await linked(running, "boss", admin=True)
    alice = await linked(running, "alice")
    admin_channel = running.fake.guild.channel("admin")
    routed = await running.fake.slash(admin, "alerts_here", admin_channel, scope="requests")
    assert "now receives support requests" in text(await routed.reply())
    assert not routed.ephemeral  # the channel is told
    for comment in ("first", "second"):
        ix = await running.fake.slash(alice, "request", type="other")
        await (await running.fake.submit_modal(alice, await ix.modal(), {"comments": comment})).reply()
    notices = await deliver_outbox(running, "request_new")
    in_admin = [m for m in notices if m["channel_id"] == str(admin_channel.id)]
    assert len(in_admin) == 2
    first, second = in_admin
    ids = [b["custom_id"] for b in first["components"][0]["components"]]
    assert ids == ["mgnk:req_take:1", "mgnk:req_approve:1", "mgnk:req_reject:1"]

    took = await running.fake.click(admin, first, "mgnk:req_take:1")
    assert "in progress" in text(await took.reply())
    assert took.ephemeral
    approved = await running.fake.click(admin, first, "mgnk:req_approve:1")
    assert "approved" in text(await approved.reply())
    rejected = await running.fake.click(admin, second, "mgnk:req_reject:2")
    assert "rejected" in text(await rejected.reply())
    statuses = await running.pool.fetch("SELECT number, status FROM support_requests ORDER BY number")
    assert [(r["number"], r["status"]) for r in statuses] == [(1, "approved"), (2, "rejected")]


async def test_a_non_admin_pressing_approve_is_refused_and_audited(running: Harness) -> None:
    admin = await linked(running, "boss", admin=True)
    alice = await linked(running, "alice")
    channel = running.fake.guild.channel("admin")
    await (await running.fake.slash(admin, "alerts_here", channel, scope="all")).reply()
    ix = await running.fake.slash(alice, "request", type="other")
    await (await running.fake.submit_modal(alice, await ix.modal(), {"comments": "hi"})).reply()
    notice = next(
        m for m in await deliver_outbox(running, "request_new") if m["channel_id"] == str(channel.id)
    )
    sneaky = await running.fake.click(alice, notice, "mgnk:req_approve:1")
    assert "admins only" in text(await sneaky.reply())
    assert await running.pool.fetchval("SELECT status FROM support_requests") == "pending"
    refused = await running.pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'refused'")
    assert refused == 1
