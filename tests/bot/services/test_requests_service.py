"""Support requests: validation, the guided form, listing, status changes and their notifications."""

from __future__ import annotations

import json

import pytest

from bot.config import Config, load_config
from bot.db.types import Pool
from bot.errors import ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UsageError
from bot.services.container import Services
from tests.bot.services.helpers import assert_renders, parsed, services
from tests.helpers import caller, make_user

NEW_NODE = {"type": "new_node", "gpu_type": "H100", "quantity": 4, "region": "Europe", "budget": "10k"}


def _with_admin_chats(config: Config) -> Config:
    return load_config(
        None,
        database={"url": config.database.url.get_secret_value(), "migrate_on_start": False},  # type: ignore[union-attr]
        accounts={"bcrypt_rounds": 4},
        alerts={"admin_telegram_chat_ids": [-100123], "admin_discord_channel_ids": [555]},
    )


async def _outbox(pool: Pool) -> list[tuple[str, str, str, str, dict[str, object]]]:
    rows = await pool.fetch(
        "SELECT platform, target_kind, target_id, kind, payload FROM notifications"
        " ORDER BY platform, target_id"
    )
    return [(r[0], r[1], r[2], r[3], r[4] if isinstance(r[4], dict) else json.loads(r[4])) for r in rows]


async def test_a_new_request_notifies_admin_channels_and_the_users_other_platform(
    pool: Pool, config: Config
) -> None:
    svc = Services.build(pool, _with_admin_chats(config))
    await make_user(pool, "op@example.com", telegram="1", discord="d1")
    await pool.execute(
        "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('telegram', '-200', 'requests')"
    )
    await pool.execute(
        "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('telegram', '-300', 'admin')"
    )
    result = await svc.requests.create(caller("1"), NEW_NODE)
    assert result.request.number >= 1 and result.request.status == "pending"
    sent = await _outbox(pool)
    targets = {(p, k, t) for p, k, t, _, _ in sent}
    assert targets == {
        ("telegram", "channel", "-100123"),
        ("telegram", "channel", "-200"),
        ("discord", "channel", "555"),
        ("discord", "user", "d1"),
    }
    admin_payload = next(pl for p, _, t, _, pl in sent if t == "-200")
    actions_ = {b["action"]: b["args"] for row in admin_payload["buttons"] for b in row}
    assert actions_ == {n: [str(result.request.number)] for n in ("req_take", "req_approve", "req_reject")}


@pytest.mark.parametrize(
    "form",
    [
        {"type": "new_node", "gpu_type": "H100"},
        {"type": "new_node", "gpu_type": "H100", "quantity": 0, "region": "EU"},
        {"type": "support"},
        {"type": "other", "comments": "x" * 2001},
        {"type": "weird", "comments": "x"},
        {"type": "support", "comments": "x", "extra": 1},
    ],
)
async def test_invalid_requests_are_refused_and_nothing_is_stored(
    pool: Pool, config: Config, form: dict[str, object]
) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    with pytest.raises(InvalidInputError, match="not complete"):
        await services(pool, config).requests.create(caller("1"), form)
    assert await pool.fetchval("SELECT count(*) FROM support_requests") == 0


def test_the_guided_form_steps_and_field_validation() -> None:
    from bot.services.requests import RequestsService

    assert [s.field for s in RequestsService.steps("new_node")] == [
        "gpu_type",
        "quantity",
        "region",
        "budget",
        "comments",
    ]
    assert RequestsService.validate_field("new_node", "quantity", " 8 ") == 8
    assert RequestsService.validate_field("new_node", "budget", "-") is None
    with pytest.raises(InvalidInputError):
        RequestsService.validate_field("new_node", "quantity", "lots")
    with pytest.raises(InvalidInputError):
        RequestsService.validate_field("new_node", "gpu_type", "-")
    with pytest.raises(UsageError):
        RequestsService.steps("pizza")


async def test_status_change_notifies_the_user_and_records_who_processed_it(
    pool: Pool, config: Config
) -> None:
    svc = services(pool, config)
    user = await make_user(pool, "op@example.com", telegram="1")
    admin = await make_user(pool, "boss@example.com", admin=True, discord="a1")
    created = await svc.requests.create(caller("1"), {"type": "support", "comments": "node down"})
    n = created.request.number
    await pool.execute("DELETE FROM notifications")
    taken = await svc.requests.take(caller("a1", platform="discord"), n)
    assert taken.request.status == "in_progress" and taken.request.assigned_to == admin.id
    a = await parsed(svc, caller("a1", platform="discord"), "request_set", f"#{n} completed Fixed <b>it</b>")
    done = await svc.requests.set_status(
        caller("a1", platform="discord"), a["number"], a["status"], a["notes"]
    )
    assert done.request.processed_by == admin.id and done.request.processed_at is not None
    assert done.request.admin_notes == "Fixed <b>it</b>"
    user_rows = [r for r in await _outbox(pool) if r[1] == "user"]
    assert [r[2] for r in user_rows] == ["1", "1"]
    assert "Fixed <b>it</b>" in json.dumps(user_rows[-1][4])
    mine = await svc.requests.mine(caller("1"))
    assert mine.items[0].status == "completed" and "Fixed" in mine.message.plain()
    assert user.id == mine.items[0].user_id


