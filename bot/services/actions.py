"""The one table of buttons: every action a button carries (``Button.action``), its arguments and how
they are parsed, who may press it, the service it calls and how the answer is shown. Both frontends
are thin adapters over :func:`press` (Telegram: ``bot/telegram/routers/callbacks.py``; Discord:
``bot/discord/actions.py``), so a button behaves the same on both:

* **stale**: an action we do not know, a wrong number of arguments or an argument that does not parse
  (forged data such as ``²``) raises :class:`StaleButtonError`, answered by each frontend's one error
  path with :data:`STALE_TEXT`, never logged as an error;
* **who**: the presser is resolved once; ``linked`` actions need a linked account, ``admin`` ones an
  admin (refusals audited), and the services check ownership as for the commands;
* **where**: ``replace`` actions (pages, toggles, the link confirmation) replace the pressed message
  when only the presser sees it (a private chat, a Discord DM or ephemeral reply), else they answer
  below it like the ``reply`` actions; the earnings period buttons send a new chart (a photo on
  Telegram, an attachment on Discord) below the pressed one;
* ``spends`` actions (a request decided) remove the pressed message's buttons; ``toast`` is the short
  notice Telegram shows over the chat (Discord has none).

Arguments are strings in the callback data / custom id; ``bot/services/README.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.db.quiet_hours import DEFAULT_WINDOW
from bot.errors import InvalidInputError, UserError
from bot.i18n.catalogs import LANGUAGES
from bot.render.message import Message
from bot.services import arguments as parse
from bot.services.commands import Audience
from bot.services.context import Actor

if TYPE_CHECKING:
    from bot.services.container import Services

NODES_PAGE = "nodes_page"
NODE = "node"
#: the alert engine's "details" button (same as ``node``)
DETAILS = "details"
EARNINGS = "earnings"
MUTE = "mute"
UNMUTE = "unmute"
SETTING = "setting"
MYREQUESTS_PAGE = "myrequests_page"
REQUESTS_PAGE = "requests_page"
#: /stats: a page of the failing nodes (args: page)
STATS_PAGE = "stats_page"
REQ_TAKE = "req_take"
REQ_APPROVE = "req_approve"
REQ_REJECT = "req_reject"
#: /settings: the next language (args: its code), the digest and quiet hours on or off (args: on|off)
LANGUAGE_SET = "language_set"
DIGEST_SET = "digest_set"
QUIET_SET = "quiet_set"
#: a Telegram deep link's confirmation (args: the normalised code) and its cancel (no args)
LINK_CONFIRM = "link_confirm"
LINK_CANCEL = "link_cancel"

STALE_TEXT = "This button is no longer active. Run the command again."

Show = Literal["replace", "reply"]
#: a file sent with the answer: (file name, bytes)
Attachment = tuple[str, bytes]


class StaleButtonError(UserError):
    """A button whose action or arguments we no longer understand (old, or forged)."""

    def __init__(self) -> None:
        super().__init__(STALE_TEXT)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a service call of an action answers."""

    message: Message
    files: tuple[Attachment, ...] = ()
    #: everyone where the button was pressed must see it (an admin's mute of an admin channel), even
    #: where answers to a press are otherwise shown to the presser only (Discord's ephemeral replies)
    public: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """A press, answered: what to show and how (each frontend renders it its own way)."""

    action: str
    message: Message
    files: tuple[Attachment, ...]
    #: replace the pressed message (else: a new message below it)
    replace: bool
    #: remove the pressed message's buttons
    spends: bool
    #: Telegram's notice over the chat
    toast: str | None
    #: the presser's link changed (Telegram refreshes their command menu)
    relinked: bool
    #: shown to everyone in the chat (see :attr:`Answer.public`)
    public: bool = False


Run = Callable[["Services", Actor, tuple[Any, ...]], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    #: one parser per argument (a string in, the typed value the service takes out)
    params: tuple[Callable[[str], Any], ...]
    audience: Audience
    run: Run
    show: Show = "reply"
    spends: bool = False
    #: the toast, or ``None`` for the answer's first line
    toast: str | None = ""
    relinks: bool = False


def _first_line(message: Message) -> str:
    return (message.title or message.plain().split("\n", 1)[0])[:190]


async def _nodes_page(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.nodes.list_nodes(a, v[0])).message)


async def _node(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.nodes.detail(a, v[0])).message)


async def _earnings(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    report = await s.earnings.report(a, v[0])
    return Answer(report.message, (("earnings.png", report.chart_png),) if report.chart_png else ())


async def _mute(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    result = await s.mutes.mute(a, v[0], v[1])
    return Answer(result.message, public=result.channel_mute is not None)


async def _unmute(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    result = await s.mutes.unmute(a, v[0])
    return Answer(result.message, public=result.channel_mute is not None)


async def _setting(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.settings.set_alert(a, v[0], v[1])).message)


async def _language_set(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    await s.language.command(a, v[0])
    return Answer((await s.settings.show(a)).message)


async def _digest_set(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    if v[0]:
        await s.digests.set(a, None, None)
    else:
        await s.digests.turn_off(a)
    return Answer((await s.settings.show(a)).message)


async def _quiet_set(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    if v[0]:
        await s.quiet_hours.set(a, *DEFAULT_WINDOW, None)
    else:
        await s.quiet_hours.turn_off(a)
    return Answer((await s.settings.show(a)).message)


def _language_code(text: str) -> str:
    if text not in LANGUAGES:
        raise InvalidInputError("No such language.")
    return text


async def _myrequests_page(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.requests.mine(a, v[0])).message)


async def _requests_page(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.requests.list_requests(a, v[0], v[1])).message)


async def _stats_page(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.admin.stats(a, v[0])).message)


async def _req_take(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.requests.take(a, v[0])).message)


async def _req_approve(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.requests.set_status(a, v[0], "approved")).message)


