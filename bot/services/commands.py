"""The one table of commands: names, usage, descriptions, audience and typed options.

Both frontends build from it: ``/help`` (via :class:`bot.services.help.HelpService`), Telegram
``setMyCommands`` and Discord slash-command descriptions and options. Descriptions are at most 100
characters (Discord's limit; Telegram allows 256).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Audience = Literal["anyone", "linked", "admin"]
#: how an option's value is parsed (one parser per kind in :mod:`bot.services.arguments`); ``node_or_all``
#: is a node or ``all``; ``status`` with the choice ``all`` is a filter (``open`` by default)
OptionKind = Literal[
    "string",
    "integer",
    "node",
    "node_or_all",
    "period",
    "duration",
    "status",
    "scope",
    "text",
    "digest",
    "quiet",
    "language",
]


@dataclass(frozen=True, slots=True)
class CommandOption:
    """One argument. ``kind='node'`` means: autocomplete with ``NodesService.suggest_nodes``."""

    name: str
    description: str
    kind: OptionKind = "string"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    description: str
    audience: Audience
    options: tuple[CommandOption, ...] = ()
    #: the answer may hold a link code, an email or request details: it is only ever shown in a private
    #: chat (Telegram: the sender's, the group is told) or an ephemeral reply (Discord). Both frontends
    #: read this flag; nothing else decides it.
    private_only: bool = False


PERIODS = ("7d", "30d", "90d")
REQUEST_STATUSES = ("pending", "in_progress", "approved", "completed", "rejected")
ROUTE_SCOPES = ("all", "admin", "requests")

_NODE = CommandOption("node", "Node name or identifier", "node")

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "start", "/start", "What this bot does and how to link your account", "anyone", private_only=True
    ),
    CommandSpec("help", "/help", "The commands you can use", "anyone"),
    CommandSpec(
        "language",
        "/language [en|ru|zh|auto]",
        "The language I answer you in",
        "anyone",
        (
            CommandOption(
                "language",
                "en, ru, zh, or auto",
                "language",
                required=False,
                choices=("en", "ru", "zh", "auto"),
            ),
        ),
    ),
    CommandSpec(
        "link",
        "/link CODE  (or in a private chat: /link EMAIL PASSWORD)",
        "Link your MineGNK account with a code from the portal",
        "anyone",
        (CommandOption("code", "The link code, e.g. K7QM-R2XP"),),
        private_only=True,
    ),
    CommandSpec("unlink", "/unlink", "Unlink this chat account from MineGNK", "linked", private_only=True),
    CommandSpec(
        "whoami",
        "/whoami",
        "Which MineGNK account this chat account is linked to",
        "anyone",
        private_only=True,
    ),
    CommandSpec("nodes", "/nodes", "Your nodes: status, last epoch's earnings, uptime, data age", "linked"),
    CommandSpec(
        "node",
        "/node <name or identifier>",
        "Everything about one node, with 7 days of earnings",
        "linked",
        (_NODE,),
    ),
    CommandSpec(
        "earnings",
        "/earnings [7d|30d|90d]",
        "Earnings per node and in total, with a chart",
        "linked",
        (CommandOption("period", "Period", "period", required=False, choices=PERIODS),),
    ),
    CommandSpec(
        "mute",
        "/mute <node|all> <30m|2h|1d|1w|resolved>",
        "Silence alerts for a node (or all) for a while or until it recovers",
        "linked",
        (
            CommandOption("node", "Node name or identifier, or all", "node_or_all"),
            CommandOption("duration", "30m, 2h, 1d, 1w or resolved", "duration"),
        ),
    ),
    CommandSpec(
        "unmute",
        "/unmute <node|all>",
        "Lift a mute",
        "linked",
        (CommandOption("node", "Node or all", "node_or_all"),),
    ),
    CommandSpec("mutes", "/mutes", "Your active mutes", "linked"),
    CommandSpec(
        "settings",
        "/settings [currency <CODE> | <alert> <on|off>] (the alerts are listed by /settings)",
        "Your currency and which alerts you receive",
        "linked",
        (
            CommandOption("setting", "currency, or an alert (the names /settings lists)", required=False),
            CommandOption("value", "a currency code (EUR), or on / off", required=False),
        ),
    ),
    CommandSpec(
        "digest",
        "/digest [on | off | HH:MM [time zone]]",
        "A daily summary of your nodes at the hour you choose",
        "linked",
        (CommandOption("schedule", "07:00 Europe/Moscow, on or off", "digest", required=False),),
    ),
    CommandSpec(
        "quiet",
        "/quiet [HH:MM-HH:MM [time zone] | off | urgent <conditions>]",
        "Hold alerts at night, except the urgent ones",
        "linked",
        (
            CommandOption(
                "window", "23:00-07:00 Europe/Moscow, off, or urgent jailed,excluded", "quiet", required=False
            ),
        ),
    ),
    CommandSpec(
        "request",
        "/request [new_node|support|other]",
        "Ask for a new node, support or anything else",
        "linked",
        (CommandOption("type", "Kind of request", required=False, choices=("new_node", "support", "other")),),
        private_only=True,
    ),
    CommandSpec("myrequests", "/myrequests", "Your requests and their status", "linked", private_only=True),
    CommandSpec(
        "assign",
        "/assign <email> <identifier> [wallet|node_id|operator|validator] [name]",
        "Link a node to a user (creates the node if new)",
        "admin",
        (
            CommandOption("email", "The user's email"),
            CommandOption("identifier", "Node identifier"),
            CommandOption(
                "type",
                "Identifier type",
                required=False,
                choices=("wallet", "node_id", "operator", "validator"),
            ),
            CommandOption("name", "Display name", "text", required=False),
        ),
        private_only=True,
    ),
    CommandSpec(
        "unassign",
        "/unassign <email> <identifier>",
        "Remove a node from a user",
        "admin",
        (CommandOption("email", "The user's email"), CommandOption("identifier", "Node identifier")),
        private_only=True,
    ),
    CommandSpec(
        "requests",
        "/requests [pending|in_progress|approved|completed|rejected|all]",
        "The request queue",
        "admin",
        (CommandOption("status", "Status", "status", required=False, choices=(*REQUEST_STATUSES, "all")),),
        private_only=True,
    ),
    CommandSpec(
        "request_set",
        "/request_set <number> <pending|in_progress|approved|completed|rejected> [notes]",
        "Change a request's status",
        "admin",
        (
            CommandOption("number", "Request number", "integer"),
            CommandOption("status", "New status", "status", choices=REQUEST_STATUSES),
            CommandOption("notes", "Notes for the user", "text", required=False),
        ),
        private_only=True,
    ),
    CommandSpec(
        "user",
        "/user <email>",
        "A user's links and nodes",
        "admin",
        (CommandOption("email", "Email"),),
        private_only=True,
    ),
    CommandSpec(
        "linkcode",
        "/linkcode <email>",
        "Issue a one-time link code for a user",
        "admin",
        (CommandOption("email", "Email"),),
        private_only=True,
    ),
    CommandSpec(
        "broadcast",
        "/broadcast <text>",
        "Message every linked active user",
        "admin",
        (CommandOption("text", "The message", "text"),),
    ),
    CommandSpec("stats", "/stats", "Fleet health: users, nodes by status, alerts, outbox, sources", "admin"),
    CommandSpec(
        "alerts_here",
        "/alerts_here [all|admin|requests]",
        "Send alerts to this group or channel",
        "admin",
        (CommandOption("scope", "Which alerts", "scope", required=False, choices=ROUTE_SCOPES),),
    ),
    CommandSpec("alerts_off", "/alerts_off", "Stop alerts in this group or channel", "admin"),
)

BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}


def usage(name: str) -> str:
    """The usage line of a command (for :class:`bot.errors.UsageError`)."""
    return BY_NAME[name].usage
