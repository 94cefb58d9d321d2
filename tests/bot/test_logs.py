"""Secrets never reach the logs, whatever code logs them."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.domain.secrets import hash_password_sync
from bot.logs import JsonFormatter, RedactFilter, TextFormatter

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
DISCORD_TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0MzI.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def _emit(formatter: logging.Formatter, msg: str, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.redact.{id(formatter)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    if exc:
        try:
            raise RuntimeError(msg % args)
        except RuntimeError:
            logger.exception("boom")
    else:
        logger.warning(msg, *args, extra={"platform": "telegram", "chat": 42})
    return stream.getvalue()


@pytest.mark.parametrize(
    "secret",
    [TELEGRAM_TOKEN, DISCORD_TOKEN, hash_password_sync("pw", 4)],
    ids=["telegram-token", "discord-token", "bcrypt-hash"],
)
@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_tokens_and_hashes_are_redacted(secret: str, formatter: logging.Formatter) -> None:
    out = _emit(formatter, "calling https://api.telegram.org/bot%s/sendMessage", secret)
    assert secret not in out
    assert "[redacted]" in out


def test_secrets_in_tracebacks_are_redacted_in_json() -> None:
    out = _emit(JsonFormatter(), "token %s", TELEGRAM_TOKEN, exc=True)
    assert TELEGRAM_TOKEN not in out
    json.loads(out)


def test_context_identifiers_are_in_every_line() -> None:
    out = _emit(TextFormatter(), "sent")
    assert "platform=telegram" in out and "chat=42" in out
    data = json.loads(_emit(JsonFormatter(), "sent"))
    assert data["platform"] == "telegram" and data["chat"] == 42


def test_secrets_in_tracebacks_are_redacted_in_text() -> None:
    out = _emit(TextFormatter(), "token %s", TELEGRAM_TOKEN, exc=True)
    assert TELEGRAM_TOKEN not in out
    assert "RuntimeError" in out


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET http://127.0.0.1:8081/bot42:TEST/getMe failed", "42:TEST"),  # any token in a Bot API path
        ("download http://127.0.0.1:8081/file/bot7:short-token/photos/a.jpg", "7:short-token"),
        ("cannot connect to postgresql://minegnk:hunter2@db:5432/minegnk", "hunter2"),
        ("price source https://user:s3cret@prices.example/api", "s3cret"),
        ("GET https://prices.example/api?token=abcdef123&pair=GNK", "abcdef123"),
    ],
)
@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_credentials_in_urls_are_redacted(line: str, secret: str, formatter: logging.Formatter) -> None:
    out = _emit(formatter, "%s", line)
    assert secret not in out
    assert "[redacted]" in out
