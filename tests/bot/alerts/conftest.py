"""Fixtures shared with the poller tests: the local tracker server."""

from tests.bot.poller.conftest import tracker  # noqa: F401 - fixture
