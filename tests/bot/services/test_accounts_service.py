"""Linking: one-time codes, email + password with brute-force limits, unlink and whoami."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.errors import NotLinkedError, RateLimitedError, UsageError
from bot.services import arguments
from bot.services.errors import (
    AccountDeactivatedError,
    IdentityLinkedElsewhereError,
    LinkCodeExpiredError,
    LinkCodeInvalidError,
    LinkCodeUsedError,
    PrivateChatRequiredError,
    WrongCredentialsError,
    refusal,
)
from bot.services.provisioning import issue_link_code
from tests.bot.services.helpers import services
from tests.helpers import caller, make_user


async def test_a_code_links_once_and_is_stored_hashed(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    issued = await issue_link_code(pool, "op@example.com", 900)
    result = await svc.accounts.link_with_code(caller("111"), issued.code)
    assert result.user.telegram == "111" and not result.already_linked
    assert await pool.fetchval("SELECT count(*) FROM link_codes WHERE code_hash = $1", issued.code) == 0
    with pytest.raises(LinkCodeUsedError):
        await svc.accounts.link_with_code(caller("222", platform="discord"), issued.code)


async def test_an_expired_code_is_refused_as_expired(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    issued = await issue_link_code(pool, "op@example.com", 900)
    await pool.execute(
        "UPDATE link_codes SET expires_at = now() - interval '1 second',"
        " created_at = now() - interval '1 hour'"
    )
    with pytest.raises(LinkCodeExpiredError, match="expired"):
        await svc.accounts.link_with_code(caller("111"), issued.code)
    assert await pool.fetchval("SELECT telegram FROM users") is None


async def test_a_wrong_code_and_garbage_are_invalid(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    with pytest.raises(LinkCodeInvalidError):
        await svc.accounts.link_with_code(caller(), "ABCD-EFGH")
    with pytest.raises(LinkCodeInvalidError):
        await svc.accounts.link_with_code(caller(), "<b>&")


async def test_a_deep_link_start_payload_asks_before_it_links(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    issued = await issue_link_code(pool, "op@example.com", 900)
    result = await svc.accounts.start(caller("111"), issued.code)
    assert result.link is None and result.confirm_email == "o***@example.com"
    assert await pool.fetchval("SELECT used_at FROM link_codes") is None
    [[confirm, _]] = result.message.buttons
    linked = await svc.accounts.link_with_code(caller("111"), confirm.args[0])
    assert linked.user.email == "op@example.com"
    welcome = await svc.accounts.start(caller("999"), None)
    assert welcome.link is None and "/link" in welcome.message.plain()


async def test_identity_linked_to_another_account_is_refused_and_the_code_survives(
    pool: Pool, config: Config
) -> None:
    svc = services(pool, config)
    await make_user(pool, "first@example.com", telegram="111")
    await make_user(pool, "second@example.com")
    issued = await issue_link_code(pool, "second@example.com", 900)
    with pytest.raises(IdentityLinkedElsewhereError, match="another MineGNK account"):
        await svc.accounts.link_with_code(caller("111"), issued.code)
    assert await pool.fetchval("SELECT used_at FROM link_codes") is None


async def test_relinking_the_same_account_says_already_linked(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="111")
    result = await svc.accounts.link_with_password(caller("111"), "op@example.com", "pw-secret")
    assert result.already_linked


async def test_a_deactivated_account_cannot_link(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    issued = await issue_link_code(pool, "op@example.com", 900)
    await pool.execute("UPDATE users SET is_active = false")
    with pytest.raises(AccountDeactivatedError, match="deactivated"):
        await svc.accounts.link_with_code(caller(), issued.code)
    # by password, the right one gets the answer a wrong one gets (tested in test_account_limits.py)
    with pytest.raises(WrongCredentialsError):
        await svc.accounts.link_with_password(caller(), "op@example.com", "pw-secret")


async def test_password_links_in_private_and_records_the_attempt(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "Op@Example.com")
    result = await svc.accounts.link_with_password(
        caller("111", platform="discord"), "op@example.COM", "pw-secret"
    )
    assert result.user.discord == "111"
    row = await pool.fetchrow("SELECT platform, email, method, success FROM login_records")
    assert tuple(row) == ("discord", "op@example.com", "password", True)


async def test_password_in_a_group_is_refused_and_recorded(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    with pytest.raises(PrivateChatRequiredError, match="private chat"):
        await svc.accounts.link_with_password(
            caller("111", chat="-100", kind="group"), "op@example.com", "pw-secret"
        )
    assert await pool.fetchval("SELECT reason FROM login_records") == "not_private"
    assert await pool.fetchval("SELECT telegram FROM users") is None


async def test_unknown_email_and_wrong_password_get_the_same_answer(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    with pytest.raises(WrongCredentialsError) as unknown:
        await svc.accounts.link_with_password(caller("1"), "ghost@example.com", "pw-secret")
    with pytest.raises(WrongCredentialsError) as wrong:
        await svc.accounts.link_with_password(caller("2"), "op@example.com", "nope")
    assert unknown.value.message == wrong.value.message


async def test_failures_are_limited_per_chat(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    for i in range(config.accounts.max_failures):
        with pytest.raises(WrongCredentialsError):
            await svc.accounts.link_with_password(caller("1"), f"ghost{i}@example.com", "x")
    # even the right password is refused now, from this chat
    with pytest.raises(RateLimitedError) as limited:
        await svc.accounts.link_with_password(caller("1"), "op@example.com", "pw-secret")
    assert 0 < limited.value.retry_after_s <= config.accounts.failure_window_s
    with pytest.raises(RateLimitedError):
        await svc.accounts.link_with_code(caller("1"), "ABCD-EFGH")
    # another chat is not affected
    assert (await svc.accounts.link_with_password(caller("2"), "op@example.com", "pw-secret")).user


async def test_failures_are_limited_per_email_across_chats(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    for i in range(config.accounts.max_failures):
        with pytest.raises(WrongCredentialsError):
            await svc.accounts.link_with_password(caller(f"attacker{i}"), "op@example.com", "guess")
    with pytest.raises(RateLimitedError):
        await svc.accounts.link_with_password(caller("owner"), "OP@example.com", "pw-secret")
    # the refusal itself does not extend the lockout: expire the counted failures and it works
    await pool.execute(
        "UPDATE login_records SET created_at = now() - interval '1 day' WHERE reason <> 'rate_limited'"
    )
    assert (await svc.accounts.link_with_password(caller("owner"), "op@example.com", "pw-secret")).user


async def test_code_failures_count_towards_the_chat_limit(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    for _ in range(config.accounts.max_failures):
        with pytest.raises(LinkCodeInvalidError):
            await svc.accounts.link_with_code(caller("1"), "ABCD-EFGH")
    with pytest.raises(RateLimitedError):
        await svc.accounts.link_with_code(caller("1"), "ABCD-EFGH")
    assert await pool.fetchval("SELECT count(*) FROM login_records") == config.accounts.max_failures + 1


async def test_link_without_arguments_shows_usage(pool: Pool, config: Config) -> None:
    with pytest.raises(UsageError, match="/link CODE"):
        arguments.link("")
    with pytest.raises(UsageError, match="password after it"):
        arguments.link("op@example.com")
    assert arguments.link("op@example.com my pass phrase") == arguments.LinkByPassword(
        "op@example.com", "my pass phrase"
    )
    assert await pool.fetchval("SELECT count(*) FROM login_records") == 0


async def test_unlink_then_whoami(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="111")
    me = await svc.accounts.whoami(caller("111"))
    assert me.linked and "op@example.com" in me.message.plain()
    unlinked = await svc.accounts.unlink(caller("111"))
    assert unlinked.email == "op@example.com"
    assert not (await svc.accounts.whoami(caller("111"))).linked
    with pytest.raises(NotLinkedError):
        await svc.accounts.unlink(caller("111"))


async def test_whoami_of_a_deactivated_account_says_so(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="111")
    await pool.execute("UPDATE users SET is_active = false")
    me = await svc.accounts.whoami(caller("111"))
    assert not me.linked and me.deactivated and "deactivated" in me.message.plain()


async def test_an_unknown_email_still_costs_a_bcrypt_check(
    pool: Pool, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import accounts as accounts_mod

    checked: list[str] = []
    real = accounts_mod.check_password

    async def counting(password: str, password_hash: str) -> bool:
        checked.append(password_hash[:4])
        return await real(password, password_hash)

    monkeypatch.setattr(accounts_mod, "check_password", counting)
    with pytest.raises(WrongCredentialsError):
        await services(pool, config).accounts.link_with_password(caller(), "ghost@example.com", "pw")
    assert checked == ["$2b$"]


async def test_linking_a_new_identity_replaces_the_accounts_old_one(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="old")
    result = await svc.accounts.link_with_password(caller("new"), "op@example.com", "pw-secret")
    assert result.user.telegram == "new" and "previously linked" in result.message.plain()
    assert not (await svc.accounts.whoami(caller("old"))).linked


async def test_concurrent_guesses_cannot_slip_past_the_limit(pool: Pool, config: Config) -> None:
    import asyncio

    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    limit = config.accounts.max_failures
    results = await asyncio.gather(
        *(
            svc.accounts.link_with_password(caller("1"), "op@example.com", f"guess{i}")
            for i in range(limit * 3)
        ),
        return_exceptions=True,
    )
    checked = [r for r in results if isinstance(r, WrongCredentialsError)]
    limited = [r for r in results if isinstance(r, RateLimitedError)]
    assert len(checked) <= limit and len(checked) + len(limited) == limit * 3
    assert await pool.fetchval("SELECT count(*) FROM login_records WHERE reason = 'pending'") == 0


async def test_one_code_used_concurrently_links_exactly_once(pool: Pool, config: Config) -> None:
    import asyncio

    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    issued = await issue_link_code(pool, "op@example.com", 900)
    results = await asyncio.gather(
        *(svc.accounts.link_with_code(caller(f"u{i}", platform="discord"), issued.code) for i in range(4)),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, LinkCodeUsedError) for r in results if isinstance(r, BaseException))


async def test_a_refused_link_is_told_in_russian_and_logged_in_english(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    russian = replace(caller("111"), locale="ru")
    with pytest.raises(LinkCodeInvalidError) as refused:
        await svc.accounts.link_with_code(russian, "ABCD-EFGH")
    t = await svc.language.translator(russian)
    assert (
        refused.value.translated(t) == "Этот код привязки недействителен. Проверьте его или получите новый."
    )
    assert refused.value.message == "That link code is not valid. Check it, or ask for a new one."
    told = refusal(refused.value, t)
    assert told.plain() == refused.value.translated(t) and told.severity == "warning"


async def test_the_wait_after_too_many_failures_is_counted_in_russian(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await svc.language.command(caller("1"), "ru")
    for i in range(config.accounts.max_failures):
        with pytest.raises(WrongCredentialsError):
            await svc.accounts.link_with_password(caller("1"), f"ghost{i}@example.com", "x")
    with pytest.raises(RateLimitedError) as limited:
        await svc.accounts.link_with_password(caller("1"), "ghost@example.com", "x")
    minutes = max(1, round(limited.value.retry_after_s / 60))
    form = (
        "минуту"
        if minutes % 10 == 1 and minutes % 100 != 11
        else "минуты"
        if 2 <= minutes % 10 <= 4
        else "минут"
    )
    said = limited.value.translated(await svc.language.translator(caller("1")))
    assert said == f"Слишком много неудачных попыток. Попробуйте снова примерно через {minutes} {form}."


async def test_usage_stays_a_code_span_under_a_translated_problem(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    with pytest.raises(UsageError) as bad:
        arguments.link("op@example.com")
    told = refusal(bad.value, svc.language.catalogs.translator("zh"))
    assert [[(s.text, s.style) for s in line] for line in told.lines] == [
        [("邮箱后面需要跟上密码。", "plain")],
        [("用法：", "plain"), (bad.value.usage, "code")],
    ]
