"""A catalogue message not yet translated: what a refusal carries from the service that raises it to
the frontend's one error edge, which knows whom it answers and so in which language.

``Text(N_("There is no request #{number}."), {"number": 7})`` is rendered by :meth:`Text.render` with a
person's :class:`~bot.i18n.catalogs.Translator`; a parameter that is itself a :class:`Text` is
translated too (``STATUS_TEXT`` inside a refusal). ``plural`` makes it a plural message counted by the
parameter ``n`` (extracted like ``t.plural``).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.i18n.catalogs import DEFAULT_LANGUAGE, Translator

#: the catalogue's source language, for logs and ``UserError.message``
ENGLISH = Translator(DEFAULT_LANGUAGE, gettext.NullTranslations())


@dataclass(frozen=True, slots=True)
class Text:
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)
    #: the plural source form (``msgid`` is the singular); the count is ``params["n"]``
    plural: str | None = None

    def render(self, t: Translator) -> str:
        values = {k: v.render(t) if isinstance(v, Text) else v for k, v in self.params.items()}
        if self.plural is not None:
            n = values.pop("n")
            assert isinstance(n, int)
            return t.plural(self.msgid, self.plural, n, **values)
        return t(self.msgid, **values)

    def __str__(self) -> str:
        return self.render(ENGLISH)


def plural(singular: str, plural_form: str, n: int, /, **params: object) -> Text:
    """A plural :class:`Text` (``{n}`` is the count), marked for the catalogue where it is written."""
    return Text(singular, {"n": n, **params}, plural_form)
