"""Item 4: ``/node`` shows each alert condition's state with the numbers behind it; ``/settings``
lists the conditions from the table (both frontends render the same message)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio

from bot.db.types import Pool
from bot.domain.conditions import CONDITIONS
from bot.render import discord as discord_render
from bot.render import telegram as telegram_render
from bot.services.container import Services
from tests.bot.alerts.helpers import alert_config
from tests.bot.alerts.probe_scenarios import EXPECTED, ProbeWorld
from tests.bot.alerts.test_reward_conditions_e2e import _chain_row, invalid, llr_rising
from tests.bot.poller.conftest import make_poller
from tests.bot.poller.test_network_2026 import both_sources
from tests.bot.services.helpers import services
from tests.fakes.tracker_data import ACTIVE_2026, EXCLUDED_2026, synthetic_address
from tests.fakes.tracker_server import TrackerServer
from tests.helpers import caller, give_node, make_user


async def test_node_shows_every_condition_with_its_numbers(
    pool: Pool, db_url: str, tracker2026: TrackerServer
) -> None:
    await make_user(pool, "op@example.com", telegram="555", discord="777")
    await give_node(pool, "op@example.com", ACTIVE_2026, "rig-1")
    await give_node(pool, "op@example.com", EXCLUDED_2026, "rig-2")
    llr_rising(tracker2026)
    _chain_row(tracker2026)["current_epoch_stats"]["confirmationPoCRatio"] = {"value": "45", "exponent": -2}
    cfg = both_sources(db_url, tracker2026)
    await make_poller(cfg, pool, db_url).poll_cycle()
    svc = services(pool, cfg)

    detail = (await svc.nodes.detail(caller("555"), "rig-1")).message
    plain = detail.plain()
    assert "Alert conditions" in plain
    for c in CONDITIONS:
        assert f"{c.texts.title}: " in plain
    assert "🟡 Early warning (SPRT): warning · invalidLLR 3 of 4 (75 %)" in plain
    assert (
        "🟡 Low confirmation PoC: warning · Confirmation PoC ratio 0.45 (the epoch's threshold: 0.5)" in plain
    )
    assert "✅ Excluded from the epoch: ok" in plain and "✅ Chain status: ok · Chain status ACTIVE" in plain
    html = "".join(c.text for c in telegram_render.render(detail))
    embeds = str([p.as_json() for p in discord_render.render(detail)])
    assert "invalidLLR 3 of 4" in html and "invalidLLR 3 of 4" in embeds

    excluded = (await svc.nodes.detail(caller("777", platform="discord"), "rig-2")).message.plain()
    assert "🔴 Excluded from the epoch: failing · Exclusion reason statistical_invalidations" in excluded
    # explained by the exclusion: said once, not again as offline
    assert "⚪ Offline: unknown" in excluded

    invalid(tracker2026)
    await make_poller(cfg, pool, db_url).poll_cycle()
    again = (await svc.nodes.detail(caller("555"), "rig-1")).message.plain()
    assert "🔴 Chain status: failing · Chain status INVALID" in again
    assert "⚪ Early warning (SPRT): unknown" in again  # explained by the status it warned about


async def test_settings_lists_the_conditions_from_the_table(pool: Pool, db_url: str) -> None:
    from tests.bot.alerts.helpers import alert_config

    await make_user(pool, "op@example.com", telegram="555")
    svc = services(pool, alert_config(db_url))
    shown = (await svc.settings.show(caller("555"))).message.plain()
    for s in CONDITIONS.settings:
        assert f"{'✅' if s.default_on else '❌'} {s.label} ({s.name})" in shown
    off = await svc.settings.set_alert(caller("555"), "cpoc_ratio", False)
    assert "❌ Low confirmation PoC (cpoc_ratio)" in off.message.plain()


# --- conditions e-h: what the probe step stored for the node ----------------------------------------


@pytest_asyncio.fixture
async def hosts() -> AsyncIterator[TrackerServer]:
    srv = TrackerServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


async def probed_node(pool: Pool, db_url: str, hosts: TrackerServer) -> tuple[ProbeWorld, Services]:
    """A healthy watched node whose probe step ran twice (every probe condition ok), as of now."""
    await make_user(pool, "op@example.com", telegram="555")
    address = synthetic_address(0)
    node_id = await give_node(pool, "op@example.com", address, "rig-p", status="healthy")
    cfg = alert_config(db_url)
    world = ProbeWorld(hosts, pool, cfg, node_id, address, [synthetic_address(i) for i in (1, 2, 3)])
    world.now = datetime.now(UTC)
    for _ in range(2):
        await world.cycle()
    return world, services(pool, cfg)


def probe_lines(plain: str) -> list[str]:
    titles = [CONDITIONS[n].texts.title for n in EXPECTED]
    return [line for line in plain.splitlines() if any(f" {t}: " in line for t in titles)]


async def test_node_shows_the_probe_conditions_with_their_numbers(
    pool: Pool, db_url: str, hosts: TrackerServer
) -> None:
    world, svc = await probed_node(pool, db_url, hosts)
    shown = probe_lines((await svc.nodes.detail(caller("555"), "rig-p")).message.plain())
    assert shown == [
        "✅ Model participation: ok · Epoch 366 · Non-participation penalty 15 % · Models with a penalty "
        "MiniMaxAI/MiniMax-M2.7 (from epoch 278): committed PoC; deepseek-ai/DeepSeek-V4-Flash-0731 "
        "(from epoch 360): committed PoC",
        "✅ Collateral short: ok · Weight 1000 · Collateral deposited 250 GNK · "
        "Collateral required 0.00000336 GNK",
        "✅ Version behind: ok · API version v0.2.15-post3 · Network's API version v0.2.15-post3 · "
        "Weight on it 100 % · ML-node versions node1 3.0.16, node2 3.0.16, node3 3.0.16 · "
        "Network's ML-node version 3.0.16",
        "✅ ML node down: ok · ML nodes up 2 of 2",
    ], shown

    world.break_("mlnode_down")
    await world.cycle()
    down = probe_lines((await svc.nodes.detail(caller("555"), "rig-p")).message.plain())
    assert down[3] == "🔴 ML node down: failing · ML nodes up 1 of 2 · ML nodes down 1 · Down node2", down


async def test_probe_findings_of_an_old_probe_step_read_unknown_never_ok(
    pool: Pool, db_url: str, hosts: TrackerServer
) -> None:
    _, svc = await probed_node(pool, db_url, hosts)
    # the poll leader's probe step stopped 20 minutes ago (the bound is 15)
    await pool.execute("UPDATE probe_findings_run SET finished_at = now() - interval '20 minutes'")
    shown = probe_lines((await svc.nodes.detail(caller("555"), "rig-p")).message.plain())
    assert [line.split(" · ")[0] for line in shown] == [
        f"⚪ {CONDITIONS[n].texts.title}: unknown" for n in EXPECTED
    ], shown


async def test_a_node_the_probe_step_never_judged_reads_unknown(pool: Pool, db_url: str) -> None:
    await make_user(pool, "op@example.com", telegram="555")
    await give_node(pool, "op@example.com", synthetic_address(0), "rig-p", status="healthy")
    svc = services(pool, alert_config(db_url))
    shown = probe_lines((await svc.nodes.detail(caller("555"), "rig-p")).message.plain())
    assert shown == [f"⚪ {CONDITIONS[n].texts.title}: unknown" for n in EXPECTED], shown
