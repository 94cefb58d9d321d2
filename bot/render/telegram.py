"""Rendering a :class:`~bot.render.message.Message` for Telegram.

* Text becomes HTML (``parse_mode="HTML"``) with every dynamic value escaped; only tags Telegram
  accepts are produced (b, i, code, a).
* Each chunk is at most 4096 UTF-16 code units *including markup* (so also within Telegram's limit on
  the parsed text), split on line boundaries; a line that alone is too long is split between words,
  each piece closing and reopening its tags, so a split never falls inside a tag or an entity.
* Buttons become an ``inline_keyboard`` (plain dicts; aiogram validates them into its types) on the
  last chunk. Callback data is ``action:arg1:arg2`` and never over 64 bytes.

No aiogram import here: the frontend and the alert sender both use these functions.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from bot.render.message import Button, Message, Span

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_LIMIT = 64
CALLBACK_SEPARATOR = ":"
BUTTON_TEXT_LIMIT = 64

SEVERITY_ICON = {"info": "ℹ️", "success": "🟢", "warning": "🟠", "critical": "🔴"}
_SAFE_URL_SCHEMES = ("https://", "http://", "tg://")


@dataclass(frozen=True, slots=True)
class TelegramChunk:
    """One sendMessage worth: HTML text and, on the last chunk, the reply markup."""

    text: str
    reply_markup: dict[str, Any] | None = field(default=None)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape text for Telegram HTML (the three characters it requires, plus quotes for attributes)."""
    return html.escape(_strip_controls(text), quote=True)


def _strip_controls(text: str) -> str:
    # control characters other than newline and tab are dropped: Telegram rejects or mangles them
    return "".join(ch for ch in text if ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0))


def _wrap(style: str, inner: str, url: str | None) -> str:
    if style == "bold":
        return f"<b>{inner}</b>"
    if style == "italic":
        return f"<i>{inner}</i>"
    if style == "code":
        return f"<code>{inner}</code>"
    if style == "link" and url and url.startswith(_SAFE_URL_SCHEMES):
        return f'<a href="{escape(url)}">{inner}</a>'
    return inner


def _tag_overhead(span: Span) -> int:
    return utf16_len(_wrap(span.style, "", span.url))


def render_span(span: Span) -> str:
    return _wrap(span.style, escape(span.text.replace("\n", " ")), span.url)


def _lines(message: Message) -> list[list[Span]]:
    out: list[list[Span]] = []
    if message.title:
        icon = SEVERITY_ICON.get(message.severity, "")
        title = f"{icon} {message.title}".strip()
        # the message's link is its title (as on Discord): no fixed words to translate
        if message.url and message.url.startswith(_SAFE_URL_SCHEMES):
            out.append([Span(text=title, style="link", url=message.url)])
        else:
            out.append([Span(text=title, style="bold")])
    out.extend(list(line) for line in message.lines)
    for f in message.fields:
        out.append([Span(text=f"{f.name}: ", style="bold"), Span(text=f.value)])
    if message.footer:
        out.append([Span(text=message.footer, style="italic")])
    if message.url and not message.title:
        out.append([Span(text=message.url, style="link", url=message.url)])
    return out


def _split_span(span: Span, room: int, limit: int) -> list[tuple[str, int]]:
    """Pieces of one span as (html, utf16 size); the first fits in ``room``, the rest in ``limit``.

    Escaping is character by character, so sizes add up: each word (and, for a word longer than a
    chunk, each character) is measured once, and a long text is split in linear time."""
    overhead = _tag_overhead(span)
    words = span.text.replace("\n", " ").split(" ")
    pieces: list[tuple[str, int]] = []
    current: list[str] = []
    size = 0  # the escaped size of ``current``
    budget = room

    def cut() -> None:
        rendered = _wrap(span.style, escape("".join(current)), span.url)
        pieces.append((rendered, utf16_len(rendered)))

    for i, word in enumerate(words):
        token = word if i == 0 else " " + word
        token_size = utf16_len(escape(token))
        if size + token_size + overhead <= budget:
            current.append(token)
            size += token_size
            continue
        if current:
            cut()
            budget = limit
            token = token.lstrip(" ")
        current, size = [], 0
        # a word longer than what is left: character by character
        for ch in token:
            ch_size = utf16_len(escape(ch))
            if size + ch_size + overhead > budget:
                if current:
                    cut()
                budget = limit
                current, size = [], 0
            current.append(ch)
            size += ch_size
    if current or not pieces:
        cut()
    return pieces


