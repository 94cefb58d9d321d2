"""Command and option descriptions (and fixed choice names) in the user's Discord language
(``description_localizations``, ``name_localizations`` of a choice).

discord.py asks an :class:`app_commands.Translator` for every localizable string of the tree when it
syncs; this one answers descriptions from the message catalogues. Command and option names stay English
(they are typed, and the README and the help show them that way).
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation, TranslationContextTypes, locale_str

from bot.i18n.catalogs import DEFAULT_LANGUAGE, Catalogs, language_of

_DESCRIPTIONS = (
    TranslationContextLocation.command_description,
    TranslationContextLocation.parameter_description,
    TranslationContextLocation.choice_name,
)
#: Discord's Chinese locales: the catalogue is simplified Chinese, so Taiwan's stays on English
_NOT_OURS = {discord.Locale.taiwan_chinese}


class CatalogTranslator(app_commands.Translator):
    def __init__(self, catalogs: Catalogs) -> None:
        self._catalogs = catalogs

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: TranslationContextTypes
    ) -> str | None:
        if context.location not in _DESCRIPTIONS or locale in _NOT_OURS:
            return None
        language = language_of(str(locale))
        if language is None or language == DEFAULT_LANGUAGE:
            return None
        text = self._catalogs.translator(language)(string.message)
        return text[:100] if text != string.message else None
