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

A :class:`UserError` carries a catalogue message and its parameters (:class:`~bot.i18n.catalogs.LazyText`,
the source string marked ``N_("…")`` where it is raised); each frontend's one error edge renders it in
the caller's language (:meth:`UserError.translated`, :func:`bot.services.errors.refusal`). ``message`` is
the English text, for logs and the audit. Any other exception becomes a short apology in chat and a
logged traceback. Nothing else is caught by callers.
"""

from __future__ import annotations

from bot.i18n.catalogs import ENGLISH, L_, N_, LazyText, Translator


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
    """A refusal meant for the user: ``UserError(N_("No user with the email {email}."), email=…)``.

    ``text`` is the untranslated message (catalogue id and parameters, or a ready
    :class:`~bot.i18n.catalogs.LazyText`, e.g. a plural from ``LP_``); ``message`` is it in English,
    plain text safe to show in chat and fit for logs.
    """

    def __init__(self, message: str | LazyText, /, **params: object) -> None:
        self.text = message if isinstance(message, LazyText) else L_(message, **params)
        self.message = ENGLISH.text(self.text)
        super().__init__(self.message)

    def translated(self, t: Translator) -> str:
        """The refusal in ``t``'s language, as plain text."""
        return t.text(self.text)


class UsageError(UserError):
    """Bad or missing arguments; ``usage`` is the command's usage line (never translated: it is what
    to type), ``problem`` what was wrong (untranslated, like every refusal's text)."""

    def __init__(self, usage: str, problem: str | LazyText | None = None) -> None:
        self.usage = usage
        self.problem = L_(problem) if isinstance(problem, str) else problem
        if self.problem is None:
            super().__init__(N_("Usage: {usage}"), usage=usage)
        else:
            super().__init__(N_("{problem}\nUsage: {usage}"), problem=self.problem, usage=usage)


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

    def __init__(self, message: str | LazyText, retry_after_s: float, /, **params: object) -> None:
        super().__init__(message, **params)
        self.retry_after_s = retry_after_s


class InvalidInputError(UserError):
    """A value failed validation."""