def _render_line_pieces(spans: list[Span], limit: int) -> list[str]:
    """A line as one or more HTML strings, each within ``limit``."""
    whole = "".join(render_span(s) for s in spans)
    if utf16_len(whole) <= limit:
        return [whole]
    out: list[str] = []
    current = ""
    for span in spans:
        rendered = render_span(span)
        if utf16_len(current) + utf16_len(rendered) <= limit:
            current += rendered
            continue
        room = limit - utf16_len(current)
        for j, (piece, size) in enumerate(_split_span(span, max(room, 0), limit)):
            if j == 0 and size <= room:
                current += piece
            else:
                if current:
                    out.append(current)
                current = piece
    if current:
        out.append(current)
    return out


def render_html(message: Message, limit: int = TEXT_LIMIT) -> list[str]:
    """The message as HTML chunks, each within ``limit`` UTF-16 code units."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for spans in _lines(message):
        for piece in _render_line_pieces(spans, limit):
            piece_size = utf16_len(piece)
            extra = piece_size + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                extra = piece_size
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    return chunks or [escape(" ")]


def encode_callback(action: str, args: tuple[str, ...] | list[str] = ()) -> str:
    """``action:arg1:arg2``; raises ValueError when over 64 bytes or a part contains the separator."""
    parts = [action, *args]
    if any(CALLBACK_SEPARATOR in p or not p for p in parts):
        raise ValueError(f"callback parts must be non-empty and free of {CALLBACK_SEPARATOR!r}: {parts}")
    data = CALLBACK_SEPARATOR.join(parts)
    if len(data.encode("utf-8")) > CALLBACK_LIMIT:
        raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {data}")
    return data


def decode_callback(data: str | None) -> tuple[str, tuple[str, ...]] | None:
    """The inverse of :func:`encode_callback`; ``None`` for anything malformed (stale or forged)."""
    if not data or len(data.encode("utf-8")) > CALLBACK_LIMIT:
        return None
    action, *args = data.split(CALLBACK_SEPARATOR)
    if not action or any(not a for a in args):
        return None
    return action, tuple(args)


def _button(button: Button) -> dict[str, str]:
    label = _strip_controls(button.label)[:BUTTON_TEXT_LIMIT] or "·"
    if button.url:
        return {"text": label, "url": button.url}
    if button.action is None:
        raise ValueError("a button needs an action or a url")
    return {"text": label, "callback_data": encode_callback(button.action, button.args)}


def render_keyboard(message: Message) -> dict[str, Any] | None:
    """The inline keyboard of the message's buttons, or ``None`` when it has none."""
    rows = [[_button(b) for b in row] for row in message.buttons if row]
    return {"inline_keyboard": rows} if rows else None


def render(message: Message, limit: int = TEXT_LIMIT) -> list[TelegramChunk]:
    """Chunks ready for sendMessage; the keyboard rides on the last one."""
    texts = render_html(message, limit)
    keyboard = render_keyboard(message)
    return [
        TelegramChunk(text=t, reply_markup=keyboard if i == len(texts) - 1 else None)
        for i, t in enumerate(texts)
    ]


def render_caption(message: Message) -> tuple[str, list[str]]:
    """A photo caption (≤ 1024) and the overflow to send as messages after the photo."""
    chunks = render_html(message, CAPTION_LIMIT)
    return chunks[0], chunks[1:]
