"""Per-host probes of a Gonka host's own API (its ``inference_url``): versions and ML-node metrics.

Both shapes are DERIVED (reconstructed from the host API's code, never captured; see
``tests/data/trackers/2026/SOURCES.md``):

- ``GET {inference_url}/v1/versions`` -> ``{timestamp, api_version{application_name, version, commit},
  node_version{…}, mlnodes[]{node_id, version, poc_validation_inference}}`` (cached 5 min by the host).
  A host without ``mlnodes`` is "not patched" (v0.2.15 before the patch adding it); ``[]`` is a patched
  host listing no ML node. An ML node's ``version`` may be ``""``: not known.
- ``GET {inference_url}/v1/mlnodes/metrics`` -> Prometheus text 0.0.4 (cached 10 s by the host, 404 when
  turned off, rate-limited). Only ``mlnode_up{node_id}`` is read: 1 up, 0 reachable by the host but
  failing; an ML node without the series is unknown, never down.

One request per probe: a host is asked at most once per cycle, never retried within it (the poller's
probe step backs a failing host off across cycles, see :mod:`bot.poller.probes`). Every failure is one of
:mod:`integrations.errors` (404 is :class:`~integrations.errors.SourceNotFoundError`, 429
:class:`~integrations.errors.SourceRateLimitedError`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from prometheus_client.parser import text_string_to_metric_families
from pydantic import TypeAdapter
from pydantic.dataclasses import dataclass

from integrations.http import JsonFetcher
from integrations.payload import LENIENT, read_all

VERSIONS_PATH = "/v1/versions"
METRICS_PATH = "/v1/mlnodes/metrics"
#: a host's answer larger than this is refused (a versions body is < 1 KB, metrics a few KB per node)
MAX_BODY = 1 << 20
MLNODE_UP = "mlnode_up"


@dataclass(frozen=True, slots=True, config=LENIENT)
class AppVersion:
    application_name: str | None = None
    version: str | None = None
    commit: str | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class MlNodeVersionRow:
    node_id: str
    #: ``""`` when the host does not know it (kept as None)
    version: str | None = None
    poc_validation_inference: bool | None = None


@dataclass(frozen=True, slots=True, config=LENIENT)
class VersionsResponse:
    """``/v1/versions`` (DERIVED shape)."""

    timestamp: datetime | None = None
    api_version: AppVersion | None = None
    node_version: AppVersion | None = None
    #: None: the key is absent, i.e. the host is not patched
    mlnodes: tuple[MlNodeVersionRow, ...] | None = None


_VERSIONS = TypeAdapter(VersionsResponse)


async def _parse_versions(chunks: AsyncIterator[bytes]) -> VersionsResponse:
    return _VERSIONS.validate_json(await read_all(chunks, MAX_BODY))


def parse_mlnode_up(text: str) -> dict[str, Decimal]:
    """``node_id`` -> ``mlnode_up`` value from Prometheus text; other families are ignored.

    Raises ``ValueError`` on text that is not Prometheus exposition format."""
    up: dict[str, Decimal] = {}
    for family in text_string_to_metric_families(text):
        if family.name != MLNODE_UP:
            continue
        for sample in family.samples:
            node_id = sample.labels.get("node_id")
            if sample.name != MLNODE_UP or not node_id:
                continue
            try:
                value = Decimal(repr(float(sample.value)))
            except (InvalidOperation, ValueError):
                continue
            if value.is_finite():
                up[node_id[:100]] = value
    return up


async def _parse_metrics(chunks: AsyncIterator[bytes]) -> dict[str, Decimal]:
    body = await read_all(chunks, MAX_BODY)
    return parse_mlnode_up(body.decode("utf-8"))


async def fetch_versions(fetch: JsonFetcher) -> VersionsResponse:
    return await fetch.get(VERSIONS_PATH, _parse_versions)


async def fetch_mlnode_up(fetch: JsonFetcher) -> dict[str, Decimal]:
    return await fetch.get(METRICS_PATH, _parse_metrics, accept="text/plain")


def probe_base(inference_url: str | None, *, allow_private: bool) -> str | None:
    """The base URL a host may be probed at, or None.

    ``inference_url`` is whatever a participant registered on the chain: only ``http``/``https`` with a
    host, no credentials, no path games; loopback, private, link-local and reserved addresses are
    refused unless ``allow_private`` (tests). Host names are kept (not resolved here)."""
    if not inference_url or len(inference_url) > 300:
        return None
    try:
        parts = urlsplit(inference_url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname
    if not allow_private:
        if host == "localhost" or host.endswith(".localhost"):
            return None
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            ip = None
        if ip is not None and not ip.is_global:
            return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"
