"""Passwords (bcrypt, off the event loop) and one-time link codes (random, stored hashed)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

import bcrypt

from bot.errors import InvalidInputError
from bot.i18n.catalogs import N_

#: bcrypt 5 refuses inputs over 72 bytes
MAX_PASSWORD_BYTES = 72
#: unambiguous alphabet for codes people type (no 0/O, 1/I/L)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _password_bytes(password: str) -> bytes:
    raw = password.encode("utf-8")
    if not raw:
        raise InvalidInputError(N_("The password is empty."))
    if len(raw) > MAX_PASSWORD_BYTES:
        raise InvalidInputError(N_("The password is longer than {count} bytes."), count=MAX_PASSWORD_BYTES)
    return raw


def hash_password_sync(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(rounds)).decode("ascii")


async def hash_password(password: str, rounds: int = 12) -> str:
    """bcrypt-hash a password in a worker thread (bcrypt releases the GIL)."""
    return await asyncio.to_thread(hash_password_sync, password, rounds)


def check_password_sync(password: str, password_hash: str) -> bool:
    try:
        raw = _password_bytes(password)
        return bcrypt.checkpw(raw, password_hash.encode("ascii"))
    except (InvalidInputError, ValueError):
        return False


async def check_password(password: str, password_hash: str) -> bool:
    """Verify a password against its bcrypt hash off the event loop; never raises on bad input."""
    return await asyncio.to_thread(check_password_sync, password, password_hash)


def new_link_code() -> str:
    """A fresh code such as ``K7QM-R2XP`` (about 40 bits of entropy; single use, short-lived)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_link_code(text: str) -> str | None:
    """Upper-case, drop spaces and dashes; ``None`` when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_link_code(code: str) -> str:
    """SHA-256 hex of the normalised code (what ``link_codes.code_hash`` stores)."""
    normalised = normalise_link_code(code)
    if normalised is None:
        raise InvalidInputError(N_("That is not a link code."))
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()
