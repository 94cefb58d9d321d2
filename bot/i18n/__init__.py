"""Languages: English (the catalogue's source), Russian and Chinese (simplified), as gettext catalogues.

Why gettext through Babel (not Fluent or hand-made dictionaries): the catalogues are ordinary ``.po``
files every translation tool and translator knows, ``pybabel extract``/``update`` keep them in step with
the code (``bash scripts/i18n.sh``), Babel carries the CLDR plural rules and number and date formats
for each locale, and aiogram's own i18n is built on the same. Source strings stay English and are
marked ``N_("…")`` where they are defined (the command table, the conditions table, service texts);
they are translated when a message is rendered for one person (:class:`~bot.i18n.catalogs.Translator`).
"""
