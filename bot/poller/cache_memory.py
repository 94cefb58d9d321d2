"""What the poller last wrote to ``node_stats_cache``, so a cycle sends only the rows that changed.

The memory lives in the leading poller only and is forgotten whenever it may be wrong (on taking the
lead: another replica may have written meanwhile). Without it every row is sent and the upsert's own
``IS DISTINCT FROM`` guard keeps unchanged rows from being rewritten, so forgetting costs time, never
correctness. It is updated only after the cycle's transaction committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from bot.db.node_cache import Row, content_of, row_of
from bot.domain.node_stats import NodeStats
from bot.domain.status import NodeStatus

Content = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class CachePlan:
    """One cycle's cache writes."""

    #: rows to upsert (in :data:`bot.db.node_cache.INPUTS` order)
    rows: list[Row]
    #: the nodes this cycle could not judge (their rows stay as last confirmed)
    unconfirmed: tuple[UUID, ...]
    #: the set of unconfirmed nodes differs from the last one written (or is not known)
    unconfirmed_changed: bool
    #: the content of every watched node's row once this plan is written
    contents: dict[UUID, Content]


class CacheMemory:
    def __init__(self) -> None:
        self._contents: dict[UUID, Content] = {}
        self._unconfirmed: frozenset[UUID] | None = None

    def forget(self) -> None:
        self._contents = {}
        self._unconfirmed = None

    def plan(self, stats: Sequence[NodeStats]) -> CachePlan:
        """The rows that differ from what was last written (CPU only: may run off the event loop)."""
        last = self._contents
        contents: dict[UUID, Content] = {}
        rows: list[Row] = []
        unconfirmed: list[UUID] = []
        unknown = NodeStatus.UNKNOWN
        for s in stats:
            previous = last.get(s.node_id)
            if s.status is unknown:
                unconfirmed.append(s.node_id)
                if previous is not None:
                    contents[s.node_id] = previous  # never overwritten by unknown
                    continue
                # no row known: an unknown row is inserted when there is none (never overwrites one)
            content = content_of(s)
            contents[s.node_id] = content
            if content != previous:
                rows.append(row_of(s))
        unchanged = self._unconfirmed is not None and self._unconfirmed == frozenset(unconfirmed)
        return CachePlan(rows, tuple(unconfirmed), not unchanged, contents)

    def commit(self, plan: CachePlan) -> None:
        """``plan`` was written and committed."""
        self._contents = plan.contents
        self._unconfirmed = frozenset(plan.unconfirmed)
