#!/usr/bin/env bash
# Refresh the message catalogues from the code (new strings appear untranslated in each language's
# bot/i18n/locales/<lang>/LC_MESSAGES/messages.po; translate them there). `--check` only reports.
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python scripts/i18n_extract.py "$@"
