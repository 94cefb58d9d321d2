"""Every user command on Telegram: happy path, bad or missing arguments, unlinked caller."""

from __future__ import annotations

import pytest

from tests.bot.telegram.conftest import USER_TG, Tg
from tests.helpers import give_node, wallet

EMAIL = "op@example.com"
STRANGER = USER_TG + 77


@pytest.fixture
async def op(tg: Tg) -> Tg:
    await tg.user(EMAIL, telegram=USER_TG)
    return tg


@pytest.mark.parametrize(
    "command",
    [
        "/nodes",
        "/node rig-1",
        "/earnings",
        "/mute all 1h",
        "/unmute all",
        "/mutes",
        "/settings",
        "/request",
        "/myrequests",
    ],
)
async def test_user_commands_refuse_an_unlinked_caller(tg: Tg, command: str) -> None:
    reply = await tg.reply(STRANGER, command)
    assert "/link" in reply.text and "Traceback" not in reply.text


async def test_nodes_lists_and_paginates_with_buttons(op: Tg) -> None:
    for i in range(10):
        await give_node(op.pool, EMAIL, wallet(i + 1), f"rig-{i:02d}", status="healthy", history_days=7)
    page = await op.reply(USER_TG, "/nodes")
    assert "rig-00" in page.text and "rig-09" not in page.text
    await op.click(USER_TG, page, "▶", expect=0)
    await op.fake.wait_until(lambda: "rig-09" in op.fake.messages[(USER_TG, page.message_id)].text)
    assert page.edits == 1 and "rig-00" not in page.text


async def test_node_detail_usage_and_not_found(op: Tg) -> None:
    await give_node(op.pool, EMAIL, wallet(1), "rig-a", status="jailed", history_days=7)
    detail = await op.reply(USER_TG, "/node rig-a")
    assert "rig-a" in detail.text and "1.25 GNK" in detail.text
    listing = await op.reply(USER_TG, "/nodes")
    [from_button] = await op.click(USER_TG, listing, "rig-a")  # each node in the list is a button
    assert from_button.text == detail.text
    usage = await op.reply(USER_TG, "/node")
    assert usage.text.startswith("Usage: /node")
    missing = await op.reply(USER_TG, "/node nope")
    assert "no node matching" in missing.text


async def test_earnings_sends_the_chart_as_a_photo_with_totals_as_caption(op: Tg) -> None:
    await give_node(op.pool, EMAIL, wallet(1), "rig-a", status="healthy", history_days=7)
    photo = await op.reply(USER_TG, "/earnings 7d")
    assert photo.photo is not None and photo.photo.startswith(b"\x89PNG")
    assert photo.caption is not None and "GNK" in photo.caption and "rig-a" in photo.caption
    [month] = await op.click(USER_TG, photo, "30d")  # the period buttons under the caption
    assert month.photo is not None and month.caption is not None and "30" in month.caption
    bad = await op.reply(USER_TG, "/earnings 5y")
    assert "Usage: /earnings" in bad.text


async def test_mute_unmute_mutes(op: Tg) -> None:
    await give_node(op.pool, EMAIL, wallet(1), "rig-a", status="healthy", history_days=7)
    muted = await op.reply(USER_TG, "/mute rig-a 2h")
    assert "rig-a" in muted.text
    listed = await op.reply(USER_TG, "/mutes")
    assert "rig-a" in listed.text
    unmuted = await op.reply(USER_TG, "/unmute rig-a")
    assert "rig-a" in unmuted.text
    assert await op.pool.fetchval("SELECT count(*) FROM mutes") == 0
    await op.reply(USER_TG, "/mute all resolved")
    listed = await op.reply(USER_TG, "/mutes")
    await op.click(USER_TG, listed, "Unmute")  # the button under the list
    assert await op.pool.fetchval("SELECT count(*) FROM mutes") == 0
    assert "Usage: /mute" in (await op.reply(USER_TG, "/mute")).text
    assert "Usage: /unmute" in (await op.reply(USER_TG, "/unmute")).text
    bad = await op.reply(USER_TG, "/mute rig-a forever")
    assert "Traceback" not in bad.text and await op.pool.fetchval("SELECT count(*) FROM mutes") == 0


