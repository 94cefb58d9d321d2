"""Keep the message catalogues in step with the code: ``bash scripts/i18n.sh``.

Collects the source strings (``t("…")`` and ``N_("…")`` calls under ``bot/``, and the tables that hold
texts: the command descriptions), writes the template ``bot/i18n/locales/messages.pot`` and updates each
language's ``messages.po`` from it (new strings appear untranslated, removed ones become obsolete).
``--check`` changes nothing and fails when a catalogue is out of step (CI runs the catalogue tests).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.conditions import CONDITIONS  # noqa: E402
from bot.i18n.catalogs import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402
from bot.services.commands import COMMANDS  # noqa: E402

KEYWORDS = {"t": None, "N_": None, "L_": None, "NP_": (1, 2), "plural": (1, 2)}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def template() -> Catalog:
    # a fixed date: the files change only when the messages do (--check compares them byte for byte)
    catalog = Catalog(project="minegnk-bot", domain=DOMAIN, fuzzy=False, creation_date=FIXED_DATE)
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, _context in extract_from_dir(
        ROOT / "bot", method_map=method_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, locations=[(f"bot/{filename}", lineno)], auto_comments=comments)
    for condition in CONDITIONS:
        catalog.add(
            condition.texts.title,
            locations=[("bot/domain/conditions.py", 0)],
            auto_comments=[f"condition {condition.name}: its short name"],
        )
    for spec in COMMANDS:
        catalog.add(
            spec.description, locations=[("bot/services/commands.py", 0)], auto_comments=[f"/{spec.name}"]
        )
    return catalog


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
    return out.getvalue()


def main() -> int:
    check = "--check" in sys.argv
    pot = template()
    stale: list[str] = []
    outputs: dict[Path, bytes] = {LOCALE_DIR / f"{DOMAIN}.pot": render(pot)}
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=language if language != "zh" else "zh_Hans_CN", domain=DOMAIN)
        catalog.update(pot, no_fuzzy_matching=True)
        outputs[path] = render(catalog)
    for path, data in outputs.items():
        if path.read_bytes() != data if path.exists() else True:
            stale.append(str(path.relative_to(ROOT)))
            if not check:
                path.write_bytes(data)
    if check and stale:
        print("out of step with the code: " + ", ".join(stale) + " (run: bash scripts/i18n.sh)")
        return 1
    print(("checked: " if check else "written: ") + ", ".join(str(p.relative_to(ROOT)) for p in outputs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
