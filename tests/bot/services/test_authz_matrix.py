"""The authorisation matrix (bot/services/README.md, "Who may call what"): every service operation ×
{anonymous, linked user, owner of another node, admin} is allowed or refused exactly as specified.

The "linked" user owns node A; "other" owns node B; "admin" is a linked admin who owns no node. Node
arguments always name node A, so "other" must get the same not-found answer as for a node that does not
exist; an admin may inspect (and mute) any node named by its id or identifier, audited (issue 15 item
11), while a display name only ever names the caller's own nodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.errors import NotLinkedError, UserError
from bot.services.arguments import AlertSwitch
from bot.services.container import Services
from bot.services.context import Caller
from bot.services.errors import AdminOnlyError, IdentityLinkedElsewhereError, NodeNotFoundError
from bot.services.provisioning import issue_link_code
from tests.bot.services.helpers import assert_renders, services
from tests.helpers import caller, give_node, make_user, wallet

ROLES = ("anonymous", "linked", "other", "admin")
CALLERS = {"anonymous": caller("100"), "linked": caller("1"), "other": caller("2"), "admin": caller("9")}


@dataclass(frozen=True)
class World:
    node_a: UUID
    request_number: int


Op = Callable[[Services, Caller, World, Pool], Awaitable[Any]]


async def _fresh_code(pool: Pool) -> str:
    email = f"new{uuid4().hex[:8]}@example.com"
    await make_user(pool, email)
    return (await issue_link_code(pool, email, 900)).code


async def _channel_admin(target: str) -> tuple[str, str, bool]:
    """The platform's answer for a channel the caller administers."""
    return target, "Channel", True


async def _link(s: Services, c: Caller, w: World, p: Pool) -> Any:
    return await s.accounts.link_with_code(c, await _fresh_code(p))


# outcome per role: ok | not_linked | admin_only | not_found | conflict
U = {"anonymous": "not_linked", "linked": "ok", "other": "ok", "admin": "ok"}  # user command
OWN = {"anonymous": "not_linked", "linked": "ok", "other": "not_found", "admin": "not_found"}  # node A
ANY = dict.fromkeys(ROLES, "ok")
INSPECT = {"anonymous": "not_linked", "linked": "ok", "other": "not_found", "admin": "ok"}  # node A, by id
ADM = {"anonymous": "admin_only", "linked": "admin_only", "other": "admin_only", "admin": "ok"}

A = "node-a"

MATRIX: dict[str, tuple[Op, dict[str, str]]] = {
    "help": (lambda s, c, w, p: s.help.help(c), ANY),
    "start": (lambda s, c, w, p: s.accounts.start(c, None), ANY),
    "whoami": (lambda s, c, w, p: s.accounts.whoami(c), ANY),
    "link": (_link, {"anonymous": "ok", "linked": "conflict", "other": "conflict", "admin": "conflict"}),
    "unlink": (lambda s, c, w, p: s.accounts.unlink(c), U),
    "nodes": (lambda s, c, w, p: s.nodes.list_nodes(c), U),
    "node by name": (lambda s, c, w, p: s.nodes.detail(c, A), OWN),
    "node by identifier": (lambda s, c, w, p: s.nodes.detail(c, wallet(1)), INSPECT),
    "node by id": (lambda s, c, w, p: s.nodes.detail(c, str(w.node_a)), INSPECT),
    "suggest": (lambda s, c, w, p: s.nodes.suggest_nodes(c, ""), ANY),
    "earnings": (lambda s, c, w, p: s.earnings.report(c, "30d"), U),
    "mute node": (lambda s, c, w, p: s.mutes.mute(c, A, timedelta(hours=1)), OWN),
    "mute button": (lambda s, c, w, p: s.mutes.mute(c, str(w.node_a), None), INSPECT),
    "mute all": (lambda s, c, w, p: s.mutes.mute(c, None, timedelta(hours=2)), U),
    "unmute node": (lambda s, c, w, p: s.mutes.unmute(c, A), OWN),
    "mutes": (lambda s, c, w, p: s.mutes.list_mutes(c), U),
    "settings": (lambda s, c, w, p: s.settings.show(c), U),
    "settings currency": (lambda s, c, w, p: s.settings.set_currency(c, "EUR"), U),
    "settings alert": (lambda s, c, w, p: s.settings.set_alert(c, "offline", False), U),
    "settings change": (lambda s, c, w, p: s.settings.change(c, AlertSwitch("jailed", True)), U),
    "request": (lambda s, c, w, p: s.requests.create(c, {"type": "support", "comments": "help"}), U),
    "myrequests": (lambda s, c, w, p: s.requests.mine(c), U),
    "requests": (lambda s, c, w, p: s.requests.list_requests(c, "pending"), ADM),
    "request_set": (lambda s, c, w, p: s.requests.set_status(c, w.request_number, "approved", "ok"), ADM),
    "req_take": (lambda s, c, w, p: s.requests.take(c, w.request_number), ADM),
    "assign": (lambda s, c, w, p: s.admin.assign(c, "linked@example.com", wallet(5)), ADM),
    "unassign": (lambda s, c, w, p: s.admin.unassign(c, "linked@example.com", wallet(1)), ADM),
    "user": (lambda s, c, w, p: s.admin.user_info(c, "linked@example.com"), ADM),
    "linkcode": (lambda s, c, w, p: s.admin.link_code(c, "linked@example.com"), ADM),
    "broadcast": (lambda s, c, w, p: s.admin.broadcast(c, "hello"), ADM),
    "stats": (lambda s, c, w, p: s.admin.stats(c), ADM),
    "alerts_here": (lambda s, c, w, p: s.admin.alerts_here(c, "admin"), ADM),
    "alerts_off": (lambda s, c, w, p: s.admin.alerts_off(c), ADM),
    "alerts_to": (lambda s, c, w, p: s.admin.alerts_to(c, "-100999", "admin", _channel_admin), ADM),
}

