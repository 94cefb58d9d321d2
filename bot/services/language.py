"""``/language [en|ru|zh|auto]`` and which language a person is answered in.

A person's language is their saved choice (``chat_languages``), else their platform's locale
(Telegram ``language_code``, Discord's locale), else English. The frontends hand every update's caller
to :meth:`LanguageService.remember`, which stores the locale in ``chat_locales`` when it changed, so a
message the bot writes first (an alert, a digest) finds it too (:func:`bot.db.languages.languages_of`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from bot.db import languages as languages_db
from bot.db.types import Pool
from bot.i18n.catalogs import DEFAULT_LANGUAGE, LANGUAGES, Catalogs, Translator, language_of
from bot.render.message import Message, Span
from bot.services.arguments import FollowApp
from bot.services.context import Who, caller_of

#: people whose last locale is kept in memory (the oldest is dropped first beyond this)
LOCALE_CACHE_SIZE = 100_000
#: the longest locale stored (``chat_locales.locale``)
MAX_LOCALE = 35

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LanguageResult:
    language: str
    saved: bool
    message: Message


class LanguageService:
    def __init__(self, pool: Pool, catalogs: Catalogs) -> None:
        self._pool = pool
        self.catalogs = catalogs
        #: (platform, platform_user_id) -> the locale last stored for them by this process
        self._locales: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def remember(self, who: Who) -> None:
        """Keep the platform locale this update came with, for messages the bot writes first; a
        write only when it differs from the one this process last stored for the person."""
        caller = caller_of(who)
        locale = (caller.locale or "").strip()[:MAX_LOCALE]
        if not locale:
            return
        key = (caller.platform, caller.platform_user_id)
        if self._locales.get(key) == locale:
            self._locales.move_to_end(key)
            return
        await languages_db.remember_locale(self._pool, caller.platform, caller.platform_user_id, locale)
        log.debug("platform locale of %s %s is %s", caller.platform, caller.platform_user_id, locale)
        self._locales[key] = locale
        self._locales.move_to_end(key)
        while len(self._locales) > LOCALE_CACHE_SIZE:
            self._locales.popitem(last=False)

    async def language_of(self, who: Who) -> tuple[str, bool]:
        """The caller's language and whether it is their saved choice."""
        caller = caller_of(who)
        saved = await languages_db.chosen(self._pool, caller.platform, caller.platform_user_id)
        if saved is not None:
            return saved, True
        return language_of(caller.locale) or DEFAULT_LANGUAGE, False

    async def translator(self, caller: Who) -> Translator:
        language, _ = await self.language_of(caller)
        return self.catalogs.translator(language)

    async def command(self, who: Who, choice: str | FollowApp | None) -> LanguageResult:
        """``/language`` (``None``) shows the language and the choices; ``/language ru`` (a code)
        saves one; ``auto`` (:class:`FollowApp`) goes back to the platform's."""
        caller = caller_of(who)
        if choice is None:
            language, saved = await self.language_of(caller)
            return _render(self.catalogs.translator(language), saved, None)
        if isinstance(choice, FollowApp):
            await languages_db.forget(self._pool, caller.platform, caller.platform_user_id)
            language, _ = await self.language_of(caller)
            t = self.catalogs.translator(language)
            return _render(t, False, t("I follow your app's language again."))
        await languages_db.choose(self._pool, caller.platform, caller.platform_user_id, choice)
        t = self.catalogs.translator(choice)
        return _render(t, True, t("From now on I answer in English."))


def _render(t: Translator, saved: bool, note: str | None) -> LanguageResult:
    lines: list[tuple[Span, ...]] = []
    if note:
        lines.append((Span(text=note, style="bold"),))
    current = LANGUAGES[t.language]
    if saved:
        lines.append((Span(text=t("Language: {language} (your choice).", language=current)),))
    else:
        lines.append((Span(text=t("Language: {language} (from your app).", language=current)),))
    choices = ", ".join(f"/language {code} — {name}" for code, name in LANGUAGES.items())
    lines.append((Span(text=t("Choose: {choices}; /language auto follows your app.", choices=choices)),))
    return LanguageResult(t.language, saved, Message(title=t("Language"), lines=tuple(lines)))
