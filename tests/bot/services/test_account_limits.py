"""Linking limits that hold however the attacker spells or where they try (issue 15 item 4): one email
normalisation (NFKC + casefold) in Python and SQL, a per-person limit across chats, the timing
equaliser at the stored hashes' cost, a deactivated account indistinguishable from a wrong password."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Config
from bot.db.types import Pool
from bot.domain.emails import email_key, mask_email
from bot.errors import RateLimitedError
from bot.services.errors import LinkCodeInvalidError, WrongCredentialsError
from bot.services.provisioning import add_user
from tests.bot.services.helpers import services
from tests.helpers import caller, make_user

ADMIN = "admin@example.com"
PASSWORD = "the-right-one"


async def test_a_dotted_capital_i_cannot_double_the_per_email_limit(pool: Pool, config: Config) -> None:
    """'admİn@…' used to be counted apart from 'admin@…' while PostgreSQL's lower() still found the
    admin account: every 'i' doubled the guesses. Now it names no account and shares no counter."""
    svc = services(pool, config)
    await make_user(pool, ADMIN, password=PASSWORD, admin=True)
    limit = config.accounts.max_failures
    for i in range(limit):  # each try from another chat and person, so only the per-email limit holds
        with pytest.raises(WrongCredentialsError):
            await svc.accounts.link_with_password(caller(f"{100 + i}"), ADMIN, f"guess-{i}")
    with pytest.raises(RateLimitedError):
        await svc.accounts.link_with_password(caller("200"), ADMIN, PASSWORD)
    # the İ spelling: not a fresh counter onto the same account (the right password does not link)
    for spelling in ("admİn@example.com", "ADMİN@EXAMPLE.COM"):
        with pytest.raises((WrongCredentialsError, RateLimitedError)):
            await svc.accounts.link_with_password(caller("300"), spelling, PASSWORD)
    assert await pool.fetchval("SELECT telegram FROM users WHERE email = $1", ADMIN) is None
    # and spellings that are the same email share its counter (still limited)
    for spelling in ("Admin@Example.com", "ＡＤＭＩＮ@example.com", " admin@example.com"):
        with pytest.raises(RateLimitedError):
            await svc.accounts.link_with_password(caller("301"), spelling, PASSWORD)


async def test_the_same_email_however_written_finds_the_account(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await add_user(pool, "Straße@Example.com", PASSWORD, rounds=4)
    for i, spelling in enumerate(("strasse@example.com", "STRASSE@example.com", "straße@ｅxample.com")):
        linked = await svc.accounts.link_with_password(
            caller(f"{400 + i}", platform="telegram"), spelling, PASSWORD
        )
        assert linked.user.email == "Straße@Example.com"
        await svc.accounts.unlink(caller(f"{400 + i}"))


async def test_the_email_key_is_unique_in_the_database(pool: Pool) -> None:
    await add_user(pool, "strasse@example.com", "pw", rounds=4)
    with pytest.raises(Exception, match="already exists"):
        await add_user(pool, "STRASSE@example.com", "pw", rounds=4)
    with pytest.raises(Exception, match="already exists"):
        await add_user(pool, "straße@example.com", "pw", rounds=4)


_EMAILISH = st.text(
    alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=24
).filter(lambda s: s.strip() != "")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_EMAILISH)
async def test_sql_and_python_compute_the_same_email_key(pool: Pool, text: str) -> None:
    assert await pool.fetchval("SELECT minegnk_email_key($1)", text) == email_key(text)


@pytest.mark.parametrize(
    "text",
    [
        "admİn@example.com",
        "Straße@x.de",
        "ΣΑΣ@x",
        "ǅ@x",
        "ﬁ@x",
        "Ｅ@x",
        "𐐀@x",
        "\u00a0a@x\u2003",
        "K@x",
        "ᾈ@x",
    ],
)
async def test_known_tricky_spellings_agree(pool: Pool, text: str) -> None:
    assert await pool.fetchval("SELECT minegnk_email_key($1)", text) == email_key(text)


async def test_link_code_guesses_are_limited_per_person_across_chats(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com")
    limit = config.accounts.max_failures
    for i in range(limit):  # one wrong guess in each of many groups
        with pytest.raises(LinkCodeInvalidError):
            await svc.accounts.link_with_code(caller("555", chat=f"-100{i}", kind="group"), "ABCD-EFGH")
    with pytest.raises(RateLimitedError):
        await svc.accounts.link_with_code(caller("555", chat="-100999", kind="group"), "ABCD-EFGH")
    # someone else in those groups is not limited by it
    with pytest.raises(LinkCodeInvalidError):
        await svc.accounts.link_with_code(caller("556", chat="-1000", kind="group"), "ABCD-EFGH")


async def test_a_deactivated_account_s_right_password_answers_like_a_wrong_one(
    pool: Pool, config: Config
) -> None:
    svc = services(pool, config)
    await make_user(pool, "gone@example.com", password=PASSWORD)
    await pool.execute("UPDATE users SET is_active = false")
    with pytest.raises(WrongCredentialsError) as right:
        await svc.accounts.link_with_password(caller("700"), "gone@example.com", PASSWORD)
    with pytest.raises(WrongCredentialsError) as wrong:
        await svc.accounts.link_with_password(caller("701"), "gone@example.com", "nope")
    assert right.value.message == wrong.value.message
    reasons = await pool.fetch("SELECT success, reason FROM login_records ORDER BY id")
    assert [(r["success"], r["reason"]) for r in reasons] == [
        (False, "deactivated"),
        (False, "wrong_password"),
    ]


async def test_the_unknown_email_check_costs_what_a_stored_hash_costs(pool: Pool, config: Config) -> None:
    assert config.accounts.bcrypt_rounds == 4
    await add_user(pool, "portal@example.com", PASSWORD, rounds=5)  # the portal hashes at another cost
    svc = services(pool, config)
    assert (await svc.accounts.equaliser_hash()).startswith("$2b$05$")
    with pytest.raises(WrongCredentialsError):
        await svc.accounts.link_with_password(caller("800"), "nobody@example.com", PASSWORD)


def test_a_masked_email_shows_its_first_letter_and_domain() -> None:
    assert mask_email("alice@example.com") == "a***@example.com"
    assert mask_email("not-an-email") == "***"
