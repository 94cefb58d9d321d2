"""The :class:`Services` container: every command service, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.db.types import Pool
from bot.i18n.catalogs import Catalogs
from bot.services.accounts import AccountsService
from bot.services.admin import AdminService
from bot.services.arguments import Arguments
from bot.services.authz import Authz
from bot.services.charts import ChartRenderer
from bot.services.chats import ChatsService
from bot.services.digests import DigestsService
from bot.services.earnings import EarningsService
from bot.services.help import HelpService
from bot.services.language import LanguageService
from bot.services.mutes import MutesService
from bot.services.nodes import NodesService
from bot.services.prices import PriceSource, build_price_source
from bot.services.quiet_hours import QuietHoursService
from bot.services.requests import RequestsService
from bot.services.settings import SettingsService
from bot.services.throttle import Throttle


@dataclass(frozen=True, slots=True)
class Services:
    """What the Telegram and Discord frontends call. Build with :meth:`build`."""

    authz: Authz
    #: every command's arguments, parsed from its CommandSpec options
    arguments: Arguments
    accounts: AccountsService
    nodes: NodesService
    earnings: EarningsService
    requests: RequestsService
    admin: AdminService
    mutes: MutesService
    settings: SettingsService
    digests: DigestsService
    quiet_hours: QuietHoursService
    help: HelpService
    #: the person's language and /language
    language: LanguageService
    prices: PriceSource
    #: per-person limits, checked by both frontends before a handler runs
    throttle: Throttle
    #: what the platforms report about chats (bot added back, group migrated)
    chats: ChatsService

    @classmethod
    def build(
        cls,
        pool: Pool,
        config: Config,
        *,
        prices: PriceSource | None = None,
        catalogs: Catalogs | None = None,
    ) -> Services:
        authz = Authz(pool, config)
        language = LanguageService(pool, catalogs or Catalogs())
        price_source = prices or build_price_source(config.prices, config.trackers.user_agent)
        nodes = NodesService(pool, config, authz, language=language)
        return cls(
            authz=authz,
            arguments=Arguments(authz),
            accounts=AccountsService(pool, config, authz),
            nodes=nodes,
            earnings=EarningsService(pool, authz, price_source, ChartRenderer()),
            requests=RequestsService(pool, config, authz),
            admin=AdminService(pool, config, authz),
            mutes=MutesService(pool, authz, nodes, config, language),
            settings=SettingsService(pool, authz, language=language),
            digests=DigestsService(pool, authz, language),
            quiet_hours=QuietHoursService(pool, authz, language),
            help=HelpService(authz, language),
            language=language,
            prices=price_source,
            throttle=Throttle(config.limits),
            chats=ChatsService(pool),
        )

    async def aclose(self) -> None:
        """Release what the services hold (the HTTP price source's session)."""
        await self.prices.aclose()
