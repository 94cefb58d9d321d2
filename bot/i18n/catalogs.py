"""The message catalogues and a :class:`Translator` per language.

The ``.po`` files (``bot/i18n/locales/<lang>/LC_MESSAGES/messages.po``) are compiled in memory when the
catalogues are built (once, in the composition root), so the repository holds no binary artefacts.
Placeholders are ``str.format`` names (``{node}``); a test checks every translation has the same ones.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

#: code → the language's own name (what ``/language`` offers)
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "zh": "中文（简体）"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
#: Babel locale per language (number, date and plural rules)
_BABEL: dict[str, str] = {"en": "en", "ru": "ru", "zh": "zh_Hans_CN"}


def N_(msgid: str) -> str:
    """Mark a source string for the catalogue where it is defined; it is translated when rendered."""
    return msgid


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for the catalogue (rendered with :meth:`Translator.plural`)."""
    return singular, plural


@dataclass(frozen=True, slots=True)
class LazyText:
    """A source string and its values, translated when it is rendered for a reader (what code that
    knows no reader yet returns: a detector's summary, an incident's name). A value that is itself a
    :class:`LazyText` is translated too; other values are shown as they are."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return ENGLISH.text(self)


def L_(msgid: str, /, **params: object) -> LazyText:
    """A catalogue source string with its values, rendered later: ``L_("Excluded from epoch {epoch}",
    epoch=7)``."""
    return LazyText(msgid, tuple(params.items()))


#: user-facing text: a catalogue source string (looked up when rendered) or a :class:`LazyText`
Text = str | LazyText


def language_of(hint: str | None) -> str | None:
    """The supported language a platform's locale names (Telegram ``language_code`` ``ru``, ``zh-hans``;
    Discord ``ru``, ``zh-CN``, ``zh-TW``, ``en-US``), or None."""
    if not hint:
        return None
    base = hint.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def _compile(po_path: Path, language: str) -> Translations:
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=_BABEL[language], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class Translator:
    """One language: ``t("Hello, {name}", name=…)``, plurals, numbers and dates."""

    language: str
    _gettext: gettext.NullTranslations

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL[self.language])

    def __call__(self, msgid: str, /, **params: object) -> str:
        text = self._gettext.gettext(msgid)
        if not params:
            return text
        return text.format(**{k: self.text(v) if isinstance(v, LazyText) else v for k, v in params.items()})

    def text(self, value: Text) -> str:
        """A :data:`Text` in this language."""
        if isinstance(value, LazyText):
            return self(value.msgid, **dict(value.params))
        return self._gettext.gettext(value)

    def plural(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """``{n}`` is available to the text; the form follows the language's plural rules."""
        text = self._gettext.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def number(self, value: Decimal | int, *, places: int | None = None) -> str:
        pattern = None if places is None else "#,##0." + "#" * places if places else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def when(self, value: datetime, *, pattern: str = "medium") -> str:
        return format_datetime(value, format=pattern, tzinfo=value.tzinfo, locale=self.locale)


#: English without a catalogue: what code that renders before it knows its reader uses
ENGLISH = Translator(DEFAULT_LANGUAGE, gettext.NullTranslations())


class Catalogs:
    """Every language's catalogue, compiled once; :meth:`translator` hands out one language's."""

    def __init__(self, directory: Path = LOCALE_DIR) -> None:
        self._translators: dict[str, Translator] = {DEFAULT_LANGUAGE: ENGLISH}
        for language in LANGUAGES:
            if language == DEFAULT_LANGUAGE:
                continue
            po = directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            self._translators[language] = Translator(language, _compile(po, language))

    def translator(self, language: str | None) -> Translator:
        return self._translators.get(language or DEFAULT_LANGUAGE, self._translators[DEFAULT_LANGUAGE])

    def __iter__(self) -> Iterator[Translator]:
        return iter(self._translators.values())
