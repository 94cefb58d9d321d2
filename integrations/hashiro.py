"""Hashiro (https://hashiro.tech/gonka): a pool dashboard with no public API.

No repository, OpenAPI spec or API call to hashiro.tech exists in any public code; MineGNK's own
research concluded "No public API documented. Frontend-only dashboard". A Hashiro pool is a ``gonka1…``
address, so watch that address through ``hyperfusion``/``gonka_api`` instead. This adapter keeps the
source's place behind the common interface: it is off by default (``trackers.hashiro.enabled``) and,
if enabled, every poll fails with :class:`SourceDisabledError` saying why (so the source shows as
down in source health, never as nodes going offline).
"""

from __future__ import annotations

from bot.domain.node_stats import SourceSnapshot
from integrations.errors import SourceDisabledError

SOURCE = "hashiro"
WHY = (
    "Hashiro publishes no public API (frontend-only dashboard); "
    "monitor the pool's gonka1… address through hyperfusion or gonka_api"
)


class HashiroClient:
    name = SOURCE

    async def poll(self) -> SourceSnapshot:
        raise SourceDisabledError(SOURCE, WHY)

    async def settled_income(self, address: str, epoch_id: int) -> dict[int, int]:
        raise SourceDisabledError(SOURCE, WHY)
