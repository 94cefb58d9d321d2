"""Earnings: exact totals from earnings_history, fiat through the price source, a valid PNG chart."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from decimal import Decimal

import pytest
from aiohttp import web
from PIL import Image

from bot.config import Config
from bot.db.types import Pool
from bot.errors import UsageError
from bot.services.container import Services
from bot.services.prices import HttpPrices, StaticPrices
from tests.bot.services.helpers import parsed, services
from tests.helpers import caller, give_node, make_user, wallet


async def _history(pool: Pool, node_id: object, amounts: list[Decimal]) -> None:
    await pool.executemany(
        "INSERT INTO earnings_history (node_id, date, earnings_gnk)"
        " VALUES ($1, (now() AT TIME ZONE 'UTC')::date - $2::int, $3)",
        [(node_id, i, a) for i, a in enumerate(amounts)],
    )


async def test_totals_match_earnings_history_to_the_last_decimal(pool: Pool, config: Config) -> None:
    svc = services(pool, config)
    await make_user(pool, "op@example.com", telegram="1")
    rng = random.Random(4)
    ids = []
    for n in range(3):
        node_id = await give_node(pool, "op@example.com", wallet(n + 1), f"rig-{n}")
        amounts = [Decimal(rng.randint(0, 10**12)) / Decimal(10**8) for _ in range(95)]
        await _history(pool, node_id, amounts)
        ids.append(node_id)
    for period, days in (("7d", 7), ("30d", 30), ("90d", 90)):
        report = await svc.earnings.report(caller("1"), period, chart=False)
        for row in report.rows:
            expected = await pool.fetchval(
                "SELECT sum(earnings_gnk) FROM earnings_history WHERE node_id = $1"
                " AND date > (now() AT TIME ZONE 'UTC')::date - $2::int",
                row.node.id,
                days,
            )
            assert row.total_gnk == expected
        overall = await pool.fetchval(
            "SELECT sum(earnings_gnk) FROM earnings_history"
            " WHERE date > (now() AT TIME ZONE 'UTC')::date - $1::int",
            days,
        )
        assert report.total_gnk == overall and report.total_gnk.as_tuple().exponent == -8
        assert f"{overall:,.8f}".rstrip("0") in report.message.plain()


async def test_without_a_price_source_it_says_gnk_only(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    report = await services(pool, config).earnings.report(caller("1"), chart=False)
    assert report.price is None and report.total_fiat is None
    assert "GNK only" in (report.message.footer or "")


async def test_a_static_price_converts_into_the_users_currency(pool: Pool, config: Config) -> None:
    user = await make_user(pool, "op@example.com", telegram="1")
    await pool.execute("UPDATE users SET currency_preference = 'EUR' WHERE id = $1", user.id)
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig")
    await _history(pool, node_id, [Decimal("10"), Decimal("2.5")])
    svc = Services.build(pool, config, prices=StaticPrices({"EUR": 0.5}))
    report = await svc.earnings.report(caller("1"), "7d", chart=False)
    assert report.total_fiat == Decimal("6.25") and "6.25 EUR" in report.message.plain()


async def test_an_http_price_source_is_cached(pool: Pool, config: Config) -> None:
    hits = []

    async def handler(request: web.Request) -> web.Response:
        hits.append(1)
        return web.json_response({"USD": 1.25, "eur": "bad"})

    app = web.Application()
    app.router.add_get("/price", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    prices = HttpPrices(f"http://127.0.0.1:{port}/price", ttl_s=300, timeout_s=2)
    try:
        assert await prices.price("usd") == Decimal("1.25")
        assert await prices.price("USD") == Decimal("1.25")
        assert await prices.price("EUR") is None
        assert len(hits) == 1
    finally:
        await prices.aclose()
        await runner.cleanup()


async def test_an_unreachable_price_source_means_gnk_only(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    prices = HttpPrices("http://127.0.0.1:9/none", ttl_s=300, timeout_s=1)
    svc = Services.build(pool, config, prices=prices)
    try:
        report = await svc.earnings.report(caller("1"), chart=False)
    finally:
        await svc.aclose()
    assert report.price is None and "GNK only" in (report.message.footer or "")


async def test_the_chart_is_a_valid_png(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    for n in range(8):  # more nodes than series: the rest become "others"
        node_id = await give_node(pool, "op@example.com", wallet(n + 1), f"rig-{n}")
        await _history(pool, node_id, [Decimal(n + d) / 3 for d in range(30)])
    report = await services(pool, config).earnings.report(caller("1"), "30d")
    assert report.chart_png is not None and report.chart_png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(report.chart_png))
    image.verify()
    assert image.format == "PNG" and image.size == (800, 400)


async def test_an_unknown_period_shows_usage(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    with pytest.raises(UsageError, match="7d"):
        await parsed(services(pool, config), caller("1"), "earnings", "1y")


async def test_earnings_in_chinese_name_the_period_and_the_total(pool: Pool, config: Config) -> None:
    user = await make_user(pool, "op@example.com", telegram="1")
    await pool.execute("UPDATE users SET currency_preference = 'EUR' WHERE id = $1", user.id)
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig")
    await _history(pool, node_id, [Decimal("1234.5"), Decimal("0.25")])
    svc = Services.build(pool, config, prices=StaticPrices({"EUR": 0.5}))
    report = await svc.earnings.report(replace(caller("1"), locale="zh-CN"), "30d", chart=False)
    assert report.message.title == "近 30 天收益"
    assert "合计：1,234.75 GNK ≈ 617.38 EUR" in report.message.plain()


async def test_earnings_in_russian_use_russian_number_format(pool: Pool, config: Config) -> None:
    await make_user(pool, "op@example.com", telegram="1")
    node_id = await give_node(pool, "op@example.com", wallet(1), "rig")
    await _history(pool, node_id, [Decimal("1234.5"), Decimal("0.00000001")])
    svc = services(pool, config)
    await svc.language.command(caller("1"), "ru")
    report = await svc.earnings.report(caller("1"), "7d", chart=False)
    assert report.message.title == "Доход за последние 7 дней"
    # grouped by a no-break space, a decimal comma, exact to the last of the 8 places
    assert "Итого: 1\xa0234,50000001 GNK" in report.message.plain()
