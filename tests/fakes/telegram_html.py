"""Telegram's HTML parse mode, as strict as the Bot API: well-formed, only the allowed tags and entities.

``parse_html(text)`` returns the visible text (what the user sees, what the length limits count) or
raises :class:`EntityParseError` whose message mirrors Telegram's ("Can't find end tag ...").
"""

from __future__ import annotations

import re

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
#: attributes Telegram accepts per tag (anything else is an error here: stricter than lenient is safer)
ALLOWED_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is Telegram's wording."""


def _unescape_attr(value: str) -> str:
    if value[:1] in ("'", '"'):
        value = value[1:-1]
    return _decode_entities(value, 0)


def _decode_entities(text: str, base_offset: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            if m is None:
                raise EntityParseError(
                    f"Can't parse entities: unsupported HTML entity at byte offset {base_offset + i}"
                )
            out.append(_entity_value(m.group(1), base_offset + i))
            i = m.end()
            continue
        if ch in "<>":
            raise EntityParseError(
                f"Can't parse entities: unexpected {ch!r} character at byte offset {base_offset + i}"
            )
        out.append(ch)
        i += 1
    return "".join(out)


def _entity_value(body: str, offset: int) -> str:
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(
                f"Can't parse entities: invalid character reference at byte offset {offset}"
            )
        return chr(code)
    if body not in NAMED_ENTITIES:
        raise EntityParseError(
            f'Can\'t parse entities: unsupported HTML entity "&{body};" at byte offset {offset}'
        )
    return NAMED_ENTITIES[body]


def _check_attrs(tag: str, raw: str, offset: int) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        name = m.group(1).lower()
        if name not in ALLOWED_ATTRS.get(tag, frozenset()):
            raise EntityParseError(
                f'Can\'t parse entities: unsupported attribute "{name}" of tag "{tag}" '
                f"at byte offset {offset}"
            )
        attrs[name] = _unescape_attr(m.group(2) or "")
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset {offset}'
        )
    if tag == "a" and "href" not in attrs:
        raise EntityParseError(
            f'Can\'t parse entities: tag "a" must have attribute "href" at byte offset {offset}'
        )
    if tag == "tg-emoji" and "emoji-id" not in attrs:
        raise EntityParseError(
            f'Can\'t parse entities: tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
        )
    return attrs


def parse_html(text: str) -> str:
    """The visible text of ``text`` in Telegram's HTML parse mode; raises EntityParseError."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            if m is None:
                raise EntityParseError(f"Can't parse entities: unexpected '<' at byte offset {i}")
            closing, tag, raw_attrs = m.group(1) == "/", m.group(2).lower(), m.group(3)
            if tag not in ALLOWED_TAGS:
                raise EntityParseError(
                    f'Can\'t parse entities: unsupported start tag "{tag}" at byte offset {i}'
                )
            if closing:
                if raw_attrs.strip():
                    raise EntityParseError(
                        f"Can't parse entities: end tag with attributes at byte offset {i}"
                    )
                if not stack:
                    raise EntityParseError(
                        f'Can\'t parse entities: unexpected end tag "{tag}" at byte offset {i}'
                    )
                if stack[-1] != tag:
                    raise EntityParseError(
                        f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
                    )
                stack.pop()
            else:
                _check_attrs(tag, raw_attrs, i)
                if ("pre" in stack and tag != "code") or "code" in stack:
                    raise EntityParseError(
                        f'Can\'t parse entities: tag "{tag}" is not allowed here at byte offset {i}'
                    )
                stack.append(tag)
            i = m.end()
            continue
        j = i
        while j < len(text) and text[j] != "<":
            j += 1
        out.append(_decode_entities(text[i:j], i))
        i = j
    if stack:
        raise EntityParseError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)
