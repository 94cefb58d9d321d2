"""The enabled sources, in the configured priority, built on one aiohttp session."""

from __future__ import annotations

from typing import Protocol

import aiohttp

from bot.config import TrackersConfig
from bot.domain.node_stats import SourceSnapshot
from integrations.gonka_api import GonkaApiClient
from integrations.hashiro import HashiroClient
from integrations.http import HttpSettings, JsonFetcher
from integrations.hyperfusion import HyperfusionClient


class Source(Protocol):
    name: str

    async def poll(self) -> SourceSnapshot:
        """One bulk fetch; raises :class:`integrations.errors.SourceError` on any failure."""
        ...

    async def settled_income(self, address: str, epoch_id: int) -> dict[int, int]:
        """Settled income (ngonka) by epoch for epochs before ``epoch_id``."""
        ...


def http_settings(cfg: TrackersConfig) -> HttpSettings:
    return HttpSettings(
        timeout_s=cfg.request_timeout_s,
        retries=cfg.retries,
        backoff_base_s=cfg.backoff_base_s,
        backoff_max_s=cfg.backoff_max_s,
        user_agent=cfg.user_agent,
    )


def build_sources(cfg: TrackersConfig, session: aiohttp.ClientSession) -> list[Source]:
    settings = http_settings(cfg)
    built: dict[str, Source] = {}
    if cfg.hyperfusion.enabled:
        built["hyperfusion"] = HyperfusionClient(
            JsonFetcher(session, "hyperfusion", [str(cfg.hyperfusion.base_url)], settings)
        )
    if cfg.gonka_api.enabled:
        built["gonka_api"] = GonkaApiClient(
            JsonFetcher(session, "gonka_api", [str(u) for u in cfg.gonka_api.base_urls], settings),
            chain_api=cfg.gonka_api.chain_api,
        )
    if cfg.hashiro.enabled:
        built["hashiro"] = HashiroClient()
    ordered = [built[name] for name in cfg.priority if name in built]
    ordered += [s for name, s in built.items() if name not in cfg.priority]
    return ordered


def income_source(sources: list[Source], cfg: TrackersConfig) -> Source | None:
    """Exact ngonka from the chain when available, else Hyperfusion's integer-GNK rewards."""
    by_name = {s.name: s for s in sources}
    if "gonka_api" in by_name and cfg.gonka_api.chain_api:
        return by_name["gonka_api"]
    return by_name.get("hyperfusion")
