"""``minegnk-bot``: run the bot and operate it.

Every error prints one line to stderr and exits non-zero (2 for configuration errors).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from bot import __version__
from bot.config import Config, load_config
from bot.domain.numbers import parse_uint
from bot.errors import BotError, ConfigError

log = logging.getLogger(__name__)
T = TypeVar("T")

EXIT_ERROR = 1
EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="minegnk-bot", description="MineGNK Bot: Gonka node alerts in chat")
    p.add_argument("--config", help="path to config.toml (default: $MINEGNK_CONFIG or ./config.toml)")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run the bots, the poller and the outbox workers")
    m = sub.add_parser("migrate", help="apply database migrations")
    m.add_argument(
        "--rollback", metavar="N", help="roll back the last N migrations ('all' for every one)", default=None
    )
    m.add_argument(
        "--drop-seed-tables",
        action="store_true",
        help="let --rollback drop the tables shared with the portal (users, nodes, ...: their data is lost)",
    )
    sub.add_parser("check-config", help="validate the configuration and exit")
    sub.add_parser("poll-once", help="run one tracker poll cycle and print nodes, statuses and sources")

    u = sub.add_parser("user", help="manage portal users").add_subparsers(dest="user_command", required=True)
    ua = u.add_parser("add", help="create a user (password read from a prompt or stdin)")
    ua.add_argument("email")
    ua.add_argument("--admin", action="store_true", help="make the user an admin")
    ua.add_argument("--name", help="the user's name")
    ur = u.add_parser("set-role", help="make a user an admin or a plain user")
    ur.add_argument("email")
    ur.add_argument("role", choices=["user", "admin"])
    ul = u.add_parser("link-code", help="issue a one-time code the user sends to the bot with /link")
    ul.add_argument("email")
    ud = u.add_parser("deactivate", help="deactivate an account (no commands, alerts or linking)")
    ud.add_argument("email")
    uu = u.add_parser("activate", help="re-activate a deactivated account")
    uu.add_argument("email")

    n = sub.add_parser("node", help="manage nodes").add_subparsers(dest="node_command", required=True)
    na = n.add_parser("assign", help="link a node to a user (creates the node when new)")
    na.add_argument("email")
    na.add_argument("identifier")
    na.add_argument("--type", choices=["wallet", "node_id", "operator", "validator"], default=None)
    na.add_argument("--name", help="display name")
    return p


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise BotError("the passwords do not match")
        return first
    line = sys.stdin.readline()
    if not line:
        raise BotError("no password on standard input")
    return line.rstrip("\r\n")


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container with an arbitrary uid)
        return "unknown"


async def _audited(
    config: Config,
    action: str,
    target: str,
    fn: Callable[[Any], Awaitable[T]],
    details: Callable[[T], dict[str, Any]] | None = None,
) -> T:
    """Run an admin action and write it to the audit log (``platform = 'cli'``), ok or failed."""
    from bot.resources import open_resources
    from bot.services.provisioning import audit_cli

    async with open_resources(config) as res:
        try:
            result = await fn(res.pool)
        except BotError as exc:
            reason = getattr(exc, "message", None) or str(exc)
            await audit_cli(res.pool, _operator(), action, target, "failed", {"reason": reason[:200]})
            raise
        await audit_cli(res.pool, _operator(), action, target, "ok", details(result) if details else None)
        return result


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    from bot.services import provisioning

    if args.command == "run":
        from bot.app import run

        await run(config)
        return 0
    if args.command == "migrate":
        from bot.db.migrate import apply_migrations, rollback_migrations
        from bot.resources import resolve_dsn

        dsn = await resolve_dsn(config)
        timeout = config.database.migrate_lock_timeout_s
        if args.rollback is not None:
            count = None if args.rollback == "all" else _positive_int(args.rollback)
            done = await asyncio.to_thread(
                functools.partial(rollback_migrations, drop_seed_tables=args.drop_seed_tables),
                dsn,
                count,
                timeout,
            )
            print(f"rolled back {len(done)} migration(s)")
        else:
            done = await asyncio.to_thread(apply_migrations, dsn, timeout)
            print(f"applied {len(done)} migration(s)" if done else "database is up to date")
        return 0
    if args.command == "poll-once":
        from bot.poller.cli import poll_once

        return await poll_once(config)
    if args.command == "user":
        if args.user_command == "add":
            password = _read_password()
            user = await _audited(
                config,
                "user_add",
                args.email,
                lambda pool: provisioning.add_user(
                    pool,
                    args.email,
                    password,
                    admin=args.admin,
                    name=args.name,
                    rounds=config.accounts.bcrypt_rounds,
                ),
                lambda u: {"role": u.role, "user_id": str(u.id)},
            )
            print(f"created {user.role} {user.email} ({user.id})")
            return 0
        if args.user_command == "set-role":
            user = await _audited(
                config,
                "set_role",
                args.email,
                lambda pool: provisioning.set_role(pool, args.email, args.role),
                lambda u: {"role": u.role},
            )
            print(f"{user.email} is now {user.role}")
            return 0
        if args.user_command == "link-code":
            issued = await _audited(
                config,
                "linkcode",
                args.email,
                lambda pool: provisioning.issue_link_code(pool, args.email, config.accounts.link_code_ttl_s),
                lambda i: {"expires_at": i.expires_at.isoformat()},
            )
            print(f"link code for {issued.user.email}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:")
            print(issued.code)
            return 0
        if args.user_command in ("deactivate", "activate"):
            active = args.user_command == "activate"
            user = await _audited(
                config,
                f"user_{args.user_command}",
                args.email,
                lambda pool: provisioning.set_active(pool, args.email, active),
            )
            print(f"{user.email} is now {'active' if user.is_active else 'deactivated'}")
            return 0
    if args.command == "node" and args.node_command == "assign":
        user, assignment = await _audited(
            config,
            "assign",
            f"{args.email} {args.identifier}",
            lambda pool: provisioning.assign_node(
                pool, args.email, args.identifier, identifier_type=args.type, display_name=args.name
            ),
            lambda r: {"node_id": str(r[1].node.id), "node_created": r[1].node_created},
        )
        node = assignment.node
        what = (
            "created and assigned"
            if assignment.node_created
            else ("assigned" if assignment.assignment_created else "already assigned")
        )
        print(f"{node.identifier_type} {node.identifier} {what} to {user.email}")
        return 0
    raise BotError(f"unknown command {args.command}")  # pragma: no cover - argparse prevents it


def _positive_int(text: str) -> int:
    value = parse_uint(text)
    if value is None or value < 1:
        raise BotError("--rollback takes a positive number or 'all'")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    from bot.logs import setup_logging

    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if args.command == "check-config":
        print("configuration is valid")
        return 0
    level = config.logging.level if args.command == "run" else "WARNING"
    setup_logging(level, config.logging.format)
    try:
        return asyncio.run(_dispatch(args, config))
    except BotError as exc:
        print(f"error: {getattr(exc, 'message', None) or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