async def test_settings_show_toggle_and_currency(op: Tg) -> None:
    shown = await op.reply(USER_TG, "/settings")
    assert "offline" in shown.text.lower()
    label = next(b["text"] for b in shown.buttons if "ffline" in b["text"])
    await op.click(USER_TG, shown, label, expect=0)
    await op.fake.wait_until(lambda: shown.edits == 1)
    row = await op.pool.fetchrow(
        "SELECT (s.conditions->>'offline')::boolean AS offline FROM user_alert_settings s"
        " JOIN users u ON u.id = s.user_id WHERE u.email = $1",
        EMAIL,
    )
    assert row is not None and row["offline"] is False
    eur = await op.reply(USER_TG, "/settings currency EUR")
    assert "EUR" in eur.text
    bad = await op.reply(USER_TG, "/settings currency euros")
    assert "Traceback" not in bad.text and bad.text


async def test_request_guided_form_with_skip_and_submit(op: Tg) -> None:
    picker = await op.reply(USER_TG, "/request")
    [gpu] = await op.click(USER_TG, picker, "New node")
    assert "GPU" in gpu.text and "Cancel" in gpu.buttons[-1]["text"]
    quantity = await op.reply(USER_TG, "H100")
    bad = await op.reply(USER_TG, "zero")
    assert "Traceback" not in bad.text and bad.text != quantity.text
    region = await op.reply(USER_TG, "4")
    assert "region" in region.text.lower()
    budget = await op.reply(USER_TG, "Europe")
    assert "Skip" in budget.button("Skip")["text"]
    [comments] = await op.click(USER_TG, budget, "Skip")
    summary = await op.reply(USER_TG, "rack near the window, please")
    assert "H100" in summary.text and "Europe" in summary.text
    [done] = await op.click(USER_TG, summary, "Send")
    assert "#" in done.text or "request" in done.text.lower()
    row = await op.pool.fetchrow(
        "SELECT type, gpu_type, quantity, region, budget, comments FROM support_requests"
    )
    assert row is not None
    assert tuple(row) == ("new_node", "H100", 4, "Europe", None, "rack near the window, please")
    mine = await op.reply(USER_TG, "/myrequests")
    assert "pending" in mine.text.lower()
    assert comments.text


async def test_request_can_be_cancelled_at_every_step(op: Tg) -> None:
    picker = await op.reply(USER_TG, "/request")
    [cancelled] = await op.click(USER_TG, picker, "Cancel")
    assert "cancelled" in cancelled.text.lower()
    first = await op.reply(USER_TG, "/request support")
    [cancelled] = await op.click(USER_TG, first, "Cancel")
    assert "cancelled" in cancelled.text.lower()
    stale = await op.reply(USER_TG, "/request other")
    await op.reply(USER_TG, "/request support")  # starts over: the "other" prompt's buttons are stale
    assert "cancelled" in (await op.reply(USER_TG, "/cancel")).text.lower()
    # after cancelling, plain text is no longer taken as an answer
    assert "/help" in (await op.reply(USER_TG, "just chatting")).text
    assert await op.pool.fetchval("SELECT count(*) FROM support_requests") == 0
    # a button from a closed form is answered, not ignored
    [closed] = await op.click(USER_TG, stale, "Cancel")
    assert "no longer open" in closed.text
    assert "Usage: /request" in (await op.reply(USER_TG, "/request holiday")).text


async def test_writing_privately_after_a_block_re_enables_delivery_a_group_message_does_not(tg: Tg) -> None:
    from bot.db.outbox_claims import disable_target

    await tg.user("op@example.com", telegram=USER_TG)
    await disable_target(tg.pool, "telegram", str(USER_TG), "Forbidden: bot was blocked by the user", 403)
    await tg.reply(USER_TG, "/help", chat_id=-100321)
    disabled = "SELECT disabled_at FROM delivery_targets WHERE target_id = $1"
    assert await tg.pool.fetchval(disabled, str(USER_TG)) is not None
    await tg.reply(USER_TG, "/help")
    assert await tg.pool.fetchval(disabled, str(USER_TG)) is None
