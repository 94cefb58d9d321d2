"""Every catalogue message in every language stays valid markup within the platforms' limits (issue 17).

Each message of the template, translated and filled with drawn placeholder values (64-character node
names, HTML- and markdown-hostile text, long values), is rendered by ``bot.render.telegram`` and
``bot.render.discord`` inside realistic messages (a title, lines of every style, fields, buttons, a
footer; and one message holding the whole catalogue). Telegram's HTML must parse the way the Bot API
parses it (only its tags, well-formed, entities known) and every chunk must be ≤ 4096 before and after
entity parsing, with the hostile text shown literally; Discord's payloads must pass its documented
limits (title 256, description 4096, 25 fields of 256/1024, footer 2048, 6000 in all, labels 80,
custom ids 100). Real composed alerts and recoveries for 10 and 100 nodes are held to the same limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.alerts.compose import compose_problems, compose_recoveries
from bot.alerts.events import EventKind, NodeEvent
from bot.config import load_config
from bot.db.alert_recipients import NodeLabel
from bot.domain.conditions import CONDITIONS
from bot.i18n.catalogs import LANGUAGES, LOCALE_DIR, Catalogs, Translator
from bot.render import discord as discord_render
from bot.render import telegram as telegram_render
from bot.render.message import Button, Message, MessageField, Span
from tests.fakes.discord_limits import check_message
from tests.fakes.telegram_html import parse_html

CATALOGS = Catalogs()
_PLACEHOLDER = re.compile(r"\{(\w+)[^{}]*\}")
#: a node name as long as the portal allows, made of what HTML and markdown choke on
HOSTILE_NODE = ("<b>&amp;*_`|@</i>" * 4)[:64]
NODE_ID = str(UUID(int=7))
TRACKER = "https://tracker.example/host/?a=<b>&c=1"


@dataclass(frozen=True)
class Entry:
    """One template message: its id (a plural has two forms) and its placeholder names."""

    msgid: str
    plural: str | None
    names: frozenset[str]


def _entries() -> list[Entry]:
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    out: list[Entry] = []
    for m in template:
        if not m.id:
            continue
        ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
        names = frozenset(n for text in ids for n in _PLACEHOLDER.findall(text))
        out.append(Entry(ids[0], ids[1] if len(ids) > 1 else None, names))
    return out


ENTRIES = _entries()
NAMES = sorted({n for e in ENTRIES for n in e.names} - {"n"})


def translate(t: Translator, entry: Entry, values: dict[str, str], n: int) -> str:
    params = {name: values[name] for name in entry.names if name != "n"}
    if entry.plural is not None:
        return t.plural(entry.msgid, entry.plural, n, **params)
    if "n" in entry.names:
        params["n"] = str(n)
    return t(entry.msgid, **params)


def realistic(text: str) -> Message:
    """``text`` everywhere a message puts words: title, lines of each style, fields, buttons, footer."""
    lines = text.splitlines() or [""]
    return Message(
        title=lines[0],
        severity="critical",
        lines=(
            (
                Span(text="• "),
                Span(text=HOSTILE_NODE, style="bold"),
                Span(text=" · "),
                Span(text=HOSTILE_NODE, style="code"),
            ),
            *((Span(text=line),) for line in lines),
            (Span(text=" ".join(lines), style="italic"),),
            (Span(text=lines[0] or "·", style="link", url=TRACKER),),
        ),
        fields=(
            MessageField(name=lines[0], value=text),
            MessageField(name=HOSTILE_NODE, value=text, inline=False),
        ),
        buttons=(
            (
                Button(label=lines[0], action="mute", args=(NODE_ID, "1h")),
                Button(label="ℹ️ " + text, action="details", args=(NODE_ID,)),
            ),
        ),
        footer=text,
        url=TRACKER,
    )


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_visible(message: Message) -> Iterator[str]:
    """The text each chunk shows (asserting the Bot API would take it), and the caption variant."""
    chunks = telegram_render.render(message)
    for i, chunk in enumerate(chunks):
        assert utf16(chunk.text) <= 4096
        visible = parse_html(chunk.text)  # raises as Telegram would refuse the message
        assert 0 < utf16(visible) <= 4096
        assert (chunk.reply_markup is not None) == (i == len(chunks) - 1 and bool(message.buttons))
        for row in (chunk.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                assert 1 <= len(button["text"]) <= telegram_render.BUTTON_TEXT_LIMIT
                assert 1 <= len(button["callback_data"].encode()) <= 64
        yield visible
    caption, overflow = telegram_render.render_caption(message)
    for text in (caption, *overflow):
        assert utf16(text) <= 4096
        parse_html(text)
    assert utf16(parse_html(caption)) <= telegram_render.CAPTION_LIMIT


def discord_ok(message: Message) -> None:
    payloads = discord_render.render(message)
    for payload in payloads:
        assert check_message(payload.as_json()) is None, payload.as_json()
    buttons = [b for p in payloads for row in p.components for b in row["components"]]
    assert len(buttons) == sum(len(row) for row in message.buttons)  # none lost (within 5 rows)


values = st.one_of(
    st.sampled_from([HOSTILE_NODE, "<b>&", "&amp;<", "`**~~||@everyone", "0", "1 234 567,89", ""]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
)
placeholder_values = st.fixed_dictionaries({name: values for name in NAMES})
counts = st.sampled_from([0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 1_000_000])


@pytest.mark.parametrize("language", list(LANGUAGES))
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(drawn=placeholder_values, n=counts)
@example(drawn=dict.fromkeys(NAMES, HOSTILE_NODE), n=1)
@example(drawn=dict.fromkeys(NAMES, "<b>&" * 300), n=22)
def test_every_message_renders_as_valid_markup_within_the_limits(
    language: str, drawn: dict[str, str], n: int
) -> None:
    t = CATALOGS.translator(language)
    texts = [translate(t, entry, drawn, n) for entry in ENTRIES]
    for text in texts:
        message = realistic(text)
        shown = "\n".join(telegram_visible(message))
        assert HOSTILE_NODE in shown  # escaped, not eaten
        discord_ok(message)
    # the whole catalogue in one message: split into chunks and payloads, each within the limits
    everything = Message(
        title=texts[0],
        lines=tuple((Span(text=text),) for text in texts),
        fields=tuple(MessageField(name=text[:300] or "·", value=text) for text in texts[:60]),
        buttons=((Button(label=texts[0], action="details", args=(NODE_ID,)),),),
        footer=" · ".join(texts)[:5000],
    )
    assert len(list(telegram_visible(everything))) > 1
    discord_ok(everything)


T0 = datetime(2026, 9, 1, 6, 59, tzinfo=UTC)
_STATUSES = ("jailed", "offline", "unhealthy", "excluded")


def _events(kind: EventKind, count: int) -> tuple[list[NodeEvent], dict[UUID, NodeLabel]]:
    nodes: dict[UUID, NodeLabel] = {}
    events: list[NodeEvent] = []
    for i in range(count):
        node = NodeLabel(uuid4(), f"gonka1{i:038d}", f"{HOSTILE_NODE[:60]}{i:04d}")
        nodes[node.id] = node
        status = _STATUSES[i % len(_STATUSES)]
        recovery = kind is EventKind.RECOVERY
        events.append(
            NodeEvent(
                kind=kind,
                node_id=node.id,
                incident_id=uuid4(),
                status="ok" if recovery else status,
                previous=status if recovery else "ok",
                since=T0,
                reason=f"{status} on chain",
                source="hyperfusion",
                incident_started_at=T0 - timedelta(hours=3, minutes=i),
                at=T0,
                epoch_id=142,
                jailed_until=T0 + timedelta(hours=6) if status == "jailed" else None,
                condition=CONDITIONS.get(status),
            )
        )
    return events, nodes


#: composing reads only the tracker link from the configuration (no database is opened)
CONFIG = load_config(None, database={"url": "postgresql://unused@127.0.0.1:1/unused"})


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("count", [1, 10, 100])
@pytest.mark.parametrize("kind", [EventKind.ALERT, EventKind.RECOVERY])
def test_composed_alerts_for_many_nodes_stay_within_the_limits(
    language: str, count: int, kind: EventKind
) -> None:
    events, nodes = _events(kind, count)
    compose = compose_problems if kind is EventKind.ALERT else compose_recoveries
    message = compose(events, nodes, CONFIG, CATALOGS.translator(language))
    if language != "en":  # in the reader's language, not English
        assert message.title != compose(events, nodes, CONFIG, CATALOGS.translator("en")).title
    shown = "\n".join(telegram_visible(message))
    for node in nodes.values():  # every node is named, none cut away by a split
        assert node.identifier in shown
    discord_ok(message)
