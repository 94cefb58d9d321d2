"""Fixtures shared with the poller tests: the local tracker server (the 2025 and the 2026 shapes)."""

from tests.bot.poller.conftest import tracker, tracker2026  # noqa: F401 - fixtures
