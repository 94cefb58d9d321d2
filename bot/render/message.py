"""The platform-neutral message model.

Services and the alert engine build :class:`Message` objects; the outbox stores them as JSON
(``notifications.payload``); each frontend renders them (``bot.render.telegram``,
``bot.render.discord``). Text in a message is always plain: renderers escape it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "success", "warning", "critical"]
Style = Literal["plain", "bold", "italic", "code", "link"]


class Span(BaseModel):
    """A run of text with one style. ``url`` is used by ``link`` spans."""

    model_config = ConfigDict(frozen=True)

    text: str
    style: Style = "plain"
    url: str | None = None


class Button(BaseModel):
    """An action button. ``action`` and ``args`` become callback data / custom ids per platform
    (for example ``mute`` with ``[node_id, "1h"]``); ``url`` makes it a link button instead."""

    model_config = ConfigDict(frozen=True)

    label: str
    action: str | None = None
    args: tuple[str, ...] = ()
    url: str | None = None


class MessageField(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    value: str
    inline: bool = True


class Message(BaseModel):
    """One message: a title, lines of spans, optional fields, buttons in rows, a footer."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    severity: Severity = "info"
    lines: tuple[tuple[Span, ...], ...] = ()
    fields: tuple[MessageField, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    footer: str | None = None
    url: str | None = None

    @classmethod
    def text(cls, text: str, *, title: str | None = None, severity: Severity = "info") -> Message:
        """A message of plain text lines."""
        return cls(
            title=title,
            severity=severity,
            lines=tuple((Span(text=line),) for line in text.splitlines() or [""]),
        )

    def plain(self) -> str:
        """The message as plain text (logs, tests, fallbacks)."""
        out: list[str] = []
        if self.title:
            out.append(self.title)
        out.extend("".join(s.text for s in line) for line in self.lines)
        out.extend(f"{f.name}: {f.value}" for f in self.fields)
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)


class OutgoingMessage(BaseModel):
    """What the outbox stores: the message plus delivery hints."""

    model_config = ConfigDict(frozen=True)

    message: Message
    #: reply to the platform message of this earlier notification, where the platform allows
    reply_to_notification: str | None = None
    attachments: tuple[str, ...] = Field(default=())
