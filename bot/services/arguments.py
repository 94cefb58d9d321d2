"""Every argument a command or a button carries, parsed in one place into the type the services take.

One parser per :data:`~bot.services.commands.OptionKind` (and per button argument); a value that does
not parse raises :class:`~bot.errors.InvalidInputError` with a text fit for the user. Commands typed as
text (Telegram) are split into their options by :func:`split_text`, from the options their
:class:`~bot.services.commands.CommandSpec` declares; commands whose options arrive typed (Discord's
slash commands) go through the same parsers by :func:`parse_values`. The services never parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import TYPE_CHECKING, Any, Literal, NoReturn
from uuid import UUID

from bot.db.routes import Scope
from bot.domain.conditions import CONDITIONS
from bot.domain.formatting import parse_duration
from bot.domain.identifiers import IDENTIFIER_TYPES, IdentifierType
from bot.domain.numbers import parse_uint
from bot.errors import InvalidInputError, UsageError
from bot.i18n.catalogs import LANGUAGES, language_of
from bot.services.commands import (
    BY_NAME,
    PERIODS,
    REQUEST_STATUSES,
    ROUTE_SCOPES,
    CommandSpec,
    OptionKind,
    usage,
)
from bot.services.context import Actor
from bot.services.local_time import TIME_LIKE, parse_time
from bot.services.switches import switches

if TYPE_CHECKING:
    from bot.services.authz import Authz

RequestStatus = Literal["pending", "in_progress", "approved", "completed", "rejected"]
#: ``/requests``: one status, ``all`` or ``open`` (pending and in progress, the default)
StatusFilter = RequestStatus | Literal["all", "open"]
Period = Literal["7d", "30d", "90d"]
RequestType = Literal["new_node", "support", "other"]
REQUEST_TYPES: tuple[RequestType, ...] = ("new_node", "support", "other")

#: the longest mute
MAX_MUTE = timedelta(days=30)
#: a mute "until resolved" (the node's next recovery ends it)
_RESOLVED = {"resolved", "until-resolved", "until_resolved", "untilresolved"}
_ALL = {"all", "*", "everything"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ON = {"on", "yes", "true", "1", "enable", "enabled"}
_OFF = {"off", "no", "false", "0", "disable", "disabled"}
MAX_REF = 200
MAX_NUMBER = 2**62


def mute_duration(text: str) -> timedelta | None:
    """``30m``, ``2h``, ``1d``, ``1w`` … (at most 30 days), or ``None`` for "until resolved"."""
    if (text or "").strip().lower() in _RESOLVED:
        return None
    return parse_duration(text, maximum=MAX_MUTE)


def node_ref(text: str) -> str:
    """A node's name, identifier or id as typed (the service looks it up among the caller's nodes)."""
    cleaned = " ".join((text or "").split())
    if not cleaned or len(cleaned) > MAX_REF:
        raise InvalidInputError("Name a node by its name or identifier. Send /nodes to see yours.")
    return cleaned


def node_or_all(text: str) -> str | None:
    """A node reference, or ``None`` for every node (``all``)."""
    return None if (text or "").strip().lower() in _ALL else node_ref(text)


def node_id(text: str) -> str:
    """A button's node argument: a node's id."""
    try:
        return str(UUID(text))
    except ValueError:
        raise InvalidInputError("That is not a node id.") from None


def node_id_or_all(text: str) -> str | None:
    return None if text == "all" else node_id(text)


def page(text: str) -> int:
    value = parse_uint(text)
    if value is None:
        raise InvalidInputError("That is not a page number.")
    return value


def request_number(text: str | int) -> int:
    n = text if isinstance(text, int) else parse_uint(str(text).strip().removeprefix("#"))
    if n is None or n <= 0 or n > MAX_NUMBER:
        raise InvalidInputError("A request number is a whole number, like 42.")
    return n


def request_status(text: str) -> RequestStatus:
    lowered = (text or "").strip().lower().replace("-", "_").replace(" ", "_")
    for s in REQUEST_STATUSES:
        if s == lowered:
            return s  # type: ignore[return-value]
    raise InvalidInputError("Statuses are: " + ", ".join(REQUEST_STATUSES) + ".")


def status_filter(text: str | None) -> StatusFilter:
    key = (text or "").strip().lower()
    if key in ("", "open"):
        return "open"
    if key == "all":
        return "all"
    return request_status(key)


def request_type(text: str) -> RequestType:
    lowered = (text or "").strip().lower()
    for t in REQUEST_TYPES:
        if t == lowered:
            return t
    raise InvalidInputError("Request types are new_node, support and other.")


def period(text: str | None) -> Period:
    key = (text or "7d").strip().lower()
    for p in PERIODS:
        if p == key:
            return p  # type: ignore[return-value]
    raise InvalidInputError(f"Unknown period “{key[:20]}”. Periods are " + ", ".join(PERIODS) + ".")


def scope(text: str | None) -> Scope:
    key = (text or "all").strip().lower()
    for s in ROUTE_SCOPES:
        if s == key:
            return s  # type: ignore[return-value]
    raise InvalidInputError("Scopes are all, admin and requests.")


def alert_kind(text: str) -> str:
    """The name of one of ``/settings``' alert switches (:func:`bot.services.switches.switches`)."""
    lowered = (text or "").strip().lower()
    names = [k.name for k in switches()]
    if lowered in names:
        return lowered
    raise InvalidInputError("Alert kinds are: " + ", ".join(names) + ".")


