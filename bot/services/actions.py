"""Button action names (``Button.action``) the services put on messages; frontends route them back.

Each action's ``args`` are documented in ``bot/services/README.md`` (table "Button actions").
"""

from __future__ import annotations

NODES_PAGE = "nodes_page"
NODE = "node"
EARNINGS = "earnings"
MUTE = "mute"
UNMUTE = "unmute"
SETTING = "setting"
MYREQUESTS_PAGE = "myrequests_page"
REQUESTS_PAGE = "requests_page"
REQ_TAKE = "req_take"
REQ_APPROVE = "req_approve"
REQ_REJECT = "req_reject"
#: a Telegram deep link's confirmation (args: the normalised code) and its cancel (no args)
LINK_CONFIRM = "link_confirm"
LINK_CANCEL = "link_cancel"
