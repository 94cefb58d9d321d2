"""The caller's nodes: list with pages, detail with jail hint, ownership, suggestions."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.db.types import Pool
from bot.domain.identifiers import convert_hrp
from bot.errors import InvalidInputError, NotLinkedError, UsageError
from bot.services.errors import NodeNotFoundError
from bot.services.nodes import UNJAIL_HINT, NodesService
from tests.bot.services.helpers import assert_renders, parsed, services
from tests.helpers import caller, give_node, make_user, wallet


async def test_node_list_shows_status_and_paginates(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    for i in range(NodesService.PAGE_SIZE + 2):
        await give_node(pool, "op@example.com", wallet(i + 1), f"rig-{i:02d}", status="healthy")
    first = await svc.nodes.list_nodes(caller("1"))
    assert_renders(first.message)
    assert (first.page, first.pages, first.total) == (0, 2, NodesService.PAGE_SIZE + 2)
    assert "🟢 " in first.message.plain() and "1.50 GNK" in first.message.plain()
    nav = [b for row in first.message.buttons for b in row if b.action == "nodes_page"]
    assert any(b.args == ("1",) for b in nav)
    second = await svc.nodes.list_nodes(caller("1"), page=1)
    assert [s.node.display_name for s in second.items] == ["rig-08", "rig-09"]
    clamped = await svc.nodes.list_nodes(caller("1"), page=99)
    assert clamped.page == 1


async def test_an_empty_node_list_says_how_to_get_one(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    result = await services(pool, config).nodes.list_nodes(caller("1"))
    assert result.total == 0 and "/request" in result.message.plain()


async def test_detail_shows_every_cache_field_and_the_unjail_hint(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig-a")
    await pool.execute(
        "INSERT INTO node_stats_cache (node_id, status, status_reason, earnings_day, earnings_total,"
        " uptime_percent, tokens_per_sec, jobs_day, active_model, voting_weight, epoch_id, jailed_until,"
        " ready_to_unjail, source, details, fetched_at) VALUES ($1, 'jailed', 'validator jailed', 0.12345678,"
        " 100.5, 97.25, 12.5, 42, 'Qwen/QwQ-32B', 7, 123, now() + interval '1 hour', false, 'gonka_api',"
        " '{\"missed_rate\": 0.02}', now() - interval '1 hour')",
        node_id,
    )
    await pool.execute(
        "INSERT INTO earnings_history (node_id, date, earnings_gnk) VALUES"
        " ($1, (now() AT TIME ZONE 'UTC')::date, 1.25), ($1, (now() AT TIME ZONE 'UTC')::date - 10, 9)",
        node_id,
    )
    result = await svc.nodes.detail(caller("1"), "RIG-A")
    assert_renders(result.message)
    text = result.message.plain()
    for expected in (
        "validator jailed",
        "0.12345678 GNK",
        "100.50 GNK",
        "97.25%",
        "12.5",
        "42",
        "Qwen/QwQ-32B",
        "123",
        "gonka_api",
        "Jailed until",
        "not yet",
        UNJAIL_HINT,
        "1.25 GNK",
    ):
        assert expected in text, expected
    assert len(result.history) == 1  # the 10-day-old row is outside the last 7 days
    links = [b.url for row in result.message.buttons for b in row if b.url]
    assert links and wallet(1) in links[0]
    assert result.message.severity == "critical"


async def test_detail_finds_by_identifier_uuid_and_unique_prefix(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "alpha rig")
    await give_node(pool, "op@example.com", wallet(2), "beta rig")
    assert (await svc.nodes.detail(caller("1"), wallet(1).upper())).node.id == node_id
    assert (await svc.nodes.detail(caller("1"), str(node_id))).node.id == node_id
    assert (await svc.nodes.detail(caller("1"), "alp")).node.id == node_id
    operator = convert_hrp(wallet(1), "gonkavaloper")  # the same participant, typed as its operator
    assert (await svc.nodes.detail(caller("1"), operator)).node.id == node_id
    with pytest.raises(InvalidInputError, match="several"):
        await svc.nodes.detail(caller("1"), "gonka1qqq")


async def test_detail_without_a_name_shows_usage(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    with pytest.raises(UsageError, match="/node"):
        await parsed(services(pool, config), caller("1"), "node", "  ")


async def test_another_users_node_is_indistinguishable_from_a_missing_one(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "me@example.com", telegram="1")
    await make_user(pool, "other@example.com", telegram="2")
    other_id = await give_node(pool, "other@example.com", wallet(7), "secret-rig", status="jailed")
    answers = []
    other_operator = convert_hrp(wallet(7), "gonkavaloper")
    for ref in (wallet(7), wallet(8), other_operator, "secret-rig", "no-such-rig"):
        with pytest.raises(NodeNotFoundError) as exc:
            await svc.nodes.detail(caller("1"), ref)
        answers.append(exc.value.message.replace(ref, "…"))
    with pytest.raises(NodeNotFoundError) as by_id:
        await svc.nodes.detail(caller("1"), str(other_id))
    answers.append(by_id.value.message.replace(str(other_id), "…"))
    assert len(set(answers)) == 1
    assert await svc.nodes.suggest_nodes(caller("1"), "secret") == []
    with pytest.raises(NodeNotFoundError):
        await svc.mutes.mute(caller("1"), str(other_id), "1h")


async def test_suggestions_are_over_own_nodes_and_empty_when_anonymous(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "Alpha")
    await give_node(pool, "op@example.com", wallet(2), "Beta")
    choices = await svc.nodes.suggest_nodes(caller("1"), "alp")
    assert [(c.value, c.label.startswith("Alpha")) for c in choices] == [(str(node_id), True)]
    assert len(await svc.nodes.suggest_nodes(caller("1"), "")) == 2
    with_all = await svc.nodes.suggest_nodes(caller("1"), "", include_all=True)
    assert with_all[0].value == "all" and len(with_all) == 3
    assert await svc.nodes.suggest_nodes(caller("99"), "a") == []


async def test_anonymous_callers_are_told_to_link(pool: Pool, config: Config) -> None:
    with pytest.raises(NotLinkedError, match="/link"):
        await services(pool, config).nodes.list_nodes(caller("99"))


async def test_earnings_are_the_last_settled_epoch_and_this_epochs_estimate_is_marked(
    pool: Pool, config: Config
) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig-a")
    other = await give_node(pool, "op@example.com", wallet(2), "rig-b")
    for nid in (node_id, other):
        await pool.execute(
            "INSERT INTO node_stats_cache (node_id, status, earnings_day, earnings_total, epoch_id, source,"
            " details) VALUES ($1, 'healthy', 50503.66027797, 60000, 367, 'gonka_api',"
            " '{\"earnings_epoch\": 366}')",
            nid,
        )
    # the chain's estimate of epoch 367 for rig-a (reward + work, ngonka); none for rig-b
    await pool.execute(
        "INSERT INTO reward_estimates (node_id, epoch_id, reward_ngonka, work_ngonka, fetched_at) VALUES"
        " ($1, 367, 1000000000000, 234000000, now()), ($2, 367, NULL, NULL, now())",
        node_id,
        other,
    )
    listing = (await svc.nodes.list_nodes(caller("1"))).message
    assert_renders(listing)
    text = listing.plain()
    assert "today" not in text.lower()
    assert "last epoch 50,503.66027797 GNK · this epoch ≈1,000.234 GNK (est.)" in text
    detail = await svc.nodes.detail(caller("1"), "rig-a")
    assert_renders(detail.message)
    fields = {f.name: f.value for f in detail.message.fields}
    assert fields["Last settled epoch (366)"] == "50,503.66027797 GNK"
    assert fields["This epoch (367), estimate"] == "≈1,000.234 GNK (the chain's estimate)"
    assert "today" not in detail.message.plain().lower()
    none = {f.name: f.value for f in (await svc.nodes.detail(caller("1"), "rig-b")).message.fields}
    assert none["This epoch (367), estimate"] == "none (not in the epoch's active set)"
    # an estimate of another epoch than the cached one is not shown
    await pool.execute("UPDATE reward_estimates SET epoch_id = 366")
    stale = (await svc.nodes.detail(caller("1"), "rig-a")).message
    assert not any(f.name.startswith("This epoch") for f in stale.fields)
