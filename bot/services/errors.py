"""The services' specific refusals: subclasses of :mod:`bot.errors` so frontends need only catch
:class:`~bot.errors.UserError`, while tests and frontends can tell the cases apart; and
:func:`refusal`, how each frontend's error edge shows one in the caller's language."""

from __future__ import annotations

from bot.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UsageError,
    UserError,
)
from bot.i18n.catalogs import Translator
from bot.render.message import Message, Span


class PrivateChatRequiredError(PermissionDeniedError):
    """A password was sent (or would be) outside a private chat."""


class AccountDeactivatedError(PermissionDeniedError):
    """The portal account is deactivated (``users.is_active = false``)."""


class IdentityLinkedElsewhereError(ConflictError):
    """This platform identity is already linked to a different portal account."""


class LinkCodeInvalidError(InvalidInputError):
    """No such link code (or not a code at all)."""


class LinkCodeExpiredError(InvalidInputError):
    """The link code existed but its time ran out."""


class LinkCodeUsedError(InvalidInputError):
    """The link code was already used."""


class WrongCredentialsError(InvalidInputError):
    """Email and password do not match (deliberately the same answer for an unknown email)."""


class AdminOnlyError(PermissionDeniedError):
    """An admin command from someone who is not an admin (the attempt is audited)."""


class NodeNotFoundError(NotFoundError):
    """None of the caller's nodes matches (identical answer whether or not the node exists elsewhere)."""


def refusal(exc: UserError, t: Translator) -> Message:
    """A refusal as the reply to show, in ``t``'s language: a usage line stays a code span (what to
    type is never translated)."""
    if isinstance(exc, UsageError):
        lines: list[tuple[Span, ...]] = []
        if exc.problem is not None:
            lines += [(Span(text=line),) for line in t.text(exc.problem).splitlines()]
        lines.append((Span(text=t("Usage: ")), Span(text=exc.usage, style="code")))
        return Message(severity="warning", lines=tuple(lines))
    return Message.text(exc.translated(t), severity="warning")
