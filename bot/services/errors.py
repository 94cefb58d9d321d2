"""The services' specific refusals: subclasses of :mod:`bot.errors` so frontends need only catch
:class:`~bot.errors.UserError`, while tests and frontends can tell the cases apart."""

from __future__ import annotations

from bot.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError


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
