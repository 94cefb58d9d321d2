"""Any message yields Discord payloads within Discord's limits (property-based)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.discord import (
    decode_custom_id,
    encode_custom_id,
    escape_markdown,
    render,
)
from bot.render.message import Button, Message, MessageField, Span

texts = st.text(max_size=2000)
spans = st.builds(
    Span,
    text=texts,
    style=st.sampled_from(["plain", "bold", "italic", "code", "link"]),
    url=st.just("https://tracker.example/x"),
)
messages = st.builds(
    Message,
    title=st.none() | texts,
    lines=st.lists(st.lists(spans, max_size=3).map(tuple), max_size=20).map(tuple),
    fields=st.lists(st.builds(MessageField, name=texts, value=texts), max_size=40).map(tuple),
    footer=st.none() | texts,
    buttons=st.lists(
        st.lists(
            st.builds(
                Button, label=st.text(max_size=120), action=st.just("mute"), args=st.just(("n1", "1h"))
            ),
            max_size=7,
        ).map(tuple),
        max_size=7,
    ).map(tuple),
)


def check_payload(payload: dict) -> None:
    assert len(payload.get("content") or "") <= 2000
    embeds = payload["embeds"]
    assert 1 <= len(embeds) <= 10
    total = 0
    for e in embeds:
        assert len(e.get("title", "")) <= 256
        assert len(e.get("description", "")) <= 4096
        assert len(e.get("fields", [])) <= 25
        for f in e.get("fields", []):
            assert 1 <= len(f["name"]) <= 256
            assert 1 <= len(f["value"]) <= 1024
        assert len(e.get("footer", {}).get("text", "")) <= 2048
        total += (
            len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
        )
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
    assert total <= 6000
    assert len(payload["components"]) <= 5
    for row in payload["components"]:
        assert 1 <= len(row["components"]) <= 5
        for b in row["components"]:
            assert 1 <= len(b["label"]) <= 80
            assert len(b.get("custom_id", "")) <= 100
    assert payload["allowed_mentions"] == {"parse": []}


@settings(max_examples=150, deadline=None)
@given(messages)
def test_any_message_renders_within_discord_limits(message: Message) -> None:
    payloads = render(message)
    assert payloads
    for p in payloads:
        check_payload(p.as_json())
    assert all(not p.components for p in payloads[:-1])


def test_mentions_and_markdown_in_user_text_are_neutralised() -> None:
    assert escape_markdown("@everyone **bold** <@123>") == "\\@everyone \\*\\*bold\\*\\* \\<\\@123\\>"


def test_buttons_become_components_with_our_custom_ids() -> None:
    (payload,) = render(
        Message(
            title="Node offline", buttons=((Button(label="Mute 1h", action="mute", args=("abc", "1h")),),)
        )
    )
    button = payload.components[0]["components"][0]
    assert decode_custom_id(button["custom_id"]) == ("mute", ("abc", "1h"))


@pytest.mark.parametrize("custom_id", [None, "", "other:mute", "mgnk", "mgnk::x", "mgnk:" + "a" * 100])
def test_foreign_or_malformed_custom_ids_decode_to_none(custom_id: str | None) -> None:
    assert decode_custom_id(custom_id) is None


def test_custom_id_over_100_is_refused() -> None:
    with pytest.raises(ValueError, match="100"):
        encode_custom_id("details", ["x" * 100])
