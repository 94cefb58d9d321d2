"""The catalogues: every source string translated in every language, with the same placeholders, and
in step with the code (a string added to the code without a translation fails here)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n.catalogs import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR, Catalogs, language_of
from bot.services.commands import COMMANDS

ROOT = Path(__file__).resolve().parents[3]
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
OTHER = [lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE]


def test_the_catalogues_are_in_step_with_the_code() -> None:
    run = subprocess.run(
        [sys.executable, "scripts/i18n_extract.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("language", OTHER)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id)
        assert message is not None and message.string and not message.fuzzy, f"{language}: {source.id!r}"
        # a plural entry: every form of the language, each with the source's placeholders
        sources = source.id if isinstance(source.id, tuple) else (source.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(_PLACEHOLDER.findall(s) for s in sources))
        assert len(forms) == catalog.num_plurals or not isinstance(source.id, tuple), source.id
        for form in forms:
            assert form and set(_PLACEHOLDER.findall(form)) == expected, (language, source.id, form)


@pytest.mark.parametrize("language", OTHER)
def test_command_descriptions_fit_both_platforms_in_every_language(language: str) -> None:
    t = Catalogs().translator(language)
    for spec in COMMANDS:
        text = t(spec.description)
        assert text != spec.description and 1 <= len(text) <= 100, (language, spec.name)


@pytest.mark.parametrize(
    ("hint", "language"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("zh-hans", "zh"),
        ("zh-CN", "zh"),
        ("en-US", "en"),
        ("de", None),
        (None, None),
    ],
)
def test_a_platform_locale_names_a_language(hint: str | None, language: str | None) -> None:
    assert language_of(hint) == language


def test_plurals_follow_each_language() -> None:
    ru = Catalogs().translator("ru")
    # no catalogue entry: the source's own English forms, with the count
    assert ru.plural("{n} node", "{n} nodes", 1) == "1 node"
    assert ru.number(1234567) == "1\xa0234\xa0567"
    assert Catalogs().translator("zh").number(1234567) == "1,234,567"


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "Dec 6, 2026 20:25 UTC"),
        ("ru", "6 дек. 2026\u202fг. 20:25 UTC"),  # CLDR: a narrow no-break space before «г.»
        ("zh", "2026年12月6日 20:25 UTC"),
    ],
)
def test_a_moment_is_written_as_the_language_writes_dates_in_utc(language: str, written: str) -> None:
    moscow = timezone(timedelta(hours=3))
    assert Catalogs().translator(language).utc(datetime(2026, 12, 6, 23, 25, 19, tzinfo=moscow)) == written
