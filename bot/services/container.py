"""The :class:`Services` container: every command service, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.db.types import Pool
from bot.services.accounts import AccountsService
from bot.services.authz import Authz
from bot.services.help import HelpService


@dataclass(frozen=True, slots=True)
class Services:
    """What the Telegram and Discord frontends call. Build with :meth:`build`."""

    authz: Authz
    accounts: AccountsService
    help: HelpService

    @classmethod
    def build(cls, pool: Pool, config: Config) -> Services:
        authz = Authz(pool, config)
        return cls(
            authz=authz,
            accounts=AccountsService(pool, config, authz),
            help=HelpService(authz),
        )
