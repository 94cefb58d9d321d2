"""Any text yields Telegram HTML that is valid and within limits (property-based)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.message import Button, Message, MessageField, Span
from bot.render.telegram import (
    CALLBACK_LIMIT,
    TEXT_LIMIT,
    decode_callback,
    encode_callback,
    render,
    render_caption,
    utf16_len,
)

ALLOWED_TAGS = {"b", "i", "code", "a"}


class _Checker(HTMLParser):
    """Fails on anything Telegram's HTML parser would reject."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        if tag == "a":
            assert [k for k, _ in attrs] == ["href"]
        else:
            assert not attrs
        assert tag not in self.stack, "Telegram does not nest a tag in itself"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        assert "<" not in data and ">" not in data
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        assert name in {"lt", "gt", "amp", "quot"}, name
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def check(chunk: str) -> str:
    parser = _Checker()
    parser.feed(chunk)
    parser.close()
    assert not parser.stack, f"unclosed {parser.stack}"
    assert utf16_len(chunk) <= TEXT_LIMIT
    return "".join(parser.text)


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
styles = st.sampled_from(["plain", "bold", "italic", "code", "link"])
spans = st.builds(Span, text=texts, style=styles, url=st.just("https://tracker.example/?p=<x>&y=1"))
messages = st.builds(
    Message,
    title=st.none() | texts,
    lines=st.lists(st.lists(spans, max_size=4).map(tuple), max_size=30).map(tuple),
    fields=st.lists(st.builds(MessageField, name=texts, value=texts), max_size=5).map(tuple),
    footer=st.none() | texts,
)


@settings(max_examples=200, deadline=None)
@given(messages)
def test_any_message_renders_to_valid_html_within_limits(message: Message) -> None:
    for chunk in render(message):
        check(chunk.text)


def test_10000_characters_of_hostile_text_split_into_valid_chunks() -> None:
    nasty = ("<b>&amp; 😀 </i> & < > \" ' " * 400)[:10_000]
    message = Message(title="Alert <script>", lines=((Span(text=nasty, style="bold"),), (Span(text=nasty),)))
    chunks = render(message)
    assert len(chunks) >= 5
    seen = "".join(check(c.text) for c in chunks)
    assert nasty.replace(" ", "") in seen.replace(" ", "").replace("\n", "")


def test_lines_are_never_split_when_they_fit() -> None:
    lines = tuple((Span(text=f"line {i:04d} " + "x" * 80),) for i in range(200))
    chunks = render(Message(lines=lines))
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            assert line.startswith("line ") and len(line) == 90


def test_user_text_is_escaped_not_interpreted() -> None:
    (chunk,) = render(Message(lines=((Span(text="<b>not bold</b> & co"),),)))
    assert chunk.text == "&lt;b&gt;not bold&lt;/b&gt; &amp; co"


def test_unsafe_link_schemes_render_as_plain_text() -> None:
    (chunk,) = render(Message(lines=((Span(text="click", style="link", url="javascript:alert(1)"),),)))
    assert chunk.text == "click"


def test_a_messages_link_is_its_title_with_no_words_of_the_renderers_own() -> None:
    url = "https://tracker.example/p?a=1&b=2"
    (chunk,) = render(Message(title="Нода rig-1", lines=((Span(text="ok"),),), url=url))
    assert chunk.text == '<a href="https://tracker.example/p?a=1&amp;b=2">ℹ️ Нода rig-1</a>\nok'
    (untitled,) = render(Message(lines=((Span(text="ok"),),), url=url))
    assert untitled.text.endswith('">https://tracker.example/p?a=1&amp;b=2</a>')


def test_one_hostile_word_of_100000_characters_splits_into_chunks_within_the_limit() -> None:
    # no spaces: cut character by character, each measured once (this took minutes when re-measured)
    chunks = render(Message(lines=((Span(text="<b>&" * 25_000, style="bold"),),)))
    assert len(chunks) > 40
    assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in chunks)


def test_the_keyboard_rides_on_the_last_chunk_only() -> None:
    msg = Message(
        lines=tuple((Span(text="y" * 1000),) for _ in range(10)),
        buttons=(
            (Button(label="Mute 1h", action="mute", args=("3f2a1b9e-0c6d-4d2e-9a51-5b8f6f0e7c11", "1h")),),
        ),
    )
    chunks = render(msg)
    assert all(c.reply_markup is None for c in chunks[:-1])
    assert chunks[-1].reply_markup == {
        "inline_keyboard": [
            [{"text": "Mute 1h", "callback_data": "mute:3f2a1b9e-0c6d-4d2e-9a51-5b8f6f0e7c11:1h"}]
        ]
    }


def test_caption_fits_telegrams_1024_limit() -> None:
    caption, rest = render_caption(Message(lines=tuple((Span(text="z" * 300),) for _ in range(10))))
    assert utf16_len(caption) <= 1024
    assert rest


@given(
    st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12), max_size=4)
)
def test_callback_data_round_trips(args: list[str]) -> None:
    data = encode_callback("mute", args)
    assert len(data.encode()) <= CALLBACK_LIMIT
    assert decode_callback(data) == ("mute", tuple(args))


def test_callback_data_over_64_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode_callback("details", ["x" * 70])


@pytest.mark.parametrize("data", [None, "", ":x", "mute::1h", "a" * 65])
def test_malformed_callback_data_decodes_to_none(data: str | None) -> None:
    assert decode_callback(data) is None
