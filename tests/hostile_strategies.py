"""Hostile input for the fuzz tests of both frontends: hypothesis strategies, a victim to steal from,
and the checks every reply must pass.

The victim is a second portal user with distinctive node names, identifiers, emails, a request and an
outstanding link code. A reply to anyone but an admin must never show any of those strings unless the
caller typed them (an echo of the caller's own input is not a leak).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from bot.db import users as users_db
from bot.db.types import Pool
from bot.domain.identifiers import bech32_encode
from bot.domain.secrets import hash_link_code
from bot.services import actions
from bot.services.provisioning import add_user, assign_node, issue_link_code

#: examples per audience per platform (each example sends every command once); CI keeps it small,
#: ``MINEGNK_FUZZ_EXAMPLES=50`` digs deeper
EXAMPLES = int(os.environ.get("MINEGNK_FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    # no shrinking: every example drives a real bot, and a failing one is reported as drawn
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VICTIM_EMAIL = "victim.zq7x@example.com"
VICTIM_PASSWORD = "Vict1m-Passw0rd-Qz"
VICTIM_NODE_NAME = "VictimRig-Qz77"
VICTIM_WALLET = bech32_encode("gonka", bytes(range(7, 27)))
VICTIM_NOTE = "VictimSecretNote-Qz77"

USER_EMAIL = "caller@example.com"
ADMIN_EMAIL = "boss@example.com"
CALLER_PASSWORD = "caller-pass-123"
CALLER_NODE_NAME = "my-rig"

#: what must never reach the logs or a stranger's chat
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "asyncpg.exceptions", "Error:")


class _ErrorSink(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record)


@contextlib.contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """Every ERROR (and worse) record logged meanwhile, by any logger; must stay empty."""
    records: list[logging.LogRecord] = []
    handler = _ErrorSink(records)
    logging.getLogger().addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger().removeHandler(handler)


@dataclass(frozen=True)
class Victim:
    user_id: UUID
    email: str
    node_id: UUID
    node_name: str
    wallet: str
    note: str
    link_code: str
    #: codes of the victim's a fuzzer may type: one already used, one expired (both must be refused)
    dead_codes: tuple[str, str]
    password_hash: str
    request_number: int
    platform_ids: tuple[str, ...]

    def private_strings(self) -> tuple[str, ...]:
        """What a non-admin must never see (unless they typed it)."""
        return (
            self.email,
            str(self.node_id),
            self.node_name,
            self.wallet,
            self.note,
            self.link_code,
            self.password_hash,
            VICTIM_PASSWORD,
            *self.platform_ids,
        )

    def secrets(self) -> tuple[str, ...]:
        """What nobody, admins included, may ever see in a reply (unless they typed it)."""
        return (self.link_code, self.password_hash, VICTIM_PASSWORD)


async def seed_victim(pool: Pool, *, telegram: str, discord: str) -> Victim:
    user = await add_user(pool, VICTIM_EMAIL, VICTIM_PASSWORD, rounds=4)
    await users_db.link_identity(pool, user.id, "telegram", telegram)
    await users_db.link_identity(pool, user.id, "discord", discord)
    _, assignment = await assign_node(pool, VICTIM_EMAIL, VICTIM_WALLET, display_name=VICTIM_NODE_NAME)
    await pool.execute(
        "INSERT INTO node_stats_cache (node_id, status, earnings_day, uptime_percent, source)"
        " VALUES ($1, 'jailed', 7.77, 77.7, 'hyperfusion')",
        assignment.node.id,
    )
    number = await pool.fetchval(
        "INSERT INTO support_requests (user_id, type, comments, admin_notes)"
        " VALUES ($1, 'support', $2, $2) RETURNING number",
        user.id,
        VICTIM_NOTE,
    )
    code = (await issue_link_code(pool, VICTIM_EMAIL, 900)).code
    used = (await issue_link_code(pool, VICTIM_EMAIL, 900)).code
    expired = (await issue_link_code(pool, VICTIM_EMAIL, 900)).code
    await pool.execute(
        "UPDATE link_codes SET used_at = now(), used_platform = 'telegram', used_identity = $2"
        " WHERE code_hash = $1",
        hash_link_code(used),
        telegram,
    )
    await pool.execute(
        "UPDATE link_codes SET created_at = now() - interval '2 hours',"
        " expires_at = now() - interval '1 hour' WHERE code_hash = $1",
        hash_link_code(expired),
    )
    hashed = await pool.fetchval("SELECT password_hash FROM users WHERE id = $1", user.id)
    return Victim(
        user_id=user.id,
        email=VICTIM_EMAIL,
        node_id=assignment.node.id,
        node_name=VICTIM_NODE_NAME,
        wallet=VICTIM_WALLET,
        note=VICTIM_NOTE,
        link_code=code,
        dead_codes=(used, expired),
        password_hash=str(hashed),
        request_number=int(number),
        platform_ids=(telegram, discord),
    )


async def seed_caller(pool: Pool, email: str, platform: str, platform_id: str, *, admin: bool) -> None:
    """A fuzzing caller's own account (linked and admin audiences) with one node of its own."""
    user = await add_user(pool, email, CALLER_PASSWORD, admin=admin, rounds=4)
    await users_db.link_identity(pool, user.id, platform, platform_id)  # type: ignore[arg-type]
    n = 40 + (2 if admin else 1)
    await assign_node(
        pool, email, bech32_encode("gonka", bytes(range(n, n + 20))), display_name=CALLER_NODE_NAME
    )


