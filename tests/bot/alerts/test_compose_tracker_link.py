"""An alert links to the node's participant on the tracker by its account address, whatever the node's
identifier type (issue 16 item 6): an operator address or an ML node links to the wallet, a validator
key gets no link rather than one to a participant the tracker does not have."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from uuid import uuid4

from bot.alerts.compose import compose_problems
from bot.alerts.events import EventKind, NodeEvent
from bot.config import Config
from bot.db.alert_recipients import NodeLabel
from bot.domain.identifiers import convert_hrp
from tests.helpers import WALLET

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def _links(config: Config, identifier: str) -> list[str]:
    node = NodeLabel(uuid4(), identifier, "rig")
    event = NodeEvent(
        kind=EventKind.ALERT,
        node_id=node.id,
        incident_id=uuid4(),
        status="jailed",
        previous="ok",
        since=T0,
        reason="jailed on chain",
        source="hyperfusion",
        incident_started_at=T0,
        at=T0,
        epoch_id=42,
    )
    message = compose_problems([event], {node.id: node}, config)
    spans = [s for line in message.lines for s in line]
    return [s.url for s in spans if s.style == "link" and s.url]


def test_operator_and_ml_node_alerts_link_to_the_account_address(config: Config) -> None:
    expected = config.trackers.tracker_link.replace("{address}", WALLET).replace("{epoch}", "42")
    for identifier in (convert_hrp(WALLET, "gonkavaloper"), f"{WALLET}:node1", WALLET):
        assert _links(config, identifier) == [expected], identifier


def test_a_validator_key_alert_has_no_tracker_link(config: Config) -> None:
    assert _links(config, base64.b64encode(bytes(range(32))).decode()) == []
