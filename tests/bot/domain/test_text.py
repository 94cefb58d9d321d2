"""Chat input cleaning: control characters go, text and line breaks stay."""

from __future__ import annotations

from bot.domain.text import clean_input


def test_control_characters_are_removed_line_breaks_and_unicode_kept() -> None:
    assert clean_input("a\x00b\x07c\x1b[31md\x7f") == "abc[31md"
    assert clean_input("line1\nline2\r\n\tend") == "line1\nline2\r\n\tend"
    assert clean_input("שלום e\u0301 👩\u200d👩\u200d👧 <b>&") == "שלום e\u0301 👩\u200d👩\u200d👧 <b>&"