async def relink(pool: Pool, email: str | None, platform: str, platform_id: str) -> None:
    """Undo what a fuzzed /unlink or /link did: the identity is linked to ``email`` again (or to nobody)."""
    column = "telegram" if platform == "telegram" else "discord"
    await pool.execute(
        f"UPDATE users SET {column} = NULL WHERE {column} = $1",
        platform_id,
    )
    if email is not None:
        await pool.execute(
            f"UPDATE users SET {column} = $1 WHERE email = $2",
            platform_id,
            email,
        )


async def reset_victim(pool: Pool, victim: Victim) -> None:
    """Undo what a fuzzing admin did to the victim's node (an /assign of it to the caller would make it
    the caller's, and so not a leak any more)."""
    await pool.execute(
        "DELETE FROM user_nodes WHERE node_id = $1 AND user_id <> $2", victim.node_id, victim.user_id
    )
    await pool.execute(
        "INSERT INTO user_nodes (user_id, node_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        victim.user_id,
        victim.node_id,
    )
    await pool.execute("UPDATE nodes SET display_name = $2 WHERE id = $1", victim.node_id, victim.node_name)


def fragments(victim: Victim) -> st.SearchStrategy[str]:
    """Single hostile tokens: metacharacters, unicode traps, SQL, numbers out of range, other users'
    identifiers."""
    return st.sampled_from(
        (
            "",
            " ",
            "<b>",
            "</b>",
            "<i>x</i>",
            "<a href='javascript:alert(1)'>x</a>",
            "&",
            "&amp;",
            "&#0;",
            "&lt;",
            "<",
            ">",
            '"',
            "'",
            "**bold**",
            "__u__",
            "`",
            "```",
            "~~",
            "||spoiler||",
            "[x](https://evil.example)",
            "@everyone",
            "@here",
            "<@123>",
            "<@&456>",
            "<#789>",
            "'; DROP TABLE users; --",
            "' OR '1'='1",
            "%",
            "_",
            "\\",
            "$1",
            "\u202eRTL\u202c",
            "\u05e9\u05dc\u05d5\u05dd",
            "e\u0301\u0301\u0301",
            "🔥",
            "👩\u200d👩\u200d👧",
            "\u200b",
            "\u200d",
            "\ufeff",
            "\x00",
            "\x07",
            "\x1b[31m",
            "\r\n",
            "\t",
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "-9223372036854775809",
            "9" * 300,
            "all",
            "resolved",
            "1h",
            "30d",
            "pending",
            "approved",
            "currency",
            "offline",
            "on",
            "EUR",
            "wallet",
            "new_node",
            victim.email,
            victim.email.upper(),
            str(victim.node_id),
            victim.node_name,
            victim.node_name.lower()[:6],
            victim.wallet,
            victim.wallet[:12],
            f"{victim.wallet}:node1",
            *victim.dead_codes,
            victim.dead_codes[0].lower().replace("-", ""),
            str(victim.request_number),
            *victim.platform_ids,
            USER_EMAIL,
            ADMIN_EMAIL,
            CALLER_NODE_NAME,
        )
    )


def hostile_text(victim: Victim) -> st.SearchStrategy[str]:
    """An argument string: a few fragments and random unicode, or something huge."""
    noise = st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=40
    )
    words = st.lists(st.one_of(fragments(victim), noise), min_size=0, max_size=6).map(" ".join)
    huge = st.tuples(fragments(victim), st.integers(10_000, 12_000)).map(
        lambda t: (t[0] or "A") * (t[1] // max(1, len(t[0] or "A")) + 1)
    )
    return st.one_of(words, words, words, huge)


def action_names(*extra: str) -> tuple[str, ...]:
    """Every button action the services use (``bot.services.actions``), plus the frontend's own."""
    names = (getattr(actions, n) for n in dir(actions) if n.isupper())
    return (*(n for n in names if isinstance(n, str)), *extra)


def callback_data(victim: Victim, actions: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Forged or stale callback data / custom ids: known actions with hostile arguments, and junk."""
    arg = st.one_of(fragments(victim), st.text(max_size=12)).map(lambda s: s.replace(":", "") or "x")
    shaped = st.tuples(st.sampled_from(actions), st.lists(arg, max_size=3)).map(
        lambda t: ":".join((t[0], *t[1]))
    )
    return st.one_of(shaped, shaped, st.text(min_size=1, max_size=40))


def leaks(reply: str, sent: str, victim: Victim, *, admin: bool) -> list[str]:
    """The victim's strings in ``reply`` that the caller did not type themselves."""
    watched = victim.secrets() if admin else victim.private_strings()
    return [s for s in watched if s.lower() in reply.lower() and s.lower() not in sent.lower()]


def problems(reply: str) -> list[str]:
    """What no reply may contain: trace text."""
    return [m for m in TRACEBACK_MARKERS if m in reply]