def switch(value: bool | str) -> bool:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _ON:
        return True
    if lowered in _OFF:
        return False
    raise InvalidInputError("Say on or off.")


def currency(code: str) -> str:
    cleaned = (code or "").strip().upper()
    if not _CURRENCY.match(cleaned):
        raise InvalidInputError("A currency is a 3-letter code such as USD, EUR or GNK.")
    return cleaned


def identifier_type(text: str | None) -> IdentifierType | None:
    if text is None or not text.strip():
        return None
    lowered = text.strip().lower()
    for t in IDENTIFIER_TYPES:
        if t == lowered:
            return t
    raise InvalidInputError("Identifier types are: " + ", ".join(IDENTIFIER_TYPES) + ".")


def word(text: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInputError("A value is missing.")
    return cleaned


def free_text(text: str) -> str:
    return (text or "").strip()


def integer(text: str | int) -> int:
    return request_number(text)


@dataclass(frozen=True, slots=True)
class DigestOff:
    """``/digest off``."""


@dataclass(frozen=True, slots=True)
class DigestOn:
    """``/digest on [zone]`` (``at`` None: the earlier hour) or ``/digest HH:MM [zone]``."""

    at: time | None
    zone: str | None


def digest(text: str) -> DigestOn | DigestOff | None:
    """``/digest``'s schedule: ``on | off | HH:MM [time zone]``; empty (``None``) shows it."""
    words = (text or "").split()
    if not words:
        return None
    head, zone = words[0].lower(), (words[1] if len(words) == 2 else None)
    if head == "off" and len(words) == 1:
        return DigestOff()
    if head == "on" and len(words) <= 2:
        return DigestOn(None, zone)
    if len(words) <= 2 and TIME_LIKE.match(words[0]):
        return DigestOn(parse_time(words[0]), zone)
    raise InvalidInputError("Say on, off, or a time such as 07:00 (and a time zone).")


@dataclass(frozen=True, slots=True)
class QuietOff:
    """``/quiet off``."""


@dataclass(frozen=True, slots=True)
class QuietWindow:
    start: time
    end: time
    zone: str | None


@dataclass(frozen=True, slots=True)
class QuietUrgent:
    """The conditions that still go at once inside the window (empty: none)."""

    conditions: tuple[str, ...]


_WINDOW = re.compile(r"^(?P<start>[^-–]+)[-–](?P<end>[^-–]+)$")


def quiet(text: str) -> QuietOff | QuietWindow | QuietUrgent | None:
    """``/quiet``'s window: ``HH:MM-HH:MM [time zone] | off | urgent <conditions>``; empty shows it."""
    words = (text or "").split()
    if not words:
        return None
    head = words[0].lower()
    if head == "off" and len(words) == 1:
        return QuietOff()
    if head == "urgent" and len(words) > 1:
        wanted = [n.strip().lower() for n in ",".join(words[1:]).split(",") if n.strip()]
        urgent = () if wanted == ["none"] else tuple(dict.fromkeys(wanted))
        unknown = [n for n in urgent if CONDITIONS.get(n) is None]
        if unknown or not wanted:
            raise InvalidInputError(
                f"Unknown condition: {', '.join(unknown) or '(none given)'}. "
                f"Conditions: {', '.join(c.name for c in CONDITIONS)}, or none."
            )
        return QuietUrgent(urgent)
    if len(words) <= 2 and any(ch in words[0] for ch in "-–"):
        match = _WINDOW.match(words[0])
        if match is None:
            raise InvalidInputError("Write the window as HH:MM-HH:MM, e.g. 23:00-07:00.")
        start, end = parse_time(match["start"]), parse_time(match["end"])
        if start == end:
            raise InvalidInputError("The window starts and ends at the same time: give two different times.")
        return QuietWindow(start, end, words[1] if len(words) == 2 else None)
    raise InvalidInputError("Say a window such as 23:00-07:00, off, or urgent and the conditions.")


#: what people type for each language, besides its code
_LANGUAGE_NAMES: dict[str, str] = {
    "english": "en",
    "английский": "en",
    "英语": "en",
    "russian": "ru",
    "русский": "ru",
    "俄语": "ru",
    "chinese": "zh",
    "китайский": "zh",
    "中文": "zh",
    "简体中文": "zh",
}
_FOLLOW_APP = {"auto", "reset", "авто", "自动"}


@dataclass(frozen=True, slots=True)
class FollowApp:
    """``/language auto``: answer in the language of the person's app again."""


def language(text: str) -> str | FollowApp | None:
    """``/language``'s choice: a language code (or its name), ``auto``; empty (``None``) shows it."""
    word = (text or "").strip().lower()
    if not word:
        return None
    if word in _FOLLOW_APP:
        return FollowApp()
    found = (language_of(word) if len(word) <= 7 else None) or _LANGUAGE_NAMES.get(word)
    if found is None:
        raise InvalidInputError(
            "I speak " + ", ".join(f"{name} ({code})" for code, name in LANGUAGES.items()) + "."
        )
    return found


#: the parser of each option kind a :class:`CommandSpec` declares
KINDS: dict[OptionKind, Callable[[Any], Any]] = {
    "string": word,
    "integer": integer,
    "node": node_ref,
    "node_or_all": node_or_all,
    "period": period,
    "duration": mute_duration,
    "status": request_status,
    "scope": scope,
    "text": free_text,
    "digest": digest,
    "quiet": quiet,
    "language": language,
}
#: kinds whose option takes the rest of the line
_REST_OF_LINE = {"text", "digest", "quiet", "language"}


def _parse_option(spec: CommandSpec, name: str, value: Any) -> Any:
    option = next(o for o in spec.options if o.name == name)
    if option.kind == "status" and "all" in option.choices:
        return status_filter(value)
    if option.choices and option.kind == "string":
        lowered = str(value).strip().lower()
        if lowered not in option.choices:
            raise InvalidInputError(f"{option.description}: one of " + ", ".join(option.choices) + ".")
        return lowered
    return KINDS[option.kind](value)


def split_text(spec: CommandSpec, text: str) -> dict[str, str]:
    """The words of ``text`` assigned to ``spec``'s options, left to right.

    An option takes one word; a ``text`` option takes the rest of the line; a ``node`` option takes
    as many words as the options after it leave (node names may have spaces); an optional option with
    choices that the next word is not one of is skipped. Raises :class:`UsageError` when a required
    option has no word or words are left over.
    """
    words = (text or "").split()
    out: dict[str, str] = {}
    options = spec.options
    i = 0
    for index, option in enumerate(options):
        if i >= len(words):
            if option.required:
                raise UsageError(spec.usage)
            continue
        if option.kind in _REST_OF_LINE:
            out[option.name] = " ".join(words[i:])
            i = len(words)
            continue
        if option.choices and not option.required and words[i].lower() not in option.choices:
            continue
        if option.kind in ("node", "node_or_all"):
            after = sum(1 for o in options[index + 1 :] if o.required)
            take = max(1, len(words) - i - after)
            out[option.name] = " ".join(words[i : i + take])
            i += take
            continue
        out[option.name] = words[i]
        i += 1
    if i < len(words):
        raise UsageError(spec.usage)
    return out


def parse_values(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Each given option of command ``name`` parsed by its kind (absent / ``None`` options are left
    out); a bad value raises :class:`UsageError` naming the problem and the command's usage."""
    spec = BY_NAME[name]
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        try:
            out[key] = _parse_option(spec, key, value)
        except InvalidInputError as exc:
            raise UsageError(spec.usage, exc.message) from None
    if name == "settings":
        try:
            out = {"change": setting(out)}
        except InvalidInputError as exc:
            raise UsageError(spec.usage, exc.message) from None
    return out


def parse_text(name: str, text: str) -> dict[str, Any]:
    """Command ``name`` typed as text: split by its options, then each parsed by its kind."""
    return parse_values(name, split_text(BY_NAME[name], text))


@dataclass(frozen=True, slots=True)
class LinkByCode:
    code: str


@dataclass(frozen=True, slots=True)
class LinkByPassword:
    email: str
    #: everything after the email, spaces and all
    password: str


def link(text: str) -> LinkByCode | LinkByPassword:
    """``/link CODE`` or ``/link EMAIL PASSWORD`` (the password is the rest of the line)."""
    first, _, rest = (text or "").strip().partition(" ")
    if not first:
        raise UsageError(usage("link"))
    if "@" in first:
        if not rest.strip():
            raise UsageError(usage("link"), "An email needs its password after it.")
        return LinkByPassword(first, rest.strip())
    if rest.strip():
        raise UsageError(usage("link"))
    return LinkByCode(first)


@dataclass(frozen=True, slots=True)
class CurrencyChange:
    code: str


@dataclass(frozen=True, slots=True)
class AlertSwitch:
    kind: str
    on: bool


def setting(values: Mapping[str, Any]) -> CurrencyChange | AlertSwitch | None:
    """``/settings``' two options (``setting``, ``value``) as one change, or ``None`` to show them."""
    what, value = values.get("setting"), values.get("value")
    if what is None and value is None:
        return None
    if what is None or value is None:
        raise InvalidInputError("Say what to change and to what: currency EUR, or offline off.")
    if what == "currency":
        return CurrencyChange(currency(value))
    return AlertSwitch(alert_kind(what), switch(value))


class Arguments:
    """A command's arguments parsed for an already resolved actor. When they do not parse, who may run
    the command is checked first, so an outsider hears "not linked" / "admins only" (audited) rather
    than the usage of an admin command, and an admin's malformed command is audited as failed."""

    def __init__(self, authz: Authz) -> None:
        self._authz = authz

    async def text(self, actor: Actor, name: str, text: str) -> dict[str, Any]:
        """Command ``name`` typed as ``text`` (Telegram)."""
        try:
            return parse_text(name, text)
        except UsageError as exc:
            await self.refuse(actor, name, text, exc)

    async def values(self, actor: Actor, name: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Command ``name``'s options as the platform typed them (Discord)."""
        try:
            return parse_values(name, values)
        except UsageError as exc:
            await self.refuse(actor, name, " ".join(str(v) for v in values.values() if v is not None), exc)

    async def refuse(self, actor: Actor, name: str, text: str, exc: UsageError) -> NoReturn:
        audience = BY_NAME[name].audience
        target = (text or "").strip()[:100] or None
        if audience == "admin":
            await self._authz.require_admin(actor, name, target)
            await self._authz.audit(actor, name, target, "failed", {"reason": "usage"})
        elif audience == "linked":
            await self._authz.require_linked(actor)
        raise exc
