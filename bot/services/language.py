"""``/language [en|ru|zh|auto]`` and which language a person is answered in.

A person's language is their saved choice (``chat_languages``), else their platform's locale
(Telegram ``language_code``, Discord's locale), else English.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import languages as languages_db
from bot.db.types import Pool
from bot.i18n.catalogs import DEFAULT_LANGUAGE, LANGUAGES, Catalogs, Translator, language_of
from bot.render.message import Message, Span
from bot.services.arguments import FollowApp
from bot.services.context import Who, caller_of


@dataclass(frozen=True, slots=True)
class LanguageResult:
    language: str
    saved: bool
    message: Message


class LanguageService:
    def __init__(self, pool: Pool, catalogs: Catalogs) -> None:
        self._pool = pool
        self.catalogs = catalogs

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
