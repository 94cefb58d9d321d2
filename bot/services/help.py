"""``/help``: the commands this caller may run, from the one table in :mod:`bot.services.commands`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalogs import N_
from bot.render.message import Message, Span
from bot.services.authz import Authz
from bot.services.commands import COMMANDS, Audience, CommandSpec
from bot.services.context import LinkedActor, Who
from bot.services.language import LanguageService

_TIERS: dict[str, tuple[Audience, ...]] = {
    "anonymous": ("anyone",),
    "linked": ("anyone", "linked"),
    "admin": ("anyone", "linked", "admin"),
}


def commands_for(tier: str) -> tuple[CommandSpec, ...]:
    """``tier``: anonymous | linked | admin."""
    audiences = _TIERS[tier]
    return tuple(c for c in COMMANDS if c.audience in audiences)


@dataclass(frozen=True, slots=True)
class HelpResult:
    tier: str
    commands: tuple[CommandSpec, ...]
    message: Message


class HelpService:
    def __init__(self, authz: Authz, language: LanguageService) -> None:
        self._authz = authz
        self._language = language

    async def help(self, who: Who) -> HelpResult:
        actor = await self._authz.resolve(who)
        linked = isinstance(actor, LinkedActor)
        tier = "admin" if actor.is_admin and linked else "linked" if linked else "anonymous"
        if actor.is_admin and not linked:
            # a config admin without a portal account runs admin commands but has no nodes
            cmds = tuple(c for c in COMMANDS if c.audience in ("anyone", "admin"))
            tier = "admin"
        else:
            cmds = commands_for(tier)
        t = await self._language.translator(who)
        lines: list[tuple[Span, ...]] = []
        if not linked:
            lines.append(
                (Span(text=t("Link your MineGNK account first: /link CODE (code from the portal).")),)
            )
        for section, audience in (("", "anyone"), (N_("Your nodes"), "linked"), (N_("Admin"), "admin")):
            group = [c for c in cmds if c.audience == audience]
            if not group:
                continue
            if section:
                lines.append((Span(text=t(section), style="bold"),))
            for c in group:
                lines.append((Span(text=c.usage, style="code"), Span(text=f" — {t(c.description)}")))
        return HelpResult(
            tier=tier, commands=cmds, message=Message(title=t("MineGNK Bot commands"), lines=tuple(lines))
        )