async def test_a_user_who_turned_request_updates_off_gets_none(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await make_user(pool, "boss@example.com", admin=True, telegram="9")
    await svc.settings.set_alert(caller("1"), "requests", False)
    created = await svc.requests.create(caller("1"), {"type": "other", "comments": "hi"})
    await svc.requests.set_status(caller("9"), created.request.number, "approved")
    assert [r for r in await _outbox(pool) if r[1] == "user"] == []


async def test_admin_list_by_status_and_bad_numbers(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await make_user(pool, "boss@example.com", admin=True, telegram="9")
    numbers = [
        (await svc.requests.create(caller("1"), {"type": "other", "comments": f"q{i}"})).request.number
        for i in range(12)
    ]
    await svc.requests.set_status(caller("9"), numbers[0], "rejected", "no")
    open_ = await svc.requests.list_requests(caller("9"))
    assert open_.total == 11 and open_.pages == 2
    assert_renders(open_.message)
    assert (await svc.requests.list_requests(caller("9"), "rejected")).total == 1
    assert (await svc.requests.list_requests(caller("9"), "all")).total == 12
    with pytest.raises(UsageError):  # a malformed admin command is audited as failed
        await parsed(svc, caller("9"), "requests", "lost")
    with pytest.raises(NotFoundError):
        await svc.requests.set_status(caller("9"), 99999, "approved")
    with pytest.raises(UsageError, match="whole number"):
        await parsed(svc, caller("9"), "request_set", "abc approved")
    with pytest.raises(ConflictError):
        await svc.requests.set_status(caller("9"), numbers[0], "rejected")
    with pytest.raises(ConflictError):
        await svc.requests.take(caller("9"), numbers[0])
    failed = await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'failed'")
    assert failed == 5


async def test_an_account_may_send_only_so_many_requests_an_hour_from_any_platform(
    pool: Pool, config: Config
) -> None:
    limited = config.model_copy(update={"limits": config.limits.model_copy(update={"requests_per_hour": 3})})
    svc = services(pool, limited)
    await make_user(pool, "op@example.com", telegram="1", discord="d1")
    form = {"type": "support", "comments": "node down"}
    for uid, platform in (("1", "telegram"), ("d1", "discord"), ("1", "telegram")):
        await svc.requests.create(caller(uid, platform=platform), form)  # type: ignore[arg-type]
    with pytest.raises(RateLimitedError, match="3 requests in the last hour"):
        await svc.requests.create(caller("d1", platform="discord"), form)
    assert await pool.fetchval("SELECT count(*) FROM support_requests") == 3
    # an hour later the account may ask again
    await pool.execute("UPDATE support_requests SET created_at = created_at - interval '61 minutes'")
    await svc.requests.create(caller("1"), form)


async def test_the_requester_hears_of_a_status_change_in_the_language_each_account_chose(
    pool: Pool, config: Config
) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1", discord="d1")
    await make_user(pool, "boss@example.com", admin=True, discord="a1")
    await svc.language.command(caller("1"), "ru")
    await svc.language.command(caller("d1", platform="discord"), "zh")
    created = await svc.requests.create(caller("1"), {"type": "support", "comments": "node down"})
    assert created.message.title == f"Заявка №{created.request.number} принята"
    await pool.execute("DELETE FROM notifications")
    await svc.requests.set_status(caller("a1", platform="discord"), created.request.number, "approved")
    titles = {r[2]: r[4]["title"] for r in await _outbox(pool) if r[1] == "user"}
    n = created.request.number
    assert titles == {"1": f"Заявка №{n} обновлена", "d1": f"申请 #{n} 已更新"}


async def test_an_incomplete_request_is_explained_in_the_users_language(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    await svc.language.command(caller("1"), "ru")
    t = await svc.language.translator(caller("1"))
    with pytest.raises(InvalidInputError) as refused:
        await svc.requests.create(caller("1"), {"type": "new_node", "gpu_type": "H100"})
    assert refused.value.translated(t) == (
        "Заявка заполнена не полностью: Для заявки на новую ноду нужно указать: Количество, Регион."
    )
    with pytest.raises(InvalidInputError) as too_few:
        await svc.requests.create(caller("1"), {"type": "new_node", "gpu_type": "H100", "quantity": 0})
    assert too_few.value.translated(t) == "Заявка заполнена не полностью: Количество: не меньше 1."
