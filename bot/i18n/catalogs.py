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
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
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
    #: the plural source form (``msgid`` is the singular), counted by the value ``n``
    plural: str | None = None

    def __str__(self) -> str:
        return ENGLISH.text(self)


def L_(msgid: str, /, **params: object) -> LazyText:
    """A catalogue source string with its values, rendered later: ``L_("Excluded from epoch {epoch}",
    epoch=7)``."""
    return LazyText(msgid, tuple(params.items()))


def joined(parts: list[LazyText]) -> LazyText | str:
    """Lazy texts shown one after another, separated by "; " (each translated when rendered)."""
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        out = L_("{first}; {then}", first=out, then=part)
    return out


def LP_(singular: str, plural: str, n: int, /, **params: object) -> LazyText:
    """A plural :class:`LazyText` counted by ``n`` (``{n}`` in the text): a refusal that counts."""
    return LazyText(singular, (("n", n), *params.items()), plural)


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
            params = dict(value.params)
            if value.plural is not None:
                n = params.pop("n")
                assert isinstance(n, int)
                return self.plural(value.msgid, value.plural, n, **params)
            return self(value.msgid, **params)
        return self._gettext.gettext(value)

    def plural(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """``{n}`` is available to the text; the form follows the language's plural rules."""
        text = self._gettext.ngettext(singular, plural, n)
        return text.format(
            n=n, **{k: self.text(v) if isinstance(v, LazyText) else v for k, v in params.items()}
        )

    def number(self, value: Decimal | int, *, places: int | None = None) -> str:
        pattern = None if places is None else "#,##0." + "#" * places if places else "#,##0"
        return format_decimal(value, format=pattern, locale=self.locale)

    def when(self, value: datetime, *, pattern: str = "medium") -> str:
        return format_datetime(value, format=pattern, tzinfo=value.tzinfo, locale=self.locale)

    def utc(self, value: datetime, *, seconds: bool = False) -> str:
        """A moment in UTC as this language writes the date, a 24-hour time and "UTC"
        (en ``Dec 6, 2026 20:25 UTC``, ru ``6 дек. 2026 г. 20:25 UTC``, zh ``2026年12月6日 20:25 UTC``)."""
        moment = value.astimezone(UTC)
        clock = format_time(moment, "HH:mm:ss" if seconds else "HH:mm", tzinfo=UTC, locale=self.locale)
        return f"{self.day(moment.date())} {clock} UTC"

    def day(self, value: date) -> str:
        """A calendar day as this language writes it (en ``Dec 6, 2026``, ru ``6 дек. 2026 г.``)."""
        return format_date(value, format="medium", locale=self.locale)


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
