"""Rendering a :class:`~bot.render.message.Message` for Discord.

A message becomes one or more payloads (``content`` + ``embeds`` + ``components`` as Discord's JSON),
every one within Discord's limits: content ≤ 2000, embed title ≤ 256, description ≤ 4096,
≤ 25 fields (name ≤ 256, value ≤ 1024), footer ≤ 2048, ≤ 6000 characters per message across embeds,
≤ 10 embeds, ≤ 5 action rows of ≤ 5 buttons, custom ids ≤ 100, labels ≤ 80.
Dynamic text is markdown-escaped. No discord.py import here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.render.message import Button, Message, Span

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
ROWS_LIMIT = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
CUSTOM_ID_PREFIX = "mgnk"
CUSTOM_ID_SEPARATOR = ":"

SEVERITY_COLOUR = {"info": 0x3498DB, "success": 0x2ECC71, "warning": 0xE67E22, "critical": 0xE74C3C}
SEVERITY_ICON = {"info": "ℹ️", "success": "🟢", "warning": "🟠", "critical": "🔴"}

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<:@-])")
_SAFE_URL = re.compile(r"^https?://[^\s()<>]+$")


@dataclass(frozen=True, slots=True)
class DiscordPayload:
    """One message: what ``POST /channels/{id}/messages`` takes."""

    content: str | None = None
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"embeds": self.embeds, "components": self.components}
        if self.content:
            data["content"] = self.content
        data["allowed_mentions"] = {"parse": []}
        return data


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0))


def escape_markdown(text: str) -> str:
    """Escape Discord markdown and mention syntax so user text shows literally."""
    return _MARKDOWN.sub(r"\\\1", _clean(text))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_span(span: Span) -> str:
    text = span.text.replace("\n", " ")
    if span.style == "code":
        inner = _clean(text).replace("`", "ˋ")
        return f"`{inner}`" if inner else ""
    esc = escape_markdown(text)
    if span.style == "bold":
        return f"**{esc}**" if esc else ""
    if span.style == "italic":
        return f"*{esc}*" if esc else ""
    if span.style == "link" and span.url and _SAFE_URL.match(span.url):
        return f"[{esc}]({span.url})"
    return esc


def _line_text(line: tuple[Span, ...]) -> str:
    return "".join(render_span(s) for s in line)


def _split_text(lines: list[str], limit: int) -> list[str]:
    """Join lines into blocks ≤ limit, splitting over-long lines (never inside an escape)."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            while cut > 0 and line[cut - 1] == "\\":  # do not separate a backslash from what it escapes
                cut -= 1
            if cut == 0:
                cut = limit
            piece, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                blocks.append(current)
                current = ""
            blocks.append(piece)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            current = line
        else:
            current = candidate
    if current:
        blocks.append(current)
    return blocks


def encode_custom_id(action: str, args: tuple[str, ...] | list[str] = ()) -> str:
    """``mgnk:action:arg1:arg2`` (≤ 100 characters); raises ValueError otherwise."""
    parts = [action, *args]
    if any(CUSTOM_ID_SEPARATOR in p or not p for p in parts):
        raise ValueError(f"custom id parts must be non-empty and free of {CUSTOM_ID_SEPARATOR!r}: {parts}")
    data = CUSTOM_ID_SEPARATOR.join([CUSTOM_ID_PREFIX, *parts])
    if len(data) > CUSTOM_ID_LIMIT:
        raise ValueError(f"custom id over {CUSTOM_ID_LIMIT} characters: {data}")
    return data


def decode_custom_id(custom_id: str | None) -> tuple[str, tuple[str, ...]] | None:
    """Inverse of :func:`encode_custom_id`; ``None`` for ids that are not ours or malformed."""
    if not custom_id or len(custom_id) > CUSTOM_ID_LIMIT:
        return None
    prefix, *parts = custom_id.split(CUSTOM_ID_SEPARATOR)
    if prefix != CUSTOM_ID_PREFIX or not parts or any(not p for p in parts):
        return None
    return parts[0], tuple(parts[1:])


_BUTTON_STYLE = {"mute": 2, "details": 1, "req_take": 1, "req_approve": 3, "req_reject": 4}


def _button(button: Button) -> dict[str, Any]:
    label = _truncate(_clean(button.label), LABEL_LIMIT) or "·"
    if button.url:
        return {"type": 2, "style": 5, "label": label, "url": button.url}
    if button.action is None:
        raise ValueError("a button needs an action or a url")
    return {
        "type": 2,
        "style": _BUTTON_STYLE.get(button.action, 2),
        "label": label,
        "custom_id": encode_custom_id(button.action, button.args),
    }


def render_components(message: Message) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for row in message.buttons:
        buttons = [_button(b) for b in row]
        for i in range(0, len(buttons), BUTTONS_PER_ROW):
            if len(rows) == ROWS_LIMIT:
                return rows
            rows.append({"type": 1, "components": buttons[i : i + BUTTONS_PER_ROW]})
    return rows


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return size


def render(message: Message) -> list[DiscordPayload]:
    """Payloads (usually one) carrying the message as embeds, the buttons on the last."""
    colour = SEVERITY_COLOUR.get(message.severity, SEVERITY_COLOUR["info"])
    title = None
    if message.title:
        icon = SEVERITY_ICON.get(message.severity, "")
        title = _truncate(_clean(f"{icon} {message.title}".strip()), TITLE_LIMIT)
    blocks = _split_text([_line_text(line) for line in message.lines], DESCRIPTION_LIMIT)
    fields: list[dict[str, Any]] = [
        {
            "name": _truncate(_clean(f.name), FIELD_NAME_LIMIT) or "·",
            "value": _truncate(escape_markdown(f.value), FIELD_VALUE_LIMIT) or "·",
            "inline": f.inline,
        }
        for f in message.fields
    ]
    embeds: list[dict[str, Any]] = []
    for i, block in enumerate(blocks or [""]):
        embed: dict[str, Any] = {"color": colour}
        if i == 0 and title:
            embed["title"] = title
            if message.url and _SAFE_URL.match(message.url):
                embed["url"] = message.url
        if block:
            embed["description"] = block
        embeds.append(embed)
    for f in fields:  # fields go on the last embeds: 25 at most each, and within the size limit
        last = embeds[-1]
        size = len(f["name"]) + len(f["value"])
        if len(last.get("fields", [])) == FIELDS_LIMIT or _embed_size(last) + size > EMBED_TOTAL_LIMIT:
            last = {"color": colour}
            embeds.append(last)
        last.setdefault("fields", []).append(f)
    if message.footer:
        room = min(FOOTER_LIMIT, EMBED_TOTAL_LIMIT - _embed_size(embeds[-1]))
        if room < 16:
            embeds.append({"color": colour})
            room = FOOTER_LIMIT
        embeds[-1]["footer"] = {"text": _truncate(_clean(message.footer), room)}
    if not any(_embed_size(e) for e in embeds):
        embeds[0]["description"] = "·"
    payloads: list[DiscordPayload] = []
    current: list[dict[str, Any]] = []
    total = 0
    for embed in embeds:
        size = _embed_size(embed)
        if current and (total + size > EMBED_TOTAL_LIMIT or len(current) == EMBEDS_PER_MESSAGE):
            payloads.append(DiscordPayload(embeds=current))
            current, total = [], 0
        current.append(embed)
        total += size
    payloads.append(DiscordPayload(embeds=current, components=render_components(message)))
    return payloads
