"""Linking a chat identity to a portal account: one-time codes, email + password, unlink, whoami."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from bot.config import Config
from bot.db import link_codes as link_codes_db
from bot.db import login_records as records_db
from bot.db import nodes as nodes_db
from bot.db import users as users_db
from bot.db.login_records import CONFIRM_ASKED, PENDING, RATE_LIMITED, Attempt, Method
from bot.db.types import Conn, Pool
from bot.domain.emails import mask_email
from bot.domain.secrets import check_password, hash_link_code, hash_password, normalise_link_code
from bot.errors import (
    ConflictError,
    InvalidInputError,
    NotLinkedError,
    RateLimitedError,
    UserError,
)
from bot.i18n.catalogs import LP_, N_
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.authz import DEACTIVATED_TEXT, NOT_LINKED_TEXT, Authz
from bot.services.context import Caller, LinkedActor, Who, caller_of
from bot.services.errors import (
    AccountDeactivatedError,
    IdentityLinkedElsewhereError,
    LinkCodeExpiredError,
    LinkCodeInvalidError,
    LinkCodeUsedError,
    PrivateChatRequiredError,
    WrongCredentialsError,
)
from bot.services.language import LanguageService
from bot.services.provisioning import validate_email

log = logging.getLogger(__name__)

_PLATFORM_NAME = {"telegram": "Telegram", "discord": "Discord"}
PRIVATE_ONLY_TEXT = N_(
    "For your safety, send /link EMAIL PASSWORD only in a private chat with the bot. "
    "If others saw your password here, change it in the portal."
)
WRONG_CREDENTIALS_TEXT = N_("That email and password do not match a MineGNK account.")
LINKED_ELSEWHERE_TEXT = N_(
    "This {platform} account is already linked to another MineGNK account. "
    "Send /unlink there first (or from this chat), then link again."
)
DEACTIVATED_LINK_TEXT = N_("This MineGNK account is deactivated and cannot be linked. Contact support.")


@dataclass(frozen=True, slots=True)
class LinkResult:
    """A successful link. ``already_linked``: the identity was already linked to this same account."""

    user: users_db.User
    platform: str
    already_linked: bool
    message: Message


@dataclass(frozen=True, slots=True)
class UnlinkResult:
    email: str
    message: Message


@dataclass(frozen=True, slots=True)
class WhoAmI:
    linked: bool
    is_admin: bool
    deactivated: bool
    user: users_db.User | None
    node_count: int
    message: Message


@dataclass(frozen=True, slots=True)
class StartResult:
    """``/start [payload]``: a welcome, or, for a deep-link code, the question which account it links
    (``confirm_email``, masked; the message carries Confirm / Cancel buttons). Nothing is linked and the
    code is not used until the user confirms (:meth:`AccountsService.link_with_code`)."""

    message: Message
    link: LinkResult | None = None
    confirm_email: str | None = None


class AccountsService:
    def __init__(self, pool: Pool, config: Config, authz: Authz, language: LanguageService) -> None:
        self._pool = pool
        self._authz = authz
        self._language = language
        self._cfg = config.accounts
        self._dummy_hashes: dict[int, str] = {}
        self._dummy_lock = asyncio.Lock()

    # -- entry points --------------------------------------------------------------------------

    async def start(self, who: Who, payload: str | None) -> StartResult:
        """``/start`` (Telegram deep link ``?start=CODE`` passes the code as ``payload``).

        A deep link may have been sent by someone else, to attach this identity to *their* account:
        it only asks which account it links; the Confirm button links (:data:`actions.LINK_CONFIRM`).
        """
        caller = caller_of(who)
        if payload and normalise_link_code(payload) is not None:
            return await self._ask_to_confirm(caller, payload)
        actor = await self._authz.resolve(who)
        t = await self._language.translator(who)
        lines = [
            t(
                "MineGNK Bot watches your Gonka GPU nodes: status, earnings and alerts when a node is "
                "jailed or goes offline."
            ),
        ]
        if actor.user is not None:
            lines.append(
                t("You are linked as {email}. Send /nodes to see your nodes.", email=actor.user.email)
            )
        elif actor.deactivated:
            lines.append(t(DEACTIVATED_TEXT))
        else:
            lines.append(
                t("To start, link your MineGNK account: get a code in the portal and send /link CODE.")
            )
        lines.append(t("Send /help for the commands you can use."))
        return StartResult(message=Message.text("\n".join(lines), title="MineGNK Bot"))

    async def _ask_to_confirm(self, caller: Caller, code: str) -> StartResult:
        """Check the code like a link attempt (recorded, limited) without using it; name its account."""
        attempt = await self._begin(_attempt(caller, "code"))
        await self._check_limits(caller, attempt)
        normalised = normalise_link_code(code)
        assert normalised is not None
        user: users_db.User | None = None
        try:
            async with self._pool.acquire() as conn:
                row = await link_codes_db.get_link_code(conn, hash_link_code(normalised))
                if row is None or row.used_at is not None or row.expires_at <= await records_db.db_now(conn):
                    await _explain_unusable_code(conn, hash_link_code(normalised))
                assert row is not None
                user = await users_db.get_user(conn, row.user_id)
                if user is None:
                    raise LinkCodeInvalidError(N_("That link code is not valid."))
                if not user.is_active:
                    raise AccountDeactivatedError(DEACTIVATED_LINK_TEXT)
                current = await users_db.get_user_by_identity(conn, caller.platform, caller.platform_user_id)
        except UserError as exc:
            await self._finish(attempt, False, _reason(exc), None if user is None else user.id)
            raise
        await self._finish(attempt, False, CONFIRM_ASKED, user.id)
        platform = _PLATFORM_NAME[caller.platform]
        masked = mask_email(user.email)
        t = await self._language.translator(caller)
        if current is not None and current.id == user.id:
            text = t(
                "This {platform} account is already linked to {email}.", platform=platform, email=user.email
            )
            return StartResult(message=Message.text(text, title=t("Already linked")))
        lines = [
            t(
                "This link connects your {platform} account to the MineGNK account {email}.",
                platform=platform,
                email=masked,
            ),
            t(
                "Confirm only if that is your own account: its alerts will come here, "
                "and what you do here is done as that account."
            ),
        ]
        if current is not None:
            lines.append(
                t(
                    "Your {platform} account is linked to another MineGNK account: /unlink it first.",
                    platform=platform,
                )
            )
        return StartResult(
            message=Message(
                title=t("Link this account?"),
                lines=Message.text("\n".join(lines)).lines,
                buttons=(
                    (
                        Button(label="✔ " + t("Confirm"), action=actions.LINK_CONFIRM, args=(normalised,)),
                        Button(label="✖ " + t("Cancel"), action=actions.LINK_CANCEL),
                    ),
                ),
            ),
            confirm_email=masked,
        )

    async def link_cancelled(self, who: Who) -> Message:
        """The answer to the Cancel button of a deep-link confirmation (the code stays unused)."""
        t = await self._language.translator(who)
        return Message.text(t("Nothing was linked. The link code was not used."), title=t("Cancelled"))

    async def link_with_code(self, who: Who, code: str) -> LinkResult:
        caller = caller_of(who)
        attempt = await self._begin(_attempt(caller, "code"))
        await self._check_limits(caller, attempt)
        normalised = normalise_link_code(code or "")
        if normalised is None:
            await self._finish(attempt, False, "invalid_code")
            raise LinkCodeInvalidError(N_("That is not a valid link code. Codes look like K7QM-R2XP."))
        code_hash = hash_link_code(normalised)
        user_id: UUID | None = None
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                row = await link_codes_db.consume_link_code(
                    conn, code_hash, caller.platform, caller.platform_user_id
                )
                if row is None:
                    await _explain_unusable_code(conn, code_hash)
                assert row is not None
                user_id = row.user_id
                user = await users_db.get_user(conn, row.user_id)
                if user is None:
                    raise LinkCodeInvalidError(N_("That link code is not valid."))
                result = await self._link(conn, caller, user)
        except UserError as exc:
            await self._finish(attempt, False, _reason(exc), user_id)
            raise
        await self._finish(attempt, True, None, result.user.id)
        return result

    async def link_with_password(self, who: Who, email: str, password: str) -> LinkResult:
        caller = caller_of(who)
        typed = (email or "").strip()[:255] or None
        if not caller.is_private:
            await records_db.record_attempt(self._pool, _attempt(caller, "password", typed, "not_private"))
            raise PrivateChatRequiredError(PRIVATE_ONLY_TEXT)
        try:
            email = validate_email(email)
        except InvalidInputError:
            attempt = await self._begin(_attempt(caller, "password", typed, "bad_email"))
            await self._check_limits(caller, attempt)
            raise
        attempt = await self._begin(_attempt(caller, "password", email))
        await self._check_limits(caller, attempt)
        blocked = await records_db.email_blocked_until(
            self._pool, email, self._cfg.max_failures, self._cfg.failure_window_s, exclude_id=attempt
        )
        if blocked is not None:
            await self._refuse_limited(attempt, blocked)
        found = await users_db.get_password_hash(self._pool, email)
        if found is None:
            await check_password(password, await self.equaliser_hash())  # same cost as a real check
            await self._finish(attempt, False, "unknown_email")
            raise WrongCredentialsError(WRONG_CREDENTIALS_TEXT)
        user_id, password_hash = found
        if not await check_password(password, password_hash):
            await self._finish(attempt, False, "wrong_password", user_id)
            raise WrongCredentialsError(WRONG_CREDENTIALS_TEXT)
        found_user = await users_db.get_user(self._pool, user_id)
        if found_user is None or not found_user.is_active:  # answered like a wrong password, a failure
            await self._finish(attempt, False, "deactivated", user_id)
            raise WrongCredentialsError(WRONG_CREDENTIALS_TEXT)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                user = await users_db.get_user(conn, user_id)
                if user is None:
                    raise WrongCredentialsError(WRONG_CREDENTIALS_TEXT)
                result = await self._link(conn, caller, user)
        except UserError as exc:
            await self._finish(attempt, False, _reason(exc), user_id)
            raise
        await self._finish(attempt, True, None, user_id)
        return result

    async def unlink(self, who: Who) -> UnlinkResult:
        """Remove this platform identity from its account (works for a deactivated account too)."""
        caller = caller_of(who)
        user = await users_db.unlink_identity(self._pool, caller.platform, caller.platform_user_id)
        if user is None:
            raise NotLinkedError(N_("This account is not linked to MineGNK, so there is nothing to unlink."))
        log.info(
            "unlinked %s identity from user %s",
            caller.platform,
            user.id,
            extra={"platform": caller.platform, "chat": caller.chat_id},
        )
        platform = _PLATFORM_NAME[caller.platform]
        t = await self._language.translator(caller)
        return UnlinkResult(
            email=user.email,
            message=Message.text(
                t(
                    "Your {platform} account is no longer linked to {email}. "
                    "You will get no more alerts here. Link again any time with /link.",
                    platform=platform,
                    email=user.email,
                ),
                title=t("Unlinked"),
                severity="success",
            ),
        )

    async def whoami(self, who: Who) -> WhoAmI:
        caller = caller_of(who)
        actor = await self._authz.resolve(who)
        platform = _PLATFORM_NAME[caller.platform]
        t = await self._language.translator(actor)
        if not isinstance(actor, LinkedActor):
            text = t(DEACTIVATED_TEXT if actor.deactivated else NOT_LINKED_TEXT)
            if actor.is_admin:
                text += "\n" + t("You are an admin by configuration.")
            title = t("{platform} id {id}", platform=platform, id=caller.platform_user_id)
            return WhoAmI(
                linked=False,
                is_admin=actor.is_admin,
                deactivated=actor.deactivated,
                user=None,
                node_count=0,
                message=Message.text(text, title=title),
            )
        user = actor.me
        nodes = await nodes_db.list_user_nodes(self._pool, user.id)
        linked, not_linked = t("linked"), t("not linked")
        lines: list[tuple[Span, ...]] = [
            (Span(text=t("Account: ")), Span(text=user.email, style="bold")),
        ]
        if user.name:
            lines.append((Span(text=t("Name: {name}", name=user.name)),))
        lines.append((Span(text=t("Role: {role}", role=t("admin") if actor.is_admin else t("user"))),))
        lines.append((Span(text="Telegram: " + (linked if user.telegram else not_linked)),))
        lines.append((Span(text="Discord: " + (linked if user.discord else not_linked)),))
        lines.append((Span(text=t("Nodes: {count}", count=t.number(len(nodes)))),))
        lines.append((Span(text=t("Currency: {currency}", currency=user.currency_preference)),))
        return WhoAmI(
            linked=True,
            is_admin=actor.is_admin,
            deactivated=False,
            user=user,
            node_count=len(nodes),
            message=Message(title=t("Who am I"), lines=tuple(lines)),
        )

    # -- internals -----------------------------------------------------------------------------

    async def _link(self, conn: Conn, caller: Caller, user: users_db.User) -> LinkResult:
        if not user.is_active:
            raise AccountDeactivatedError(DEACTIVATED_LINK_TEXT)
        platform = _PLATFORM_NAME[caller.platform]
        current = await users_db.get_user_by_identity(conn, caller.platform, caller.platform_user_id)
        if current is not None and current.id != user.id:
            raise IdentityLinkedElsewhereError(LINKED_ELSEWHERE_TEXT, platform=platform)
        t = await self._language.translator(caller)
        if current is not None:
            return LinkResult(
                user=current,
                platform=caller.platform,
                already_linked=True,
                message=Message.text(
                    t(
                        "This {platform} account is already linked to {email}.",
                        platform=platform,
                        email=user.email,
                    ),
                    title=t("Already linked"),
                ),
            )
        try:
            linked = await users_db.link_identity(conn, user.id, caller.platform, caller.platform_user_id)
        except ConflictError:
            raise IdentityLinkedElsewhereError(LINKED_ELSEWHERE_TEXT, platform=platform) from None
        log.info(
            "linked %s identity to user %s",
            caller.platform,
            user.id,
            extra={"platform": caller.platform, "chat": caller.chat_id},
        )
        lines = [
            t("Linked to {email}. You will get alerts for your nodes here.", email=linked.email),
            t("Send /nodes to see them, /help for everything else."),
        ]
        if user.identity(caller.platform) is not None:
            lines.append(
                t(
                    "The {platform} account previously linked to {email} was unlinked.",
                    platform=platform,
                    email=linked.email,
                )
            )
        return LinkResult(
            user=linked,
            platform=caller.platform,
            already_linked=False,
            message=Message.text("\n".join(lines), title=t("Account linked"), severity="success"),
        )

    async def _begin(self, attempt: Attempt) -> int:
        """Record the attempt before checking it (counted as a failure until finished)."""
        return await records_db.record_attempt(self._pool, attempt)

    async def _finish(
        self, attempt_id: int, success: bool, reason: str | None, user_id: UUID | None = None
    ) -> None:
        await records_db.finish_attempt(self._pool, attempt_id, success, reason, user_id)

    async def _check_limits(self, caller: Caller, attempt_id: int) -> None:
        """Failures are limited per chat and per person (the same identity trying from many groups)."""
        limit, window = self._cfg.max_failures, self._cfg.failure_window_s
        chat = await records_db.chat_blocked_until(
            self._pool, caller.platform, caller.chat_id, limit, window, exclude_id=attempt_id
        )
        person = await records_db.identity_blocked_until(
            self._pool, caller.platform, caller.platform_user_id, limit, window, exclude_id=attempt_id
        )
        blocked = max((b for b in (chat, person) if b is not None), default=None)
        if blocked is not None:
            await self._refuse_limited(attempt_id, blocked)

    async def _refuse_limited(self, attempt_id: int, blocked_until: datetime) -> None:
        await self._finish(attempt_id, False, RATE_LIMITED)
        now = await records_db.db_now(self._pool)
        wait = max(1.0, (blocked_until - now).total_seconds())
        minutes = max(1, round(wait / 60))
        raise RateLimitedError(
            LP_(
                "Too many failed attempts. Try again in about {n} minute.",
                "Too many failed attempts. Try again in about {n} minutes.",
                minutes,
            ),
            wait,
        )

    async def equaliser_hash(self) -> str:
        """The hash an unknown email's password is checked against, so that answer takes as long as a
        real check: bcrypt at the cost of the stored hashes (the newest account's; the portal may use
        another cost than ``accounts.bcrypt_rounds``, which is the fallback on an empty table)."""
        cost = await users_db.newest_password_cost(self._pool) or self._cfg.bcrypt_rounds
        async with self._dummy_lock:
            if cost not in self._dummy_hashes:
                self._dummy_hashes[cost] = await hash_password("minegnk-timing-equaliser", cost)
            return self._dummy_hashes[cost]


def _attempt(caller: Caller, method: Method, email: str | None = None, reason: str = PENDING) -> Attempt:
    return Attempt(
        platform=caller.platform,
        platform_user_id=caller.platform_user_id,
        chat_id=caller.chat_id,
        method=method,
        success=False,
        reason=reason,
        email=email,
    )


async def _explain_unusable_code(conn: Conn, code_hash: str) -> None:
    row = await link_codes_db.get_link_code(conn, code_hash)
    if row is None:
        raise LinkCodeInvalidError(N_("That link code is not valid. Check it, or ask for a new one."))
    if row.used_at is not None:
        raise LinkCodeUsedError(N_("That link code was already used. Ask for a new one in the portal."))
    raise LinkCodeExpiredError(N_("That link code has expired. Ask for a new one in the portal."))


_REASONS: dict[type[UserError], str] = {
    LinkCodeInvalidError: "invalid_code",
    LinkCodeUsedError: "used_code",
    LinkCodeExpiredError: "expired_code",
    AccountDeactivatedError: "deactivated",
    IdentityLinkedElsewhereError: "linked_elsewhere",
    WrongCredentialsError: "wrong_password",
}


def _reason(exc: UserError) -> str:
    return _REASONS.get(type(exc), type(exc).__name__)[:50]