_OUTCOMES: dict[type[UserError], str] = {
    NotLinkedError: "not_linked",
    AdminOnlyError: "admin_only",
    NodeNotFoundError: "not_found",
    IdentityLinkedElsewhereError: "conflict",
}


async def _world(pool: Pool) -> World:
    await make_user(pool, "linked@example.com", telegram="1")
    await make_user(pool, "other@example.com", telegram="2")
    await make_user(pool, "boss@example.com", telegram="9", admin=True)
    node_a = await give_node(pool, "linked@example.com", wallet(1), A, status="healthy")
    await give_node(pool, "other@example.com", wallet(2), "node-b", status="healthy")
    for uid in ("1", "2", "9"):  # every linked role has a mute on "all"; the linked user one on A
        await pool.execute(
            "INSERT INTO mutes (user_id, node_id, until_resolved)"
            " SELECT id, NULL, true FROM users WHERE telegram = $1",
            uid,
        )
    await pool.execute(
        "INSERT INTO mutes (user_id, node_id, until_resolved)"
        " SELECT id, $1, true FROM users WHERE telegram = '1'",
        node_a,
    )
    number = await pool.fetchval(
        "INSERT INTO support_requests (user_id, type, comments) SELECT id, 'support', 'x' FROM users"
        " WHERE telegram = '1' RETURNING number"
    )
    for uid in ("100", "1", "2", "9"):
        await pool.execute(
            "INSERT INTO alert_routes (platform, chat_id, scope) VALUES ('telegram', $1, 'all')", uid
        )
    return World(node_a=node_a, request_number=number)


@pytest.mark.parametrize("operation", list(MATRIX))
async def test_authorisation_matrix(pool: Pool, config: Config, operation: str) -> None:
    """The four roles run the operation in turn on one database (their effects do not interact)."""
    world = await _world(pool)
    svc = services(pool, config)
    op, expected = MATRIX[operation]
    outcomes: dict[str, str] = {}
    refusals: dict[str, int] = {}
    for role in ROLES:
        before = await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'refused'")
        try:
            result = await op(svc, CALLERS[role], world, pool)
            outcomes[role] = "ok"
            if hasattr(result, "message"):
                assert_renders(result.message)
        except UserError as exc:
            outcomes[role] = _OUTCOMES.get(type(exc), f"unexpected {type(exc).__name__}: {exc.message}")
        after = await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'refused'")
        refusals[role] = after - before
    assert outcomes == expected
    # every refused admin attempt is audited, and nothing else is audited as refused
    assert refusals == {r: int(outcomes[r] == "admin_only") for r in ROLES}
    if expected is ADM:
        assert await pool.fetchval("SELECT count(*) FROM admin_audit_log WHERE outcome = 'ok'") >= 1


def test_the_matrix_covers_every_public_service_operation() -> None:
    """A new public operation must be added to the matrix (or here, with the reason it is exempt)."""
    import inspect

    from bot.services.accounts import AccountsService
    from bot.services.admin import AdminService
    from bot.services.earnings import EarningsService
    from bot.services.help import HelpService
    from bot.services.mutes import MutesService
    from bot.services.nodes import NodesService
    from bot.services.requests import RequestsService
    from bot.services.settings import SettingsService

    covered = {
        "help",
        "start",
        "whoami",
        "link_with_code",
        "unlink",
        "list_nodes",
        "detail",
        "suggest_nodes",
        "report",
        "mute",
        "unmute",
        "list_mutes",
        "show",
        "change",
        "set_currency",
        "set_alert",
        "create",
        "mine",
        "list_requests",
        "set_status",
        "take",
        "assign",
        "unassign",
        "user_info",
        "link_code",
        "broadcast",
        "stats",
        "alerts_here",
        "alerts_off",
        "alerts_to",
    }
    exempt = {
        "link_with_password": "tested in test_accounts_service (private-chat rule, limits)",
        "inspect": "the node lookup 'node by …' and 'mute button' exercise",
        "resolve": "the ownership lookup 'node by …' exercises",
        "resolve_for": "same, for an already resolved actor",
        "steps": "pure: the form's questions",
        "validate_field": "pure: one answer's validation",
        "link_cancelled": "pure: the Cancel button's text, no account touched",
        "equaliser_hash": "internal timing equaliser, tested in test_account_limits",
    }
    public = set()
    for cls in (
        AccountsService,
        AdminService,
        EarningsService,
        HelpService,
        MutesService,
        NodesService,
        RequestsService,
        SettingsService,
    ):
        public |= {n for n, _ in inspect.getmembers(cls, callable) if not n.startswith("_")}
    assert public - covered - set(exempt) == set()
