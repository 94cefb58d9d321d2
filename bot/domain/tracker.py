"""The tracker link of a node and the unjail hint: built here only, read by /node and by the alerts.

The tracker (``trackers.tracker_link``, e.g. ``https://tracker…/?participant={address}``) knows a
participant by its account address (``gonka1…``), so every identifier type is turned into that address
first: a wallet is it, an operator address converts to it (bech32), an ML node ``gonka1…:node1`` carries
it. A validator key does not name its account by itself: such a node gets no link rather than a link to
a participant the tracker does not have.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from bot.domain.identifiers import parse_identifier
from bot.errors import InvalidInputError

#: what to run once a jail period is over (the alerts' advice and /node say the same)
UNJAIL_HINT = "inferenced tx slashing unjail --from <your-key> --gas auto --yes"


def account_address(identifier: str) -> str | None:
    """The participant's account address for a stored node identifier, when derivable."""
    try:
        return parse_identifier(identifier).account_address
    except InvalidInputError:
        return None


@functools.lru_cache(maxsize=8192)
def tracker_link(template: str, identifier: str, epoch_id: int | None = None) -> str | None:
    """``template`` with ``{address}`` (URL-encoded) and ``{epoch}`` filled in, or ``None`` when the
    node's account address is not known from its identifier."""
    address = account_address(identifier)
    if address is None:
        return None
    return template.replace("{address}", quote(address, safe="")).replace(
        "{epoch}", "" if epoch_id is None else str(epoch_id)
    )
