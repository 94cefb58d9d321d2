"""Arguments parsed from the command table's options (``bot.services.arguments``)."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from bot.services.arguments import FollowApp, parse_text, parse_values


def test_language_is_parsed_from_a_code_a_name_or_auto() -> None:
    assert parse_text("language", "") == {}
    assert parse_text("language", "ZH") == {"language": "zh"}
    assert parse_text("language", "Русский") == {"language": "ru"}
    assert parse_text("language", "auto") == {"language": FollowApp()}
    assert parse_values("language", {"language": "en"}) == {"language": "en"}


def test_an_unknown_language_names_the_choices_and_the_usage() -> None:
    with pytest.raises(UsageError) as caught:
        parse_text("language", "klingon")
    assert "Русский (ru)" in caught.value.message and "/language [en|ru|zh|auto]" in caught.value.message
