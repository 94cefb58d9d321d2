"""The one error hierarchy of MineGNK Bot.

::

    BotError                      base of everything we raise on purpose
    ├── ConfigError               bad config.toml / environment (CLI exits 2)
    ├── DatabaseError             the database is unreachable or misbehaves
    │   └── MigrationError        migrations could not be applied or rolled back
    ├── TrackerError              a tracker source failed (see integrations.errors for the subtree)
    ├── DeliveryError             a platform refused or failed a send (see bot.alerts.delivery)
    └── UserError                 a user-facing refusal; ``message`` is safe to show in chat
        ├── UsageError            bad or missing arguments; carries the command's usage line
        ├── NotLinkedError        the caller must /link first
        ├── PermissionDeniedError the caller may not run this (admin only, not the owner)
        ├── NotFoundError         nothing of that name the caller may see
        ├── ConflictError         already linked elsewhere, already exists, state changed
        ├── RateLimitedError      too many attempts; try again later
        └── InvalidInputError     a value failed validation (identifier, email, duration)

Frontends translate :class:`UserError` into a reply with ``message``; any other exception becomes a
short apology in chat and a logged traceback. Nothing else is caught by callers.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class for all errors raised deliberately by MineGNK Bot."""


class ConfigError(BotError):
    """The configuration is invalid; the message names the offending key."""


class DatabaseError(BotError):
    """The database failed in a way the caller cannot fix."""


class MigrationError(DatabaseError):
    """Migrations could not be applied or rolled back."""


class TrackerError(BotError):
    """A tracker source failed; subclasses live in :mod:`integrations.errors`."""


class DeliveryError(BotError):
    """A chat platform failed a send; subclasses live in the delivery layer."""


class UserError(BotError):
    """A refusal meant for the user. ``message`` is plain text, safe to show in chat."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(UserError):
    """Bad or missing arguments; ``usage`` is the command's usage line."""

    def __init__(self, usage: str, problem: str | None = None) -> None:
        text = f"{problem}\nUsage: {usage}" if problem else f"Usage: {usage}"
        super().__init__(text)
        self.usage = usage
        self.problem = problem


class NotLinkedError(UserError):
    """The caller has no linked portal account."""


class PermissionDeniedError(UserError):
    """The caller may not run this operation."""


class NotFoundError(UserError):
    """Nothing the caller is allowed to see matched."""


class ConflictError(UserError):
    """The operation conflicts with existing state."""


class RateLimitedError(UserError):
    """Too many attempts; ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidInputError(UserError):
    """A value failed validation."""
