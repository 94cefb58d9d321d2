"""The local tracker serving today's shapes, for services shown over a real poll cycle."""

from tests.bot.poller.conftest import tracker2026  # noqa: F401 - fixture
