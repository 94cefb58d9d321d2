"""Every sample behind the probe conditions (versions, ML-node metrics, collateral, PoC delegation, model
groups, params) parses with the production models (files: tests/data/trackers/2026, origins in README)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from pydantic import TypeAdapter

from bot.poller.probes import _chain_epoch_data, _delegation_data, _versions_data
from integrations import chain_params, chain_probes, host_probes
from integrations.errors import BadPayloadError, SourceNotFoundError
from integrations.http import HttpSettings, JsonFetcher
from tests.fakes.tracker_data import DATA_2026
from tests.fakes.tracker_server import TrackerServer


def raw(name: str) -> bytes:
    return (DATA_2026 / name).read_bytes()


def doc(name: str) -> Any:
    return json.loads(raw(name))


async def one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


async def test_versions_with_mlnodes_parse_and_an_empty_version_is_unknown() -> None:
    v = TypeAdapter(host_probes.VersionsResponse).validate_json(raw("dapi_v1_versions.DERIVED.json"))
    assert v.api_version is not None and v.api_version.version == "v0.2.15-post3"
    assert _versions_data(v) == {
        "api_version": "v0.2.15-post3",
        "node_version": "v0.2.15",
        "mlnodes": [["node1", "3.0.16"], ["node2", "0.2.0"], ["node3", None]],
    }


def test_versions_without_mlnodes_read_as_a_host_not_patched() -> None:
    v = TypeAdapter(host_probes.VersionsResponse).validate_json(
        raw("dapi_v1_versions_v0.2.15_unpatched.DERIVED.json")
    )
    assert v.mlnodes is None
    assert _versions_data(v) == {"api_version": "v0.2.15", "node_version": "v0.2.15", "mlnodes": None}


def test_mlnode_metrics_read_mlnode_up_only() -> None:
    up = host_probes.parse_mlnode_up(raw("dapi_v1_mlnodes_metrics.DERIVED.txt").decode())
    assert up == {"node1": Decimal(1), "node2": Decimal(0)}


def test_metrics_that_are_not_prometheus_text_are_refused() -> None:
    with pytest.raises(ValueError):
        host_probes.parse_mlnode_up('{"mlnode_up": 1} not { prometheus')


async def test_collateral_amount_is_exact_ngonka() -> None:
    resp = TypeAdapter(chain_probes.CollateralResponse).validate_json(raw("chain_collateral.DERIVED.json"))
    assert chain_probes.collateral_ngonka(resp, "t") == 250_000_000_000


def test_collateral_in_another_denom_is_a_bad_payload() -> None:
    resp = TypeAdapter(chain_probes.CollateralResponse).validate_python(
        {"amount": {"denom": "gonka", "amount": "1"}}
    )
    with pytest.raises(BadPayloadError):
        chain_probes.collateral_ngonka(resp, "t")


def test_the_chains_not_found_body_is_told_from_a_path_not_served() -> None:
    assert chain_probes.is_chain_not_found(raw("chain_grpc_gateway_error_notfound.DERIVED.json").decode())
    assert not chain_probes.is_chain_not_found("404 page not found")


def test_rest_poc_delegation_parses_delegations_and_refusals() -> None:
    d = chain_probes.POC_DELEGATION.validate_json(raw("chain_poc_delegation.DERIVED.json"))
    assert _delegation_data(d) == {
        "delegated": {"moonshotai/Kimi-K2.6": "gonka1q5xt54wncgzk7dxv9x64uln68455g83wu9tugg"},
        "refused": ["zai-org/GLM-5.3-Flash"],
        "intents": [],
    }


def test_cli_poc_delegation_bodies_parse_empty_ones_included() -> None:
    bodies = doc("cli_poc_delegation_height_4104861.trimmed.json")["all_delegations"]
    got = {
        addr: _delegation_data(chain_probes.POC_DELEGATION.validate_python(b)) for addr, b in bodies.items()
    }
    assert got["gonka10mmdjau4dnj8krs7sh7t7635ttnmq9u3vqgz09"] == {
        "delegated": {},
        "refused": [],
        "intents": [],
    }
    assert got["gonka125n6kr5gvdup0lndfkps7t6rd6592panhrg3np"]["delegated"] == {
        "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8": "gonka1f0u3y2wneer8zhz3ypw4x54h38cpa0qsy8ts3e",
        "moonshotai/Kimi-K2.6": "gonka1f0u3y2wneer8zhz3ypw4x54h38cpa0qsy8ts3e",
    }


def test_a_model_group_lists_the_members_that_committed_poc() -> None:
    env = chain_params.EPOCH_GROUP.validate_json(raw("chain_epoch_group_data_267_model_kimi.trimmed.json"))
    g = env.epoch_group_data
    assert g is not None and (g.epoch_index, g.model_id) == (267, "moonshotai/Kimi-K2.6")
    committed = [m.member_address for m in g.validation_weights if m.committed]
    assert committed and len(committed) == len(g.validation_weights)
    first = g.validation_weights[0]
    assert first.member_address == "gonka15munkmx6x7k6rqqeexjet4556p7at39ks9qgr5"
    assert first.weight == 27400 and first.ml_nodes is not None and first.ml_nodes[0].poc_weight == 5219


def test_a_model_group_without_weights_has_no_committed_members() -> None:
    for body in ({"epoch_group_data": {"model_id": "m"}}, {"epoch_group_data": {"validation_weights": None}}):
        g = chain_params.EPOCH_GROUP.validate_python(body).epoch_group_data
        assert g is not None and g.validation_weights == ()


class _FakeFetch:
    """Serves params and the root group from the samples (what ``_chain_epoch_data`` reads)."""

    source = "t"

    async def get(self, path: str, parse: Any, params: Any = None, **kw: Any) -> Any:
        name = (
            "chain_inference_params_live_2026-09.json"
            if path == chain_params.PARAMS_PATH
            else "chain_epoch_group_data_366_root.trimmed.json"
        )
        return await parse(one_chunk(raw(name)))


async def test_live_params_give_models_penalties_collateral_rule_and_root_weights() -> None:
    data = await _chain_epoch_data(_FakeFetch(), 366)  # type: ignore[arg-type]
    assert data["models"] == [
        ["MiniMaxAI/MiniMax-M2.7", 278],
        ["deepseek-ai/DeepSeek-V4-Flash-0731", 360],
        ["zai-org/GLM-5.3-Flash", 394],
    ]
    assert (data["no_participation_penalty"], data["refusal_penalty"]) == ("0.15", "0.1")
    assert data["collateral"] == {
        "base_weight_ratio": "0.2",
        "per_weight_unit": "4.2",
        "grace_period_end_epoch": 180,
    }
    assert data["weights"]["gonka16dgkvx7mh609ntkzknckwaskgq9lcdp86j0skk"] == 60555


# -- over HTTP: the chain's NotFound is "nothing deposited", a path not served is not known ---------


async def test_collateral_over_http_not_found_is_zero_but_a_missing_path_raises() -> None:
    srv = TrackerServer()
    srv.collateral["gonka1has"] = doc("chain_collateral.DERIVED.json")
    await srv.start()
    try:
        async with aiohttp.ClientSession() as session:
            fetch = JsonFetcher(session, "t", [srv.url], HttpSettings(timeout_s=2, retries=0))
            assert await chain_probes.fetch_collateral(fetch, "gonka1has") == 250_000_000_000
            assert await chain_probes.fetch_collateral(fetch, "gonka1none") == 0
            srv.collateral_served = False
            with pytest.raises(SourceNotFoundError):
                await chain_probes.fetch_collateral(fetch, "gonka1has")
    finally:
        await srv.stop()


async def test_host_probes_over_http_read_versions_and_metrics() -> None:
    srv = TrackerServer()
    srv.host_versions["a"] = doc("dapi_v1_versions.DERIVED.json")
    srv.host_metrics["a"] = raw("dapi_v1_mlnodes_metrics.DERIVED.txt").decode()
    await srv.start()
    try:
        async with aiohttp.ClientSession() as session:
            base = host_probes.probe_base(srv.host_url("a"), allow_private=True)
            assert base is not None
            fetch = JsonFetcher(session, "host_probe", [base], HttpSettings(timeout_s=2, retries=0))
            assert (await host_probes.fetch_versions(fetch)).mlnodes is not None
            assert await host_probes.fetch_mlnode_up(fetch) == {"node1": 1, "node2": 0}
    finally:
        await srv.stop()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://93.119.168.43:8000", "http://93.119.168.43:8000"),
        ("https://host.example.com/api/", "https://host.example.com/api"),
        ("http://127.0.0.1:8000", None),
        ("http://10.0.0.5:8000", None),
        ("http://169.254.169.254", None),
        ("http://localhost:9000", None),
        ("http://user:pw@93.119.168.43:8000", None),
        ("ftp://93.119.168.43", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_only_public_http_hosts_are_probed(url: str | None, allowed: str | None) -> None:
    assert host_probes.probe_base(url, allow_private=False) == allowed