async def _req_reject(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.requests.set_status(a, v[0], "rejected")).message)


async def _link_confirm(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer((await s.accounts.link_with_code(a.caller, v[0])).message)


async def _link_cancel(s: Services, a: Actor, v: tuple[Any, ...]) -> Answer:
    return Answer(s.accounts.link_cancelled())


def _link_code(text: str) -> str:
    if not text.strip():
        raise InvalidInputError("No code.")
    return text


_NODE_DETAIL = (parse.node_id,)

ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(NODES_PAGE, (parse.page,), "linked", _nodes_page, show="replace", toast=None),
        ActionSpec(NODE, _NODE_DETAIL, "linked", _node, toast=None),
        ActionSpec(DETAILS, _NODE_DETAIL, "linked", _node, toast=None),
        ActionSpec(EARNINGS, (parse.period,), "linked", _earnings, toast=None),
        ActionSpec(MUTE, (parse.node_id_or_all, parse.mute_duration), "linked", _mute, toast=""),
        ActionSpec(UNMUTE, (parse.node_id_or_all,), "linked", _unmute, toast=""),
        ActionSpec(
            SETTING, (parse.alert_kind, parse.switch), "linked", _setting, show="replace", toast="Saved"
        ),
        ActionSpec(LANGUAGE_SET, (_language_code,), "linked", _language_set, show="replace", toast="Saved"),
        ActionSpec(DIGEST_SET, (parse.switch,), "linked", _digest_set, show="replace", toast="Saved"),
        ActionSpec(QUIET_SET, (parse.switch,), "linked", _quiet_set, show="replace", toast="Saved"),
        ActionSpec(MYREQUESTS_PAGE, (parse.page,), "linked", _myrequests_page, show="replace", toast=None),
        ActionSpec(
            REQUESTS_PAGE,
            (parse.status_filter, parse.page),
            "admin",
            _requests_page,
            show="replace",
            toast=None,
        ),
        ActionSpec(STATS_PAGE, (parse.page,), "admin", _stats_page, show="replace", toast=None),
        ActionSpec(REQ_TAKE, (parse.request_number,), "admin", _req_take, toast="Taken"),
        ActionSpec(
            REQ_APPROVE, (parse.request_number,), "admin", _req_approve, spends=True, toast="Approved"
        ),
        ActionSpec(REQ_REJECT, (parse.request_number,), "admin", _req_reject, spends=True, toast="Rejected"),
        ActionSpec(
            LINK_CONFIRM, (_link_code,), "anyone", _link_confirm, show="replace", toast="Linked", relinks=True
        ),
        ActionSpec(LINK_CANCEL, (), "anyone", _link_cancel, show="replace", toast="Cancelled"),
    )
}


def replaces(spec: ActionSpec, seen_only_by_presser: bool) -> bool:
    """Whether the answer replaces the pressed message (only where nobody else sees it)."""
    return spec.show == "replace" and seen_only_by_presser


def metric_name(action: str) -> str:
    """The metric label of a press: the action when it is in the table, else ``unknown`` (a forged
    payload never becomes a label of its own)."""
    return action if action in ACTIONS else "unknown"


def decode(action: str, args: tuple[str, ...]) -> tuple[ActionSpec, tuple[Any, ...]]:
    """The action's spec and its typed arguments, or :class:`StaleButtonError`."""
    spec = ACTIONS.get(action)
    if spec is None or len(args) != len(spec.params):
        raise StaleButtonError
    try:
        values = tuple(p(a) for p, a in zip(spec.params, args, strict=True))
    except InvalidInputError:
        raise StaleButtonError from None
    return spec, values


async def press(
    services: Services, actor: Actor, action: str, args: tuple[str, ...], *, seen_only_by_presser: bool
) -> Outcome:
    """Run the button ``action`` with ``args`` for ``actor`` (resolved once by the frontend).

    ``seen_only_by_presser``: the pressed message is in the presser's private chat or is a reply only
    they see, so a ``replace`` action may replace it.
    """
    spec, values = decode(action, args)
    if spec.audience == "linked":
        await services.authz.require_linked(actor)
    elif spec.audience == "admin":
        await services.authz.require_admin(actor, f"button:{spec.name}")
    answer = await spec.run(services, actor, values)
    return Outcome(
        action=spec.name,
        message=answer.message,
        files=answer.files,
        replace=replaces(spec, seen_only_by_presser),
        spends=spec.spends,
        toast=_first_line(answer.message) if spec.toast == "" else spec.toast,
        relinked=spec.relinks,
        public=answer.public,
    )
