"""Emails as keys and as shown to someone who may not own them.

:func:`email_key` is the one normalisation of an email used to find an account and to count failures
against it: Unicode NFKC, then full case folding, then NFKC again (``casefold`` can undo a
normalisation). The database compares with ``minegnk_email_key(email)``, the same mapping in SQL
(migration 0630), so Python and PostgreSQL never disagree on which account an email names: no
``İ``/``i`` or ``ß``/``ss`` spelling reaches an account under a second failure counter.
"""

from __future__ import annotations

import unicodedata


def email_key(email: str) -> str:
    """The lookup and rate-limit key of ``email`` (surrounding spaces dropped)."""
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def mask_email(email: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``: enough for its owner to recognise, not to learn."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"
