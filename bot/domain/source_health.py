"""One tracker source's health across cycles: the one record of ``source_health`` and its one rule.

The poller writes the record once per cycle (``bot.db.source_health``); the alert engine reads the
stored record in the same transaction, before that write, and steps the same rule to tell a
degraded or restored source (so both always agree, and nothing is counted twice).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

#: the longest ``last_error`` kept
ERROR_MAX = 500


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """Every column of ``source_health``."""

    source: str
    consecutive_failures: int = 0
    last_ok_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None
    degraded: bool = False
    #: when the outage that made it degraded began
    degraded_since: datetime | None = None
    #: the highest epoch the source reported (an epoch that goes backwards is an inconsistent payload)
    last_epoch_id: int | None = None
    polls_ok: int = 0
    polls_failed: int = 0
    #: the snapshot time of the last successful poll: the freshness of every cache row this source
    #: confirmed in that cycle (``node_stats_freshness``)
    last_fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourcePoll:
    """One cycle's outcome for one source."""

    source: str
    ok: bool
    error: str | None = None
    epoch_id: int | None = None
    fetched_at: datetime | None = None


class Transition(enum.StrEnum):
    DEGRADED = "degraded"
    RESTORED = "restored"


def advance(
    prior: SourceHealth | None, poll: SourcePoll, at: datetime, degraded_after: int
) -> tuple[SourceHealth, Transition | None]:
    """The record after this cycle, and whether the source just became degraded (``degraded_after``
    failed cycles in a row) or answered again after being degraded."""
    h = prior or SourceHealth(poll.source)
    epoch = h.last_epoch_id
    if poll.epoch_id is not None:
        epoch = poll.epoch_id if epoch is None else max(epoch, poll.epoch_id)
    if poll.ok:
        new = replace(
            h,
            consecutive_failures=0,
            last_ok_at=at,
            degraded=False,
            degraded_since=None,
            last_epoch_id=epoch,
            polls_ok=h.polls_ok + 1,
            last_fetched_at=poll.fetched_at or h.last_fetched_at,
        )
        return new, Transition.RESTORED if h.degraded else None
    failures = h.consecutive_failures + 1
    new = replace(
        h,
        consecutive_failures=failures,
        last_failure_at=at,
        last_error=poll.error[:ERROR_MAX] if poll.error else h.last_error,
        last_epoch_id=epoch,
        polls_failed=h.polls_failed + 1,
    )
    if h.degraded or failures < degraded_after:
        return new, None
    return replace(new, degraded=True, degraded_since=at), Transition.DEGRADED
