"""``/earnings``: totals per node and overall over 7/30/90 days, in GNK and fiat, with a chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from babel.numbers import format_decimal

from bot.db import nodes as nodes_db
from bot.db import stats_read
from bot.db.nodes import Node
from bot.db.types import Pool
from bot.domain.formatting import FIAT_PLACES, quantize_gnk
from bot.i18n.catalogs import Translator
from bot.render.message import Button, Message, Span
from bot.services import actions
from bot.services.arguments import Period
from bot.services.authz import Authz
from bot.services.charts import ChartRenderer
from bot.services.commands import PERIODS
from bot.services.context import Who
from bot.services.language import LanguageService
from bot.services.prices import PriceSource

DEFAULT_PERIOD: Period = "7d"


def gnk_text(t: Translator, amount: Decimal) -> str:
    """``1,234.5678 GNK`` (ru ``1 234,5678 GNK``): exact to 8 places, at least 2, grouped as the
    language groups numbers."""
    return format_decimal(quantize_gnk(amount), format="#,##0.00######", locale=t.locale) + " GNK"


def fiat_text(t: Translator, amount: Decimal, currency: str) -> str:
    """``1,234.57 USD`` (2 places, half-even), in the language's number format."""
    rounded = amount.quantize(FIAT_PLACES, rounding=ROUND_HALF_EVEN)
    return format_decimal(rounded, format="#,##0.00", locale=t.locale) + f" {currency}"


@dataclass(frozen=True, slots=True)
class NodeEarnings:
    node: Node
    total_gnk: Decimal


@dataclass(frozen=True, slots=True)
class EarningsReport:
    period: str
    days: int
    rows: tuple[NodeEarnings, ...]
    total_gnk: Decimal
    currency: str
    price: Decimal | None
    total_fiat: Decimal | None
    chart_png: bytes | None
    message: Message


class EarningsService:
    def __init__(
        self, pool: Pool, authz: Authz, prices: PriceSource, charts: ChartRenderer, language: LanguageService
    ) -> None:
        self._language = language
        self._pool = pool
        self._authz = authz
        self._prices = prices
        self._charts = charts

    async def report(
        self, who: Who, period: Period = DEFAULT_PERIOD, *, chart: bool = True
    ) -> EarningsReport:
        actor = await self._authz.require_linked(who)
        days = int(period[:-1])
        user = actor.me
        nodes = await nodes_db.list_user_nodes(self._pool, user.id)
        ids = [n.id for n in nodes]
        totals = await stats_read.totals(self._pool, ids, days)
        rows = tuple(
            sorted(
                (NodeEarnings(node=n, total_gnk=quantize_gnk(totals.get(n.id, Decimal(0)))) for n in nodes),
                key=lambda r: (-r.total_gnk, r.node.label.lower()),
            )
        )
        total = quantize_gnk(sum((r.total_gnk for r in rows), Decimal(0)))
        currency = user.currency_preference.upper()
        price = None if currency == "GNK" else await self._prices.price(currency)
        total_fiat = None if price is None else total * price

        t = await self._language.translator(actor)
        lines: list[tuple[Span, ...]] = []
        if not nodes:
            lines.append((Span(text=t("No nodes are assigned to your account yet.")),))
        for r in rows:
            text = f"{r.node.label}: {gnk_text(t, r.total_gnk)}"
            if price is not None:
                text += f" ≈ {fiat_text(t, r.total_gnk * price, currency)}"
            lines.append((Span(text=text),))
        total_line: list[Span] = [
            Span(text=t("Total: "), style="bold"),
            Span(text=gnk_text(t, total), style="bold"),
        ]
        if total_fiat is not None:
            total_line.append(Span(text=f" ≈ {fiat_text(t, total_fiat, currency)}"))
        lines.append(tuple(total_line))
        footer = None
        if currency != "GNK" and price is None:
            footer = (
                t("No GNK price source is configured, so amounts are in GNK only.")
                if self._prices.kind == "none"
                else t(
                    "No {currency} price is available right now, so amounts are in GNK only.",
                    currency=currency,
                )
            )
        elif price is not None:
            footer = f"1 GNK ≈ {t.number(price.normalize(), places=8)} {currency}"

        png = None
        if chart and nodes:
            png = await self._chart(nodes, days, period)
        buttons = (
            tuple(Button(label=p, action=actions.EARNINGS, args=(p,)) for p in PERIODS if p != period),
        )
        return EarningsReport(
            period=period,
            days=days,
            rows=rows,
            total_gnk=total,
            currency=currency,
            price=price,
            total_fiat=total_fiat,
            chart_png=png,
            message=Message(
                title=t.plural("Earnings, last {n} day", "Earnings, last {n} days", days),
                lines=tuple(lines),
                footer=footer,
                buttons=buttons,
            ),
        )

    async def _chart(self, nodes: list[Node], days: int, period: str) -> bytes | None:
        history = await stats_read.history(self._pool, [n.id for n in nodes], days)
        if not history:
            return None
        labels: dict[object, str] = {}
        for n in nodes:  # two nodes of the same name stay two series
            label = n.label if n.label not in labels.values() else f"{n.label} …{n.identifier[-6:]}"
            labels[n.id] = label
        series: dict[str, dict[date, Decimal]] = {}
        for h in history:
            series.setdefault(labels[h.node_id], {})[h.date] = h.earnings_gnk
        today = await stats_read.utc_today(self._pool)
        start = today - timedelta(days=days - 1)
        return await self._charts.earnings_png(
            series, start=start, days=days, title=f"GNK earned, last {period}"
        )
