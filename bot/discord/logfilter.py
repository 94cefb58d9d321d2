"""Keeping form input out of the logs.

At DEBUG level discord.py's gateway logs every received event verbatim, so a modal submission (the
email + password link form) would be written to the log. :class:`DropInteractionPayloads` drops those
raw dumps of INTERACTION_CREATE events; every other gateway debug line is kept.
"""

from __future__ import annotations

import logging

GATEWAY_LOGGER = "discord.gateway"


class DropInteractionPayloads(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            return True
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        return not any("INTERACTION_CREATE" in str(arg) for arg in args)


def install_gateway_redaction() -> None:
    """Add the filter to discord.py's gateway logger (once; safe to call again)."""
    logger = logging.getLogger(GATEWAY_LOGGER)
    if not any(isinstance(f, DropInteractionPayloads) for f in logger.filters):
        logger.addFilter(DropInteractionPayloads())
